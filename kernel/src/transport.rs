//! The ZeroMQ transport: binds the five sockets of a connection file and
//! runs the core.
//!
//! The interpreter (which need not be `Send`) lives on the calling thread
//! with the [`Core`]; an I/O thread runs the sockets on a Tokio runtime. Shell
//! and control requests reach the core through a channel; an
//! `interrupt_request` on control also sets the interpreter's interrupt flag
//! at once, so a running cell stops even while the core is busy. A message
//! whose signature does not verify is dropped and logged. The kernel exits
//! when its parent process dies.

use crate::core::{Action, Channels, Core};
use crate::interpreter::Interpreter;
use crate::wire::{Message, Signer};
use bytes::Bytes;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

/// Writes a line to standard error, ignoring failure: a kernel whose
/// terminal has gone away (its parent died) must still get on with exiting.
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "tessera kernel: {}", format!($($arg)*));
    }};
}

/// The connection file's contents.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub transport: String,
    pub ip: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    pub key: String,
}

impl ConnectionInfo {
    /// Reads a connection file (`signature_scheme` must be `hmac-sha256`).
    pub fn read(path: &std::path::Path) -> Result<ConnectionInfo, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let port = |key: &str| -> Result<u16, String> {
            v[key].as_u64().and_then(|p| u16::try_from(p).ok()).ok_or(format!("the connection file has no valid {key}"))
        };
        let scheme = v["signature_scheme"].as_str().unwrap_or("hmac-sha256");
        if scheme != "hmac-sha256" {
            return Err(format!("signature scheme {scheme} is not supported (only hmac-sha256)"));
        }
        Ok(ConnectionInfo {
            transport: v["transport"].as_str().unwrap_or("tcp").into(),
            ip: v["ip"].as_str().unwrap_or("127.0.0.1").into(),
            shell_port: port("shell_port")?,
            iopub_port: port("iopub_port")?,
            stdin_port: port("stdin_port")?,
            control_port: port("control_port")?,
            hb_port: port("hb_port")?,
            key: v["key"].as_str().unwrap_or("").into(),
        })
    }

    fn endpoint(&self, port: u16) -> String {
        format!("{}://{}:{port}", self.transport, self.ip)
    }
}

/// Which socket a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Shell,
    Control,
    Iopub,
}

/// The core's side of the channels: encodes and hands frames to the I/O thread.
struct Outbox {
    signer: Signer,
    to_io: tokio::sync::mpsc::UnboundedSender<(Route, Vec<Vec<u8>>)>,
    replying_on: Route,
}

impl Channels for Outbox {
    fn publish(&mut self, mut message: Message) {
        // On iopub the identities are the topic; clients subscribe to everything.
        message.identities = vec![format!("kernel.{}", message.msg_type()).into_bytes()];
        let _ = self.to_io.send((Route::Iopub, self.signer.encode(&message)));
    }
    fn reply(&mut self, message: Message) {
        let _ = self.to_io.send((self.replying_on, self.signer.encode(&message)));
    }
}

fn frames(message: ZmqMessage) -> Vec<Vec<u8>> {
    message.into_vec().into_iter().map(|b| b.to_vec()).collect()
}

fn zmq_message(frames: Vec<Vec<u8>>) -> Option<ZmqMessage> {
    ZmqMessage::try_from(frames.into_iter().map(Bytes::from).collect::<Vec<_>>()).ok()
}

/// Serves the interpreter on the connection's sockets until a shutdown request.
pub fn serve<I: Interpreter>(interpreter: I, info: ConnectionInfo) -> Result<(), String> {
    let signer = Signer::new(info.key.as_bytes());
    let (to_core, requests) = mpsc::channel::<(Route, Message)>();
    let (to_io, from_core) = tokio::sync::mpsc::unbounded_channel();
    let (bound, bound_result) = mpsc::channel();
    let io_signer = signer.clone();
    let interrupt = interpreter.interrupt_flag();
    let io = std::thread::Builder::new()
        .name("tessera-kernel-io".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match runtime {
                Ok(rt) => rt.block_on(io_loop(info, io_signer, to_core, from_core, interrupt, bound)),
                Err(e) => {
                    let _ = bound.send(Err(format!("cannot start the I/O runtime: {e}")));
                }
            }
        })
        .map_err(|e| format!("cannot start the I/O thread: {e}"))?;
    bound_result.recv().map_err(|_| "the I/O thread stopped".to_string())??;
    watch_parent();
    let mut core = Core::new(interpreter);
    let mut outbox = Outbox { signer, to_io, replying_on: Route::Shell };
    for (route, request) in requests {
        outbox.replying_on = route;
        if let Action::Shutdown { .. } = core.handle(&request, &mut outbox) {
            break;
        }
    }
    drop(outbox); // closes the channel: the I/O thread sends what is queued, then stops
    io.join().map_err(|_| "the I/O thread failed".to_string())
}

/// Exits the process when the parent dies (the kernel is re-parented), on a
/// thread of its own so that nothing the kernel does can hold it up.
fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    let _ = std::thread::Builder::new().name("tessera-kernel-parent".into()).spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        if std::os::unix::process::parent_id() != parent {
            log!("the parent process died; exiting");
            std::process::exit(0);
        }
    });
}

async fn io_loop(
    info: ConnectionInfo,
    signer: Signer,
    to_core: mpsc::Sender<(Route, Message)>,
    mut from_core: tokio::sync::mpsc::UnboundedReceiver<(Route, Vec<Vec<u8>>)>,
    interrupt: Arc<AtomicBool>,
    bound: mpsc::Sender<Result<(), String>>,
) {
    let mut shell = RouterSocket::new();
    let mut control = RouterSocket::new();
    let mut iopub = PubSocket::new();
    let mut stdin = RouterSocket::new();
    let mut heartbeat = RepSocket::new();
    let binds = async {
        shell.bind(&info.endpoint(info.shell_port)).await?;
        control.bind(&info.endpoint(info.control_port)).await?;
        iopub.bind(&info.endpoint(info.iopub_port)).await?;
        stdin.bind(&info.endpoint(info.stdin_port)).await?;
        heartbeat.bind(&info.endpoint(info.hb_port)).await?;
        Ok::<(), zeromq::ZmqError>(())
    };
    if let Err(e) = binds.await {
        let _ = bound.send(Err(format!("cannot bind the kernel's sockets: {e}")));
        return;
    }
    let _ = bound.send(Ok(()));
    let (mut shell_out, mut shell_in) = shell.split();
    let (mut control_out, mut control_in) = control.split();

    let receive = |route: Route, signer: Signer, to_core: mpsc::Sender<(Route, Message)>| {
        move |message: ZmqMessage| match signer.decode(&frames(message)) {
            Ok(request) => {
                let _ = to_core.send((route, request));
            }
            Err(e) => log!("dropped a message on {route:?}: {e}"),
        }
    };
    let on_shell = receive(Route::Shell, signer.clone(), to_core.clone());
    tokio::spawn(async move {
        while let Ok(message) = shell_in.recv().await {
            on_shell(message);
        }
    });
    let control_signer = signer.clone();
    let control_interrupt = interrupt.clone();
    tokio::spawn(async move {
        while let Ok(message) = control_in.recv().await {
            match control_signer.decode(&frames(message)) {
                Ok(request) => {
                    // Stop the running cell now; the core replies when it is free.
                    if matches!(request.msg_type(), "interrupt_request" | "shutdown_request") {
                        control_interrupt.store(true, Ordering::Relaxed);
                    }
                    let _ = to_core.send((Route::Control, request));
                }
                Err(e) => log!("dropped a message on Control: {e}"),
            }
        }
    });
    tokio::spawn(async move {
        while let Ok(ping) = heartbeat.recv().await {
            if heartbeat.send(ping).await.is_err() {
                break;
            }
        }
    });
    let _stdin = stdin; // bound so clients can connect; this kernel never asks for input
    while let Some((route, outgoing)) = from_core.recv().await {
        let Some(message) = zmq_message(outgoing) else { continue };
        let sent = match route {
            Route::Shell => shell_out.send(message).await,
            Route::Control => control_out.send(message).await,
            Route::Iopub => iopub.send(message).await,
        };
        if let Err(e) = sent {
            log!("cannot send on {route:?}: {e}");
        }
    }
    // Let the last messages (the shutdown reply, the final idle) leave the sockets.
    tokio::time::sleep(Duration::from_millis(100)).await;
}

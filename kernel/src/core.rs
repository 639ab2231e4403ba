//! The core: routes each request to the interpreter, owns the execution
//! count and the history, and wraps every request in `status: busy` /
//! `status: idle` on iopub (kernel_info included), as ipykernel does.

use crate::interpreter::{Completeness, ErrorInfo, Interpreter, MimeBundle, Output, Stream};
use crate::wire::Message;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

/// Where the core sends messages.
pub trait Channels {
    /// A broadcast on iopub.
    fn publish(&mut self, message: Message);
    /// The reply on the socket the request came in on.
    fn reply(&mut self, message: Message);
}

/// What the transport does after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    Shutdown { restart: bool },
}

/// One executed cell, for `history_request`.
#[derive(Debug, Clone)]
struct Entry {
    line: u64,
    input: String,
    output: Option<String>,
}

/// The kernel's state around an interpreter.
pub struct Core<I: Interpreter> {
    interpreter: I,
    execution_count: u64,
    history: Vec<Entry>,
}

/// Byte offset of the `n`-th code point (Jupyter counts cursors in code points).
pub fn byte_offset(code: &str, code_points: usize) -> usize {
    code.char_indices().nth(code_points).map_or(code.len(), |(i, _)| i)
}

/// Code points before byte offset `i`.
pub fn code_points(code: &str, i: usize) -> usize {
    code[..i.min(code.len())].chars().count()
}

/// Forwards an execution's outputs to iopub and collects pager payloads.
struct Collector<'a> {
    channels: &'a mut dyn Channels,
    parent: &'a Message,
    silent: bool,
    payload: Vec<Value>,
}

impl Collector<'_> {
    fn publish(&mut self, msg_type: &str, content: Value) {
        if !self.silent {
            self.channels.publish(Message::child(self.parent, msg_type, content));
        }
    }
}

impl Output for Collector<'_> {
    fn stream(&mut self, stream: Stream, text: &str) {
        self.publish("stream", json!({"name": stream.name(), "text": text}));
    }
    fn display(&mut self, data: MimeBundle) {
        self.publish("display_data", json!({"data": data, "metadata": {}, "transient": {}}));
    }
    fn clear_output(&mut self, wait: bool) {
        self.publish("clear_output", json!({"wait": wait}));
    }
    fn page(&mut self, data: MimeBundle) {
        self.payload.push(json!({"source": "page", "data": data, "start": 0}));
    }
}

/// `*` and `?` glob matching, as `history_request`'s `pattern`: one pass
/// over the text per pattern character (`O(|pattern|·|text|)`, never
/// exponential), keeping the set of pattern positions reachable so far.
fn glob(pattern: &[char], text: &[char]) -> bool {
    // reach[i]: the first i pattern characters match the text read so far.
    let mut reach = vec![false; pattern.len() + 1];
    reach[0] = true;
    let close_stars = |reach: &mut Vec<bool>| {
        for i in 0..pattern.len() {
            if reach[i] && pattern[i] == '*' {
                reach[i + 1] = true;
            }
        }
    };
    close_stars(&mut reach);
    for &t in text {
        let mut next = vec![false; pattern.len() + 1];
        for i in 0..pattern.len() {
            if reach[i] {
                match pattern[i] {
                    '*' => next[i] = true,
                    '?' => next[i + 1] = true,
                    p if p == t => next[i + 1] = true,
                    _ => {}
                }
            }
        }
        close_stars(&mut next);
        reach = next;
    }
    reach[pattern.len()]
}

/// Runs `f`; a panic (a bug in the interpreter) becomes its message and place.
/// What a panicking call leaves half done is what an error would leave.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// The error reply of a panic in the interpreter.
fn internal_error(message: String) -> ErrorInfo {
    let evalue = format!("the kernel's interpreter panicked: {message}");
    ErrorInfo {
        ename: "InternalError".into(),
        traceback: vec![
            format!("InternalError: {evalue}"),
            "this is a bug in the kernel, not in your code; please report it with the cell that caused it \
             (the session and its variables are kept)"
                .into(),
        ],
        evalue,
    }
}

impl<I: Interpreter> Core<I> {
    pub fn new(interpreter: I) -> Self {
        Core { interpreter, execution_count: 0, history: Vec::new() }
    }

    pub fn interpreter(&self) -> &I {
        &self.interpreter
    }

    /// Handles one request: busy, the work and its reply, idle.
    pub fn handle(&mut self, request: &Message, channels: &mut dyn Channels) -> Action {
        let reply_type = match request.msg_type().strip_suffix("_request") {
            Some(kind) => format!("{kind}_reply"),
            None => return Action::Continue, // not a request: nothing to answer
        };
        channels.publish(Message::child(request, "status", json!({"execution_state": "busy"})));
        let (content, action) = self.answer(request, channels);
        if let Some(content) = content {
            channels.reply(Message::child(request, &reply_type, content));
        }
        channels.publish(Message::child(request, "status", json!({"execution_state": "idle"})));
        action
    }

    fn answer(&mut self, request: &Message, channels: &mut dyn Channels) -> (Option<Value>, Action) {
        let c = &request.content;
        let text = |key: &str| c[key].as_str().unwrap_or("").to_string();
        let cursor = |code: &str| byte_offset(code, c["cursor_pos"].as_u64().map_or(code.len(), |n| n as usize));
        let reply = match request.msg_type() {
            "kernel_info_request" => self.kernel_info(),
            "execute_request" => self.execute(request, channels),
            "complete_request" => {
                let code = text("code");
                let done = guarded(|| self.interpreter.complete(&code, cursor(&code))).unwrap_or_default();
                let (start, end) = (code_points(&code, done.start), code_points(&code, done.end));
                // IPython's form of the kinds and signatures, which JupyterLab's completer shows.
                let types: Vec<Value> = done
                    .matches
                    .iter()
                    .map(|m| {
                        let mut item = json!({"start": start, "end": end, "text": m.text});
                        if let Some(kind) = &m.kind {
                            item["type"] = json!(kind);
                        }
                        if let Some(signature) = &m.signature {
                            item["signature"] = json!(signature);
                        }
                        item
                    })
                    .collect();
                json!({
                    "status": "ok",
                    "matches": done.matches.iter().map(|m| &m.text).collect::<Vec<_>>(),
                    "cursor_start": start,
                    "cursor_end": end,
                    "metadata": {"_jupyter_types_experimental": types},
                })
            }
            "inspect_request" => {
                let code = text("code");
                match guarded(|| self.interpreter.inspect(&code, cursor(&code))).ok().flatten() {
                    Some(data) => json!({"status": "ok", "found": true, "data": data, "metadata": {}}),
                    None => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
                }
            }
            "is_complete_request" => {
                match guarded(|| self.interpreter.is_complete(&text("code"))).unwrap_or(Completeness::Unknown) {
                    Completeness::Complete => json!({"status": "complete"}),
                    Completeness::Incomplete { indent } => json!({"status": "incomplete", "indent": indent}),
                    Completeness::Invalid => json!({"status": "invalid"}),
                    Completeness::Unknown => json!({"status": "unknown"}),
                }
            }
            "history_request" => self.history(c),
            "comm_info_request" => json!({"status": "ok", "comms": {}}),
            "interrupt_request" => {
                self.interpreter.interrupt_flag().store(true, Ordering::Relaxed);
                json!({"status": "ok"})
            }
            "shutdown_request" => {
                let restart = c["restart"].as_bool().unwrap_or(false);
                return (Some(json!({"status": "ok", "restart": restart})), Action::Shutdown { restart });
            }
            _ => return (None, Action::Continue),
        };
        (Some(reply), Action::Continue)
    }

    fn kernel_info(&self) -> Value {
        let info = self.interpreter.language_info();
        let mut reply = json!({
            "status": "ok",
            "protocol_version": crate::wire::PROTOCOL_VERSION,
            "implementation": "tessera",
            "implementation_version": env!("CARGO_PKG_VERSION"),
            "language_info": {
                "name": info.name,
                "version": info.version,
                "mimetype": info.mimetype,
                "file_extension": info.file_extension,
            },
            "banner": self.interpreter.banner(),
            "help_links": [],
            "debugger": false,
        });
        if let Some(lexer) = info.pygments_lexer {
            reply["language_info"]["pygments_lexer"] = json!(lexer);
        }
        if let Some(mode) = info.codemirror_mode {
            reply["language_info"]["codemirror_mode"] = json!(mode);
        }
        reply
    }

    fn execute(&mut self, request: &Message, channels: &mut dyn Channels) -> Value {
        let c = &request.content;
        let code = c["code"].as_str().unwrap_or("").to_string();
        let silent = c["silent"].as_bool().unwrap_or(false);
        let store_history = !silent && c["store_history"].as_bool().unwrap_or(true);
        if store_history {
            self.execution_count += 1;
        }
        let count = self.execution_count;
        let mut out = Collector { channels, parent: request, silent, payload: Vec::new() };
        out.publish("execute_input", json!({"code": code, "execution_count": count}));
        let result = guarded(|| self.interpreter.execute(&code, &mut out)).unwrap_or_else(|m| Err(internal_error(m)));
        let (reply, shown) = match result {
            Ok(value) => {
                let shown = value.as_ref().and_then(|d| d.get("text/plain")).and_then(Value::as_str).map(String::from);
                if let Some(data) = value {
                    out.publish("execute_result", json!({"execution_count": count, "data": data, "metadata": {}}));
                }
                let payload = std::mem::take(&mut out.payload);
                let expressions = self.user_expressions(&c["user_expressions"]);
                (
                    json!({"status": "ok", "execution_count": count, "payload": payload, "user_expressions": expressions}),
                    shown,
                )
            }
            Err(e) => {
                let error = json!({"ename": e.ename, "evalue": e.evalue, "traceback": e.traceback});
                out.publish("error", error.clone());
                let mut reply = error;
                reply["status"] = json!("error");
                reply["execution_count"] = json!(count);
                (reply, None)
            }
        };
        if store_history {
            self.history.push(Entry { line: count, input: code, output: shown });
        }
        reply
    }

    /// `user_expressions`: each name's expression evaluated, as `{status, data, metadata}`
    /// or `{status: error, ename, evalue, traceback}`.
    fn user_expressions(&mut self, requested: &Value) -> Value {
        let mut out = serde_json::Map::new();
        for (name, expression) in requested.as_object().into_iter().flatten() {
            let evaluated = guarded(|| self.interpreter.evaluate(expression.as_str().unwrap_or("")));
            let result = match evaluated.unwrap_or_else(|m| Err(internal_error(m))) {
                Ok(data) => json!({"status": "ok", "data": data, "metadata": {}}),
                Err(e) => json!({"status": "error", "ename": e.ename, "evalue": e.evalue, "traceback": e.traceback}),
            };
            out.insert(name.clone(), result);
        }
        Value::Object(out)
    }

    /// `history_request`: the last `n` cells (`tail`), a line range (`range`),
    /// or the cells whose input matches a glob (`search`, optionally `unique`).
    fn history(&self, c: &Value) -> Value {
        let with_output = c["output"].as_bool().unwrap_or(false);
        let n = c["n"].as_u64().map(|n| n as usize);
        let item = |e: &Entry| {
            if with_output {
                json!([0, e.line, [e.input, e.output]])
            } else {
                json!([0, e.line, e.input])
            }
        };
        let last = |entries: Vec<&Entry>| -> Vec<Value> {
            let skip = n.map_or(0, |n| entries.len().saturating_sub(n));
            entries.into_iter().skip(skip).map(item).collect()
        };
        let history: Vec<Value> = match c["hist_access_type"].as_str().unwrap_or("tail") {
            "range" => {
                let start = c["start"].as_u64().unwrap_or(0);
                let stop = c["stop"].as_u64().unwrap_or(u64::MAX);
                self.history.iter().filter(|e| e.line >= start && e.line < stop).map(item).collect()
            }
            "search" => {
                let pattern: Vec<char> = c["pattern"].as_str().unwrap_or("*").chars().collect();
                let mut found: Vec<&Entry> =
                    self.history.iter().filter(|e| glob(&pattern, &e.input.chars().collect::<Vec<_>>())).collect();
                if c["unique"].as_bool().unwrap_or(false) {
                    let mut seen = std::collections::HashSet::new();
                    found.reverse();
                    found.retain(|e| seen.insert(e.input.clone()));
                    found.reverse();
                }
                last(found)
            }
            _ => last(self.history.iter().collect()),
        };
        json!({"status": "ok", "history": history})
    }
}

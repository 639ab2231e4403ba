//! The routing core against a toy interpreter: replies, broadcasts,
//! busy/idle, execution counts, history, cursor conversion, and the panic
//! boundary around every call into the interpreter.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tessera_kernel::interpreter::plain;
use tessera_kernel::wire::{header, Message};
use tessera_kernel::*;

/// Echoes its code; `print:x` streams x, `fail` errors, `help` pages, `show`
/// displays, `set:x` remembers x (shown by `get`), and `panic` panics, in
/// every method.
struct Toy {
    interrupt: Arc<AtomicBool>,
    kept: String,
}

impl Interpreter for Toy {
    fn execute(&mut self, code: &str, output: &mut dyn Output) -> Result<Option<MimeBundle>, ErrorInfo> {
        match code {
            "panic" => {
                output.stream(Stream::Stdout, "before the bug");
                panic!("toy bug: index 3 out of range")
            }
            "get" => Ok(Some(plain(&self.kept))),
            c if c.starts_with("set:") => {
                self.kept = c[4..].to_string();
                Ok(None)
            }
            "fail" => {
                Err(ErrorInfo { ename: "ToyError".into(), evalue: "it failed".into(), traceback: vec!["tb".into()] })
            }
            "help" => {
                output.page(plain("the help page"));
                Ok(None)
            }
            "show" => {
                output.display(plain("shown"));
                output.clear_output(true);
                Ok(None)
            }
            c if c.starts_with("print:") => {
                output.stream(Stream::Stdout, &c[6..]);
                output.stream(Stream::Stderr, "warn");
                Ok(None)
            }
            c => Ok(Some(plain(c))),
        }
    }
    fn evaluate(&mut self, expression: &str) -> Result<MimeBundle, ErrorInfo> {
        match expression {
            "panic" => panic!("toy bug in evaluate"),
            "fail" => Err(ErrorInfo { ename: "ToyError".into(), evalue: "no".into(), traceback: vec![] }),
            e => Ok(plain(&e.to_uppercase())),
        }
    }
    fn complete(&mut self, code: &str, cursor: usize) -> Completion {
        assert_ne!(code, "panic", "toy bug in complete");
        Completion {
            matches: vec![
                Match { text: "kron".into(), kind: Some("builtin".into()), signature: Some("kron(A, B)".into()) },
                Match::text("kronsum"),
            ],
            start: code[..cursor].rfind(' ').map_or(0, |i| i + 1),
            end: cursor,
        }
    }
    fn inspect(&mut self, code: &str, _: usize) -> Option<MimeBundle> {
        assert_ne!(code, "panic", "toy bug in inspect");
        (code == "kron").then(|| plain("kron(A, B)"))
    }
    fn is_complete(&mut self, code: &str) -> Completeness {
        match code {
            "panic" => panic!("toy bug in is_complete"),
            "[" => Completeness::Incomplete { indent: "  ".into() },
            ")" => Completeness::Invalid,
            _ => Completeness::Complete,
        }
    }
    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }
    fn language_info(&self) -> LanguageInfo {
        LanguageInfo {
            name: "toy".into(),
            version: "1".into(),
            mimetype: "text/x-toy".into(),
            file_extension: ".toy".into(),
            pygments_lexer: None,
            codemirror_mode: None,
        }
    }
    fn banner(&self) -> String {
        "Toy".into()
    }
}

#[derive(Default)]
struct Recorder {
    published: Vec<Message>,
    replies: Vec<Message>,
}

impl Channels for Recorder {
    fn publish(&mut self, message: Message) {
        self.published.push(message);
    }
    fn reply(&mut self, message: Message) {
        self.replies.push(message);
    }
}

fn request(msg_type: &str, content: Value) -> Message {
    Message {
        identities: vec![b"id".to_vec()],
        header: header(msg_type, "session-1", "user"),
        parent_header: json!({}),
        metadata: json!({}),
        content,
        buffers: vec![],
    }
}

fn core() -> Core<Toy> {
    Core::new(Toy { interrupt: Arc::new(AtomicBool::new(false)), kept: String::new() })
}

fn run(core: &mut Core<Toy>, msg_type: &str, content: Value) -> Recorder {
    let mut r = Recorder::default();
    core.handle(&request(msg_type, content), &mut r);
    r
}

fn types(r: &Recorder) -> Vec<String> {
    r.published.iter().map(|m| m.msg_type().to_string()).collect()
}

#[test]
fn every_request_is_wrapped_in_busy_and_idle() {
    let mut k = core();
    for (t, content) in [
        ("kernel_info_request", json!({})),
        ("execute_request", json!({"code": "1"})),
        ("comm_info_request", json!({})),
    ] {
        let r = run(&mut k, t, content);
        let states: Vec<&Value> =
            r.published.iter().filter(|m| m.msg_type() == "status").map(|m| &m.content["execution_state"]).collect();
        assert_eq!(states, vec!["busy", "idle"], "{t}");
        assert_eq!(r.published[0].msg_type(), "status");
        assert_eq!(r.published.last().unwrap().msg_type(), "status");
        assert_eq!(r.replies.len(), 1);
        assert_eq!(r.replies[0].parent_header["msg_type"], t);
    }
}

#[test]
fn execute_broadcasts_input_outputs_and_result_and_counts() {
    let mut k = core();
    let r = run(&mut k, "execute_request", json!({"code": "1+1"}));
    assert_eq!(types(&r), ["status", "execute_input", "execute_result", "status"]);
    assert_eq!(r.published[2].content["data"]["text/plain"], "1+1");
    assert_eq!(r.replies[0].content["status"], "ok");
    assert_eq!(r.replies[0].content["execution_count"], 1);
    let r = run(&mut k, "execute_request", json!({"code": "print:hi"}));
    assert_eq!(types(&r), ["status", "execute_input", "stream", "stream", "status"]);
    assert_eq!(r.published[2].content, json!({"name": "stdout", "text": "hi"}));
    assert_eq!(r.published[3].content["name"], "stderr");
    assert_eq!(r.replies[0].content["execution_count"], 2);
    let r = run(&mut k, "execute_request", json!({"code": "show"}));
    assert_eq!(types(&r), ["status", "execute_input", "display_data", "clear_output", "status"]);
    let r = run(&mut k, "execute_request", json!({"code": "quiet", "silent": true}));
    assert_eq!(types(&r), ["status", "status"], "silent: nothing broadcast");
    assert_eq!(r.replies[0].content["execution_count"], 3, "silent does not count");
    let r = run(&mut k, "execute_request", json!({"code": "x", "store_history": false}));
    assert_eq!(r.replies[0].content["execution_count"], 3);
}

#[test]
fn errors_are_broadcast_and_replied_with_ename_evalue_traceback() {
    let mut k = core();
    let r = run(&mut k, "execute_request", json!({"code": "fail"}));
    assert_eq!(types(&r), ["status", "execute_input", "error", "status"]);
    let reply = &r.replies[0].content;
    assert_eq!(
        (reply["status"].as_str(), reply["ename"].as_str(), reply["evalue"].as_str()),
        (Some("error"), Some("ToyError"), Some("it failed"))
    );
    assert_eq!(reply["traceback"], json!(["tb"]));
    assert_eq!(reply["execution_count"], 1);
}

#[test]
fn user_expressions_are_evaluated_after_the_cell() {
    let mut k = core();
    let r = run(&mut k, "execute_request", json!({"code": "x", "user_expressions": {"a": "up", "b": "fail"}}));
    let e = &r.replies[0].content["user_expressions"];
    assert_eq!(e["a"], json!({"status": "ok", "data": {"text/plain": "UP"}, "metadata": {}}));
    assert_eq!(e["b"]["status"], "error");
    assert_eq!(e["b"]["ename"], "ToyError");
}

#[test]
fn help_pages_travel_as_a_payload() {
    let mut k = core();
    let r = run(&mut k, "execute_request", json!({"code": "help"}));
    assert_eq!(
        r.replies[0].content["payload"],
        json!([{"source": "page", "data": {"text/plain": "the help page"}, "start": 0}])
    );
}

#[test]
fn complete_inspect_and_is_complete() {
    let mut k = core();
    // "é" is two bytes but one code point: Jupyter's cursor counts code points.
    let r = run(&mut k, "complete_request", json!({"code": "é kro", "cursor_pos": 5}));
    let c = &r.replies[0].content;
    assert_eq!((c["cursor_start"].as_u64(), c["cursor_end"].as_u64()), (Some(2), Some(5)));
    assert_eq!(c["matches"], json!(["kron", "kronsum"]));
    assert_eq!(
        c["metadata"]["_jupyter_types_experimental"],
        json!([
            {"start": 2, "end": 5, "text": "kron", "type": "builtin", "signature": "kron(A, B)"},
            {"start": 2, "end": 5, "text": "kronsum"},
        ])
    );
    let r = run(&mut k, "inspect_request", json!({"code": "kron", "cursor_pos": 2, "detail_level": 0}));
    assert_eq!(r.replies[0].content["found"], true);
    let r = run(&mut k, "inspect_request", json!({"code": "nothing", "cursor_pos": 2}));
    assert_eq!(r.replies[0].content["found"], false);
    let status =
        |k: &mut Core<Toy>, code: &str| run(k, "is_complete_request", json!({"code": code})).replies[0].content.clone();
    assert_eq!(status(&mut k, "x"), json!({"status": "complete"}));
    assert_eq!(status(&mut k, "["), json!({"status": "incomplete", "indent": "  "}));
    assert_eq!(status(&mut k, ")"), json!({"status": "invalid"}));
}

#[test]
fn history_tail_range_and_search() {
    let mut k = core();
    for code in ["a = 1", "b = 2", "a + b", "a = 1"] {
        run(&mut k, "execute_request", json!({"code": code}));
    }
    let h =
        |k: &mut Core<Toy>, content: Value| run(k, "history_request", content).replies[0].content["history"].clone();
    assert_eq!(
        h(&mut k, json!({"hist_access_type": "tail", "n": 2, "output": false, "raw": true})),
        json!([[0, 3, "a + b"], [0, 4, "a = 1"]])
    );
    assert_eq!(
        h(&mut k, json!({"hist_access_type": "range", "start": 2, "stop": 4})),
        json!([[0, 2, "b = 2"], [0, 3, "a + b"]])
    );
    assert_eq!(
        h(&mut k, json!({"hist_access_type": "search", "pattern": "a*"})),
        json!([[0, 1, "a = 1"], [0, 3, "a + b"], [0, 4, "a = 1"]])
    );
    assert_eq!(
        h(&mut k, json!({"hist_access_type": "search", "pattern": "a*", "unique": true})),
        json!([[0, 3, "a + b"], [0, 4, "a = 1"]])
    );
    assert_eq!(
        h(&mut k, json!({"hist_access_type": "tail", "n": 1, "output": true})),
        json!([[0, 4, ["a = 1", "a = 1"]]])
    );
}

#[test]
fn kernel_info_shutdown_and_interrupt() {
    let mut k = core();
    let r = run(&mut k, "kernel_info_request", json!({}));
    let info = &r.replies[0].content;
    assert_eq!(info["protocol_version"], "5.3");
    assert_eq!(info["language_info"]["name"], "toy");
    assert_eq!(info["language_info"]["file_extension"], ".toy");
    let mut rec = Recorder::default();
    assert_eq!(
        k.handle(&request("shutdown_request", json!({"restart": true})), &mut rec),
        Action::Shutdown { restart: true }
    );
    assert_eq!(rec.replies[0].content, json!({"status": "ok", "restart": true}));
    let r = run(&mut k, "interrupt_request", json!({}));
    assert_eq!(r.replies[0].content["status"], "ok");
    assert!(k.interpreter().interrupt_flag().load(Ordering::Relaxed));
    let r = run(&mut k, "unknown_message", json!({}));
    assert!(r.replies.is_empty() && r.published.is_empty());
}

#[test]
fn a_panicking_cell_gets_an_internal_error_reply_and_the_session_goes_on() {
    let mut k = core();
    run(&mut k, "execute_request", json!({"code": "set:kept"}));
    let r = run(&mut k, "execute_request", json!({"code": "panic"}));
    let reply = &r.replies[0].content;
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["ename"], "InternalError");
    assert_eq!(reply["evalue"], "the kernel's interpreter panicked: toy bug: index 3 out of range");
    assert_eq!(reply["execution_count"], 2);
    // What the cell printed before the bug was sent, then the error, then idle.
    let t = types(&r);
    assert_eq!(t, ["status", "execute_input", "stream", "error", "status"]);
    // The interpreter and its state are still there.
    let r = run(&mut k, "execute_request", json!({"code": "get"}));
    assert_eq!(r.replies[0].content["status"], "ok");
    let result = r.published.iter().find(|m| m.msg_type() == "execute_result").unwrap();
    assert_eq!(result.content["data"]["text/plain"], "kept");
    assert_eq!(result.content["execution_count"], 3);
}

#[test]
fn a_panic_in_any_other_request_still_gets_its_reply() {
    let mut k = core();
    let r = run(&mut k, "complete_request", json!({"code": "panic", "cursor_pos": 5}));
    assert_eq!(r.replies[0].content["status"], "ok");
    assert_eq!(r.replies[0].content["matches"], json!([]));
    let r = run(&mut k, "inspect_request", json!({"code": "panic", "cursor_pos": 5}));
    assert_eq!(r.replies[0].content["found"], false);
    let r = run(&mut k, "is_complete_request", json!({"code": "panic"}));
    assert_eq!(r.replies[0].content["status"], "unknown");
    let r = run(&mut k, "execute_request", json!({"code": "1", "user_expressions": {"x": "panic", "y": "ok"}}));
    let expressions = &r.replies[0].content["user_expressions"];
    assert_eq!(expressions["x"]["ename"], "InternalError");
    assert_eq!(expressions["y"]["data"]["text/plain"], "OK");
}

#[test]
fn history_search_with_many_stars_is_not_exponential() {
    let mut k = core();
    let long = "a".repeat(200);
    run(&mut k, "execute_request", json!({"code": long}));
    run(&mut k, "execute_request", json!({"code": format!("{long}b")}));
    // `*a*a*…*a*b` backtracked exponentially on the first cell.
    let pattern = format!("{}b", "*a".repeat(40));
    let r = run(&mut k, "history_request", json!({"hist_access_type": "search", "pattern": pattern}));
    let history = r.replies[0].content["history"].as_array().unwrap().clone();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0][1], 2);
    for (pattern, text, matches) in
        [("a?c", "abc", true), ("a*", "a", true), ("*", "", true), ("?", "", false), ("a*c", "abd", false)]
    {
        let mut k = core();
        run(&mut k, "execute_request", json!({"code": text}));
        let r = run(&mut k, "history_request", json!({"hist_access_type": "search", "pattern": pattern}));
        assert_eq!(r.replies[0].content["history"].as_array().unwrap().len(), matches as usize, "{pattern} {text}");
    }
}

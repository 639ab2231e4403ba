//! The interface the kernel drives. A language implements [`Interpreter`];
//! the kernel turns Jupyter requests into calls on it and its answers into
//! replies and broadcasts. Cursor positions here are byte offsets into the
//! code (the core converts Jupyter's code-point positions).

use serde_json::{Map, Value};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A MIME bundle: `{"text/plain": "...", "text/html": "...", ...}`.
pub type MimeBundle = Map<String, Value>;

/// A bundle holding only `text/plain`.
pub fn plain(text: &str) -> MimeBundle {
    let mut m = Map::new();
    m.insert("text/plain".into(), Value::String(text.into()));
    m
}

/// An output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// Where an execution's side outputs go (the kernel broadcasts them on iopub).
pub trait Output {
    fn stream(&mut self, stream: Stream, text: &str);
    /// `display_data`.
    fn display(&mut self, data: MimeBundle);
    fn clear_output(&mut self, wait: bool);
    /// A help page (Jupyter's pager payload).
    fn page(&mut self, data: MimeBundle);
}

/// An error as Jupyter reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

/// The answer to `is_complete_request`.
#[derive(Debug, Clone, PartialEq)]
pub enum Completeness {
    Complete,
    Incomplete { indent: String },
    Invalid,
    Unknown,
}

/// Completion candidates replacing `code[start..end]` (byte offsets).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Completion {
    pub matches: Vec<Match>,
    pub start: usize,
    pub end: usize,
}

/// One completion candidate, with what the completer may show beside it
/// (the `type` and `signature` of `_jupyter_types_experimental`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Match {
    pub text: String,
    /// What it names (`builtin`, `variable`, …), when the language says.
    pub kind: Option<String>,
    /// Its signature or a short description, when the language has one.
    pub signature: Option<String>,
}

impl Match {
    /// A candidate with nothing known beside its text.
    pub fn text(text: impl Into<String>) -> Match {
        Match { text: text.into(), kind: None, signature: None }
    }
}

/// `language_info` of `kernel_info_reply`.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageInfo {
    pub name: String,
    pub version: String,
    pub mimetype: String,
    pub file_extension: String,
    /// The Pygments lexer that nbconvert and jupyter console highlight
    /// cells with (`None`: the kernel names none).
    pub pygments_lexer: Option<String>,
    /// The CodeMirror language JupyterLab's editors use for cells
    /// (`None`: the kernel names none).
    pub codemirror_mode: Option<String>,
}

/// A language the kernel can drive.
pub trait Interpreter {
    /// Runs a cell; the value to show as `execute_result`, or the error.
    fn execute(&mut self, code: &str, output: &mut dyn Output) -> Result<Option<MimeBundle>, ErrorInfo>;
    /// Evaluates one of `execute_request`'s `user_expressions` (after the cell ran).
    fn evaluate(&mut self, expression: &str) -> Result<MimeBundle, ErrorInfo>;
    fn complete(&mut self, code: &str, cursor: usize) -> Completion;
    /// What `inspect_request` shows for the name at the cursor.
    fn inspect(&mut self, code: &str, cursor: usize) -> Option<MimeBundle>;
    fn is_complete(&mut self, code: &str) -> Completeness;
    /// Set to stop the running execution (the interpreter keeps its state).
    fn interrupt_flag(&self) -> Arc<AtomicBool>;
    fn language_info(&self) -> LanguageInfo;
    fn banner(&self) -> String;
}

//! Tessera in Jupyter: the language's `Session` behind the kernel's
//! `Interpreter` interface, with rich display (text/plain always; matrices
//! add text/html, and text/latex when small), `%%rust` cells, and the
//! kernelspec install.

use crate::rust_cells::{complete_magic, rust_code, RustCells};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tessera_kernel::interpreter::{
    plain, Completeness, Completion, ErrorInfo, LanguageInfo, Match, MimeBundle, Output, Stream,
};
use tessera_kernel::Interpreter;
use tessera_lang::{display, Figures, NullSink, PlotMode, Session, Sink, Value as TValue};

/// The MIME bundle of a value: `text/plain`, and `text/html` for matrices,
/// small operators and the tuples, lists and records that hold them
/// (`text/latex` too for small matrices); figures as `plot` says: SVG and
/// PNG (inline), braille text (text), or their one-line summary (off).
pub fn bundle(v: &TValue, figures: Figures) -> MimeBundle {
    match v {
        TValue::Matrix(m) => to_map(m.mime_bundle()),
        TValue::Logical(m) => to_map(m.mime_bundle_as("logical")),
        TValue::Figure(f) => match figures.plot {
            PlotMode::Off => plain(&f.summary()),
            PlotMode::Text => plain(&f.text(100, 30, true).unwrap_or_else(|_| f.summary())),
            PlotMode::Inline => to_map(f.mime_bundle_in(figures.format)),
        },
        other => {
            let mut bundle = plain(&display::plain(other));
            if let Some(html) = display::html(other) {
                bundle.insert("text/html".into(), Value::String(html));
            }
            bundle
        }
    }
}

/// A MIME bundle as Jupyter's.
pub fn to_map<M: Into<String>>(bundle: Vec<(M, String)>) -> MimeBundle {
    bundle.into_iter().map(|(mime, data)| (mime.into(), Value::String(data))).collect()
}

/// A language error as Jupyter reports it: kind, message, rendered lines.
fn error_info(e: &tessera_lang::LangError, code: &str) -> ErrorInfo {
    ErrorInfo {
        ename: e.kind.name().into(),
        evalue: e.message.clone(),
        traceback: e.render(code).lines().map(String::from).collect(),
    }
}

/// The language's output sink, forwarding to the kernel's.
struct Forward<'a> {
    output: &'a mut dyn Output,
}

impl Sink for Forward<'_> {
    fn stdout(&mut self, text: &str) {
        self.output.stream(Stream::Stdout, text);
    }
    fn stderr(&mut self, text: &str) {
        self.output.stream(Stream::Stderr, text);
    }
    fn display(&mut self, value: &TValue, figures: Figures) {
        self.output.display(bundle(value, figures));
    }
    fn page(&mut self, text: &str) {
        self.output.page(plain(text));
    }
    fn clear_output(&mut self) {
        self.output.clear_output(false);
    }
}

/// A Tessera session as a Jupyter interpreter; `%%rust` cells go to evcxr.
pub struct Tessera {
    session: Session,
    rust: RustCells,
}

impl Tessera {
    pub fn new() -> Tessera {
        Tessera { session: Session::new(), rust: RustCells::new() }
    }
}

impl Interpreter for Tessera {
    fn execute(&mut self, code: &str, output: &mut dyn Output) -> Result<Option<MimeBundle>, ErrorInfo> {
        let mut forward = Forward { output };
        if let Some((offset, rust)) = rust_code(code) {
            return match self.rust.run(&mut self.session, rust, offset, &mut forward) {
                Ok(shown) => Ok(shown.map(to_map)),
                Err(e) => Err(error_info(&e, code)),
            };
        }
        let result = self.session.execute(code, &mut forward);
        let figures = self.session.figures();
        match result {
            // A figure goes out as display_data, not as the cell's result.
            Ok(Some(v @ TValue::Figure(_))) => {
                forward.display(&v, figures);
                Ok(None)
            }
            Ok(value) => Ok(value.as_ref().map(|v| bundle(v, figures))),
            Err(e) => Err(error_info(&e, code)),
        }
    }

    fn evaluate(&mut self, expression: &str) -> Result<MimeBundle, ErrorInfo> {
        // A user expression shows its value and nothing else: its prints are discarded.
        match self.session.execute(expression, &mut NullSink) {
            Ok(value) => Ok(value.as_ref().map_or_else(|| plain("none"), |v| bundle(v, self.session.figures()))),
            Err(e) => Err(error_info(&e, expression)),
        }
    }

    /// Tessera names, or in a `%%rust` cell Rust completions from evcxr's
    /// rust-analyzer (none before a Rust cell has started evcxr).
    fn complete(&mut self, code: &str, cursor: usize) -> Completion {
        if let Some((start, end, magic)) = complete_magic(code, cursor) {
            let matches = vec![Match { text: magic.into(), kind: Some("magic".into()), signature: None }];
            return Completion { matches, start, end };
        }
        if let Some((offset, rust)) = rust_code(code) {
            let found = cursor.checked_sub(offset).and_then(|at| self.rust.complete(&self.session, rust, at));
            return match found {
                Some((start, end, matches)) => Completion {
                    matches: matches.into_iter().map(Match::text).collect(),
                    start: offset + start,
                    end: offset + end,
                },
                None => Completion { matches: Vec::new(), start: cursor, end: cursor },
            };
        }
        let c = self.session.complete(code, cursor);
        let matches = c
            .candidates
            .into_iter()
            .map(|c| Match {
                text: c.text,
                kind: Some(c.kind.name().into()),
                signature: (!c.signature.is_empty()).then_some(c.signature),
            })
            .collect();
        Completion { matches, start: c.start, end: c.end }
    }

    /// The builtin's documentation under the cursor; nothing in a Rust cell.
    fn inspect(&mut self, code: &str, cursor: usize) -> Option<MimeBundle> {
        if rust_code(code).is_some() {
            return None;
        }
        self.session.inspect(code, cursor).map(|text| plain(&text))
    }

    /// Whether the cell is whole; an open one is continued at four spaces
    /// per bracket still open (so a line after a closing `}` is dedented).
    fn is_complete(&mut self, code: &str) -> Completeness {
        match crate::cell::is_complete(code) {
            tessera_lang::Completeness::Complete => Completeness::Complete,
            tessera_lang::Completeness::Incomplete => {
                let depth = if rust_code(code).is_some() { 1 } else { tessera_lang::lexer::open_brackets(code).max(1) };
                Completeness::Incomplete { indent: "    ".repeat(depth) }
            }
            tessera_lang::Completeness::Invalid(_) => Completeness::Invalid,
        }
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.session.interrupt_handle()
    }

    fn language_info(&self) -> LanguageInfo {
        LanguageInfo {
            name: "tessera".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            mimetype: "text/x-tessera".into(),
            file_extension: ".tsr".into(),
            // jupyter/tessera-pygments (pip install ./jupyter/tessera-pygments).
            pygments_lexer: Some("tessera".into()),
            // jupyter/tessera-jupyterlab, the CodeMirror 6 language for text/x-tessera.
            codemirror_mode: Some("tessera".into()),
        }
    }

    fn banner(&self) -> String {
        format!("Tessera {} — structured matrices, interactively. ?name for help.", env!("CARGO_PKG_VERSION"))
    }
}

/// Where `tessera kernel install` puts the kernelspec.
pub enum InstallTarget {
    /// `--user`: the user's Jupyter data directory.
    User,
    /// `--sys-prefix`: the active Python environment (`$VIRTUAL_ENV` or `$CONDA_PREFIX`).
    SysPrefix,
    /// `--prefix DIR`.
    Prefix(PathBuf),
    /// No flag: the system-wide directory, as `jupyter kernelspec install` does.
    System,
}

/// The kernels directory for a target.
fn kernels_dir(target: &InstallTarget) -> Result<PathBuf, String> {
    let share = |prefix: &Path| prefix.join("share").join("jupyter").join("kernels");
    Ok(match target {
        InstallTarget::User => {
            let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
            let data = std::env::var_os("JUPYTER_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| {
                if cfg!(target_os = "macos") {
                    PathBuf::from(&home).join("Library").join("Jupyter")
                } else {
                    std::env::var_os("XDG_DATA_HOME")
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from(&home).join(".local").join("share"))
                        .join("jupyter")
                }
            });
            data.join("kernels")
        }
        InstallTarget::SysPrefix => {
            let prefix = std::env::var_os("VIRTUAL_ENV")
                .or_else(|| std::env::var_os("CONDA_PREFIX"))
                .ok_or("--sys-prefix needs an active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)")?;
            share(Path::new(&prefix))
        }
        InstallTarget::Prefix(dir) => share(dir),
        InstallTarget::System => share(Path::new("/usr/local")),
    })
}

/// The kernelspec's `kernel.json`, pointing at this binary.
pub fn kernel_json(executable: &Path) -> Value {
    json!({
        "argv": [executable.to_string_lossy(), "kernel", "--connection-file", "{connection_file}"],
        "display_name": "Tessera",
        "language": "tessera",
        "interrupt_mode": "message",
        "metadata": {"debugger": false},
    })
}

/// Writes the kernelspec `tessera` (kernel.json and the logos); returns its directory.
pub fn install(target: &InstallTarget) -> Result<PathBuf, String> {
    let executable = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let dir = kernels_dir(target)?.join("tessera");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(&kernel_json(&executable)).expect("JSON serialises");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))
    };
    write("kernel.json", text.as_bytes())?;
    write("logo-32x32.png", include_bytes!("../assets/logo-32x32.png"))?;
    write("logo-64x64.png", include_bytes!("../assets/logo-64x64.png"))?;
    Ok(dir)
}

//! The evcxr engine behind Rust cells, started by the first one.

use super::{rust_error, Shown};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;
use tessera::session::{Exchange, Item, DIR_ENV};
use tessera_lang::{LangError, Session, Sink, Span, Value};

/// Session names a cell does not bind: the names the prelude brings in, the
/// bridge's, and Rust's keywords.
const RESERVED: &[&str] = &[
    "Matrix",
    "Operator",
    "Monarch",
    "Rng",
    "Error",
    "Result",
    "Shape",
    "c64",
    "Eigh",
    "LogAbsDet",
    "Qr",
    "Svd",
    "tessera",
    "session",
    "as",
    "async",
    "await",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "abstract",
    "become",
];

/// Build directories kept between sessions (`$TMPDIR/tessera-rust-cells-$USER/slot-N`),
/// one per concurrent session: a session takes the first that no other
/// holds, so its stdlib and dependencies are already compiled.
const SLOTS: usize = 8;

/// The stdlib's sources, which the Rust side compiles against:
/// `$TESSERA_STDLIB`, or the checkout this binary was built from.
fn stdlib_dir() -> Result<PathBuf, LangError> {
    let dir = std::env::var_os("TESSERA_STDLIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("stdlib"));
    match dir.join("Cargo.toml").is_file() {
        true => dir.canonicalize().map_err(|e| rust_error(format!("cannot read {}: {e}", dir.display()))),
        false => Err(rust_error(format!("the stdlib's sources are not at {}", dir.display()))
            .with_hint("set TESSERA_STDLIB to the `stdlib` directory of a Tessera checkout")),
    }
}

/// The `[profile.dev.package.…]` sections of the workspace manifest, as they
/// stand: which dependencies Tessera's own build optimises, and how much.
fn profile_overrides(manifest: &str) -> String {
    let mut out = String::from("# Written by tessera from its workspace's Cargo.toml: Rust cells compile\n# their dependencies at the optimisation levels Tessera's own build uses.\n");
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = line.starts_with("[profile.dev.package.");
        }
        if keep && !line.trim_start().starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Rust cells compile with the user's toolchain.
fn check_toolchain() -> Result<(), LangError> {
    for tool in ["cargo", "rustc"] {
        let found = std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            return Err(rust_error(format!("Rust cells need `{tool}` on PATH, and it is not there"))
                .with_hint("install Rust with rustup (https://rustup.rs) and start tessera again"));
        }
    }
    Ok(())
}

/// A directory removed with its contents when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    const PREFIX: &str = "tessera-rust-";

    /// `$TMPDIR/tessera-rust-<pid>-<n>`; first removes those of processes
    /// that ended without removing theirs (a killed kernel).
    fn new() -> Result<ScratchDir, LangError> {
        use std::sync::atomic::AtomicUsize;
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        ScratchDir::sweep();
        let name = format!("{}{}-{}", Self::PREFIX, std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).map_err(|e| rust_error(format!("cannot create {}: {e}", dir.display())))?;
        Ok(ScratchDir(dir))
    }

    /// Removes the scratch directories of processes no longer running
    /// (where `/proc` says which run).
    fn sweep() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix(Self::PREFIX)).and_then(|rest| rest.split_once('-'));
            let Some(pid) = pid.and_then(|(pid, _)| pid.parse::<u32>().ok()) else { continue };
            if !Path::new("/proc").join(pid.to_string()).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running evcxr context and the directory it shares with the session.
struct Engine {
    context: evcxr::CommandContext,
    outputs: evcxr::EvalContextOutputs,
    exchange: Exchange,
    // Dropped last: the evcxr child goes before its directories.
    _slot: Slot,
    _dir: ScratchDir,
}

/// A build directory held (by a file lock) for this session.
struct Slot {
    dir: PathBuf,
    _lock: std::fs::File,
}

impl Slot {
    /// Writes `config` as the cargo configuration of every slot (in the
    /// directory above them, which cargo reads after evcxr's own).
    fn configure(&self, config: &str) {
        let Some(root) = self.dir.parent() else { return };
        let path = root.join(".cargo").join("config.toml");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(config) {
            let _ = std::fs::create_dir_all(root.join(".cargo"));
            let _ = std::fs::write(&path, config);
        }
    }

    fn take() -> Result<Slot, LangError> {
        // In the temporary directory: evcxr loads each cell as a shared
        // library from here, which some sandboxes forbid under $HOME.
        let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
        let root = std::env::temp_dir().join(format!("tessera-rust-cells-{user}"));
        for n in 0..SLOTS {
            let dir = root.join(format!("slot-{n}"));
            std::fs::create_dir_all(&dir).map_err(|e| rust_error(format!("cannot create {}: {e}", dir.display())))?;
            let lock = std::fs::File::create(dir.join("lock"))
                .map_err(|e| rust_error(format!("cannot lock {}: {e}", dir.display())))?;
            if lock.try_lock().is_ok() {
                return Ok(Slot { dir, _lock: lock });
            }
        }
        Err(rust_error(format!("{SLOTS} sessions already run Rust cells on this machine"))
            .with_hint("close one of them, or run Rust cells there"))
    }
}

/// Rust cells of one session; evcxr starts with the first.
#[derive(Default)]
pub struct RustCells {
    engine: Option<Engine>,
}

impl RustCells {
    /// No Rust cell run yet: evcxr is not started.
    pub fn new() -> RustCells {
        RustCells::default()
    }

    /// Runs the Rust `code`, found at byte `offset` of the cell (for spans).
    /// Returns what the cell's final value shows as, if it has one.
    pub fn run(
        &mut self,
        session: &mut Session,
        code: &str,
        offset: usize,
        sink: &mut dyn Sink,
    ) -> Result<Option<Shown>, LangError> {
        let engine = match &mut self.engine {
            Some(engine) => engine,
            None => self.engine.insert(Engine::start(session, sink)?),
        };
        engine.run(session, code, offset, sink)
    }

    /// Completions at byte `cursor` of the Rust `code`: (start, end,
    /// matches). None until a Rust cell has started evcxr (a Tab press
    /// should not wait for it to start).
    pub fn complete(&mut self, session: &Session, code: &str, cursor: usize) -> Option<(usize, usize, Vec<String>)> {
        self.engine.as_mut()?.complete(session, code, cursor)
    }
}

impl Engine {
    /// Starts evcxr in a child process (this binary, which `evcxr::runtime_hook`
    /// turns into evcxr's runtime) and loads the stdlib.
    fn start(session: &Session, sink: &mut dyn Sink) -> Result<Engine, LangError> {
        check_toolchain()?;
        let stdlib = stdlib_dir()?;
        let dir = ScratchDir::new()?;
        let exchange = Exchange::at(&dir.0)?;
        let exe = std::env::current_exe().map_err(|e| rust_error(format!("cannot find this executable: {e}")))?;
        let mut child = std::process::Command::new(exe);
        child.env(DIR_ENV, &dir.0);
        // evcxr's crate lives in a slot kept between sessions and starts from
        // the workspace's Cargo.lock: the stdlib's dependencies are the
        // versions Tessera is tested with (a fresh resolution can pick ones
        // that do not build), compiled once per slot.
        let slot = Slot::take()?;
        if let Ok(lock) = std::fs::read(stdlib.join("..").join("Cargo.lock")) {
            let _ = std::fs::write(slot.dir.join("Cargo.lock"), lock);
        }
        // ...and with the workspace's optimisation levels per crate, from
        // the cargo configuration beside the slots (evcxr's own profile
        // optimises every dependency at opt-level 2).
        if let Ok(manifest) = std::fs::read_to_string(stdlib.join("..").join("Cargo.toml")) {
            slot.configure(&profile_overrides(&manifest));
        }
        // evcxr takes its directory only from this variable (or a global
        // config file). Rust's own environment access is locked; no other
        // thread of tessera reads the environment through libc.
        std::env::set_var("EVCXR_TMPDIR", &slot.dir);
        let started = evcxr::EvalContext::with_subprocess_command(child);
        std::env::remove_var("EVCXR_TMPDIR");
        let (context, outputs) = started.map_err(|e| rust_error(format!("cannot start evcxr: {e}")))?;
        let mut engine = Engine {
            context: evcxr::CommandContext::with_eval_context(context),
            outputs,
            exchange,
            _slot: slot,
            _dir: dir,
        };
        sink.stderr("starting Rust cells (the first time, this compiles the stdlib: minutes)\n");
        let setup = format!(
            ":dep tessera = {{ package = \"tessera-stdlib\", path = {:?}, default-features = false, features = [\"evcxr\"] }}\n\
             use tessera::prelude::*;\n\
             use tessera::session;\n\
             use tessera::evcxr::ShowDebug as _;",
            stdlib.to_string_lossy()
        );
        // evcxr turns on `?` at top level when a cell first needs it, by
        // compiling that cell twice, and loads rust-analyzer's view of the
        // stdlib (~15 s) at the first `let`: both done here, so that no user
        // cell pays.
        let warm_up = "Ok::<(), tessera::Error>(())?;\nlet tessera_ready = true;";
        let interrupt = session.interrupt_handle();
        for code in [setup.as_str(), warm_up] {
            engine.execute(code, &interrupt, sink).map_err(|e| {
                let e = error(e, "", 0, 0);
                rust_error(format!("cannot load the stdlib into Rust cells: {}", e.message))
            })?;
        }
        Ok(engine)
    }

    fn run(
        &mut self,
        session: &mut Session,
        code: &str,
        offset: usize,
        sink: &mut dyn Sink,
    ) -> Result<Option<Shown>, LangError> {
        let interrupt = session.interrupt_handle();
        interrupt.store(false, Ordering::Relaxed);
        let _ = std::fs::remove_file(self.exchange.panic_file());
        let prefix = self.bind_inputs(session, code)?;
        let (head, body, commands) = split_commands(code);
        let result = self.execute(&format!("{head}{prefix}\n{body}"), &interrupt, sink);
        // What the cell handed over before it stopped is kept, as Tessera
        // keeps the assignments that ran before an error.
        self.bind_outputs(session)?;
        if interrupt.load(Ordering::Relaxed) {
            return Err(LangError::new(
                tessera_lang::ErrorKind::Interrupted,
                "interrupted: the Rust process was stopped (its variables are lost, the session's are kept)",
                None,
            ));
        }
        if let Ok(message) = std::fs::read_to_string(self.exchange.panic_file()) {
            return Err(rust_error(format!("the Rust cell panicked: {message}")));
        }
        let shown = result.map_err(|e| error(e, code, offset, commands))?;
        let mut shown: Shown = shown.content_by_mime_type.into_iter().collect();
        shown.sort();
        Ok((!shown.is_empty()).then_some(shown))
    }

    /// Writes the session variables that `code` mentions to the exchange and
    /// returns the line that binds them in the cell (see [`prefix`]).
    fn bind_inputs(&self, session: &Session, code: &str) -> Result<String, LangError> {
        let mut bound = Vec::new();
        for (name, value, rust_type) in mentioned(session, code) {
            if let Some(item) = item(&value)? {
                item.write(&self.exchange.input(&name)?)?;
                bound.push((name, rust_type));
            }
        }
        Ok(prefix(&bound))
    }

    /// Completions at byte `cursor` of the Rust `code`, from evcxr's
    /// rust-analyzer, with the session variables the cell mentions declared
    /// as the cell would bind them: (start, end, matches).
    fn complete(&mut self, session: &Session, code: &str, cursor: usize) -> Option<(usize, usize, Vec<String>)> {
        let bound: Vec<_> =
            mentioned(session, code).into_iter().map(|(name, _, rust_type)| (name, rust_type)).collect();
        let (head, body, _) = split_commands(code);
        let prefix = prefix(&bound);
        let full = format!("{head}{prefix}\n{body}");
        // The body moves down by the inserted line; commands stay in place.
        let (body_start, full_body_start) = (code.len() - body.len(), head.len() + prefix.len() + 1);
        let in_body =
            cursor > body_start || (cursor == body_start && (body_start == 0 || code[..body_start].ends_with('\n')));
        let to_full = |at: usize| if in_body { at - body_start + full_body_start } else { at };
        let from_full = |at: usize| match at {
            at if at >= full_body_start => at - full_body_start + body_start,
            at => at.min(body_start),
        };
        let found = self.context.completions(&full, to_full(cursor)).ok()?;
        let matches = found.completions.into_iter().map(|c| c.code).collect();
        Some((from_full(found.start_offset), from_full(found.end_offset), matches))
    }

    /// Binds what the cell handed over with `session::set` in the session.
    fn bind_outputs(&self, session: &mut Session) -> Result<(), LangError> {
        for (name, item) in self.exchange.take_outputs()? {
            use tessera_lang::lexer::{lex, Tok};
            let is_name = matches!(lex(&name).as_deref(), Ok([t, end]) if t.tok == Tok::Ident(name.clone()) && end.tok == Tok::Eof);
            if !is_name {
                return Err(rust_error(format!("session::set: `{name}` is not a Tessera variable name")));
            }
            let value = match item {
                Item::Matrix(m) => Value::matrix(m),
                Item::Operator(op) => Value::operator(op),
                Item::Number(x) => Value::Number(x),
            };
            session.set(&name, value);
        }
        Ok(())
    }

    /// Runs `code` in evcxr on a second thread while this one forwards the
    /// cell's output to `sink` as it comes, and stops the Rust process when
    /// `interrupt` is set.
    fn execute(
        &mut self,
        code: &str,
        interrupt: &std::sync::atomic::AtomicBool,
        sink: &mut dyn Sink,
    ) -> Result<evcxr::EvalOutputs, evcxr::Error> {
        let process = self.context.process_handle();
        let (context, outputs) = (&mut self.context, &self.outputs);
        let forward = |sink: &mut dyn Sink| {
            while let Ok(line) = outputs.stdout.try_recv() {
                sink.stdout(&(line + "\n"));
            }
            while let Ok(line) = outputs.stderr.try_recv() {
                sink.stderr(&(line + "\n"));
            }
        };
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| context.execute(code));
            let mut stopped = false;
            while !worker.is_finished() {
                if let Ok(line) = outputs.stdout.recv_timeout(Duration::from_millis(10)) {
                    sink.stdout(&(line + "\n"));
                }
                forward(sink);
                if interrupt.load(Ordering::Relaxed) && !stopped {
                    let _ = process.lock().map(|mut child| child.kill());
                    stopped = true;
                }
            }
            let result = worker.join().unwrap_or_else(|_| Err(evcxr::Error::Message("evcxr failed".into())));
            // The child's standard error arrives on its own pipe: let it catch up.
            std::thread::sleep(Duration::from_millis(20));
            forward(sink);
            result
        })
    }
}

/// The session variables `code` mentions (as whole words) that a Rust cell
/// binds: their names, values and Rust types. Names that are Rust keywords,
/// prelude names or not ASCII are left out.
fn mentioned(session: &Session, code: &str) -> Vec<(String, Value, &'static str)> {
    let words: HashSet<&str> = code.split(|c: char| !(c.is_alphanumeric() || c == '_')).collect();
    session
        .variable_names()
        .into_iter()
        .filter(|name| {
            words.contains(name.as_str())
                && !RESERVED.contains(&name.as_str())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .filter_map(|name| {
            let value = session.get(&name)?;
            let rust_type = rust_type(&value)?;
            Some((name, value, rust_type))
        })
        .collect()
}

/// The line that starts every cell: the panic hook, then a binding per
/// session variable, `let A: Matrix = tessera::session::get("A")…;`. One
/// line, so the cell's own lines keep their numbers + 1.
fn prefix(bound: &[(String, &str)]) -> String {
    let mut line = String::from("tessera::session::catch_panics();");
    for (name, rust_type) in bound {
        line.push_str(&format!(
            " #[allow(non_snake_case)] let {name}: {rust_type} = tessera::session::get(\"{name}\").unwrap_or_else(|e| panic!(\"{{e}}\"));"
        ));
    }
    line
}

/// Splits off the leading `:command` lines, which evcxr reads only before
/// the code: (those lines, ending in a newline; the rest; how many).
fn split_commands(code: &str) -> (String, &str, usize) {
    let commands = code
        .split_inclusive('\n')
        .take_while(|l| l.trim_start().starts_with(':') && !l.trim_start().starts_with("::"))
        .count();
    let (head, body) = code.split_at(code.split_inclusive('\n').take(commands).map(str::len).sum());
    let head = if head.is_empty() || head.ends_with('\n') { head.to_string() } else { format!("{head}\n") };
    (head, body, commands)
}

/// The Rust type a session value is bound as, if it crosses at all.
fn rust_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::Matrix(_) | Value::Logical(_) | Value::Gpu(_) => Some("Matrix"),
        Value::Operator(_) | Value::GpuOperator(_) => Some("Operator"),
        Value::Number(_) => Some("f64"),
        _ => None,
    }
}

/// A session value as the Rust side sees it, or `None` for values it does not.
fn item(v: &Value) -> Result<Option<Item>, LangError> {
    Ok(match v {
        Value::Matrix(m) | Value::Logical(m) => Some(Item::Matrix((**m).clone())),
        Value::Operator(op) => Some(Item::Operator((**op).clone())),
        Value::Gpu(g) => Some(Item::Matrix(g.download()?)),
        Value::GpuOperator(op) => Some(Item::Operator(op.0.clone())),
        Value::Number(x) => Some(Item::Number(*x)),
        _ => None,
    })
}

/// The byte offset in `code` of 1-based `line` and character `column`.
fn byte_at(code: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = code.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    let text = code[start..].split('\n').next()?;
    let within = text.char_indices().nth(column.checked_sub(1)?).map_or(text.len(), |(i, _)| i);
    Some(start + within)
}

/// One of rustc's help messages on one line: evcxr appends a suggested
/// replacement after a blank line; a one-line suggestion the message does
/// not already quote follows it as `: `code``.
fn help_line(help: &str) -> String {
    match help.split_once("\n\n") {
        Some((message, code)) if !code.contains('\n') && !message.contains(&format!("`{code}`")) => {
            format!("{message}: `{code}`")
        }
        Some((message, _)) => message.to_string(),
        None => help.to_string(),
    }
}

/// An evcxr error as a Tessera error; compilation errors point into `code`,
/// which starts at byte `offset` of the cell; what evcxr ran is its first
/// `commands` lines, the prefix line, then the rest.
fn error(e: evcxr::Error, code: &str, offset: usize, commands: usize) -> LangError {
    match e {
        evcxr::Error::CompilationErrors(errors) => {
            let Some(first) = errors.iter().find(|e| e.is_from_user_code()).or(errors.first()) else {
                return rust_error("the Rust cell did not compile");
            };
            let message = match first.code() {
                Some(code) => format!("{} [{code}]", first.message()),
                None => first.message(),
            };
            let primary = first.primary_spanned_message();
            // Line `commands + 1` is the prefix; lines after it are one further down.
            let line = |l: usize| match l {
                l if l <= commands => Some(l),
                l if l == commands + 1 => None,
                l => Some(l - 1),
            };
            let span = primary.and_then(|m| m.span).and_then(|s| {
                let start = byte_at(code, line(s.start_line)?, s.start_column)?;
                let end = byte_at(code, line(s.end_line)?, s.end_column)?.max(start);
                Some(Span::new(offset + start, offset + end))
            });
            let mut hints: Vec<String> =
                primary.map(|m| m.label.clone()).into_iter().filter(|l| !l.is_empty()).collect();
            hints.extend(first.help().iter().map(|h| help_line(h)));
            if errors.len() > 1 {
                hints.push(format!("{} more errors after this one", errors.len() - 1));
            }
            let e = LangError::new(tessera_lang::ErrorKind::Rust, message, span);
            match hints.is_empty() {
                true => e,
                false => e.with_hint(hints.join("; ")),
            }
        }
        evcxr::Error::SubprocessTerminated(m) => {
            rust_error(format!("the Rust process stopped ({m}); Rust variables are lost, the session's are kept"))
        }
        other => rust_error(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_join_their_help_on_one_line() {
        assert_eq!(help_line("consider borrowing here\n\n&x"), "consider borrowing here: `&x`");
        assert_eq!(
            help_line("consider annotating `S` with `#[derive(Debug)]`\n\n#[derive(Debug)]"),
            "consider annotating `S` with `#[derive(Debug)]`"
        );
        assert_eq!(help_line("try this\n\nfn f() {\n}"), "try this");
        assert_eq!(help_line("remove the `;`"), "remove the `;`");
    }

    #[test]
    fn slots_take_the_workspaces_optimisation_levels() {
        let manifest = "[workspace]\nmembers = []\n\n[profile.dev]\ndebug = 1\n\n# why\n[profile.dev.package.\"*\"]\nopt-level = 1\n# numeric\n[profile.dev.package.faer]\nopt-level = 2\n";
        let config = profile_overrides(manifest);
        let body: Vec<&str> = config.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            ["[profile.dev.package.\"*\"]", "opt-level = 1", "[profile.dev.package.faer]", "opt-level = 2"]
        );
        // The workspace's own manifest names the stdlib and faer.
        let own = profile_overrides(include_str!("../../../Cargo.toml"));
        assert!(own.contains("[profile.dev.package.tessera-stdlib]\nopt-level = 2"), "{own}");
        assert!(own.contains("[profile.dev.package.faer]\nopt-level = 2"), "{own}");
    }

    #[test]
    fn scratch_dirs_of_ended_processes_are_swept_and_live_ones_kept() {
        let mut ended = std::process::Command::new("true").spawn().unwrap();
        let pid = ended.id();
        ended.wait().unwrap();
        let stale = std::env::temp_dir().join(format!("{}{pid}-0", ScratchDir::PREFIX));
        std::fs::create_dir_all(stale.join("in")).unwrap();
        let live = ScratchDir::new().unwrap();
        assert!(!stale.exists(), "{} was left", stale.display());
        ScratchDir::sweep();
        assert!(live.0.is_dir());
        let path = live.0.clone();
        drop(live);
        assert!(!path.exists());
    }
}

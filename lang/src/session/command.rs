//! Running a session command (a cell that starts with `:`, listed in
//! [`crate::commands`]) against the session.

use super::{PlotMode, Session, Sink};
use crate::builtins;
use crate::commands::{overview, COMMANDS};
use crate::context::Placement;
use crate::error::{ErrorKind, LangError, Result};
use crate::span::{SourceId, Span};
use crate::value::Value;
use std::time::Instant;
use tessera::figure::ImageFormat;

/// `(shape, bytes)` of a value for `:vars`.
fn footprint(v: &Value) -> (String, usize) {
    match v {
        Value::Matrix(m) | Value::Logical(m) => (m.shape().to_string(), 8 * m.len()),
        Value::Operator(op) => (op.shape().to_string(), 8 * op.storage()),
        Value::Gpu(g) => (g.shape().to_string(), g.bytes()),
        Value::GpuOperator(op) => {
            let bytes = if op.1.precision() == tessera::device::Precision::F32 { 4 } else { 8 };
            (op.1.shape().to_string(), bytes * op.1.storage())
        }
        Value::Str(s) => (String::new(), s.len()),
        // Unread: in the mapped file, not in memory.
        Value::Tensor(t) => (format!("{} {}", t.shape(), t.dtype()), 0),
        Value::List(xs) | Value::Tuple(xs) => (format!("{} items", xs.len()), xs.iter().map(|x| footprint(x).1).sum()),
        Value::Record(r) => (format!("{} fields", r.fields.len()), r.fields.iter().map(|(_, x)| footprint(x).1).sum()),
        Value::Number(_) | Value::Range(..) => (String::new(), 8),
        Value::Complex(_) => (String::new(), 16),
        _ => (String::new(), 0),
    }
}

/// Runs the cell `code`, which is `:name rest`. Errors point at the part of
/// the line they are about (the command's name, or its argument).
pub fn run(session: &mut Session, code: &str, sink: &mut dyn Sink) -> Result<Option<Value>> {
    let line = code.trim();
    let line = line.strip_prefix(':').unwrap_or(line);
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    // `part` is a piece of `code`: its span there (at least one character wide).
    let at = |part: &str| {
        let start = (part.as_ptr() as usize).saturating_sub(code.as_ptr() as usize).min(code.len());
        Span::new(start, start + part.len().max(1))
    };
    let argument = |message: String| LangError::new(ErrorKind::Argument, message, Some(at(rest)));
    match name {
        "help" if rest.is_empty() => sink.page(&overview()),
        "help" => sink.page(&crate::builtins::help::help_text(rest, session.globals()).map_err(|e| e.at(at(rest)))?),
        "vars" => {
            let mut table = format!("{:<16} {:<12} {:<12} {:>12} {}\n", "name", "kind", "shape", "bytes", "device");
            for n in session.variable_names() {
                let v = session.get(&n).expect("listed");
                let (shape, bytes) = footprint(&v);
                let device = if matches!(v, Value::Gpu(_) | Value::GpuOperator(_)) { "gpu" } else { "cpu" };
                table.push_str(&format!("{n:<16} {:<12} {shape:<12} {bytes:>12} {device}\n", v.kind()));
            }
            sink.stdout(&table);
        }
        "time" => {
            // The code is parsed in place, the command blanked out, so that
            // its spans point into the line as typed.
            let offset = at(rest).start;
            let blanked = format!("{}{}", " ".repeat(offset), &code[offset..]);
            let stmts = crate::parser::parse_in(&blanked, SourceId::register(code))?;
            let start = Instant::now();
            let value = session.run(&stmts, sink);
            sink.stdout(&format!("time: {}\n", seconds(start.elapsed().as_secs_f64())));
            return value;
        }
        "save" | "load" if rest.is_empty() => {
            return Err(LangError::new(ErrorKind::Argument, format!(":{name} needs a file name"), Some(at(name))))
        }
        "save" => {
            let bytes = crate::workspace::save(session.globals())?;
            std::fs::write(rest, bytes)
                .map_err(|e| LangError::new(ErrorKind::File, format!("cannot write {rest}: {e}"), Some(at(rest))))?;
            sink.stdout(&format!("saved {} variables to {rest}\n", session.variable_names().len()));
        }
        "load" => {
            let bytes = std::fs::read(rest)
                .map_err(|e| LangError::new(ErrorKind::File, format!("cannot read {rest}: {e}"), Some(at(rest))))?;
            let count = crate::workspace::load(&bytes, session.globals()).map_err(|e| e.at(at(rest)))?;
            sink.stdout(&format!("loaded {count} variables from {rest}\n"));
        }
        "device" => {
            match rest {
                "" => {}
                "cpu" => session.set_device(Placement::Cpu)?,
                "gpu" => session.set_device(Placement::Gpu).map_err(|e| e.at(at(rest)))?,
                other => return Err(argument(format!(":device is cpu or gpu, got `{other}`"))),
            }
            let gpu = match tessera::device::Gpu::get() {
                Ok(g) => format!("{}{}", g.name(), if g.supports_f64() { ", f64 and f32" } else { ", f32 only" }),
                Err(_) => "none found".into(),
            };
            let placed = builtins::and_list(builtins::placed().map(|b| b.name));
            sink.stdout(&format!("new matrices from {placed} go to the {} (gpu: {gpu})\n", session.device().name()));
        }
        "format" => {
            let now = session.print_options();
            let precision = match rest {
                "" => now.precision,
                "short" => tessera::display::PrintOptions::default().precision,
                "long" => None,
                other => return Err(argument(format!(":format is short or long, got `{other}`"))),
            };
            let options = tessera::display::PrintOptions { precision, ..now };
            session.set_print_options(options);
            let digits = options.precision.map_or("every digit".to_string(), |p| format!("{p} significant digits"));
            sink.stdout(&format!("matrix entries show {digits}, on lines of {} characters\n", options.width));
        }
        "plot" => {
            let mode = match rest {
                "" => session.plot_mode(),
                "inline" => PlotMode::Inline,
                "text" => PlotMode::Text,
                "off" => PlotMode::Off,
                other => return Err(argument(format!(":plot is inline, text or off, got `{other}`"))),
            };
            session.set_plot_mode(mode);
            sink.stdout(&format!("figures are shown {}\n", describe(mode)));
        }
        "figure" => {
            let format = match rest {
                "" => session.figures().format,
                name => *ImageFormat::ALL
                    .iter()
                    .find(|f| f.name() == name)
                    .ok_or_else(|| argument(format!(":figure is auto, svg, png or both, got `{name}`")))?,
            };
            session.set_figure_format(format);
            sink.stdout(&format!("figures are {} in Jupyter\n", images(format)));
        }
        "clear" => session.clear(),
        "rust" => {
            return Err(LangError::new(
                ErrorKind::Rust,
                ":rust cells are run by the tessera binary (REPL, -e, Jupyter), not by a bare session",
                Some(at(name)),
            ))
        }
        "quit" => {
            return Err(LangError::new(
                ErrorKind::Argument,
                ":quit leaves the REPL; a notebook closes its kernel",
                Some(at(name)),
            ))
        }
        other => {
            let err = LangError::new(
                ErrorKind::Name,
                format!("unknown command `:{other}` (:help lists them)"),
                Some(at(name)),
            );
            return Err(match crate::suggest::nearest(other, COMMANDS.iter().map(|c| c.name)) {
                Some(best) => err.with_hint(format!("did you mean `:{best}`?")),
                None => err,
            });
        }
    }
    Ok(None)
}

/// What an image format gives, for `:figure`'s answer.
fn images(format: ImageFormat) -> String {
    match format {
        ImageFormat::Auto => {
            format!("SVG up to {} points or cells, PNG beyond (auto)", tessera::figure::SVG_MAX_ELEMENTS)
        }
        ImageFormat::Svg => "SVG".into(),
        ImageFormat::Png => "PNG".into(),
        ImageFormat::Both => "both SVG and PNG".into(),
    }
}

/// What a plot mode does, for `:plot`'s answer.
fn describe(mode: PlotMode) -> &'static str {
    match mode {
        PlotMode::Inline => "inline (images where the terminal or notebook can show them, text elsewhere)",
        PlotMode::Text => "as text (braille and block characters)",
        PlotMode::Off => "as a one-line summary (plots off)",
    }
}

/// A duration in the unit that reads best.
fn seconds(s: f64) -> String {
    match s {
        s if s >= 1.0 => format!("{s:.3} s"),
        s if s >= 1e-3 => format!("{:.3} ms", s * 1e3),
        s => format!("{:.1} µs", s * 1e6),
    }
}

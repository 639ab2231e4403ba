//! Output, timing and help: `print`, `eprint`, `display`, `clear_output`,
//! `printopts`, `tic`, `toc`, `help`.

use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::display::print_form;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::time::Instant;

fn joined(args: &Args) -> String {
    let parts: Vec<String> = args.positional().map(|(v, _)| print_form(v)).collect();
    parts.join(" ") + "\n"
}

fn print(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    ctx.sink().stdout(&joined(&args));
    Ok(Value::None)
}

fn eprint(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    ctx.sink().stderr(&joined(&args));
    Ok(Value::None)
}

fn display(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let figures = ctx.state().figures;
    for (v, _) in args.positional() {
        ctx.sink().display(v, figures);
    }
    Ok(Value::None)
}

fn clear_output(ctx: &mut dyn Ctx, _: Args, _: Span) -> Result<Value> {
    ctx.sink().clear_output();
    Ok(Value::None)
}

/// The options as a record: `(precision = 6, width = 80)`, `inf` for every digit.
fn print_options_record(o: tessera::display::PrintOptions) -> Value {
    let precision = o.precision.map_or(f64::INFINITY, |p| p as f64);
    crate::value::record(vec![("precision", Value::Number(precision)), ("width", Value::Number(o.width as f64))])
}

fn printopts(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let current = ctx.state().print;
    let precision = match args.keyword("precision") {
        None => current.precision,
        Some((Value::Number(x), _)) if x.is_infinite() && *x > 0.0 => None,
        Some((v, s)) => Some(super::as_size(v, s)?),
    };
    let width = match args.keyword("width") {
        None => current.width,
        Some((v, s)) => super::as_size(v, s)?,
    };
    let options = tessera::display::PrintOptions::new(precision, width)?;
    ctx.state().print = options;
    tessera::display::set_print_options(options);
    Ok(print_options_record(options))
}

fn tic(ctx: &mut dyn Ctx, _: Args, _: Span) -> Result<Value> {
    ctx.state().tic = Some(Instant::now());
    Ok(Value::None)
}

fn toc(ctx: &mut dyn Ctx, _: Args, span: Span) -> Result<Value> {
    match ctx.state().tic {
        Some(t) => Ok(Value::Number(t.elapsed().as_secs_f64())),
        None => Err(LangError::argument("toc() needs a tic() first", span)),
    }
}

fn help(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let name = match args.get(0).0 {
        Value::Str(s) => s.to_string(),
        Value::Builtin(b) => b.name.to_string(),
        Value::Function(f) => f.fun.def.name.as_deref().unwrap_or("").to_string(),
        other => {
            return Err(LangError::type_error(format!("help takes a name or a function, got {}", other.a_kind()), span))
        }
    };
    let text = crate::builtins::help::builtin_help(&name)
        .ok_or_else(|| LangError::new(crate::error::ErrorKind::Name, format!("no help for `{name}`"), Some(span)))?;
    ctx.sink().page(&text);
    Ok(Value::None)
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "print",
        signature: "print(x, ...)",
        summary: "writes the values separated by a space, then a newline",
        help: "Strings are written without quotes; other values as they display.",
        example: "print(\"x =\", 1.5)",
        shows: "x = 1.5",
        arity: (0, None),
        keywords: &[],
        run: print,
        device: Device::Any,
    },
    Builtin {
        name: "eprint",
        signature: "eprint(x, ...)",
        summary: "like print, to standard error",
        help: "Strings without quotes, separated by a space, then a newline.",
        example: "eprint(\"warning:\", 3)",
        shows: "warning: 3",
        arity: (0, None),
        keywords: &[],
        run: eprint,
        device: Device::Any,
    },
    Builtin {
        name: "display",
        signature: "display(x)",
        summary: "shows a value as a cell result would (rich output in Jupyter)",
        help: "The value's text/plain form (and richer forms in notebooks).",
        example: "display(eye(2))",
        shows: "2×2 matrix:\n 1  0\n 0  1",
        arity: (1, None),
        keywords: &[],
        run: display,
        device: Device::Any,
    },
    Builtin {
        name: "clear_output",
        signature: "clear_output()",
        summary: "clears the cell's output (in Jupyter; nothing in a terminal)",
        help: "Jupyter's clear_output message.",
        example: "clear_output()",
        shows: "",
        arity: (0, Some(0)),
        keywords: &[],
        run: clear_output,
        device: Device::Cpu,
    },
    Builtin {
        name: "printopts",
        signature: "printopts(precision=6, width=80)",
        summary: "how matrices show their entries: significant digits and line width (numpy's set_printoptions)",
        help: "Matrices show `precision` significant digits (1 to 17; inf: every digit, the shortest form that reads \
               back, as `:format long`), in numpy's styles: exponent notation for the whole matrix when a magnitude \
               reaches 10⁸, one is below 10⁻⁴ or they span more than 10³; integers as integers. Columns that do not \
               fit `width` characters are elided from the middle. Scalars always show every digit. Gives the \
               options now in effect; with no arguments, changes nothing. The session keeps them (`:format short` \
               gives back six digits, `:format long` every digit).",
        example: "printopts(precision = 3); [1/3, 2/3]",
        shows: "1×2 matrix:\n 0.333  0.667",
        arity: (0, Some(0)),
        keywords: &["precision", "width"],
        run: printopts,
        device: Device::Any,
    },
    Builtin {
        name: "tic",
        signature: "tic()",
        summary: "starts a stopwatch (see toc)",
        help: "As in MATLAB.",
        example: "tic(); toc() >= 0",
        shows: "true",
        arity: (0, Some(0)),
        keywords: &[],
        run: tic,
        device: Device::Cpu,
    },
    Builtin {
        name: "toc",
        signature: "toc()",
        summary: "seconds since the last tic()",
        help: "As in MATLAB.",
        example: "tic(); toc() < 60",
        shows: "true",
        arity: (0, Some(0)),
        keywords: &[],
        run: toc,
        device: Device::Cpu,
    },
    Builtin {
        name: "help",
        signature: "help(name)",
        summary: "the signature, formula, example and source of a builtin (also ?name)",
        help: "help(kron) or help(\"kron\").",
        example: "help(kron)",
        shows: "kron(A, B, ...)\n\nthe Kronecker product A ⊗ B ⊗ … as a structured operator (never formed)\n\n(A ⊗ B)[(i,k),(j,l)] = Aᵢⱼ Bₖₗ; applied by the vec-trick (A ⊗ B) vec(X) = vec(A X Bᵀ) with row-major vec. Van Loan, \"The ubiquitous Kronecker product\", J. Comput. Appl. Math. 123 (2000).\n\nExample:\n    K = kron(eye(2), [1, 2; 3, 4]); K * [1; 1; 1; 1]\n    → 4×1 matrix:\n       3\n       7\n       3\n       7",
        arity: (1, Some(1)),
        keywords: &[],
        run: help,
        device: Device::Any,
    },
];

/// `panic_for_test(message)`: a deliberate bug, so that the tests can check
/// the panic boundary through the real binary. Only in builds with the
/// `panic-builtin` feature (the test builds of the binary); never in a release.
#[cfg(feature = "panic-builtin")]
pub const TEST_BUILTINS: &[Builtin] = &[Builtin {
    name: "panic_for_test",
    signature: "panic_for_test(message)",
    summary: "panics with the message (test builds only: checks the panic boundary)",
    help: "A bug on purpose. The session reports an InternalError and keeps its variables.",
    example: "",
    shows: "",
    arity: (1, Some(1)),
    keywords: &[],
    run: |_, args, _| panic!("{}", print_form(args.get(0).0)),
    device: Device::Cpu,
}];

#[cfg(not(feature = "panic-builtin"))]
pub const TEST_BUILTINS: &[Builtin] = &[];

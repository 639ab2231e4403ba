//! Strings: `string`, `format`, `join`, `split`, `replace`. (`"a" + "b"`
//! joins two strings; a string in quotes is never interpolated.)

use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::display::print_form;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;

/// Positional argument `i` as a string.
fn text(args: &Args, i: usize) -> Result<Rc<str>> {
    match args.get(i) {
        (Value::Str(s), _) => Ok(s.clone()),
        (other, span) => Err(LangError::type_error(format!("expected a string, got {}", other.a_kind()), span)
            .with_hint("string(x) is the display form of x")),
    }
}

fn string(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::str(&print_form(args.get(0).0)))
}

/// One `{…}` placeholder: `{}`, `{:.N}`, `{:>W}`, `{:<W}`, `{:e}`, and their
/// combinations (`{:>8.3}`, `{:.2e}`), as Python's format mini-language has them.
#[derive(Default)]
struct Spec {
    align: Option<char>,
    width: usize,
    precision: Option<usize>,
    exponent: bool,
}

/// The widest width and the longest precision a placeholder may ask for.
const MOST_DIGITS: usize = 1000;

impl Spec {
    fn parse(spec: &str) -> Option<Spec> {
        let mut out = Spec::default();
        let mut rest = spec;
        if let Some(c) = rest.chars().next().filter(|c| matches!(c, '<' | '>' | '^')) {
            out.align = Some(c);
            rest = &rest[1..];
        }
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        out.width = if digits > 0 { rest[..digits].parse().ok().filter(|&w| w <= MOST_DIGITS)? } else { 0 };
        rest = &rest[digits..];
        if let Some(p) = rest.strip_prefix('.') {
            let digits = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            out.precision = Some(p[..digits].parse().ok().filter(|&p| p <= MOST_DIGITS)?);
            rest = &p[digits..];
        }
        match rest {
            "" => {}
            "e" => out.exponent = true,
            "f" if out.precision.is_some() => {}
            _ => return None,
        }
        Some(out)
    }

    fn write(&self, v: &Value) -> String {
        let body = match v {
            Value::Number(x) if self.exponent => exponent(*x, self.precision.unwrap_or(6)),
            Value::Number(x) if self.precision.is_some() => format!("{:.*}", self.precision.unwrap_or(0), x),
            other => print_form(other),
        };
        let pad = self.width.saturating_sub(body.chars().count());
        // Numbers align right and everything else left by default, as in Python.
        let align = self.align.unwrap_or(if matches!(v, Value::Number(_)) { '>' } else { '<' });
        match align {
            '>' => format!("{}{body}", " ".repeat(pad)),
            '^' => format!("{}{body}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2)),
            _ => format!("{body}{}", " ".repeat(pad)),
        }
    }
}

/// `x` in exponent notation with `digits` after the point and a signed,
/// two-digit exponent, as C's and Python's `%e`: `1.500000e+03`.
fn exponent(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return print_form(&Value::Number(x));
    }
    let rust = format!("{x:.digits$e}");
    let (mantissa, power) = rust.split_once('e').expect("an exponent");
    let power: i32 = power.parse().expect("an integer exponent");
    format!("{mantissa}e{}{:02}", if power < 0 { '-' } else { '+' }, power.abs())
}

fn format(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let template = text(&args, 0)?;
    let values: Vec<&Value> = args.positional().skip(1).map(|(v, _)| v).collect();
    let mut out = String::new();
    let mut next = 0;
    let mut rest = &*template;
    while let Some(k) = rest.find(['{', '}']) {
        out.push_str(&rest[..k]);
        let tail = &rest[k..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let close = match tail.strip_prefix('{').and_then(|t| t.find('}')) {
            Some(c) if tail.starts_with('{') => c + 1,
            _ => {
                return Err(LangError::argument(format!("format: an unmatched `{}` in the template", &tail[..1]), span)
                    .with_hint("write {{ and }} for literal braces"))
            }
        };
        let inside = &tail[1..close];
        let spec = match inside.strip_prefix(':') {
            Some(s) => s,
            None if inside.is_empty() => "",
            None => {
                return Err(LangError::argument(format!("format: `{{{inside}}}` is not a placeholder"), span)
                    .with_hint("placeholders are {}, {:.N}, {:>W}, {:<W} and {:e}; names are not interpolated"))
            }
        };
        let spec = Spec::parse(spec).ok_or_else(|| {
            LangError::argument(format!("format: `{{:{spec}}}` is not a placeholder"), span).with_hint(format!(
                "placeholders are {{}}, {{:.N}}, {{:>W}}, {{:<W}} and {{:e}}, with W and N up to {MOST_DIGITS}"
            ))
        })?;
        let Some(v) = values.get(next) else {
            return Err(LangError::argument(
                format!("format: the template has more placeholders than the {} values given", values.len()),
                span,
            ));
        };
        out.push_str(&spec.write(v));
        next += 1;
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    if next < values.len() {
        return Err(LangError::argument(format!("format: {} values for {next} placeholders", values.len()), span));
    }
    Ok(Value::str(&out))
}

fn join(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let sep = match args.opt(1) {
        Some(_) => text(&args, 1)?,
        None => Rc::from(""),
    };
    let (v, span) = args.get(0);
    let items = crate::ops::items(v).map_err(|e| e.at(span))?;
    Ok(Value::str(&items.iter().map(print_form).collect::<Vec<_>>().join(&sep)))
}

fn split(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let s = text(&args, 0)?;
    let parts: Vec<Value> = match args.opt(1) {
        None => s.split_whitespace().map(Value::str).collect(),
        Some(_) => {
            let sep = text(&args, 1)?;
            if sep.is_empty() {
                return Err(LangError::argument("split: the separator is empty", span));
            }
            s.split(&*sep).map(Value::str).collect()
        }
    };
    Ok(Value::List(Rc::new(parts)))
}

fn replace(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (s, a, b) = (text(&args, 0)?, text(&args, 1)?, text(&args, 2)?);
    if a.is_empty() {
        return Err(LangError::argument("replace: the text to replace is empty", span));
    }
    Ok(Value::str(&s.replace(&*a, &b)))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "string",
        signature: "string(x)",
        summary: "the display form of x as a string (a string stays itself)",
        help: "What print writes: numbers in their shortest round-trip form, so \"layer.\" + string(3) is \"layer.3\" \
               (Python's str, Julia's string).",
        example: "\"layer.\" + string(3) + \".weight\"",
        shows: "\"layer.3.weight\"",
        arity: (1, Some(1)),
        keywords: &[],
        run: string,
        device: Device::Any,
    },
    Builtin {
        name: "format",
        signature: "format(template, values...)",
        summary: "the template with each {} placeholder replaced by the next value",
        help: "Placeholders as in Python and Rust: {} (the display form), {:.N} (N digits after the point, Python's \
               {:.Nf}), {:>W} and {:<W} (padded to W characters; numbers align right by default), {:e} (exponent \
               notation, 1.500000e+03), combined as {:>8.3} or {:.2e}; {{ and }} are braces. Names in braces are \
               not interpolated.",
        example: "format(\"{} has {:.3} at {:>6}|\", \"pi\", pi, 42)",
        shows: "\"pi has 3.142 at     42|\"",
        arity: (1, None),
        keywords: &[],
        run: format,
        device: Device::Any,
    },
    Builtin {
        name: "join",
        signature: "join(list, sep)",
        summary: "the items' display forms joined by sep",
        help: "Python's sep.join(map(str, list)), Julia's join(list, sep); sep defaults to \"\".",
        example: "join(list(\"a\", 1, 2.5), \", \")",
        shows: "\"a, 1, 2.5\"",
        arity: (1, Some(2)),
        keywords: &[],
        run: join,
        device: Device::Any,
    },
    Builtin {
        name: "split",
        signature: "split(s, sep)",
        summary: "the list of the pieces of s between occurrences of sep (without sep: between runs of white space)",
        help: "Python's s.split(sep) and s.split().",
        example: "split(\"encoder.layer.0\", \".\")",
        shows: "list(\"encoder\", \"layer\", \"0\")",
        arity: (1, Some(2)),
        keywords: &[],
        run: split,
        device: Device::Any,
    },
    Builtin {
        name: "replace",
        signature: "replace(s, a, b)",
        summary: "s with every occurrence of a replaced by b",
        help: "Python's s.replace(a, b), Julia's replace(s, a => b).",
        example: "replace(\"layer.0.weight\", \"0\", \"5\")",
        shows: "\"layer.5.weight\"",
        arity: (3, Some(3)),
        keywords: &[],
        run: replace,
        device: Device::Any,
    },
];

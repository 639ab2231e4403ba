//! The lexer: source text to tokens with spans.
//!
//! Newlines are tokens (they end statements and separate matrix rows); the
//! parser decides where they are insignificant (inside parentheses, after a
//! binary operator). `#` comments run to the end of the line.

use crate::error::{LangError, Result};
use crate::span::{SourceId, Span};

/// A token's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Number(f64),
    Str(String),
    Ident(String),
    // keywords
    Fn,
    If,
    Else,
    For,
    In,
    While,
    Break,
    Continue,
    Return,
    True,
    False,
    // punctuation and operators
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Newline,
    Colon,
    Dot,
    Question,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Backslash,
    Caret,
    DotStar,
    DotSlash,
    DotCaret,
    Percent,
    Kron,
    DirectSum,
    Quote,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Number(x) => format!("number {x}"),
            Tok::Str(_) => "a string".into(),
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Newline => "end of line".into(),
            Tok::Eof => "end of input".into(),
            other => format!("`{}`", other.text()),
        }
    }

    /// The source text of a keyword or operator token ("" for numbers,
    /// strings, names and the ends of lines and input).
    pub fn text(&self) -> &'static str {
        FIXED.iter().find(|(_, t)| t == self).map_or("", |(text, _)| text)
    }
}

/// Every keyword and operator with its text: the one table that the lexer,
/// error messages, the REPL's highlighter and the generated vocabulary of the
/// Pygments and CodeMirror modes read. A token's first entry is how it is
/// written back; `−` (U+2212) is a second spelling of `-`.
pub const FIXED: [(&str, Tok); 46] = [
    ("fn", Tok::Fn),
    ("if", Tok::If),
    ("else", Tok::Else),
    ("for", Tok::For),
    ("in", Tok::In),
    ("while", Tok::While),
    ("break", Tok::Break),
    ("continue", Tok::Continue),
    ("return", Tok::Return),
    ("true", Tok::True),
    ("false", Tok::False),
    ("(", Tok::LParen),
    (")", Tok::RParen),
    ("[", Tok::LBracket),
    ("]", Tok::RBracket),
    ("{", Tok::LBrace),
    ("}", Tok::RBrace),
    (",", Tok::Comma),
    (";", Tok::Semi),
    (":", Tok::Colon),
    (".", Tok::Dot),
    ("?", Tok::Question),
    ("=", Tok::Assign),
    ("+", Tok::Plus),
    ("-", Tok::Minus),
    ("−", Tok::Minus),
    ("*", Tok::Star),
    ("/", Tok::Slash),
    ("%", Tok::Percent),
    ("\\", Tok::Backslash),
    ("^", Tok::Caret),
    (".*", Tok::DotStar),
    ("./", Tok::DotSlash),
    (".^", Tok::DotCaret),
    ("⊗", Tok::Kron),
    ("⊕", Tok::DirectSum),
    ("'", Tok::Quote),
    ("==", Tok::Eq),
    ("!=", Tok::Ne),
    ("<", Tok::Lt),
    ("<=", Tok::Le),
    (">", Tok::Gt),
    (">=", Tok::Ge),
    ("&&", Tok::And),
    ("||", Tok::Or),
    ("!", Tok::Not),
];

/// Whether a fixed text is a keyword (a word) rather than an operator.
pub fn is_keyword(text: &str) -> bool {
    !text.is_empty() && text.chars().all(char::is_alphabetic)
}

/// A token and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
    /// Whether whitespace precedes the token (so `A'` is a transpose but `A '` is not).
    pub spaced: bool,
}

/// Splits `source` into tokens, ending with [`Tok::Eof`]; their spans (and
/// an error's) name `id` as their source.
pub fn lex_in(source: &str, id: SourceId) -> Result<Vec<Token>> {
    let mut tokens = lex(source).map_err(|mut e| {
        e.span = e.span.map(|s| s.in_source(id));
        e
    })?;
    for t in &mut tokens {
        t.span = t.span.in_source(id);
    }
    Ok(tokens)
}

/// How many brackets (`(`, `[`, `{`) are still open at the end of
/// `source`: the indentation level of the line that follows it. Text from
/// an unterminated string on is not counted.
pub fn open_brackets(source: &str) -> usize {
    let tokens = match lex(source) {
        Ok(tokens) => tokens,
        Err(e) => lex(&source[..e.span.map_or(0, |s| s.start.min(source.len()))]).unwrap_or_default(),
    };
    tokens.iter().fold(0usize, |depth, t| match t.tok {
        Tok::LParen | Tok::LBracket | Tok::LBrace => depth + 1,
        Tok::RParen | Tok::RBracket | Tok::RBrace => depth.saturating_sub(1),
        _ => depth,
    })
}

/// Splits `source` into tokens, ending with [`Tok::Eof`], with spans of no
/// registered source (for highlighting).
pub fn lex(source: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut spaced = true;
    while i < source.len() {
        let c = source[i..].chars().next().expect("in bounds");
        let start = i;
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
            spaced = true;
            continue;
        }
        if c == '#' {
            i = source[i..].find('\n').map_or(source.len(), |k| i + k);
            continue;
        }
        let (tok, len) = if c == '\n' {
            (Tok::Newline, 1)
        } else if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            number(source, i)?
        } else if c == '"' {
            string(source, i)?
        } else if c.is_alphabetic() || c == '_' {
            let len = source[i..].find(|ch: char| !(ch.is_alphanumeric() || ch == '_')).unwrap_or(source.len() - i);
            (keyword_or_ident(&source[i..i + len]), len)
        } else {
            operator(source, i)?
        };
        tokens.push(Token { tok, span: Span::new(start, start + len), spaced });
        spaced = false;
        i += len;
    }
    tokens.push(Token { tok: Tok::Eof, span: Span::new(source.len(), source.len()), spaced });
    Ok(tokens)
}

fn keyword_or_ident(word: &str) -> Tok {
    match FIXED.iter().find(|(text, _)| *text == word) {
        Some((_, tok)) => tok.clone(),
        None => Tok::Ident(word.to_string()),
    }
}

/// `123`, `1.5`, `.5`, `1e-3`, `2.5E+4`. A `.` followed by an operator
/// character (`1.*x`) is not part of the number.
fn number(source: &str, start: usize) -> Result<(Tok, usize)> {
    let b = source.as_bytes();
    let mut i = start;
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    i = digits(i);
    if b.get(i) == Some(&b'.') && !matches!(b.get(i + 1), Some(b'*' | b'/' | b'^' | b'\'')) {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    let text = &source[start..i];
    let value: f64 =
        text.parse().map_err(|_| LangError::syntax(format!("`{text}` is not a number"), Span::new(start, i)))?;
    Ok((Tok::Number(value), i - start))
}

/// `"..."` with escapes `\n \t \\ \" \r \0`.
fn string(source: &str, start: usize) -> Result<(Tok, usize)> {
    let mut out = String::new();
    let mut chars = source[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((Tok::Str(out), k + 2)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' => '\\',
                    '"' => '"',
                    other => {
                        let at = start + 1 + k;
                        return Err(LangError::syntax(
                            format!("unknown escape `\\{other}` in a string"),
                            Span::new(at, at + 1 + other.len_utf8()),
                        ));
                    }
                });
            }
            c => out.push(c),
        }
    }
    Err(LangError::incomplete("this string is never closed", Span::new(start, source.len())))
}

/// The longest operator of [`FIXED`] that `source[i..]` starts with.
fn operator(source: &str, i: usize) -> Result<(Tok, usize)> {
    let rest = &source[i..];
    let longest =
        FIXED.iter().filter(|(text, _)| !is_keyword(text) && rest.starts_with(text)).max_by_key(|(text, _)| text.len());
    match longest {
        Some((text, tok)) => Ok((tok.clone(), text.len())),
        None => {
            let other = rest.chars().next().expect("in bounds");
            Err(LangError::syntax(format!("unexpected character `{other}`"), Span::new(i, i + other.len_utf8())))
        }
    }
}

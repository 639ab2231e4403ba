//! The parser: tokens to statements, by recursive descent with precedence
//! climbing for operators (SPEC.md's table, loosest first):
//!
//! | level | operators | associativity |
//! |---|---|---|
//! | 1 | `\|\|` | left |
//! | 2 | `&&` | left |
//! | 3 | `== != < <= > >=` | left |
//! | 4 | `:` (range) | left |
//! | 5 | `+ - ⊕` | left |
//! | 6 | `* / \ ⊗ .* ./` | left |
//! | 7 | unary `- !` | prefix |
//! | 8 | `^ .^` | right |
//! | 9 | postfix `'`, calls, indexing, fields | |
//!
//! Newlines end statements and separate matrix rows, except inside
//! parentheses and after an operator that needs a right operand. Running out
//! of input inside an open construct is an [`ErrorKind::Incomplete`] error,
//! which the REPL and Jupyter's `is_complete` read as "continue".

use crate::ast::*;
use crate::error::{ErrorKind, LangError, Result};
use crate::lexer::{lex_in, Tok, Token};
use crate::name::Name;
use crate::span::{SourceId, Span};
use std::rc::Rc;

/// Parses a whole cell, registering its text as the source of its spans.
pub fn parse(source: &str) -> Result<Vec<Stmt>> {
    parse_in(source, SourceId::register(source))
}

/// Parses `source`, whose spans name `id` as their source (`id`'s text may
/// differ from `source` outside the code, as for `:time CODE`, where the
/// command is blanked out and the spans point into the line as typed).
pub fn parse_in(source: &str, id: SourceId) -> Result<Vec<Stmt>> {
    let mut p = Parser { source, tokens: lex_in(source, id)?, pos: 0, ignore_newlines: vec![false], depth: 0 };
    p.statements(&Tok::Eof)
}

struct Parser<'s> {
    source: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Whether newlines are insignificant in the innermost bracket.
    ignore_newlines: Vec<bool>,
    /// How deeply expressions are nested here (bounded by [`MAX_NESTING`]).
    depth: usize,
}

/// Expressions nested deeper than this are refused rather than risking the stack.
const MAX_NESTING: usize = 200;

const RANGE_LEVEL: u8 = 4;
const UNARY_LEVEL: u8 = 7;

fn binary(tok: &Tok) -> Option<(BinOp, u8)> {
    Some(match tok {
        Tok::Or => (BinOp::Or, 1),
        Tok::And => (BinOp::And, 2),
        Tok::Eq => (BinOp::Eq, 3),
        Tok::Ne => (BinOp::Ne, 3),
        Tok::Lt => (BinOp::Lt, 3),
        Tok::Le => (BinOp::Le, 3),
        Tok::Gt => (BinOp::Gt, 3),
        Tok::Ge => (BinOp::Ge, 3),
        Tok::Plus => (BinOp::Add, 5),
        Tok::Minus => (BinOp::Sub, 5),
        Tok::DirectSum => (BinOp::DirectSum, 5),
        Tok::Star => (BinOp::Mul, 6),
        Tok::Slash => (BinOp::Div, 6),
        Tok::Backslash => (BinOp::LeftDiv, 6),
        Tok::Kron => (BinOp::Kron, 6),
        Tok::DotStar => (BinOp::ElemMul, 6),
        Tok::DotSlash => (BinOp::ElemDiv, 6),
        Tok::Percent => (BinOp::Mod, 6),
        Tok::Caret => (BinOp::Pow, 8),
        Tok::DotCaret => (BinOp::ElemPow, 8),
        _ => return None,
    })
}

impl Parser<'_> {
    // ----- token access ---------------------------------------------------

    fn skip_insignificant_newlines(&mut self) {
        if *self.ignore_newlines.last().unwrap_or(&false) {
            self.skip_newlines();
        }
    }

    fn skip_newlines(&mut self) {
        while self.tokens[self.pos].tok == Tok::Newline {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> &Token {
        self.skip_insignificant_newlines();
        &self.tokens[self.pos]
    }

    fn peek_tok(&mut self) -> Tok {
        self.peek().tok.clone()
    }

    fn advance(&mut self) -> Token {
        self.skip_insignificant_newlines();
        let t = self.tokens[self.pos].clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if &self.peek().tok == tok {
            self.advance();
            true
        } else {
            false
        }
    }

    /// An error about the next token; at the end of input it is "incomplete".
    fn unexpected(&mut self, wanted: &str) -> LangError {
        let t = self.peek().clone();
        if t.tok == Tok::Eof {
            LangError::incomplete(format!("expected {wanted}, but the input ended"), t.span)
        } else {
            LangError::syntax(format!("expected {wanted}, found {}", t.tok.describe()), t.span)
        }
    }

    fn expect(&mut self, tok: &Tok, wanted: &str) -> Result<Span> {
        if &self.peek().tok == tok {
            Ok(self.advance().span)
        } else {
            Err(self.unexpected(wanted))
        }
    }

    fn ident(&mut self, wanted: &str) -> Result<(Name, Span)> {
        match self.peek_tok() {
            Tok::Ident(name) => Ok((Name::new(&name), self.advance().span)),
            _ => Err(self.unexpected(wanted)),
        }
    }

    fn with_newlines<T>(&mut self, ignore: bool, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.ignore_newlines.push(ignore);
        let out = f(self);
        self.ignore_newlines.pop();
        out
    }

    // ----- statements -----------------------------------------------------

    /// Statements up to (not including) `end`.
    fn statements(&mut self, end: &Tok) -> Result<Vec<Stmt>> {
        let mut out: Vec<Stmt> = Vec::new();
        loop {
            while matches!(self.tokens[self.pos].tok, Tok::Newline | Tok::Semi) {
                self.pos += 1;
            }
            if &self.tokens[self.pos].tok == end {
                return Ok(out);
            }
            if self.tokens[self.pos].tok == Tok::Eof {
                return Err(self.unexpected(&format!("`{}`", end.text())));
            }
            let mut stmt = self.statement()?;
            match &self.tokens[self.pos].tok {
                Tok::Semi => {
                    if let StmtKind::Expr { silent, .. } = &mut stmt.kind {
                        *silent = true;
                    }
                    self.pos += 1;
                }
                Tok::Newline => self.pos += 1,
                t if t == end => {}
                Tok::Eof => return Err(self.unexpected(&format!("`{}`", end.text()))),
                _ => {
                    let t = self.tokens[self.pos].clone();
                    return Err(LangError::syntax(
                        format!("expected the end of the statement, found {}", t.tok.describe()),
                        t.span,
                    ));
                }
            }
            out.push(stmt);
        }
    }

    fn statement(&mut self) -> Result<Stmt> {
        let start = self.peek().span;
        let kind = match self.peek_tok() {
            Tok::Fn if matches!(self.tokens.get(self.pos + 1).map(|t| &t.tok), Some(Tok::Ident(_))) => {
                StmtKind::Fn(self.function()?)
            }
            Tok::For => {
                self.advance();
                let var = self.pattern()?;
                self.expect(&Tok::In, "`in`")?;
                let iter = self.expression()?;
                StmtKind::For { var, iter, body: Box::new(self.block()?) }
            }
            Tok::While => {
                self.advance();
                let cond = self.expression()?;
                StmtKind::While { cond, body: Box::new(self.block()?) }
            }
            Tok::Break => {
                self.advance();
                StmtKind::Break
            }
            Tok::Continue => {
                self.advance();
                StmtKind::Continue
            }
            Tok::Return => {
                self.advance();
                let value = match self.peek_tok() {
                    Tok::Newline | Tok::Semi | Tok::RBrace | Tok::Eof => None,
                    _ => Some(self.expression()?),
                };
                StmtKind::Return(value)
            }
            _ => {
                let expr = self.expression()?;
                if self.peek_tok() == Tok::Assign {
                    let eq = self.advance().span;
                    let target = to_target(&expr).ok_or_else(|| {
                        LangError::syntax("cannot assign to this expression", expr.span)
                            .with_hint("assign to a name, an indexed name `A[i, j]`, or a tuple `(a, b)`")
                    })?;
                    let _ = eq;
                    let value = self.with_newlines(false, |p| {
                        p.skip_newlines();
                        p.expression()
                    })?;
                    StmtKind::Assign { target, value }
                } else {
                    StmtKind::Expr { expr, silent: false }
                }
            }
        };
        let end = self.tokens[self.pos.saturating_sub(1)].span;
        Ok(Stmt { kind, span: start.to(end) })
    }

    /// A loop variable: a name, or a parenthesised tuple of patterns
    /// (`(k, v)`, `(i, (a, b))`).
    fn pattern(&mut self) -> Result<Target> {
        if self.peek_tok() != Tok::LParen {
            let (name, span) = self.ident("a loop variable after `for`")?;
            return Ok(Target::Name(name, span));
        }
        let open = self.advance().span;
        self.with_newlines(true, |p| {
            let mut items = vec![p.pattern()?];
            let mut commas = false;
            while p.peek_tok() == Tok::Comma {
                p.advance();
                commas = true;
                items.push(p.pattern()?);
            }
            let close = p.expect(&Tok::RParen, "`)` after the loop variables")?;
            // `(k)` is k in parentheses, as in Python; only a comma makes a tuple.
            Ok(if commas { Target::Tuple(items, open.to(close)) } else { items.pop().expect("one pattern") })
        })
    }

    /// `fn name(params) = expr`, `fn name(params) { ... }`, or anonymous `fn (params) ...`.
    fn function(&mut self) -> Result<Rc<FnDef>> {
        let start = self.expect(&Tok::Fn, "`fn`")?;
        let name = match self.peek_tok() {
            Tok::Ident(_) => Some(self.ident("a function name")?.0),
            _ => None,
        };
        self.expect(&Tok::LParen, "`(` and the parameters")?;
        let params = self.with_newlines(true, |p| {
            let mut params = Vec::new();
            while p.peek_tok() != Tok::RParen {
                let (name, span) = p.ident("a parameter name")?;
                let default = if p.eat(&Tok::Assign) { Some(p.expression()?) } else { None };
                if params.iter().any(|q: &Param| q.name == name) {
                    return Err(LangError::syntax(format!("parameter `{name}` is declared twice"), span));
                }
                params.push(Param { name, default, span });
                if !p.eat(&Tok::Comma) {
                    break;
                }
            }
            p.expect(&Tok::RParen, "`)` after the parameters")?;
            Ok(params)
        })?;
        let body = if self.eat(&Tok::Assign) {
            self.skip_newlines();
            self.expression()?
        } else if self.peek_tok() == Tok::LBrace {
            self.block()?
        } else {
            return Err(self.unexpected("`=` or `{` for the function body"));
        };
        let span = start.to(body.span);
        let source = Rc::from(&self.source[span.start..span.end]);
        Ok(Rc::new(FnDef { name, params, body: Rc::new(body), span, source }))
    }

    /// `{ statements }` as a block expression.
    fn block(&mut self) -> Result<Expr> {
        let open = self.expect(&Tok::LBrace, "`{`")?;
        let stmts = self.with_newlines(false, |p| p.statements(&Tok::RBrace))?;
        let close = self.expect(&Tok::RBrace, "`}`")?;
        Ok(Expr { kind: ExprKind::Block(stmts), span: open.to(close) })
    }

    // ----- expressions ------------------------------------------------------

    fn expression(&mut self) -> Result<Expr> {
        self.binary_level(1)
    }

    fn binary_level(&mut self, min: u8) -> Result<Expr> {
        self.depth += 1;
        let result = if self.depth > MAX_NESTING {
            let span = self.peek().span;
            Err(LangError::syntax(format!("expressions are nested more than {MAX_NESTING} deep"), span))
        } else {
            stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || self.binary_level_unchecked(min))
        };
        self.depth -= 1;
        result
    }

    fn binary_level_unchecked(&mut self, min: u8) -> Result<Expr> {
        let mut left = self.unary()?;
        loop {
            let tok = self.peek_tok();
            if tok == Tok::Colon && min <= RANGE_LEVEL {
                // `a:` with nothing after it is an open range, read by the subscript parser.
                let after = self.tokens.get(self.pos + 1).map(|t| t.tok.clone());
                if matches!(after, Some(Tok::RBracket | Tok::Comma | Tok::RParen)) {
                    return Ok(left);
                }
                self.advance();
                self.skip_newlines();
                let right = self.binary_level(RANGE_LEVEL + 1)?;
                // `a:s:b`: a second colon makes the middle the step.
                if self.peek_tok() == Tok::Colon {
                    self.advance();
                    self.skip_newlines();
                    let end = self.binary_level(RANGE_LEVEL + 1)?;
                    let span = left.span.to(end.span);
                    let kind = ExprKind::SteppedRange(Box::new(left), Box::new(right), Box::new(end));
                    left = Expr { kind, span };
                    continue;
                }
                let span = left.span.to(right.span);
                left = Expr { kind: ExprKind::Range(Box::new(left), Box::new(right)), span };
                continue;
            }
            let Some((op, level)) = binary(&tok) else { return Ok(left) };
            if level < min {
                return Ok(left);
            }
            self.advance();
            self.skip_newlines();
            // `^` is right-associative; everything else associates to the left.
            let next = if level == 8 { level } else { level + 1 };
            let right = if level == 8 { self.power_operand()? } else { self.binary_level(next)? };
            let span = left.span.to(right.span);
            left = Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span };
        }
    }

    /// The right operand of `^`: itself a power, possibly negated (`2^-1`).
    fn power_operand(&mut self) -> Result<Expr> {
        if matches!(self.peek_tok(), Tok::Minus | Tok::Not) {
            return self.unary();
        }
        self.binary_level(8)
    }

    fn unary(&mut self) -> Result<Expr> {
        let op = match self.peek_tok() {
            Tok::Minus => UnOp::Neg,
            Tok::Not => UnOp::Not,
            Tok::Plus => {
                self.advance();
                return self.unary();
            }
            _ => return self.binary_level_above_unary(),
        };
        let start = self.advance().span;
        if self.depth > MAX_NESTING {
            return Err(LangError::syntax(format!("expressions are nested more than {MAX_NESTING} deep"), start));
        }
        self.depth += 1;
        let operand = self.binary_level_above_unary_or_unary();
        self.depth -= 1;
        let operand = operand?;
        let span = start.to(operand.span);
        Ok(Expr { kind: ExprKind::Unary(op, Box::new(operand)), span })
    }

    fn binary_level_above_unary_or_unary(&mut self) -> Result<Expr> {
        if matches!(self.peek_tok(), Tok::Minus | Tok::Not | Tok::Plus) {
            self.unary()
        } else {
            self.binary_level_above_unary()
        }
    }

    /// A postfix expression followed by any `^`/`.^` (which bind tighter than unary minus).
    fn binary_level_above_unary(&mut self) -> Result<Expr> {
        let mut left = self.postfix()?;
        loop {
            let Some((op, level)) = binary(&self.peek_tok()) else { return Ok(left) };
            if level <= UNARY_LEVEL {
                return Ok(left);
            }
            self.advance();
            self.skip_newlines();
            let right = self.power_operand()?;
            let span = left.span.to(right.span);
            left = Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span };
        }
    }

    fn postfix(&mut self) -> Result<Expr> {
        let mut e = self.primary()?;
        loop {
            let t = self.tokens[self.pos].clone();
            match t.tok {
                Tok::Quote => {
                    self.pos += 1;
                    let span = e.span.to(t.span);
                    e = Expr { kind: ExprKind::Transpose(Box::new(e)), span };
                }
                Tok::LParen if !t.spaced || !matches!(e.kind, ExprKind::Number(_)) => {
                    self.pos += 1;
                    let args = self.with_newlines(true, |p| p.arguments())?;
                    let close = self.expect(&Tok::RParen, "`)` to close the call")?;
                    let span = e.span.to(close);
                    e = Expr { kind: ExprKind::Call(Box::new(e), args), span };
                }
                Tok::LBracket => {
                    self.pos += 1;
                    let subs = self.with_newlines(true, |p| p.subscripts())?;
                    let close = self.expect(&Tok::RBracket, "`]` to close the index")?;
                    let span = e.span.to(close);
                    e = Expr { kind: ExprKind::Index(Box::new(e), subs), span };
                }
                Tok::Dot => {
                    self.pos += 1;
                    let (name, span) = self.ident("a field name after `.`")?;
                    let span = e.span.to(span);
                    e = Expr { kind: ExprKind::Field(Box::new(e), name), span };
                }
                _ => return Ok(e),
            }
        }
    }

    fn arguments(&mut self) -> Result<Vec<Arg>> {
        let mut args = Vec::new();
        while self.peek_tok() != Tok::RParen {
            self.skip_insignificant_newlines();
            let keyword = match (&self.tokens[self.pos].tok, self.tokens.get(self.pos + 1).map(|t| &t.tok)) {
                (Tok::Ident(name), Some(Tok::Assign)) => Some(Name::new(name)),
                _ => None,
            };
            if keyword.is_some() {
                self.advance();
                self.advance();
            } else if args.iter().any(|a: &Arg| a.name.is_some()) {
                let span = self.peek().span;
                return Err(LangError::syntax("a positional argument cannot follow a keyword argument", span));
            }
            args.push(Arg { name: keyword, value: self.expression()? });
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        Ok(args)
    }

    fn subscripts(&mut self) -> Result<Vec<Subscript>> {
        let mut subs = Vec::new();
        loop {
            let sub = if self.peek_tok() == Tok::Colon {
                let colon = self.advance().span;
                if matches!(self.peek_tok(), Tok::Comma | Tok::RBracket) {
                    Subscript::All(colon)
                } else {
                    let end = self.binary_level(RANGE_LEVEL + 1)?;
                    let span = colon.to(end.span);
                    Subscript::OpenRange { start: None, end: Some(Box::new(end)), span }
                }
            } else {
                let e = self.expression()?;
                if self.peek_tok() == Tok::Colon {
                    let colon = self.advance().span;
                    Subscript::OpenRange { span: e.span.to(colon), start: Some(Box::new(e)), end: None }
                } else {
                    Subscript::Expr(e)
                }
            };
            subs.push(sub);
            if !self.eat(&Tok::Comma) {
                return Ok(subs);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr> {
        let t = self.advance();
        let span = t.span;
        let kind = match t.tok {
            Tok::Number(x) => {
                // Juxtaposition with a name right after a number: `2im`, `2pi`.
                let next = self.tokens[self.pos].clone();
                if let (Tok::Ident(name), false) = (&next.tok, next.spaced) {
                    self.pos += 1;
                    let left = Expr { kind: ExprKind::Number(x), span };
                    let right = Expr { kind: ExprKind::Ident(Name::new(name)), span: next.span };
                    return Ok(Expr {
                        kind: ExprKind::Binary(BinOp::Mul, Box::new(left), Box::new(right)),
                        span: span.to(next.span),
                    });
                }
                ExprKind::Number(x)
            }
            Tok::Str(s) => ExprKind::Str(Rc::from(s.as_str())),
            Tok::True => ExprKind::Bool(true),
            Tok::False => ExprKind::Bool(false),
            Tok::Ident(name) => ExprKind::Ident(Name::new(&name)),
            Tok::Question => {
                let (name, name_span) = self.ident("a name after `?`")?;
                return Ok(Expr { kind: ExprKind::Help(name), span: span.to(name_span) });
            }
            Tok::LParen if self.record_ahead() => {
                let fields = self.with_newlines(true, |p| {
                    let mut fields: Vec<(Name, Expr)> = Vec::new();
                    while p.peek_tok() != Tok::RParen {
                        let (name, name_span) = p.ident("a field name")?;
                        if fields.iter().any(|(n, _)| *n == name) {
                            return Err(LangError::syntax(format!("field `{name}` is given twice"), name_span));
                        }
                        p.expect(&Tok::Assign, "`=` after the field name")?;
                        fields.push((name, p.expression()?));
                        if !p.eat(&Tok::Comma) {
                            break;
                        }
                    }
                    Ok(fields)
                })?;
                let close = self.expect(&Tok::RParen, "`)` to close the record")?;
                return Ok(Expr { kind: ExprKind::Record(fields), span: span.to(close) });
            }
            Tok::LParen => {
                let items = self.with_newlines(true, |p| {
                    let mut items = Vec::new();
                    let mut trailing_comma = false;
                    while p.peek_tok() != Tok::RParen {
                        items.push(p.expression()?);
                        trailing_comma = p.eat(&Tok::Comma);
                        if !trailing_comma {
                            break;
                        }
                    }
                    Ok((items, trailing_comma))
                })?;
                let close = self.expect(&Tok::RParen, "`)`")?;
                let (mut items, trailing_comma) = items;
                if items.len() == 1 && !trailing_comma {
                    let mut inner = items.pop().expect("one item");
                    inner.span = span.to(close);
                    return Ok(inner);
                }
                return Ok(Expr { kind: ExprKind::Tuple(items), span: span.to(close) });
            }
            Tok::LBracket => return self.matrix(span),
            Tok::LBrace => {
                self.pos -= 1;
                return self.block();
            }
            Tok::If => return self.if_expression(span),
            Tok::Fn => {
                self.pos -= 1;
                let def = self.function()?;
                let span = def.span;
                return Ok(Expr { kind: ExprKind::Lambda(def), span });
            }
            Tok::Eof => {
                return Err(LangError::incomplete("expected an expression, but the input ended", span));
            }
            other => {
                return Err(LangError::syntax(format!("expected an expression, found {}", other.describe()), span));
            }
        };
        Ok(Expr { kind, span })
    }

    /// Whether the `(` just read opens a record: `(name = ...`.
    fn record_ahead(&self) -> bool {
        let mut i = self.pos;
        while self.tokens[i].tok == Tok::Newline {
            i += 1;
        }
        matches!((&self.tokens[i].tok, self.tokens.get(i + 1).map(|t| &t.tok)), (Tok::Ident(_), Some(Tok::Assign)))
    }

    fn if_expression(&mut self, start: Span) -> Result<Expr> {
        let cond = self.expression()?;
        let then = self.block()?;
        let mut end = then.span;
        let otherwise = if self.peek_tok() == Tok::Else {
            self.advance();
            let e = if self.peek_tok() == Tok::If {
                let s = self.advance().span;
                self.if_expression(s)?
            } else {
                self.block()?
            };
            end = e.span;
            Some(Box::new(e))
        } else {
            None
        };
        Ok(Expr { kind: ExprKind::If(Box::new(cond), Box::new(then), otherwise), span: start.to(end) })
    }

    /// `[a, b; c, d]`: `,` between entries, `;` or newlines between rows (a
    /// trailing comma before a newline is allowed).
    fn matrix(&mut self, open: Span) -> Result<Expr> {
        let rows = self.with_newlines(false, |p| {
            let mut rows: Vec<Vec<Expr>> = vec![];
            let mut row: Vec<Expr> = vec![];
            loop {
                match p.tokens[p.pos].tok {
                    Tok::RBracket => break,
                    Tok::Semi | Tok::Newline => {
                        p.pos += 1;
                        if !row.is_empty() {
                            rows.push(std::mem::take(&mut row));
                        }
                    }
                    Tok::Eof => return Err(LangError::incomplete("this `[` is never closed", open)),
                    _ => {
                        row.push(p.with_newlines(false, |p| p.expression())?);
                        if p.tokens[p.pos].tok == Tok::Comma {
                            // A newline after a trailing comma still ends the row (as in MATLAB).
                            p.pos += 1;
                        } else if !matches!(p.tokens[p.pos].tok, Tok::Semi | Tok::Newline | Tok::RBracket | Tok::Eof) {
                            let t = p.tokens[p.pos].clone();
                            return Err(LangError::syntax(
                                format!("expected `,`, `;` or `]` in the matrix, found {}", t.tok.describe()),
                                t.span,
                            ));
                        }
                    }
                }
            }
            if !row.is_empty() {
                rows.push(row);
            }
            Ok(rows)
        })?;
        let close = self.expect(&Tok::RBracket, "`]`")?;
        Ok(Expr { kind: ExprKind::Matrix(rows), span: open.to(close) })
    }
}

/// The assignment target an expression denotes, if any.
fn to_target(e: &Expr) -> Option<Target> {
    let extend = |inner: &Expr, step: Step| match to_target(inner)? {
        Target::Name(name, _) => Some(Target::Path(name, vec![step], e.span)),
        Target::Path(name, mut steps, _) => {
            steps.push(step);
            Some(Target::Path(name, steps, e.span))
        }
        Target::Tuple(..) => None,
    };
    match &e.kind {
        ExprKind::Ident(name) => Some(Target::Name(name.clone(), e.span)),
        ExprKind::Index(inner, subs) => extend(inner, Step::Index(subs.clone(), e.span)),
        ExprKind::Field(inner, name) => extend(inner, Step::Field(name.clone(), e.span)),
        ExprKind::Tuple(items) if !items.is_empty() => {
            items.iter().map(to_target).collect::<Option<Vec<_>>>().map(|ts| Target::Tuple(ts, e.span))
        }
        _ => None,
    }
}

/// Whether `source` is a complete cell: `Ok(true)` complete, `Ok(false)` it
/// stops inside an open construct (continue on the next line), `Err` invalid.
pub fn is_complete(source: &str) -> std::result::Result<bool, LangError> {
    match parse_in(source, SourceId::NONE) {
        Ok(_) => Ok(true),
        Err(e) if e.kind == ErrorKind::Incomplete => Ok(false),
        Err(e) => Err(e),
    }
}

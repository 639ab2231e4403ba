//! Byte-range spans into the source of one cell (or file), and their
//! line/column form. Every span knows its source: a function defined in one
//! cell and failing in a later one points into the cell that defined it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The text a span points into: an index into the process's table of
/// sources (each registered once; equal texts share an entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SourceId(u32);

#[derive(Default)]
struct Sources {
    texts: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

fn sources() -> &'static Mutex<Sources> {
    static SOURCES: OnceLock<Mutex<Sources>> = OnceLock::new();
    SOURCES.get_or_init(Default::default)
}

impl SourceId {
    /// No known source: the span is rendered against whatever text it is shown with.
    pub const NONE: SourceId = SourceId(0);

    /// Registers `text` (once per distinct text) and names it.
    pub fn register(text: &str) -> SourceId {
        let mut table = sources().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = table.ids.get(text) {
            return SourceId(id);
        }
        let text: Arc<str> = text.into();
        table.texts.push(text.clone());
        let id = u32::try_from(table.texts.len()).unwrap_or(u32::MAX);
        table.ids.insert(text, id);
        SourceId(id)
    }

    /// The registered text, if any.
    pub fn text(self) -> Option<Arc<str>> {
        let index = (self.0 as usize).checked_sub(1)?;
        sources().lock().unwrap_or_else(|e| e.into_inner()).texts.get(index).cloned()
    }
}

/// A half-open byte range `start..end` into the source `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub source: SourceId,
}

impl Span {
    /// A span of no known source.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end, source: SourceId::NONE }
    }

    /// The same range in `source`.
    pub fn in_source(self, source: SourceId) -> Span {
        Span { source, ..self }
    }

    /// The smallest span covering both (in the first one's source).
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end), source: self.source }
    }

    /// 1-based line and column (in characters) of the span's start in `source`
    /// (clamped to the text: a span never panics on a text it does not fit).
    pub fn line_column(&self, source: &str) -> (usize, usize) {
        let start = floor_char_boundary(source, self.start);
        let before = &source[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The spanned text, clamped to `source` and its character boundaries.
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        let start = floor_char_boundary(source, self.start);
        &source[start..floor_char_boundary(source, self.end).max(start)]
    }
}

/// The largest character boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_registered_once_and_found_again() {
        let a = SourceId::register("x = 1 + ⊗");
        assert_eq!(SourceId::register("x = 1 + ⊗"), a);
        assert_ne!(SourceId::register("y = 2"), a);
        assert_eq!(a.text().as_deref(), Some("x = 1 + ⊗"));
        assert_eq!(SourceId::NONE.text(), None);
    }

    #[test]
    fn a_span_that_does_not_fit_its_text_is_clamped() {
        let s = "\"⊗⊗⊗\"; f(1)";
        assert_eq!(Span::new(2, 5).text(s), "⊗");
        assert_eq!(Span::new(2, 5).line_column(s), (1, 2));
        assert_eq!(Span::new(40, 50).text(s), "");
        assert_eq!(Span::new(40, 50).line_column(s), (1, 12));
    }
}

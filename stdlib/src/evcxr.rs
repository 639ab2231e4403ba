//! Rich display in evcxr (cargo feature `evcxr`): a matrix, operator or
//! figure that ends an evcxr cell is shown through evcxr's content protocol,
//! one block per MIME type:
//!
//! ```text
//! EVCXR_BEGIN_CONTENT text/html
//! <table …>…</table>
//! EVCXR_END_CONTENT
//! ```
//!
//! The bundles are the values' `mime_bundle`s, as Jupyter shows them:
//! matrices as text, an HTML table and (small ones) LaTeX; operators as their
//! structure; figures as SVG and PNG. Tessera's `%%rust` cells and
//! evcxr_jupyter (`:dep tessera = { package = "tessera-stdlib", path = "stdlib", features = ["evcxr"] }`)
//! both read it.
//!
//! [`ShowDebug`] gives every other `Debug` value an `evcxr_display` that
//! prints what evcxr's own fallback prints (`{:?}` as text/plain; `()`
//! shows nothing). evcxr
//! first compiles a cell's final value as `(value).evcxr_display();` and,
//! when that does not compile, compiles the cell again with the fallback:
//! with `use tessera::evcxr::ShowDebug as _;` in scope (Tessera's Rust cells
//! have it) the first compilation succeeds, and the cell compiles once.

use crate::figure::Figure;
use crate::{Matrix, Operator};

/// The protocol text for a MIME bundle.
fn content(bundle: &[(&str, String)]) -> String {
    bundle.iter().map(|(mime, data)| format!("EVCXR_BEGIN_CONTENT {mime}\n{data}\nEVCXR_END_CONTENT\n")).collect()
}

/// `evcxr_display` for any `Debug` value: its `{:?}` as text/plain. The
/// stdlib's own types (and any type with an inherent `evcxr_display`) keep
/// their rich display, as inherent methods come first.
pub trait ShowDebug {
    /// Shows the value in evcxr as its `Debug` text.
    fn evcxr_display(&self);
}

impl<T: std::fmt::Debug + ?Sized> ShowDebug for T {
    fn evcxr_display(&self) {
        print!("{}", debug_content(self));
    }
}

/// The protocol text for a value's `Debug` text; nothing for `()` (a cell
/// that ends in a loop or a `println!`), as Jupyter shows no `None`.
fn debug_content<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    match std::any::type_name::<T>() {
        "()" => String::new(),
        _ => content(&[("text/plain", format!("{value:?}"))]),
    }
}

impl Matrix {
    /// Shows the matrix in evcxr (called by evcxr for a cell's final value).
    pub fn evcxr_display(&self) {
        print!("{}", content(&self.mime_bundle()));
    }
}

impl Operator {
    /// Shows the operator in evcxr.
    pub fn evcxr_display(&self) {
        print!("{}", content(&self.mime_bundle()));
    }
}

impl Figure {
    /// Shows the figure in evcxr.
    pub fn evcxr_display(&self) {
        print!("{}", content(&self.mime_bundle()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_blocks_follow_the_protocol() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        let text = content(&m.mime_bundle());
        let mimes: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("EVCXR_BEGIN_CONTENT ")).collect();
        assert_eq!(mimes, ["text/plain", "text/html", "text/latex"]);
        assert_eq!(text.matches("EVCXR_END_CONTENT").count(), 3);
        assert!(text.contains(">2×2 matrix</caption>"), "{text}");
        assert!(!content(&Matrix::zeros(9, 9).mime_bundle()).contains("text/latex"));
    }

    #[test]
    fn debug_values_show_as_their_debug_text() {
        let text = debug_content(&vec![1.5, 2.0]);
        assert_eq!(text, "EVCXR_BEGIN_CONTENT text/plain\n[1.5, 2.0]\nEVCXR_END_CONTENT\n");
        assert_eq!(debug_content(&()), "");
        assert_eq!(debug_content(&((), ())), "EVCXR_BEGIN_CONTENT text/plain\n((), ())\nEVCXR_END_CONTENT\n");
        assert_eq!(debug_content("a\"b"), "EVCXR_BEGIN_CONTENT text/plain\n\"a\\\"b\"\nEVCXR_END_CONTENT\n");
    }

    #[test]
    fn figures_carry_svg_and_png() {
        use base64::Engine as _;
        let f = Figure::heatmap(Matrix::eye(4)).unwrap();
        let bundle = f.mime_bundle();
        let mimes: Vec<&str> = bundle.iter().map(|(m, _)| *m).collect();
        assert_eq!(mimes, ["text/plain", "image/svg+xml", "image/png"]);
        let png = base64::engine::general_purpose::STANDARD.decode(&bundle[2].1).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(bundle[1].1.starts_with("<svg") || bundle[1].1.starts_with("<?xml"));
    }
}

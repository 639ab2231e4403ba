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

use crate::figure::Figure;
use crate::{Matrix, Operator};

/// The protocol text for a MIME bundle.
fn content(bundle: &[(&str, String)]) -> String {
    bundle.iter().map(|(mime, data)| format!("EVCXR_BEGIN_CONTENT {mime}\n{data}\nEVCXR_END_CONTENT\n")).collect()
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
        assert!(text.contains("<caption>2×2 matrix</caption>"), "{text}");
        assert!(!content(&Matrix::zeros(9, 9).mime_bundle()).contains("text/latex"));
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

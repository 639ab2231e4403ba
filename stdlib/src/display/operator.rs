//! Operators as text and HTML: a one-line summary (shape, structure,
//! storage), and for a small operator the parts it is made of, each named as
//! its formula names it (`A₁ ⊗ A₂`, `blockdiag(B₁, …)`, `U Vᵀ`, …) and shown
//! as a matrix literal, a table, or a nested operator.

use super::{escape_html, is_small, literal, matrix, matrix_html, number, print_options};
use crate::{Matrix, Operator};

/// Operators up to this many rows and columns show their parts.
pub const OPERATOR_SMALL: usize = 16;

/// One part of an operator.
enum Part {
    Matrix(Matrix),
    Operator(Operator),
    Number(f64),
}

impl Part {
    /// A factor or block: an operator, or the matrix when it is a dense one.
    fn of(op: &Operator) -> Part {
        match op {
            Operator::Dense(m) => Part::Matrix(m.clone()),
            other => Part::Operator(other.clone()),
        }
    }
}

/// `k` as subscript digits: `₁₂`.
fn subscript(k: usize) -> String {
    k.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + c.to_digit(10).expect("a digit")).expect("a subscript"))
        .collect()
}

/// `letter₁, letter₂, …` for a list of factors, blocks or terms.
fn numbered(letter: &str, parts: impl IntoIterator<Item = Part>) -> Vec<(String, Part)> {
    parts.into_iter().enumerate().map(|(k, part)| (format!("{letter}{}", subscript(k + 1)), part)).collect()
}

/// A row of numbers as a `1×n` matrix.
fn row(values: impl Iterator<Item = f64>) -> Part {
    let values: Vec<f64> = values.collect();
    Part::Matrix(Matrix::from_fn(1, values.len(), |_, j| values[j]))
}

/// The named parts of an operator, as its formula names them; none for a
/// dense matrix, which shows its entries.
fn parts(op: &Operator) -> Vec<(String, Part)> {
    let named = |name: &str, part: Part| (name.to_string(), part);
    match op {
        Operator::Dense(_) => vec![],
        Operator::Diagonal(d) => vec![named("d", row(d.iter().copied()))],
        Operator::Permutation(p) => vec![named("p", row(p.iter().map(|&i| i as f64)))],
        Operator::Kronecker(xs) | Operator::Product(xs) | Operator::Sum(xs) => numbered("A", xs.iter().map(Part::of)),
        Operator::KroneckerSum(a, b) => vec![named("A", Part::of(a)), named("B", Part::of(b))],
        Operator::BlockDiagonal(xs) => numbered("B", xs.iter().map(Part::of)),
        Operator::Monarch(m) => {
            let blocks = |bs: &[Matrix]| bs.iter().cloned().map(Part::Matrix).collect::<Vec<_>>();
            let mut parts = numbered("L", blocks(m.left_blocks()));
            parts.extend(numbered("R", blocks(m.right_blocks())));
            parts
        }
        Operator::LowRank { u, v } => vec![named("U", Part::Matrix(u.clone())), named("V", Part::Matrix(v.clone()))],
        Operator::DiagonalPlusLowRank { d, u, v } => vec![
            named("d", row(d.iter().copied())),
            named("U", Part::Matrix(u.clone())),
            named("V", Part::Matrix(v.clone())),
        ],
        Operator::Quantized(q) => {
            let p = q.to_parts();
            let levels: Vec<i32> = q.levels().collect();
            let codes = Matrix::from_fn(p.shape.0, p.shape.1, |i, j| f64::from(levels[i * p.shape.1 + j]));
            let mut parts =
                vec![named("codes", Part::Matrix(codes)), named("scales", row(q.scales().into_iter().map(f64::from)))];
            if !p.zeros.is_empty() {
                parts.push(named("zeros", row(p.zeros.into_iter().map(f64::from))));
            }
            parts
        }
        Operator::Scaled(s, a) => vec![named("s", Part::Number(*s)), named("A", Part::of(a))],
        Operator::Transposed(a) => vec![named("A", Part::of(a))],
    }
}

/// Whether an operator shows its parts (at most [`OPERATOR_SMALL`] on each side).
fn shows_parts(op: &Operator) -> bool {
    let s = op.shape();
    s.0 <= OPERATOR_SMALL && s.1 <= OPERATOR_SMALL
}

/// `m×n structure, s stored of m·n`.
fn summary(op: &Operator) -> String {
    let s = op.shape();
    format!("{s} {}, {} stored of {}", op.structure(), op.storage(), s.0 * s.1)
}

/// An operator: its summary line, and for a small one its parts below,
/// one per line (`A₁ = [1, 2; 3, 4]`), indented by one space, within
/// `width` characters where the entries allow.
pub fn operator_lines(op: &Operator, width: usize) -> Vec<String> {
    if let (Operator::Dense(m), true) = (op, shows_parts(op)) {
        return matrix(m).lines().map(String::from).collect();
    }
    let parts = if shows_parts(op) { parts(op) } else { vec![] };
    if parts.is_empty() {
        return vec![summary(op)];
    }
    let mut lines = vec![summary(op) + ":"];
    for (name, part) in parts {
        let prefix = format!(" {name} = ");
        let indent = " ".repeat(prefix.chars().count());
        let body = match part {
            Part::Number(x) => vec![number(x)],
            Part::Matrix(m) if is_small(&m) => literal(&m, width.saturating_sub(indent.len())),
            Part::Matrix(m) => matrix(&m).lines().map(String::from).collect(),
            Part::Operator(op) => operator_lines(&op, width.saturating_sub(indent.len())),
        };
        for (k, line) in body.into_iter().enumerate() {
            lines.push(if k == 0 { format!("{prefix}{line}") } else { format!("{indent}{line}") });
        }
    }
    lines
}

/// `m×n structure, s stored of m·n`, then (small operators) the parts: the
/// `text/plain` display of an operator.
pub fn operator(op: &Operator) -> String {
    operator_lines(op, print_options().width).join("\n")
}

/// A small operator as an HTML table: the summary as its caption, one row
/// per part (its name, then its matrix table or nested operator); `None`
/// for an operator too large to show its parts.
pub fn operator_html(op: &Operator) -> Option<String> {
    if !shows_parts(op) {
        return None;
    }
    if let Operator::Dense(m) = op {
        return Some(matrix_html(m));
    }
    let mut out = format!(
        "<table class=\"tessera-operator\"><caption style=\"white-space:nowrap;text-align:left\">{}</caption>",
        escape_html(&summary(op))
    );
    for (name, part) in parts(op) {
        let html = match part {
            Part::Number(x) => number(x),
            Part::Matrix(m) => matrix_html(&m),
            Part::Operator(op) => operator_html(&op).unwrap_or_else(|| escape_html(&summary(&op))),
        };
        out.push_str(&format!(
            "<tr><th style=\"text-align:left;vertical-align:top;font-weight:normal\">{name} =</th><td>{html}</td></tr>"
        ));
    }
    out.push_str("</table>");
    Some(out)
}

impl Operator {
    /// Its MIME bundle: `text/plain` ([`operator`]) and, for a small
    /// operator, `text/html` ([`operator_html`]).
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        let mut bundle = vec![("text/plain", operator(self))];
        bundle.extend(operator_html(self).map(|html| ("text/html", html)));
        bundle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[Vec<f64>]) -> Operator {
        Operator::Dense(Matrix::from_rows(rows).unwrap())
    }

    #[test]
    fn small_operators_show_their_parts_by_their_formulas_names() {
        let a = m(&[vec![1.0, 2.0], vec![3.0, 4.0]]);
        let k = Operator::kron(vec![a.clone(), Operator::Diagonal(vec![1.0, -1.0])]).unwrap();
        assert_eq!(
            operator(&k),
            "4×4 Kronecker (2×2 ⊗ 2×2), 6 stored of 16:\n A₁ = [1, 2; 3, 4]\n A₂ = 2×2 diagonal, 2 stored of 4:\n       d = [1, -1]"
        );
        let p = Operator::Permutation(vec![2, 0, 1]);
        assert_eq!(operator(&p), "3×3 permutation, 3 stored of 9:\n p = [2, 0, 1]");
        let u = Matrix::from_rows(&[vec![1.0], vec![2.0]]).unwrap();
        let lr = Operator::LowRank { u: u.clone(), v: u.clone() };
        assert_eq!(operator(&lr), "2×2 low-rank (rank ≤ 1), 4 stored of 4:\n U = [1; 2]\n V = [1; 2]");
        let scaled = Operator::Scaled(0.5, Box::new(Operator::Transposed(Box::new(lr))));
        assert_eq!(
            operator(&scaled),
            "2×2 scaled (0.5 · transposed low-rank (rank ≤ 1)), 5 stored of 4:\n s = 0.5\n A = 2×2 transposed low-rank (rank ≤ 1), 4 stored of 4:\n      A = 2×2 low-rank (rank ≤ 1), 4 stored of 4:\n           U = [1; 2]\n           V = [1; 2]"
        );
        let sum = Operator::Sum(vec![a.clone(), Operator::Diagonal(vec![0.5, 0.25])]);
        assert!(operator(&sum).starts_with("2×2 sum of 2, 6 stored of 4:\n A₁ = [1, 2; 3, 4]\n A₂ = 2×2 diagonal"));
        let ks = Operator::kronsum(a.clone(), m(&[vec![5.0]])).unwrap();
        assert_eq!(operator(&ks), "2×2 Kronecker sum (2×2 ⊕ 1×1), 5 stored of 4:\n A = [1, 2; 3, 4]\n B = [5]");
        // A Monarch matrix: L's blocks, then R's.
        let mut rng = crate::Rng::seeded(3);
        let monarch = Operator::Monarch(crate::ops::Monarch::random(4, 2, &mut rng).unwrap());
        let names: Vec<String> = operator(&monarch)
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(" = ").map(|(n, _)| n.trim().to_string()))
            .collect();
        assert_eq!(names, ["L₁", "L₂", "R₁", "R₂"]);
        // Larger than 16×16: the summary alone, in text and without HTML.
        let big = Operator::kron(vec![a.clone(), Operator::Dense(Matrix::eye(9))]).unwrap();
        assert_eq!(operator(&big), "18×18 Kronecker (2×2 ⊗ 9×9), 85 stored of 324");
        assert!(operator_html(&big).is_none());
    }

    #[test]
    fn a_small_operators_html_nests_its_parts_tables() {
        let k = Operator::kron(vec![m(&[vec![1.0, 2.0]]), m(&[vec![3.0], vec![4.0]])]).unwrap();
        let html = operator_html(&k).unwrap();
        assert!(html.starts_with("<table class=\"tessera-operator\"><caption"), "{html}");
        assert!(html.contains(">2×2 Kronecker (1×2 ⊗ 2×1), 4 stored of 4</caption>"), "{html}");
        assert_eq!(html.matches("<table class=\"tessera-matrix\">").count(), 2, "{html}");
        assert!(html.contains(">A₂ =</th>"), "{html}");
        let bundle = k.mime_bundle();
        assert_eq!(bundle.iter().map(|(mime, _)| *mime).collect::<Vec<_>>(), ["text/plain", "text/html"]);
    }
}

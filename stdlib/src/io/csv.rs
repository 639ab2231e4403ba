//! Comma-separated numbers: a matrix per file, one row per line, with an
//! optional first line of column names. Split by the `csv` crate (RFC 4180
//! quoting); the numbers are read by Rust's correctly rounded parser, so a
//! file written by numpy's `savetxt` with `%.17g` reads back bit for bit.
//!
//! The rules are numpy's `loadtxt(delimiter=",")`: whitespace around a field
//! is ignored, `#` starts a comment to the end of its line, blank lines are skipped, `nan`,
//! `inf` and `-inf` are numbers. Every data line must have as many fields as
//! the first; a ragged or damaged line is an error that names it.
//! Reading costs O(bytes); writing O(mn) numbers.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::Matrix;

/// Whether the first line of a file holds column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Names when some field of the first line is text (neither a number nor blank).
    Auto,
    /// The first line holds names.
    Yes,
    /// Every line holds numbers.
    No,
}

/// The contents of a CSV file: the numbers, and the column names when the
/// file has a header line.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// One name per column; `column_k` (from 0) where the header leaves one blank.
    pub names: Option<Vec<String>>,
    /// The numbers, one row per data line.
    pub values: Matrix,
}

fn damaged(reason: impl std::fmt::Display) -> Error {
    Error::file("load", format!("not a valid .csv file: {reason}"))
}

/// A field as text, or the error that names its place.
fn text(field: &[u8], line: u64, k: usize) -> Result<&str> {
    std::str::from_utf8(field).map_err(|_| damaged(format!("line {line}, field {}: not UTF-8 text", k + 1)))
}

/// A field as a number, or `None` when it is not one.
fn number(field: &[u8]) -> Option<f64> {
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// The bytes to parse: without a UTF-8 byte-order mark (Excel's "CSV UTF-8"
/// writes one), with old Mac line ends (a lone `\r`) as `\n`, and with
/// every `#` comment outside a quoted field cut to the end of its line, as
/// numpy's `loadtxt` cuts them (`1, 2  # note` reads as `1, 2`). A line that
/// starts with `#` becomes blank, and blank lines are skipped; every line
/// end stays, so line numbers are those of the file. One pass, `O(bytes)`;
/// copies only when there is a `#` or a lone `\r`.
fn normalized(bytes: &[u8]) -> Cow<'_, [u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !bytes.contains(&b'#') && !(0..bytes.len()).any(lone_cr) {
        return bytes.into();
    }
    let mut at = Place::FieldStart;
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let b = if lone_cr(i) { b'\n' } else { b };
        let (next, keep) = at.after(b);
        at = next;
        if keep {
            out.push(b);
        }
    }
    out.into()
}

/// Where a byte falls, as the csv crate splits fields: a `"` opens a
/// quoted field only as the field's first byte, and `""` inside one is a
/// quote.
#[derive(Clone, Copy)]
enum Place {
    FieldStart,
    InField,
    Quoted,
    /// Just after a `"` in a quoted field: its end, or the first of `""`.
    AfterQuote,
    Comment,
}

impl Place {
    /// The place after byte `b`, and whether `b` is kept (not a comment's).
    fn after(self, b: u8) -> (Place, bool) {
        use Place::*;
        match (self, b) {
            (Comment, b'\n') => (FieldStart, true),
            (Comment, _) => (Comment, false),
            (Quoted, b'"') => (AfterQuote, true),
            (Quoted, _) => (Quoted, true),
            (FieldStart, b'"') | (AfterQuote, b'"') => (Quoted, true),
            (_, b'#') => (Comment, false),
            (_, b',' | b'\n' | b'\r') => (FieldStart, true),
            _ => (InField, true),
        }
    }
}

/// Whether `Header::Auto` takes a first line for names: SPEC's "a
/// non-numeric first line is a header", read as some field being text
/// (neither a number nor blank). A damaged first line of numbers is
/// therefore skipped as a header, as SPEC has it.
fn looks_like_names(record: &::csv::ByteRecord) -> bool {
    record.iter().any(|f| !f.is_empty() && number(f).is_none())
}

/// The table in the bytes of a `.csv` file. An empty file (or one of
/// comments) is a 0×0 matrix, with no names even for [`Header::Yes`]; a
/// header alone is 0×n.
pub fn read_csv(bytes: &[u8], header: Header) -> Result<Table> {
    let bytes = &*normalized(bytes);
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(::csv::Trim::All).from_reader(bytes);
    let mut record = ::csv::ByteRecord::new();
    let mut names = None;
    let mut values = Vec::new();
    // The first line read: where it starts, and its width.
    let mut first: Option<(u64, usize)> = None;
    let mut rows = 0;
    while reader.read_byte_record(&mut record).map_err(damaged)? {
        let start = record.position().map_or(0, |p| p.byte());
        let line = || line_at(bytes, start);
        let is_header = first.is_none()
            && match header {
                Header::Yes => true,
                Header::No => false,
                Header::Auto => looks_like_names(&record),
            };
        if is_header {
            names = Some(column_names(&record, line())?);
            first = Some((start, record.len()));
            continue;
        }
        let (start0, width) = *first.get_or_insert((start, record.len()));
        if record.len() != width {
            let (n, w) = (record.len(), width);
            return Err(damaged(format!(
                "line {} has {n} field{} where line {} has {w}",
                line(),
                if n == 1 { "" } else { "s" },
                line_at(bytes, start0)
            )));
        }
        for (k, field) in record.iter().enumerate() {
            let x = number(field).ok_or_else(|| match text(field, line(), k) {
                Err(e) => e,
                Ok("") => damaged(format!("line {}, field {} is empty", line(), k + 1)),
                Ok(t) => damaged(format!("line {}, field {}: `{}` is not a number", line(), k + 1, shortened(t))),
            })?;
            values.push(x);
        }
        rows += 1;
    }
    let cols = first.map_or(0, |(_, w)| w);
    Ok(Table { names, values: Matrix::from_row_major(rows, cols, &values)? })
}

/// The number (from 1) of the line on which the record read from byte
/// `start` of the [`normalized`] bytes begins. The csv crate's position is
/// where its reading began, before the blank lines it skipped (and its line
/// count leaves blank lines out), so those are skipped here and the `\n`
/// before the record counted. `O(start)`, paid only to name a
/// line in an error.
fn line_at(bytes: &[u8], start: u64) -> u64 {
    let mut at = usize::try_from(start).map_or(bytes.len(), |s| s.min(bytes.len()));
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\n' | b'\r' => at += 1,
            _ => break,
        }
    }
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64
}

/// The names in a header line: blanks become `column_k`, a repeated name is an error.
fn column_names(record: &::csv::ByteRecord, line: u64) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    let mut seen = std::collections::HashMap::with_capacity(record.len());
    for (k, field) in record.iter().enumerate() {
        let name = match text(field, line, k)? {
            "" => format!("column_{k}"),
            t => t.to_string(),
        };
        if let Some(j) = seen.insert(name.clone(), k) {
            return Err(damaged(format!(
                "line {line}: the column name `{}` appears twice (fields {} and {})",
                shortened(&name),
                j + 1,
                k + 1
            )));
        }
        names.push(name);
    }
    Ok(names)
}

/// At most 40 characters of a field, for an error message.
fn shortened(t: &str) -> String {
    match t.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// `A` as the bytes of a `.csv` file, a header line first when `names` are
/// given (one per column). Numbers are the shortest decimals that read back
/// exactly (`0.1`, `1e-7`, `nan`, `-inf`), so the file round-trips.
pub fn write_csv(names: Option<&[String]>, a: &Matrix) -> Result<Vec<u8>> {
    let io = |e: ::csv::Error| Error::file("save", e.to_string());
    if a.cols() == 0 && (a.rows() > 0 || names.is_some()) {
        return Err(Error::invalid("save", "a .csv file needs at least one column"));
    }
    if let Some(names) = names {
        if names.len() != a.cols() {
            return Err(Error::invalid("save", format!("{} names for {} columns", names.len(), a.cols())));
        }
        // load (and numpy's loadtxt) would read them back otherwise: cut at
        // a comment, or trimmed.
        if let Some(bad) = names.iter().find(|n| n.contains('#') || n.trim() != n.as_str()) {
            return Err(Error::invalid(
                "save",
                format!("the column name `{}` has a # in it or white space at an end", shortened(bad)),
            ));
        }
    }
    let mut writer = ::csv::WriterBuilder::new().from_writer(Vec::new());
    if let Some(names) = names {
        writer.write_record(names).map_err(io)?;
    }
    let mut line = Vec::with_capacity(a.cols());
    for i in 0..a.rows() {
        line.clear();
        line.extend((0..a.cols()).map(|j| crate::display::number(a[(i, j)])));
        writer.write_record(&line).map_err(io)?;
    }
    writer.into_inner().map_err(|e| Error::file("save", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Shape;
    use crate::Rng;

    fn read(text: &str, header: Header) -> Result<Table> {
        read_csv(text.as_bytes(), header)
    }

    #[test]
    fn numbers_round_trip_bit_for_bit() {
        let mut a = Rng::seeded(3).randn(4, 3);
        a.set(0, 0, f64::NAN).unwrap();
        a.set(0, 1, f64::NEG_INFINITY).unwrap();
        a.set(1, 0, -0.0).unwrap();
        a.set(1, 1, 1e300).unwrap();
        a.set(1, 2, 5e-324).unwrap();
        let names: Vec<String> = ["x", "a, quoted \"name\"", ""].map(String::from).to_vec();
        let back = read_csv(&write_csv(Some(&names), &a).unwrap(), Header::Yes).unwrap();
        let bits = |m: &Matrix| m.to_row_major().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.values), bits(&a));
        assert_eq!(back.names.unwrap(), ["x", "a, quoted \"name\"", "column_2"]);
        assert_eq!(write_csv(None, &Matrix::from_row_major(1, 2, &[0.1, 2.0]).unwrap()).unwrap(), b"0.1,2\n");
    }

    #[test]
    fn headers_are_found_or_told() {
        let text = "a, b\n1, 2\n# a comment\n\n3,4\n";
        let auto = read(text, Header::Auto).unwrap();
        assert_eq!(auto.names.as_deref(), Some(&["a".to_string(), "b".to_string()][..]));
        assert_eq!(auto.values, Matrix::from_row_major(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap());
        assert_eq!(read("1,2\n", Header::Auto).unwrap().names, None);
        assert_eq!(read("1,2\n3,4\n", Header::Yes).unwrap().values.shape(), Shape(1, 2));
        assert_eq!(read("a,b\n", Header::Yes).unwrap().values.shape(), Shape(0, 2));
        assert_eq!(read("", Header::Auto).unwrap().values.shape(), Shape(0, 0));
        assert_eq!(read("# only\n", Header::No).unwrap().values.shape(), Shape(0, 0));
        // Comments end lines, as in numpy's loadtxt, except inside quotes.
        let table = read("a, b # names\n1, 2  # note\n3,4#\n", Header::Auto).unwrap();
        assert_eq!(table.names.unwrap(), ["a", "b"]);
        assert_eq!(table.values, Matrix::from_row_major(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap());
        assert_eq!(read("\"a#1\",b\n1,2\n", Header::Auto).unwrap().names.unwrap(), ["a#1", "b"]);
        // A quote opens a quoted field only as its first byte (as the csv crate reads it).
        let table = read("a\"b,\"c#d\"\n1,2\n", Header::Auto).unwrap();
        assert_eq!(table.names.unwrap(), ["a\"b", "c#d"]);
        assert_eq!(table.values, Matrix::from_row_major(1, 2, &[1.0, 2.0]).unwrap());
        let table = read("width 5\",n\n1,2 # note\n", Header::Auto).unwrap();
        assert_eq!(table.values, Matrix::from_row_major(1, 2, &[1.0, 2.0]).unwrap());
        assert_eq!(read("\"say \"\"#\"\"\",b # x\n1,2\n", Header::Auto).unwrap().names.unwrap(), ["say \"#\"", "b"]);
        // A byte-order mark and old Mac line ends.
        let table = read("\u{feff}x,y\r# note\r1,2\r\r3,4\r", Header::Auto).unwrap();
        assert_eq!(table.names.unwrap(), ["x", "y"]);
        assert_eq!(table.values, Matrix::from_row_major(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap());
    }

    #[test]
    fn damaged_files_name_their_line() {
        let message = |text: &str, header| read(text, header).unwrap_err().to_string();
        assert!(message("1,2,3\n4,5\n", Header::Auto).contains("line 2 has 2 fields where line 1 has 3"));
        assert!(message("a,b\n1,2\n\n3\n", Header::Auto).contains("line 4 has 1 field where line 1 has 2"));
        assert!(message("# c\r\n\r\n1,2\r\n3\r\n", Header::No).contains("line 4 has 1 field where line 3 has 2"));
        assert!(message("1,2\r\r3\r", Header::No).contains("line 3 has 1 field where line 1 has 2"));
        assert!(message("1,2\n3,abc\n", Header::No).contains("line 2, field 2: `abc` is not a number"));
        assert!(message("a,b\n", Header::No).contains("line 1, field 1: `a` is not a number"));
        assert!(message("1,,2\n", Header::Auto).contains("line 1, field 2 is empty"));
        // A first line with text in it is a header (SPEC), even beside numbers.
        assert_eq!(read("x,2020\n3,4\n", Header::Auto).unwrap().names.unwrap(), ["x", "2020"]);
        assert!(message("1,2\r#x\r3\r", Header::Auto).contains("line 3 has 1 field where line 1 has 2"));
        // numpy refuses a line of white space among the numbers too.
        assert!(message("1,2\n  \n3,4\n", Header::No).contains("line 2 has 1 field where line 1 has 2"));
        assert!(message("1,2\n  # c\n3,4\n", Header::No).contains("line 2 has 1 field where line 1 has 2"));
        assert!(message("a,b,a\n", Header::Yes).contains("`a` appears twice (fields 1 and 3)"));
        assert!(read_csv(b"1,2\n3,\xff\n", Header::Auto)
            .unwrap_err()
            .to_string()
            .contains("line 2, field 2: not UTF-8"));
        let refused = |names: &[&str], a: &Matrix| {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            write_csv(Some(&names), a).unwrap_err().to_string()
        };
        assert!(refused(&["a#"], &Matrix::ones(1, 1)).contains("has a # in it"));
        assert!(refused(&[" a"], &Matrix::ones(1, 1)).contains("white space"));
        assert!(refused(&[], &Matrix::zeros(0, 0)).contains("at least one column"));
        assert!(write_csv(None, &Matrix::zeros(2, 0)).unwrap_err().to_string().contains("at least one column"));
        assert_eq!(write_csv(None, &Matrix::zeros(0, 0)).unwrap(), b"");
        let long = format!("1,{}\n", "x".repeat(100));
        assert!(message(&long, Header::No).contains(&format!("`{}…`", "x".repeat(40))));
    }
}

//! The bridge between a Tessera session and its Rust cells (cargo feature `evcxr`).
//!
//! Tessera evaluates `%%rust` cells (`:rust` in the REPL) in an evcxr child
//! process. The two sides share one directory, named to the child by the
//! environment variable [`DIR_ENV`]:
//!
//! - before a cell, Tessera writes each session variable that the cell
//!   mentions to `in/NAME.cbor`, and binds it in the cell with [`get`];
//! - [`set`] writes `out/NAME.cbor`, which Tessera binds in the session after
//!   the cell;
//! - a panic in the cell is written to `panic.txt` by the hook that
//!   [`catch_panics`] installs, and Tessera reports it as the cell's error.
//!
//! Files are CBOR of [`Item`], bit for bit (see [`crate::encoding`]); each is
//! written to a temporary name and renamed, so a reader never sees half a file.
//!
//! ```no_run
//! // In a Rust cell, with the session's `A` (a matrix) in scope:
//! use tessera::prelude::*;
//! # let A = Matrix::zeros(2, 2);
//! let B = A.scale(2.0);
//! tessera::session::set("B", &B)?; // `B` is now a variable of the session
//! # Ok::<(), tessera::Error>(())
//! ```

use crate::{Error, Matrix, Operator, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The environment variable holding the shared directory.
pub const DIR_ENV: &str = "TESSERA_SESSION_DIR";

/// A value that crosses between the session and a Rust cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A dense matrix, bit for bit.
    Matrix(Matrix),
    /// A structured operator, structure kept.
    Operator(Operator),
    /// A number, bit for bit.
    Number(f64),
}

/// The file form of [`Item`]: numbers as their IEEE bits.
#[derive(Serialize, Deserialize)]
enum Stored {
    Matrix(Matrix),
    Operator(Operator),
    Number(u64),
}

impl Item {
    /// What kind of value this is, as Tessera names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Matrix(_) => "matrix",
            Item::Operator(_) => "operator",
            Item::Number(_) => "number",
        }
    }

    /// Writes the item to `path` (through a temporary file and a rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        let stored = match self {
            Item::Matrix(m) => Stored::Matrix(m.clone()),
            Item::Operator(op) => Stored::Operator(op.clone()),
            Item::Number(x) => Stored::Number(x.to_bits()),
        };
        let mut bytes = Vec::new();
        ciborium::into_writer(&stored, &mut bytes).map_err(|e| io_error(path, e))?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, bytes).map_err(|e| io_error(&partial, e))?;
        std::fs::rename(&partial, path).map_err(|e| io_error(path, e))
    }

    /// Reads an item written by [`Item::write`]; a malformed file is an error.
    pub fn read(path: &Path) -> Result<Item> {
        let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
        let stored: Stored = ciborium::from_reader(bytes.as_slice()).map_err(|e| io_error(path, e))?;
        Ok(match stored {
            Stored::Matrix(m) => Item::Matrix(m),
            Stored::Operator(op) => Item::Operator(op),
            Stored::Number(bits) => Item::Number(f64::from_bits(bits)),
        })
    }
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::InvalidArgument { op: "session", reason: format!("{}: {e}", path.display()) }
}

impl From<Matrix> for Item {
    fn from(m: Matrix) -> Item {
        Item::Matrix(m)
    }
}

impl From<&Matrix> for Item {
    fn from(m: &Matrix) -> Item {
        Item::Matrix(m.clone())
    }
}

/// A dense operator is handed over as the matrix it is.
impl From<Operator> for Item {
    fn from(op: Operator) -> Item {
        match op {
            Operator::Dense(m) => Item::Matrix(m),
            other => Item::Operator(other),
        }
    }
}

impl From<&Operator> for Item {
    fn from(op: &Operator) -> Item {
        Item::from(op.clone())
    }
}

impl From<f64> for Item {
    fn from(x: f64) -> Item {
        Item::Number(x)
    }
}

fn wrong_kind(want: &str, item: &Item) -> Error {
    Error::InvalidArgument {
        op: "session::get",
        reason: format!("wanted a {want}, the session holds a {}", item.kind()),
    }
}

impl TryFrom<Item> for Matrix {
    type Error = Error;
    fn try_from(item: Item) -> Result<Matrix> {
        match item {
            Item::Matrix(m) => Ok(m),
            Item::Operator(op) => Ok(op.dense()),
            other => Err(wrong_kind("matrix", &other)),
        }
    }
}

impl TryFrom<Item> for Operator {
    type Error = Error;
    fn try_from(item: Item) -> Result<Operator> {
        match item {
            Item::Operator(op) => Ok(op),
            Item::Matrix(m) => Ok(Operator::Dense(m)),
            other => Err(wrong_kind("operator", &other)),
        }
    }
}

impl TryFrom<Item> for f64 {
    type Error = Error;
    fn try_from(item: Item) -> Result<f64> {
        match item {
            Item::Number(x) => Ok(x),
            other => Err(wrong_kind("number", &other)),
        }
    }
}

/// The shared directory's files, as both sides name them.
pub struct Exchange {
    dir: PathBuf,
}

impl Exchange {
    /// The exchange in `dir` (its `in/` and `out/` are created).
    pub fn at(dir: &Path) -> Result<Exchange> {
        for sub in ["in", "out"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| io_error(&dir.join(sub), e))?;
        }
        Ok(Exchange { dir: dir.to_path_buf() })
    }

    /// The exchange named by [`DIR_ENV`]: inside a Tessera Rust cell.
    pub fn from_env() -> Result<Exchange> {
        let dir = std::env::var_os(DIR_ENV).ok_or_else(|| Error::InvalidArgument {
            op: "session",
            reason: format!("no Tessera session here (${DIR_ENV} is not set): this runs in Tessera's %%rust cells"),
        })?;
        Exchange::at(Path::new(&dir))
    }

    /// The shared directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `in/NAME.cbor`: a session variable for the cell.
    pub fn input(&self, name: &str) -> Result<PathBuf> {
        Ok(self.dir.join("in").join(format!("{}.cbor", checked_name(name)?)))
    }

    /// `out/NAME.cbor`: a value the cell hands to the session.
    pub fn output(&self, name: &str) -> Result<PathBuf> {
        Ok(self.dir.join("out").join(format!("{}.cbor", checked_name(name)?)))
    }

    /// Every value the cell handed over, by name (sorted), the files removed.
    pub fn take_outputs(&self) -> Result<Vec<(String, Item)>> {
        let out = self.dir.join("out");
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .map_err(|e| io_error(&out, e))?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".cbor").map(String::from))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let path = self.output(&name)?;
                let item = Item::read(&path);
                let _ = std::fs::remove_file(&path);
                Ok((name, item?))
            })
            .collect()
    }

    /// `panic.txt`: the message of a panic in the last cell.
    pub fn panic_file(&self) -> PathBuf {
        self.dir.join("panic.txt")
    }
}

/// A name is ASCII letters, digits and `_`, not starting with a digit.
fn checked_name(name: &str) -> Result<&str> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(Error::InvalidArgument {
            op: "session",
            reason: format!("`{name}` is not a variable name (letters, digits and _, not starting with a digit)"),
        })
    }
}

/// The session variable `name` (a matrix, an operator or a number) as `T`:
/// `Matrix`, `Operator` or `f64`. Tessera binds every session variable a
/// cell mentions this way before the cell runs.
pub fn get<T: TryFrom<Item, Error = Error>>(name: &str) -> Result<T> {
    let exchange = Exchange::from_env()?;
    let path = exchange.input(name)?;
    if !path.exists() {
        return Err(Error::InvalidArgument {
            op: "session::get",
            reason: format!("the session has no variable `{name}`"),
        });
    }
    Item::read(&path)?.try_into()
}

/// Hands `value` (a `Matrix`, an `Operator` or an `f64`) to the session as
/// the variable `name`, bound when the cell ends (the last `set` of a name wins).
pub fn set(name: &str, value: impl Into<Item>) -> Result<()> {
    let exchange = Exchange::from_env()?;
    value.into().write(&exchange.output(name)?)
}

/// Installs (once per process) a panic hook that writes the message and,
/// when it is not in the cell's own code, the location to `panic.txt`, for
/// Tessera to report as the cell's error instead of a trace through evcxr's
/// generated code.
pub fn catch_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            let place = info
                .location()
                .filter(|l| !l.file().starts_with("src/"))
                .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                .unwrap_or_default();
            match Exchange::from_env() {
                Ok(exchange) => {
                    let _ = std::fs::write(exchange.panic_file(), format!("{message}{place}"));
                }
                Err(_) => eprintln!("panicked: {message}{place}"),
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tessera-session-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn items_cross_bit_for_bit() {
        let dir = scratch("bits");
        let exchange = Exchange::at(&dir).unwrap();
        let odd_nan = f64::from_bits(0x7ff8_0000_dead_beef);
        let m = Matrix::from_rows(&[vec![1.5, -0.0], vec![odd_nan, f64::MIN_POSITIVE / 4.0]]).unwrap();
        let k = Operator::kron(vec![m.clone().into(), Operator::diagonal(vec![2.0, 3.0])]).unwrap();
        let bits = |m: &Matrix| m.to_row_major().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (name, item) in [("M", Item::from(&m)), ("K", Item::from(&k)), ("x", Item::from(odd_nan))] {
            let path = exchange.output(name).unwrap();
            item.write(&path).unwrap();
            let back = Item::read(&path).unwrap();
            match (&item, &back) {
                (Item::Matrix(a), Item::Matrix(b)) => assert_eq!(bits(a), bits(b)),
                (Item::Operator(a), Item::Operator(b)) => {
                    assert!(matches!(b, Operator::Kronecker(..)), "structure kept");
                    assert_eq!(a.structure(), b.structure());
                    assert_eq!(bits(&a.dense()), bits(&b.dense()), "entries kept bit for bit");
                }
                (Item::Number(a), Item::Number(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                _ => panic!("{name} changed kind: {} → {}", item.kind(), back.kind()),
            }
        }
        let names: Vec<String> = exchange.take_outputs().unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["K", "M", "x"]);
        assert!(exchange.take_outputs().unwrap().is_empty(), "taken once");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn conversions_follow_the_kinds() {
        let m = Matrix::eye(2);
        assert_eq!(Matrix::try_from(Item::from(Operator::diagonal(vec![1.0, 1.0]))).unwrap(), m);
        assert!(matches!(Operator::try_from(Item::from(&m)).unwrap(), Operator::Dense(_)));
        assert!(matches!(Item::from(Operator::Dense(m.clone())), Item::Matrix(_)), "dense goes as a matrix");
        let e = f64::try_from(Item::from(&m)).unwrap_err().to_string();
        assert!(e.contains("wanted a number, the session holds a matrix"), "{e}");
    }

    #[test]
    fn names_and_files_are_checked() {
        let dir = scratch("names");
        let exchange = Exchange::at(&dir).unwrap();
        for bad in ["", "2x", "a-b", "../x", "a b"] {
            assert!(exchange.output(bad).is_err(), "{bad:?}");
        }
        assert!(exchange.output("_x2").is_ok());
        std::fs::write(exchange.output("junk").unwrap(), b"\xff\x00 not cbor").unwrap();
        assert!(exchange.take_outputs().is_err(), "a malformed file is an error");
        // Forged files: 2×2 with one entry, a Kronecker product of nothing.
        use ciborium::Value as V;
        let text = |s: &str| V::Text(s.into());
        let matrix = V::Map(vec![
            (text("rows"), V::Integer(2.into())),
            (text("cols"), V::Integer(2.into())),
            (text("bits"), V::Array(vec![V::Integer(0.into())])),
        ]);
        let empty_kron = V::Map(vec![(text("Kronecker"), V::Array(vec![]))]);
        for (kind, forged) in [("Matrix", matrix), ("Operator", empty_kron)] {
            let mut bytes = Vec::new();
            ciborium::into_writer(&V::Map(vec![(text(kind), forged)]), &mut bytes).unwrap();
            let path = exchange.input("forged").unwrap();
            std::fs::write(&path, bytes).unwrap();
            assert!(Item::read(&path).is_err(), "{kind}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

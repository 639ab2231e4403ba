//! Indexing: 0-based, negative indices count from the end, ranges are
//! half-open, `:` takes everything. `A[i, j]` is an entry, `A[0:2, :]` a
//! submatrix, `v[i]` an entry of a vector, `A[i]` row `i` of a matrix (as numpy),
//! `r["name"]` the field of a record (for names that are not identifiers).
//! A logical matrix of the target's shape selects entries (`A[A > 0]`, the
//! column of them in row-major order; `A[M] = v` writes them), and a
//! logical vector along an axis selects the positions where it is true
//! (`A[:, sum(A, 0) > 0]`).

use crate::error::{ErrorKind, LangError, Result};
use crate::name::Name;
use crate::ops::{integer, to_matrix};
use crate::span::Span;
use crate::value::{Record, Value};
use std::rc::Rc;
use tessera::Matrix;

/// A subscript after evaluation.
pub enum Sub {
    All,
    Value(Value, Span),
    Open(Option<i64>, Option<i64>, Span),
}

/// The positions a subscript selects along an axis of length `len`, and
/// whether it was a single index (which drops the axis when reading).
fn positions(sub: &Sub, len: usize, span: Span) -> Result<(Vec<usize>, bool)> {
    let resolve = |i: i64, span: Span| -> Result<usize> {
        let k = if i < 0 { i + len as i64 } else { i };
        if k < 0 || k >= len as i64 {
            return Err(LangError::new(
                ErrorKind::Argument,
                format!("index {i} is out of bounds for length {len}"),
                Some(span),
            ));
        }
        Ok(k as usize)
    };
    // A range bound: negative counts from the end, then clamped as in numpy slicing.
    let bound = |i: i64| -> usize {
        let k = if i < 0 { i + len as i64 } else { i };
        k.clamp(0, len as i64) as usize
    };
    // A run of positions, listed only once the memory guard allows it.
    let run = |lo: usize, hi: usize| -> Result<(Vec<usize>, bool)> {
        let count = hi.saturating_sub(lo);
        tessera::memory::check_buffer("index", &format!("a selection of {count} positions"), count as u128, 8)
            .map_err(|e| LangError::from(e).at(span))?;
        Ok(((lo..hi.max(lo)).collect(), false))
    };
    match sub {
        Sub::All => run(0, len),
        Sub::Open(a, b, _) => run(a.map_or(0, bound), b.map_or(len, bound)),
        Sub::Value(Value::Range(a, b), _) => run(bound(*a), bound(*b)),
        Sub::Value(Value::Number(_) | Value::Bool(_), s) => {
            let Sub::Value(v, _) = sub else { unreachable!() };
            Ok((vec![resolve(integer(v, "an index").map_err(|e| e.at(*s))?, *s)?], true))
        }
        Sub::Value(Value::Logical(m), s) if m.is_vector() || m.is_empty() => {
            if m.len() != len {
                let msg = format!("a logical index of {} entries for an axis of length {len}", m.len());
                return Err(LangError::argument(msg, *s));
            }
            Ok((m.to_row_major().iter().enumerate().filter(|(_, &x)| x != 0.0).map(|(k, _)| k).collect(), false))
        }
        Sub::Value(Value::Matrix(m), s) if m.is_vector() || m.is_empty() => {
            let mut out = Vec::with_capacity(m.len());
            for x in m.to_row_major() {
                out.push(resolve(integer(&Value::Number(x), "an index").map_err(|e| e.at(*s))?, *s)?);
            }
            Ok((out, false))
        }
        Sub::Value(v, s) => Err(LangError::type_error(format!("{} cannot be an index", v.a_kind()), *s).at(span)),
    }
}

/// `target[subs]`.
pub fn read(target: &Value, subs: &[Sub], span: Span) -> Result<Value> {
    match target {
        // One entry of a range is computed, not read from the formed vector.
        Value::Range(a, b) if matches!(subs, [Sub::Value(Value::Number(_) | Value::Bool(_), _)]) => {
            let (picked, _) = positions(&subs[0], crate::ops::range_len(*a, *b), span)?;
            Ok(Value::Number((a + picked[0] as i64) as f64))
        }
        Value::Matrix(_) | Value::Logical(_) | Value::Range(..) => {
            let m = to_matrix(target).expect("matrix-like");
            // Entries of a logical matrix are truths: a bool, or a logical matrix.
            let logical = matches!(target, Value::Logical(_));
            let one = |x: f64| if logical { Value::Bool(x != 0.0) } else { Value::Number(x) };
            if let Some((i, j)) = entry(&m, subs) {
                return Ok(one(m[(i, j)]));
            }
            let part = |m: Matrix| if logical { Value::logical(m) } else { Value::matrix(m) };
            if let Some((mask, s)) = whole_mask(&m, subs) {
                return Ok(part(m.masked(mask).map_err(|e| LangError::from(e).at(s))?));
            }
            let (rows, cols, scalar) = matrix_positions(&m, subs, span)?;
            if scalar {
                return Ok(one(m[(rows[0], cols[0])]));
            }
            Ok(part(m.select(&rows, &cols)?))
        }
        Value::List(items) | Value::Tuple(items) => {
            let [sub] = subs else {
                return Err(LangError::argument(format!("{} takes one index", target.a_kind()), span));
            };
            let (picked, single) = positions(sub, items.len(), span)?;
            if single {
                return Ok(items[picked[0]].clone());
            }
            let out: Vec<Value> = picked.iter().map(|&i| items[i].clone()).collect();
            Ok(match target {
                Value::List(_) => Value::List(Rc::new(out)),
                _ => Value::tuple(out),
            })
        }
        Value::Record(r) => match subs {
            [Sub::Value(Value::Str(name), s)] => r.get(name).cloned().ok_or_else(|| no_field(r, name, *s)),
            _ => Err(LangError::argument("a record is indexed by a field name, r[\"name\"]", span)),
        },
        // Entries of an operator: apply it to the unit vectors of the selected
        // columns, or its transpose to those of the selected rows, whichever
        // are fewer (one apply per unit vector, never the dense matrix).
        Value::Operator(op) => {
            let [row, col] = subs else {
                return Err(LangError::argument("an operator takes two indices, A[i, j]", span));
            };
            let shape = op.shape();
            let (rows, r1) = positions(row, shape.0, span)?;
            let (cols, c1) = positions(col, shape.1, span)?;
            let units = |n: usize, at: &[usize]| {
                tessera::memory::check("index", n, at.len())?;
                Ok::<_, tessera::Error>(Matrix::from_fn(n, at.len(), |i, k| if i == at[k] { 1.0 } else { 0.0 }))
            };
            let picked = if rows.len() < cols.len() {
                let all: Vec<usize> = (0..rows.len()).collect();
                op.apply_transpose(&units(shape.0, &rows)?)?.select(&cols, &all)?.transpose()
            } else {
                let all: Vec<usize> = (0..cols.len()).collect();
                op.apply(&units(shape.1, &cols)?)?.select(&rows, &all)?
            };
            Ok(if r1 && c1 { Value::Number(picked[(0, 0)]) } else { Value::matrix(picked) })
        }
        other => Err(LangError::type_error(format!("{} cannot be indexed", other.a_kind()), span)),
    }
}

/// The mask of `A[M]`: a single logical subscript of the target's shape
/// (a logical vector of another shape selects along an axis instead).
fn whole_mask<'a>(m: &Matrix, subs: &'a [Sub]) -> Option<(&'a Matrix, Span)> {
    match subs {
        [Sub::Value(Value::Logical(mask), s)] if mask.shape() == m.shape() || !mask.is_vector() => Some((mask, *s)),
        _ => None,
    }
}

/// The entry `(i, j)` that two whole-number subscripts name inside `m`
/// (negative ones counting from the end): the loops' fast path, with no
/// position lists. `None` for anything else, which takes the general path
/// (and its errors).
fn entry(m: &Matrix, subs: &[Sub]) -> Option<(usize, usize)> {
    match subs {
        [Sub::Value(Value::Number(x), _), Sub::Value(Value::Number(y), _)] => entry_at(m, *x, *y),
        _ => None,
    }
}

/// [`entry`] of the subscripts `x` and `y`.
#[inline]
fn entry_at(m: &Matrix, x: f64, y: f64) -> Option<(usize, usize)> {
    // A whole number is the integer it casts to (the cast saturates, and
    // NaN casts to 0, which then differs from it); negative ones count
    // from the end, in integers, so no rounding makes a fraction whole.
    let at = |x: f64, len: usize| {
        let i = x as i64;
        if i as f64 != x {
            return None;
        }
        let k = if i < 0 { i + len as i64 } else { i };
        (0..len as i64).contains(&k).then_some(k as usize)
    };
    Some((at(x, m.rows())?, at(y, m.cols())?))
}

/// `target[x, y]` where it is an entry of a matrix (or a truth of a logical
/// one) and the subscripts are whole numbers in range; `None` otherwise.
#[inline]
pub fn read_entry(target: &Value, x: f64, y: f64) -> Option<Value> {
    match target {
        Value::Matrix(m) => entry_at(m, x, y).map(|ij| Value::Number(m[ij])),
        Value::Logical(m) => entry_at(m, x, y).map(|ij| Value::Bool(m[ij] != 0.0)),
        _ => None,
    }
}

/// Writes `v` at `target[x, y]` where that is an entry of a (non-logical)
/// matrix, as [`read_entry`] reads it; whether it did.
#[inline]
pub fn write_entry(target: &mut Value, x: f64, y: f64, v: f64) -> bool {
    match target {
        Value::Matrix(m) => match entry_at(m, x, y) {
            Some((i, j)) => Rc::make_mut(m).set(i, j, v).is_ok(),
            None => false,
        },
        _ => false,
    }
}

/// Rows, columns, and whether both subscripts were single indices.
fn matrix_positions(m: &Matrix, subs: &[Sub], span: Span) -> Result<(Vec<usize>, Vec<usize>, bool)> {
    match subs {
        [row, col] => {
            let (rows, r1) = positions(row, m.rows(), span)?;
            let (cols, c1) = positions(col, m.cols(), span)?;
            Ok((rows, cols, r1 && c1))
        }
        [sub] if m.rows() == 1 => {
            let (cols, single) = positions(sub, m.cols(), span)?;
            Ok((vec![0], cols, single))
        }
        [sub] if m.cols() == 1 => {
            let (rows, single) = positions(sub, m.rows(), span)?;
            Ok((rows, vec![0], single))
        }
        [sub] => {
            let (rows, _) = positions(sub, m.rows(), span)?;
            Ok((rows, (0..m.cols()).collect(), false))
        }
        _ => Err(LangError::argument(format!("a matrix takes one or two indices, got {}", subs.len()), span)),
    }
}

/// Writes `value` into the entries of `m` that `subs` select (copy on write).
fn write_entries(m: &mut Rc<Matrix>, subs: &[Sub], value: &Value, span: Span) -> Result<()> {
    if let (Value::Number(x), Some((i, j))) = (value, entry(m, subs)) {
        return Rc::make_mut(m).set(i, j, *x).map_err(|e| LangError::from(e).at(span));
    }
    let v = to_matrix(value)
        .ok_or_else(|| LangError::type_error(format!("{} cannot be stored in a matrix", value.a_kind()), span))?;
    if let Some((mask, s)) = whole_mask(m, subs) {
        return Rc::make_mut(m).assign_masked(mask, &v).map_err(|e| LangError::from(e).at(s));
    }
    let (rows, cols, _) = matrix_positions(m, subs, span)?;
    Rc::make_mut(m).assign(&rows, &cols, &v).map_err(|e| LangError::from(e).at(span))
}

/// One step of an assignment path, evaluated: `[subs]` or `.name`.
pub enum Place {
    Index(Vec<Sub>, Span),
    Field(Name, Span),
}

/// Writes `value` at `path` inside `target`, in place (copying only what
/// is shared with another value). On an error `target` is unchanged: every
/// check comes before the write.
pub fn write(target: &mut Value, path: &[Place], value: Value) -> Result<()> {
    match path {
        [] => {
            *target = value;
            Ok(())
        }
        [Place::Field(name, span)] => set_field(target, name, value, *span),
        [Place::Index(subs, span)] => assign(target, subs, value, *span),
        [step, rest @ ..] => write(part(target, step)?, rest, value),
    }
}

/// The part of `target` that a step of a longer path leads into: a record's
/// field or a list's item (a matrix entry has no parts).
fn part<'a>(target: &'a mut Value, step: &Place) -> Result<&'a mut Value> {
    match (target, step) {
        (Value::Record(r), Place::Field(name, span)) => field_mut(r, name, *span),
        (Value::Record(r), Place::Index(subs, span)) => match &subs[..] {
            [Sub::Value(Value::Str(name), s)] => field_mut(r, name, *s),
            _ => Err(LangError::argument("a record is indexed by a field name, r[\"name\"]", *span)),
        },
        (Value::List(items), Place::Index(subs, span)) => list_item(items, subs, *span),
        (other, Place::Field(name, span)) => {
            Err(LangError::type_error(format!("{} has no fields (`.{name}`)", other.a_kind()), *span))
        }
        (other, Place::Index(_, span)) => Err(LangError::type_error(
            format!("cannot assign into a part of {}; assign to its entries directly (A[i, j] = x)", other.a_kind()),
            *span,
        )),
    }
}

/// A list's item, for writing into.
fn list_item<'a>(items: &'a mut Rc<Vec<Value>>, subs: &[Sub], span: Span) -> Result<&'a mut Value> {
    let [sub] = subs else {
        return Err(LangError::argument("a list takes one index", span));
    };
    let (picked, single) = positions(sub, items.len(), span)?;
    if !single {
        return Err(LangError::argument("assign to one list item at a time", span));
    }
    Ok(&mut Rc::make_mut(items)[picked[0]])
}

/// A record's field, for writing into.
fn field_mut<'a>(r: &'a mut Rc<Record>, name: &str, span: Span) -> Result<&'a mut Value> {
    if r.get(name).is_none() {
        return Err(no_field(r, name, span));
    }
    let fields = &mut Rc::make_mut(r).fields;
    let field = fields.iter_mut().find(|(n, _)| &**n == name).map(|(_, v)| v).expect("checked");
    // Writing into an unread tensor reads it first.
    if let Value::Tensor(_) = field {
        *field = field.clone().read().map_err(|e| LangError::from(e).at(span))?;
    }
    Ok(field)
}

/// The error for a field a record lacks, listing the fields it has.
pub fn no_field(r: &Record, name: &str, span: Span) -> LangError {
    let names: Vec<&str> = r.fields.iter().map(|(n, _)| &**n).collect();
    LangError::new(
        ErrorKind::Name,
        format!("the record has no field `{name}` (its fields: {})", names.join(", ")),
        Some(span),
    )
}

/// `r.name = value`: replaces the field, or adds it at the end.
fn set_field(target: &mut Value, name: &str, value: Value, span: Span) -> Result<()> {
    let Value::Record(r) = target else {
        return Err(LangError::type_error(format!("{} has no fields (`.{name}`)", target.a_kind()), span));
    };
    let r = Rc::make_mut(r);
    match r.fields.iter_mut().find(|(n, _)| &**n == name) {
        Some((_, v)) => *v = value,
        None => r.fields.push((Name::new(name), value)),
    }
    Ok(())
}

/// `target[subs] = value`, in place.
fn assign(target: &mut Value, subs: &[Sub], value: Value, span: Span) -> Result<()> {
    match target {
        Value::Matrix(m) => write_entries(m, subs, &value, span),
        // A logical matrix stays logical while it holds only 0 and 1.
        Value::Logical(m) => {
            write_entries(m, subs, &value, span)?;
            if !m.to_row_major().iter().all(|&x| x == 0.0 || x == 1.0) {
                *target = Value::Matrix(m.clone());
            }
            Ok(())
        }
        Value::Record(_) => match subs {
            [Sub::Value(Value::Str(name), s)] => set_field(target, &name.clone(), value, *s),
            _ => Err(LangError::argument("a record is indexed by a field name, r[\"name\"]", span)),
        },
        Value::List(items) => {
            *list_item(items, subs, span)? = value;
            Ok(())
        }
        other => Err(LangError::type_error(format!("{} cannot be assigned into", other.a_kind()), span)),
    }
}

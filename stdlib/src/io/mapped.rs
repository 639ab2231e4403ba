//! A `.safetensors` file mapped into memory, its tensors converted one at a
//! time when they are read: how a model larger than RAM is walked layer by
//! layer.
//!
//! [`map_safetensors`] maps the file (memmap2) and validates its header with
//! the safetensors crate, which only reads the header's pages. Each
//! [`MappedTensor::read`] converts its bytes to an `f64` matrix and then tells
//! the kernel that the process no longer needs those pages
//! (`madvise(MADV_DONTNEED)`; they stay in the page cache, shared, and come
//! back on the next read), so the process's resident memory stays at about
//! one tensor however many are walked.
//!
//! The map is shared and read-only. A program that rewrites the file (as
//! `torch.save`, `safetensors.save_file` or Tessera's own `save` do, by
//! truncating it) would make a later read fault on pages that no longer
//! exist, so every read first compares the file's length and modification
//! time with what they were when it was mapped, and refuses a changed file.
//! Only a rewrite racing a read in progress can still fault.

use super::{malformed, tensor_matrix};
use crate::error::{Error, Result};
use crate::{Matrix, Shape};
use memmap2::Mmap;
use safetensors::{Dtype, SafeTensors};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The map and what the file was when it was mapped.
struct Mapped {
    map: Mmap,
    file: File,
    path: PathBuf,
    stamp: (u64, Option<SystemTime>),
}

/// The length and modification time of `file`.
fn stamp(file: &File) -> std::io::Result<(u64, Option<SystemTime>)> {
    let meta = file.metadata()?;
    Ok((meta.len(), meta.modified().ok()))
}

/// One unread tensor of a mapped file: its name, element type, shape as a
/// matrix (`d₀ × (d₁⋯d_k)`) and the place of its bytes.
#[derive(Clone)]
pub struct MappedTensor {
    map: Arc<Mapped>,
    name: String,
    dtype: Dtype,
    dims: Vec<usize>,
    start: usize,
    len: usize,
}

impl std::fmt::Debug for MappedTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedTensor({} {} {:?})", self.name, self.dtype(), self.dims)
    }
}

impl MappedTensor {
    /// The tensor's name in the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its element type as safetensors names it, lower case (`"bf16"`, `"f32"`).
    pub fn dtype(&self) -> String {
        self.dtype.to_string().to_lowercase()
    }

    /// Its dimensions as stored.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The shape of the matrix it reads as.
    pub fn shape(&self) -> Shape {
        let (m, n) = super::matrix_shape(&self.dims).expect("checked when mapped");
        Shape(m, n)
    }

    /// Bytes in the file.
    pub fn bytes(&self) -> usize {
        self.len
    }

    /// The tensor as an `f64` matrix. `O(mn)`; errors when the file has
    /// changed since it was mapped, and as reading the whole file would (a
    /// matrix too large for memory).
    pub fn read(&self) -> Result<Matrix> {
        let mapped = &*self.map;
        if stamp(&mapped.file).ok() != Some(mapped.stamp) {
            return Err(Error::file(
                "load",
                format!("\"{}\" has changed since it was loaded; load it again", mapped.path.display()),
            ));
        }
        let data = &mapped.map[self.start..self.start + self.len];
        let m = tensor_matrix(&self.name, self.dtype, &self.dims, data);
        release(&mapped.map, self.start, self.len);
        m
    }
}

/// Tells the kernel that the process no longer needs the pages of
/// `map[start..start + len]` (`MADV_DONTNEED`): they leave its resident set
/// and stay in the page cache.
#[cfg(unix)]
fn release(map: &Mmap, start: usize, len: usize) {
    // SAFETY: the map is read-only, so dropping its pages loses nothing (the
    // next access reads them from the file again), and no reference into
    // these bytes outlives the read that made them.
    unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, len) }.ok();
}

#[cfg(not(unix))]
fn release(_: &Mmap, _: usize, _: usize) {}

/// Maps the `.safetensors` file at `path` and lists its tensors, sorted by
/// name, reading only its header. Errors on a file that cannot be opened, a
/// malformed header (offsets, sizes, a data section of the wrong length),
/// and an element type that Tessera does not read.
pub fn map_safetensors(path: &Path) -> Result<Vec<MappedTensor>> {
    let cannot =
        |what: &str, e: std::io::Error| Error::file("load", format!("cannot {what} \"{}\": {e}", path.display()));
    let file = File::open(path).map_err(|e| cannot("read", e))?;
    let stamp = stamp(&file).map_err(|e| cannot("read", e))?;
    // SAFETY: a read-only map; every read checks first that the file has
    // not changed since (the module's note).
    let map = unsafe { Mmap::map(&file) }.map_err(|e| cannot("map", e))?;
    let map = Arc::new(Mapped { map, file, path: path.to_path_buf(), stamp });
    let parsed = SafeTensors::deserialize(&map.map).map_err(|e| malformed(".safetensors", e))?;
    let base = map.map.as_ptr() as usize;
    let mut out = Vec::with_capacity(parsed.len());
    for (name, view) in parsed.tensors() {
        super::element_of(&name, view.dtype())?;
        super::matrix_shape(view.shape()).ok_or_else(|| malformed(".safetensors", "a shape overflows"))?;
        let data = view.data();
        out.push(MappedTensor {
            map: map.clone(),
            dtype: view.dtype(),
            dims: view.shape().to_vec(),
            start: data.as_ptr() as usize - base,
            len: data.len(),
            name,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::write_safetensors;
    use crate::Rng;

    fn file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("tessera-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn mapped_tensors_read_as_the_whole_file_does() {
        let mut rng = Rng::seeded(3);
        let tensors = vec![("w".to_string(), rng.randn(3, 2)), ("b".to_string(), rng.randn(1, 2))];
        let path = file("round.safetensors", &write_safetensors(&tensors).unwrap());
        let mapped = map_safetensors(&path).unwrap();
        let names: Vec<&str> = mapped.iter().map(MappedTensor::name).collect();
        assert_eq!(names, ["b", "w"]);
        assert_eq!((mapped[1].shape(), mapped[1].dtype(), mapped[1].bytes()), (Shape(3, 2), "f64".to_string(), 48));
        assert_eq!(mapped[1].read().unwrap(), tensors[0].1);
        // a second read, after the pages were let go, reads the same
        assert_eq!(mapped[1].read().unwrap(), tensors[0].1);
        assert_eq!(mapped[0].read().unwrap(), tensors[1].1);
    }

    #[test]
    fn bfloat16_tensors_of_three_dimensions_are_matricised() {
        let header = br#"{"x":{"dtype":"BF16","shape":[2,1,2],"data_offsets":[0,8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        for v in [1.0f32, -0.5, 0.25, 3.0] {
            bytes.extend_from_slice(&half::bf16::from_f32(v).to_le_bytes());
        }
        let mapped = map_safetensors(&file("bf16.safetensors", &bytes)).unwrap();
        assert_eq!((mapped[0].dims(), mapped[0].dtype().as_str()), (&[2, 1, 2][..], "bf16"));
        assert_eq!(mapped[0].read().unwrap(), Matrix::from_row_major(2, 2, &[1.0, -0.5, 0.25, 3.0]).unwrap());
    }

    #[test]
    fn malformed_and_missing_files_are_errors() {
        let good = write_safetensors(&[("a".into(), Matrix::ones(2, 2))]).unwrap();
        let e = map_safetensors(&file("short.safetensors", &good[..good.len() - 3])).unwrap_err();
        assert!(e.to_string().contains("not a valid .safetensors file"), "{e}");
        assert!(map_safetensors(&file("empty.safetensors", &[])).is_err());
        let e = map_safetensors(Path::new("/nonexistent/x.safetensors")).unwrap_err().to_string();
        assert!(e.starts_with("load: cannot read \"/nonexistent/x.safetensors\""), "{e}");
        let header = br#"{"x":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 8]);
        if let Ok(mapped) = map_safetensors(&file("complex.safetensors", &bytes)) {
            panic!("complex elements mapped: {mapped:?}");
        }
    }
}

//! The memory guard: a matrix or buffer is refused, with an
//! [`Error::OutOfMemory`] that names its size, before an allocation that the
//! process could not survive. A failed allocation aborts a Rust process, and an
//! allocation the kernel over-commits is killed later, so the check must come
//! first.
//!
//! What is available is the least of
//! - `MemAvailable` of `/proc/meminfo` (free memory plus what the page cache
//!   gives back),
//! - the cgroup's `memory.max − memory.current` (cgroup v2), where one is set,
//! - the soft `RLIMIT_AS` less the process's `VmSize`, where one is set,
//!
//! less a reserve that keeps the session able to answer. Each is read when a
//! request is large enough to matter (at least [`CHECKED_BYTES`], or a side of
//! at least [`CHECKED_SIDE`]), so small matrices cost one multiplication.
//! Elsewhere than Linux only those limits that can be read apply.

use crate::error::{Error, Result, Shape};

/// Requests below this many bytes are not checked (reading the limits costs
/// about 20 µs; filling 4 MiB costs about 1 ms).
pub const CHECKED_BYTES: u128 = 4 << 20;

/// Sides at least this long are checked even when the matrix is empty: a
/// `0×9e15` matrix holds nothing, but every pass over its columns would run for
/// days. A side must be short enough that one row or column of it would fit.
pub const CHECKED_SIDE: usize = 1 << 19;

/// Kept free: the session must still be able to show the error.
const RESERVE: u128 = 64 << 20;

/// Bytes this process can still allocate, as the module documentation says
/// (`u128::MAX` where nothing can be read).
pub fn available() -> u128 {
    let limits = [mem_available(), cgroup_available(), address_space_available()];
    limits.into_iter().flatten().min().unwrap_or(u128::MAX).saturating_sub(RESERVE)
}

/// Checks that an `rows×cols` matrix of `f64` can be allocated.
///
/// `op` names the operation in the error:
/// `kron: a 1000000×1000000 matrix would take 7.3 TiB, and 21.4 GiB is available`.
pub fn check(op: &'static str, rows: usize, cols: usize) -> Result<()> {
    check_elements(op, Shape(rows, cols), rows as u128 * cols as u128, 8, rows.max(cols))
}

/// Checks that a buffer of `count` items of `item_bytes` each can be
/// allocated; `what` says what it is ("a histogram of 1000000000000 bins").
pub fn check_buffer(op: &'static str, what: &str, count: u128, item_bytes: u128) -> Result<()> {
    let bytes = count.saturating_mul(item_bytes);
    if bytes < CHECKED_BYTES {
        return Ok(());
    }
    let free = available();
    if bytes > free {
        return Err(Error::OutOfMemory { op, what: what.to_string(), bytes, available: free });
    }
    Ok(())
}

/// Panics with an [`Error::OutOfMemory`] payload when `rows×cols` cannot be
/// allocated: the backstop of the infallible constructors ([`crate::Matrix::zeros`]
/// and the like), which a session's panic boundary turns back into that error.
/// Fallible paths call [`check`] first and return the error instead.
pub fn guard(rows: usize, cols: usize) {
    if let Err(e) = check("matrix", rows, cols) {
        std::panic::panic_any(e);
    }
}

/// (`shape` is formatted only for the error: this runs at every allocation.)
fn check_elements(op: &'static str, shape: Shape, elements: u128, item_bytes: u128, side: usize) -> Result<()> {
    let bytes = elements.saturating_mul(item_bytes);
    if bytes < CHECKED_BYTES && side < CHECKED_SIDE {
        return Ok(());
    }
    let free = available();
    let side_bytes = side as u128 * item_bytes;
    if bytes > free || side_bytes > free {
        let what = if bytes > free {
            format!("a {shape} matrix")
        } else {
            format!("a {shape} matrix (one side alone, {side} numbers long)")
        };
        return Err(Error::OutOfMemory { op, what, bytes: bytes.max(side_bytes), available: free });
    }
    Ok(())
}

/// `1.5 GiB`, `64 MiB`, `7.3 TiB`: bytes in binary units, three digits.
pub fn human(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value >= 100.0 => format!("{value:.0} {}", UNITS[unit]),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// A `kB` field of a `/proc` file (`MemAvailable:  123 kB`), in bytes.
fn kib_field(text: &str, key: &str) -> Option<u128> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line[key.len()..].split_whitespace().next()?.parse::<u128>().ok()? * 1024)
}

fn mem_available() -> Option<u128> {
    kib_field(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemAvailable:")
}

/// `memory.max − memory.current` of this process's cgroup (v2), if it has a limit.
fn cgroup_available() -> Option<u128> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let max = read("memory.max")?.trim().parse::<u128>().ok()?;
    let current = read("memory.current")?.trim().parse::<u128>().ok()?;
    Some(max.saturating_sub(current))
}

/// The soft address-space limit less the address space in use, if a limit is set.
fn address_space_available() -> Option<u128> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max address space"))?;
    let soft = line["Max address space".len()..].split_whitespace().next()?.parse::<u128>().ok()?;
    let used = kib_field(&std::fs::read_to_string("/proc/self/status").ok()?, "VmSize:")?;
    Some(soft.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_matrices_pass_and_impossible_ones_are_named() {
        assert_eq!(check("zeros", 100, 100), Ok(()));
        let e = check("zeros", 100_000_000, 100_000_000).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("zeros: a 100000000×100000000 matrix would take 71.1 PiB, and "), "{text}");
        assert!(text.ends_with(" is available"), "{text}");
    }

    #[test]
    fn an_empty_matrix_with_an_impossible_side_is_refused() {
        let e = check("zeros", 0, 9_000_000_000_000_000).unwrap_err();
        assert!(e.to_string().contains("one side alone, 9000000000000000 numbers long"), "{e}");
        assert_eq!(check("zeros", 0, 1000), Ok(()));
    }

    #[test]
    fn buffers_are_checked_by_bytes() {
        assert_eq!(check_buffer("hist", "a histogram of 10 bins", 10, 8), Ok(()));
        let e = check_buffer("hist", "a histogram of 1000000000000000 bins", 1_000_000_000_000_000, 8).unwrap_err();
        assert!(e.to_string().starts_with("hist: a histogram of 1000000000000000 bins would take 7.1 PiB"), "{e}");
    }

    #[test]
    fn the_guard_panics_with_the_error_as_payload() {
        let payload = std::panic::catch_unwind(|| guard(1 << 40, 1 << 40)).unwrap_err();
        let e = payload.downcast::<Error>().expect("an Error payload");
        assert!(matches!(*e, Error::OutOfMemory { op: "matrix", .. }), "{e}");
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human(512), "512 B");
        assert_eq!(human(64 << 20), "64.0 MiB");
        assert_eq!(human(1536 << 20), "1.5 GiB");
        assert_eq!(human(300 << 30), "300 GiB");
    }

    #[test]
    fn linux_limits_parse() {
        assert_eq!(kib_field("MemTotal: 10 kB\nMemAvailable:   2048 kB\n", "MemAvailable:"), Some(2048 * 1024));
        assert_eq!(kib_field("MemTotal: 10 kB\n", "MemAvailable:"), None);
        if cfg!(target_os = "linux") {
            assert!(mem_available().is_some());
            assert!(available() < u128::MAX);
        }
    }
}

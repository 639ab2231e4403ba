//! A model larger than memory: `load` maps a `.safetensors` file and converts
//! a tensor only when it is read, so a script can walk every tensor of a file
//! far larger than what it keeps resident.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Tensors of the synthetic file: 64 of 4096×2048 `f32`, 32 MiB each, 2 GiB in all.
const TENSORS: usize = 64;
const ROWS: usize = 4096;
const COLS: usize = 2048;

/// Writes the file without holding it in memory: tensor `i` is filled with `i + 1`.
fn write_big_file(path: &Path) {
    let bytes = ROWS * COLS * 4;
    let header: Vec<String> = (0..TENSORS)
        .map(|i| {
            let (start, end) = (i * bytes, (i + 1) * bytes);
            format!("\"layer.{i:02}\":{{\"dtype\":\"F32\",\"shape\":[{ROWS},{COLS}],\"data_offsets\":[{start},{end}]}}")
        })
        .collect();
    let mut header = format!("{{{}}}", header.join(","));
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(&(header.len() as u64).to_le_bytes()).unwrap();
    out.write_all(header.as_bytes()).unwrap();
    for i in 0..TENSORS {
        let chunk: Vec<u8> = std::iter::repeat_n(((i + 1) as f32).to_le_bytes(), 1 << 16).flatten().collect();
        for _ in 0..bytes / chunk.len() {
            out.write_all(&chunk).unwrap();
        }
    }
    out.flush().unwrap();
}

/// The largest resident set, in bytes, of the children waited for so far.
#[cfg(target_os = "linux")]
fn children_peak_rss() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) }, 0);
    // SAFETY: initialised by the successful call above.
    (unsafe { usage.assume_init() }.ru_maxrss as u64) * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn walking_every_tensor_of_a_2_gb_file_keeps_the_peak_rss_under_400_mb() {
    let dir = std::env::temp_dir().join(format!("tessera-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.safetensors");
    write_big_file(&path);
    assert!(std::fs::metadata(&path).unwrap().len() as usize > TENSORS * ROWS * COLS * 4);
    let script = format!(
        "m = load(\"{}\")\nt = 0\nfor k in keys(m) {{ t = t + norm(m[k]) }}\nprint(t)\nprint(m)",
        path.display()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tessera")).args(["-e", &script]).output().expect("the binary runs");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let stdout = String::from_utf8(out.stdout).unwrap();
    // ‖(i + 1)·ones‖_F = (i + 1)·√(rows·cols), summed over i = 0…63: 2080·√(rows·cols)
    let total: f64 = stdout.lines().next().unwrap().trim().parse().unwrap();
    let expected = 2080.0 * ((ROWS * COLS) as f64).sqrt();
    assert!((total - expected).abs() <= 1e-12 * expected, "{total} against {expected}");
    // the record shows its tensors unread, by shape and element type
    assert!(stdout.contains("layer.00") && stdout.contains("4096×2048 f32"), "{stdout}");
    let peak = children_peak_rss();
    assert!(peak < 400 << 20, "peak RSS {} MiB", peak >> 20);
}

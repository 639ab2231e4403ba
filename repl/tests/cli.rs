//! The `tessera` binary end to end: `-e`, `run`, exit codes, error rendering,
//! and the golden scripts in `tests/scripts` (each `.tsr` beside its `.out`).

use std::path::Path;
use std::process::{Command, Output};

fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera")).args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn evaluate_shows_the_final_value() {
    let out = tessera(&["-e", "1+1"]);
    assert_eq!(text(&out.stdout), "2\n");
    assert_eq!(out.status.code(), Some(0));
    let out = tessera(&["-e", "x = 3;"]);
    assert_eq!(text(&out.stdout), "");
    let out = tessera(&["-e", "print(0.1); [1, 2]"]);
    assert_eq!(text(&out.stdout), "0.1\n1×2 matrix:\n 1  2\n");
}

#[test]
fn errors_exit_with_one_and_point_at_the_source() {
    let out = tessera(&["-e", "a = 1\nb = [1, 2] * [3, 4]"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: *: shapes 1×2 and 1×2 do not match"), "{err}");
    assert!(err.contains("line 2, column 5"), "{err}");
    assert!(err.contains("b = [1, 2] * [3, 4]"), "{err}");
    let out = tessera(&["-e", "1 + + "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 1, column"), "{}", text(&out.stderr));
}

#[test]
fn bad_usage_exits_with_two() {
    assert_eq!(tessera(&["--bogus"]).status.code(), Some(2));
    assert_eq!(tessera(&["-e"]).status.code(), Some(2));
    assert_eq!(tessera(&["run", "/nonexistent/file.tsr"]).status.code(), Some(2));
    let help = tessera(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("tessera run FILE.tsr"));
}

#[test]
fn golden_scripts_print_what_they_should() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scripts");
    let mut ran = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/scripts") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "tsr") {
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("out")).expect("a .out beside each .tsr");
        let out = tessera(&["run", path.to_str().expect("utf-8 path")]);
        assert_eq!(text(&out.stderr), "", "{}", path.display());
        assert_eq!(text(&out.stdout), expected, "{}", path.display());
        assert_eq!(out.status.code(), Some(0), "{}", path.display());
        ran += 1;
    }
    assert!(ran >= 2, "found {ran} scripts");
}

#[test]
fn run_writes_figures_with_savefig_and_shows_them_as_text() {
    let dir = std::env::temp_dir().join(format!("tessera-cli-figures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("figures.tsr");
    let (svg, png) = (dir.join("f.svg"), dir.join("f.png"));
    std::fs::write(
        &script,
        format!(
            "f = heatmap(eye(8), title = \"eye\", size = (300, 200))\nsavefig(f, \"{}\")\nsavefig(f, \"{}\")\nf\n",
            svg.display(),
            png.display()
        ),
    )
    .unwrap();
    let out = tessera(&["run", script.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "run prints only what the script prints");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("eye"));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // The IHDR chunk: width and height, big-endian, at bytes 16..24.
    assert_eq!((&bytes[16..20], &bytes[20..24]), (&300u32.to_be_bytes()[..], &200u32.to_be_bytes()[..]));
    // -e shows a figure as the REPL would; without a terminal, as plain braille text.
    let out = tessera(&["-e", "spy(eye(4))"]);
    assert!(text(&out.stdout).contains('⢸') && !text(&out.stdout).contains('\u{1b}'), "{}", text(&out.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_gallery_script_draws_every_figure_of_docs_gallery() {
    let dir = std::env::temp_dir().join(format!("tessera-gallery-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/gallery/gallery.tsr");
    let out = Command::new(env!("CARGO_BIN_EXE_tessera")).args(["run", script]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for kind in ["plot", "scatter", "hist", "heatmap", "spy", "spectrum"] {
        let bytes = std::fs::read(dir.join(format!("{kind}.png"))).unwrap();
        assert_eq!((&bytes[16..20], &bytes[20..24]), (&640u32.to_be_bytes()[..], &480u32.to_be_bytes()[..]), "{kind}");
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/gallery");
        assert!(std::path::Path::new(committed).join(format!("{kind}.png")).exists(), "docs/gallery/{kind}.png");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-e ':rust …'` runs one Rust cell (the Jupyter tests run many in one
/// session); each case starts evcxr, so they run in one test, one after the
/// other, and the stdlib is compiled once (in the first build slot).
#[cfg(feature = "rust")]
#[test]
fn rust_cells_run_report_compile_errors_with_spans_and_panics() {
    let out = tessera(&["-e", ":rust let m = Matrix::eye(2).scale(3.0);\nm.norm_fro()"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{:?}\n", 18f64.sqrt()));

    let out = tessera(&["-e", ":rust let x: f64 = \"text\";"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("\nerror: mismatched types [E0308]"), "{err}");
    assert!(err.contains("at line 1, column 20") && err.contains("^^^^^^"), "{err}");

    let out = tessera(&["-e", "%%rust\nlet v = vec![1.0];\nlet _ = v[3];"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("\nerror: the Rust cell panicked: index out of bounds"), "{err}");
}

/// `tessera -e CODE` under an address-space limit of `gib` GiB (`ulimit -v`).
fn limited(gib: u64, code: &str) -> Output {
    let script = format!("ulimit -v {} && exec \"$0\" -e \"$1\"", gib << 20);
    Command::new("bash").args(["-c", &script, env!("CARGO_BIN_EXE_tessera"), code]).output().expect("bash runs")
}

/// Found by fuzzing: under a memory limit the guard compared against the
/// machine's memory only, and a large matrix or a growing list ended the
/// process. Now the limit is what counts, and the refusal is an error.
#[test]
fn under_a_memory_limit_allocations_are_refused_cleanly() {
    let out = limited(4, "A = randn(20000, 20000); size(A)");
    let err = text(&out.stderr);
    match out.status.code() {
        // 3.2 GB may just fit beside the process; then it is the right answer.
        Some(0) => assert_eq!(text(&out.stdout), "(20000, 20000)\n"),
        _ => assert!(err.starts_with("error: randn: a 20000×20000 matrix would take 3.0 GiB, and "), "{err}"),
    }
    assert!(!err.contains("panicked") && !err.contains("internal"), "{err}");

    let out = limited(2, "xs = list(); while true { xs = push(xs, randn(1000, 1000)) }");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: randn: a 1000×1000 matrix would take 7.6 MiB, and "), "{err}");
    assert!(err.contains("at line 1, column 41"), "{err}");
}

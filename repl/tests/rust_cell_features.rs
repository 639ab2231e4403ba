//! A Rust cell that adds cubecl, as `examples/rust/cubecl_kernel.ipynb` does,
//! must not change the features of any crate the stdlib's Rust-cell build
//! already compiled: cargo would then build faer, the stdlib and every crate
//! under serde a second time (most of ten minutes on two cores) before cubecl.
//! The stdlib's `evcxr` feature turns those features on; this checks its list
//! against cargo's own resolution, with `cargo tree` (no compiling).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The `:dep` line of the notebook's cell that adds cubecl.
fn notebook_cubecl_dep() -> String {
    let path = Path::new(ROOT).join("examples/rust/cubecl_kernel.ipynb");
    let notebook: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // A cell's source is one string or a list of lines.
    let sources = notebook["cells"].as_array().unwrap().iter().map(|cell| match &cell["source"] {
        serde_json::Value::Array(lines) => lines.iter().filter_map(|line| line.as_str()).collect(),
        source => source.as_str().unwrap().to_string(),
    });
    let source = sources.into_iter().find(|source| source.contains(":dep cubecl")).unwrap();
    let line = source.lines().find(|line| line.starts_with(":dep cubecl")).unwrap();
    line.trim_start_matches(":dep ").to_string()
}

/// Every crate of a Rust cell's build with these extra dependency lines, as
/// `name version features` (a crate built with two feature sets gives two).
fn resolved(name: &str, extra: &[String]) -> BTreeSet<String> {
    let dir = std::env::temp_dir().join(format!("tessera-cell-features-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    // As the Rust-cell engine writes it: the stdlib without gpu, with evcxr,
    // resolved from the workspace's Cargo.lock.
    let stdlib = Path::new(ROOT).join("stdlib");
    let manifest = format!(
        "[package]\nname = \"ctx\"\nversion = \"1.0.0\"\nedition = \"2024\"\n\n[dependencies]\n\
         tessera = {{ package = \"tessera-stdlib\", path = {:?}, default-features = false, features = [\"evcxr\"] }}\n{}\n",
        stdlib.to_string_lossy(),
        extra.join("\n")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal,build", "--prefix", "none", "-f", "{p} {f}"])
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| line.trim_end_matches(" (*)").to_string())
        .filter(|line| !line.starts_with("ctx "))
        .collect()
}

#[test]
fn adding_cubecl_to_a_rust_cell_keeps_the_features_of_the_stdlibs_dependencies() {
    let alone = resolved("alone", &[]);
    let with_cubecl = resolved("cubecl", &[notebook_cubecl_dep()]);
    assert!(alone.iter().any(|line| line.starts_with("faer ")), "{alone:?}");
    assert!(with_cubecl.iter().any(|line| line.starts_with("cubecl-wgpu ")), "{with_cubecl:?}");
    let changed: Vec<&String> = alone.difference(&with_cubecl).collect();
    assert!(
        changed.is_empty(),
        "with cubecl, these crates of the stdlib's build get other features (add cubecl's to the stdlib's `evcxr` feature):\n{}",
        changed.iter().map(|line| line.as_str()).collect::<Vec<_>>().join("\n")
    );
}

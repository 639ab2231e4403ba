//! Every script in `examples/` runs (from the examples folder, as its header
//! says) and reports what the reference libraries report on the same data:
//! the numbers come from `tests/fixtures/oracle.json`, written by
//! `tests/fixtures/generate.py` with pyriemann, numpy and scikit-image.

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn oracle() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/oracle.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("oracle.json")).expect("valid JSON")
}

/// The standard output of `tessera run NAME` in the examples folder, run
/// once however many tests read it.
fn run(name: &str) -> String {
    static RUNS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    if let Some((_, out)) = RUNS.lock().unwrap().iter().find(|(n, _)| n == name) {
        return out.clone();
    }
    let out = run_script(name);
    RUNS.lock().unwrap().push((name.to_string(), out.clone()));
    out
}

fn run_script(name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["run", name])
        .current_dir(examples())
        .output()
        .expect("the binary runs");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{name}");
    assert_eq!(out.status.code(), Some(0), "{name}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The text after `label` on the line that starts with it.
fn after<'a>(output: &'a str, label: &str) -> &'a str {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no line `{label}` in\n{output}"))
        .trim()
}

#[test]
fn every_example_script_runs() {
    let mut ran = 0;
    for entry in std::fs::read_dir(examples()).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "tsr") {
            run(path.file_name().and_then(|n| n.to_str()).expect("name"));
            ran += 1;
        }
    }
    assert!(ran >= 3, "found {ran} example scripts");
}

#[test]
fn basic_motions_accuracy_matches_pyriemann() {
    let out = run("covariance.tsr");
    let reference = oracle()["basic_motions"]["accuracy"].as_f64().expect("accuracy");
    assert_eq!(after(&out, "accuracy:").parse::<f64>().expect("a number"), reference, "{out}");
}

#[test]
fn motorcycle_depths_match_numpy() {
    let out = run("camera.tsr");
    let m = &oracle()["motorcycle"];
    let valid = after(&out, "disparity map: (250, 371) pixels with a depth:");
    assert_eq!(valid, m["valid"].to_string());
    let tenth = |key: &str| format!("{}", (m[key].as_f64().expect(key) * 10.0).round() / 10.0);
    let expected =
        format!("nearest {} median {} farthest {}", tenth("nearest_mm"), tenth("median_mm"), tenth("farthest_mm"));
    assert_eq!(after(&out, "depth (mm):"), expected);
    assert!(after(&out, "R Rᵀ = I:").starts_with("true") && !out.contains("false"), "{out}");
    let rms: f64 = after(&out, "reprojection error (px):").parse().expect("a number");
    assert!(rms > 0.2 && rms < 1.0, "half-pixel noise gives a sub-pixel fit, got {rms}");
}

#[test]
fn commuting_rope_is_relative_and_liere_is_not() {
    let out = run("rope.tsr");
    assert!(!out.contains("false"), "{out}");
    assert_eq!(out.matches(" true").count(), 2 + 2 * 4 + 2, "{out}");
    let worst: f64 = after(&out, "LieRE commutator norm:")
        .split("largest relative error:")
        .nth(1)
        .and_then(|s| s.trim().parse().ok())
        .expect("LieRE's error");
    assert!(worst > 0.1, "LieRE should visibly break the relative property, got {worst}");
}

/// The rank-32 errors of `minilm.tsr`, in the order printed: (tensor, error).
fn ranked(output: &str) -> Vec<(String, f64)> {
    output
        .lines()
        .skip_while(|l| !l.starts_with("rank-32 relative error"))
        .skip(1)
        .map_while(|l| {
            let (name, error) = l.split_once(' ')?;
            Some((name.to_string(), error.trim().parse().ok()?))
        })
        .collect()
}

/// `minilm.tsr` on the real weights of all-MiniLM-L6-v2: the tensor table,
/// then the 36 attention and feed-forward matrices worst first, each error
/// numpy's (from its singular values) to the 6 decimals printed.
#[test]
fn minilm_rank_32_errors_are_numpys_worst_first() {
    let weights = examples().join("data/minilm.safetensors");
    assert!(weights.exists(), "{}: scripts/test installs tests/weights.txt and links it", weights.display());
    let out = run("minilm.tsr");
    assert!(out.contains("record of 104 fields"), "{out}");
    assert!(out.contains("embeddings.word_embeddings.weight") && out.contains("30522×384"), "{out}");
    let numpy = &oracle()["minilm"]["errors"];
    let ranked = ranked(&out);
    assert_eq!(ranked.len(), 36, "{out}");
    for pair in ranked.windows(2) {
        assert!(pair[0].1 >= pair[1].1, "not worst first: {pair:?}");
    }
    for (name, error) in &ranked {
        let want = numpy[name].as_f64().unwrap_or_else(|| panic!("numpy has no {name}"));
        assert!((error - want).abs() <= 5e-7, "{name}: {error} against numpy's {want}");
    }
    assert!(out.contains("figure: plot 6 series"), "{out}");
}

/// `compression.tsr`'s table for one matrix: (method, bits, error) per line.
fn compressed(output: &str, part: &str) -> Vec<(String, f64, f64)> {
    output
        .lines()
        .skip_while(|l| !l.starts_with(part))
        .skip(1)
        .map_while(|l| {
            let (name, rest) = l.strip_prefix("  ")?.split_once(" bits ")?;
            let (bits, error) = rest.split_once(" error ")?;
            Some((name.trim().to_string(), bits.trim().parse().ok()?, error.trim().parse().ok()?))
        })
        .collect()
}

/// `compression.tsr` on the real MiniLM weights. Theory: more bits of the
/// same code, LoRC's best rank-8 correction of NF3's error, more Kronecker
/// terms and a higher LQ-LoRA rank never do worse. Observed, checked loosely:
/// LQ-LoRA beats LoRC at the same bits, and PiSSA's residual quantizes better
/// than W itself.
#[test]
fn compression_methods_beat_their_baselines_where_theory_says_so() {
    let out = run("compression.tsr");
    for part in ["attention.self.query", "intermediate.dense"] {
        let rows = compressed(&out, part);
        assert!(rows.len() >= 12, "{part}: {rows:?}\n{out}");
        let error = |name: &str| rows.iter().find(|r| r.0 == name).unwrap_or_else(|| panic!("{name} in {out}")).2;
        let bits = |name: &str| rows.iter().find(|r| r.0 == name).expect("listed").1;
        assert_eq!((bits("NF4"), bits("NF3"), bits("NF2")), (4.5, 3.5, 2.5));
        assert!(error("NF4") < error("NF3") && error("NF3") < error("NF2"), "{rows:?}");
        assert!(error("LoRC NF3 + rank 8") < error("NF3"), "{rows:?}");
        let lq = ["LQ-LoRA NF3 rank 8", "LQ-LoRA NF3 rank 32", "LQ-LoRA NF3 rank 64"].map(error);
        assert!(lq[0] > lq[1] && lq[1] > lq[2], "{rows:?}");
        assert_eq!(bits("LQ-LoRA NF3 rank 8"), bits("LoRC NF3 + rank 8"));
        assert!(lq[0] < error("LoRC NF3 + rank 8"), "{rows:?}");
        assert!(error("PiSSA rank 16 + NF4") < error("NF4"), "{rows:?}");
        let kron = [1, 2, 4, 8].map(|t| error(&format!("nearest Kronecker, t = {t}")));
        assert!(kron.windows(2).all(|w| w[1] < w[0]) && kron[0] < 1.0, "{rows:?}");
    }
    assert!(out.contains("Monarch, 16 blocks"), "{out}");
    assert!(out.contains("figure: scatter 8 series, 25 points"), "{out}");
}

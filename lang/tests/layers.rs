//! The registry sits below the evaluator: no builtin imports `eval.rs`, so
//! that builtins see only the `Ctx` they are given.

#[test]
fn builtins_import_nothing_from_the_evaluator() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/builtins");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("crate::eval"), "{} imports the evaluator", path.display());
        files += 1;
    }
    assert!(files >= 10, "found {files} files in {}", dir.display());
}

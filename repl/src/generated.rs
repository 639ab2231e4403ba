//! Files generated from the registry and the lexer, kept in the repository
//! and checked to be current: a test fails when one is stale, and
//! `TESSERA_BLESS=1 cargo test -p tessera-repl` writes them anew.

/// Compares `contents` with the file at `path` (relative to the repository
/// root), writing it first when `TESSERA_BLESS` is set.
pub fn assert_current(path: &str, contents: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    if std::env::var_os("TESSERA_BLESS").is_some() {
        std::fs::write(&full, contents).unwrap_or_else(|e| panic!("write {path}: {e}"));
    }
    let current = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(current == contents, "{path} is stale: run `TESSERA_BLESS=1 cargo test -p tessera-repl` and commit it");
}

//! Every example in `docs/language.md` runs, and shows what the page says.
//! A ```tessera block runs in a fresh session; its `# → ` lines are the
//! expected display of the block's last value.

use tessera_lang::{display, NullSink, Session};

fn page() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/language.md")).expect("docs/language.md")
}

/// `(code, expected)` of every ```tessera block.
fn examples(page: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```tessera" {
            continue;
        }
        let (mut code, mut expected) = (Vec::new(), Vec::new());
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            match l.strip_prefix("# → ") {
                Some(e) => expected.push(e),
                None if l == "# →" => expected.push(""),
                None => code.push(l),
            }
        }
        out.push((code.join("\n"), (!expected.is_empty()).then(|| expected.join("\n"))));
    }
    out
}

#[test]
fn every_example_on_the_language_page_runs_as_shown() {
    let page = page();
    let examples = examples(&page);
    assert!(examples.len() >= 25, "found {} examples", examples.len());
    for (code, expected) in examples {
        let mut s = Session::new();
        let value = s.execute(&code, &mut NullSink).unwrap_or_else(|e| panic!("{}\n{}", code, e.render(&code)));
        if let Some(expected) = expected {
            let shown = value.map_or_else(|| "(nothing)".to_string(), |v| display::plain(&v));
            assert_eq!(shown, expected, "\n{code}");
        }
    }
}

#[test]
fn the_page_names_every_builtin() {
    let page = page();
    // Every builtin of the registry's groups (the test-only builtin is in none).
    for name in tessera_lang::builtins::groups().into_iter().flat_map(|(_, bs)| bs).map(|b| b.name) {
        assert!(page.contains(&format!("`{name}`")), "docs/language.md does not mention `{name}`");
    }
}

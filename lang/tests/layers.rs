//! The lang crate reads bottom-up: span, name, ast, error, lexer, parser →
//! values (value, env, context, code, scalar) → display, gpu → ops, index →
//! builtins → eval → session. Builtins see only the `Ctx` they are given, so
//! nothing below the evaluator imports it, and the only import circle is the
//! values layer's (a value can be a builtin, whose signature names the `Ctx`,
//! or a closure, whose scope holds values and whose compiled code holds
//! constants and its scalar code).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The crate's top-level modules and the top-level modules each imports
/// (`crate::name` outside comments; a module's submodules count as the module).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = top.trim_end_matches(".rs").to_string();
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let used = graph.entry(module.clone()).or_default();
            for line in text.lines().map(|l| l.split("//").next().unwrap_or("")) {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    if let Some(list) = rest.strip_prefix('{') {
                        // `crate::{a, b::c}`: each item's first segment.
                        let list = list.split('}').next().unwrap_or("");
                        used.extend(list.split(',').filter_map(|item| first_segment(item.trim())));
                    } else {
                        used.extend(first_segment(rest));
                    }
                }
            }
            used.remove(&module);
        }
    }
    graph
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

/// The modules `from` reaches through imports.
fn reach(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

#[test]
fn the_modules_import_downwards_and_the_only_circle_is_the_values_layer() {
    let graph = imports();
    assert!(graph.len() >= 20, "found {} modules: {:?}", graph.len(), graph.keys());
    let values: BTreeSet<String> = ["code", "context", "env", "scalar", "value"].map(String::from).into();
    for module in graph.keys() {
        let reached = reach(&graph, module);
        if reached.contains(module) {
            assert!(values.contains(module), "{module} is in an import circle: it reaches {reached:?}");
        }
    }
    // The values layer imports nothing above it.
    for module in &values {
        let below = ["ast", "boundary", "error", "lexer", "name", "parser", "span", "suggest"];
        let above: Vec<String> =
            reach(&graph, module).into_iter().filter(|m| !values.contains(m) && !below.contains(&m.as_str())).collect();
        assert!(above.is_empty(), "{module} imports {above:?}");
    }
}

#[test]
fn nothing_below_the_evaluator_imports_it() {
    let graph = imports();
    for module in ["builtins", "context", "display", "env", "gpu", "index", "ops", "value"] {
        assert!(!reach(&graph, module).contains("eval"), "{module} reaches the evaluator");
    }
}

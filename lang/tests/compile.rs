//! Compilation resolves names once: a function's own names are slots of its
//! call scope, a cell's names are global slots.

use std::rc::Rc;
use tessera_lang::ast::StmtKind as AstStmt;
use tessera_lang::code::{self, ExprKind, Function, StmtKind};
use tessera_lang::env::Scope;
use tessera_lang::name::Name;
use tessera_lang::parser::parse;

fn compiled(source: &str) -> Rc<Function> {
    match &parse(source).unwrap()[0].kind {
        AstStmt::Fn(def) => code::function(def),
        _ => panic!("a function"),
    }
}

fn names(f: &Function) -> Vec<&str> {
    f.names.iter().map(|n| &**n).collect()
}

#[test]
fn a_function_has_its_parameters_then_its_assigned_names() {
    let f = compiled("fn f(a, b = 2) { c = a + b; for i in 0:3 { d = i }; fn g() { e = 1 }; (x, y) = (1, 2) }");
    // `e` is g's; `a` and `b` are read, not assigned, and are slots.
    assert_eq!(names(&f), ["a", "b", "c", "i", "d", "g", "x", "y"]);
    assert!(f.defaults[1].is_some() && f.defaults[0].is_none());
}

#[test]
fn a_name_read_before_its_assignment_is_a_slot() {
    let f = compiled("fn f() { for i in 0:2 { if i > 0 { print(x) }; x = i } }");
    assert_eq!(names(&f), ["i", "x"]);
    let body = format!("{:?}", f.body);
    assert!(body.contains("name: \"x\", slot: Some(1)"), "{body}");
    assert!(body.contains("name: \"print\", slot: None"), "{body}");
}

#[test]
fn a_cell_gives_each_name_a_global_slot() {
    let globals = Scope::global();
    let stmts = code::cell(&parse("y = kron(x, pi)").unwrap(), &globals);
    let StmtKind::Assign { value, .. } = &stmts[0].kind else { panic!("an assignment") };
    let ExprKind::Call(callee, _) = &value.kind else { panic!("a call") };
    let ExprKind::Var(kron) = &callee.kind else { panic!("a variable") };
    assert_eq!(kron.slot, globals.slot(&Name::new("kron")));
    for name in ["y", "kron", "x", "pi"] {
        assert!(globals.slot(&Name::new(name)).is_some(), "{name}");
    }
    // Interned names are not variables until they are set.
    assert!(globals.names().is_empty());
}

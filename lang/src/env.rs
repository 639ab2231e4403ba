//! Scopes. The session's globals are one scope; each function call opens a
//! new scope whose parent is the scope the function was defined in (lexical
//! scoping, so closures see the variables around their definition). Blocks,
//! `if` and loops do not open scopes. Assignment writes to the current scope.

use crate::name::Name;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;

/// A shared scope.
pub type Env = Rc<Scope>;

/// Variables of one scope and the scope around it.
#[derive(Default)]
pub struct Scope {
    vars: RefCell<FxHashMap<Name, Value>>,
    parent: Option<Env>,
}

impl Scope {
    /// A scope with no parent (the session's globals).
    pub fn global() -> Env {
        Rc::new(Scope::default())
    }

    /// A scope inside `parent` (a function call).
    pub fn child(parent: &Env) -> Env {
        Rc::new(Scope { vars: RefCell::default(), parent: Some(parent.clone()) })
    }

    /// The value of `name` here or in an enclosing scope.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.lookup(&Name::new(name))
    }

    /// The value of an interned name here or in an enclosing scope (the evaluator's path).
    pub fn lookup(&self, name: &Name) -> Option<Value> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }

    /// Binds `name` in this scope.
    pub fn set(&self, name: Name, value: Value) {
        let mut vars = self.vars.borrow_mut();
        match vars.get_mut(&name) {
            Some(slot) => *slot = value,
            None => {
                vars.insert(name, value);
            }
        }
    }

    /// Takes `name` out of this scope (for in-place updates), if it is bound here.
    pub fn take(&self, name: &Name) -> Option<Value> {
        self.vars.borrow_mut().remove(name)
    }

    /// The names bound in this scope, sorted.
    pub fn names(&self) -> Vec<Name> {
        let mut names: Vec<_> = self.vars.borrow().keys().cloned().collect();
        names.sort();
        names
    }

    /// Removes every binding of this scope.
    pub fn clear(&self) {
        self.vars.borrow_mut().clear();
    }

    /// The enclosing scope (`None` for the globals).
    pub fn parent(&self) -> Option<&Env> {
        self.parent.as_ref()
    }

    /// The value bound to `name` in this scope itself (not its parents).
    pub fn own(&self, name: &Name) -> Option<Value> {
        self.vars.borrow().get(name).cloned()
    }

    /// Names visible from this scope (for completion and suggestions).
    pub fn visible_names(&self) -> Vec<Name> {
        let mut names = self.names();
        if let Some(p) = &self.parent {
            names.extend(p.visible_names());
        }
        names
    }
}

//! Scopes. The session's globals are one scope; each function call opens a
//! new scope whose parent is the scope the function was defined in (lexical
//! scoping, so closures see the variables around their definition). Blocks,
//! `if` and loops do not open scopes. Assignment writes to the current scope.
//!
//! A scope keeps its variables in numbered slots. Compiled code
//! ([`crate::code`]) reaches the variables of its own scope by slot, resolved
//! once when the cell or function is compiled, and any other by name. A
//! call's scope has its function's names, fixed at compilation; the globals
//! (and scopes rebuilt by name, as a loaded workspace's closures) add names
//! as they are first used. An unset slot is a name not bound (yet).

use crate::name::Name;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A shared scope.
pub type Env = Rc<Scope>;

/// Variables of one scope and the scope around it.
pub struct Scope {
    names: Names,
    slots: RefCell<Vec<Option<Value>>>,
    parent: Option<Env>,
    /// A number unique to this scope if it grows (its slots never move, so
    /// code may remember one), 0 for a call's scope.
    id: u64,
}

/// The names of a scope's slots, in slot order.
enum Names {
    /// A function's parameters and the names its body assigns.
    Fixed(Rc<[Name]>),
    /// Names added as they are first used, with an index from name to slot.
    Growing(RefCell<(Vec<Name>, FxHashMap<Name, usize>)>),
}

impl Scope {
    /// A scope with no parent (the session's globals).
    pub fn global() -> Env {
        Rc::new(Scope::growing(None))
    }

    /// A scope inside `parent` whose names grow as they are set (a scope
    /// rebuilt by name).
    pub fn child(parent: &Env) -> Env {
        Rc::new(Scope::growing(Some(parent.clone())))
    }

    fn growing(parent: Option<Env>) -> Scope {
        static LAST: AtomicU64 = AtomicU64::new(0);
        let id = LAST.fetch_add(1, Ordering::Relaxed) + 1;
        Scope { names: Names::Growing(RefCell::default()), slots: RefCell::default(), parent, id }
    }

    /// See the field `id`: nonzero for a growing scope.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The scope of a call: the slots `names`, all unset, inside `parent`.
    /// It is `spare` (a finished call's scope, see [`Scope::release`]) made
    /// over when given, so that calls reuse scopes rather than allocate them.
    pub fn frame(names: &Rc<[Name]>, parent: &Env, spare: Option<Env>) -> Env {
        if let Some(mut env) = spare {
            if let Some(scope) = Rc::get_mut(&mut env) {
                let slots = scope.slots.get_mut();
                if slots.len() != names.len() {
                    slots.resize(names.len(), None);
                }
                if !matches!(&scope.names, Names::Fixed(n) if Rc::ptr_eq(n, names)) {
                    scope.names = Names::Fixed(names.clone());
                }
                scope.parent = Some(parent.clone());
                return env;
            }
        }
        let slots = RefCell::new(vec![None; names.len()]);
        Rc::new(Scope { names: Names::Fixed(names.clone()), slots, parent: Some(parent.clone()), id: 0 })
    }

    /// A finished call's scope with its variables unset, to be reused by
    /// [`Scope::frame`], if nothing else holds it (a closure made in the
    /// call does, and keeps it as it is).
    pub fn release(mut env: Env) -> Option<Env> {
        let scope = Rc::get_mut(&mut env)?;
        scope.slots.get_mut().iter_mut().for_each(|slot| *slot = None);
        scope.parent = None;
        Some(env)
    }

    /// The slot of `name` in this scope, if it has one.
    pub fn slot(&self, name: &Name) -> Option<usize> {
        match &self.names {
            Names::Fixed(names) => names.iter().position(|n| n == name),
            Names::Growing(names) => names.borrow().1.get(name).copied(),
        }
    }

    /// `f` of the names of the slots, in slot order.
    fn with_names<R>(&self, f: impl FnOnce(&[Name]) -> R) -> R {
        match &self.names {
            Names::Fixed(names) => f(names),
            Names::Growing(names) => f(&names.borrow().0),
        }
    }

    /// The slot of `name`, added (unset) if this scope grows and lacks it.
    /// `None` for a name outside a call's fixed names.
    pub fn intern(&self, name: &Name) -> Option<usize> {
        match &self.names {
            Names::Fixed(_) => self.slot(name),
            Names::Growing(names) => {
                let (list, index) = &mut *names.borrow_mut();
                Some(*index.entry(name.clone()).or_insert_with(|| {
                    list.push(name.clone());
                    self.slots.borrow_mut().push(None);
                    list.len() - 1
                }))
            }
        }
    }

    /// The value in `slot`, if it is set.
    #[inline(always)]
    pub fn get_slot(&self, slot: usize) -> Option<Value> {
        self.slots.borrow()[slot].clone()
    }

    /// The number in `slot`, if it holds one.
    #[inline(always)]
    pub fn number(&self, slot: usize) -> Option<f64> {
        match self.slots.borrow()[slot] {
            Some(Value::Number(x)) => Some(x),
            _ => None,
        }
    }

    /// Sets `slot`.
    #[inline(always)]
    pub fn set_slot(&self, slot: usize, value: Value) {
        let old = self.slots.borrow_mut()[slot].replace(value);
        // A number leaves nothing to free; anything else is dropped out of
        // the borrow (its drop may reach other scopes).
        if let Some(old) = old {
            if !matches!(old, Value::Number(_)) {
                drop_value(old);
            } else {
                std::mem::forget(old);
            }
        }
    }

    /// `f` of the contents of `slot`, in place (`f` must not reach this scope).
    #[inline]
    pub fn with_slot<R>(&self, slot: usize, f: impl FnOnce(&mut Option<Value>) -> R) -> R {
        f(&mut self.slots.borrow_mut()[slot])
    }

    /// Takes the value out of `slot` (for an in-place update), leaving it unset.
    pub fn take_slot(&self, slot: usize) -> Option<Value> {
        self.slots.borrow_mut()[slot].take()
    }

    /// The value of `name` here or in an enclosing scope.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.lookup(&Name::new(name))
    }

    /// The value of an interned name here or in an enclosing scope.
    pub fn lookup(&self, name: &Name) -> Option<Value> {
        if let Some(v) = self.own(name) {
            return Some(v);
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }

    /// Binds `name` in this scope (a call's scope holds only its own names).
    pub fn set(&self, name: Name, value: Value) {
        let slot = self.intern(&name).expect("a call's scope is written through its own names");
        self.set_slot(slot, value);
    }

    /// The names bound in this scope, sorted.
    pub fn names(&self) -> Vec<Name> {
        let slots = self.slots.borrow();
        let mut names: Vec<Name> = self.with_names(|names| {
            names.iter().zip(slots.iter()).filter(|(_, v)| v.is_some()).map(|(n, _)| n.clone()).collect()
        });
        names.sort();
        names
    }

    /// Removes every binding of this scope.
    pub fn clear(&self) {
        self.slots.borrow_mut().iter_mut().for_each(|v| *v = None);
    }

    /// The enclosing scope (`None` for the globals).
    pub fn parent(&self) -> Option<&Env> {
        self.parent.as_ref()
    }

    /// The value bound to `name` in this scope itself (not its parents).
    pub fn own(&self, name: &Name) -> Option<Value> {
        self.slot(name).and_then(|slot| self.get_slot(slot))
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

#[inline(never)]
fn drop_value(v: Value) {
    drop(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_found_by_name_and_unset_slots_are_unbound() {
        let globals = Scope::global();
        let (x, y) = (Name::new("x"), Name::new("y"));
        let sx = globals.intern(&x).unwrap();
        assert_eq!(globals.intern(&x), Some(sx));
        assert!(globals.lookup(&x).is_none() && globals.names().is_empty());
        globals.set(y.clone(), Value::Number(2.0));
        globals.set_slot(sx, Value::Number(1.0));
        assert_eq!(globals.names(), [x.clone(), y.clone()]);
        let frame = Scope::frame(&Rc::from(vec![y.clone()]), &globals, None);
        // An unset slot of the call falls through to the globals.
        assert!(matches!(frame.lookup(&y), Some(Value::Number(v)) if v == 2.0));
        frame.set_slot(0, Value::Number(3.0));
        assert!(matches!(frame.lookup(&y), Some(Value::Number(v)) if v == 3.0));
        assert!(frame.intern(&x).is_none());
        globals.clear();
        assert!(globals.names().is_empty());
    }

    #[test]
    fn a_scope_is_reused_only_when_nothing_else_holds_it() {
        let globals = Scope::global();
        let names: Rc<[Name]> = Rc::from(vec![Name::new("a")]);
        let frame = Scope::frame(&names, &globals, None);
        frame.set_slot(0, Value::Number(1.0));
        let held = frame.clone();
        assert!(Scope::release(frame).is_none(), "a closure holds it");
        let spare = Scope::release(held).expect("held nowhere else");
        let at = Rc::as_ptr(&spare);
        let again = Scope::frame(&names, &globals, Some(spare));
        assert_eq!(Rc::as_ptr(&again), at, "the spare scope is reused");
        assert!(again.get_slot(0).is_none() && again.parent().is_some());
    }
}

//! Interned identifiers. Equal names share one allocation (per thread, as
//! sessions and their syntax trees are single-threaded), so scopes hash and
//! compare them by address: a variable lookup costs one pointer hash.

use rustc_hash::FxHashSet;
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::rc::Rc;

/// An interned identifier.
#[derive(Clone)]
pub struct Name(Rc<str>);

thread_local! {
    static NAMES: RefCell<FxHashSet<Rc<str>>> = RefCell::default();
}

impl Name {
    /// The interned name for `text`.
    pub fn new(text: &str) -> Name {
        NAMES.with(|names| {
            let mut names = names.borrow_mut();
            if let Some(existing) = names.get(text) {
                return Name(existing.clone());
            }
            let fresh: Rc<str> = Rc::from(text);
            names.insert(fresh.clone());
            Name(fresh)
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Rc::as_ptr(&self.0) as *const u8 as usize).hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_is_one_name() {
        let (a, b, c) = (Name::new("kron"), Name::from("kron"), Name::new("kronsum"));
        assert!(a == b && a != c);
        assert!(Rc::ptr_eq(&a.0, &b.0));
        assert!(a < c);
        assert_eq!(&*a, "kron");
    }
}

//! The panic boundary: a panic inside a builtin or a statement becomes an
//! error of that call or statement, and the session goes on with every
//! variable it had.
//!
//! Two kinds of panic arrive here. The standard library's memory guard panics
//! with a [`tessera::Error`] payload ([`tessera::memory::guard`]) from its
//! infallible constructors; that is a user's error (`MemoryError`) and is
//! reported as such. Anything else is a bug in Tessera, reported as an
//! `InternalError` with the panic's message and place, so that it can be
//! fixed. Neither is printed by the default panic hook: while a boundary is
//! active on a thread, the hook only records where the panic happened.

use crate::error::{ErrorKind, LangError};
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Boundaries active on this thread.
    static ACTIVE: Cell<usize> = const { Cell::new(0) };
    /// Where the last panic under a boundary happened (`file:line:column`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// What a boundary caught.
#[derive(Debug)]
pub enum Caught {
    /// The standard library refused an allocation (or reported another error) by panicking.
    Stdlib(tessera::Error),
    /// A bug: the panic's message and where it happened.
    Bug { message: String, location: Option<String> },
}

impl Caught {
    /// The error a user sees, naming `context` (the builtin or construct that was running).
    pub fn into_error(self, context: &str) -> LangError {
        match self {
            Caught::Stdlib(e) => LangError::from(e),
            Caught::Bug { message, location } => LangError::new(
                ErrorKind::Internal,
                format!(
                    "internal error in {context}: {message}{}",
                    location.map_or(String::new(), |l| format!(" (at {l})"))
                ),
                None,
            )
            .with_hint("this is a bug in Tessera, not in your code; please report it with the cell that caused it (your variables are kept)"),
        }
    }
}

/// Runs `f`, turning a panic into [`Caught`].
///
/// `f` is asserted unwind-safe: what a panicking evaluation leaves half done
/// is what an error would leave (the assignments that ran before it).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Caught> {
    install_hook();
    ACTIVE.with(|a| a.set(a.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    ACTIVE.with(|a| a.set(a.get() - 1));
    result.map_err(|payload| match payload.downcast::<tessera::Error>() {
        Ok(e) => Caught::Stdlib(*e),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Caught::Bug { message, location: LOCATION.with(|l| l.borrow_mut().take()) }
        }
    })
}

/// Chains a hook before the current one: under a boundary it records the
/// location and prints nothing; elsewhere the previous hook runs as before.
fn install_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ACTIVE.with(Cell::get) > 0 {
                let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LOCATION.with(|l| *l.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bug_is_caught_with_its_message_and_place() {
        let caught = catch(|| -> u32 { panic!("index {} out of range", 7) }).unwrap_err();
        let Caught::Bug { message, location } = caught else { panic!("not a bug: {caught:?}") };
        assert_eq!(message, "index 7 out of range");
        assert!(location.is_some_and(|l| l.starts_with("lang/src/boundary.rs:")));
    }

    #[test]
    fn a_refused_allocation_is_the_users_memory_error() {
        let e = catch(|| tessera::Matrix::zeros(1 << 40, 1 << 40)).unwrap_err().into_error("zeros");
        assert_eq!(e.kind, ErrorKind::Memory);
        assert!(e.message.starts_with("matrix: a 1099511627776×1099511627776 matrix would take "), "{}", e.message);
    }

    #[test]
    fn without_a_panic_the_value_passes_through() {
        assert_eq!(catch(|| 6 * 7).unwrap(), 42);
        let e = catch(|| -> () { panic!("boom") }).unwrap_err().into_error("`f`");
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(e.message.starts_with("internal error in `f`: boom (at lang/src/boundary.rs:"), "{}", e.message);
    }
}

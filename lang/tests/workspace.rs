//! `:save` and `:load`: every kind of value comes back bit for bit, and a
//! malformed file is refused without touching the workspace.

use proptest::prelude::*;
use tessera_lang::{display, NullSink, Session, Value};

const SETUP: &str = r#"
seed(5)
x = 0.1
negative_zero = -0.0
big = 1e308 * 10
cplx = 2 - 3im
s = "text with \"quotes\" and ⊗"
A = randn(3, 4)
A[0, 0] = nan
v = [1, 2, 3]
K = randn(2, 2) ⊗ randn(3, 3)
S = kronsum(randn(2, 2), randn(2, 2))
B = blockdiag(randn(2, 3), randn(1, 1))
M = monarch(6, 2)
Mt = M'
L = lowrank(randn(4, 2), randn(5, 2))
P = perm([2, 0, 1])
W = 3 * kron(eye(2), randn(2, 2))
Q = kron(eye(2), eye(2)) * kron(randn(2, 2), eye(2))
r = 0:7
xs = list(1, "two", [3, 4], list(5))
t = (1, (2, 3))
fn f(a, b = 2) = a * b + x
g = fn (y) = y^2
fn counter(k) = fn (z) = z + k
add5 = counter(5)
h = det
yes = true
fig_plot = plot([1, 2, nan, 4], label = "a", title = "t", xlabel = "step")
fig_scatter = scatter(randn(10, 2), group = [0, 1, 0, 1, 0, 1, 0, 1, 0, 2]')
fig_hist = hist(randn(50, 1), bins = 7)
fig_heat = heatmap(randn(4, 5))
fig_spy = spy(K)
fig_spec = spectrum(randn(5, 5), kind = "eig", size = (320, 200))
"#;

fn session_with_everything() -> Session {
    let mut s = Session::new();
    s.execute(SETUP, &mut NullSink).unwrap_or_else(|e| panic!("{}", e.render(SETUP)));
    s.set("rec", tessera_lang::value::record(vec![("K", Value::Number(1.0)), ("name", Value::str("cam"))]));
    s.set("nothing", Value::None);
    s
}

#[test]
fn every_value_kind_round_trips_bit_for_bit() {
    let original = session_with_everything();
    let bytes = tessera_lang::workspace::save(original.globals()).unwrap();
    let mut restored = Session::new();
    let count = tessera_lang::workspace::load(&bytes, restored.globals()).unwrap();
    assert_eq!(count, original.variable_names().len());
    assert_eq!(restored.variable_names(), original.variable_names());
    // Saving the restored workspace gives the same bytes: nothing changed on the way.
    assert_eq!(tessera_lang::workspace::save(restored.globals()).unwrap(), bytes);
    for name in original.variable_names() {
        let (a, b) = (original.get(&name).unwrap(), restored.get(&name).unwrap());
        assert_eq!(display::plain(&a), display::plain(&b), "{name}");
        if let (Value::Figure(a), Value::Figure(b)) = (&a, &b) {
            // Debug shows every number (NaN included, which == would not match).
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}: the figure's data, labels and size");
        }
    }
    let mut check = |code: &str| display::plain(&restored.clone_eval(code));
    assert_eq!(check("f(3)"), "6.1");
    assert_eq!(check("add5(1) + g(3)"), "15");
    assert_eq!(check("h([1, 2; 3, 4])"), "-2");
    assert_eq!(check("A[0, 0] != A[0, 0]"), "true");
    match restored.get("negative_zero").unwrap() {
        Value::Number(z) => assert!(z == 0.0 && z.is_sign_negative()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn save_and_load_through_the_commands() {
    let dir = std::env::temp_dir().join(format!("tessera-ws-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("w.tsw");
    let mut a = session_with_everything();
    a.execute(&format!(":save {}", file.display()), &mut NullSink).unwrap();
    let mut b = Session::new();
    b.execute(&format!(":load {}", file.display()), &mut NullSink).unwrap();
    assert_eq!(b.variable_names(), a.variable_names());
    assert!(b.execute(":load /nonexistent/file", &mut NullSink).is_err());
    std::fs::write(&file, b"definitely not a workspace").unwrap();
    let before = b.variable_names();
    let e = b.execute(&format!(":load {}", file.display()), &mut NullSink).unwrap_err();
    assert!(e.message.contains("not a Tessera workspace file"), "{}", e.message);
    assert_eq!(b.variable_names(), before);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A file is one value, so bytes after it are a sign of damage: a corrupted
/// length can end the value early, inside a file cut short.
#[test]
fn bytes_after_the_workspace_are_refused() {
    let globals = tessera_lang::env::Scope::global();
    let mut bytes = tessera_lang::workspace::save(session_with_everything().globals()).unwrap();
    assert!(tessera_lang::workspace::load(&bytes, &globals).is_ok());
    bytes.push(0);
    let e = tessera_lang::workspace::load(&bytes, &tessera_lang::env::Scope::global()).unwrap_err();
    assert!(e.message.contains("(1 byte after its end)"), "{}", e.message);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Random bytes, and valid files cut or corrupted anywhere, are refused or loaded: never a panic.
    #[test]
    fn malformed_files_never_panic(noise in prop::collection::vec(any::<u8>(), 0..256), cut in 0usize..10_000, flip in any::<(usize, u8)>()) {
        let globals = tessera_lang::env::Scope::global();
        let _ = tessera_lang::workspace::load(&noise, &globals);
        let mut bytes = tessera_lang::workspace::save(session_with_everything().globals()).unwrap();
        let n = bytes.len();
        bytes[flip.0 % n] ^= flip.1;
        let _ = tessera_lang::workspace::load(&bytes, &globals);
        bytes.truncate(cut % n); // strictly shorter than the file
        prop_assert!(tessera_lang::workspace::load(&bytes, &globals).is_err());
    }
}

trait Eval {
    fn clone_eval(&mut self, code: &str) -> Value;
}

impl Eval for Session {
    fn clone_eval(&mut self, code: &str) -> Value {
        self.execute(code, &mut NullSink).unwrap_or_else(|e| panic!("{}", e.render(code))).unwrap_or(Value::None)
    }
}

/// A saved workspace with its CBOR edited where a map has `rows` and `cols`
/// (and a `cell` when `spy`: a figure's pattern, else a matrix).
fn forged(setup: &str, spy: bool, rows: u64, cols: u64) -> Vec<u8> {
    use ciborium::Value as C;
    fn edit(v: &mut C, spy: bool, rows: u64, cols: u64) {
        match v {
            C::Map(entries) => {
                let has = |k: &str| entries.iter().any(|(key, _)| key.as_text() == Some(k));
                if has("rows") && has("cols") && has("cell") == spy {
                    for (key, value) in entries.iter_mut() {
                        match key.as_text() {
                            Some("rows") => *value = C::Integer(rows.into()),
                            Some("cols") => *value = C::Integer(cols.into()),
                            Some("bits") if !spy => *value = C::Array(vec![]),
                            _ => {}
                        }
                    }
                }
                entries.iter_mut().for_each(|(_, value)| edit(value, spy, rows, cols));
            }
            C::Array(items) => items.iter_mut().for_each(|item| edit(item, spy, rows, cols)),
            _ => {}
        }
    }
    let mut s = Session::new();
    s.clone_eval(setup);
    let bytes = tessera_lang::workspace::save(s.globals()).unwrap();
    let mut value: C = ciborium::from_reader(bytes.as_slice()).unwrap();
    edit(&mut value, spy, rows, cols);
    let mut out = Vec::new();
    ciborium::into_writer(&value, &mut out).unwrap();
    out
}

/// Found by fuzzing: crafted sizes made loading hang, panic or abort.
#[test]
fn forged_sizes_are_refused_at_once() {
    let globals = tessera_lang::env::Scope::global();
    globals.set("kept".into(), Value::Number(7.0));
    for (what, bytes) in [
        ("a 0×2⁶² matrix", forged("A = zeros(2, 3)", false, 0, 1 << 62)),
        ("a 2⁶²×0 matrix", forged("A = zeros(2, 3)", false, 1 << 62, 0)),
        ("a spy of 2³³×2³¹ with cells of 1", forged("f = spy(eye(4))", true, 1 << 33, 1 << 31)),
        ("a spy of 10⁹×10⁹ with cells of 1", forged("f = spy(eye(4))", true, 1_000_000_000, 1_000_000_000)),
    ] {
        let e = tessera_lang::workspace::load(&bytes, &globals).expect_err(what);
        assert!(e.message.contains("one side alone") || e.message.contains("cells of"), "{what}: {}", e.message);
        assert_eq!(display::plain(&globals.get("kept").unwrap()), "7", "{what}");
        assert_eq!(globals.names().len(), 1, "{what}: nothing else was loaded");
    }
}

//! Without an adapter (Vulkan and EGL drivers hidden from this process),
//! `:device gpu` says so in one sentence and the session goes on.

use tessera_lang::Placement;
use tessera_lang::{display, NullSink, Session};

#[test]
fn without_an_adapter_the_session_goes_on() {
    // Before anything looks for the GPU in this process (it looks once).
    std::env::set_var("VK_ICD_FILENAMES", "/nonexistent");
    std::env::set_var("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent");
    let mut s = Session::new();
    s.execute("x = 41", &mut NullSink).unwrap();
    let e = s.execute(":device gpu", &mut NullSink).unwrap_err();
    assert!(e.message.starts_with("gpu: no GPU adapter was found"), "{}", e.message);
    assert!(!e.message.contains('\n'), "one sentence: {}", e.message);
    assert_eq!(s.device(), Placement::Cpu);
    let e = s.execute("gpu(ones(2, 2))", &mut NullSink).unwrap_err();
    assert!(e.message.contains("no GPU adapter"), "{}", e.message);
    let v = s.execute("x + 1", &mut NullSink).unwrap().expect("a value");
    assert_eq!(display::plain(&v), "42");
}

//! The REPL driven in a real pseudo-terminal, as a user types: completion,
//! continuation lines, Ctrl-C during a loop, and the session surviving it.

use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect, Regex};
use std::process::Command;
use std::time::{Duration, Instant};

/// Emitted when rustyline hands a finished line over (bracketed paste turned off).
const LINE_ACCEPTED: &str = "\u{1b}[?2004l";

/// Types a line and waits until the REPL has accepted it.
fn enter(p: &mut OsSession, line: &str) {
    p.send_line(line).unwrap();
    p.expect(LINE_ACCEPTED).expect("the line is accepted");
}

fn start() -> OsSession {
    start_with(&[])
}

/// The REPL with extra environment variables.
fn start_with(env: &[(&str, &str)]) -> OsSession {
    let history = std::env::temp_dir().join(format!("tessera-pty-history-{}", std::process::id()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.env("TESSERA_HISTORY", history).env("TERM", "xterm").env_remove("TESSERA_IMAGES");
    cmd.envs(env.iter().copied());
    let mut p = expectrl::Session::spawn(cmd).expect("spawn the REPL in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("tessera> ").expect("the prompt");
    p
}

#[test]
fn tab_completes_a_unique_prefix_and_lists_ambiguous_ones() {
    let mut p = start();
    p.send("x = kronsu").unwrap();
    p.expect("kronsu").expect("the prefix is echoed");
    p.send("\t").unwrap();
    p.expect("kronsum").expect("kronsu completes to kronsum");
    enter(&mut p, "(eye(2), eye(2))");
    enter(&mut p, "x");
    p.expect("Kronecker sum (2×2 ⊕ 2×2)").expect("the completed call ran");
    p.expect("tessera> ").expect("the prompt is back");
    p.send("kro").unwrap();
    p.expect("kro").expect("the prefix is echoed");
    p.send("\t\t").unwrap();
    p.expect(Regex("kron\\s+kronsum")).expect("both candidates listed");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn an_open_bracket_continues_on_the_next_line() {
    let mut p = start();
    p.send_line("A = [1, 2,").unwrap();
    enter(&mut p, "3, 4]");
    enter(&mut p, "A[1, 1] * 10");
    p.expect("40").expect("the two lines made one matrix");
    p.send_line("fn f(x) {").unwrap();
    p.send_line("  x + 1").unwrap();
    enter(&mut p, "}");
    enter(&mut p, "f(41)");
    p.expect("42").expect("a block continued over three lines");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn ctrl_c_stops_a_running_loop_and_keeps_the_variables() {
    let mut p = start();
    enter(&mut p, "kept = 123");
    // The loop checks the interrupt flag every step: the screen says so
    // within 50 ms. The best of three tries, as a loaded machine may hold
    // back any one of them.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        enter(&mut p, "i = 0; while true { i = i + 1 }");
        std::thread::sleep(Duration::from_millis(200));
        let sent = Instant::now();
        p.send(ControlCode::EndOfText).unwrap();
        p.expect("interrupted").expect("Ctrl-C stops the loop");
        best = best.min(sent.elapsed());
    }
    eprintln!("Ctrl-C to `interrupted` on screen, best of 3: {best:?}");
    assert!(best < Duration::from_millis(50), "{best:?}");
    p.send_line("kept + 1").unwrap();
    p.expect("124").expect("variables survive the interrupt");
    p.send_line("i > 0").unwrap();
    p.expect("true").expect("the loop ran and its progress is kept");
    // Runaway recursion ends in the recursion limit, not a crash.
    enter(&mut p, "fn down(n) = down(n + 1)");
    p.send_line("down(0)").unwrap();
    p.expect("calls nested deeper than 400").expect("the recursion limit");
    p.send_line("kept").unwrap();
    p.expect("123").expect("the session goes on");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn save_then_load_in_a_fresh_repl_restores_every_variable() {
    let file = std::env::temp_dir().join(format!("tessera-pty-{}.tsw", std::process::id()));
    let mut p = start();
    enter(&mut p, "seed(9); A = randn(3, 3); K = kron(A, eye(2)); fn f(x) = x * 2; note = \"kept\"");
    enter(&mut p, &format!(":save {}", file.display()));
    p.expect("saved 4 variables").expect("saved");
    p.send(ControlCode::EndOfTransmission).unwrap();
    let mut q = start();
    enter(&mut q, &format!(":load {}", file.display()));
    q.expect("loaded 4 variables").expect("loaded");
    enter(&mut q, "seed(9); (sum(A == randn(3, 3)), f(21), note, storage(K))");
    q.expect("(9, 42, \"kept\", 13)").expect("every variable is back, A bit for bit");
    q.send(ControlCode::EndOfTransmission).unwrap();
    let _ = std::fs::remove_file(file);
}

#[test]
fn figures_show_as_text_in_a_plain_terminal_and_inline_in_kitty() {
    let mut p = start();
    enter(&mut p, "spy(kron(eye(4), ones(2, 2)))");
    // Braille blocks in the pattern's colour (24-bit escapes in a terminal).
    p.expect("\u{1b}[38;2;31;58;147m⣿").expect("the pattern drawn in braille");
    p.expect("tessera> ").expect("the prompt is back");
    enter(&mut p, ":plot off");
    enter(&mut p, "heatmap(eye(3))");
    p.expect("figure: heatmap of a 3×3 matrix").expect("a summary when plots are off");
    p.send(ControlCode::EndOfTransmission).unwrap();

    let mut p = start_with(&[("TERM", "xterm-kitty")]);
    enter(&mut p, "hist([1, 2, 2, 3])");
    p.expect("\u{1b}_Ga=T,f=100,m=1;iVBORw0KGgo").expect("a PNG through kitty's graphics protocol");
    p.expect("tessera> ").expect("the prompt is back");
    enter(&mut p, ":plot text");
    enter(&mut p, "hist([1, 2, 2, 3])");
    p.expect("⣿").expect(":plot text draws text even in kitty");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn a_bug_in_a_builtin_is_an_internal_error_and_the_session_goes_on() {
    let mut p = start();
    enter(&mut p, "kept = 123");
    // `panic_for_test` exists in the test builds of the binary only.
    enter(&mut p, "x = 1; panic_for_test(\"deliberate\")");
    p.expect("error: internal error in `panic_for_test`: deliberate (at lang/src/builtins/system.rs:")
        .expect("the panic is reported as an error");
    p.expect("this is a bug in Tessera").expect("with a hint");
    enter(&mut p, "kept + x");
    p.expect("124").expect("variables made before and in the cell survive");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn an_error_three_calls_deep_shows_each_call() {
    let mut p = start();
    enter(&mut p, "fn h(x) = inv(x)");
    enter(&mut p, "fn g(x) = h(x) + 1");
    enter(&mut p, "fn f(x) = 2 * g(x)");
    enter(&mut p, "f(zeros(2, 2))");
    p.expect("error: inv: matrix is singular").expect("the error");
    p.expect("in h, called at line 1, column 11 of an earlier cell: fn g(x) = h(x) + 1").expect("the first call");
    p.expect("in g, called at line 1, column 15 of an earlier cell: fn f(x) = 2 * g(x)").expect("the second");
    p.expect("in f, called at line 1, column 1: f(zeros(2, 2))").expect("the cell's own call");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

#[test]
fn fuzz_reproducers_end_in_errors_and_the_session_keeps_its_variables() {
    let mut p = start();
    enter(&mut p, "kept = 123");
    enter(&mut p, "fn fz(x) = x + nosuch");
    enter(&mut p, "\"⊗⊗⊗⊗⊗⊗\"; fz(1)");
    p.expect("at line 1, column 16 of an earlier cell").expect("the error points into the defining cell");
    enter(&mut p, "ones(1e5, 1) * ones(1, 1e5)");
    p.expect("error: *: a 100000×100000 matrix would take 74.5 GiB").expect("a refused product");
    enter(&mut p, "size(svdvals(kron(eye(1000), eye(1000))))");
    p.expect("(1000000, 1)").expect("singular values through the factors");
    enter(&mut p, "zeros(0, 9e15)");
    p.expect("one side alone").expect("an impossible side");
    enter(&mut p, "kept + 1");
    p.expect("124").expect("variables survive every error");
    p.send(ControlCode::EndOfTransmission).unwrap();
}

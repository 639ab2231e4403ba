"""Time Rust cells on the real kernel: the first (evcxr starts, the stdlib
loads) and the later ones, each measured from execute_request to reply.

    cargo build --release -p tessera-repl
    target/release/tessera kernel install --prefix target/jupyter-kernel
    JUPYTER_PATH=target/jupyter-kernel/share/jupyter python repl/benches/rust_cells.py

Needs jupyter_client (tests/jupyter/requirements.txt). Prints medians over
REPEATS runs of each cell.
"""
import statistics
import time

from jupyter_client.manager import start_new_kernel

REPEATS = 7
CELLS = {
    "bind a session matrix, scale it, hand it back": '%%rust\nlet B = A.scale(2.0);\nsession::set("B", &B)?;',
    "an expression shown with Debug (f64)": "%%rust\nA.norm_fro()",
    "a matrix shown as HTML": "%%rust\nA.transpose()",
    "a Rust-only statement": "%%rust\nlet v: Vec<u64> = (1..=10).collect();",
}


def timed(kc, code):
    start = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=3600, output_hook=lambda _: None)
    elapsed = time.perf_counter() - start
    assert reply["content"]["status"] == "ok", reply["content"]
    return elapsed


def main():
    km, kc = start_new_kernel(kernel_name="tessera")
    try:
        timed(kc, "A = randn(64, 64)")
        first = timed(kc, "%%rust\n1 + 1")
        print(f"first Rust cell (evcxr starts, stdlib loads): {first:.2f} s")
        for name, code in CELLS.items():
            times = [timed(kc, code) for _ in range(REPEATS)]
            print(f"{name}: median {statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f})")
        print(f"a Tessera cell, for scale: {statistics.median(timed(kc, 'B = A * A') for _ in range(REPEATS)):.4f} s")
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The numpy vocabulary, Tessera beside numpy, in one run on this machine.

    cargo build --release -p tessera-repl
    python3 -m venv .venv && .venv/bin/pip install -r stdlib/benches/requirements.txt
    .venv/bin/python repl/benches/vocabulary.py [path/to/tessera]

Each operation runs on inputs of the same shape in both (random normal
entries; each side draws its own), warmed up once, then timed 7 times; the
table shows the best time per call. Tessera times itself with tic()/toc()
inside one `tessera -e` process, so start-up is not counted; numpy is timed
with time.perf_counter around the same call. The CSV case reads a file of
10⁵ × 10 numbers that numpy's savetxt wrote, with `load` and `np.loadtxt`.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE slow a current OpenBLAS on this machine
kind; they are dropped here, for this process only, before numpy loads.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TESSERA = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "tessera")
REPEAT = 7

csv_path = Path(tempfile.mkdtemp()) / "numbers.csv"
np.savetxt(csv_path, np.random.default_rng(0).standard_normal((100_000, 10)), delimiter=",", fmt="%.17g")

# label, Tessera setup, Tessera call, numpy setup, numpy call
CASES = [
    ("sort, 10⁶ entries", "x = randn(1000000, 1)", "sort(x)",
     "x = rng.standard_normal((1000000, 1))", "np.sort(x, axis=0)"),
    ("cumsum, 10⁶ entries", "x = randn(1000000, 1)", "cumsum(x)",
     "x = rng.standard_normal((1000000, 1))", "np.cumsum(x)"),
    ("softmax of rows, 4096 × 1024", "A = randn(4096, 1024)", "softmax(A)",
     "A = rng.standard_normal((4096, 1024))", "softmax(A)"),
    ("pinv, 512 × 512", "A = randn(512, 512)", "pinv(A)",
     "A = rng.standard_normal((512, 512))", "np.linalg.pinv(A)"),
    ("lstsq, 2000 × 200", "A = randn(2000, 200); b = randn(2000, 1)", "lstsq(A, b)",
     "A = rng.standard_normal((2000, 200)); b = rng.standard_normal((2000, 1))",
     "np.linalg.lstsq(A, b, rcond=None)"),
    ("CSV read, 10⁵ × 10", "", f'load("{csv_path}")', "", f'np.loadtxt("{csv_path}", delimiter=",")'),
]


def softmax(a):
    """scipy.special.softmax(a, axis=1), written in numpy (the same three passes)."""
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def tessera_seconds(setup, call):
    prelude = "; ".join(["seed(0)"] + ([setup] if setup else []))
    code = (f"{prelude}; y = {call}; best = inf; "
            f"for k in 0:{REPEAT} {{ tic(); y = {call}; best = min(best, toc()) }}; print(best)")
    out = subprocess.run([TESSERA, "-e", code], check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def numpy_seconds(setup, call):
    scope = {"np": np, "rng": np.random.default_rng(0), "softmax": softmax}
    exec(setup, scope)
    eval(call, scope)
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        eval(call, scope)
        best = min(best, time.perf_counter() - start)
    return best


def fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


print(f"numpy {np.__version__}; Tessera {TESSERA}")
print(f"| {'operation':<30} | {'Tessera':>9} | {'numpy':>9} | {'numpy / Tessera':>15} |")
print(f"|{'-' * 32}|{'-' * 11}|{'-' * 11}|{'-' * 17}|")
for label, t_setup, t_call, n_setup, n_call in CASES:
    ours, theirs = tessera_seconds(t_setup, t_call), numpy_seconds(n_setup, n_call)
    print(f"| {label:<30} | {fmt(ours):>9} | {fmt(theirs):>9} | {theirs / ours:>14.2f}× |")
print("above 1×: Tessera is faster")
csv_path.unlink()

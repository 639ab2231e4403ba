#!/usr/bin/env python3
"""The interpreter beside CPython (and numpy where numpy is the tool), in one run.

    cargo build --release -p tessera-repl
    .venv/bin/python repl/benches/compare_python.py [path/to/tessera]

(any Python with numpy; `stdlib/benches/requirements.txt` pins it). Start-up
is the wall time of a whole process (`tessera -e "1+1"` against
`python3 -c "1+1"`). Every other case times its work inside the process (`tic`
and `toc` in Tessera, `time.perf_counter` in Python), so that neither start-up
nor `import numpy` is counted. Each command runs alternately RUNS times (15, or
the environment's RUNS; ONLY=text keeps the cases whose label contains it); the
table shows medians, and the ratio Tessera time / other time (below 1:
Tessera is faster).
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESSERA = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "tessera")
PY = sys.executable
RUNS = int(os.environ.get("RUNS", 15))
ONLY = os.environ.get("ONLY", "")


def dense(label, n, setup_ours, work_ours, setup_np, work_np):
    """A dense kernel on `n×n` standard normal matrices: the best of REPEATS
    calls inside one process, on both sides (the first call also pays for
    waking the thread pools)."""
    ours = (
        f"seed(1); {setup_ours.format(n=n)}; best = inf; "
        f"for r in 0:{REPEATS} {{ tic(); {work_ours}; best = min(best, toc()) }}; best"
    )
    theirs = (
        f"import time\nimport numpy as np\nrng = np.random.default_rng(1)\n{setup_np.format(n=n)}\n"
        f"best = float('inf')\nfor r in range({REPEATS}):\n    t = time.perf_counter()\n    {work_np}\n"
        "    best = min(best, time.perf_counter() - t)\nprint(best)"
    )
    return (label, ours, [("numpy", theirs)])


REPEATS = 3
SQUARE = ("A = randn({n}, {n})", "A = rng.standard_normal(({n}, {n}))")
SYMMETRIC = ("B = randn({n}, {n}); A = B + B'", "B = rng.standard_normal(({n}, {n}))\nA = B + B.T")


def timed(setup, work, function=False):
    """A Python program printing the seconds `work` takes after `setup`: at
    module level, as a notebook cell or a script runs it (the same as the
    Tessera cell, whose variables are globals), or inside a function, where
    CPython's variables are faster locals."""
    body = work.strip()
    if function:
        body = "def work():\n" + "\n".join("    " + line for line in body.splitlines()) + "\nwork()"
    return f"import time\n{setup.strip()}\nt = time.perf_counter()\n{body}\nprint(time.perf_counter() - t)"


LOOP = "s = 0\nfor i in range(1000000):\n    s = s + i"
FILL = "for i in range(300):\n    for j in range(300):\n        A[i][j] = i * j"
CASES = [
    (
        "s = s + i, 10⁶ iterations",
        "s = 0; tic(); for i in 0:1000000 { s = s + i }; toc()",
        [("CPython", timed("", LOOP)), ("CPython in fn", timed("", LOOP, function=True))],
    ),
    (
        "the same loop in a function",
        "fn work(n) { s = 0; for i in 0:n { s = s + i }; s }; tic(); work(1000000); toc()",
        [("CPython in fn", timed("", LOOP, function=True))],
    ),
    (
        "recursive fib(25)",
        "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }; tic(); fib(25); toc()",
        [("CPython", timed("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)", "fib(25)"))],
    ),
    (
        "A[i, j] = i * j, 300 × 300",
        "A = zeros(300, 300); tic(); for i in 0:300 { for j in 0:300 { A[i, j] = i * j } }; toc()",
        [
            ("CPython lists", timed("A = [[0.0] * 300 for _ in range(300)]", FILL)),
            ("lists in fn", timed("A = [[0.0] * 300 for _ in range(300)]", FILL, function=True)),
            (
                "numpy",
                timed("import numpy as np\nA = np.zeros((300, 300))", FILL.replace("A[i][j]", "A[i, j]")),
            ),
        ],
    ),
    (
        "C = A * B of 3×3, 10⁵ times",
        "seed(1); A = randn(3, 3); B = randn(3, 3); tic(); for k in 0:100000 { C = A * B }; toc()",
        [
            (
                "numpy",
                timed(
                    "import numpy as np\nrng = np.random.default_rng(1)\nA = rng.standard_normal((3, 3))\n"
                    "B = rng.standard_normal((3, 3))",
                    "for k in range(100000):\n    C = A @ B",
                ),
            )
        ],
    ),
    (
        "map of a closure over 10⁵ items",
        "k = 3; xs = 0:100000; tic(); ys = map(fn (x) = x * k + 1, xs); toc()",
        [("CPython", timed("k = 3\nxs = range(100000)", "ys = list(map(lambda x: x * k + 1, xs))"))],
    ),
    dense(
        "matrix–vector product, 4096²",
        4096,
        "A = randn({n}, {n}); x = randn({n}, 1)",
        "y = A * x",
        "A = rng.standard_normal(({n}, {n}))\nx = rng.standard_normal(({n}, 1))",
        "y = A @ x",
    ),
    dense(
        "matrix product, 1024²",
        1024,
        "A = randn({n}, {n}); B = randn({n}, {n})",
        "C = A * B",
        "A = rng.standard_normal(({n}, {n}))\nB = rng.standard_normal(({n}, {n}))",
        "C = A @ B",
    ),
    dense("svdvals, 1024²", 1024, SQUARE[0], "s = svdvals(A)", SQUARE[1], "s = np.linalg.svd(A, compute_uv=False)"),
    dense("svd, 1024²", 1024, SQUARE[0], "(U, s, V) = svd(A)", SQUARE[1], "U, s, Vt = np.linalg.svd(A, full_matrices=False)"),
    dense("eigh, 1024²", 1024, SYMMETRIC[0], "(w, V) = eigh(A)", SYMMETRIC[1], "w, V = np.linalg.eigh(A)"),
]


def wall(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def inner(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def row(label, other, ours, theirs):
    print(f"{label:<34} {other:<14} {ours * 1e3:>9.2f}ms {theirs * 1e3:>9.2f}ms {ours / theirs:>7.2f}×")


print(f"{'case':<34} {'against':<14} {'tessera':>11} {'other':>11} {'ratio':>8}")
a, b = [], []
for _ in range(RUNS):
    a.append(wall([TESSERA, "-e", "1+1"]))
    b.append(wall([PY, "-c", "1+1"]))
row("start-up and 1+1 (whole process)", "CPython", statistics.median(a), statistics.median(b))
for label, ours, others in CASES:
    if ONLY not in label:
        continue
    times = {name: [] for name, _ in others}
    mine = []
    for _ in range(RUNS):
        mine.append(inner([TESSERA, "-e", ours]))
        for name, program in others:
            times[name].append(inner([PY, "-c", program]))
    for name, _ in others:
        row(label, name, statistics.median(mine), statistics.median(times[name]))
print("ratio = Tessera time / other time (below 1: Tessera is faster)")

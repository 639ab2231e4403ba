#!/usr/bin/env python3
"""Process start-up and an interpreted loop, Tessera beside CPython, in one run.

    cargo build --release -p tessera-repl
    python3 repl/benches/compare_python.py [path/to/tessera]

Each command runs alternately 25 times; the table shows medians of wall time
for the whole process (start-up included), as a user at a shell sees it.
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESSERA = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "tessera")
PY = sys.executable
LOOP_N = 1_000_000

CASES = [
    ("start-up: evaluate 1+1", [TESSERA, "-e", "1+1"], [PY, "-c", "1+1"]),
    (
        f"loop s = s + i, {LOOP_N:.0e} iterations",
        [TESSERA, "-e", f"s = 0; for i in 0:{LOOP_N} {{ s = s + i }}; s"],
        [PY, "-c", f"s = 0\nfor i in range({LOOP_N}):\n    s = s + i\nprint(s)"],
    ),
]


def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


print(f"{'case':<36} {'tessera':>10} {'python3':>10} {'ratio':>8}")
for label, ours, theirs in CASES:
    a, b = [], []
    for _ in range(25):
        a.append(run(ours))
        b.append(run(theirs))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{label:<36} {ma * 1e3:>8.1f}ms {mb * 1e3:>8.1f}ms {mb / ma:>7.2f}×")
print("ratio = python3 time / Tessera time (above 1: Tessera is faster)")

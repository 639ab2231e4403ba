#!/usr/bin/env python3
"""Time numpy on the operations of benches/structured.rs and print a table of
ratios against Tessera's criterion results from the same machine.

    cargo bench -p tessera-stdlib --bench structured
    python3 -m venv .venv && .venv/bin/pip install -r stdlib/benches/requirements.txt
    .venv/bin/python stdlib/benches/compare_numpy.py

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE slow a current OpenBLAS on this machine
kind; they are dropped here, for this process only, before numpy loads.
"""
import json
import os
import pathlib
import timeit

for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

CRITERION = pathlib.Path(__file__).resolve().parents[2] / "target" / "criterion"


def best_of(fn, repeat=7):
    """Seconds per call: the best mean over `repeat` timing runs."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def tessera(group, name):
    path = CRITERION / group / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["mean"]["point_estimate"] * 1e-9


def fmt(seconds):
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


rng = np.random.default_rng(0)
rows = []


def row(label, ours, numpy_seconds, note=""):
    ratio = f"{numpy_seconds / ours:.2f}×" if ours else "—"
    rows.append((label, fmt(ours), fmt(numpy_seconds), ratio, note))


for k in (32, 64):
    n = k * k
    a, b, x = rng.standard_normal((k, k)), rng.standard_normal((k, k)), rng.standard_normal(n)
    dense = np.kron(a, b)
    X = x.reshape(k, k)
    vec = best_of(lambda: (a @ X @ b.T).reshape(-1))
    matvec = best_of(lambda: dense @ x)
    ours, ours_dense = tessera("kron_matvec", f"structured/{n}"), tessera("kron_matvec", f"dense/{n}")
    row(f"Kronecker matvec n={n}: Tessera structured vs numpy A·X·Bᵀ", ours, vec)
    row(f"Kronecker matvec n={n}: Tessera dense vs numpy dense", ours_dense, matvec)
    if ours and ours_dense:
        rows.append((f"  structured speed-up over dense n={n} (Tessera)", "", "", f"{ours_dense / ours:.0f}×", ""))

for n, blocks in ((1024, 32), (4096, 64)):
    ours, ours_dense = tessera("monarch_matvec", f"structured/{n}"), tessera("monarch_matvec", f"dense/{n}")
    dense = rng.standard_normal((n, n))
    x = rng.standard_normal(n)
    row(f"dense matvec n={n} (the Monarch as a dense matrix): Tessera vs numpy", ours_dense, best_of(lambda: dense @ x))
    if ours and ours_dense:
        rows.append((f"  Monarch structured speed-up over dense n={n}", fmt(ours), "", f"{ours_dense / ours:.0f}×", ""))

blocks = [rng.standard_normal((64, 64)) + 8 * np.eye(64) for _ in range(16)]
dense = np.zeros((1024, 1024))
for i, blk in enumerate(blocks):
    dense[64 * i:64 * (i + 1), 64 * i:64 * (i + 1)] = blk
rhs = rng.standard_normal(1024)
ours, ours_dense = tessera("blockdiag_solve", "structured/1024"), tessera("blockdiag_solve", "dense/1024")
row("block-diagonal solve 16×64: Tessera structured vs numpy dense solve", ours, best_of(lambda: np.linalg.solve(dense, rhs)))
if ours and ours_dense:
    rows.append(("  structured speed-up over Tessera dense LU", "", "", f"{ours_dense / ours:.0f}×", ""))

a, b = rng.standard_normal((32, 32)) + 8 * np.eye(32), rng.standard_normal((32, 32))
k = np.kron(a, b)
ours, ours_dense = tessera("kron_logdet", "structured/1024"), tessera("kron_logdet", "dense/1024")
row("Kronecker logdet 32⊗32: Tessera structured vs numpy slogdet", ours, best_of(lambda: np.linalg.slogdet(k), 3))
if ours and ours_dense:
    rows.append(("  structured speed-up over Tessera dense LU", "", "", f"{ours_dense / ours:.0f}×", ""))

tokens = rng.standard_normal((4096, 128))
pos = np.arange(4096.0)


def numpy_rope(x, positions, base=10000.0):
    """Interleaved-pair RoPE, vectorised as a numpy user writes it."""
    d = x.shape[1]
    theta = base ** (-2.0 * np.arange(d // 2) / d)
    phi = positions[:, None] * theta[None, :]
    c, s_ = np.cos(phi), np.sin(phi)
    out = np.empty_like(x)
    out[:, 0::2] = x[:, 0::2] * c - x[:, 1::2] * s_
    out[:, 1::2] = x[:, 0::2] * s_ + x[:, 1::2] * c
    return out


row("rope_apply 4096 tokens × 128: Tessera vs numpy", tessera("rope_apply", "4096x128"), best_of(lambda: numpy_rope(tokens, pos)))

samples = rng.standard_normal((100_000, 64))
row("cov 100000 × 64: Tessera vs numpy np.cov(rowvar=False)", tessera("cov", "100000x64"), best_of(lambda: np.cov(samples, rowvar=False), 5))

a, b = rng.standard_normal((1024, 1024)), rng.standard_normal((1024, 1024))
s = a + a.T
row("matmul 1024: Tessera vs numpy", tessera("dense_1024", "matmul"), best_of(lambda: a @ b, 5))
row("SVD 1024 (U, S, V): Tessera vs numpy", tessera("dense_1024", "svd"), best_of(lambda: np.linalg.svd(a), 3))
row("svdvals 1024: Tessera vs numpy svd(compute_uv=False)", tessera("dense_1024", "svdvals"),
    best_of(lambda: np.linalg.svd(a, compute_uv=False), 3))
row("eigh 1024: Tessera vs numpy", tessera("dense_1024", "eigh"), best_of(lambda: np.linalg.eigh(s), 3))

# Compression, as a numpy user writes it: torch.svd_lowrank's algorithm (q = 74
# columns, 2 power iterations with a QR between), bitsandbytes' NF4 of float32
# weights in blocks of 64, and Van Loan's rearrangement with a full SVD.
tall = rng.standard_normal((4096, 1024))


def numpy_rsvd(a, q=74, iters=2):
    omega = rng.standard_normal((a.shape[1], q))
    y, _ = np.linalg.qr(a @ omega)
    for _ in range(iters):
        z, _ = np.linalg.qr(a.T @ y)
        y, _ = np.linalg.qr(a @ z)
    u, s_, vt = np.linalg.svd(y.T @ a, full_matrices=False)
    return (y @ u)[:, :64], s_[:64], vt[:64].T


NF4 = np.array([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                0.7229568362236023, 1.0], dtype=np.float32)
NF4_BOUNDS = (NF4[:-1] + NF4[1:]) / np.float32(2)


def numpy_nf4(w, block=64):
    x = w.astype(np.float32).reshape(-1, block)
    absmax = np.abs(x).max(axis=1, keepdims=True)
    codes = np.searchsorted(NF4_BOUNDS, np.clip(x / absmax, -1, 1), side="left").astype(np.uint8)
    return codes, absmax


def numpy_nearest_kron(w, m1=32, n1=32):
    m2, n2 = w.shape[0] // m1, w.shape[1] // n1
    r = w.reshape(m1, m2, n1, n2).transpose(0, 2, 1, 3).reshape(m1 * n1, m2 * n2)
    u, s_, vt = np.linalg.svd(r, full_matrices=False)
    return np.sqrt(s_[0]) * u[:, 0].reshape(m1, n1), np.sqrt(s_[0]) * vt[0].reshape(m2, n2)


ours = tessera("compress", "rsvd_r64_4096x1024")
row("rsvd rank 64 of 4096×1024: Tessera vs numpy randomized (torch's algorithm)", ours, best_of(lambda: numpy_rsvd(tall), 3))
row("rsvd rank 64 of 4096×1024: Tessera vs numpy full SVD", ours,
    best_of(lambda: np.linalg.svd(tall, full_matrices=False), 1))
square = rng.standard_normal((4096, 4096))
ours = tessera("compress", "nf4_4096x4096")
row("quantize NF4 4096×4096 block 64: Tessera (f64 in) vs numpy (f32 in)", ours, best_of(lambda: numpy_nf4(square), 3))
if ours:
    rows.append((f"  Tessera NF4 throughput: {square.size * 4 / ours / 1e9:.2f} GB/s of f32 weights, "
                 f"{square.size * 8 / ours / 1e9:.2f} GB/s of its f64 input", "", "", "", ""))
w = rng.standard_normal((1024, 1024))
row("nearest_kron 1024×1024 as 32×32 ⊗ 32×32: Tessera vs numpy", tessera("compress", "nearest_kron_1024"),
    best_of(lambda: numpy_nearest_kron(w), 3))

blas = [(i.get("internal_api"), i.get("version"), i.get("num_threads"), i.get("architecture")) for i in threadpool_info()]
print(f"numpy {np.__version__}; BLAS {blas}; {os.cpu_count()} CPUs")
print("ratio = numpy time / Tessera time (above 1: Tessera is faster)\n")
width = max(len(r[0]) for r in rows)
print(f"{'operation':<{width}}  {'Tessera':>10}  {'numpy':>10}  {'ratio':>8}")
for label, ours, theirs, ratio, _ in rows:
    print(f"{label:<{width}}  {ours:>10}  {theirs:>10}  {ratio:>8}")

"""Rendering a 1000 × 1000 heatmap with a colour bar, Tessera against
matplotlib on the same machine in the same run.

    cargo bench -p tessera-stdlib --bench figures
    .venv/bin/pip install -r stdlib/benches/requirements.txt
    .venv/bin/python stdlib/benches/compare_matplotlib.py

Reads Tessera's medians from criterion's reports (target/criterion) and times
matplotlib's imshow + colorbar + savefig (PNG and SVG, 640 × 480 at 100 dpi,
the same figure size) itself, median of 20 runs after a warm-up.
"""
import io
import json
import pathlib
import statistics
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

CRITERION = pathlib.Path(__file__).resolve().parents[2] / "target" / "criterion"


def tessera(name):
    path = CRITERION / "heatmap_1000x1000" / name / "new" / "estimates.json"
    return json.loads(path.read_text())["median"]["point_estimate"] / 1e9


def matplotlib_seconds(fmt, a, runs=20):
    def once():
        fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
        im = ax.imshow(a, cmap="RdBu_r", vmin=-4, vmax=4)
        fig.colorbar(im)
        fig.savefig(io.BytesIO(), format=fmt)
        plt.close(fig)

    once()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    a = np.random.default_rng(1).standard_normal((1000, 1000))
    print(f"matplotlib {matplotlib.__version__}, numpy {np.__version__}")
    print("| 1000×1000 heatmap | Tessera | matplotlib | |")
    print("|---|---|---|---|")
    for fmt in ("png", "svg"):
        ours, theirs = tessera(fmt), matplotlib_seconds(fmt, a)
        print(f"| {fmt} | {ours * 1e3:.1f} ms | {theirs * 1e3:.1f} ms | {theirs / ours:.1f}× faster |")


if __name__ == "__main__":
    main()

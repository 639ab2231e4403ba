#!/usr/bin/env bash
# Rebuilds the prebuilt JupyterLab extension in labextension/ (committed, so
# that installing it needs no node) from src/, the pinned npm packages and the
# Tessera vocabulary, and records the sha256 of those inputs beside it in
# labextension.sha256, which tests/jupyter/test_labextension.py checks.
# Needs node and npm, and a Python environment with the pinned jupyterlab (its
# jupyter-builder runs the build): by default target/jupyter-venv, which
# scripts/test creates; VENV=/path/to/venv picks another.
set -euo pipefail
cd "$(dirname "$0")"
venv="${VENV:-../../target/jupyter-venv}"

npm ci --no-audit --no-fund
rm -rf lib labextension
npx tsc
"$venv/bin/jupyter-builder" build .
LC_ALL=C sha256sum src/* package.json package-lock.json tsconfig.json \
    ../tessera-pygments/tessera_pygments/vocabulary.json >labextension.sha256

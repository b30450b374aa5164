#!/usr/bin/env bash
# A cross-check of bench/run: our Python package (`python`) or npm package
# (`node`) in the anchors' own harness (../shared/bench: its mock, its
# drivers, openai-python / openai-node and its floor), run from a copy
# under bench/.work with our rows added; prints its markdown table.
# Knobs: BENCH_RUNS (5), and the harness's own (../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-}"
shared="${SHARED_BENCH:-$PWD/../shared/bench}"
[ -d "$shared" ] || { echo "needs ../shared/bench (the anchors' harness)" >&2; exit 1; }
work="$PWD/bench/.work"
mkdir -p "$work"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export BENCH_WORK="$work/harness"
copy="$work/shared-bench-$which"
mkdir -p "$copy"
(cd "$shared" && tar --exclude=node_modules --exclude=.work -cf - .) | (cd "$copy" && tar -xf -)

case "$which" in
  python)
    venv="$work/build-venv"
    [ -x "$venv/bin/maturin" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q "maturin>=1.9.4,<2"; }
    rm -rf "$work/wheels"
    (cd python && "$venv/bin/maturin" build --release --quiet -o "$work/wheels")
    cat >> "$copy/clients.txt" <<'ROWS'
rapidresponse python (sync)  | s1 s2 s4    | $PYTHON py_client.py --module rapidresponse --mode sync
rapidresponse python (async) | s1 s2 s3 s4 | $PYTHON py_client.py --module rapidresponse --mode async
ROWS
    export BENCH_CLIENTS="${BENCH_CLIENTS:-floor|python|rapidresponse}"
    # --force-reinstall: the wheel's version does not change between builds.
    BENCH_PIP_EXTRA="--force-reinstall $(ls "$work"/wheels/rapidresponse-*.whl | head -n1)" exec "$copy/run.sh"
    ;;
  node)
    npm --prefix web ci --no-audit --no-fund --loglevel=error
    npm --prefix web run --silent build
    cat >> "$copy/clients.txt" <<'ROWS'
rapidresponse npm (wasm)     | s1 s2 s3 s4 | $NODE node_client.mjs --module rapidresponse
ROWS
    export BENCH_CLIENTS="${BENCH_CLIENTS:-floor|node|rapidresponse npm}"
    BENCH_NPM_EXTRA="$PWD/web" exec "$copy/run.sh"
    ;;
  *)
    echo "usage: bench/cross-check.sh python|node" >&2
    exit 2
    ;;
esac

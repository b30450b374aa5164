#!/usr/bin/env bash
# The Python package next to openai-python on the four scenarios of
# ../shared/bench (S1 stream of 100,000 deltas, S2 30 x 5.4 MB responses,
# S3 2,000 requests at 64 in flight, S4 import + client), with the floor
# (reqwest + memchr + serde) as the denominator. It runs that harness from a
# copy under bench/.work, adds our two rows, and prints its markdown table.
# Knobs: BENCH_RUNS (5), and the harness's own (see ../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_BENCH:-$PWD/../shared/bench}"
[ -d "$shared" ] || { echo "needs ../shared/bench (the anchors' harness)" >&2; exit 1; }
work="$PWD/bench/.work"
mkdir -p "$work"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

venv="$work/build-venv"
[ -x "$venv/bin/maturin" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q "maturin>=1.9.4,<2"; }
rm -rf "$work/wheels"
(cd python && "$venv/bin/maturin" build --release --quiet -o "$work/wheels")
wheel="$(ls "$work"/wheels/rapidresponse-*.whl | head -n1)"

copy="$work/shared-bench"
mkdir -p "$copy"
(cd "$shared" && tar --exclude=node_modules --exclude=.work -cf - .) | (cd "$copy" && tar -xf -)
cat >> "$copy/clients.txt" <<'ROWS'
rapidresponse python (sync)  | s1 s2 s4    | $PYTHON py_client.py --module rapidresponse --mode sync
rapidresponse python (async) | s1 s2 s3 s4 | $PYTHON py_client.py --module rapidresponse --mode async
ROWS
export BENCH_WORK="$work/harness"
export BENCH_CLIENTS="${BENCH_CLIENTS:-floor|python|rapidresponse}"
# --force-reinstall: the wheel's version does not change between builds.
BENCH_PIP_EXTRA="--force-reinstall $wheel" exec "$copy/run.sh"

#!/usr/bin/env bash
# The npm package in Node next to openai-node on the scenarios of
# ../shared/bench (S1 stream of 100,000 deltas, S2 30 x 5.4 MB responses,
# S3 2,000 requests at 64 in flight, S4 import + client), with the floor
# (reqwest + memchr + serde) as the denominator. Builds web/ (release
# module), runs that harness from a copy under bench/.work with our package
# installed there, and prints its markdown table. Node 22 comes from the
# npm registry when the machine's is older (openai@7 needs it).
# Knobs: BENCH_RUNS (5), and the harness's own (see ../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_BENCH:-$PWD/../shared/bench}"
[ -d "$shared" ] || { echo "needs ../shared/bench (the anchors' harness)" >&2; exit 1; }
work="$PWD/bench/.work"
mkdir -p "$work"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

npm --prefix web ci --no-audit --no-fund --loglevel=error
npm --prefix web run --silent build

copy="$work/shared-bench-node"
mkdir -p "$copy"
(cd "$shared" && tar --exclude=node_modules --exclude=.work -cf - .) | (cd "$copy" && tar -xf -)
cat >> "$copy/clients.txt" <<'ROWS'
rapidresponse npm (wasm)     | s1 s2 s3 s4 | $NODE node_client.mjs --module rapidresponse
ROWS
export BENCH_WORK="$work/harness"
export BENCH_CLIENTS="${BENCH_CLIENTS:-floor|node|rapidresponse npm}"
BENCH_NPM_EXTRA="$PWD/web" exec "$copy/run.sh"

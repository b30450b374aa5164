"""The cross-client benchmark: every client on every scenario against the
mock server's benchmark mode, interleaved rounds, medians, and one markdown
table with each cost relative to the floor. `bench/run` builds and installs
what it needs, then runs this; run alone, it expects that done.

Scenarios (sizes from the environment, defaults in brackets):
  S1  one stream of BENCH_DELTAS [100000] text deltas of BENCH_DELTA_BYTES [4] B
  S2  BENCH_REPEAT [30] whole responses of BENCH_ITEMS [2000] message items of
      BENCH_ITEM_BYTES [2000] B (about 5.4 MB each), reading output_text
  S3  BENCH_REQUESTS [2000] small requests, BENCH_CONCURRENCY [64] in flight
  S4  cold start: import (or load) and construct a client
  S5  a function-calling chain of BENCH_TURNS [20] turns (each after the
      previous one, BENCH_THINK_MS [20] ms of server think time per turn)
      over HTTP streaming (s5) and over one WebSocket (s5ws)
Also: BENCH_RUNS [5] rounds, BENCH_CLIENTS (regex on names), BENCH_SCENARIOS
("s1 s3"), BENCH_MEMORY [1] (peak RSS streaming 10k, 100k and 1M events),
BENCH_TIMEOUT [600] s per run, BENCH_RAW (a file: every run as a JSON line).

CPU seconds (user + sys) and peak RSS come from GNU time (/usr/bin/time)
around the driver process, so they include its start-up; S4 shows that part
alone.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = Path(os.environ.get("BENCH_WORK", HERE / ".work"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"


def program(name, default):
    """A program from the environment; a path is made absolute (the drivers
    run in bench/drivers)."""
    value = os.environ.get(name, default)
    return os.path.abspath(value) if "/" in value else value


PYTHON = program("BENCH_PYTHON", str(WORK / "venv" / "bin" / "python"))
NODE = program("BENCH_NODE", "node")


def num(name, default):
    return int(os.environ.get(name, default))


RUNS = num("BENCH_RUNS", 5)
DELTAS, DELTA_BYTES = num("BENCH_DELTAS", 100_000), num("BENCH_DELTA_BYTES", 4)
ITEMS, ITEM_BYTES = num("BENCH_ITEMS", 2000), num("BENCH_ITEM_BYTES", 2000)
REPEAT, REQUESTS = num("BENCH_REPEAT", 30), num("BENCH_REQUESTS", 2000)
TIMEOUT = num("BENCH_TIMEOUT", 600)
SCENARIOS = os.environ.get("BENCH_SCENARIOS", "s1 s2 s3 s4 s5 s5ws").split()
TURNS = num("BENCH_TURNS", 20)

PY = [PYTHON, str(HERE / "drivers" / "py_client.py")]
JS = [NODE, str(HERE / "drivers" / "node_client.mjs")]

# name, scenarios, command; the row named "floor" is every ratio's denominator.
CLIENTS = [
    ("floor (reqwest+memchr+serde)", "s1 s2 s3 s4", [str(TARGET / "floor")]),
    ("rapidresponse rust", "s1 s2 s3 s4 s5 s5ws", [str(TARGET / "rapidresponse")]),
    ("async-openai 0.41.3", "s1 s2 s3 s4", [str(TARGET / "async_openai")]),
    ("rapidresponse python (sync)", "s1 s2 s4 s5 s5ws", PY + ["--module", "rapidresponse", "--mode", "sync"]),
    ("rapidresponse python (async)", "s1 s2 s3 s4", PY + ["--module", "rapidresponse", "--mode", "async"]),
    ("openai-python (sync)", "s1 s2 s4 s5 s5ws", PY + ["--module", "openai", "--mode", "sync"]),
    ("openai-python (async)", "s1 s2 s3 s4", PY + ["--module", "openai", "--mode", "async"]),
    ("rapidresponse npm (wasm)", "s1 s2 s3 s4 s5 s5ws", JS + ["--module", "rapidresponse"]),
    ("openai-node", "s1 s2 s3 s4 s5 s5ws", JS + ["--module", "openai"]),
]
FLOOR = CLIENTS[0][0]
# Streaming memory: peak RSS at growing stream lengths (the official SDKs
# take minutes at 1M events, so they are left out).
MEMORY_CLIENTS = ["floor (reqwest+memchr+serde)", "rapidresponse rust",
                  "rapidresponse python (sync)", "rapidresponse npm (wasm)"]
MEMORY_EVENTS = [10_000, 100_000, 1_000_000]


def log(*parts):
    print("harness:", *parts, file=sys.stderr, flush=True)


class Mock:
    """The mock server in benchmark mode, on a free port."""

    def __init__(self):
        self.proc = subprocess.Popen([str(TARGET / "rapidresponse-mock"), "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)/v1", line)
        if not match:
            raise SystemExit(f"the mock did not start: {line!r}")
        self.root = match.group(1)

    def url(self, scenario, deltas=DELTAS):
        if scenario == "s1":
            return f"{self.root}/bench/deltas={deltas},delta_bytes={DELTA_BYTES}/v1"
        if scenario == "s2":
            return f"{self.root}/bench/items={ITEMS},item_bytes={ITEM_BYTES}/v1"
        if scenario in ("s5", "s5ws"):
            return f"{self.root}/v1"  # the API itself: chains, tools, think time
        return f"{self.root}/bench/v1"

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def run_once(command, scenario, url):
    """Runs a driver under GNU time; gives its JSON line plus wall, cpu and
    rss_mb. (wait4 on a child of this interpreter would report the
    interpreter's own peak RSS, inherited through the fork, for a small
    driver.)"""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        started = time.perf_counter()
        timed = ["/usr/bin/time", "-f", "%U %S %M", "-o", times.name]
        proc = subprocess.Popen(timed + command + [scenario, url], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=HERE / "drivers")
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return {"error": f"timed out after {TIMEOUT} s"}
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            return {"error": (err.strip().splitlines() or ["exit status"])[-1][:200]}
        user, system, rss_kb = times.read().split()[-3:]
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"no JSON line in {out[:200]!r}"}
    result.update(process_secs=wall, cpu=float(user) + float(system), rss_mb=int(rss_kb) / 1024)
    return result


def check(scenario, result, deltas=DELTAS):
    """Whether the driver did the whole job (counts and lengths)."""
    if "error" in result:
        return result["error"]
    expected = {
        "s1": {"text_len": deltas * DELTA_BYTES},
        "s2": {"responses": REPEAT, "text_len": ITEMS * ITEM_BYTES},
        "s3": {"ok": REQUESTS},
        "s5": {"turns": TURNS, "tool_calls": (TURNS + 1) // 2},
        "s5ws": {"turns": TURNS, "tool_calls": (TURNS + 1) // 2},
    }.get(scenario, {})
    for key, want in expected.items():
        if result.get(key) != want:
            return f"{key} is {result.get(key)}, expected {want}"
    if scenario == "s1" and result.get("events", 0) < deltas:
        return f"only {result.get('events')} events"
    return None


def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=3):
    if value is None:
        return "n/a"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def ratio(value, floor, higher_is_better=False):
    if value is None or floor in (None, 0) or value == 0:
        return ""
    r = floor / value if higher_is_better else value / floor
    return f" (×{r:.2g})"


def main():
    pattern = re.compile(os.environ.get("BENCH_CLIENTS", ""))
    clients = [c for c in CLIENTS if pattern.search(c[0]) or c[0] == FLOOR]
    raw = open(os.environ["BENCH_RAW"], "a") if os.environ.get("BENCH_RAW") else None
    mock = Mock()
    results = {}  # (client, scenario) -> [result]
    load_before = os.getloadavg()
    mock_cpu = {}
    try:
        for scenario in SCENARIOS:  # render the bodies before timing anything
            if scenario in ("s1", "s2", "s3"):
                subprocess.run([str(TARGET / "floor"), scenario, mock.url(scenario)], capture_output=True)
        for round_ in range(RUNS):
            for scenario in SCENARIOS:
                todo = [c for c in clients if scenario in c[1].split()]
                shift = round_ % len(todo) if todo else 0
                for name, _, command in todo[shift:] + todo[:shift]:
                    cpu0 = mock.cpu_seconds()
                    result = run_once(command, scenario, mock.url(scenario))
                    mock_cpu.setdefault(scenario, []).append(mock.cpu_seconds() - cpu0)
                    problem = check(scenario, result)
                    if problem:
                        log(f"round {round_ + 1} {scenario} {name}: FAILED: {problem}")
                        result = {"error": problem}
                    else:
                        log(f"round {round_ + 1}/{RUNS} {scenario} {name}: {result['secs']:.3f}s "
                            f"cpu {result['cpu']:.2f}s rss {result['rss_mb']:.0f}MB")
                    results.setdefault((name, scenario), []).append(result)
                    if raw:
                        raw.write(json.dumps({"client": name, "scenario": scenario, "round": round_ + 1, **result}) + "\n")
        memory = {}
        if num("BENCH_MEMORY", 1):
            for events in MEMORY_EVENTS:
                for name, _, command in clients:
                    if name not in MEMORY_CLIENTS:
                        continue
                    result = run_once(command, "s1", mock.url("s1", events))
                    problem = check("s1", result, events)
                    memory[(name, events)] = None if problem else result["rss_mb"]
                    shown = problem or f"{result['rss_mb']:.0f} MB"
                    log(f"memory {events} events {name}: {shown}")
    finally:
        mock.stop()
    print_table(clients, results, memory, load_before, mock_cpu)


def stat(results, name, scenario, key):
    runs = [r for r in results.get((name, scenario), []) if "error" not in r]
    return median([r[key] for r in runs]) if runs else None


def print_table(clients, results, memory, load_before, mock_cpu):
    def metrics(name):
        m = {}
        s1 = stat(results, name, "s1", "secs")
        m["s1_wall"], m["s1_cpu"] = s1, stat(results, name, "s1", "cpu")
        m["s1_eps"] = (DELTAS + 8) / s1 if s1 else None
        m["s1_rss"] = stat(results, name, "s1", "rss_mb")
        s2 = stat(results, name, "s2", "secs")
        m["s2_ms"] = s2 * 1000 / REPEAT if s2 else None
        m["s2_cpu"], m["s2_rss"] = stat(results, name, "s2", "cpu"), stat(results, name, "s2", "rss_mb")
        s3 = stat(results, name, "s3", "secs")
        m["s3_rps"] = REQUESTS / s3 if s3 else None
        m["s3_cpu"] = stat(results, name, "s3", "cpu")
        s4 = stat(results, name, "s4", "secs")
        m["s4_ms"] = s4 * 1000 if s4 is not None else None
        p4 = stat(results, name, "s4", "process_secs")
        m["s4_proc"] = p4 * 1000 if p4 is not None else None
        return m

    floor = metrics(FLOOR)
    cpus = os.cpu_count()
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"Machine: {cpus} CPUs ({model}); load average {load_before[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after.  ")
    print(f"Medians of {RUNS} interleaved rounds. S1: {DELTAS:,} deltas of {DELTA_BYTES} B; "
          f"S2: {REPEAT} x {ITEMS} items of {ITEM_BYTES} B; S3: {REQUESTS} requests, "
          f"{os.environ.get('BENCH_CONCURRENCY', 64)} in flight. (×N) is the cost relative to the floor.  ")
    print("Mock CPU per run (median s): " + ", ".join(
        f"{s} {median(v):.2f}" for s, v in mock_cpu.items()) + ".\n")
    print("| client | S1 wall s | S1 CPU s | S1 events/s | S1 RSS MB | S2 ms/resp | S2 CPU s | S2 RSS MB "
          "| S3 req/s | S3 CPU s | S4 import+new ms | S4 process ms |")
    print("|---|" + "---:|" * 11)
    for name, _, _ in clients:
        m = metrics(name)
        print("| " + " | ".join([
            name,
            fmt(m["s1_wall"]) + ratio(m["s1_wall"], floor["s1_wall"]),
            fmt(m["s1_cpu"], 2) + ratio(m["s1_cpu"], floor["s1_cpu"]),
            fmt(m["s1_eps"]), fmt(m["s1_rss"]),
            fmt(m["s2_ms"]) + ratio(m["s2_ms"], floor["s2_ms"]),
            fmt(m["s2_cpu"], 2) + ratio(m["s2_cpu"], floor["s2_cpu"]),
            fmt(m["s2_rss"]),
            fmt(m["s3_rps"]) + ratio(m["s3_rps"], floor["s3_rps"], True),
            fmt(m["s3_cpu"], 2) + ratio(m["s3_cpu"], floor["s3_cpu"]),
            fmt(m["s4_ms"]), fmt(m["s4_proc"]),
        ]) + " |")
    if memory:
        print("\nPeak RSS (MB) streaming S1 with more events (4 B of text each):\n")
        print("| client | " + " | ".join(f"{n:,} events" for n in MEMORY_EVENTS) + " |")
        print("|---|" + "---:|" * len(MEMORY_EVENTS))
        for name in MEMORY_CLIENTS:
            if any((name, n) in memory for n in MEMORY_EVENTS):
                print(f"| {name} | " + " | ".join(fmt(memory.get((name, n))) for n in MEMORY_EVENTS) + " |")
    print_chain(clients, results)
    print_targets(metrics)


def print_chain(clients, results):
    """S5: the same chain over HTTP streaming and over one WebSocket."""
    rows = [(name, stat(results, name, "s5", "secs"), stat(results, name, "s5ws", "secs")) for name, _, _ in clients]
    rows = [r for r in rows if r[1] or r[2]]
    if not rows:
        return
    think = int(os.environ.get("BENCH_THINK_MS", 20))
    print(f"\nS5: a function-calling chain of {TURNS} turns ({(TURNS + 1) // 2} tool calls), each turn "
          f"after the previous one, {think} ms of server think time per turn:\n")
    print("| client | HTTP+SSE chain s | WebSocket chain s | WebSocket ÷ HTTP | ms per turn over HTTP | ms per turn over WebSocket |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, http, ws in rows:
        per = lambda v: fmt(v * 1000 / TURNS) if v else "n/a"  # noqa: E731
        share = f"{ws / http:.2f}" if http and ws else "n/a"
        print(f"| {name} | {fmt(http)} | {fmt(ws)} | {share} | {per(http)} | {per(ws)} |")


def print_targets(metrics):
    """Each target of issue 6 with its ratio in this run."""
    get = metrics
    floor, rust = get(FLOOR), get("rapidresponse rust")
    py_ours = [get("rapidresponse python (sync)"), get("rapidresponse python (async)")]
    py_theirs = [get("openai-python (sync)"), get("openai-python (async)")]
    npm, node = get("rapidresponse npm (wasm)"), get("openai-node")

    def div(a, b):
        return a / b if a and b else None

    def best(values, key, low=False):
        xs = [v[key] for v in values if v[key]]
        return (min(xs) if low else max(xs)) if xs else None

    rows = [
        ("Rust S1 wall ≤ 2x the floor's", div(rust["s1_wall"], floor["s1_wall"]), lambda r: r <= 2),
        ("Rust S2 wall ≤ 1.5x the floor's", div(rust["s2_ms"], floor["s2_ms"]), lambda r: r <= 1.5),
        ("Rust S3 req/s ≥ 0.9x the floor's", div(rust["s3_rps"], floor["s3_rps"]), lambda r: r >= 0.9),
        ("Python S1 events/s ≥ 30x openai-python's", div(best(py_ours, "s1_eps"), best(py_theirs, "s1_eps")), lambda r: r >= 30),
        ("Python S2 ≥ 10x openai-python's speed", div(best(py_theirs, "s2_ms", True), best(py_ours, "s2_ms", True)), lambda r: r >= 10),
        ("Python S3 req/s ≥ 10x openai-python's", div(best(py_ours, "s3_rps"), best(py_theirs, "s3_rps")), lambda r: r >= 10),
        ("Python S4 ≤ 25 ms", best(py_ours, "s4_ms", True), lambda r: r <= 25),
        ("Python S1 peak RSS ≤ 1/3 openai-python's", div(best(py_ours, "s1_rss", True), best(py_theirs, "s1_rss", True)), lambda r: r <= 1 / 3),
        ("npm S1 events/s ≥ 2x openai-node's", div(npm["s1_eps"], node["s1_eps"]), lambda r: r >= 2),
        ("npm S2 no slower than openai-node", div(node["s2_ms"], npm["s2_ms"]), lambda r: r >= 1),
    ]
    print("\n| target | this run | met |\n|---|---:|---|")
    for label, value, ok in rows:
        shown = "n/a" if value is None else f"{value:.3g}"
        met = "n/a" if value is None else ("yes" if ok(value) else "**no**")
        print(f"| {label} | {shown} | {met} |")


if __name__ == "__main__":
    main()

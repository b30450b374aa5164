"""Benchmark driver for a Python client with openai-python's API.

usage: py_client.py --module openai|rapidresponse --mode sync|async SCENARIO BASE_URL

Prints one JSON line (see bench/harness.py). S4 times the import and the
client's construction; the others time the scenario alone. The text is
joined into one buffer as it comes, so the driver holds memory in
proportion to the text, not to the number of events.
"""

import argparse
import importlib
import io
import json
import os
import time

started = time.perf_counter()
MODEL, INPUT = "gpt-4.1", "Say hello"


def size(name, default):
    return int(os.environ.get(name, default))


def report(t, **fields):
    fields["secs"] = time.perf_counter() - t
    print(json.dumps(fields))


def same_or_minus_one(lens):
    return lens[0] if lens and all(x == lens[0] for x in lens) else -1


def run_sync(client, scenario):
    t = time.perf_counter()
    if scenario == "s1":
        events, text = 0, io.StringIO()
        for event in client.responses.create(model=MODEL, input=INPUT, stream=True):
            events += 1
            if event.type == "response.output_text.delta":
                text.write(event.delta)
        report(t, events=events, text_len=len(text.getvalue()))
    elif scenario == "s2":
        n = size("BENCH_REPEAT", 30)
        lens = [len(client.responses.create(model=MODEL, input=INPUT).output_text) for _ in range(n)]
        report(t, responses=n, text_len=same_or_minus_one(lens))
    elif scenario in ("s5", "s5ws"):
        chain(client, scenario == "s5ws", t)
    else:
        raise SystemExit(f"scenario {scenario} is not run in sync mode")


CHAIN_QUESTION = "What is the weather in Paris?"
CHAIN_TOOLS = [{"type": "function", "name": "get_weather", "description": "Weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


def chain(client, websocket, t):
    """S5: BENCH_TURNS turns of a function-calling loop, each after the
    previous one, over HTTP streaming or one WebSocket (`responses.connect`)."""
    turns = size("BENCH_TURNS", 20)
    model = f"mock-fault:think-ms={size('BENCH_THINK_MS', 20)}"
    previous, call_id, calls = None, None, 0
    connection = client.responses.connect().__enter__() if websocket else None
    for turn in range(turns):
        params = {"model": model, "tools": CHAIN_TOOLS,
                  "input": CHAIN_QUESTION if turn % 2 == 0 else
                  [{"type": "function_call_output", "call_id": call_id, "output": "18 C"}]}
        if previous:
            params["previous_response_id"] = previous
        done = None
        if connection is not None:
            connection.response.create(**params)
            for event in connection:
                if event.type == "response.completed":
                    done = event.response
                    break
        else:
            for event in client.responses.create(stream=True, **params):
                if event.type == "response.completed":
                    done = event.response
        previous = done.id
        for item in done.output:
            if item.type == "function_call":
                call_id, calls = item.call_id, calls + 1
    if connection is not None:
        connection.close()
    report(t, turns=turns, tool_calls=calls)


async def run_async(client, scenario):
    import asyncio

    t = time.perf_counter()
    if scenario == "s1":
        events, text = 0, io.StringIO()
        async for event in await client.responses.create(model=MODEL, input=INPUT, stream=True):
            events += 1
            if event.type == "response.output_text.delta":
                text.write(event.delta)
        report(t, events=events, text_len=len(text.getvalue()))
    elif scenario == "s2":
        n = size("BENCH_REPEAT", 30)
        lens = [len((await client.responses.create(model=MODEL, input=INPUT)).output_text) for _ in range(n)]
        report(t, responses=n, text_len=same_or_minus_one(lens))
    elif scenario == "s3":
        n, in_flight = size("BENCH_REQUESTS", 2000), size("BENCH_CONCURRENCY", 64)
        gate = asyncio.Semaphore(in_flight)

        async def one():
            async with gate:
                r = await client.responses.create(model=MODEL, input=INPUT)
                return r.status == "completed" and bool(r.output_text)

        ok = sum(await asyncio.gather(*(one() for _ in range(n))))
        report(t, requests=n, ok=ok)
    else:
        raise SystemExit(f"unknown scenario {scenario}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", default="openai")
    parser.add_argument("--mode", choices=["sync", "async"], default="sync")
    parser.add_argument("scenario")
    parser.add_argument("base_url")
    a = parser.parse_args()
    module = importlib.import_module(a.module)
    kind = module.OpenAI if a.mode == "sync" else module.AsyncOpenAI
    client = kind(api_key="bench", base_url=a.base_url, max_retries=0)
    if a.scenario == "s4":
        version = getattr(module, "__version__", "?")
        report(started, version=version)
    elif a.mode == "sync":
        run_sync(client, a.scenario)
    else:
        import asyncio

        asyncio.run(run_async(client, a.scenario))


if __name__ == "__main__":
    main()

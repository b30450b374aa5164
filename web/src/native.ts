/**
 * The wasm module: instantiated when the package is imported (top-level
 * await; read from disk where fetch cannot load `file:` URLs, as in Node),
 * its tasks driven to promises, and its failures turned into openai-node's
 * error classes. A panic rejects the calls in flight with `RustPanicError`
 * and the module is re-instantiated before the next call (wasm-bindgen's
 * reinit), so later calls work. Nothing here knows the API.
 */
import initWasm, {
  initSync,
  setup,
  poll_task,
  panic_for_tests,
  azure_base_url,
  next_page_cursor,
  verify_webhook,
  NativeClient,
  NativeStream,
} from './wasm/rapidresponse_wasm.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
  RustPanicError,
} from './error.js';

export { NativeClient, NativeStream, azure_base_url, next_page_cursor, verify_webhook };

const wasmURL = new URL('./wasm/rapidresponse_wasm_bg.wasm', import.meta.url);
if (wasmURL.protocol === 'file:') {
  // Node, Deno, Bun: fetch cannot read file: URLs. The specifier is built
  // so bundlers for the browser do not try to resolve it.
  const fs = 'node:fs';
  const { readFileSync } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fs)) as {
    readFileSync(url: URL): Uint8Array;
  };
  initSync({ module: readFileSync(wasmURL) });
} else {
  await initWasm({ module_or_path: wasmURL });
}

interface Waiter {
  resolve(value: any): void;
  reject(error: unknown): void;
}

const waiting = new Map<number, Waiter>();
const scheduled = new Set<number>();
let needsSetup = true;
let lastPanic = '';

/** Bumped when the module is re-instantiated: objects of an older
 * generation belong to a dead instance. */
export let generation = 0;

/** The controllers of calls that may still have a request in flight. A
 * trap leaves the module's own controllers unreachable; these, whose
 * signals the module's fetches follow, are aborted instead, so nothing
 * stays connected for a dead instance. Held weakly; pruned as they go. */
const inFlight = new Set<WeakRef<AbortController>>();

/** Registers a call's controller, to be aborted if the module traps. */
export function trackCall(controller: AbortController): void {
  if (inFlight.size >= 256) {
    for (const ref of inFlight) {
      const c = ref.deref();
      if (c === undefined || c.signal.aborted) inFlight.delete(ref);
    }
  }
  const ref = new WeakRef(controller);
  inFlight.add(ref);
  controller.signal.addEventListener('abort', () => inFlight.delete(ref), { once: true });
}

function wake(id: number): void {
  if (!waiting.has(id) || scheduled.has(id)) return;
  scheduled.add(id);
  queueMicrotask(() => {
    scheduled.delete(id);
    step(id);
  });
}

function onPanic(message: string): void {
  // Called inside the panicking call: no call back into wasm from here.
  lastPanic = message;
}

function handleTrap(error: unknown): RustPanicError {
  const panic = new RustPanicError(
    `rapidresponse panicked: ${lastPanic || String(error)} (the module was reset; please report this bug)`,
  );
  lastPanic = '';
  generation += 1;
  needsSetup = true;
  const lost = [...waiting.values()];
  waiting.clear();
  scheduled.clear();
  for (const w of lost) w.reject(panic);
  // Re-instantiate now, not at the next call: a callback of the dead
  // instance that comes first must find it replaced (and is then dropped,
  // see scripts/build.mjs), never run against the new one.
  setup(wake, onPanic);
  needsSetup = false;
  const connected = [...inFlight];
  inFlight.clear();
  for (const ref of connected) ref.deref()?.abort();
  return panic;
}

/** Runs a synchronous call into the module; a trap becomes RustPanicError,
 * a failure object becomes openai-node's error class. */
export function callNative<T>(f: () => T): T {
  try {
    if (needsSetup) {
      // The first call after a panic re-instantiates the module.
      setup(wake, onPanic);
      needsSetup = false;
    }
    return f();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw handleTrap(e);
    throw toError(e);
  }
}

function step(id: number): void {
  const waiter = waiting.get(id);
  if (!waiter) return;
  let out: unknown;
  try {
    out = callNative(() => poll_task(id));
  } catch (e) {
    waiting.delete(id);
    waiter.reject(e);
    return;
  }
  if (out !== undefined) {
    waiting.delete(id);
    waiter.resolve(out);
  }
}

/** Starts a task (`start` gives its id) and resolves with its value. */
export function runTask<T>(start: () => number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let id: number;
    try {
      id = callNative(start);
    } catch (e) {
      reject(e);
      return;
    }
    waiting.set(id, { resolve, reject });
    step(id);
  });
}

/** The module's failure (the core's error report, `{rapidresponse: true,
 * kind, message, ...}`) as openai-node's error class. */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  const f = e as {
    rapidresponse?: boolean;
    kind?: string;
    message?: string;
    status?: number;
    headers?: [string, string][];
    body?: unknown;
    event?: any;
    partial?: unknown;
  };
  if (!f || typeof f !== 'object' || !f.rapidresponse) return new OpenAIError(String(e));
  let error: Error;
  switch (f.kind) {
    case 'api': {
      const body = typeof f.body === 'string' ? safeJSON(f.body) ?? f.body : f.body;
      const json = typeof body === 'object' && body !== null ? body : undefined;
      error = APIError.generate(f.status, json, json === undefined ? (body as string) : undefined, new Headers(f.headers ?? []));
      break;
    }
    case 'stream_error': {
      // openai-node: the `error` member, or an `event: error` frame's message.
      const event = f.event ?? {};
      error = new APIError(undefined, event.error, event.error ? undefined : event.message, undefined);
      // The whole event, for the WebSocket mode's `error` listeners.
      Object.defineProperty(error, 'event', { value: event, enumerable: false });
      break;
    }
    case 'timeout':
      error = new APIConnectionTimeoutError();
      break;
    case 'connection':
    case 'ended_early':
      error = new APIConnectionError({ cause: new Error(f.message) });
      break;
    case 'cancelled':
      error = new APIUserAbortError();
      break;
    case 'decode':
      error = new SyntaxError(`Error reading response: ${f.message ?? 'malformed server-sent event JSON.'}`);
      break;
    default:
      error = new OpenAIError(f.message ?? 'unknown error');
  }
  if (f.partial !== undefined && error instanceof APIError) error.partialResponse = f.partial;
  if (f.partial !== undefined && error instanceof SyntaxError) (error as any).partialResponse = f.partial;
  return error;
}

function safeJSON(text: string): object | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** For the tests: a task that panics. */
export function panicForTests(): Promise<never> {
  return runTask(() => panic_for_tests());
}

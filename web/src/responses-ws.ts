/**
 * `ResponsesWS`: the Responses API's WebSocket mode with openai-node's
 * shape (`new ResponsesWS(client)`, `send`, `on`/`off`/`once`, `close`,
 * `for await` over `stream()`). The socket is the platform's `WebSocket`
 * (Node >= 22, or 20 with --experimental-websocket; browsers, which cannot
 * send the key: use it through a proxy that adds it). Which events a
 * response has, when it ends, its errors and the response so far are the
 * Rust connection's (one stream machine per response); this class moves
 * messages and emits them.
 *
 * Where it differs from openai-node: no automatic reconnect (nothing in
 * flight is re-sent); a refused upgrade is an APIConnectionError (the
 * platform does not show the status); a response the connection drops
 * in the middle is an APIConnectionError carrying `partialResponse`.
 */
import type { HeadersLike, OpenAI } from './client.js';
import { APIError, OpenAIError } from './error.js';
import type { NativeConnectionHandle } from './handles.js';
import { runTask, toError } from './native.js';
import type { Batch } from './streaming.js';
import type { ResponseStreamEvent } from './types.js';

type Listener = (...args: any[]) => void;

/** An `error` event of the WebSocket mode, as openai-node's WebSocketError. */
export class WebSocketError extends OpenAIError {
  declare error?: Record<string, unknown>;

  constructor(message: string, event: Record<string, unknown> | null) {
    super(message);
    Object.defineProperty(this, 'error', { value: event ?? undefined, enumerable: false });
  }
}

/** Makes the platform's WebSocket: with the upgrade's headers where the
 * platform takes them (Node's undici), without in browsers. */
function openWebSocket(url: string, headers: [string, string][]): WebSocket {
  const Platform = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!Platform) {
    throw new OpenAIError('No global WebSocket: use Node >= 22 (or 20 with --experimental-websocket) or a browser.');
  }
  const node = !!(globalThis as any).process?.versions?.node;
  if (node) {
    return new (Platform as any)(url, { headers: Object.fromEntries(headers) });
  }
  return new Platform(url);
}

export interface ResponsesWSOptions {
  /** Headers for the upgrade request (Node only). */
  headers?: HeadersLike | undefined;
  /** Query parameters for the upgrade request. */
  query?: Record<string, unknown> | undefined;
}

export type ResponsesStreamMessage =
  | { type: 'message'; message: ResponseStreamEvent }
  | { type: 'error'; error: Error }
  | { type: 'close'; code: number; reason: string };

export class ResponsesWS {
  #listeners = new Map<string, Set<Listener>>();
  #native: NativeConnectionHandle | undefined;
  #queue: string[] = [];
  #reading = false;
  #closed = false;
  readonly opened: Promise<void>;

  constructor(client: OpenAI, options: ResponsesWSOptions = {}) {
    const headers: Record<string, string | null> = {};
    if (options.headers) {
      const entries = Array.isArray(options.headers)
        ? options.headers
        : options.headers instanceof Headers
          ? [...options.headers.entries()]
          : Object.entries(options.headers);
      for (const [k, v] of entries) if (v !== undefined) headers[k] = v === null ? null : String(v);
    }
    const spec = { op: 'responses.connect', options: { headers, query: options.query } };
    this.opened = runTask<NativeConnectionHandle>(() => client._native().connect(spec, openWebSocket)).then(
      (native) => {
        this.#native = native;
        for (const text of this.#queue.splice(0)) this.#sendNow(text);
        if (this.#closed) runTask(() => native.close()).catch(() => {});
      },
      (e) => {
        this.#closed = true;
        this.#emit('error', e);
        this.#emit('close', 1006, '');
      },
    );
    // The outcome is reported as events; the promise itself never rejects.
    this.opened.catch(() => {});
  }

  /** Sends a client event (`response.create`, `response.steer`); queued until the socket is open. */
  send(event: Record<string, unknown>): void {
    if (this.#closed) throw new OpenAIError('the WebSocket is closed');
    const text = JSON.stringify(event);
    if (this.#native) this.#sendNow(text);
    else this.#queue.push(text);
  }

  #sendNow(text: string): void {
    const native = this.#native!;
    runTask(() => native.send(text)).then(
      () => this.#pump(),
      (e) => this.#emit('error', e),
    );
  }

  /** Reads while a response is in flight, emitting each event. */
  async #pump(): Promise<void> {
    if (this.#reading || !this.#native) return;
    this.#reading = true;
    const native = this.#native;
    try {
      for (;;) {
        let batch: Batch | null;
        try {
          batch = await runTask<Batch | null>(() => native.recv_batch());
        } catch (e) {
          const event = e instanceof APIError ? (e as { event?: Record<string, unknown> }).event : undefined;
          if (event) {
            // An `error` event ends its response; the connection goes on.
            this.#emit('event', event);
            const message = String((event.error as { message?: unknown } | undefined)?.message ?? 'WebSocket error');
            this.#emit('error', new WebSocketError(message, event));
            continue;
          }
          const error = e instanceof Error ? e : toError(e);
          this.#emit('error', error);
          const code = native.closed();
          if (code !== undefined) {
            this.#closed = true;
            this.#emit('close', code, '');
            return;
          }
          continue;
        }
        if (batch === null) return;
        for (const event of JSON.parse(batch[1]) as ResponseStreamEvent[]) {
          this.#emit('event', event);
          this.#emit(event.type, event);
        }
      }
    } finally {
      this.#reading = false;
      if (!this.#closed && native.in_flight() > 0) void this.#pump();
    }
  }

  /** Closes the socket (code 1000); a response in flight ends with an error. */
  close(_props?: { code: number; reason: string }): void {
    if (this.#closed) return;
    this.#closed = true;
    const native = this.#native;
    if (native) {
      runTask(() => native.close()).then(
        () => this.#emit('close', 1000, ''),
        () => this.#emit('close', 1000, ''),
      );
    }
  }

  on(event: string, listener: Listener): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const once: Listener = (...args) => {
      this.off(event, once);
      listener(...args);
    };
    return this.on(event, once);
  }

  /** Resolves with the arguments of the next `event` emitted. */
  emitted(event: string): Promise<any> {
    return new Promise((resolve) => this.once(event, (...args) => resolve(args.length > 1 ? args : args[0])));
  }

  /** Every event, error and the close, as openai-node's `stream()` messages. */
  async *stream(): AsyncIterableIterator<ResponsesStreamMessage> {
    const queue: ResponsesStreamMessage[] = [];
    let wake: (() => void) | undefined;
    const put = (m: ResponsesStreamMessage) => {
      queue.push(m);
      wake?.();
    };
    const onEvent = (message: ResponseStreamEvent) => put({ type: 'message', message });
    const onError = (error: Error) => put({ type: 'error', error });
    const onClose = (code: number, reason: string) => put({ type: 'close', code, reason });
    this.on('event', onEvent).on('error', onError).on('close', onClose);
    try {
      for (;;) {
        while (queue.length) {
          const m = queue.shift()!;
          yield m;
          if (m.type === 'close') return;
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      this.off('event', onEvent).off('error', onError).off('close', onClose);
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ResponsesStreamMessage> {
    return this.stream();
  }

  #emit(event: string, ...args: unknown[]): void {
    const set = this.#listeners.get(event);
    if (event === 'error' && (!set || set.size === 0)) {
      // As openai-node: an error nobody listens for is not swallowed.
      Promise.reject(args[0]);
      return;
    }
    for (const listener of [...(set ?? [])]) listener(...args);
  }
}

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
 * With `reconnect: { onReconnecting }` a recoverable close opens the
 * connection again (the Rust connection decides when and how long to
 * wait, as openai-node does); messages sent meanwhile are queued.
 *
 * Where it differs from openai-node: a response the connection drops in
 * the middle is an APIConnectionError carrying `partialResponse` (also
 * when the connection then reconnects; nothing in flight is re-sent); a
 * refused upgrade is an APIConnectionError (the platform does not show
 * the status); the reconnect happens when the next response is sent,
 * not at once, and `reconnected` comes with the first events after it;
 * binary frames are not sent (`sendRaw` takes text or UTF-8 bytes).
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

/** A reconnect attempt, as openai-node's `ReconnectingEvent` (`delay` in ms). */
export interface ReconnectingEvent {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delay: number;
  readonly closeCode: number;
  readonly parameters: Record<string, unknown> | undefined;
}

/** What `onReconnecting` may answer: new query parameters, or stop. */
export type ReconnectingOverrides = { parameters?: Record<string, unknown> | undefined } | { abort: true };

export interface ResponsesWSReconnectOptions {
  /** Asked before each attempt. */
  onReconnecting(event: ReconnectingEvent): ReconnectingOverrides | void;
  /** Attempts at most (default 5; 0 turns reconnecting off). */
  maxRetries?: number;
  /** First wait in ms (default 500), doubled per attempt. */
  initialDelay?: number;
  /** Longest wait in ms (default 8000). */
  maxDelay?: number;
}

/** A message a connection that closed for good never sent. */
export type UnsentMessage = { type: 'message'; message: Record<string, unknown> } | { type: 'raw'; data: string };

export interface ResponsesWSOptions {
  /** Headers for the upgrade request (Node only). */
  headers?: HeadersLike | undefined;
  /** Query parameters for the upgrade request. */
  query?: Record<string, unknown> | undefined;
  /** Reconnect after a recoverable close (off unless given). */
  reconnect?: ResponsesWSReconnectOptions | null | undefined;
  /** The send queue's limit in bytes while reconnecting (default 1 MiB). */
  maxQueueSize?: number | undefined;
}

export type ResponsesStreamMessage =
  | { type: 'connecting' | 'open' }
  | { type: 'message'; message: ResponseStreamEvent }
  | { type: 'reconnecting'; reconnect: ReconnectingEvent }
  | { type: 'reconnected' }
  | { type: 'error'; error: Error }
  | { type: 'close'; code: number; reason: string; unsent: UnsentMessage[] };

function unsentMessage(text: string): UnsentMessage {
  try {
    return { type: 'message', message: JSON.parse(text) };
  } catch {
    return { type: 'raw', data: text };
  }
}

export class ResponsesWS {
  #listeners = new Map<string, Set<Listener>>();
  #native: NativeConnectionHandle | undefined;
  #queue: string[] = [];
  #reading = false;
  #closed = false;
  #reconnects = 0;
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
    let parameters = options.query ? { ...options.query } : undefined;
    const reconnect = options.reconnect && options.reconnect.maxRetries !== 0 ? options.reconnect : null;
    const connect = {
      reconnect: reconnect
        ? { max_retries: reconnect.maxRetries, initial_delay: reconnect.initialDelay, max_delay: reconnect.maxDelay }
        : null,
      max_queue_size: options.maxQueueSize,
    };
    const spec = { op: 'responses.connect', options: { headers, query: parameters }, connect };
    // Asked by the Rust connection before each attempt: false stops, a
    // call description carries the new query.
    const hook = reconnect
      ? (attempt: number, maxAttempts: number, delay: number, closeCode: number) => {
          let event: ReconnectingEvent = {
            attempt,
            maxAttempts,
            delay: Math.round(delay),
            closeCode,
            parameters: parameters ? { ...parameters } : undefined,
          };
          let overrides: ReconnectingOverrides | void;
          try {
            overrides = reconnect.onReconnecting(event);
          } catch (err) {
            queueMicrotask(() => this.#emit('error', new WebSocketError('onReconnecting callback threw', null)));
            return false;
          }
          if (overrides && 'abort' in overrides && overrides.abort) return false;
          if (overrides && 'parameters' in overrides) {
            parameters = overrides.parameters;
            event = { ...event, parameters };
          }
          // Emitted after the Rust call returns (listeners may call back in).
          queueMicrotask(() => this.#emit('reconnecting', event));
          return { op: 'responses.connect', options: { headers, query: parameters } };
        }
      : undefined;
    this.opened = runTask<NativeConnectionHandle>(() => client._native().connect(spec, openWebSocket, hook)).then(
      (native) => {
        this.#native = native;
        if (this.#closed) {
          // Closed before it opened: nothing queued goes out.
          const unsent = this.#queue.splice(0).map(unsentMessage);
          runTask(() => native.close()).then(
            () => this.#emit('close', 1000, '', unsent),
            () => this.#emit('close', 1000, '', unsent),
          );
          return;
        }
        this.#emit('open');
        for (const text of this.#queue.splice(0)) this.#sendNow(text);
      },
      (e) => {
        this.#closed = true;
        this.#emit('error', e);
        this.#emit('close', 1006, '', []);
      },
    );
    // The outcome is reported as events; the promise itself never rejects.
    this.opened.catch(() => {});
  }

  /** Sends a client event (`response.create`, `response.steer`); queued until the socket is open. */
  send(event: Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(event));
  }

  /** Sends a message as it is: text, or UTF-8 bytes. */
  sendRaw(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.#closed) throw new OpenAIError('the WebSocket is closed');
    const text =
      typeof data === 'string'
        ? data
        : new TextDecoder().decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
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
            this.#emit('close', code, '', native.take_unsent().map(unsentMessage));
            return;
          }
          continue;
        }
        if (batch === null) return;
        const reconnects = native.reconnects();
        if (reconnects > this.#reconnects) {
          this.#reconnects = reconnects;
          this.#emit('reconnected');
        }
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
        () => this.#emit('close', 1000, '', []),
        () => this.#emit('close', 1000, '', []),
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

  /** The connection's state, each event, reconnect, error and the close,
   * as openai-node's `stream()` messages. */
  async *stream(): AsyncIterableIterator<ResponsesStreamMessage> {
    const queue: ResponsesStreamMessage[] = [this.#native ? { type: 'open' } : { type: 'connecting' }];
    let wake: (() => void) | undefined;
    const put = (m: ResponsesStreamMessage) => {
      queue.push(m);
      wake?.();
    };
    const onOpen = () => put({ type: 'open' });
    const onEvent = (message: ResponseStreamEvent) => put({ type: 'message', message });
    const onReconnecting = (reconnect: ReconnectingEvent) => put({ type: 'reconnecting', reconnect });
    const onReconnected = () => put({ type: 'reconnected' });
    const onError = (error: Error) => put({ type: 'error', error });
    const onClose = (code: number, reason: string, unsent: UnsentMessage[] = []) =>
      put({ type: 'close', code, reason, unsent });
    this.on('open', onOpen).on('event', onEvent).on('reconnecting', onReconnecting).on('reconnected', onReconnected);
    this.on('error', onError).on('close', onClose);
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
      this.off('open', onOpen).off('event', onEvent).off('reconnecting', onReconnecting).off('reconnected', onReconnected);
      this.off('error', onError).off('close', onClose);
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

/**
 * `client.responses.stream(params)`: openai-node's ResponseStream. Listen
 * with `.on('response.output_text.delta', e => e.snapshot)`, `.on('event')`,
 * `.on('end' | 'error' | 'abort' | 'connect')`, iterate with `for await`,
 * and `await finalResponse()`; `abort()` cancels. The response so far
 * (`currentResponse`), the snapshots and the final response are the wasm
 * module's (the Rust stream machine); this only emits.
 */
import { APIError, APIUserAbortError, OpenAIError } from './error.js';
import { callNative } from './native.js';
import type { NativeStreamHandle } from './handles.js';
import { addOutputText } from './output-text.js';
import { parseResponse, type ParsedResponse } from './parse.js';
import type { RequestOptions } from './client.js';
import type { Stream } from './streaming.js';
import type {
  Response,
  ResponseCreateParamsBase,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseStreamEvent,
  ResponseTextDeltaEvent,
} from './types.js';

/** Creates the stream's underlying Stream (a create or a retrieve). */
type Opener = (params: ResponseStreamParams, options: RequestOptions) => Promise<Stream<ResponseStreamEvent>>;

export type ResponseStreamByIdParams = { response_id: string; starting_after?: number };

export type ResponseStreamParams =
  | (Omit<ResponseCreateParamsBase, 'stream'> & { stream?: true })
  | ResponseStreamByIdParams;

/** Whether the params follow an existing response instead of creating one. */
export function isStreamById(params: ResponseStreamParams): params is ResponseStreamByIdParams {
  return typeof (params as { response_id?: unknown }).response_id === 'string';
}

type EventWithSnapshot<E> = E & { snapshot: string };

export interface ResponseStreamEvents {
  connect: () => void;
  event: (event: ResponseStreamEvent) => void;
  end: () => void;
  error: (error: OpenAIError) => void;
  abort: (error: APIUserAbortError) => void;
  'response.output_text.delta': (event: EventWithSnapshot<ResponseTextDeltaEvent>) => void;
  'response.function_call_arguments.delta': (event: EventWithSnapshot<ResponseFunctionCallArgumentsDeltaEvent>) => void;
  [type: string]: (...args: any[]) => void;
}

type Listener = { listener: (...args: any[]) => void; once: boolean };

export class ResponseStream implements AsyncIterable<ResponseStreamEvent> {
  controller: AbortController = new AbortController();
  #listeners: Record<string, Listener[]> = {};
  #ended = false;
  #errored = false;
  #aborted = false;
  #catching = false;
  #native: NativeStreamHandle | undefined;
  #final: Response | undefined;
  /** The create parameters (none for a stream by id): what the final response parses with. */
  #params: Record<string, unknown> | null = null;
  #resolveConnected!: () => void;
  #rejectConnected!: (e: unknown) => void;
  #resolveEnd!: () => void;
  #rejectEnd!: (e: unknown) => void;
  #connected: Promise<void>;
  #end: Promise<void>;

  constructor() {
    this.#connected = new Promise((resolve, reject) => {
      this.#resolveConnected = resolve;
      this.#rejectConnected = reject;
    });
    this.#end = new Promise((resolve, reject) => {
      this.#resolveEnd = resolve;
      this.#rejectEnd = reject;
    });
    // Rejections are reported through 'error' / 'abort' or done().
    this.#connected.catch(() => {});
    this.#end.catch(() => {});
  }

  /** @internal */
  static start(open: Opener, params: ResponseStreamParams, options: RequestOptions = {}): ResponseStream {
    const runner = new ResponseStream();
    runner.#params = isStreamById(params) ? null : (params as unknown as Record<string, unknown>);
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) runner.controller.abort();
      signal.addEventListener('abort', () => runner.controller.abort(), { once: true });
    }
    // Started on the next tick, so listeners attached now see every event.
    setTimeout(() => {
      runner.#run(async () => {
        const stream = await open(params, { ...options, signal: runner.controller.signal });
        runner.#native = stream._native;
        runner.#resolveConnected();
        runner.#emit('connect');
        for await (const event of stream) runner.#addEvent(event);
        if (stream.controller.signal.aborted) throw new APIUserAbortError();
        runner.#finish();
      });
    }, 0);
    return runner;
  }

  get ended(): boolean {
    return this.#ended;
  }
  get errored(): boolean {
    return this.#errored;
  }
  get aborted(): boolean {
    return this.#aborted;
  }
  /** The response so far. */
  get currentResponse(): Response | undefined {
    const native = this.#native;
    return native ? (callNative(() => native.snapshot()) as Response | undefined) : undefined;
  }

  abort(): void {
    this.controller.abort();
  }

  on<E extends keyof ResponseStreamEvents>(event: E, listener: ResponseStreamEvents[E]): this {
    (this.#listeners[event as string] ??= []).push({ listener, once: false });
    return this;
  }

  off<E extends keyof ResponseStreamEvents>(event: E, listener: ResponseStreamEvents[E]): this {
    const list = this.#listeners[event as string];
    if (list) {
      const i = list.findIndex((l) => l.listener === listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  once<E extends keyof ResponseStreamEvents>(event: E, listener: ResponseStreamEvents[E]): this {
    (this.#listeners[event as string] ??= []).push({ listener, once: true });
    return this;
  }

  /** Resolves with the arguments of the next `event` emitted. */
  emitted<E extends keyof ResponseStreamEvents>(event: E): Promise<Parameters<ResponseStreamEvents[E]>[0]> {
    return new Promise((resolve, reject) => {
      this.#catching = true;
      if (event !== 'error') this.once('error', reject);
      this.once(event, resolve as any);
    });
  }

  /** Resolves when the stream has ended; rejects with its error. */
  async done(): Promise<void> {
    this.#catching = true;
    await this.#end;
  }

  /** The final response (with `output_text`, and parsed as
   * `responses.parse()` parses: `output_parsed`, `parsed`, `parsed_arguments`). */
  async finalResponse(): Promise<ParsedResponse> {
    await this.done();
    if (!this.#final) throw new OpenAIError('stream ended without producing a Response');
    return parseResponse(this.#final, this.#params);
  }

  [Symbol.asyncIterator](): AsyncIterator<ResponseStreamEvent> {
    const queue: ResponseStreamEvent[] = [];
    const readers: Array<{ resolve: (r: IteratorResult<ResponseStreamEvent>) => void; reject: (e: unknown) => void }> = [];
    let done = false;
    let failure: unknown;
    this.on('event', (event) => {
      const reader = readers.shift();
      if (reader) reader.resolve({ value: event, done: false });
      else queue.push(event);
    });
    this.on('end', () => {
      done = true;
      for (const r of readers.splice(0)) r.resolve({ value: undefined, done: true });
    });
    const fail = (e: unknown) => {
      done = true;
      failure = e;
      for (const r of readers.splice(0)) r.reject(e);
    };
    this.on('abort', fail);
    this.on('error', fail);
    return {
      next: async () => {
        if (queue.length) return { value: queue.shift()!, done: false };
        if (failure !== undefined) throw failure;
        if (done) return { value: undefined, done: true };
        return new Promise((resolve, reject) => readers.push({ resolve, reject }));
      },
      return: async () => {
        this.abort();
        return { value: undefined, done: true };
      },
    };
  }

  #addEvent(event: ResponseStreamEvent): void {
    if (this.#ended) return;
    this.#emit('event', event);
    // Text and arguments deltas carry `snapshot` (set by the stream).
    this.#emit(event.type, event);
  }

  #finish(): void {
    const native = this.#native;
    if (!native) throw new OpenAIError('request ended without sending any events');
    this.#final = addOutputText(callNative(() => native.final_response()) as Response);
  }

  #run(work: () => Promise<void>): void {
    work().then(
      () => this.#emit('end'),
      (error) => this.#fail(error),
    );
  }

  #fail(error: unknown): void {
    this.#errored = true;
    if (error instanceof Error && error.name === 'AbortError') error = new APIUserAbortError();
    if (error instanceof APIUserAbortError || this.controller.signal.aborted) {
      this.#aborted = true;
      this.#emit('abort', error instanceof APIUserAbortError ? error : new APIUserAbortError());
      return;
    }
    if (!(error instanceof OpenAIError)) {
      const wrapped = new OpenAIError(error instanceof Error ? error.message : String(error));
      (wrapped as { cause?: unknown }).cause = error;
      error = wrapped;
    }
    if (this.#native && error instanceof APIError && error.partialResponse === undefined) {
      error.partialResponse = this.currentResponse;
    }
    this.#emit('error', error);
  }

  #emit(event: string, ...args: unknown[]): void {
    if (this.#ended) return;
    if (event === 'end') {
      this.#ended = true;
      this.#resolveEnd();
    }
    const listeners = this.#listeners[event];
    if (listeners) {
      this.#listeners[event] = listeners.filter((l) => !l.once);
      for (const { listener } of listeners) listener(...args);
    }
    if (event === 'abort' || event === 'error') {
      const error = args[0];
      if (!this.#catching && !listeners?.length) Promise.reject(error);
      this.#rejectConnected(error);
      this.#rejectEnd(error);
      this.#emit('end');
    }
  }
}

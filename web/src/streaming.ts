/**
 * `Stream`: openai-node's async-iterable stream of events, over the wasm
 * module's batches (the events of one network chunk per crossing, parsed
 * here with JSON.parse). It ends and fails as openai-node's does (an event
 * whose data has an `error` key throws APIError; aborting ends it quietly),
 * and a Responses stream cut off before its terminal event throws
 * APIConnectionError with `partialResponse`.
 */
import { APIConnectionError, APIError, APIUserAbortError, OpenAIError } from './error.js';
import { accumulate, isTerminal } from './accumulate.js';
import { callNative, runTask } from './native.js';
import type { NativeStreamHandle } from './handles.js';
import type { Response } from './types.js';

export type StreamKind = 'responses' | 'chunks';

/** @internal A batch as the module hands it over: its event count and
 * `[e1,\re2,...]` (CR never occurs inside an event's data). */
export type Batch = [number, string];

/** @internal The JSON texts of a batch's events, one by one. */
export function batchTexts(batch: Batch): string[] {
  const inner = batch[1].slice(1, -1);
  return batch[0] === 1 ? [inner] : inner.split(',\r');
}

/** The events of a batch parsed at once, or undefined when one of them is
 * not valid JSON (then they are parsed one by one, to fail at the right one). */
function parseBatch(batch: Batch): unknown[] | undefined {
  try {
    const events = JSON.parse(batch[1]);
    return Array.isArray(events) && events.length === batch[0] ? events : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The iterator of a stream over the module's batches. Hand-written rather
 * than an async generator: an event already received is handed over with
 * one resolved promise, which is most of the per-event cost saved. Events
 * are parsed one at a time, so an error at event k comes after the events
 * before it, as in openai-node.
 */
class BatchIterator<Item> implements AsyncIterator<Item> {
  /** The batch's events, parsed, or their texts when one is malformed. */
  private events: unknown[] = [];
  private parsed = true;
  private next_ = 0;
  private snapshot: Response | undefined;
  private ended: boolean;
  private finished = false;

  constructor(
    private readonly native: NativeStreamHandle,
    private readonly kind: StreamKind,
    private readonly controller: AbortController,
    private readonly headers: Headers,
  ) {
    this.ended = kind !== 'responses';
  }

  next(): Promise<IteratorResult<Item>> {
    if (this.next_ < this.events.length) {
      try {
        return Promise.resolve({ value: this.take(), done: false });
      } catch (e) {
        return this.fail(e);
      }
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return this.read();
  }

  return(): Promise<IteratorResult<Item>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Checks (and parses, if need be) the next buffered event. */
  private take(): Item {
    let data: any = this.events[this.next_++];
    if (!this.parsed) {
      try {
        data = JSON.parse(data as string);
      } catch {
        throw new SyntaxError('Error reading response: malformed server-sent event JSON.');
      }
    }
    if (data && data.error) throw new APIError(undefined, data.error, undefined, this.headers);
    if (this.kind === 'responses' && data) {
      this.snapshot = accumulate(this.snapshot, data);
      // A flat `error` event ends a stream by the server's choice.
      if (isTerminal(data.type) || data.type === 'error') this.ended = true;
    }
    return data as Item;
  }

  private async read(): Promise<IteratorResult<Item>> {
    try {
      const batch = await runTask<Batch | null>(() => this.native.next_batch());
      if (batch === null) {
        if (!this.ended) {
          throw new APIConnectionError({
            message: 'Connection error: the stream ended before the response was complete.',
          });
        }
        this.finished = true;
        return { value: undefined, done: true };
      }
      const events = parseBatch(batch);
      this.parsed = events !== undefined;
      this.events = events ?? batchTexts(batch);
      this.next_ = 0;
      return { value: this.take(), done: false };
    } catch (e) {
      return this.fail(e);
    }
  }

  /** Ends the stream after `e`: quietly after an abort, else rethrown. */
  private fail(e: unknown): Promise<IteratorResult<Item>> {
    const aborted = e instanceof APIUserAbortError || this.controller.signal.aborted;
    this.stop();
    if (aborted) return Promise.resolve({ value: undefined, done: true });
    if (this.snapshot !== undefined && e instanceof APIError) e.partialResponse = this.snapshot;
    return Promise.reject(e);
  }

  /** Aborts the request unless the stream ended on its own. */
  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.events = [];
    this.controller.abort();
    try {
      callNative(() => this.native.close());
    } catch {
      // After a panic the object is gone with its instance.
    }
  }
}

export class Stream<Item> implements AsyncIterable<Item> {
  controller: AbortController;
  private iterator: () => AsyncIterator<Item>;

  constructor(iterator: () => AsyncIterator<Item>, controller: AbortController) {
    this.iterator = iterator;
    this.controller = controller;
  }

  /** @internal A stream over the module's batches. */
  static fromNative<Item>(
    native: NativeStreamHandle,
    kind: StreamKind,
    controller: AbortController,
    headers: Headers,
  ): Stream<Item> {
    let consumed = false;
    const iterator = (): AsyncIterator<Item> => {
      if (consumed) {
        throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
      }
      consumed = true;
      return new BatchIterator<Item>(native, kind, controller, headers);
    };
    return new Stream(iterator, controller);
  }

  [Symbol.asyncIterator](): AsyncIterator<Item> {
    return this.iterator();
  }

  /** Two streams that each yield every event (the source is read once). */
  tee(): [Stream<Item>, Stream<Item>] {
    const left: Array<Promise<IteratorResult<Item>>> = [];
    const right: Array<Promise<IteratorResult<Item>>> = [];
    const iterator = this.iterator();
    const teeIterator = (queue: Array<Promise<IteratorResult<Item>>>): AsyncIterator<Item> => ({
      next: () => {
        if (queue.length === 0) {
          const result = iterator.next();
          left.push(result);
          right.push(result);
        }
        return queue.shift()!;
      },
    });
    return [
      new Stream(() => teeIterator(left), this.controller),
      new Stream(() => teeIterator(right), this.controller),
    ];
  }

  /** A ReadableStream of newline-separated JSON, for relaying to a browser
   * (read back with `Stream.fromReadableStream`). */
  toReadableStream(): ReadableStream<Uint8Array> {
    let iter: AsyncIterator<Item>;
    const encoder = new TextEncoder();
    return new ReadableStream({
      start: () => {
        iter = this[Symbol.asyncIterator]();
      },
      pull: async (ctrl) => {
        try {
          const { value, done } = await iter.next();
          if (done) return ctrl.close();
          ctrl.enqueue(encoder.encode(JSON.stringify(value) + '\n'));
        } catch (err) {
          ctrl.error(err);
        }
      },
      cancel: async () => {
        await iter.return?.();
      },
    });
  }

  /** A stream of the JSON lines of `readableStream` (from `toReadableStream`). */
  static fromReadableStream<Item>(readableStream: ReadableStream, controller: AbortController): Stream<Item> {
    let consumed = false;
    async function* iterator(): AsyncGenerator<Item> {
      if (consumed) {
        throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
      }
      consumed = true;
      let done = false;
      const reader = readableStream.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for (;;) {
          const { value, done: end } = await reader.read();
          buffer += end ? decoder.decode() : decoder.decode(value, { stream: true });
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim()) yield JSON.parse(line) as Item;
          }
          if (end) break;
        }
        if (buffer.trim()) yield JSON.parse(buffer) as Item;
        done = true;
      } catch (e) {
        if (controller.signal.aborted) return;
        throw e;
      } finally {
        if (!done) controller.abort();
        reader.releaseLock();
      }
    }
    return new Stream(iterator, controller);
  }
}

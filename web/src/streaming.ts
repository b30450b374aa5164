/**
 * `Stream`: openai-node's async-iterable stream of events, over the wasm
 * module's batches (the events of one network chunk per crossing, parsed
 * here with one JSON.parse). Which events raise, when the stream ends and
 * the response so far are the module's (the Rust stream machine with
 * openai-node's rules); an abort or a `break` ends it quietly.
 */
import { APIUserAbortError, OpenAIError } from './error.js';
import { callNative, runTask } from './native.js';
import type { NativeStreamHandle } from './handles.js';

/** @internal A batch as the module hands it over: its event count,
 * `[e1,\re2,...]` (CR never occurs inside an event's data), and per event
 * where its snapshot ends (`[output index, content index + 1, end]`, for the
 * `responses.stream()` helper; empty otherwise). */
export type Batch = [number, string, Uint32Array];

/** @internal The JSON texts of a batch's events, one by one. */
export function batchTexts(batch: Batch): string[] {
  const inner = batch[1].slice(1, -1);
  return batch[0] === 1 ? [inner] : inner.split(',\r');
}

/** A delta's `snapshot`, read from the module only when it is asked for. */
function attachSnapshot(native: NativeStreamHandle, event: any, ends: Uint32Array, i: number): void {
  const [outputIndex, content, end] = [ends[3 * i]!, ends[3 * i + 1]!, ends[3 * i + 2]!];
  if (outputIndex === 0xffffffff || !event || typeof event !== 'object') return;
  Object.defineProperty(event, 'snapshot', {
    get: () => callNative(() => native.snapshot_text(outputIndex, content, end)) ?? '',
    enumerable: false,
    configurable: true,
  });
}

/**
 * The iterator of a stream over the module's batches. Hand-written rather
 * than an async generator: an event already received is handed over with
 * one resolved promise, which is most of the per-event cost saved.
 */
class BatchIterator<Item> implements AsyncIterator<Item> {
  private events: unknown[] = [];
  private next_ = 0;
  private finished = false;

  constructor(
    private readonly native: NativeStreamHandle,
    private readonly controller: AbortController,
  ) {}

  next(): Promise<IteratorResult<Item>> {
    if (this.next_ < this.events.length) {
      return Promise.resolve({ value: this.events[this.next_++] as Item, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return this.read();
  }

  return(): Promise<IteratorResult<Item>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  private async read(): Promise<IteratorResult<Item>> {
    try {
      const batch = await runTask<Batch | null>(() => this.native.next_batch());
      if (batch === null) {
        this.finished = true;
        return { value: undefined, done: true };
      }
      // The module checked every event's JSON.
      const events = JSON.parse(batch[1]) as unknown[];
      const ends = batch[2];
      if (ends.length) events.forEach((e, i) => attachSnapshot(this.native, e, ends, i));
      this.events = events;
      this.next_ = 1;
      return { value: events[0] as Item, done: false };
    } catch (e) {
      const aborted = e instanceof APIUserAbortError || this.controller.signal.aborted;
      this.stop();
      if (aborted) return { value: undefined, done: true };
      throw e;
    }
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

  /** @internal The module's stream, for the `responses.stream()` helper. */
  _native: NativeStreamHandle | undefined;

  /** @internal A stream over the module's batches. */
  static fromNative<Item>(native: NativeStreamHandle, controller: AbortController): Stream<Item> {
    let consumed = false;
    const iterator = (): AsyncIterator<Item> => {
      if (consumed) {
        throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
      }
      consumed = true;
      return new BatchIterator<Item>(native, controller);
    };
    const stream = new Stream(iterator, controller);
    stream._native = native;
    return stream;
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

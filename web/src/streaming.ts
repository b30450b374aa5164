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
    const close = () => {
      try {
        callNative(() => native.close());
      } catch {
        // After a panic the object is gone with its instance.
      }
    };
    async function* iterator(): AsyncGenerator<Item> {
      if (consumed) {
        throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
      }
      consumed = true;
      let done = false;
      let snapshot: Response | undefined;
      let ended = kind !== 'responses';
      try {
        for (;;) {
          const batch = await runTask<string | null>(() => native.next_batch());
          if (batch === null) break;
          const texts = batch.indexOf('\0') < 0 ? [batch] : batch.split('\0');
          for (const text of texts) {
            let data: any;
            try {
              data = JSON.parse(text);
            } catch {
              throw new SyntaxError('Error reading response: malformed server-sent event JSON.');
            }
            if (data && data.error) {
              throw new APIError(undefined, data.error, undefined, headers);
            }
            if (kind === 'responses' && data) {
              snapshot = accumulate(snapshot, data);
              // A flat `error` event ends a stream by the server's choice.
              if (isTerminal(data.type) || data.type === 'error') ended = true;
            }
            yield data as Item;
          }
        }
        if (!ended) {
          throw new APIConnectionError({
            message: 'Connection error: the stream ended before the response was complete.',
          });
        }
        done = true;
      } catch (e) {
        if (e instanceof APIUserAbortError || controller.signal.aborted) return;
        if (snapshot !== undefined && e instanceof APIError) e.partialResponse = snapshot;
        throw e;
      } finally {
        if (!done) {
          controller.abort();
          close();
        }
      }
    }
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

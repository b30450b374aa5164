/**
 * @internal The shapes of the wasm module's objects as the TypeScript layer
 * uses them, so the public declarations never import wasm-bindgen's.
 */

export interface NativeStreamHandle {
  readonly status: number;
  /** `[[name, value], ...]`. */
  readonly headers: unknown;
  /** Starts reading the next batch: a task id. */
  next_batch(): number;
  close(): void;
  /** The response so far. */
  snapshot(): unknown;
  /** A delta's snapshot: `content` is its content index + 1, or 0 for a call's arguments. */
  snapshot_text(outputIndex: number, content: number, end: number): string | undefined;
  /** The final response under openai-node's rule (throws when no event came). */
  final_response(): unknown;
}

export interface NativeConnectionHandle {
  /** Sends a client event (JSON text): a task id. */
  send(text: string): number;
  /** The events already here after waiting for one: a task giving a stream's `Batch` (no snapshots), or null when no response is in flight. */
  recv_batch(): number;
  in_flight(): number;
  /** The close code once the socket closed for good. */
  closed(): number | undefined;
  /** How many times the connection was opened again after a drop. */
  reconnects(): number;
  /** What a connection that closed for good never sent (JSON texts). */
  take_unsent(): string[];
  close(): number;
}

export interface NativeClientHandle {
  call(spec: unknown, body: string | undefined, signal: AbortSignal | undefined, snapshots: boolean): number;
  connect(
    spec: unknown,
    open: (url: string, headers: [string, string][]) => unknown,
    hook?: (attempt: number, maxAttempts: number, delayMs: number, closeCode: number) => unknown,
  ): number;
  usage(): unknown;
  set_price(model: string, input: number, cached_input: number, output: number): void;
}

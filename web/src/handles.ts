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
}

export interface NativeClientHandle {
  request(call: string, body: string | undefined, signal: AbortSignal | undefined): number;
  stream(call: string, body: string | undefined, signal: AbortSignal | undefined): number;
  usage(): string;
  record_usage(kind: string, modelAndUsage: string): void;
  set_price(model: string, input: number, cached_input: number, output: number): void;
}

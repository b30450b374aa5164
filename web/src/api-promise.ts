/**
 * `APIPromise`: what every call returns, as in openai-node. Awaited, it
 * gives the parsed result (with `_request_id`); `.withResponse()` gives
 * `{data, response, request_id}` and `.asResponse()` a fetch `Response`
 * rebuilt from what the wasm module received (status, headers, body).
 */
import { callNative, runTask } from './native.js';
import type { NativeStreamHandle } from './handles.js';
import { Stream, batchTexts, type Batch } from './streaming.js';

/** @internal A whole answer as the module hands it over: the body as text
 * and, when it is JSON, parsed (`data`). */
export interface RawAnswer {
  status: number;
  headers: [string, string][];
  text: string;
  data?: unknown;
}

/** @internal What a call produced (the module decided which): a whole
 * answer or an open stream. */
export type Sent =
  | { kind: 'whole'; raw: RawAnswer }
  | { kind: 'stream'; native: NativeStreamHandle; controller: AbortController };

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** `_request_id` on a result object, not enumerable (as openai-node). */
/** @internal */
export function addRequestID<T>(value: T, requestID: string | null): T {
  if (value && typeof value === 'object' && !Object.prototype.hasOwnProperty.call(value, '_request_id')) {
    Object.defineProperty(value, '_request_id', {
      value: requestID,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  return value;
}

function headersOf(sent: Sent): Headers {
  return new Headers(sent.kind === 'whole' ? sent.raw.headers : (callNative(() => sent.native.headers) as [string, string][]));
}

function statusOf(sent: Sent): number {
  return sent.kind === 'whole' ? sent.raw.status : callNative(() => sent.native.status);
}

/** The default parse: JSON (with `_request_id`), a Stream, or null for 204. */
/** @internal */
export function parseSent<T>(sent: Sent): T {
  const headers = headersOf(sent);
  if (sent.kind === 'stream') return Stream.fromNative(sent.native, sent.controller) as T;
  const { raw } = sent;
  if (raw.status === 204 || raw.text.length === 0) return null as T;
  if (raw.data !== undefined) return addRequestID(raw.data as T, headers.get('x-request-id'));
  return raw.text as T;
}

/** A fetch Response of what was received; a stream's body is its events
 * written back as server-sent events, read on demand. */
function toResponse(sent: Sent, forBody: boolean): Response {
  const status = statusOf(sent);
  const init = { status, headers: headersOf(sent) };
  if (NULL_BODY_STATUSES.has(status)) return new Response(null, init);
  if (sent.kind === 'whole') return new Response(sent.raw.text, init);
  if (!forBody) return new Response(null, init);
  const encoder = new TextEncoder();
  const native = sent.native;
  const body = new ReadableStream<Uint8Array>({
    pull: async (ctrl) => {
      const batch = await runTask<Batch | null>(() => native.next_batch());
      if (batch === null) return ctrl.close();
      const text = batchTexts(batch)
        .map((data) => `data: ${data}\n\n`)
        .join('');
      ctrl.enqueue(encoder.encode(text));
    },
    cancel: () => {
      sent.controller.abort();
      callNative(() => native.close());
    },
  });
  return new Response(body, init);
}

export class APIPromise<T> extends Promise<T> {
  private parsedPromise: Promise<T> | undefined;
  private readonly responsePromise: Promise<Sent>;
  private readonly parseResponse: (sent: Sent) => T | Promise<T>;

  /** @internal */
  constructor(responsePromise: Promise<Sent>, parseResponse: (sent: Sent) => T | Promise<T> = parseSent) {
    super((resolve) => resolve(null as any));
    this.responsePromise = responsePromise;
    this.parseResponse = parseResponse;
  }

  /** @internal A promise of a transformed result, sharing the request. */
  _thenUnwrap<U>(transform: (data: T) => U): APIPromise<U> {
    return new APIPromise(this.responsePromise, async (sent) => transform(await this.parseResponse(sent)));
  }

  /** The raw Response; its body is left unread. */
  asResponse(): Promise<Response> {
    return this.responsePromise.then((sent) => toResponse(sent, true));
  }

  /** The parsed result and the raw Response (whose body the result consumed). */
  async withResponse(): Promise<{ data: T; response: Response; request_id: string | null | undefined }> {
    const [data, sent] = await Promise.all([this.parse(), this.responsePromise]);
    const response = toResponse(sent, false);
    return { data, response, request_id: response.headers.get('x-request-id') };
  }

  private parse(): Promise<T> {
    this.parsedPromise ??= this.responsePromise.then((sent) => this.parseResponse(sent));
    return this.parsedPromise;
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | undefined | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | undefined | null,
  ): Promise<R1 | R2> {
    return this.parse().then(onfulfilled, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | undefined | null): Promise<T | R> {
    return this.parse().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | undefined | null): Promise<T> {
    return this.parse().finally(onfinally);
  }
}

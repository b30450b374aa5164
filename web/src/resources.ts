/**
 * The resources, with openai-node's methods and return shapes:
 * `responses` (create, retrieve, delete, cancel, compact, stream,
 * inputItems.list, inputTokens.count), `chat.completions.create` and
 * `completions.create`. Each only describes its call.
 */
import type { APIPromise } from './api-promise.js';
import { addOutputText } from './accumulate.js';
import type { OpenAI, RequestOptions } from './client.js';
import type { CursorPage, PagePromise } from './pagination.js';
import { ResponseStream, isStreamById, type ResponseStreamParams } from './response-stream.js';
import type { Stream } from './streaming.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  CompactedResponse,
  Completion,
  CompletionCreateParams,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
  InputItemListParams,
  InputTokenCountParams,
  InputTokenCountResponse,
  Response,
  ResponseCompactParams,
  ResponseCreateParams,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  ResponseItem,
  ResponseRetrieveParams,
  ResponseRetrieveParamsNonStreaming,
  ResponseRetrieveParamsStreaming,
  ResponseStreamEvent,
} from './types.js';

const segment = (id: string) => encodeURIComponent(id);

/** openai-node adds `output_text` to a whole Response. */
function withOutputText<T>(value: T): T {
  if (value && typeof value === 'object' && (value as { object?: unknown }).object === 'response') {
    addOutputText(value as object);
  }
  return value;
}

export class InputItems {
  constructor(private readonly client: OpenAI) {}

  /** The input items of a response, page by page (`for await` walks them all). */
  list(
    responseID: string,
    query: InputItemListParams = {},
    options?: RequestOptions,
  ): PagePromise<CursorPage<ResponseItem>, ResponseItem> {
    return this.client._list(`/responses/${segment(responseID)}/input_items`, { ...query }, options);
  }
}

export class InputTokens {
  constructor(private readonly client: OpenAI) {}

  count(body: InputTokenCountParams = {}, options?: RequestOptions): APIPromise<InputTokenCountResponse> {
    return this.client._call({ method: 'POST', path: '/responses/input_tokens', body }, options);
  }
}

export class Responses {
  inputItems: InputItems;
  inputTokens: InputTokens;

  constructor(private readonly client: OpenAI) {
    this.inputItems = new InputItems(client);
    this.inputTokens = new InputTokens(client);
  }

  create(body: ResponseCreateParamsNonStreaming, options?: RequestOptions): APIPromise<Response>;
  create(body: ResponseCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<ResponseStreamEvent>>;
  create(body: ResponseCreateParams, options?: RequestOptions): APIPromise<Stream<ResponseStreamEvent> | Response>;
  create(body: ResponseCreateParams, options?: RequestOptions): APIPromise<Stream<ResponseStreamEvent> | Response> {
    return this.client
      ._call<Stream<ResponseStreamEvent> | Response>(
        { method: 'POST', path: '/responses', body, stream: body.stream ?? false, kind: 'responses', usage: 'responses' },
        options,
      )
      ._thenUnwrap(withOutputText);
  }

  retrieve(responseID: string, query?: ResponseRetrieveParamsNonStreaming, options?: RequestOptions): APIPromise<Response>;
  retrieve(
    responseID: string,
    query: ResponseRetrieveParamsStreaming,
    options?: RequestOptions,
  ): APIPromise<Stream<ResponseStreamEvent>>;
  retrieve(
    responseID: string,
    query: ResponseRetrieveParams = {},
    options?: RequestOptions,
  ): APIPromise<Stream<ResponseStreamEvent> | Response> {
    return this.client
      ._call<Stream<ResponseStreamEvent> | Response>(
        {
          method: 'GET',
          path: `/responses/${segment(responseID)}`,
          query: { ...query },
          stream: query?.stream ?? false,
          kind: 'responses',
        },
        options,
      )
      ._thenUnwrap(withOutputText);
  }

  delete(responseID: string, options?: RequestOptions): APIPromise<void> {
    return this.client._call(
      { method: 'DELETE', path: `/responses/${segment(responseID)}`, extraHeaders: { Accept: '*/*' } },
      options,
    );
  }

  cancel(responseID: string, options?: RequestOptions): APIPromise<Response> {
    return this.client._call({ method: 'POST', path: `/responses/${segment(responseID)}/cancel` }, options);
  }

  compact(body: ResponseCompactParams, options?: RequestOptions): APIPromise<CompactedResponse> {
    return this.client._call({ method: 'POST', path: '/responses/compact', body }, options);
  }

  /** A stream with `.on(...)` handlers and `finalResponse()`; `{response_id,
   * starting_after}` follows a background response instead. */
  stream(params: ResponseStreamParams, options?: RequestOptions): ResponseStream {
    return ResponseStream.start(
      (p, o) =>
        isStreamById(p)
          ? this.retrieve(p.response_id, { stream: true }, o)
          : this.create({ ...p, stream: true } as ResponseCreateParamsStreaming, o),
      params,
      options,
    );
  }
}

export class ChatCompletions {
  constructor(private readonly client: OpenAI) {}

  create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): APIPromise<ChatCompletion>;
  create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParams, options?: RequestOptions): APIPromise<Stream<ChatCompletionChunk> | ChatCompletion>;
  create(body: ChatCompletionCreateParams, options?: RequestOptions): APIPromise<Stream<ChatCompletionChunk> | ChatCompletion> {
    return this.client._call(
      { method: 'POST', path: '/chat/completions', body, stream: body.stream ?? false, kind: 'chunks', usage: 'completions' },
      options,
    );
  }
}

export class Chat {
  completions: ChatCompletions;
  constructor(client: OpenAI) {
    this.completions = new ChatCompletions(client);
  }
}

export class Completions {
  constructor(private readonly client: OpenAI) {}

  create(body: CompletionCreateParamsNonStreaming, options?: RequestOptions): APIPromise<Completion>;
  create(body: CompletionCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<Completion>>;
  create(body: CompletionCreateParams, options?: RequestOptions): APIPromise<Stream<Completion> | Completion>;
  create(body: CompletionCreateParams, options?: RequestOptions): APIPromise<Stream<Completion> | Completion> {
    return this.client._call(
      { method: 'POST', path: '/completions', body, stream: body.stream ?? false, kind: 'chunks', usage: 'completions' },
      options,
    );
  }
}

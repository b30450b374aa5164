/**
 * The resources, with openai-node's methods and return shapes:
 * `responses` (create, retrieve, delete, cancel, compact, stream,
 * inputItems.list, inputTokens.count), `chat.completions.create` and
 * `completions.create`. Each only describes its call.
 */
import type { APIPromise } from './api-promise.js';
import { addOutputText } from './output-text.js';
import { parseResponse, type AutoParseableTextFormat, type ParsedResponse } from './parse.js';

/** What `responses.parse()` reads the output into: its format's type. */
type ParsedContent<P> = P extends { text?: { format?: infer F } } ? (F extends AutoParseableTextFormat<infer T> ? T : unknown) : unknown;
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
    return this.client._list('responses.input_items.list', [responseID], { ...query }, options);
  }
}

export class InputTokens {
  constructor(private readonly client: OpenAI) {}

  count(body: InputTokenCountParams = {}, options?: RequestOptions): APIPromise<InputTokenCountResponse> {
    return this.client._call({ op: 'responses.input_tokens.count', body }, options);
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
      ._call<Stream<ResponseStreamEvent> | Response>({ op: 'responses.create', body }, options)
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
        { op: 'responses.retrieve', params: [responseID], query: { ...query } },
        options,
      )
      ._thenUnwrap(withOutputText);
  }

  delete(responseID: string, options?: RequestOptions): APIPromise<void> {
    return this.client._call({ op: 'responses.delete', params: [responseID] }, options);
  }

  cancel(responseID: string, options?: RequestOptions): APIPromise<Response> {
    return this.client._call({ op: 'responses.cancel', params: [responseID] }, options);
  }

  compact(body: ResponseCompactParams, options?: RequestOptions): APIPromise<CompactedResponse> {
    return this.client._call({ op: 'responses.compact', body }, options);
  }

  /** A response with its parsed output (`output_parsed`, each
   * `output_text` part's `parsed`, function calls' `parsed_arguments`), as
   * openai-node's `responses.parse()`: formats and tools from
   * `rapidresponse/helpers/zod` parse with their schema. */
  parse<P extends ResponseCreateParamsNonStreaming>(
    body: P,
    options?: RequestOptions,
  ): APIPromise<ParsedResponse<ParsedContent<P>>> {
    return this.create(body, options)._thenUnwrap((response) =>
      parseResponse<ParsedContent<P>>(response, body as unknown as Record<string, unknown>),
    );
  }

  /** A stream with `.on(...)` handlers and `finalResponse()`; `{response_id,
   * starting_after}` follows a background response instead. */
  stream(params: ResponseStreamParams, options?: RequestOptions): ResponseStream {
    return ResponseStream.start(
      (p, o) => {
        const spec = isStreamById(p)
          ? {
              op: 'responses.retrieve',
              params: [p.response_id],
              // The cursor goes to the server, and the module drops what is at or before it.
              query: p.starting_after === undefined ? { stream: true } : { stream: true, starting_after: p.starting_after },
              snapshots: true,
            }
          : { op: 'responses.create', body: { ...p, stream: true }, snapshots: true };
        return this.client._call<Stream<ResponseStreamEvent>>(spec, o);
      },
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
    return this.client._call({ op: 'chat.completions.create', body }, options);
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
    return this.client._call({ op: 'completions.create', body }, options);
  }
}

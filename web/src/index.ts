/**
 * rapidresponse for JavaScript: openai-node's calls for the Responses API
 * (and Chat Completions), run by a Rust client compiled to WebAssembly.
 * `import OpenAI from 'rapidresponse'` is the only change from openai-node.
 */
import { OpenAI } from './client.js';

export default OpenAI;
export { OpenAI, AzureOpenAI } from './client.js';
export type { ClientOptions, AzureClientOptions, RequestOptions, HeadersLike } from './client.js';
export {
  OpenAIError,
  APIError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  RustPanicError,
  InvalidWebhookSignatureError,
} from './error.js';
export { APIPromise } from './api-promise.js';
export { Stream } from './streaming.js';
export { ResponseStream } from './response-stream.js';
export type { ResponseStreamEvents, ResponseStreamParams } from './response-stream.js';
export { CursorPage, ConversationCursorPage, Page, PagePromise } from './pagination.js';
export { Responses, InputItems, InputTokens, Chat, ChatCompletions, Completions } from './resources.js';
export { Conversations, Items as ConversationItems } from './conversations.js';
export { Webhooks } from './webhooks.js';
export { Models } from './models.js';
export type { ParsedResponse, AutoParseableTextFormat, AutoParseableResponseTool } from './parse.js';
export { ResponsesWS, WebSocketError } from './responses-ws.js';
export type {
  ReconnectingEvent,
  ReconnectingOverrides,
  ResponsesStreamMessage,
  ResponsesWSOptions,
  ResponsesWSReconnectOptions,
  UnsentMessage,
} from './responses-ws.js';
import { panicForTests } from './native.js';
/** For tests: a call that panics in the wasm module (rejects with RustPanicError). */
export const _panicForTests: () => Promise<never> = panicForTests;
export type * from './types.js';

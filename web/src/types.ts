/**
 * The API's types, as openai-node names them, for what this package's
 * calls take and give. The common shapes are spelled out; every other
 * output item and stream event is typed by its `type` name with its other
 * fields open, since the server adds fields faster than any SDK.
 */

export type Metadata = Record<string, string>;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseError {
  code: string;
  message: string;
}

export interface ResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: Array<Record<string, unknown> & { type: string }>;
  logprobs?: unknown[];
}

export interface ResponseOutputRefusal {
  type: 'refusal';
  refusal: string;
}

export interface ResponseOutputMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<ResponseOutputText | ResponseOutputRefusal>;
}

export interface ResponseFunctionToolCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponseReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** An output item of a kind not spelled out above. */
export interface ResponseOtherOutputItem {
  type:
    | 'file_search_call'
    | 'function_call_output'
    | 'web_search_call'
    | 'computer_call'
    | 'computer_call_output'
    | 'program'
    | 'program_output'
    | 'tool_search_call'
    | 'tool_search_output'
    | 'additional_tools'
    | 'compaction'
    | 'image_generation_call'
    | 'code_interpreter_call'
    | 'local_shell_call'
    | 'local_shell_call_output'
    | 'shell_call'
    | 'shell_call_output'
    | 'apply_patch_call'
    | 'apply_patch_call_output'
    | 'mcp_call'
    | 'mcp_list_tools'
    | 'mcp_approval_request'
    | 'mcp_approval_response'
    | 'custom_tool_call'
    | 'custom_tool_call_output';
  id?: string;
  [field: string]: unknown;
}

export type ResponseOutputItem =
  | ResponseOutputMessage
  | ResponseFunctionToolCall
  | ResponseReasoningItem
  | ResponseOtherOutputItem;

/** An input item: a message, an output item sent back, a tool output, ... */
export type ResponseInputItem =
  | { role: 'user' | 'assistant' | 'system' | 'developer'; content: string | Array<Record<string, unknown>>; type?: 'message' }
  | { type: 'function_call_output'; call_id: string; output: string | Array<Record<string, unknown>>; id?: string }
  | ResponseOutputItem
  | { type: string; [field: string]: unknown };

export type ResponseInput = Array<ResponseInputItem>;

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export type Tool = FunctionTool | { type: string; [field: string]: unknown };

export type ResponseIncludable =
  | 'reasoning.encrypted_content'
  | 'message.output_text.logprobs'
  | 'file_search_call.results'
  | 'web_search_call.action.sources'
  | 'code_interpreter_call.outputs'
  | 'computer_call_output.output.image_url'
  | 'message.input_image.image_url'
  | (string & {});

export interface ResponseCreateParamsBase {
  model?: string;
  input?: string | ResponseInput;
  instructions?: string | null;
  previous_response_id?: string | null;
  conversation?: string | { id: string } | null;
  tools?: Array<Tool>;
  tool_choice?: 'none' | 'auto' | 'required' | { type: string; [field: string]: unknown };
  parallel_tool_calls?: boolean | null;
  store?: boolean | null;
  background?: boolean | null;
  include?: Array<ResponseIncludable> | null;
  reasoning?: { effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | null; summary?: 'auto' | 'concise' | 'detailed' | null } | null;
  text?: { format?: Record<string, unknown>; verbosity?: 'low' | 'medium' | 'high' | null } | null;
  max_output_tokens?: number | null;
  max_tool_calls?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  metadata?: Metadata | null;
  prompt_cache_key?: string;
  safety_identifier?: string;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null;
  truncation?: 'auto' | 'disabled' | null;
  user?: string;
  stream?: boolean | null;
  [field: string]: unknown;
}

export interface ResponseCreateParamsNonStreaming extends ResponseCreateParamsBase {
  stream?: false | null;
}

export interface ResponseCreateParamsStreaming extends ResponseCreateParamsBase {
  stream: true;
}

export type ResponseCreateParams = ResponseCreateParamsNonStreaming | ResponseCreateParamsStreaming;

export interface ResponseRetrieveParamsBase {
  include?: Array<ResponseIncludable>;
  include_obfuscation?: boolean;
  starting_after?: number;
  stream?: boolean;
}

export interface ResponseRetrieveParamsNonStreaming extends ResponseRetrieveParamsBase {
  stream?: false;
}

export interface ResponseRetrieveParamsStreaming extends ResponseRetrieveParamsBase {
  stream: true;
}

export type ResponseRetrieveParams = ResponseRetrieveParamsNonStreaming | ResponseRetrieveParamsStreaming;

export interface Response {
  id: string;
  object: 'response';
  created_at: number;
  model: string;
  status?: 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';
  output: Array<ResponseOutputItem>;
  /** The `output_text` parts of the message items, joined (set by the SDK). */
  output_text: string;
  error: ResponseError | null;
  incomplete_details: { reason?: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | Array<ResponseInputItem> | null;
  metadata: Metadata | null;
  parallel_tool_calls: boolean;
  temperature: number | null;
  tool_choice: unknown;
  tools: Array<Tool>;
  top_p: number | null;
  background?: boolean | null;
  previous_response_id?: string | null;
  /** The conversation the response belongs to, when it was created in one. */
  conversation?: { id: string } | null;
  reasoning?: Record<string, unknown> | null;
  usage?: ResponseUsage;
  [field: string]: unknown;
}

export interface ResponseItemList {
  object: 'list';
  data: Array<ResponseItem>;
  first_id: string;
  last_id: string;
  has_more: boolean;
}

export type ResponseItem = { id: string; type: string; [field: string]: unknown };

export interface InputItemListParams {
  after?: string;
  include?: Array<ResponseIncludable>;
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface InputTokenCountParams {
  model?: string | null;
  input?: string | ResponseInput | null;
  [field: string]: unknown;
}

export interface InputTokenCountResponse {
  input_tokens: number;
  object: 'response.input_tokens';
}

export interface ResponseCompactParams {
  model: string;
  input?: string | ResponseInput | null;
  previous_response_id?: string | null;
  [field: string]: unknown;
}

export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  output: Array<ResponseOutputItem>;
  [field: string]: unknown;
}

// Conversations

export interface Conversation {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: unknown;
}

export interface ConversationDeletedResource {
  id: string;
  object: 'conversation.deleted';
  deleted: boolean;
}

export type ConversationItem = ResponseItem;

/** A model a key can use (`models.retrieve`, an item of `models.list`). */
export interface Model {
  id: string;
  created: number;
  object: 'model';
  owned_by: string;
}

export interface ModelDeleted {
  id: string;
  deleted: boolean;
  object: string;
}

export interface ConversationItemList {
  object: 'list';
  data: Array<ConversationItem>;
  first_id: string;
  last_id: string;
  has_more: boolean;
}

export interface ConversationCreateParams {
  items?: Array<ResponseInputItem> | null;
  metadata?: Metadata | null;
}

export interface ConversationUpdateParams {
  metadata: Metadata | null;
}

export interface ItemCreateParams {
  items: Array<ResponseInputItem>;
  include?: Array<ResponseIncludable>;
}

export interface ItemRetrieveParams {
  conversation_id: string;
  include?: Array<ResponseIncludable>;
}

export interface ItemListParams {
  after?: string;
  include?: Array<ResponseIncludable>;
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface ItemDeleteParams {
  conversation_id: string;
}

// Webhook events

interface WebhookEventBase {
  id: string;
  created_at: number;
  object?: 'event';
}

export interface ResponseWebhookEvent extends WebhookEventBase {
  type: 'response.completed' | 'response.failed' | 'response.cancelled' | 'response.incomplete';
  data: { id: string };
}

export interface BatchWebhookEvent extends WebhookEventBase {
  type: 'batch.completed' | 'batch.failed' | 'batch.expired' | 'batch.cancelled';
  data: { id: string };
}

/** Another event type (evals, fine-tuning, realtime, ...), kept as sent. */
export interface OtherWebhookEvent extends WebhookEventBase {
  type: string;
  data: { [field: string]: unknown };
}

export type UnwrapWebhookEvent = ResponseWebhookEvent | BatchWebhookEvent | OtherWebhookEvent;

// Stream events

interface EventBase {
  sequence_number: number;
}

export interface ResponseCreatedEvent extends EventBase { type: 'response.created'; response: Response }
export interface ResponseQueuedEvent extends EventBase { type: 'response.queued'; response: Response }
export interface ResponseInProgressEvent extends EventBase { type: 'response.in_progress'; response: Response }
export interface ResponseCompletedEvent extends EventBase { type: 'response.completed'; response: Response }
export interface ResponseFailedEvent extends EventBase { type: 'response.failed'; response: Response }
export interface ResponseIncompleteEvent extends EventBase { type: 'response.incomplete'; response: Response }
export interface ResponseOutputItemAddedEvent extends EventBase { type: 'response.output_item.added'; output_index: number; item: ResponseOutputItem }
export interface ResponseOutputItemDoneEvent extends EventBase { type: 'response.output_item.done'; output_index: number; item: ResponseOutputItem }
export interface ResponseContentPartAddedEvent extends EventBase {
  type: 'response.content_part.added';
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponseOutputText | ResponseOutputRefusal | { type: 'reasoning_text'; text: string };
}
export interface ResponseContentPartDoneEvent extends EventBase {
  type: 'response.content_part.done';
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponseOutputText | ResponseOutputRefusal | { type: 'reasoning_text'; text: string };
}
export interface ResponseTextDeltaEvent extends EventBase {
  type: 'response.output_text.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
  logprobs?: unknown[];
}
export interface ResponseTextDoneEvent extends EventBase {
  type: 'response.output_text.done';
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
  logprobs?: unknown[];
}
export interface ResponseOutputTextAnnotationAddedEvent extends EventBase {
  type: 'response.output_text.annotation.added';
  item_id: string;
  output_index: number;
  content_index: number;
  annotation_index: number;
  annotation: Record<string, unknown>;
}
export interface ResponseFunctionCallArgumentsDeltaEvent extends EventBase {
  type: 'response.function_call_arguments.delta';
  item_id: string;
  output_index: number;
  delta: string;
}
export interface ResponseFunctionCallArgumentsDoneEvent extends EventBase {
  type: 'response.function_call_arguments.done';
  item_id: string;
  output_index: number;
  name?: string;
  arguments: string;
}
export interface ResponseRefusalDeltaEvent extends EventBase {
  type: 'response.refusal.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface ResponseRefusalDoneEvent extends EventBase {
  type: 'response.refusal.done';
  item_id: string;
  output_index: number;
  content_index: number;
  refusal: string;
}
export interface ResponseReasoningSummaryPartAddedEvent extends EventBase {
  type: 'response.reasoning_summary_part.added';
  item_id: string;
  output_index: number;
  summary_index: number;
  part: { type: 'summary_text'; text: string };
}
export interface ResponseReasoningSummaryPartDoneEvent extends EventBase {
  type: 'response.reasoning_summary_part.done';
  item_id: string;
  output_index: number;
  summary_index: number;
  part: { type: 'summary_text'; text: string };
}
export interface ResponseReasoningSummaryTextDeltaEvent extends EventBase {
  type: 'response.reasoning_summary_text.delta';
  item_id: string;
  output_index: number;
  summary_index: number;
  delta: string;
}
export interface ResponseReasoningSummaryTextDoneEvent extends EventBase {
  type: 'response.reasoning_summary_text.done';
  item_id: string;
  output_index: number;
  summary_index: number;
  text: string;
}
export interface ResponseReasoningTextDeltaEvent extends EventBase {
  type: 'response.reasoning_text.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface ResponseReasoningTextDoneEvent extends EventBase {
  type: 'response.reasoning_text.done';
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}
/** The flat error event (yielded, as openai-node's Stream does). */
export interface ResponseErrorEvent extends EventBase {
  type: 'error';
  code: string | null;
  message: string;
  param: string | null;
}
/** A stream event of a kind not spelled out above. */
export interface ResponseOtherStreamEvent extends EventBase {
  type:
    | 'response.audio.delta'
    | 'response.audio.done'
    | 'response.audio.transcript.delta'
    | 'response.audio.transcript.done'
    | 'response.code_interpreter_call_code.delta'
    | 'response.code_interpreter_call_code.done'
    | 'response.code_interpreter_call.completed'
    | 'response.code_interpreter_call.in_progress'
    | 'response.code_interpreter_call.interpreting'
    | 'response.compaction.compacting'
    | 'response.file_search_call.completed'
    | 'response.file_search_call.in_progress'
    | 'response.file_search_call.searching'
    | 'response.shell_call_command.added'
    | 'response.shell_call_command.delta'
    | 'response.shell_call_command.done'
    | 'response.shell_call_output_content.delta'
    | 'response.shell_call_output_content.done'
    | 'response.web_search_call.completed'
    | 'response.web_search_call.in_progress'
    | 'response.web_search_call.searching'
    | 'response.image_generation_call.completed'
    | 'response.image_generation_call.generating'
    | 'response.image_generation_call.in_progress'
    | 'response.image_generation_call.partial_image'
    | 'response.mcp_call_arguments.delta'
    | 'response.mcp_call_arguments.done'
    | 'response.mcp_call.completed'
    | 'response.mcp_call.failed'
    | 'response.mcp_call.in_progress'
    | 'response.mcp_list_tools.completed'
    | 'response.mcp_list_tools.failed'
    | 'response.mcp_list_tools.in_progress'
    | 'response.custom_tool_call_input.delta'
    | 'response.custom_tool_call_input.done';
  [field: string]: unknown;
}

export type ResponseStreamEvent =
  | ResponseCreatedEvent
  | ResponseQueuedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseFailedEvent
  | ResponseIncompleteEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseOutputTextAnnotationAddedEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseRefusalDeltaEvent
  | ResponseRefusalDoneEvent
  | ResponseReasoningSummaryPartAddedEvent
  | ResponseReasoningSummaryPartDoneEvent
  | ResponseReasoningSummaryTextDeltaEvent
  | ResponseReasoningSummaryTextDoneEvent
  | ResponseReasoningTextDeltaEvent
  | ResponseReasoningTextDoneEvent
  | ResponseErrorEvent
  | ResponseOtherStreamEvent;

// Chat Completions and Completions

export interface ChatCompletionMessageToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: Array<ChatCompletionMessageToolCall>;
  [field: string]: unknown;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; [field: string]: number | undefined };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatCompletionMessage;
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';
    logprobs: unknown | null;
  }>;
  usage?: CompletionUsage;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: string; content?: string | null; refusal?: string | null; tool_calls?: Array<Record<string, unknown>> };
    finish_reason: ChatCompletion['choices'][number]['finish_reason'] | null;
    logprobs?: unknown | null;
  }>;
  usage?: CompletionUsage | null;
  [field: string]: unknown;
}

export type ChatCompletionMessageParam =
  | { role: 'system' | 'developer' | 'user'; content: string | Array<Record<string, unknown>>; name?: string }
  | { role: 'assistant'; content?: string | null | Array<Record<string, unknown>>; tool_calls?: Array<ChatCompletionMessageToolCall>; name?: string }
  | { role: 'tool'; content: string | Array<Record<string, unknown>>; tool_call_id: string };

export interface ChatCompletionCreateParamsBase {
  model: string;
  messages: Array<ChatCompletionMessageParam>;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null } }>;
  [field: string]: unknown;
}
export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase { stream?: false | null }
export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase { stream: true }
export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: 'stop' | 'length' | 'content_filter'; logprobs: unknown | null }>;
  usage?: CompletionUsage;
  [field: string]: unknown;
}

export interface CompletionCreateParamsBase {
  model: string;
  prompt: string | Array<string> | Array<number> | Array<Array<number>> | null;
  stream?: boolean | null;
  [field: string]: unknown;
}
export interface CompletionCreateParamsNonStreaming extends CompletionCreateParamsBase { stream?: false | null }
export interface CompletionCreateParamsStreaming extends CompletionCreateParamsBase { stream: true }
export type CompletionCreateParams = CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming;

/** Token totals and the cost estimate over a client's calls (ours). */
export interface UsageTotals {
  responses: number;
  tokens: TokenCounts;
  /** Null while a model without a price (`setPrice`) was used. */
  cost_usd: number | null;
  unpriced_models: string[];
  by_model: Record<string, TokenCounts>;
}

export interface TokenCounts {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
}

//! Chat Completions (request, response, stream chunk) and legacy
//! Completions (request, response). Kept looser than the Responses types:
//! the nested shapes that vary by provider stay raw JSON.

use serde_json::Value;

wire_object! {
    /// The body of `POST /chat/completions`.
    pub struct ChatCompletionRequest {
        model: String,
        messages: Vec<ChatMessage>,
        max_tokens: i64,
        max_completion_tokens: i64,
        temperature: f64,
        top_p: f64,
        n: i64,
        stream: bool,
        stream_options: Value,
        stop: Value,
        tools: Vec<Value>,
        tool_choice: Value,
        parallel_tool_calls: bool,
        response_format: Value,
        seed: i64,
        user: String,
        logprobs: bool,
        top_logprobs: i64,
        presence_penalty: f64,
        frequency_penalty: f64,
        logit_bias: Value,
        reasoning_effort: String,
        store: bool,
        metadata: Value,
        service_tier: String,
    }
}

wire_object! {
    /// A chat message; `content` is a string, a list of parts, or null.
    pub struct ChatMessage {
        role: String,
        content: Value,
        name: String,
        refusal: String,
        tool_calls: Vec<ChatToolCall>,
        tool_call_id: String,
    }
}

wire_object! {
    /// A tool call in a chat message, or its fragment in a stream chunk.
    pub struct ChatToolCall {
        index: i64,
        id: String,
        kind as "type": String,
        function: ChatFunctionCall,
    }
}

wire_object! {
    /// The function name and JSON arguments of a chat tool call.
    pub struct ChatFunctionCall {
        name: String,
        arguments: String,
    }
}

wire_object! {
    /// The result of `POST /chat/completions` (`object: "chat.completion"`).
    pub struct ChatCompletion {
        id: String,
        object: String,
        created: i64,
        model: String,
        choices: Vec<ChatChoice>,
        usage: ChatUsage,
        system_fingerprint: String,
        service_tier: String,
    }
}

wire_object! {
    /// One choice of a chat completion.
    pub struct ChatChoice {
        index: i64,
        message: ChatMessage,
        finish_reason: String,
        logprobs: Value,
    }
}

wire_object! {
    /// Token counts of a chat or legacy completion.
    pub struct ChatUsage {
        prompt_tokens: u64,
        completion_tokens: u64,
        total_tokens: u64,
        prompt_tokens_details: Value,
        completion_tokens_details: Value,
    }
}

wire_object! {
    /// One chunk of a streamed chat completion (`object: "chat.completion.chunk"`).
    pub struct ChatCompletionChunk {
        id: String,
        object: String,
        created: i64,
        model: String,
        choices: Vec<ChatChunkChoice>,
        usage: ChatUsage,
        system_fingerprint: String,
        service_tier: String,
    }
}

wire_object! {
    /// One choice of a chunk: a `delta` message fragment.
    pub struct ChatChunkChoice {
        index: i64,
        delta: ChatMessage,
        finish_reason: String,
        logprobs: Value,
    }
}

wire_object! {
    /// The body of legacy `POST /completions`.
    pub struct CompletionRequest {
        model: String,
        prompt: Value,
        max_tokens: i64,
        temperature: f64,
        top_p: f64,
        n: i64,
        stream: bool,
        stop: Value,
        suffix: String,
        echo: bool,
        logprobs: i64,
        seed: i64,
        user: String,
    }
}

wire_object! {
    /// The result of legacy `POST /completions` (`object: "text_completion"`),
    /// also the shape of each streamed chunk.
    pub struct Completion {
        id: String,
        object: String,
        created: i64,
        model: String,
        choices: Vec<CompletionChoice>,
        usage: ChatUsage,
        system_fingerprint: String,
    }
}

wire_object! {
    /// One choice of a legacy completion.
    pub struct CompletionChoice {
        index: i64,
        text: String,
        finish_reason: String,
        logprobs: Value,
    }
}

/// Legacy completions and their chunks share one shape.
pub type CompletionChunk = Completion;
/// Usage of chat and legacy completions (prompt/completion tokens).
pub type CompletionUsage = ChatUsage;

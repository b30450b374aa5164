//! The body of `POST /responses` (`CreateResponse`) and the query of the
//! other Responses endpoints. Building the HTTP request lives in
//! `crate::endpoint`.

use serde_json::Value;

use super::{Input, ReasoningConfig, TextConfig, Tool, ToolChoice};

wire_object! {
    /// Every parameter of `POST /responses`; unknown ones go in `extra`
    /// and are sent as they are (openai-python's `extra_body`).
    pub struct CreateResponse {
        model: String,
        input: Input,
        instructions: String,
        tools: Vec<Tool>,
        tool_choice: ToolChoice,
        temperature: f64,
        top_p: f64,
        top_logprobs: i64,
        max_output_tokens: i64,
        max_tool_calls: i64,
        store: bool,
        stream: bool,
        stream_options: StreamOptions,
        background: bool,
        background_options: Value,
        conversation: Value,
        previous_response_id: String,
        reasoning: ReasoningConfig,
        text: TextConfig,
        include: Vec<String>,
        metadata: serde_json::Map<String, Value>,
        parallel_tool_calls: bool,
        service_tier: String,
        truncation: String,
        user: String,
        safety_identifier: String,
        prompt: Value,
        prompt_cache_key: String,
        prompt_cache_retention: String,
        prompt_cache_options: Value,
        context_management: Value,
        moderation: Value,
        image: Value,
        access_programs: Value,
    }
}

impl CreateResponse {
    /// A request with a model and an input, everything else unset.
    pub fn new(model: impl Into<String>, input: impl Into<Input>) -> Self {
        CreateResponse {
            model: crate::Field::Value(model.into()),
            input: crate::Field::Value(input.into()),
            ..Default::default()
        }
    }
}

wire_object! {
    /// `stream_options`: `include_obfuscation`.
    pub struct StreamOptions {
        include_obfuscation: bool,
    }
}

//! The `Response` object and what hangs off it (usage, errors, text and
//! reasoning settings), plus the small result objects of the other
//! endpoints: delete, input-items page, compact, input-token count, and the
//! error envelope.

use serde_json::Value;

use super::{ContentPart, Item, MessageContent, Tool, ToolChoice};

wire_enum! {
    /// The lifecycle state of a response.
    pub enum ResponseStatus {
        Completed = "completed",
        Failed = "failed",
        InProgress = "in_progress",
        Cancelled = "cancelled",
        Queued = "queued",
        Incomplete = "incomplete",
    }
}

wire_object! {
    /// A model response (`object: "response"`).
    pub struct Response {
        id: String,
        object: String,
        created_at: f64,
        completed_at: f64,
        status: ResponseStatus,
        error: ResponseError,
        incomplete_details: IncompleteDetails,
        instructions: Instructions,
        model: String,
        output: Vec<Item>,
        usage: Usage,
        background: bool,
        conversation: Value,
        max_output_tokens: i64,
        max_tool_calls: i64,
        metadata: serde_json::Map<String, Value>,
        moderation: Value,
        parallel_tool_calls: bool,
        previous_response_id: String,
        prompt: Value,
        prompt_cache_key: String,
        prompt_cache_options: Value,
        prompt_cache_retention: String,
        reasoning: ReasoningConfig,
        safety_identifier: String,
        service_tier: String,
        store: bool,
        temperature: f64,
        text: TextConfig,
        tool_choice: ToolChoice,
        tools: Vec<Tool>,
        top_logprobs: i64,
        top_p: f64,
        truncation: String,
        user: String,
    }
}

impl Response {
    /// The text of every `output_text` part of every message item, joined in
    /// order; refusals are skipped; `""` when there is none (openai-python's
    /// `Response.output_text`).
    pub fn output_text(&self) -> String {
        // Sized first: a long answer would otherwise be copied at every
        // doubling of the string.
        let mut out = String::with_capacity(self.output_texts().map(str::len).sum());
        for text in self.output_texts() {
            out.push_str(text);
        }
        out
    }

    /// Each `output_text` part's text, in order (what `output_text` joins).
    pub fn output_texts(&self) -> impl Iterator<Item = &str> {
        let messages = self
            .output
            .get()
            .into_iter()
            .flatten()
            .filter_map(|item| match item {
                Item::Message(m) | Item::EasyMessage(m) => Some(m),
                _ => None,
            });
        messages.flat_map(|message| {
            let parts = match message.content.get() {
                Some(MessageContent::Parts(parts)) => parts.as_slice(),
                // A plain-string content is not an output_text part.
                Some(MessageContent::Text(_)) | None => &[],
            };
            parts.iter().filter_map(|part| match part {
                ContentPart::OutputText(t) => Some(t.text.as_deref().unwrap_or("")),
                _ => None,
            })
        })
    }
}

wire_object! {
    /// Token counts of one response.
    pub struct Usage {
        input_tokens: u64,
        input_tokens_details: InputTokensDetails,
        output_tokens: u64,
        output_tokens_details: OutputTokensDetails,
        total_tokens: u64,
    }
}

wire_object! {
    /// Breakdown of input tokens; `cached_tokens` are part of `input_tokens`.
    pub struct InputTokensDetails {
        cached_tokens: u64,
        cache_write_tokens: u64,
    }
}

wire_object! {
    /// Breakdown of output tokens; `reasoning_tokens` are part of `output_tokens`.
    pub struct OutputTokensDetails {
        reasoning_tokens: u64,
    }
}

wire_object! {
    /// Why a response failed (`response.error`).
    pub struct ResponseError {
        code: String,
        message: String,
    }
}

wire_object! {
    /// Why a response is incomplete (`max_output_tokens`, `content_filter`).
    pub struct IncompleteDetails {
        reason: String,
    }
}

/// `instructions` (and a request's `input`): a string or a list of items.
#[derive(Clone, Debug, PartialEq)]
pub enum Instructions {
    Text(String),
    Items(Vec<Item>),
}

/// A request's `input` has the same two shapes.
pub type Input = Instructions;

impl From<&str> for Instructions {
    fn from(s: &str) -> Self {
        Instructions::Text(s.to_owned())
    }
}

impl From<String> for Instructions {
    fn from(s: String) -> Self {
        Instructions::Text(s)
    }
}

impl From<Vec<Item>> for Instructions {
    fn from(items: Vec<Item>) -> Self {
        Instructions::Items(items)
    }
}

impl serde::Serialize for Instructions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Instructions::Text(t) => s.serialize_str(t),
            Instructions::Items(i) => i.serialize(s),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Instructions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::text_or_list(d, Instructions::Text, Instructions::Items)
    }
}

wire_object! {
    /// Reasoning settings: `effort` (minimal|low|medium|high|...), `summary`
    /// (auto|concise|detailed) and the older `generate_summary`.
    pub struct ReasoningConfig {
        effort: String,
        summary: String,
        generate_summary: String,
        mode: String,
        context: String,
    }
}

wire_object! {
    /// Text output settings: `format` and `verbosity`.
    pub struct TextConfig {
        format: TextFormat,
        verbosity: String,
    }
}

wire_object! {
    /// Structured output with a JSON schema.
    pub struct JsonSchemaFormat {
        name: String,
        description: String,
        schema: Value,
        strict: bool,
    }
}

wire_object! {
    /// A format with no settings (`text`, `json_object`).
    pub struct PlainFormat {}
}

wire_union! {
    /// `text.format`: plain text, a JSON schema, or any JSON object.
    pub enum TextFormat {
        "text" => Text(PlainFormat),
        "json_schema" => JsonSchema(JsonSchemaFormat),
        "json_object" => JsonObject(PlainFormat),
    }
}

wire_object! {
    /// The result of `DELETE /responses/{id}`.
    pub struct DeleteResult {
        id: String,
        object: String,
        deleted: bool,
    }
}

wire_object! {
    /// A cursor page of `GET /responses/{id}/input_items`.
    pub struct InputItemList {
        object: String,
        data: Vec<Item>,
        first_id: String,
        last_id: String,
        has_more: bool,
    }
}

wire_object! {
    /// The result of `POST /responses/compact`.
    pub struct CompactedResponse {
        id: String,
        object: String,
        created_at: f64,
        output: Vec<Item>,
        usage: Usage,
    }
}

wire_object! {
    /// The result of `POST /responses/input_tokens`.
    pub struct InputTokenCount {
        object: String,
        input_tokens: u64,
    }
}

wire_object! {
    /// The JSON body of an HTTP error: `{"error": {...}}`.
    pub struct ErrorEnvelope {
        error: ErrorObject,
    }
}

wire_object! {
    /// The error object of an error body or of a nested `error` event.
    pub struct ErrorObject {
        message: String,
        kind as "type": String,
        code: Value,
        param: String,
    }
}

impl crate::wire::Wire for Instructions {
    const KIND: crate::wire::JsonKind = crate::wire::JsonKind::Any;
}

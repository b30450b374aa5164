//! The deterministic "model run" of `POST /responses`: from a validated
//! body, its input items and the earlier turn, it plans the output
//! (reasoning, then a message or a function call), applies the content
//! faults (deltas, big-event, failed, incomplete, error-event) and builds
//! the numbered event list and the final response. No HTTP, no storage.

use serde_json::{json, Value};

use crate::answer;
use crate::faults::{ErrorEventShape, FaultSpec};
use crate::responses::now_seconds;
use crate::server::{lock, State};
use crate::validate::{flag, text_member, Object};

const STREAM_ERROR_MESSAGE: &str = "Mock stream error";
const FAILED_MESSAGE: &str = "The server had an error while processing your request.";

/// The conversation so far when a request continues a stored response.
pub(crate) struct Previous {
    pub context: Vec<Value>,
    pub turn: usize,
    pub tokens: u64,
}

/// The text of a message item's content (a string or parts with `text`).
pub(crate) fn message_text(item: &Value) -> String {
    match item.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

pub(crate) fn is_message_from(item: &Value, roles: &[&str]) -> bool {
    item.get("type").and_then(Value::as_str) == Some("message")
        && item
            .get("role")
            .and_then(Value::as_str)
            .is_some_and(|r| roles.contains(&r))
}

/// The text of the last user message: this input's, else the conversation's.
fn last_user_text(input: &[Value], context: &[Value]) -> String {
    input
        .iter()
        .rev()
        .chain(context.iter().rev())
        .find(|item| is_message_from(item, &["user"]))
        .map(message_text)
        .unwrap_or_default()
}

/// A function the request offers: name and parameters schema.
struct OfferedFunction {
    name: String,
    parameters: Value,
}

/// The function to call, if the model "decides" to call one.
fn function_to_call(body: &Object, input: &[Value]) -> Option<OfferedFunction> {
    let offered: Vec<&Object> = body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
        .collect();
    let after_tool_output = input
        .last()
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str)
        == Some("function_call_output");
    if offered.is_empty() || after_tool_output {
        return None;
    }
    let chosen = match body.get("tool_choice") {
        Some(Value::String(mode)) if mode == "none" => return None,
        Some(Value::Object(choice)) => match choice.get("name").and_then(Value::as_str) {
            Some(name) => offered
                .iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
                .copied()?,
            // Some other tool type is forced (e.g. a built-in): no function call.
            None => return None,
        },
        _ => offered[0],
    };
    Some(OfferedFunction {
        name: chosen
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("function")
            .to_owned(),
        parameters: chosen.get("parameters").cloned().unwrap_or(Value::Null),
    })
}

/// What the response outputs after any reasoning.
enum Body {
    Message {
        id: String,
        text: String,
        deltas: Vec<String>,
    },
    FunctionCall {
        id: String,
        call_id: String,
        name: String,
        arguments: String,
    },
}

struct Reasoning {
    id: String,
    summary: Option<String>,
    encrypted_content: Option<String>,
    tokens: u64,
}

/// Everything that decides a response's events, worked out once.
pub(crate) struct Plan {
    /// The response object without `status`, `output` and `usage`.
    base: Object,
    reasoning: Option<Reasoning>,
    body: Body,
    input_tokens: u64,
    cached_tokens: u64,
    pub background: bool,
}

fn echo_or(body: &Object, name: &str, default: Value) -> Value {
    match body.get(name) {
        Some(v) if !v.is_null() => v.clone(),
        _ => default,
    }
}

pub(crate) fn base_response(id: &str, body: &Object, model: &str, reasoning: bool) -> Object {
    let reasoning_config = body.get("reasoning").and_then(Value::as_object);
    let effort = reasoning_config
        .and_then(|r| r.get("effort").cloned())
        .unwrap_or(if reasoning {
            "medium".into()
        } else {
            Value::Null
        });
    let summary = reasoning_config
        .and_then(|r| r.get("summary").cloned())
        .unwrap_or(Value::Null);
    let fields = json!({
        "id": id,
        "object": "response",
        "created_at": now_seconds(),
        "background": flag(body, "background", false),
        "error": null,
        "incomplete_details": null,
        "instructions": echo_or(body, "instructions", Value::Null),
        "max_output_tokens": echo_or(body, "max_output_tokens", Value::Null),
        "max_tool_calls": echo_or(body, "max_tool_calls", Value::Null),
        "metadata": echo_or(body, "metadata", json!({})),
        "model": model,
        "parallel_tool_calls": echo_or(body, "parallel_tool_calls", true.into()),
        "previous_response_id": echo_or(body, "previous_response_id", Value::Null),
        "prompt_cache_key": echo_or(body, "prompt_cache_key", Value::Null),
        "reasoning": {"effort": effort, "summary": summary},
        "safety_identifier": echo_or(body, "safety_identifier", Value::Null),
        "service_tier": echo_or(body, "service_tier", "default".into()),
        "store": flag(body, "store", true),
        "temperature": echo_or(body, "temperature", 1.0.into()),
        "text": echo_or(body, "text", json!({"format": {"type": "text"}, "verbosity": "medium"})),
        "tool_choice": echo_or(body, "tool_choice", "auto".into()),
        "tools": echo_or(body, "tools", json!([])),
        "top_logprobs": echo_or(body, "top_logprobs", 0.into()),
        "top_p": echo_or(body, "top_p", 1.0.into()),
        "truncation": echo_or(body, "truncation", "disabled".into()),
        "user": echo_or(body, "user", Value::Null),
    });
    let mut map = match fields {
        Value::Object(map) => map,
        _ => Object::new(),
    };
    // Only a response in a conversation names it (recorded traffic has no
    // `conversation: null`).
    let conversation = match body.get("conversation") {
        Some(Value::String(id)) => Some(json!({"id": id})),
        Some(c @ Value::Object(_)) => Some(json!({"id": c["id"]})),
        _ => None,
    };
    if let Some(c) = conversation {
        map.insert("conversation".into(), c);
    }
    map
}

/// The schema of a `text.format` of type `json_schema`, when the request asks for one.
fn json_schema(body: &Object) -> Option<&Value> {
    let format = body.get("text")?.get("format")?;
    (format.get("type")? == "json_schema").then(|| format.get("schema").unwrap_or(&Value::Null))
}

/// Input tokens of this request: its input and instructions, plus the
/// whole earlier conversation of a chain.
pub(crate) fn count_request_tokens(body: &Object, previous: Option<&Previous>) -> u64 {
    let own = body.get("input").map_or(0, answer::count_input_tokens)
        + text_member(body, "instructions").map_or(0, answer::count_words);
    (own + previous.map_or(0, |p| p.tokens)).max(1)
}

pub(crate) fn plan(
    state: &State,
    body: &Object,
    input: &[Value],
    previous: Option<&Previous>,
    fault: &FaultSpec,
) -> Plan {
    let model = text_member(body, "model").unwrap_or_default().to_owned();
    let context: &[Value] = previous.map_or(&[], |p| &p.context);
    let user_text = last_user_text(input, context);
    let wants_reasoning =
        answer::is_reasoning_model(&model) || body.get("reasoning").is_some_and(Value::is_object);
    let id = state.next_id("resp");
    let base = base_response(&id, body, &model, wants_reasoning);

    let reasoning = wants_reasoning.then(|| {
        let summary_requested = body
            .get("reasoning")
            .and_then(|r| r.get("summary"))
            .is_some_and(|s| s.is_string());
        let include_encrypted = body
            .get("include")
            .and_then(Value::as_array)
            .is_some_and(|i| i.iter().any(|v| v == "reasoning.encrypted_content"));
        let summary = answer::reasoning_summary(&user_text);
        Reasoning {
            id: state.next_id("rs"),
            encrypted_content: include_encrypted.then(|| answer::encrypted_content(&summary)),
            tokens: 16 + 2 * answer::count_words(&summary),
            summary: summary_requested.then_some(summary),
        }
    });

    let output_body = match function_to_call(body, input) {
        Some(function) => Body::FunctionCall {
            id: state.next_id("fc"),
            call_id: state.next_id("call"),
            name: function.name,
            arguments: crate::json::to_compact(&answer::arguments_for_schema(&function.parameters)),
        },
        None => {
            let last_input = input.last();
            let text = match last_input
                .filter(|i| i.get("type").and_then(Value::as_str) == Some("function_call_output"))
            {
                Some(tool_output) => {
                    answer::tool_result_text(tool_output.get("output").unwrap_or(&Value::Null))
                }
                // Structured output: a value the schema accepts.
                None if json_schema(body).is_some() => crate::json::to_compact(
                    &answer::arguments_for_schema(json_schema(body).unwrap_or(&Value::Null)),
                ),
                None => {
                    let instructions = text_member(body, "instructions")
                        .map(str::to_owned)
                        .or_else(|| {
                            input
                                .iter()
                                .rev()
                                .find(|i| is_message_from(i, &["system", "developer"]))
                                .map(message_text)
                        });
                    answer::answer_text(
                        &user_text,
                        instructions.as_deref(),
                        previous.map_or(1, |p| p.turn + 1),
                    )
                }
            };
            let (text, deltas) = crate::chat::text_and_deltas(text, fault);
            Body::Message {
                id: state.next_id("msg"),
                text,
                deltas,
            }
        }
    };

    let input_tokens = count_request_tokens(body, previous);
    let cached_tokens = match text_member(body, "prompt_cache_key") {
        Some(key) if !lock(&state.cache_keys).insert(key.to_owned()) => input_tokens,
        _ => 0,
    };
    Plan {
        base,
        reasoning,
        body: output_body,
        input_tokens,
        cached_tokens,
        background: flag(body, "background", false),
    }
}

/// Numbers events as they are added.
#[derive(Default)]
struct Events {
    list: Vec<Value>,
}

impl Events {
    fn push(&mut self, event_type: &str, mut fields: Value) {
        fields["type"] = event_type.into();
        fields["sequence_number"] = self.list.len().into();
        self.list.push(fields);
    }
}

impl Plan {
    /// The response's id (`resp_…`).
    pub fn id(&self) -> &str {
        self.base
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn response(&self, status: &str, output: Vec<Value>, usage: Value) -> Value {
        let mut response = self.base.clone();
        response.insert("status".into(), status.into());
        response.insert("output".into(), Value::Array(output));
        response.insert("usage".into(), usage);
        if status == "completed" {
            response.insert("completed_at".into(), now_seconds().into());
        }
        Value::Object(response)
    }

    fn usage(&self, output_tokens: u64) -> Value {
        let reasoning_tokens = self.reasoning.as_ref().map_or(0, |r| r.tokens);
        let output_tokens = output_tokens + reasoning_tokens;
        json!({
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": self.cached_tokens},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
            "total_tokens": self.input_tokens + output_tokens,
        })
    }

    fn reasoning_item(&self, reasoning: &Reasoning, done: bool) -> Value {
        let summary = match (&reasoning.summary, done) {
            (Some(text), true) => json!([{"type": "summary_text", "text": text}]),
            _ => json!([]),
        };
        let mut item = json!({"id": reasoning.id, "type": "reasoning", "summary": summary});
        if let (Some(encrypted), true) = (&reasoning.encrypted_content, done) {
            item["encrypted_content"] = encrypted.clone().into();
        }
        item
    }

    /// The events of the whole stream, and the response as it ends.
    pub fn events(&self, fault: &FaultSpec) -> (Vec<Value>, Value) {
        let mut events = Events::default();
        let initial = if self.background {
            "queued"
        } else {
            "in_progress"
        };
        let empty = self.response(initial, Vec::new(), Value::Null);
        events.push("response.created", json!({"response": empty}));
        if self.background {
            events.push("response.queued", json!({"response": empty}));
        }
        let running = self.response("in_progress", Vec::new(), Value::Null);
        events.push("response.in_progress", json!({"response": running}));

        let mut output = Vec::new();
        if let Some(reasoning) = &self.reasoning {
            self.reasoning_events(&mut events, reasoning, output.len());
            output.push(self.reasoning_item(reasoning, true));
        }
        let terminal = match &self.body {
            Body::Message { id, text, deltas } => {
                self.message_events(&mut events, &mut output, fault, id, text, deltas)
            }
            Body::FunctionCall {
                id,
                call_id,
                name,
                arguments,
            } => self.function_call_events(
                &mut events,
                &mut output,
                fault,
                id,
                call_id,
                name,
                arguments,
            ),
        };
        (events.list, terminal)
    }

    fn reasoning_events(&self, events: &mut Events, reasoning: &Reasoning, output_index: usize) {
        let item_id = &reasoning.id;
        events.push(
            "response.output_item.added",
            json!({"output_index": output_index, "item": self.reasoning_item(reasoning, false)}),
        );
        if let Some(summary) = &reasoning.summary {
            let at = json!({"item_id": item_id, "output_index": output_index, "summary_index": 0});
            let mut added = at.clone();
            added["part"] = json!({"type": "summary_text", "text": ""});
            events.push("response.reasoning_summary_part.added", added);
            for delta in answer::word_deltas(summary) {
                let mut event = at.clone();
                event["delta"] = delta.into();
                events.push("response.reasoning_summary_text.delta", event);
            }
            let mut done = at.clone();
            done["text"] = summary.clone().into();
            events.push("response.reasoning_summary_text.done", done);
            let mut part_done = at;
            part_done["part"] = json!({"type": "summary_text", "text": summary});
            events.push("response.reasoning_summary_part.done", part_done);
        }
        events.push(
            "response.output_item.done",
            json!({"output_index": output_index, "item": self.reasoning_item(reasoning, true)}),
        );
    }

    /// The message's events and the terminal event; returns the final response.
    fn message_events(
        &self,
        events: &mut Events,
        output: &mut Vec<Value>,
        fault: &FaultSpec,
        item_id: &str,
        text: &str,
        deltas: &[String],
    ) -> Value {
        let output_index = output.len();
        let message = |status: &str, text: Option<&str>| {
            let content = match text {
                Some(text) => {
                    json!([{"type": "output_text", "annotations": [], "logprobs": [], "text": text}])
                }
                None => json!([]),
            };
            json!({"id": item_id, "type": "message", "status": status, "role": "assistant", "content": content})
        };
        let at = json!({"item_id": item_id, "output_index": output_index, "content_index": 0});
        events.push(
            "response.output_item.added",
            json!({"output_index": output_index, "item": message("in_progress", None)}),
        );
        let mut part_added = at.clone();
        part_added["part"] =
            json!({"type": "output_text", "annotations": [], "logprobs": [], "text": ""});
        events.push("response.content_part.added", part_added);

        // `incomplete` stops halfway, as if max_output_tokens were reached.
        let sent = if fault.incomplete {
            &deltas[..deltas.len().div_ceil(2)]
        } else {
            deltas
        };
        let mut so_far = String::new();
        for (i, delta) in sent.iter().enumerate() {
            let mut event = at.clone();
            event["delta"] = delta.clone().into();
            event["logprobs"] = json!([]);
            events.push("response.output_text.delta", event);
            so_far.push_str(delta);
            if i == 0 && fault.error_event.is_some() {
                break;
            }
        }
        let output_tokens = answer::count_words(&so_far);
        if let Some(shape) = fault.error_event {
            output.push(message("incomplete", Some(&so_far)));
            push_error_event(events, shape);
            return self.failed(events, output, output_tokens, STREAM_ERROR_MESSAGE);
        }
        if fault.failed {
            output.push(message("incomplete", Some(&so_far)));
            return self.failed(events, output, output_tokens, FAILED_MESSAGE);
        }
        let final_text = if fault.incomplete {
            so_far.as_str()
        } else {
            text
        };
        let mut done = at.clone();
        done["text"] = final_text.into();
        done["logprobs"] = json!([]);
        events.push("response.output_text.done", done);
        let mut part_done = at;
        part_done["part"] =
            json!({"type": "output_text", "annotations": [], "logprobs": [], "text": final_text});
        events.push("response.content_part.done", part_done);
        let status = if fault.incomplete {
            "incomplete"
        } else {
            "completed"
        };
        let item = message(status, Some(final_text));
        events.push(
            "response.output_item.done",
            json!({"output_index": output_index, "item": item}),
        );
        output.push(item);
        self.finished(
            events,
            output,
            answer::count_words(final_text),
            fault.incomplete,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn function_call_events(
        &self,
        events: &mut Events,
        output: &mut Vec<Value>,
        fault: &FaultSpec,
        item_id: &str,
        call_id: &str,
        name: &str,
        arguments: &str,
    ) -> Value {
        let output_index = output.len();
        let call = |status: &str, arguments: &str| {
            json!({"id": item_id, "type": "function_call", "status": status,
                   "arguments": arguments, "call_id": call_id, "name": name})
        };
        events.push(
            "response.output_item.added",
            json!({"output_index": output_index, "item": call("in_progress", "")}),
        );
        let mut so_far = String::new();
        for (i, delta) in answer::argument_deltas(arguments).into_iter().enumerate() {
            so_far.push_str(&delta);
            events.push(
                "response.function_call_arguments.delta",
                json!({"item_id": item_id, "output_index": output_index, "delta": delta}),
            );
            if i == 0 && fault.error_event.is_some() {
                break;
            }
        }
        let output_tokens = (arguments.len() / 4 + 1) as u64;
        if let Some(shape) = fault.error_event {
            output.push(call("incomplete", &so_far));
            push_error_event(events, shape);
            return self.failed(events, output, output_tokens, STREAM_ERROR_MESSAGE);
        }
        if fault.failed {
            output.push(call("incomplete", &so_far));
            return self.failed(events, output, output_tokens, FAILED_MESSAGE);
        }
        events.push(
            "response.function_call_arguments.done",
            json!({"item_id": item_id, "output_index": output_index, "arguments": arguments, "name": name}),
        );
        let item = call("completed", arguments);
        events.push(
            "response.output_item.done",
            json!({"output_index": output_index, "item": item}),
        );
        output.push(item);
        self.finished(events, output, output_tokens, fault.incomplete)
    }

    fn failed(
        &self,
        events: &mut Events,
        output: &[Value],
        output_tokens: u64,
        message: &str,
    ) -> Value {
        let mut response = self.response("failed", output.to_vec(), self.usage(output_tokens));
        response["error"] = json!({"code": "server_error", "message": message});
        events.push("response.failed", json!({"response": response}));
        response
    }

    fn finished(
        &self,
        events: &mut Events,
        output: &[Value],
        output_tokens: u64,
        incomplete: bool,
    ) -> Value {
        if incomplete {
            let mut response =
                self.response("incomplete", output.to_vec(), self.usage(output_tokens));
            response["incomplete_details"] = json!({"reason": "max_output_tokens"});
            events.push("response.incomplete", json!({"response": response}));
            return response;
        }
        let response = self.response("completed", output.to_vec(), self.usage(output_tokens));
        events.push("response.completed", json!({"response": response}));
        response
    }
}

fn push_error_event(events: &mut Events, shape: ErrorEventShape) {
    let event = match shape {
        ErrorEventShape::Flat => {
            json!({"code": "server_error", "message": STREAM_ERROR_MESSAGE, "param": null})
        }
        ErrorEventShape::Nested => json!({"error": {
            "type": "server_error", "code": "server_error", "message": STREAM_ERROR_MESSAGE, "param": null
        }}),
    };
    events.push("error", event);
}

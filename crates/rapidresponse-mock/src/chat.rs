//! Chat Completions (`POST /chat/completions`) and legacy Completions
//! (`POST /completions`): the same deterministic answers as the Responses
//! endpoint in those APIs' shapes, as JSON or `data:` chunks. Framing and
//! `[DONE]` are `sse`'s job.

use serde_json::{json, Map, Value};

use crate::answer;
use crate::faults::FaultSpec;
use crate::responses::now_seconds;
use crate::server::{ApiRequest, Reply, State};
use crate::sse::{EventSource, StreamKind};
use crate::validate::{bad_request, invalid_type, validate_model, validate_range};

type Object = Map<String, Value>;

const SYSTEM_FINGERPRINT: &str = "fp_mock";

/// A message's content as text: a string or the text of its parts.
fn content_text(message: &Value) -> String {
    match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) if !other.is_null() => crate::json::to_compact(other),
        _ => String::new(),
    }
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

/// The answer text with the `deltas=`/`big-event=` faults applied, split
/// into deltas.
pub(crate) fn text_and_deltas(text: String, fault: &FaultSpec) -> (String, Vec<String>) {
    let mut text = text;
    let mut deltas = match fault.deltas {
        Some(n) => answer::exact_deltas(&text, n),
        None => answer::word_deltas(&text),
    };
    if let Some(len) = fault.big_event {
        let big = answer::filler(len);
        text.push_str(&big);
        deltas.push(big);
    }
    (text, deltas)
}

/// The function a Chat request "calls": the forced one or the first.
fn chat_function(body: &Object, messages: &[Value]) -> Option<(String, Value)> {
    let tools: Vec<&Value> = body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
        .collect();
    if tools.is_empty() || messages.last().is_some_and(|m| role(m) == "tool") {
        return None;
    }
    let function_of = |tool: &Value| {
        let function = tool.get("function")?;
        let name = function.get("name")?.as_str()?.to_owned();
        Some((
            name,
            function.get("parameters").cloned().unwrap_or(Value::Null),
        ))
    };
    match body.get("tool_choice") {
        Some(Value::String(mode)) if mode == "none" => None,
        Some(Value::Object(choice)) => {
            let forced = choice.get("function")?.get("name")?.as_str()?;
            tools
                .into_iter()
                .filter_map(function_of)
                .find(|(name, _)| name == forced)
        }
        _ => tools.into_iter().find_map(function_of),
    }
}

fn usage(prompt_tokens: u64, completion_tokens: u64) -> Value {
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    })
}

/// `POST /chat/completions`.
pub(crate) fn chat_completions(state: &State, request: &ApiRequest, fault: &FaultSpec) -> Reply {
    match try_chat(state, request, fault) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn try_chat(state: &State, request: &ApiRequest, fault: &FaultSpec) -> Result<Reply, Reply> {
    let body = request.json_object()?;
    validate_model(body)?;
    let messages = match body.get("messages") {
        Some(Value::Array(messages)) => messages,
        None | Some(Value::Null) => {
            return Err(bad_request(
                "Missing required parameter: 'messages'.".to_owned(),
                "messages",
                "missing_required_parameter",
            ))
        }
        Some(other) => return Err(invalid_type("messages", "an array", other)),
    };
    validate_range(body, "temperature", 0.0, 2.0)?;
    validate_range(body, "top_p", 0.0, 1.0)?;

    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = state.next_id("chatcmpl").replacen('_', "-", 1);
    let created = now_seconds();
    let prompt_tokens = messages
        .iter()
        .map(|m| answer::count_words(&content_text(m)))
        .sum::<u64>()
        .max(1);
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = body
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let chunk = |choices: Value| {
        let mut chunk = json!({"id": id, "object": "chat.completion.chunk", "created": created,
            "model": model, "system_fingerprint": SYSTEM_FINGERPRINT, "service_tier": "default",
            "choices": choices});
        if include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    };
    let choice = |delta: Value, finish: Value| json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]);

    if let Some((name, parameters)) = chat_function(body, messages) {
        let call_id = state.next_id("call");
        let arguments = crate::json::to_compact(&answer::arguments_for_schema(&parameters));
        let completion_tokens = (arguments.len() / 4 + 1) as u64;
        if !stream {
            return Ok(Reply::ok(json!({
                "id": id, "object": "chat.completion", "created": created, "model": model,
                "system_fingerprint": SYSTEM_FINGERPRINT, "service_tier": "default",
                "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls",
                    "message": {"role": "assistant", "content": null, "refusal": null, "annotations": [],
                        "tool_calls": [{"id": call_id, "type": "function",
                            "function": {"name": name, "arguments": arguments}}]}}],
                "usage": usage(prompt_tokens, completion_tokens),
            })));
        }
        let mut chunks = vec![chunk(choice(
            json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [
                {"index": 0, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        ))];
        for piece in answer::argument_deltas(&arguments) {
            chunks.push(chunk(choice(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
                Value::Null,
            )));
        }
        chunks.push(chunk(choice(json!({}), "tool_calls".into())));
        if include_usage {
            let mut last = chunk(json!([]));
            last["usage"] = usage(prompt_tokens, completion_tokens);
            chunks.push(last);
        }
        return Ok(Reply::Stream {
            source: EventSource::fixed(chunks),
            kind: StreamKind::DataOnly,
        });
    }

    let text = match messages.last() {
        Some(last) if role(last) == "tool" => {
            answer::tool_result_text(last.get("content").unwrap_or(&Value::Null))
        }
        _ => {
            let user = messages
                .iter()
                .rev()
                .find(|m| role(m) == "user")
                .map(content_text)
                .unwrap_or_default();
            let system = messages
                .iter()
                .rev()
                .find(|m| matches!(role(m), "system" | "developer"))
                .map(content_text);
            answer::answer_text(&user, system.as_deref(), 1)
        }
    };
    let (mut text, mut deltas) = text_and_deltas(text, fault);
    // `incomplete` stops halfway, as `max_tokens` would.
    let finish_reason = if fault.incomplete {
        deltas.truncate(deltas.len().div_ceil(2));
        text = deltas.concat();
        "length"
    } else {
        "stop"
    };
    let completion_tokens = answer::count_words(&text);
    if !stream {
        return Ok(Reply::ok(json!({
            "id": id, "object": "chat.completion", "created": created, "model": model,
            "system_fingerprint": SYSTEM_FINGERPRINT, "service_tier": "default",
            "choices": [{"index": 0, "logprobs": null, "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": text, "refusal": null, "annotations": []}}],
            "usage": usage(prompt_tokens, completion_tokens),
        })));
    }
    let mut chunks = vec![chunk(choice(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    ))];
    for delta in deltas {
        chunks.push(chunk(choice(json!({"content": delta}), Value::Null)));
    }
    chunks.push(chunk(choice(json!({}), finish_reason.into())));
    if include_usage {
        let mut last = chunk(json!([]));
        last["usage"] = usage(prompt_tokens, completion_tokens);
        chunks.push(last);
    }
    Ok(Reply::Stream {
        source: EventSource::fixed(chunks),
        kind: StreamKind::DataOnly,
    })
}

/// `POST /completions` (legacy): `prompt` is a string or a list of strings.
pub(crate) fn completions(state: &State, request: &ApiRequest, fault: &FaultSpec) -> Reply {
    match try_completions(state, request, fault) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn try_completions(state: &State, request: &ApiRequest, fault: &FaultSpec) -> Result<Reply, Reply> {
    let body = request.json_object()?;
    validate_model(body)?;
    validate_range(body, "temperature", 0.0, 2.0)?;
    let prompt = match body.get("prompt") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        None | Some(Value::Null) => String::new(),
        Some(other) => {
            return Err(invalid_type(
                "prompt",
                "a string or an array of strings",
                other,
            ))
        }
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = state.next_id("cmpl").replacen('_', "-", 1);
    let created = now_seconds();
    let (text, deltas) = text_and_deltas(answer::answer_text(&prompt, None, 1), fault);
    let prompt_tokens = answer::count_words(&prompt).max(1);
    let completion_tokens = answer::count_words(&text);
    let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens});
    let completion = |text: &str, finish: Value| {
        json!({"id": id, "object": "text_completion", "created": created, "model": model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [{"text": text, "index": 0, "logprobs": null, "finish_reason": finish}]})
    };
    if !body.get("stream").and_then(Value::as_bool).unwrap_or(false) {
        let mut full = completion(&text, "stop".into());
        full["usage"] = usage;
        return Ok(Reply::ok(full));
    }
    let mut chunks: Vec<Value> = deltas
        .iter()
        .map(|delta| completion(delta, Value::Null))
        .collect();
    chunks.push(completion("", "stop".into()));
    Ok(Reply::Stream {
        source: EventSource::fixed(chunks),
        kind: StreamKind::DataOnly,
    })
}

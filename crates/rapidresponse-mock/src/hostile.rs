//! The `hostile=<attack>` faults: answers a broken or malicious server could
//! send, each aimed at one way a client can crash, leak or grow without
//! bound (see FAULTS.md, "Hostile servers"). Each answer is built here
//! whole, apart from the mock's planner: what matters is the attack, around
//! a small, valid Responses stream or body whose text the client should
//! still deliver. It does not decide how a client reacts.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::json::to_compact;
use crate::server::{BodyChunk, ConnControl, MockBody};

/// The text every hostile answer still carries.
pub const TEXT: &str = "Hello from a hostile server";

/// A model name whose byte length minus 11 falls inside a character.
pub const NON_ASCII_MODEL: &str = "modèle-é2025-04-14";

/// The bytes of `id:` the amplified-id attack sends, and how many tiny
/// events follow it.
const AMPLIFIED_ID_BYTES: usize = 1 << 20;
const AMPLIFIED_EVENTS: usize = 20_000;

/// Depth of the nested-json attack's array.
const NESTING: usize = 100_000;

/// Size of the big-header attack's header.
const BIG_HEADER_BYTES: usize = 1 << 20;

/// One piece of the endless body.
const ENDLESS_PIECE: usize = 64 * 1024;

/// The attacks; FAULTS.md says what each sends and what a client must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attack {
    AmplifiedId,
    PrototypeKeys,
    NonAsciiModel,
    AbsurdNumbers,
    EmptyEvents,
    NestedJson,
    BigHeader,
    EndlessBody,
    OversizedBody,
    EmptyPages,
    StuckCursor,
}

impl Attack {
    pub const ALL: [(&'static str, Attack); 11] = [
        ("amplified-id", Attack::AmplifiedId),
        ("prototype-keys", Attack::PrototypeKeys),
        ("non-ascii-model", Attack::NonAsciiModel),
        ("absurd-numbers", Attack::AbsurdNumbers),
        ("empty-events", Attack::EmptyEvents),
        ("nested-json", Attack::NestedJson),
        ("big-header", Attack::BigHeader),
        ("endless-body", Attack::EndlessBody),
        ("oversized-body", Attack::OversizedBody),
        ("empty-pages", Attack::EmptyPages),
        ("stuck-cursor", Attack::StuckCursor),
    ];

    pub fn parse(name: &str) -> Result<Attack, String> {
        Attack::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
            .ok_or_else(|| {
                let names: Vec<&str> = Attack::ALL.iter().map(|(n, _)| *n).collect();
                format!("expected one of {}", names.join(", "))
            })
    }
}

/// A hostile answer: status, headers and a body (whole, or fed forever).
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: HostileBody,
}

pub(crate) enum HostileBody {
    Whole(Bytes),
    /// `prefix`, then `piece` again and again until the client leaves.
    Endless {
        prefix: Bytes,
        piece: Bytes,
    },
}

impl HostileBody {
    pub fn into_mock_body(self, control: Arc<ConnControl>) -> MockBody {
        match self {
            HostileBody::Whole(bytes) => MockBody::full(bytes),
            HostileBody::Endless { prefix, piece } => {
                let (tx, rx) = mpsc::channel(4);
                tokio::spawn(async move {
                    if tx.send(BodyChunk::Data(prefix)).await.is_err() {
                        return;
                    }
                    // Ends when the client drops the connection (the send
                    // fails) or the server stops.
                    while tx.send(BodyChunk::Data(piece.clone())).await.is_ok() {}
                });
                MockBody::channel(rx, control)
            }
        }
    }
}

/// The answer to `method path` under `attack`; `stream` when the request
/// asked for one.
pub(crate) fn answer(attack: Attack, method: &str, path: &str, stream: bool) -> Answer {
    let listing = method == "GET" && path.ends_with("/input_items");
    match attack {
        Attack::EmptyPages | Attack::StuckCursor if listing => page(attack),
        Attack::EndlessBody => Answer {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: HostileBody::Endless {
                prefix: Bytes::from_static(
                    b"{\"id\":\"resp_endless\",\"object\":\"response\",\"pad\":\"",
                ),
                piece: Bytes::from(vec![b'a'; ENDLESS_PIECE]),
            },
        },
        // Announces 300 MiB, over the clients' default 256 MiB limit, then
        // sends without end: a client must refuse it from the header.
        Attack::OversizedBody => Answer {
            status: 200,
            content_type: "application/json",
            headers: vec![("content-length", (300u64 << 20).to_string())],
            body: HostileBody::Endless {
                prefix: Bytes::from_static(b"{\"id\":\"resp_oversized\",\"pad\":\""),
                piece: Bytes::from(vec![b'a'; ENDLESS_PIECE]),
            },
        },
        _ if stream => Answer {
            status: 200,
            content_type: "text/event-stream",
            headers: headers(attack),
            body: HostileBody::Whole(Bytes::from(stream_body(attack))),
        },
        _ => Answer {
            status: 200,
            content_type: "application/json",
            headers: headers(attack),
            body: HostileBody::Whole(Bytes::from(whole_body(attack))),
        },
    }
}

fn headers(attack: Attack) -> Vec<(&'static str, String)> {
    match attack {
        Attack::AbsurdNumbers => vec![
            ("x-ratelimit-limit-tokens", "99999999999999999999999".into()),
            ("x-ratelimit-remaining-tokens", "-1".into()),
            ("x-ratelimit-reset-tokens", "1e20s".into()),
            ("x-ratelimit-reset-requests", "99999999999999999999h".into()),
        ],
        Attack::BigHeader => vec![("x-mock-hostile", "a".repeat(BIG_HEADER_BYTES))],
        _ => Vec::new(),
    }
}

fn model(attack: Attack) -> &'static str {
    match attack {
        Attack::NonAsciiModel => NON_ASCII_MODEL,
        _ => "gpt-4o-mini",
    }
}

fn usage(attack: Attack) -> Value {
    match attack {
        Attack::AbsurdNumbers => json!({
            "input_tokens": u64::MAX,
            "input_tokens_details": {"cached_tokens": u64::MAX},
            "output_tokens": u64::MAX,
            "output_tokens_details": {"reasoning_tokens": u64::MAX},
            "total_tokens": u64::MAX,
        }),
        _ => json!({
            "input_tokens": 5,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 6,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 11,
        }),
    }
}

fn message(status: &str, text: &str) -> Value {
    json!({
        "id": "msg_hostile",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    })
}

fn response(attack: Attack, status: &str, output: Value, usage: Value) -> Value {
    json!({
        "id": "resp_hostile",
        "object": "response",
        "created_at": 1_700_000_000,
        "status": status,
        "model": model(attack),
        "output": output,
        "usage": usage,
        "error": null,
        "incomplete_details": null,
    })
}

fn whole_body(attack: Attack) -> String {
    let mut body = response(
        attack,
        "completed",
        json!([message("completed", TEXT)]),
        usage(attack),
    );
    if attack == Attack::NestedJson {
        body["metadata"] = json!({"nested": "@NESTED@"});
        return to_compact(&body).replace("\"@NESTED@\"", &nested());
    }
    to_compact(&body)
}

fn nested() -> String {
    format!("{}{}", "[".repeat(NESTING), "]".repeat(NESTING))
}

fn event(out: &mut String, data: &Value) {
    let kind = data["type"].as_str().unwrap_or("message");
    out.push_str("event: ");
    out.push_str(kind);
    out.push_str("\ndata: ");
    out.push_str(&to_compact(data));
    out.push_str("\n\n");
}

/// A whole Responses stream carrying `TEXT`, with the attack in it.
fn stream_body(attack: Attack) -> String {
    let mut out = String::new();
    let mut seq = 0u64;
    let mut next = || {
        seq += 1;
        seq - 1
    };
    let created_output = if attack == Attack::PrototypeKeys {
        json!({})
    } else {
        json!([])
    };
    let created = response(attack, "in_progress", created_output, Value::Null);
    event(
        &mut out,
        &json!({"type": "response.created", "sequence_number": next(), "response": created}),
    );
    let empty_events = |out: &mut String| {
        if attack == Attack::EmptyEvents {
            out.push_str("retry: 10\n\nid: 7\n\n");
        }
    };
    empty_events(&mut out);
    match attack {
        Attack::AmplifiedId => {
            out.push_str("id: ");
            out.push_str(&"i".repeat(AMPLIFIED_ID_BYTES));
            out.push('\n');
            for _ in 0..AMPLIFIED_EVENTS {
                out.push_str("data: {\"type\":\"response.mock_ping\"}\n\n");
            }
        }
        Attack::PrototypeKeys => {
            for index in [
                json!("__proto__"),
                json!("constructor"),
                json!(4e9),
                json!(-1),
            ] {
                let item = json!({"type": "function_call", "id": "fc_x", "call_id": "c", "name": "f", "arguments": "polluted", "status": "in_progress"});
                for data in [
                    json!({"type": "response.output_item.added", "output_index": index, "item": item}),
                    json!({"type": "response.function_call_arguments.delta", "output_index": index, "item_id": "fc_x", "delta": "polluted"}),
                    json!({"type": "response.content_part.added", "output_index": index, "content_index": index, "item_id": "fc_x", "part": {"type": "output_text", "text": "polluted", "annotations": []}}),
                    json!({"type": "response.output_text.delta", "output_index": index, "content_index": index, "item_id": "fc_x", "delta": "polluted"}),
                ] {
                    let mut data = data;
                    data["sequence_number"] = next().into();
                    event(&mut out, &data);
                }
            }
        }
        _ => {}
    }
    let in_progress = response(attack, "in_progress", json!([]), Value::Null);
    event(
        &mut out,
        &json!({"type": "response.in_progress", "sequence_number": next(), "response": in_progress}),
    );
    empty_events(&mut out);
    event(
        &mut out,
        &json!({"type": "response.output_item.added", "sequence_number": next(), "output_index": 0, "item": {"id": "msg_hostile", "type": "message", "status": "in_progress", "role": "assistant", "content": []}}),
    );
    event(
        &mut out,
        &json!({"type": "response.content_part.added", "sequence_number": next(), "output_index": 0, "content_index": 0, "item_id": "msg_hostile", "part": {"type": "output_text", "text": "", "annotations": []}}),
    );
    let (first, rest) = TEXT.split_at(5);
    for delta in [first, rest] {
        empty_events(&mut out);
        let mut data = json!({"type": "response.output_text.delta", "sequence_number": next(), "output_index": 0, "content_index": 0, "item_id": "msg_hostile", "delta": delta, "logprobs": []});
        if attack == Attack::NestedJson && delta == rest {
            data["obfuscation"] = "@NESTED@".into();
            let text = to_compact(&data).replace("\"@NESTED@\"", &nested());
            out.push_str("event: response.output_text.delta\ndata: ");
            out.push_str(&text);
            out.push_str("\n\n");
            continue;
        }
        event(&mut out, &data);
    }
    event(
        &mut out,
        &json!({"type": "response.output_text.done", "sequence_number": next(), "output_index": 0, "content_index": 0, "item_id": "msg_hostile", "text": TEXT, "logprobs": []}),
    );
    event(
        &mut out,
        &json!({"type": "response.content_part.done", "sequence_number": next(), "output_index": 0, "content_index": 0, "item_id": "msg_hostile", "part": {"type": "output_text", "text": TEXT, "annotations": []}}),
    );
    event(
        &mut out,
        &json!({"type": "response.output_item.done", "sequence_number": next(), "output_index": 0, "item": message("completed", TEXT)}),
    );
    empty_events(&mut out);
    let done = response(
        attack,
        "completed",
        json!([message("completed", TEXT)]),
        usage(attack),
    );
    event(
        &mut out,
        &json!({"type": "response.completed", "sequence_number": next(), "response": done}),
    );
    out
}

/// A list page that claims more forever: empty, or the same item (so the
/// same cursor) every time.
fn page(attack: Attack) -> Answer {
    let data = match attack {
        Attack::StuckCursor => json!([{
            "id": "msg_stuck", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": "again"}],
        }]),
        _ => json!([]),
    };
    let (first, last) = match attack {
        Attack::StuckCursor => (json!("msg_stuck"), json!("msg_stuck")),
        _ => (Value::Null, Value::Null),
    };
    let body = json!({"object": "list", "data": data, "has_more": true, "first_id": first, "last_id": last});
    Answer {
        status: 200,
        content_type: "application/json",
        headers: Vec::new(),
        body: HostileBody::Whole(Bytes::from(to_compact(&body))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attack_has_a_name_and_every_stream_carries_the_text() {
        for (name, attack) in Attack::ALL {
            assert_eq!(Attack::parse(name), Ok(attack));
            let body = stream_body(attack);
            assert!(body.contains(TEXT), "{name}");
            assert!(body.ends_with("\n\n"), "{name}");
        }
        assert!(Attack::parse("nope").unwrap_err().contains("amplified-id"));
        let b = NON_ASCII_MODEL.as_bytes();
        assert!(!NON_ASCII_MODEL.is_char_boundary(b.len() - 11));
    }
}

//! The deterministic "model": answer text from the input, function-call
//! arguments from a JSON schema, word-sized deltas, token counts and fake
//! encrypted content. Pure functions; it knows nothing of HTTP or storage.

use serde_json::{Map, Value};

/// Words of the user's text quoted in an answer; the rest becomes "…".
const MAX_QUOTED_WORDS: usize = 24;
/// Words of the instructions quoted in an answer.
const MAX_INSTRUCTION_WORDS: usize = 12;

const FIZZBUZZ: &str = "\n\n```python\nfor i in range(1, 16):\n    print(\"FizzBuzz\" if i % 15 == 0 else \"Fizz\" if i % 3 == 0 else \"Buzz\" if i % 5 == 0 else i)\n```";

/// "Mock answer to: <text>." plus the instructions, the turn of a
/// `previous_response_id` chain (from 2 on) and, when asked about FizzBuzz,
/// a short Python block.
pub fn answer_text(user_text: &str, instructions: Option<&str>, turn: usize) -> String {
    let quoted = first_words(user_text, MAX_QUOTED_WORDS);
    let mut out = if quoted.is_empty() {
        "Mock answer.".to_owned()
    } else if quoted.ends_with(['.', '?', '!', '…']) {
        format!("Mock answer to: {quoted}")
    } else {
        format!("Mock answer to: {quoted}.")
    };
    if let Some(instructions) = instructions.map(str::trim).filter(|i| !i.is_empty()) {
        out.push_str(&format!(
            " (following: {})",
            first_words(instructions, MAX_INSTRUCTION_WORDS)
        ));
    }
    if turn > 1 {
        out.push_str(&format!(" (turn {turn})"));
    }
    if user_text.to_lowercase().contains("fizzbuzz") {
        out.push_str(FIZZBUZZ);
    }
    out
}

/// The answer after a tool ran: it quotes the tool's output.
pub fn tool_result_text(output: &Value) -> String {
    let shown = match output {
        Value::String(s) => s.clone(),
        // A list of content parts: its text parts, else the JSON.
        Value::Array(parts) => {
            let text = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            if text.is_empty() {
                crate::json::to_compact(output)
            } else {
                text
            }
        }
        other => crate::json::to_compact(other),
    };
    format!(
        "The tool returned: {}.",
        first_words(&shown, MAX_QUOTED_WORDS)
    )
}

/// The summary a reasoning item carries when `reasoning.summary` is set.
pub fn reasoning_summary(user_text: &str) -> String {
    let quoted = first_words(user_text, 12);
    format!("**Answering the question**\n\nThe user asked: \"{quoted}\". A short, direct answer fits best.")
}

/// At most `n` whitespace-separated words of `text`, joined by one space,
/// with "…" when some were left out.
fn first_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words[..words.len().min(n)].join(" ");
    if words.len() > n {
        out.push('…');
    }
    out
}

/// Splits text into word-sized deltas: each carries its leading whitespace,
/// so the deltas joined give the text back.
pub fn word_deltas(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if in_word {
                out.push(std::mem::take(&mut current));
                in_word = false;
            }
        } else {
            in_word = true;
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Splits text into exactly `n` deltas of nearly equal length (in
/// characters); some are empty when the text is shorter than `n`.
pub fn exact_deltas(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if n == 0 {
        return Vec::new();
    }
    let (base, extra) = (chars.len() / n, chars.len() % n);
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for i in 0..n {
        let len = base + usize::from(i < extra);
        out.push(chars[start..start + len].iter().collect());
        start += len;
    }
    out
}

/// Splits function-call arguments into small pieces, like the API's
/// `function_call_arguments.delta` events.
pub fn argument_deltas(arguments: &str) -> Vec<String> {
    const PIECE_CHARS: usize = 8;
    let chars: Vec<char> = arguments.chars().collect();
    chars
        .chunks(PIECE_CHARS)
        .map(|c| c.iter().collect())
        .collect()
}

/// Text of exactly `len` bytes for `big-event`: a readable ASCII pattern.
pub fn filler(len: usize) -> String {
    const PATTERN: &[u8] = b"lorem ipsum dolor sit amet ";
    PATTERN
        .iter()
        .cycle()
        .take(len)
        .map(|&b| b as char)
        .collect()
}

/// Whitespace-separated words: the mock's token count.
pub fn count_words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

/// Tokens of the text in an input (a string, items, content parts): every
/// string member except ids, types, roles and statuses, counted in words.
pub fn count_input_tokens(input: &Value) -> u64 {
    match input {
        Value::String(s) => count_words(s),
        Value::Array(items) => items.iter().map(count_input_tokens).sum(),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "type" | "role" | "status" | "call_id"))
            .map(|(_, v)| count_input_tokens(v))
            .sum(),
        _ => 0,
    }
}

/// Whether a model name is one of the reasoning families (o1, o3,
/// o4-mini, gpt-5, codex-mini).
pub fn is_reasoning_model(model: &str) -> bool {
    ["o1", "o3", "o4-mini", "gpt-5", "codex-mini"]
        .iter()
        .any(|family| model.starts_with(family))
}

/// Arguments that satisfy a JSON schema of `type: object`: every required
/// property gets a value of its type.
pub fn arguments_for_schema(schema: &Value) -> Value {
    value_for_schema(schema, "", 0)
}

/// Nested schemas deeper than this get `{}`/`[]`: a recursive `$ref`
/// must not loop.
const MAX_SCHEMA_DEPTH: usize = 8;

fn value_for_schema(schema: &Value, name: &str, depth: usize) -> Value {
    let Some(schema) = schema.as_object() else {
        return Value::Object(Map::new());
    };
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for union in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema.get(union).and_then(Value::as_array).and_then(|u| {
            u.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            return value_for_schema(first, name, depth + 1);
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        // `["string", "null"]`: the first non-null type.
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.contains_key("properties") => "object",
        _ => "object",
    };
    match kind {
        "string" => Value::from(example_string(name)),
        "number" | "integer" => Value::from(1),
        "boolean" => Value::Bool(true),
        "array" => Value::Array(Vec::new()),
        "null" => Value::Null,
        _ => {
            let mut out = Map::new();
            if depth >= MAX_SCHEMA_DEPTH {
                return Value::Object(out);
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            let required = schema.get("required").and_then(Value::as_array);
            for key in required.into_iter().flatten().filter_map(Value::as_str) {
                let property = properties.and_then(|p| p.get(key)).unwrap_or(&Value::Null);
                out.insert(key.to_owned(), value_for_schema(property, key, depth + 1));
            }
            Value::Object(out)
        }
    }
}

/// "Paris" for place-like property names, "example" otherwise.
fn example_string(property: &str) -> &'static str {
    let p = property.to_lowercase();
    if [
        "location",
        "city",
        "place",
        "town",
        "destination",
        "capital",
    ]
    .iter()
    .any(|w| p.contains(w))
    {
        "Paris"
    } else {
        "example"
    }
}

/// A deterministic, base64-looking stand-in for `encrypted_content`, in the
/// `gAAAAA…` style of the real tokens.
pub fn encrypted_content(seed: &str) -> String {
    let mut bytes = Vec::with_capacity(96);
    let mut state = fnv1a(seed.as_bytes());
    while bytes.len() < 96 {
        state = splitmix64(state);
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    format!("gAAAAA{}", base64(&bytes))
}

/// FNV-1a: a small stable hash, enough to seed fake content.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One step of splitmix64: turns a counter into random-looking bits.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_answer_depends_on_input_instructions_and_turn() {
        assert_eq!(
            answer_text("Hi there", None, 1),
            "Mock answer to: Hi there."
        );
        assert_eq!(
            answer_text("Hi", Some("Be brief"), 3),
            "Mock answer to: Hi. (following: Be brief) (turn 3)"
        );
        assert!(answer_text("write FizzBuzz", None, 1).contains("```python"));
        assert_eq!(answer_text("", None, 1), "Mock answer.");
        assert_eq!(answer_text("Why?", None, 1), "Mock answer to: Why?");
        let long = "word ".repeat(100);
        assert!(answer_text(&long, None, 1).split_whitespace().count() < 40);
    }

    #[test]
    fn deltas_join_back_to_the_text() {
        let text = "Mock answer to:  hi.\n\n```py\nx```";
        let deltas = word_deltas(text);
        assert_eq!(deltas.concat(), text);
        assert_eq!(deltas[0], "Mock");
        assert_eq!(deltas[1], " answer");
        for n in [0, 1, 3, 7, 100] {
            let d = exact_deltas("héllo wörld", n);
            assert_eq!(d.len(), n);
            if n > 0 {
                assert_eq!(d.concat(), "héllo wörld");
            }
        }
        assert_eq!(
            argument_deltas(r#"{"city":"Paris"}"#).concat(),
            r#"{"city":"Paris"}"#
        );
    }

    #[test]
    fn arguments_satisfy_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
            "days": {"type": "integer"}, "exact": {"type": ["boolean", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "opts": {"type": "object", "properties": {"q": {"type": "number"}}, "required": ["q"]},
            "note": {"type": "string"}
        }, "required": ["city", "unit", "days", "exact", "tags", "opts"]});
        assert_eq!(
            arguments_for_schema(&schema),
            json!({"city": "Paris", "unit": "c", "days": 1, "exact": true, "tags": [], "opts": {"q": 1}})
        );
        assert_eq!(arguments_for_schema(&Value::Null), json!({}));
    }

    #[test]
    fn tokens_and_fake_content_are_stable() {
        let input = json!([{"role": "user", "content": [{"type": "input_text", "text": "one two"}]}, "three"]);
        assert_eq!(count_input_tokens(&input), 3);
        assert_eq!(encrypted_content("a"), encrypted_content("a"));
        assert_ne!(encrypted_content("a"), encrypted_content("b"));
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert!(is_reasoning_model("o4-mini-2025") && !is_reasoning_model("gpt-4o"));
    }
}

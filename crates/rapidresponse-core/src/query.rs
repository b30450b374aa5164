//! Query strings as openai-python and openai-node write them: parameters
//! are an ordered tree (`QueryValue`), merged as a dict update, and encoded
//! by the rules of a `Flavor`. It builds text and sends nothing.
//!
//! Both SDKs write arrays as `key[]=v` and objects as `key[sub]=v`, with
//! the brackets percent-encoded. openai-python (`urlencode`) writes a space
//! as `+` and leaves out null and empty values; openai-node (`qs`) writes a
//! space as `%20` and a null or empty value as `key=`.

use crate::endpoint::Flavor;

/// One query value, in the order the caller gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Written as `key[]=item` per item.
    List(Vec<QueryValue>),
    /// Written as `key[member]=value` per member.
    Object(Vec<(String, QueryValue)>),
}

impl From<&str> for QueryValue {
    fn from(s: &str) -> Self {
        QueryValue::Str(s.to_owned())
    }
}

impl From<String> for QueryValue {
    fn from(s: String) -> Self {
        QueryValue::Str(s)
    }
}

impl From<bool> for QueryValue {
    fn from(b: bool) -> Self {
        QueryValue::Bool(b)
    }
}

impl From<i64> for QueryValue {
    fn from(n: i64) -> Self {
        QueryValue::Int(n)
    }
}

impl From<u64> for QueryValue {
    fn from(n: u64) -> Self {
        i64::try_from(n).map_or(QueryValue::Float(n as f64), QueryValue::Int)
    }
}

impl From<Vec<String>> for QueryValue {
    fn from(items: Vec<String>) -> Self {
        QueryValue::List(items.into_iter().map(QueryValue::Str).collect())
    }
}

impl From<&serde_json::Value> for QueryValue {
    fn from(v: &serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => QueryValue::Null,
            Value::Bool(b) => QueryValue::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map(QueryValue::Int)
                .unwrap_or_else(|| QueryValue::Float(n.as_f64().unwrap_or(0.0))),
            Value::String(s) => QueryValue::Str(s.clone()),
            Value::Array(a) => QueryValue::List(a.iter().map(QueryValue::from).collect()),
            Value::Object(o) => {
                QueryValue::Object(o.iter().map(|(k, v)| (k.clone(), v.into())).collect())
            }
        }
    }
}

/// Parameters in order.
pub type Query = Vec<(String, QueryValue)>;

/// Sets each of `from`'s members in `into` as a dict update does: a key
/// already there keeps its place and takes the new value; a new key goes
/// at the end.
pub fn merge(into: &mut Query, from: impl IntoIterator<Item = (String, QueryValue)>) {
    for (key, value) in from {
        match into.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => into.push((key, value)),
        }
    }
}

/// The encoded query (without `?`) of `params`, in their order.
pub fn encode(flavor: Flavor, params: &[(String, QueryValue)]) -> String {
    let mut out = String::new();
    for (key, value) in params {
        write_item(flavor, key, value, &mut out);
    }
    out
}

fn write_item(flavor: Flavor, key: &str, value: &QueryValue, out: &mut String) {
    let scalar = match value {
        QueryValue::List(items) => {
            let key = format!("{key}[]");
            for item in items {
                write_item(flavor, &key, item, out);
            }
            return;
        }
        QueryValue::Object(members) => {
            for (sub, v) in members {
                write_item(flavor, &format!("{key}[{sub}]"), v, out);
            }
            return;
        }
        QueryValue::Null => String::new(),
        QueryValue::Bool(b) => b.to_string(),
        QueryValue::Int(n) => n.to_string(),
        QueryValue::Float(f) => float_text(flavor, *f),
        QueryValue::Str(s) => s.clone(),
    };
    // openai-python's `_primitive_value_to_str` gives "" for None, and an
    // empty value is left out; qs writes `key=`.
    if scalar.is_empty() && flavor == Flavor::OpenAIPython {
        return;
    }
    if !out.is_empty() {
        out.push('&');
    }
    encode_component(flavor, key, out);
    out.push('=');
    encode_component(flavor, &scalar, out);
}

/// A float as the SDK's language prints it: Python's `str(1.0)` is `1.0`,
/// JavaScript's `String(1.0)` is `1`. (Through serde_json's shortest
/// formatting: the module carries no second float printer.)
fn float_text(flavor: Flavor, f: f64) -> String {
    let Some(n) = serde_json::Number::from_f64(f) else {
        return String::new();
    };
    let text = n.to_string();
    match (flavor, text.strip_suffix(".0")) {
        (Flavor::OpenAINode, Some(whole)) => whole.to_owned(),
        _ => text,
    }
}

/// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~`; a space is `+`
/// in openai-python (`quote_plus`) and `%20` in openai-node (`qs`).
fn encode_component(flavor: Flavor, s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' if flavor == Flavor::OpenAIPython => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// A path parameter as both SDKs encode it: unreserved characters and the
/// sub-delimiters `!$&'()*+,;=:@` stay, everything else is percent-encoded
/// (so `/` becomes `%2F`).
pub fn encode_path_segment(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, QueryValue)]) -> Query {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn python_and_node_write_what_the_sdks_write() {
        // What openai-python 3.57 and openai-node 7.59 sent to the mock for
        // `extra_query={"a b": "c d&e", "n": {"x": [1, True, None]}, "t": True}`.
        let params = q(&[
            ("a b", "c d&e".into()),
            (
                "n",
                QueryValue::Object(vec![(
                    "x".into(),
                    QueryValue::List(vec![
                        QueryValue::Int(1),
                        QueryValue::Bool(true),
                        QueryValue::Null,
                    ]),
                )]),
            ),
            ("t", true.into()),
        ]);
        assert_eq!(
            encode(Flavor::OpenAIPython, &params),
            "a+b=c+d%26e&n%5Bx%5D%5B%5D=1&n%5Bx%5D%5B%5D=true&t=true"
        );
        assert_eq!(
            encode(Flavor::OpenAINode, &params),
            "a%20b=c%20d%26e&n%5Bx%5D%5B%5D=1&n%5Bx%5D%5B%5D=true&n%5Bx%5D%5B%5D=&t=true"
        );
    }

    #[test]
    fn merge_keeps_the_first_place_and_the_last_value() {
        let mut into = q(&[("a", "1".into()), ("b", "2".into())]);
        merge(&mut into, q(&[("c", "3".into()), ("a", "4".into())]));
        assert_eq!(
            into,
            q(&[("a", "4".into()), ("b", "2".into()), ("c", "3".into())])
        );
    }

    #[test]
    fn floats_print_as_their_language_prints_them() {
        let p = q(&[("f", QueryValue::Float(2.0)), ("g", QueryValue::Float(0.5))]);
        assert_eq!(encode(Flavor::OpenAIPython, &p), "f=2.0&g=0.5");
        assert_eq!(encode(Flavor::OpenAINode, &p), "f=2&g=0.5");
    }

    #[test]
    fn path_segments_keep_sub_delimiters() {
        let mut out = String::new();
        encode_path_segment("a b/c+d!$&'()*,;=:@é%", &mut out);
        assert_eq!(out, "a%20b%2Fc+d!$&'()*,;=:@%C3%A9%25");
    }
}

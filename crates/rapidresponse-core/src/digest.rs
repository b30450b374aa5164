//! A one-pass skim of a Responses body for what a shell needs without the
//! typed model: the output text, model, status and usage. It borrows from
//! the bytes and skips everything else (the floor's approach: no
//! allocation per skipped value). It checks JSON syntax, nothing more: a
//! member of an unexpected kind is ignored, never an error.
//!
//! Shells that hand the body on as bytes (Python parses a field only when
//! it is read) use it to answer `output_text` and to count usage.

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

use crate::types::Usage;

/// What `ResponseDigest::parse` keeps of a response body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseDigest {
    pub id: Option<String>,
    pub model: Option<String>,
    pub status: Option<String>,
    /// openai-python's `output_text`: the `output_text` parts of `message`
    /// items, in order, joined.
    pub output_text: String,
    pub usage: Option<Usage>,
}

impl ResponseDigest {
    /// Skims a body that is a JSON object; anything else is an error.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        // serde reads a struct from an array too; a response is an object.
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(serde::de::Error::custom("a response body is a JSON object"));
        }
        let skim: Skim = serde_json::from_slice(body)?;
        Ok(Self::from_skim(skim))
    }

    /// Skims the `response` member of a stream event (`response.completed`
    /// and the other events that carry the whole response).
    pub fn parse_event(data: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct EventSkim<'a> {
            #[serde(borrow)]
            response: Option<Skim<'a>>,
        }
        let event: EventSkim = serde_json::from_slice(data)?;
        let skim = event
            .response
            .ok_or_else(|| serde::de::Error::custom("the event carries no response"))?;
        Ok(Self::from_skim(skim))
    }

    fn from_skim(skim: Skim) -> Self {
        let mut output_text = String::new();
        for item in skim.output.0 {
            if item.kind.as_deref() == Some("message") {
                for text in item.texts {
                    output_text.push_str(&text);
                }
            }
        }
        ResponseDigest {
            id: skim.id.0.map(Cow::into_owned),
            model: skim.model.0.map(Cow::into_owned),
            status: skim.status.0.map(Cow::into_owned),
            output_text,
            usage: skim.usage.0,
        }
    }
}

/// The model and usage of a chat or legacy completion body (None when it
/// has no usage or is not a JSON object).
pub fn completion_usage(body: &[u8]) -> Option<(String, crate::types::ChatUsage)> {
    #[derive(Deserialize)]
    struct Skim<'a> {
        #[serde(borrow, default)]
        model: AnyStr<'a>,
        #[serde(default)]
        usage: Option<serde_json::Value>,
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let skim: Skim = serde_json::from_slice(body).ok()?;
    let usage = serde_json::from_value(skim.usage.filter(|u| u.is_object())?).ok()?;
    Some((skim.model.0.map(Cow::into_owned).unwrap_or_default(), usage))
}

#[derive(Deserialize)]
struct Skim<'a> {
    #[serde(borrow, default)]
    id: AnyStr<'a>,
    #[serde(borrow, default)]
    model: AnyStr<'a>,
    #[serde(borrow, default)]
    status: AnyStr<'a>,
    #[serde(default)]
    usage: AnyUsage,
    #[serde(borrow, default)]
    output: Items<'a>,
}

/// A string member, or nothing when it is absent or of another kind.
#[derive(Default)]
pub(crate) struct AnyStr<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for AnyStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(AnyStr(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(AnyStr(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(AnyStr(Some(Cow::Owned(v))))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(a).map(|_| AnyStr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_seq(a).map(|_| AnyStr(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(AnyStr(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(AnyStr(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(AnyStr(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(AnyStr(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(AnyStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `usage` when it is an object (the typed `Usage` is lenient inside).
#[derive(Default)]
struct AnyUsage(Option<Usage>);

impl<'de> Deserialize<'de> for AnyUsage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(AnyUsage(match value {
            serde_json::Value::Object(_) => serde_json::from_value(value).ok(),
            _ => None,
        }))
    }
}

/// The `output` array; another kind is skipped.
#[derive(Default)]
struct Items<'a>(Vec<ItemSkim<'a>>);

struct ItemSkim<'a> {
    kind: Option<Cow<'a, str>>,
    /// The text of its `output_text` parts.
    texts: Vec<Cow<'a, str>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Items<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0));
                while let Some(item) = a.next_element::<MaybeItem<'de>>()? {
                    items.extend(item.0);
                }
                Ok(Items(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(a).map(|_| Items::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Items::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// An output item when it is an object (`None` for anything else).
struct MaybeItem<'a>(Option<ItemSkim<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for MaybeItem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor(ObjectKind::Item))
            .map(|o| MaybeItem(o.map(|(kind, texts)| ItemSkim { kind, texts })))
    }
}

#[derive(Clone, Copy)]
enum ObjectKind {
    /// An output item: keep `type`, and the texts of its `content` parts.
    Item,
    /// A content part: keep `type` and `text`.
    Part,
}

type Skimmed<'a> = Option<(Option<Cow<'a, str>>, Vec<Cow<'a, str>>)>;

struct ObjectVisitor(ObjectKind);

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Skimmed<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut kind = None;
        let mut texts = Vec::new();
        while let Some(key) = a.next_key::<Cow<'de, str>>()? {
            match (self.0, key.as_ref()) {
                (_, "type") => kind = a.next_value::<AnyStr<'de>>()?.0,
                (ObjectKind::Item, "content") => texts = a.next_value::<Parts<'de>>()?.0,
                (ObjectKind::Part, "text") => texts.extend(a.next_value::<AnyStr<'de>>()?.0),
                _ => {
                    a.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some((kind, texts)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(a).map(|_| None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A message's `content`: the texts of its `output_text` parts (a string
/// content, as input messages have, gives none).
struct Parts<'a>(Vec<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Parts<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Parts<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut texts = Vec::new();
                while let Some(part) = a.next_element::<PartSkim<'de>>()? {
                    if let Some((Some(kind), t)) = part.0 {
                        if kind == "output_text" {
                            texts.extend(t);
                        }
                    }
                }
                Ok(Parts(texts))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(a).map(|_| Parts(Vec::new()))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Parts(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

struct PartSkim<'a>(Skimmed<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for PartSkim<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor(ObjectKind::Part))
            .map(PartSkim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_output_text_of_messages_only() {
        let body = br#"{"id":"resp_1","model":"m","status":"completed","output":[
            {"type":"reasoning","content":[{"type":"output_text","text":"no"}]},
            {"content":[{"text":"Hi ","type":"output_text"},{"type":"refusal","refusal":"x"},
                        {"type":"output_text","text":"th\u00e9re"}],"type":"message"},
            "drift", 3, {"type":"message","content":"a string"}],
            "usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}"#;
        let d = ResponseDigest::parse(body).unwrap();
        assert_eq!(d.output_text, "Hi thére");
        assert_eq!(d.id.as_deref(), Some("resp_1"));
        assert_eq!(d.model.as_deref(), Some("m"));
        assert_eq!(d.status.as_deref(), Some("completed"));
        assert_eq!(d.usage.unwrap().total_tokens.copied(), Some(7));
    }

    #[test]
    fn members_of_other_kinds_are_ignored() {
        let d = ResponseDigest::parse(br#"{"model":1,"output":{"a":[1]},"usage":"x"}"#).unwrap();
        assert_eq!(d, ResponseDigest::default());
    }

    #[test]
    fn completion_usage_reads_model_and_usage_only() {
        let (model, usage) = completion_usage(
            br#"{"id":"c","model":"gpt-4o","choices":[{"x":1}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#,
        )
        .unwrap();
        assert_eq!(model, "gpt-4o");
        assert_eq!(usage.total_tokens.copied(), Some(7));
        assert!(completion_usage(br#"{"model":"m","usage":null}"#).is_none());
        assert!(completion_usage(b"[]").is_none());
    }

    #[test]
    fn parse_event_reads_the_response_member() {
        let d = ResponseDigest::parse_event(
            br#"{"type":"response.completed","sequence_number":9,"response":{"id":"resp_2","model":"m",
                "output":[{"type":"message","content":[{"type":"output_text","text":"ok"}]}],
                "usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}"#,
        )
        .unwrap();
        assert_eq!(d.id.as_deref(), Some("resp_2"));
        assert_eq!(d.output_text, "ok");
        assert_eq!(d.usage.unwrap().total_tokens.copied(), Some(3));
        assert!(ResponseDigest::parse_event(br#"{"type":"response.output_text.delta"}"#).is_err());
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(ResponseDigest::parse(br#"{"output":["#).is_err());
        assert!(ResponseDigest::parse(b"[1]").is_err());
    }

    #[test]
    fn agrees_with_the_typed_model_on_the_fixtures() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/responses"
        );
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if !name.ends_with(".json") || name.ends_with(".expect.json") {
                continue;
            }
            let body = std::fs::read(&path).unwrap();
            let Ok(typed) = serde_json::from_slice::<crate::Response>(&body) else {
                continue;
            };
            let d = ResponseDigest::parse(&body).unwrap();
            assert_eq!(d.output_text, typed.output_text(), "{name}");
            seen += 1;
        }
        assert!(seen >= 5, "only {seen} fixtures read");
    }
}

//! `EventView`: what the stream state machine reads of one event's JSON
//! (its type, sequence number, indexes, text members and the objects it
//! carries), borrowed from the data and read in one pass. It does not
//! build the typed event (`crate::types`) and never fails on a member of
//! an unexpected kind: such a member reads as absent, so a hostile or
//! drifting server can at worst make an event opaque.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

use crate::digest::AnyStr;

/// The members of an event the state machine acts on.
#[derive(Debug, Default)]
pub struct EventView<'a> {
    /// `type`.
    pub kind: Option<Cow<'a, str>>,
    pub sequence_number: Option<u64>,
    pub output_index: Option<i64>,
    pub content_index: Option<i64>,
    pub summary_index: Option<i64>,
    pub annotation_index: Option<i64>,
    pub item_id: Option<Cow<'a, str>>,
    pub delta: Option<Cow<'a, str>>,
    /// The whole text of a `.done` event: `text`, `refusal`, `arguments`,
    /// `input` (custom tool calls) or `code` (code interpreter calls).
    pub text: Option<Cow<'a, str>>,
    pub refusal: Option<Cow<'a, str>>,
    pub arguments: Option<Cow<'a, str>>,
    pub input: Option<Cow<'a, str>>,
    pub code: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub item: Option<&'a RawValue>,
    pub part: Option<&'a RawValue>,
    pub response: Option<&'a RawValue>,
    pub annotation: Option<&'a RawValue>,
    /// A top-level `error` member, whatever its kind.
    pub error: Option<&'a RawValue>,
    /// `model` and `usage` (a chat or completion chunk's).
    pub model: Option<Cow<'a, str>>,
    pub usage: Option<&'a RawValue>,
    /// The data was a JSON object (an array or a string is an event with
    /// nothing to read).
    pub is_object: bool,
    /// The whole data, for the rare member not read above.
    pub raw: Option<&'a str>,
}

impl<'a> EventView<'a> {
    /// Reads `data`; an error only when it is not JSON at all.
    pub fn parse(data: &'a str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(data);
        let mut view = de.deserialize_any(ViewVisitor)?;
        de.end()?;
        view.raw = Some(data);
        Ok(view)
    }

    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

struct ViewVisitor;

impl<'de> Visitor<'de> for ViewVisitor {
    type Value = EventView<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventView<'de>, A::Error> {
        let mut v = EventView {
            is_object: true,
            ..Default::default()
        };
        // A repeated member: the last one counts, as in JSON.parse.
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "type" => v.kind = map.next_value::<AnyStr>()?.0,
                "sequence_number" => v.sequence_number = map.next_value::<AnyInt>()?.unsigned(),
                "output_index" => v.output_index = map.next_value::<AnyInt>()?.0,
                "content_index" => v.content_index = map.next_value::<AnyInt>()?.0,
                "summary_index" => v.summary_index = map.next_value::<AnyInt>()?.0,
                "annotation_index" => v.annotation_index = map.next_value::<AnyInt>()?.0,
                "item_id" => v.item_id = map.next_value::<AnyStr>()?.0,
                "delta" => v.delta = map.next_value::<AnyStr>()?.0,
                "text" => v.text = map.next_value::<AnyStr>()?.0,
                "refusal" => v.refusal = map.next_value::<AnyStr>()?.0,
                "arguments" => v.arguments = map.next_value::<AnyStr>()?.0,
                "input" => v.input = map.next_value::<AnyStr>()?.0,
                "code" => v.code = map.next_value::<AnyStr>()?.0,
                "name" => v.name = map.next_value::<AnyStr>()?.0,
                "item" => v.item = Some(map.next_value()?),
                "part" => v.part = Some(map.next_value()?),
                "response" => v.response = Some(map.next_value()?),
                "annotation" => v.annotation = Some(map.next_value()?),
                "error" => v.error = Some(map.next_value()?),
                "model" => v.model = map.next_value::<AnyStr>()?.0,
                "usage" => v.usage = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(v)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<EventView<'de>, A::Error> {
        IgnoredAny.visit_seq(a).map(|_| EventView::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_unit<E>(self) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }
}

/// A whole number, or nothing when the member is of another kind (a
/// fraction, a string such as `"__proto__"`, an object).
struct AnyInt(Option<i64>);

impl AnyInt {
    fn unsigned(self) -> Option<u64> {
        self.0.and_then(|n| u64::try_from(n).ok())
    }
}

impl<'de> Deserialize<'de> for AnyInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyInt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E>(self, n: i64) -> Result<AnyInt, E> {
                Ok(AnyInt(Some(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<AnyInt, E> {
                Ok(AnyInt(i64::try_from(n).ok()))
            }
            fn visit_f64<E>(self, f: f64) -> Result<AnyInt, E> {
                // 4e9 is a whole number written as a float; 1.5 is no index.
                let whole = f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15;
                Ok(AnyInt(whole.then_some(f as i64)))
            }
            fn visit_str<E>(self, _: &str) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_unit<E>(self) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<AnyInt, A::Error> {
                IgnoredAny.visit_map(a).map(|_| AnyInt(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<AnyInt, A::Error> {
                IgnoredAny.visit_seq(a).map(|_| AnyInt(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_delta_and_skips_the_rest() {
        let data = r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi \"you\"","logprobs":[{"x":1}],"obfuscation":"abc"}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(v.kind(), "response.output_text.delta");
        assert_eq!(v.sequence_number, Some(4));
        assert_eq!((v.output_index, v.content_index), (Some(0), Some(0)));
        assert_eq!(v.delta.as_deref(), Some("Hi \"you\""));
        assert!(v.error.is_none() && v.is_object);
    }

    #[test]
    fn members_of_another_kind_read_as_absent() {
        let data = r#"{"type":"response.output_text.delta","output_index":"__proto__","content_index":4e9,"sequence_number":-1,"delta":{"a":1},"error":0,"type":"x"}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(v.kind(), "x", "the last member counts");
        assert_eq!(v.output_index, None);
        assert_eq!(v.content_index, Some(4_000_000_000));
        assert_eq!(v.sequence_number, None);
        assert_eq!(v.delta, None);
        assert_eq!(v.error.map(|e| e.get()), Some("0"));
        assert!(!EventView::parse("[1,2]").unwrap().is_object);
        assert!(EventView::parse("{\"a\":").is_err());
        assert!(EventView::parse("{} x").is_err());
    }

    #[test]
    fn objects_are_kept_raw() {
        let data = r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m","content":[]}}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(
            v.item.unwrap().get(),
            r#"{"type":"message","id":"m","content":[]}"#
        );
    }
}

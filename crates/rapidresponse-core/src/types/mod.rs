//! Wire types of the Responses API (and of Chat Completions and legacy
//! Completions), following the official OpenAPI spec 2.3.0 but lenient: every
//! member may be absent or null, unknown members and union types are kept,
//! and string enums keep values they do not know. No I/O, no validation.

mod chat;
mod content;
mod conversation;
mod events;
mod items;
mod model;
mod request;
mod response;
mod tools;

pub use chat::*;
pub use content::*;
pub use conversation::*;
pub use events::*;
pub use items::*;
pub use model::*;
pub use request::*;
pub use response::*;
pub use tools::*;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Deserialises a member that is either a string or a list (`input`,
/// `instructions`, a message's `content`) without buffering.
pub(crate) fn text_or_list<'de, D, T, R>(
    d: D,
    text: fn(String) -> R,
    list: fn(Vec<T>) -> R,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T, R> {
        text: fn(String) -> R,
        list: fn(Vec<T>) -> R,
        _t: PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>, R> Visitor<'de> for V<T, R> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<R, E> {
            Ok((self.text)(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<R, E> {
            Ok((self.text)(v))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R, A::Error> {
            Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(self.list)
        }
    }
    d.deserialize_any(V {
        text,
        list,
        _t: PhantomData,
    })
}

/// Deserialises a member that is either a string or an object kept raw
/// (`tool_choice`, `conversation`).
pub(crate) fn text_or_object<'de, D, R>(
    d: D,
    text: fn(String) -> R,
    object: fn(serde_json::Map<String, serde_json::Value>) -> R,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<R> {
        text: fn(String) -> R,
        object: fn(serde_json::Map<String, serde_json::Value>) -> R,
    }
    impl<'de, R> Visitor<'de> for V<R> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or an object")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<R, E> {
            Ok((self.text)(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<R, E> {
            Ok((self.text)(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
            serde_json::Map::deserialize(de::value::MapAccessDeserializer::new(map))
                .map(self.object)
        }
    }
    d.deserialize_any(V { text, object })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;
    use serde_json::json;

    #[test]
    fn a_member_of_the_wrong_kind_is_kept_raw_not_fatal() {
        let raw = json!({
            "id": "r", "created_at": "2021-01-01T00:00:00Z", "status": "some_new_status",
            "output": "not a list", "usage": null, "user": null, "temperature": 1,
            "future": {"x": [1, 2]}
        });
        let r: Response = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(r.created_at, Field::Absent);
        assert_eq!(r.extra["created_at"], "2021-01-01T00:00:00Z");
        assert_eq!(
            r.status,
            Field::Value(ResponseStatus::Other("some_new_status".into()))
        );
        assert_eq!(r.usage, Field::Null);
        assert_eq!(r.output_text(), "");
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["created_at"], raw["created_at"]);
        assert_eq!(back["output"], raw["output"]);
        assert_eq!(back["future"], raw["future"]);
        assert_eq!(back["user"], serde_json::Value::Null);
        assert!(back.get("model").is_none(), "absent stays absent");
    }

    #[test]
    fn output_text_joins_output_text_parts_and_skips_refusals() {
        let r: Response = serde_json::from_value(json!({"output": [
            {"type": "reasoning", "id": "rs", "summary": []},
            {"type": "message", "role": "assistant", "content": [
                {"type": "output_text", "text": "Hi"},
                {"type": "refusal", "refusal": "no"},
                {"type": "output_text", "text": " there"}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "!"}]}
        ]}))
        .unwrap();
        assert_eq!(r.output_text(), "Hi there!");
        assert_eq!(Response::default().output_text(), "");
    }

    #[test]
    fn input_shapes_and_easy_messages_round_trip() {
        let raw = json!({"model": "m", "input": [
            {"role": "user", "content": "hi"},
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "be brief"}]},
            {"type": "function_call_output", "call_id": "c1", "output": "{\"ok\":true}"},
            {"type": "item_reference", "id": "msg_1"},
            {"type": "brand_new_item", "z": 1}
        ], "tool_choice": {"type": "function", "name": "f"}, "extra_param": 5});
        let req: CreateResponse = serde_json::from_value(raw.clone()).unwrap();
        let Some(Input::Items(items)) = req.input.get() else {
            panic!()
        };
        assert!(matches!(items[0], Item::EasyMessage(_)));
        assert!(matches!(items[1], Item::Message(_)));
        assert!(matches!(items[3], Item::ItemReference(_)));
        assert!(matches!(items[4], Item::Unknown(_)));
        assert_eq!(items[2].type_str(), Some("function_call_output"));
        assert_eq!(serde_json::to_value(&req).unwrap(), raw);
    }
}

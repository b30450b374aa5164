//! Wire types of the Responses API (and of Chat Completions and legacy
//! Completions), following the official OpenAPI spec 2.3.0 but lenient: every
//! member may be absent or null, unknown members and union types are kept,
//! and string enums keep values they do not know. No I/O, no validation.

mod chat;
mod content;
mod events;
mod items;
mod request;
mod response;
mod tools;

pub use chat::*;
pub use content::*;
pub use events::*;
pub use items::*;
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

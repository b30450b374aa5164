//! The machinery behind every wire type: objects that keep unknown members,
//! string enums that keep unknown values, and `type`-tagged unions with an
//! `Unknown` variant. It defines no API types itself.
//!
//! Why hand-rolled instead of `#[serde(flatten)]` and `#[serde(tag)]`: both
//! buffer the whole object through serde's private `Content` tree before
//! looking at it, which costs more than the parse itself on the hot path
//! (text deltas). Here an object is visited member by member; a union reads
//! members until it meets `type`, keeps the few that came before it, and
//! hands the rest straight to the chosen variant.

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;

use crate::Extra;

/// A map key or tag, borrowed from the input when the input allows it.
#[doc(hidden)]
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    #[inline]
    pub fn into_owned(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl std::ops::Deref for Key<'_> {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            #[inline]
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            #[inline]
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            #[inline]
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// An object type whose members are read one by one and whose unknown
/// members are kept. Implemented by `wire_object!`.
#[doc(hidden)]
pub trait WireObject: Default {
    /// Reads the value of `key` from `map` into the right member.
    fn accept_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error>;
    /// Stores an already-parsed member (one met before a union's `type`).
    fn accept_value(&mut self, key: String, value: Value) -> Result<(), serde_json::Error>;
    /// Writes every present member, known then unknown.
    fn serialize_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// Deserialises any `WireObject` from a JSON object.
#[doc(hidden)]
pub fn deserialize_object<'de, T: WireObject, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: WireObject> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        #[inline]
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut out = T::default();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                out.accept_entry(key, &mut map)?;
            }
            Ok(out)
        }
    }
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// Replays members read before the tag into the chosen variant, then reads
/// the rest of the object straight into it.
#[doc(hidden)]
#[inline]
pub fn finish_variant<'de, T: WireObject, A: MapAccess<'de>>(
    pending: Vec<(String, Value)>,
    map: &mut A,
) -> Result<T, A::Error> {
    let mut out = T::default();
    for (k, v) in pending {
        out.accept_value(k, v).map_err(de::Error::custom)?;
    }
    while let Some(key) = map.next_key::<Key<'de>>()? {
        out.accept_entry(key, map)?;
    }
    Ok(out)
}

/// Builds an object from members already read, an optional tag and the
/// members still unread: the raw value of an unknown union member.
#[doc(hidden)]
pub fn finish_unknown<'de, A: MapAccess<'de>>(
    pending: Vec<(String, Value)>,
    tag: Option<Value>,
    map: &mut A,
) -> Result<Value, A::Error> {
    let mut obj = Extra::new();
    for (k, v) in pending {
        obj.insert(k, v);
    }
    if let Some(tag) = tag {
        obj.insert("type".to_owned(), tag);
    }
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let v: Value = map.next_value()?;
        obj.insert(key.into_owned(), v);
    }
    Ok(Value::Object(obj))
}

/// A `type` member's value: a string, or anything else kept as raw JSON.
#[doc(hidden)]
pub enum Tag<'de> {
    Str(Key<'de>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Tag<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TagVisitor;
        impl<'de> Visitor<'de> for TagVisitor {
            type Value = Tag<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type tag")
            }
            #[inline]
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Tag<'de>, E> {
                Ok(Tag::Str(Key::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tag<'de>, E> {
                Ok(Tag::Str(Key::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Tag<'de>, E> {
                Ok(Tag::Str(Key::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::from(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<Tag<'de>, E> {
                Ok(Tag::Other(Value::Null))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Tag<'de>, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Tag::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Tag<'de>, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Tag::Other)
            }
        }
        d.deserialize_any(TagVisitor)
    }
}

/// Which JSON kinds a member type accepts, so a value of another kind can
/// be kept raw without buffering values of the right kind.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Scalar,
    Seq,
    Map,
    Any,
}

#[doc(hidden)]
pub trait Wire {
    const KIND: JsonKind;
}

macro_rules! scalar_wire {
    ($($t:ty),*) => { $( impl Wire for $t { const KIND: JsonKind = JsonKind::Scalar; } )* };
}
scalar_wire!(String, bool, i64, u64, u32, u8, f64);

impl Wire for Value {
    const KIND: JsonKind = JsonKind::Any;
}
impl Wire for serde_json::Map<String, Value> {
    const KIND: JsonKind = JsonKind::Map;
}
impl<T> Wire for Vec<T> {
    const KIND: JsonKind = JsonKind::Seq;
}
impl<T: Wire> Wire for Box<T> {
    const KIND: JsonKind = T::KIND;
}

/// Reads a member leniently: `Ok(field)` when the value has a kind `T`
/// accepts, `Err(raw)` when it does not (a date string where a number was
/// expected), so the caller keeps it in `extra` instead of failing the parse.
#[doc(hidden)]
pub struct Lenient<T>(pub PhantomData<T>);

impl<'de, T: Deserialize<'de> + Wire> DeserializeSeed<'de> for Lenient<T> {
    type Value = Result<crate::Field<T>, Value>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! lenient_scalar {
    ($($visit:ident($t:ty) => $de:ident),* $(,)?) => {$(
        #[inline]
        fn $visit<E: de::Error>(self, v: $t) -> Result<Self::Value, E> {
            let d = de::value::$de::<de::value::Error>::new(v);
            Ok(T::deserialize(d).map(crate::Field::Value).map_err(|_| Value::from(v)))
        }
    )*};
}

impl<'de, T: Deserialize<'de> + Wire> Visitor<'de> for Lenient<T> {
    type Value = Result<crate::Field<T>, Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    lenient_scalar! {
        visit_bool(bool) => BoolDeserializer,
        visit_i64(i64) => I64Deserializer,
        visit_u64(u64) => U64Deserializer,
        visit_f64(f64) => F64Deserializer,
        visit_borrowed_str(&'de str) => BorrowedStrDeserializer,
        visit_str(&str) => StrDeserializer,
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.visit_str(&v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(crate::Field::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(crate::Field::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    #[inline]
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let d = de::value::SeqAccessDeserializer::new(seq);
        match T::KIND {
            JsonKind::Seq | JsonKind::Any => T::deserialize(d).map(|v| Ok(crate::Field::Value(v))),
            _ => Value::deserialize(d).map(Err),
        }
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let d = de::value::MapAccessDeserializer::new(map);
        match T::KIND {
            JsonKind::Map | JsonKind::Any => T::deserialize(d).map(|v| Ok(crate::Field::Value(v))),
            _ => Value::deserialize(d).map(Err),
        }
    }
}

/// Defines an object type: every member a `Field`, plus `extra` for the
/// members this version does not know. A member whose JSON name is not a
/// Rust identifier is written `kind as "type"`.
#[macro_export]
#[doc(hidden)]
macro_rules! wire_object {
    (@name $field:ident $json:literal) => { $json };
    (@name $field:ident) => { stringify!($field) };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident $(as $json:literal)? : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $crate::Field<$ty>, )*
            /// Members this version does not know, kept and written back.
            pub extra: $crate::Extra,
        }

        impl $crate::wire::WireObject for $name {
            #[inline]
            fn accept_entry<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                key: $crate::wire::Key<'de>,
                map: &mut A,
            ) -> ::core::result::Result<(), A::Error> {
                match &*key {
                    $( $crate::wire_object!(@name $field $($json)?) => {
                        match map.next_value_seed($crate::wire::Lenient::<$ty>(::core::marker::PhantomData))? {
                            Ok(v) => self.$field = v,
                            Err(raw) => {
                                self.$field = $crate::Field::Absent;
                                self.extra.insert(key.into_owned(), raw);
                            }
                        }
                    } )*
                    _ => {
                        let v: ::serde_json::Value = map.next_value()?;
                        self.extra.insert(key.into_owned(), v);
                    }
                }
                Ok(())
            }

            fn accept_value(
                &mut self,
                key: String,
                value: ::serde_json::Value,
            ) -> ::core::result::Result<(), ::serde_json::Error> {
                match key.as_str() {
                    $( $crate::wire_object!(@name $field $($json)?) => {
                        match <$crate::Field<$ty> as ::serde::Deserialize>::deserialize(&value) {
                            Ok(v) => self.$field = v,
                            Err(_) => {
                                self.$field = $crate::Field::Absent;
                                self.extra.insert(key, value);
                            }
                        }
                    } )*
                    _ => {
                        self.extra.insert(key, value);
                    }
                }
                Ok(())
            }

            fn serialize_members<M: ::serde::ser::SerializeMap>(
                &self,
                map: &mut M,
            ) -> ::core::result::Result<(), M::Error> {
                $( if !self.$field.is_absent() {
                    map.serialize_entry($crate::wire_object!(@name $field $($json)?), &self.$field)?;
                } )*
                for (k, v) in &self.extra {
                    map.serialize_entry(k, v)?;
                }
                Ok(())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                $crate::wire::WireObject::serialize_members(self, &mut map)?;
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::wire::deserialize_object(d)
            }
        }

        impl $crate::wire::Wire for $name {
            const KIND: $crate::wire::JsonKind = $crate::wire::JsonKind::Map;
        }
    };
}

/// Defines a union of object types told apart by their `type` member, with
/// `Unknown(Value)` for any other `type` (or none). An optional
/// `untagged => Variant(Type)` line names the variant for objects that have
/// no `type` at all (an input message may omit it); it is written back
/// without one.
#[macro_export]
#[doc(hidden)]
macro_rules! wire_union {
    (@accessors $variants:tt $uvariants:tt { $( [$($m:tt)*] $cfield:ident: $cty:ty; )* }) => {
        $( $crate::wire_union!(@accessor [$($m)*] $cfield $cty; $variants $uvariants); )*
    };
    (@accessor [$($cmeta:tt)*] $cfield:ident $cty:ty; [$($variant:ident)*] [$($uvariant:ident)?]) => {
        $($cmeta)*
        pub fn $cfield(&self) -> Option<$cty> {
            match self {
                $( Self::$variant(v) => v.$cfield.get().cloned(), )*
                $( Self::$uvariant(v) => v.$cfield.get().cloned(), )?
                Self::Unknown(v) => v
                    .get(stringify!($cfield))
                    .and_then(|x| <$cty as ::serde::Deserialize>::deserialize(x).ok()),
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $tag:literal => $variant:ident($inner:ty), )*
            $( untagged => $uvariant:ident($uinner:ty), )?
        }
        $( common { $( $(#[$cmeta:meta])* $cfield:ident: $cty:ty ),* $(,)? } )?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($inner), )*
            $( /// The same object sent without a `type` member.
               $uvariant($uinner), )?
            /// A `type` this version does not know, or no `type`: the raw JSON.
            Unknown(::serde_json::Value),
        }

        impl $name {
            /// The `type` member's value, if it has one.
            pub fn type_str(&self) -> Option<&str> {
                match self {
                    $( Self::$variant(_) => Some($tag), )*
                    $( Self::$uvariant(_) => None, )?
                    Self::Unknown(v) => v.get("type").and_then(|t| t.as_str()),
                }
            }

            /// Members this version does not know, of any known variant.
            pub fn extra(&self) -> Option<&$crate::Extra> {
                match self {
                    $( Self::$variant(v) => Some(&v.extra), )*
                    $( Self::$uvariant(v) => Some(&v.extra), )?
                    Self::Unknown(_) => None,
                }
            }

            $crate::wire_union!(@accessors [$($variant)*] [$($uvariant)?] {
                $($( [$(#[$cmeta])*] $cfield: $cty; )*)?
            });
        }

        impl $crate::wire::Wire for $name {
            const KIND: $crate::wire::JsonKind = $crate::wire::JsonKind::Map;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                match self {
                    $( Self::$variant(v) => {
                        let mut map = s.serialize_map(None)?;
                        map.serialize_entry("type", $tag)?;
                        $crate::wire::WireObject::serialize_members(v, &mut map)?;
                        map.end()
                    } )*
                    $( Self::$uvariant(v) => ::serde::Serialize::serialize(v, s), )?
                    Self::Unknown(v) => ::serde::Serialize::serialize(v, s),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                struct UnionVisitor;
                impl<'de> ::serde::de::Visitor<'de> for UnionVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    #[inline]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::core::result::Result<$name, A::Error> {
                        use $crate::wire::{Key, Tag, finish_unknown, finish_variant};
                        let mut pending: Vec<(String, ::serde_json::Value)> = Vec::new();
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            if &*key != "type" {
                                let v: ::serde_json::Value = map.next_value()?;
                                pending.push((key.into_owned(), v));
                                continue;
                            }
                            let tag = match map.next_value::<Tag<'de>>()? {
                                Tag::Str(tag) => tag,
                                Tag::Other(v) => {
                                    return finish_unknown(pending, Some(v), &mut map).map($name::Unknown);
                                }
                            };
                            return match &*tag {
                                $( $tag => finish_variant(pending, &mut map).map($name::$variant), )*
                                _ => {
                                    let tag = ::serde_json::Value::String(tag.into_owned());
                                    finish_unknown(pending, Some(tag), &mut map).map($name::Unknown)
                                }
                            };
                        }
                        $(
                            if !pending.is_empty() {
                                return finish_variant::<$uinner, A>(pending, &mut map).map($name::$uvariant);
                            }
                        )?
                        finish_unknown(pending, None, &mut map).map($name::Unknown)
                    }
                }
                d.deserialize_map(UnionVisitor)
            }
        }
    };
}

/// Defines a string enum that keeps values it does not know in `Other`.
#[macro_export]
#[doc(hidden)]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $s:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $s, )*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $s => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::wire::Wire for $name {
            const KIND: $crate::wire::JsonKind = $crate::wire::JsonKind::Scalar;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let key = $crate::wire::Key::deserialize(d)?;
                Ok(match &*key {
                    $( $s => Self::$variant, )*
                    _ => Self::Other(key.into_owned()),
                })
            }
        }
    };
}

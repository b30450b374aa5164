//! `Field<T>`: a JSON member that is absent, null, or a value — so what is
//! written back is exactly what came in. It does not decide defaults.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Unknown members of an object, kept in arrival-independent order and
/// written back unchanged.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// One member of a JSON object with its three states.
///
/// `Option<T>` cannot tell `{}` from `{"x": null}`; the API and its SDKs
/// can, and a response item sent back as input must not change shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    /// The member was not in the object.
    #[default]
    Absent,
    /// The member was `null`.
    Null,
    /// The member had a value.
    Value(T),
}

impl<T> Field<T> {
    /// `Some` for a value; `None` for absent and null alike.
    #[inline]
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Mutable access to a value.
    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, dropping the absent/null distinction.
    #[inline]
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `Null` for `None`, `Value` for `Some`.
    #[inline]
    pub fn from_option(v: Option<T>) -> Self {
        match v {
            Some(v) => Field::Value(v),
            None => Field::Null,
        }
    }

    #[inline]
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    #[inline]
    pub fn is_value(&self) -> bool {
        matches!(self, Field::Value(_))
    }

    /// Borrowing view, like `Option::as_ref`.
    #[inline]
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(v),
        }
    }

    /// Gives a mutable reference to the value, inserting one made by `f`
    /// when absent or null.
    pub fn get_or_insert_with(&mut self, f: impl FnOnce() -> T) -> &mut T {
        if !self.is_value() {
            *self = Field::Value(f());
        }
        match self {
            Field::Value(v) => v,
            _ => unreachable!("just set to a value"),
        }
    }

    /// Takes the field out, leaving it absent.
    pub fn take(&mut self) -> Field<T> {
        std::mem::take(self)
    }
}

impl<T: std::ops::Deref> Field<T> {
    /// `Some(&str)` for a `Field<String>`, and so on.
    #[inline]
    pub fn as_deref(&self) -> Option<&T::Target> {
        self.get().map(|v| v.deref())
    }
}

impl<T: Copy> Field<T> {
    /// The value copied out.
    #[inline]
    pub fn copied(&self) -> Option<T> {
        self.get().copied()
    }
}

impl<T> From<T> for Field<T> {
    #[inline]
    fn from(v: T) -> Self {
        Field::Value(v)
    }
}

impl From<&str> for Field<String> {
    #[inline]
    fn from(v: &str) -> Self {
        Field::Value(v.to_owned())
    }
}

/// Serialises `Value(v)` as `v` and `Null`/`Absent` as `null`; objects skip
/// absent members before getting here.
impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            _ => s.serialize_none(),
        }
    }
}

/// Deserialises `null` as `Null`; absence is decided by the enclosing object.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Field::from_option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_states_survive_a_round_trip() {
        let null: Field<u32> = serde_json::from_str("null").unwrap();
        assert_eq!(null, Field::Null);
        let value: Field<u32> = serde_json::from_str("7").unwrap();
        assert_eq!(value, Field::Value(7));
        assert_eq!(serde_json::to_string(&null).unwrap(), "null");
        assert_eq!(Field::<u32>::default(), Field::Absent);
        assert_eq!(value.get(), Some(&7));
        assert_eq!(null.get(), None);
    }

    #[test]
    fn helpers_behave_like_option() {
        let mut f: Field<String> = "x".into();
        assert_eq!(f.as_deref(), Some("x"));
        f.get_or_insert_with(String::new).push('y');
        assert_eq!(f.as_deref(), Some("xy"));
        assert_eq!(f.take(), Field::Value("xy".to_owned()));
        assert!(f.is_absent());
        assert_eq!(Field::from_option(None::<u8>), Field::Null);
    }
}

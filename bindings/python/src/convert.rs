//! JSON text to Python objects and Python objects to JSON bytes, directly
//! (no serde_json::Value in between). Models of the Python layer become
//! the JSON they hold; anything that is not JSON is a TypeError.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Parses JSON text into dicts, lists, str, int, float, bool and None.
pub fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut cache = StrCache::new();
    json_to_py_cached(py, text, &mut cache)
}

/// `json_to_py` sharing short strings through `cache` (stream events
/// repeat their keys, types and ids: one Python string each, its hash
/// computed once).
pub fn json_to_py_cached<'py>(
    py: Python<'py>,
    text: &str,
    cache: &mut StrCache,
) -> PyResult<Bound<'py, PyAny>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = PySeed { py, cache }
        .deserialize(&mut de)
        .map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
    de.end()
        .map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
    Ok(value)
}

/// A direct-mapped cache of short Python strings by content. A miss just
/// replaces the slot: it bounds memory and costs one string creation.
pub struct StrCache {
    slots: Vec<Option<(Box<str>, Py<PyString>)>>,
}

const CACHE_SLOTS: usize = 1024;
/// Longer strings (deltas, text) are rarely repeated: not cached.
const CACHE_MAX_LEN: usize = 40;

impl Default for StrCache {
    fn default() -> Self {
        Self::new()
    }
}

impl StrCache {
    pub fn new() -> Self {
        StrCache {
            slots: (0..CACHE_SLOTS).map(|_| None).collect(),
        }
    }

    fn get<'py>(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        if s.len() > CACHE_MAX_LEN {
            return PyString::new(py, s);
        }
        // FNV-1a: cheap for a few bytes, good enough for a direct map.
        let mut h: u32 = 0x811c_9dc5;
        for b in s.bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        let slot = &mut self.slots[h as usize % CACHE_SLOTS];
        if let Some((k, v)) = slot {
            if **k == *s {
                return v.bind(py).clone();
            }
        }
        let v = PyString::new(py, s);
        *slot = Some((s.into(), v.clone().unbind()));
        v
    }
}

struct PySeed<'a, 'py> {
    py: Python<'py>,
    cache: &'a mut StrCache,
}

impl<'a, 'py> PySeed<'a, 'py> {
    fn reborrow(&mut self) -> PySeed<'_, 'py> {
        PySeed {
            py: self.py,
            cache: self.cache,
        }
    }
}

impl<'de, 'py> DeserializeSeed<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.cache.get(self.py, v).into_any())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut a: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(v) = a.next_element_seed(self.reborrow())? {
            list.append(v).map_err(serde::de::Error::custom)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut a: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = a.next_key::<KeyStr<'de>>()? {
            // Keys repeat across events and objects: shared, their hash is
            // computed once.
            let key = self.cache.get(self.py, key.as_str());
            let value = a.next_value_seed(self.reborrow())?;
            dict.set_item(key, value)
                .map_err(serde::de::Error::custom)?;
        }
        Ok(dict.into_any())
    }
}

/// A map key, borrowed from the input when it has no escapes.
enum KeyStr<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl KeyStr<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyStr::Borrowed(s) => s,
            KeyStr::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyStr::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyStr::Owned(v.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Writes `obj` as JSON. `model_class` is the Python layer's BaseModel:
/// its instances are written as the JSON they hold (`_rr_data()`); other
/// objects with `model_dump` (pydantic, openai's own models) as what that
/// gives with `exclude_unset`; `skip` is the NOT_GIVEN/Omit sentinel whose
/// members are left out.
pub struct JsonWriter<'a, 'py> {
    pub model_class: Option<&'a Bound<'py, PyAny>>,
    pub skip: &'a [Bound<'py, PyAny>],
    depth: usize,
}

/// Deeper than this is a cycle (or abuse); JSON from the API is far flatter.
const MAX_DEPTH: usize = 512;

impl<'a, 'py> JsonWriter<'a, 'py> {
    pub fn new(model_class: Option<&'a Bound<'py, PyAny>>, skip: &'a [Bound<'py, PyAny>]) -> Self {
        JsonWriter {
            model_class,
            skip,
            depth: 0,
        }
    }

    fn skipped(&self, v: &Bound<'py, PyAny>) -> bool {
        self.skip.iter().any(|s| s.is(v))
    }

    pub fn write(&mut self, obj: &Bound<'py, PyAny>, out: &mut Vec<u8>) -> PyResult<()> {
        if obj.is_none() {
            out.extend_from_slice(b"null");
        } else if let Ok(s) = obj.cast::<PyString>() {
            write_str(&s.to_cow()?, out);
        } else if let Ok(b) = obj.cast::<PyBool>() {
            out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
        } else if let Ok(i) = obj.cast::<PyInt>() {
            match i.extract::<i64>() {
                Ok(v) => out.extend_from_slice(v.to_string().as_bytes()),
                // Bigger than i64: Python's own digits.
                Err(_) => out.extend_from_slice(i.str()?.to_cow()?.as_bytes()),
            }
        } else if let Ok(f) = obj.cast::<PyFloat>() {
            let v = f.value();
            if !v.is_finite() {
                return Err(PyValueError::new_err(format!(
                    "{v} is not valid JSON (the API accepts finite numbers only)"
                )));
            }
            let text =
                serde_json::to_string(&v).map_err(|e| PyValueError::new_err(e.to_string()))?;
            out.extend_from_slice(text.as_bytes());
        } else if let Ok(d) = obj.cast::<PyDict>() {
            self.nested(|w| w.write_dict(d, out))?;
        } else if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
            self.nested(|w| {
                out.push(b'[');
                for (i, item) in obj.try_iter()?.enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    w.write(&item?, out)?;
                }
                out.push(b']');
                Ok(())
            })?;
        } else if self
            .model_class
            .is_some_and(|c| obj.is_instance(c).unwrap_or(false))
        {
            let data = obj.call_method0("_rr_data")?;
            self.write(&data, out)?;
        } else if obj.hasattr("model_dump")? {
            let kwargs = PyDict::new(obj.py());
            kwargs.set_item("exclude_unset", true)?;
            kwargs.set_item("by_alias", true)?;
            let data = obj.call_method("model_dump", (), Some(&kwargs))?;
            self.write(&data, out)?;
        } else {
            return Err(PyTypeError::new_err(format!(
                "Object of type {} is not JSON serializable",
                obj.get_type().name()?
            )));
        }
        Ok(())
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self) -> PyResult<()>) -> PyResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PyValueError::new_err(
                "the request body nests too deeply (a list or dict that contains itself?)",
            ));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn write_dict(&mut self, d: &Bound<'py, PyDict>, out: &mut Vec<u8>) -> PyResult<()> {
        out.push(b'{');
        let mut first = true;
        for (k, v) in d.iter() {
            if self.skipped(&v) {
                continue;
            }
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "keys must be str, not {}",
                    k.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            if !first {
                out.push(b',');
            }
            first = false;
            write_str(&key.to_cow()?, out);
            out.push(b':');
            self.write(&v, out)?;
        }
        out.push(b'}');
        Ok(())
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // serde_json's escaping of a &str cannot fail into a Vec.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// `obj` (dicts, lists, models) as JSON bytes, NOT_GIVEN/Omit members left out.
pub fn json_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let py = obj.py();
    let globals = crate::globals(py);
    let skip: Vec<_> = globals.skip.iter().map(|s| s.bind(py).clone()).collect();
    let model_class = globals.model_class.as_ref().map(|c| c.bind(py).clone());
    let mut out = Vec::with_capacity(256);
    JsonWriter::new(model_class.as_ref(), &skip).write(obj, &mut out)?;
    Ok(out)
}

/// Headers as (name, value) pairs for Python.
pub fn header_pairs(h: &rapidresponse_core::Headers) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

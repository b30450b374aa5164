//! `NativeStream`: an open event stream handed to Python one network chunk
//! at a time. Each call gives every event the chunk completed, already
//! built as objects of the Python layer's classes (the JSON becomes the
//! object's `__dict__`), so Python crosses into Rust once per chunk, not
//! once per event.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};
use pyo3::{ffi, intern};
use rapidresponse::Error;
use rapidresponse_core::events::ErrorMember;
use rapidresponse_core::types::ChatUsage;
use rapidresponse_core::usage::ChatUsageMember;
use serde_json::Value;
use std::sync::Arc;

use crate::client::{head_of, Opened};
use crate::convert::{json_to_py_cached, StrCache};

/// Short strings shared by every stream's events (locked once per batch,
/// with the GIL held).
static STR_CACHE: std::sync::Mutex<Option<StrCache>> = std::sync::Mutex::new(None);
use crate::errors::to_py;
use crate::{guard, guard_future, runtime};

#[derive(Clone, Copy)]
pub enum StreamKind {
    /// Responses API events (accumulated, resumable).
    Responses,
    /// Chat or legacy completion chunks.
    Chunks,
}

impl StreamKind {
    pub fn parse(s: &str) -> PyResult<Self> {
        match s {
            "responses" => Ok(StreamKind::Responses),
            "chunks" => Ok(StreamKind::Chunks),
            other => Err(PyValueError::new_err(format!(
                "unknown stream kind {other}"
            ))),
        }
    }
}

/// What Rust reads of a completion chunk: only what the client acts on
/// (an error member, the usage of the last chunk). Python gets the raw JSON.
#[derive(serde::Deserialize)]
pub struct RawChunk {
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    model: Option<Value>,
    /// Kept only when it is an object, so a drifting member is no error.
    #[serde(default, deserialize_with = "usage_object")]
    usage: Option<ChatUsage>,
}

fn usage_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ChatUsage>, D::Error> {
    use serde::Deserialize;
    let value = Option::<Value>::deserialize(d)?;
    Ok(value
        .filter(Value::is_object)
        .and_then(|v| serde_json::from_value(v).ok()))
}

impl ErrorMember for RawChunk {
    fn error_member(&self) -> Option<Value> {
        self.error.clone().filter(|e| match e {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Object(m) => !m.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Number(_) | Value::Bool(true) => true,
        })
    }
}

impl ChatUsageMember for RawChunk {
    fn chat_usage(&self) -> Option<(&str, &ChatUsage)> {
        let model = self.model.as_ref().and_then(Value::as_str).unwrap_or("");
        Some((model, self.usage.as_ref()?))
    }
}

/// At most about this many events are read ahead into one batch: enough
/// to make the crossing rare, few enough to keep a batch's objects small.
const BATCH_EVENTS: usize = 2048;

struct State {
    opened: Option<Opened>,
    /// An error met after some events of a chunk: raised on the next call.
    stashed: Option<Error>,
    ended: bool,
}

#[pyclass(module = "rapidresponse._native", frozen)]
pub struct NativeStream {
    state: Arc<tokio::sync::Mutex<State>>,
    classes: Py<PyDict>,
    fallback: Py<PyAny>,
    #[pyo3(get)]
    status: u16,
    headers: Vec<(String, String)>,
}

impl NativeStream {
    pub fn new(opened: Opened, classes: Py<PyDict>, fallback: Py<PyAny>) -> Self {
        let (status, headers) = head_of(&opened);
        NativeStream {
            state: Arc::new(tokio::sync::Mutex::new(State {
                opened: Some(opened),
                stashed: None,
                ended: false,
            })),
            classes,
            fallback,
            status,
            headers,
        }
    }
}

/// The stream ended without a terminal event after a clean end of body:
/// the SDKs end the iteration there (openai-python's `get_final_response`
/// is what complains), so it is an end, not an error.
fn end_or_error(state: &mut State, e: Error) -> Result<Option<Vec<String>>, Error> {
    state.ended = true;
    match e {
        Error::IncompleteStream { .. } => Ok(None),
        e => Err(e),
    }
}

/// The raw JSON of every event the next chunk completes (`None` at the end).
async fn collect(state: &mut State) -> Result<Option<Vec<String>>, Error> {
    if let Some(e) = state.stashed.take() {
        return end_or_error(state, e);
    }
    if state.ended {
        return Ok(None);
    }
    let mut out = Vec::new();
    let result = match state.opened.as_mut() {
        None => return Ok(None),
        Some(Opened::Responses(s)) => match s.next().await {
            None => None,
            Some(Err(e)) => Some(Err(e)),
            Some(Ok(first)) => {
                out.push(first.data);
                // Everything already received goes in this batch too.
                s.read_ready(BATCH_EVENTS);
                while let Some(item) = s.next_buffered() {
                    match item {
                        Ok(e) => out.push(e.data),
                        Err(e) => {
                            state.stashed = Some(e);
                            break;
                        }
                    }
                }
                Some(Ok(()))
            }
        },
        Some(Opened::Chunks(s)) => match s.next_event().await {
            None => None,
            Some(Err(e)) => Some(Err(e)),
            Some(Ok(first)) => {
                out.push(first.data);
                while let Some(item) = s.next_buffered_event() {
                    match item {
                        Ok(e) => out.push(e.data),
                        Err(e) => {
                            state.stashed = Some(e);
                            break;
                        }
                    }
                }
                Some(Ok(()))
            }
        },
    };
    match result {
        None => {
            state.ended = true;
            Ok(None)
        }
        Some(Err(e)) => end_or_error(state, e),
        Some(Ok(())) => Ok(Some(out)),
    }
}

/// A batch on its way to Python (built there with the GIL held).
pub struct Batch {
    datas: Option<Vec<String>>,
    classes: Py<PyDict>,
    fallback: Py<PyAny>,
}

impl<'py> IntoPyObject<'py> for Batch {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        match self.datas {
            None => Ok(py.None().into_bound(py)),
            Some(datas) => {
                Ok(objects(py, datas, self.classes.bind(py), self.fallback.bind(py))?.into_any())
            }
        }
    }
}

/// Builds the event objects: each JSON object becomes the `__dict__` of an
/// instance of `classes[type]` (or `fallback`), created without `__init__`.
pub fn objects<'py>(
    py: Python<'py>,
    datas: Vec<String>,
    classes: &Bound<'py, PyDict>,
    fallback: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    let type_key = intern!(py, "type");
    let mut cache = STR_CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(StrCache::new);
    for data in datas {
        let value = json_to_py_cached(py, &data, cache)?;
        let obj = match value.cast::<PyDict>() {
            Ok(dict) => {
                let cls = match dict.get_item(type_key)? {
                    Some(t) => classes.get_item(&t).ok().flatten(),
                    None => None,
                };
                let cls = cls.unwrap_or_else(|| fallback.clone());
                instance(py, &cls, dict)?
            }
            // Not an object (drift): handed over as it is.
            Err(_) => value,
        };
        list.append(obj)?;
    }
    Ok(list)
}

/// `cls` without calling `__init__`, with `dict` as its `__dict__`.
pub fn instance<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyAny>,
    dict: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let cls = cls.cast::<PyType>()?;
    // SAFETY: `cls` is a type object; PyType_GenericNew ignores its
    // arguments and returns a new reference or NULL with an exception set.
    // PyObject_GenericSetDict needs an object with a `__dict__` (the
    // model classes have one) and a dict; it does not steal the reference.
    unsafe {
        let obj = ffi::PyType_GenericNew(
            cls.as_ptr() as *mut ffi::PyTypeObject,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        if obj.is_null() {
            return Err(PyErr::fetch(py));
        }
        let obj = Bound::from_owned_ptr(py, obj);
        if ffi::PyObject_GenericSetDict(obj.as_ptr(), dict.as_ptr(), std::ptr::null_mut()) != 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(obj)
    }
}

impl NativeStream {
    /// Runs `f` on the state when no batch is being read; an error if one is.
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> PyResult<R> {
        match self.state.try_lock() {
            Ok(mut st) => Ok(f(&mut st)),
            Err(_) => Err(PyRuntimeError::new_err(
                "the stream is being read by another call",
            )),
        }
    }
}

#[pymethods]
impl NativeStream {
    /// The events of the next network chunk as a list, or None at the end
    /// (GIL released while waiting).
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let state = self.state.clone();
            let datas = runtime::block_on_here(py, async move {
                let mut st = state.lock().await;
                collect(&mut st).await
            })?
            .map_err(to_py)?;
            Batch {
                datas,
                classes: self.classes.clone_ref(py),
                fallback: self.fallback.clone_ref(py),
            }
            .into_pyobject(py)
        })
    }

    /// `next_batch` for asyncio: an awaitable of a list or None.
    fn next_batch_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let state = self.state.clone();
            let classes = self.classes.clone_ref(py);
            let fallback = self.fallback.clone_ref(py);
            runtime::future_into_py(
                py,
                guard_future(async move {
                    let mut st = state.lock().await;
                    let datas = collect(&mut st).await.map_err(to_py)?;
                    Ok(Batch {
                        datas,
                        classes,
                        fallback,
                    })
                }),
            )
        })
    }

    /// Closes the connection (the server sees the disconnect); later
    /// batches are None. The accumulated response stays readable.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(|| {
            let state = self.state.clone();
            runtime::block_on(py, async move {
                let mut st = state.lock().await;
                st.ended = true;
                st.stashed = None;
                match &mut st.opened {
                    // Keep the accumulator: drop only the body.
                    Some(Opened::Responses(s)) => s.close(),
                    Some(Opened::Chunks(..)) => st.opened = None,
                    None => {}
                }
            })
        })
    }

    /// The response so far as JSON bytes (Responses streams), else None.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        guard(|| {
            let json = self.with_state(|st| match &st.opened {
                Some(Opened::Responses(s)) => serde_json::to_vec(&s.snapshot()).ok(),
                _ => None,
            })?;
            Ok(json.map(|j| PyBytes::new(py, &j)))
        })
    }

    /// The text of one output_text part so far, or None.
    fn part_text(&self, output_index: usize, content_index: usize) -> PyResult<Option<String>> {
        guard(|| {
            self.with_state(|st| match &st.opened {
                Some(Opened::Responses(s)) => s
                    .accumulator()
                    .part_text(output_index, content_index)
                    .map(str::to_owned),
                _ => None,
            })
        })
    }

    /// The arguments of one tool call so far, or None.
    fn arguments(&self, output_index: usize) -> PyResult<Option<String>> {
        guard(|| {
            self.with_state(|st| match &st.opened {
                Some(Opened::Responses(s)) => {
                    s.accumulator().arguments(output_index).map(str::to_owned)
                }
                _ => None,
            })
        })
    }

    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.headers.clone().into_pyobject(py)?.into_any())
    }
}

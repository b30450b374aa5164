//! `NativeStream`: an open event stream (the client's `EventStream`, whose
//! state machine decides every event, error and end) handed to Python one
//! network chunk at a time. Each call gives every event the chunk
//! completed, already built as objects of the Python layer's classes (the
//! JSON becomes the object's `__dict__`), so Python crosses into Rust once
//! per chunk, not once per event.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};
use pyo3::{ffi, intern};
use rapidresponse::{Error, EventStream, NativeTransport};
use rapidresponse_core::{Delivery, SnapshotRef, Terminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

use crate::convert::{json_to_py_cached, StrCache};
use crate::errors::to_py;
use crate::{guard, guard_future, runtime};

/// At most about this many events are read ahead into one batch: enough
/// to make the crossing rare, few enough to keep a batch's objects small.
pub(crate) const BATCH_EVENTS: usize = 2048;

/// The classes a stream's events become: `classes[type]`, else
/// `fallback` (None: the plain JSON values); with `snapshots`, text and
/// arguments deltas get what their `.snapshot` reads.
#[derive(FromPyObject)]
pub struct EventClasses {
    #[pyo3(attribute)]
    classes: Py<PyDict>,
    #[pyo3(attribute)]
    fallback: Py<PyAny>,
    #[pyo3(attribute)]
    snapshots: bool,
}

impl EventClasses {
    /// Plain JSON values.
    pub fn none(py: Python<'_>) -> Self {
        EventClasses {
            classes: PyDict::new(py).unbind(),
            fallback: py.None(),
            snapshots: false,
        }
    }
}

#[pyclass(module = "rapidresponse._native", frozen)]
pub struct NativeStream {
    stream: Arc<tokio::sync::Mutex<EventStream<NativeTransport>>>,
    /// Set by `close()`, which never waits for a batch being read.
    closed: Arc<AtomicBool>,
    wake: Arc<Notify>,
    events: EventClasses,
    /// Short strings shared by this stream's events.
    strings: Mutex<StrCache>,
    /// An event of the last batch Python could not take (JSON nested too
    /// deep): raised by the next call, after the events before it.
    unconverted: Mutex<Option<PyErr>>,
    #[pyo3(get)]
    status: u16,
    #[pyo3(get)]
    headers: Vec<(String, String)>,
    #[pyo3(get)]
    method: &'static str,
    #[pyo3(get)]
    url: String,
}

impl NativeStream {
    pub fn new(
        stream: EventStream<NativeTransport>,
        events: EventClasses,
        method: &'static str,
        url: String,
    ) -> Self {
        let status = stream.status();
        let headers = crate::convert::header_pairs(stream.headers());
        NativeStream {
            stream: Arc::new(tokio::sync::Mutex::new(stream)),
            closed: Arc::default(),
            wake: Arc::default(),
            events,
            strings: Mutex::new(StrCache::new()),
            unconverted: Mutex::new(None),
            status,
            headers,
            method,
            url,
        }
    }

    /// Runs `f` on the stream when no batch is being read.
    fn with_stream<R>(&self, f: impl FnOnce(&mut EventStream<NativeTransport>) -> R) -> Option<R> {
        self.stream.try_lock().ok().map(|mut s| f(&mut s))
    }
}

/// The events the next chunk completes (`None` at the end, or once the
/// stream is closed), or the error that ended the stream.
async fn collect(
    stream: Arc<tokio::sync::Mutex<EventStream<NativeTransport>>>,
    closed: Arc<AtomicBool>,
    wake: Arc<Notify>,
) -> Result<Option<Vec<Delivery>>, Error> {
    let mut stream = stream.lock().await;
    let batch = {
        let next = stream.next_batch(BATCH_EVENTS);
        let closing = wake.notified();
        tokio::pin!(next, closing);
        // Registered before the flag is read: a close in between wakes it.
        closing.as_mut().enable();
        if closed.load(Ordering::Acquire) {
            None
        } else {
            tokio::select! {
                batch = &mut next => batch,
                _ = &mut closing => None,
            }
        }
    };
    if closed.load(Ordering::Acquire) {
        stream.close();
        return Ok(None);
    }
    batch.transpose()
}

impl NativeStream {
    /// Builds the event objects of a batch: each JSON object becomes the
    /// `__dict__` of an instance of `classes[type]` (or `fallback`),
    /// created without `__init__`.
    fn objects<'py>(slf: &Bound<'py, Self>, batch: Vec<Delivery>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let this = slf.get();
        let classes = this.events.classes.bind(py);
        let fallback = this.events.fallback.bind(py);
        let list = PyList::empty(py);
        let type_key = intern!(py, "type");
        let extra_key = intern!(py, "_rr_extra");
        // Never wait for the cache: a finalizer run while objects are made
        // may build another batch of this stream; it gets a cache of its own.
        let mut spare = None;
        let mut locked = this.strings.try_lock().ok();
        let cache = match locked.as_deref_mut() {
            Some(c) => c,
            None => spare.insert(StrCache::new()),
        };
        for d in batch {
            let value = match json_to_py_cached(py, &d.data, cache) {
                Ok(value) => value,
                // The events before it are handed over first: nothing
                // received is lost to a later event's error.
                Err(e) if !list.is_empty() => {
                    *lock(&this.unconverted) = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            };
            let obj = match value.cast::<PyDict>() {
                Ok(dict) if !fallback.is_none() => {
                    let cls = match dict.get_item(type_key)? {
                        Some(t) => classes.get_item(&t).ok().flatten(),
                        None => None,
                    };
                    instance(py, &cls.unwrap_or_else(|| fallback.clone()), dict)?
                }
                // Plain values, or drift that is not an object.
                _ => value,
            };
            if this.events.snapshots {
                if let Some(at) = d.snapshot {
                    let handle = (slf.clone(), at.output_index, at.content_index, at.end);
                    obj.setattr(extra_key, handle)?;
                } else if d.terminal == Some(Terminal::Completed) {
                    // The event that carries the completed response.
                    obj.setattr(extra_key, "completed")?;
                }
            }
            list.append(obj)?;
        }
        Ok(list)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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

/// A batch on its way to Python (built there with the GIL held).
struct Batch {
    stream: Py<NativeStream>,
    events: Option<Vec<Delivery>>,
}

impl<'py> IntoPyObject<'py> for Batch {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        match self.events {
            None => Ok(py.None().into_bound(py)),
            Some(events) => Ok(NativeStream::objects(self.stream.bind(py), events)?.into_any()),
        }
    }
}

#[pymethods]
impl NativeStream {
    /// The events of the next network chunk as a list, or None at the end
    /// (GIL released while waiting).
    fn next_batch<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let this = slf.get();
            if let Some(e) = lock(&this.unconverted).take() {
                return Err(e);
            }
            let read = collect(this.stream.clone(), this.closed.clone(), this.wake.clone());
            let events = runtime::block_on_here(slf.py(), read)?.map_err(to_py)?;
            Batch {
                stream: slf.clone().unbind(),
                events,
            }
            .into_pyobject(slf.py())
        })
    }

    /// `next_batch` for asyncio: an awaitable of a list or None.
    fn next_batch_async<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let this = slf.get();
            if let Some(e) = lock(&this.unconverted).take() {
                return Err(e);
            }
            let read = collect(this.stream.clone(), this.closed.clone(), this.wake.clone());
            let stream = slf.clone().unbind();
            runtime::future_into_py(
                slf.py(),
                guard_future(async move {
                    let events = read.await.map_err(to_py)?;
                    Ok(Batch { stream, events })
                }),
            )
        })
    }

    /// Closes the connection (the server sees the disconnect); later
    /// batches are None, a batch being read ends now. It never waits for
    /// that read. The response so far stays readable.
    fn close(&self) -> PyResult<()> {
        guard(|| {
            self.closed.store(true, Ordering::Release);
            self.wake.notify_waiters();
            // Nobody reading: drop the body at once.
            self.with_stream(|s| s.close());
            Ok(())
        })
    }

    /// The response so far as JSON bytes (Responses streams).
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        guard(|| {
            let json = self
                .with_stream(|s| serde_json::to_vec(&s.machine().accumulator().snapshot()).ok());
            Ok(json.flatten().map(|j| PyBytes::new(py, &j)))
        })
    }

    /// The `snapshot` of a text (or, without `content_index`, arguments)
    /// delta: its part's text up to the delta's end.
    #[pyo3(signature = (output_index, content_index, end))]
    fn snapshot_text(
        &self,
        output_index: usize,
        content_index: Option<usize>,
        end: usize,
    ) -> PyResult<Option<String>> {
        guard(|| {
            let at = SnapshotRef {
                output_index,
                content_index,
                end,
            };
            Ok(self
                .with_stream(|s| {
                    let acc = s.machine().accumulator();
                    acc.snapshot_text(at).map(str::to_owned)
                })
                .flatten())
        })
    }

    /// The final response as JSON bytes, or None when the stream gave none
    /// under openai-python's rule (no `response.completed`).
    fn final_response<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        guard(|| {
            let json = self.with_stream(|s| {
                let done = s.machine().final_response().ok()?;
                serde_json::to_vec(&done).ok()
            });
            Ok(json.flatten().map(|j| PyBytes::new(py, &j)))
        })
    }
}

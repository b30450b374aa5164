//! The task loop: every async call is a task whose future this module
//! keeps and polls only when JS calls `poll_task`. The TypeScript layer
//! makes that call inside its own try/catch, when the task's waker asks for
//! it (`wake(id)`, a function JS gives to `setup`). So a panic (a trap on
//! wasm32) always surfaces in a call JS is waiting on, and JS can reject
//! that promise; a panic inside wasm-bindgen-futures' microtask queue would
//! instead crash Node and leave the promise pending for ever.
//!
//! It does not know what the tasks do; `client` spawns them.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;

type TaskFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

struct Host {
    wake: js_sys::Function,
    on_panic: js_sys::Function,
}

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
    static TASKS: RefCell<Tasks> = RefCell::new(Tasks::default());
}

#[derive(Default)]
struct Tasks {
    /// Slot `id - 1` holds task `id`; `None` is a free slot (or a task
    /// being polled right now).
    slots: Vec<Option<TaskFuture>>,
    free: Vec<u32>,
}

/// Registers JS's `wake(id)` and `onPanic(message)`, and the panic hook
/// that calls the latter and asks wasm-bindgen to re-instantiate the module
/// before the next call (a trap leaves the instance's memory unusable).
#[wasm_bindgen]
pub fn setup(wake: js_sys::Function, on_panic: js_sys::Function) {
    HOST.with(|h| *h.borrow_mut() = Some(Host { wake, on_panic }));
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        wasm_bindgen::__rt::schedule_reinit();
        let message = info.to_string();
        HOST.with(|h| {
            if let Ok(h) = h.try_borrow() {
                if let Some(h) = h.as_ref() {
                    let _ = h
                        .on_panic
                        .call1(&JsValue::NULL, &JsValue::from_str(&message));
                }
            }
        });
    }));
}

/// Stores `future` as a task and gives its id; JS then calls `poll_task`.
pub(crate) fn spawn(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> u32 {
    TASKS.with(|t| {
        let mut t = t.borrow_mut();
        let future: TaskFuture = Box::pin(future);
        match t.free.pop() {
            Some(id) => {
                t.slots[id as usize - 1] = Some(future);
                id
            }
            None => {
                t.slots.push(Some(future));
                t.slots.len() as u32
            }
        }
    })
}

struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        HOST.with(|h| {
            if let Ok(h) = h.try_borrow() {
                if let Some(h) = h.as_ref() {
                    let _ = h.wake.call1(&JsValue::NULL, &JsValue::from(self.0));
                }
            }
        });
    }
}

/// Polls task `id` once: `undefined` while it is pending, its value when
/// done (never `undefined`), or throws its error. A finished or unknown
/// task throws. Every task finishes: a call JS gives up on is ended by its
/// abort signal, not dropped.
#[wasm_bindgen]
pub fn poll_task(id: u32) -> Result<JsValue, JsValue> {
    // The future is taken out while it runs: it may spawn or drop tasks.
    let mut future = TASKS
        .with(|t| {
            t.borrow_mut()
                .slots
                .get_mut((id as usize).wrapping_sub(1))
                .and_then(Option::take)
        })
        .ok_or_else(|| JsValue::from_str("no such task"))?;
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    let mut cx = Context::from_waker(&waker);
    match future.as_mut().poll(&mut cx) {
        Poll::Pending => {
            TASKS.with(|t| t.borrow_mut().slots[id as usize - 1] = Some(future));
            Ok(JsValue::UNDEFINED)
        }
        Poll::Ready(result) => {
            release(id);
            result
        }
    }
}

fn release(id: u32) {
    TASKS.with(|t| t.borrow_mut().free.push(id));
}

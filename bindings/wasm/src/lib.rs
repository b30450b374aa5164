//! rapidresponse for JavaScript: the client loop of `crates/rapidresponse`
//! (default features off, so no tokio and no reqwest) over the global
//! `fetch`, exported with wasm-bindgen for the npm package's TypeScript
//! layer (`web/`). It converts only: JSON text in, text out for
//! `JSON.parse`; it keeps the typed model out (JS parses the events), which
//! keeps the module small. Async calls are tasks JS polls (see `tasks`).

mod client;
mod fetch;
mod tasks;

pub use client::{NativeClient, NativeStream};
pub use tasks::{poll_task, setup};

/// Panics on purpose, for the test that checks a panic rejects only its
/// call and the next calls work.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn panic_for_tests() -> u32 {
    tasks::spawn(async { panic!("a panic on purpose (tests)") })
}

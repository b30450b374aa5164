//! rapidresponse for JavaScript: the client loop of `crates/rapidresponse`
//! (default features off, so no tokio and no reqwest) over the global
//! `fetch`, exported with wasm-bindgen for the npm package's TypeScript
//! layer (`web/`). It converts only: JS values in and out through
//! serde-wasm-bindgen, event data as text for `JSON.parse`; it keeps the
//! typed model out (JS parses the events), which keeps the module small.
//! Async calls are tasks JS polls (see `tasks`). It builds for wasm32 only.
#![cfg(target_arch = "wasm32")]

mod client;
mod fetch;
mod socket;
mod tasks;

pub use client::{NativeClient, NativeConnection, NativeStream};
pub use tasks::{poll_task, setup};

/// The cursor of the page after one of a list, under openai-node's rule
/// (`rapidresponse_core::paging`): `[cursor, null]`, `[null, null]` at the
/// end, or `[null, why]` when paging must stop.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn next_page_cursor(
    has_more: bool,
    items: u32,
    last_id: Option<String>,
    asked_after: Option<String>,
) -> Vec<wasm_bindgen::JsValue> {
    use rapidresponse::core::paging::{next_cursor, PageRule};
    let found = next_cursor(
        PageRule::Sdk,
        Some(has_more),
        items as usize,
        last_id.as_deref(),
        asked_after.as_deref(),
    );
    let text = |s: Option<String>| s.map_or(wasm_bindgen::JsValue::NULL, |s| s.into());
    match found {
        Ok(cursor) => vec![text(cursor), wasm_bindgen::JsValue::NULL],
        Err(why) => vec![wasm_bindgen::JsValue::NULL, why.into()],
    }
}

/// Checks a webhook delivery as openai-node does
/// (`rapidresponse_core::webhook::verify`, with the caller's clock in Unix
/// seconds): null when it is verified, else `[isSignatureError, message]`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn verify_webhook(
    payload: &str,
    id: Option<String>,
    timestamp: Option<String>,
    signature: Option<String>,
    secret: Option<String>,
    tolerance: f64,
    now: f64,
) -> Option<Vec<wasm_bindgen::JsValue>> {
    use rapidresponse::core::webhook::{verify, WebhookHeaders};
    let headers = WebhookHeaders {
        id: id.as_deref(),
        timestamp: timestamp.as_deref(),
        signature: signature.as_deref(),
    };
    let flavor = rapidresponse::Flavor::OpenAINode;
    // JS numbers: `as` saturates, and NaN is 0.
    let verdict = verify(
        flavor,
        payload,
        &headers,
        secret.as_deref(),
        tolerance as i64,
        now as i64,
    );
    verdict
        .err()
        .map(|e| vec![e.is_signature_error().into(), e.message(flavor).into()])
}

/// The base URL openai-node's AzureOpenAI shows for an endpoint (the core
/// builds every request URL from the endpoint itself).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn azure_base_url(endpoint: String) -> String {
    let config = rapidresponse::ClientConfig {
        provider: rapidresponse::Provider::Azure {
            endpoint: Some(endpoint),
            api_version: None,
            deployment: None,
            auth: None,
        },
        flavor: rapidresponse::Flavor::OpenAINode,
        ..Default::default()
    };
    config.effective_base_url()
}

/// Panics on purpose, for the test that checks a panic rejects only its
/// call and the next calls work.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn panic_for_tests() -> u32 {
    tasks::spawn(async { panic!("a panic on purpose (tests)") })
}

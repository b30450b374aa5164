//! `FetchTransport`: the client loop's `Transport` over the global `fetch`
//! (a Window, a Worker or Node >= 20), the body read through wasm-streams,
//! sleeps on `setTimeout`, jitter from `Math.random`, the clock from
//! web-time. It knows nothing of the API. Each request gets its own
//! `AbortController`, so a request the loop gives up on (a timeout, a
//! dropped stream) is aborted on the wire, and the caller's signal aborts it
//! too.

use bytes::Bytes;
use futures_util::StreamExt;
use js_sys::{Array, Uint8Array};
use rapidresponse::core::redirect::{self, RedirectError};
use rapidresponse::core::{Headers, HttpRequest};
use rapidresponse::transport::{
    body_over, read_to_end, Body, HttpResponse, Transport, TransportError, TransportErrorKind,
    WholeBody,
};
use std::time::{Duration, SystemTime};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, RequestInit};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, whatever the global object is.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> js_sys::Promise;

    /// `AbortSignal.any` (absent in old engines: then only the caller's
    /// signal aborts the request).
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any, catch)]
    fn abort_signal_any(signals: &Array) -> Result<AbortSignal, JsValue>;
}

/// Sends requests with `fetch`; holds the caller's abort signal, if any,
/// and the function that makes a platform WebSocket (`socket`).
#[derive(Clone, Default)]
pub struct FetchTransport {
    pub signal: Option<AbortSignal>,
    pub open_socket: Option<js_sys::Function>,
}

/// A response body, read chunk by chunk from its `ReadableStream` (the
/// client loop's way) or whole as JS text (`text`, for a body that goes to
/// `JSON.parse` without passing through wasm memory). Dropping it aborts
/// the request (a no-op once the body was read to its end).
pub struct FetchBody {
    /// The response, until its body is read one way or the other.
    response: Option<web_sys::Response>,
    reader: Option<wasm_streams::readable::IntoStream<'static>>,
    controller: AbortController,
    signal: Option<AbortSignal>,
}

/// A whole body as fetch read it: a JS string, which enters wasm memory
/// only if it is an error body to read.
pub struct FetchText(pub JsValue);

impl WholeBody for FetchText {
    fn from_bytes(bytes: Vec<u8>) -> Self {
        FetchText(JsValue::from_str(&String::from_utf8_lossy(&bytes)))
    }

    fn into_bytes(self) -> Vec<u8> {
        self.0.as_string().unwrap_or_default().into_bytes()
    }

    fn as_bytes(&self) -> Option<&[u8]> {
        None
    }
}

impl FetchBody {
    /// The whole body as a JS string.
    pub async fn text(&mut self) -> Result<JsValue, TransportError> {
        let response = self.response.take().ok_or_else(|| {
            TransportError::new(TransportErrorKind::Other, "the body was read already")
        })?;
        let promise = response
            .text()
            .map_err(|e| TransportError::new(TransportErrorKind::Body, describe(&e)))?;
        js_sys::futures::JsFuture::from(promise).await.map_err(|e| {
            let kind = if aborted(&self.signal) {
                TransportErrorKind::Aborted
            } else {
                TransportErrorKind::Body
            };
            TransportError::new(kind, describe(&e))
        })
    }
}

impl Drop for FetchBody {
    fn drop(&mut self) {
        // The reader first: its drop cancels the stream, then the abort
        // ends the request for sure.
        self.reader = None;
        self.controller.abort();
    }
}

/// Aborts the request when the send future is dropped before the headers.
struct AbortOnDrop(Option<AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

fn aborted(signal: &Option<AbortSignal>) -> bool {
    signal.as_ref().is_some_and(AbortSignal::aborted)
}

/// A JS error's text (`TypeError: fetch failed`), with its cause when it
/// has one (Node gives `ECONNREFUSED` there).
fn describe(error: &JsValue) -> String {
    let text = |v: &JsValue| -> Option<String> {
        if let Some(e) = v.dyn_ref::<js_sys::Error>() {
            return Some(format!("{}: {}", e.name(), e.message()));
        }
        v.as_string()
    };
    let mut out = text(error).unwrap_or_else(|| "unknown error".to_owned());
    if let Ok(cause) = js_sys::Reflect::get(error, &JsValue::from_str("cause")) {
        if let Some(c) = text(&cause) {
            out.push_str(" (");
            out.push_str(&c);
            out.push(')');
        }
    }
    out
}

impl Transport for FetchTransport {
    type Body = FetchBody;
    type Whole = FetchText;

    /// The body is read by fetch as JS text (`Response.text()`), never
    /// through wasm memory chunk by chunk.
    /// A body without a `content-length` is read chunk by chunk instead,
    /// so that `max_body_bytes` bounds it (`text()` has no limit).
    async fn send_whole(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
        max_body_bytes: usize,
    ) -> Result<(u16, Headers, FetchText), TransportError> {
        let mut response = self.send(request, connect_timeout).await?;
        let length = response
            .headers
            .get("content-length")
            .and_then(|v| v.trim().parse::<usize>().ok());
        match length {
            Some(n) if n > max_body_bytes => Err(body_over(max_body_bytes)),
            Some(_) => {
                let text = response.body.text().await?;
                Ok((response.status, response.headers, FetchText(text)))
            }
            None => {
                let bytes =
                    read_to_end(&mut response.body, &response.headers, max_body_bytes).await?;
                Ok((
                    response.status,
                    response.headers,
                    FetchText::from_bytes(bytes),
                ))
            }
        }
    }

    /// Redirects are not left to fetch, whose `follow` would carry every
    /// header but `Authorization` to another origin: with `manual`, Node,
    /// Deno and Workers show the redirect and the core's rule follows it, as
    /// natively; a browser hides it (an opaque redirect), which ends the
    /// call with a refusal rather than sending a key blind.
    async fn send(
        &self,
        mut request: HttpRequest,
        // fetch has no connect timeout (openai-node has none either); the
        // client loop's response timeout covers the wait.
        _connect_timeout: Duration,
    ) -> Result<HttpResponse<FetchBody>, TransportError> {
        for followed in 0.. {
            let (response, controller) = self.fetch_once(&request).await?;
            let status = response.status();
            if response.type_() == web_sys::ResponseType::Opaqueredirect {
                return Err(TransportError::refused(
                    "the server answered with a redirect, which this browser hides from code; \
                     it is not followed, so no header goes to an origin nobody checked",
                ));
            }
            let location = response.headers().get("location").ok().flatten();
            if let Some(location) = location.filter(|_| redirect::is_redirect(status)) {
                let next = web_sys::Url::new_with_base(&location, &request.url)
                    .map_err(|_| TransportError::refused(RedirectError::Invalid.to_string()))?
                    .href();
                redirect::follow(&mut request, status, &next, followed)
                    .map_err(|e| TransportError::refused(e.to_string()))?;
                controller.abort();
                continue;
            }
            return Ok(HttpResponse {
                status,
                headers: received_headers(&response),
                body: FetchBody {
                    response: Some(response),
                    reader: None,
                    controller,
                    signal: self.signal.clone(),
                },
            });
        }
        unreachable!("follow() stops after MAX_REDIRECTS")
    }

    async fn sleep(&self, duration: Duration) {
        // setTimeout takes at most 2^31 - 1 ms.
        let ms = duration.as_millis().min(i32::MAX as u128) as u32;
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    fn jitter(&self) -> f64 {
        js_sys::Math::random()
    }

    fn now(&self) -> SystemTime {
        let since = web_time::SystemTime::now()
            .duration_since(web_time::SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        SystemTime::UNIX_EPOCH + since
    }
}

fn received_headers(response: &web_sys::Response) -> Headers {
    let mut out = Headers::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair: Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.append(k, v);
            }
        }
    }
    out
}

impl FetchTransport {
    /// One fetch, redirects shown rather than followed; the response and
    /// the controller that aborts it.
    async fn fetch_once(
        &self,
        request: &HttpRequest,
    ) -> Result<(web_sys::Response, AbortController), TransportError> {
        let fail = |kind, e: JsValue| TransportError::new(kind, describe(&e));
        if aborted(&self.signal) {
            return Err(TransportError::new(
                TransportErrorKind::Aborted,
                "Request was aborted.",
            ));
        }
        let controller = AbortController::new().map_err(|e| fail(TransportErrorKind::Other, e))?;
        let signal = match &self.signal {
            Some(user) => {
                let both = Array::of2(user, &controller.signal());
                abort_signal_any(&both).unwrap_or_else(|_| user.clone())
            }
            None => controller.signal(),
        };
        let init = RequestInit::new();
        init.set_method(request.method.as_str());
        init.set_redirect(web_sys::RequestRedirect::Manual);
        let headers = web_sys::Headers::new().map_err(|e| fail(TransportErrorKind::Other, e))?;
        for (name, value) in request.headers.iter() {
            // fetch's TypeError quotes the value, which may be a key: name
            // the header only.
            headers.append(name, value).map_err(|_| {
                TransportError::refused(format!("invalid value for header {name:?}"))
            })?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(&Uint8Array::from(body.as_slice()));
        }
        init.set_signal(Some(&signal));
        let mut guard = AbortOnDrop(Some(controller.clone()));
        let response = js_sys::futures::JsFuture::from(global_fetch(&request.url, &init))
            .await
            .map_err(|e| {
                let kind = if aborted(&self.signal) {
                    TransportErrorKind::Aborted
                } else {
                    TransportErrorKind::Connect
                };
                fail(kind, e)
            })?;
        guard.0 = None;
        Ok((response.unchecked_into(), controller))
    }
}

impl Body for FetchBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        if let Some(response) = self.response.take() {
            self.reader = response
                .body()
                .map(|b| wasm_streams::ReadableStream::from_raw(b.unchecked_into()).into_stream());
        }
        let reader = self.reader.as_mut()?;
        match reader.next().await {
            None => {
                self.reader = None;
                None
            }
            Some(Ok(chunk)) => {
                let bytes: Uint8Array = chunk.unchecked_into();
                Some(Ok(Bytes::from(bytes.to_vec())))
            }
            Some(Err(e)) => {
                self.reader = None;
                let kind = if aborted(&self.signal) {
                    TransportErrorKind::Aborted
                } else {
                    TransportErrorKind::Body
                };
                Some(Err(TransportError::new(kind, describe(&e))))
            }
        }
    }
}

//! Request building, pure: `ClientConfig` plus an endpoint's arguments give
//! an `HttpRequest {method, url, headers, body}`. It reads no environment
//! and no files (the shells do) and sends nothing.

use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

use crate::error::Error;
use crate::http::{Headers, HttpRequest, Method};
use crate::retry::RetryPolicy;
use crate::types::{ChatCompletionRequest, CompletionRequest, CreateResponse};
use crate::Extra;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// A secret (an API key or token): `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// How Azure authenticates a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AzureAuth {
    /// An `api-key` header.
    ApiKey(Secret),
    /// `Authorization: Bearer` with an Entra ID token.
    BearerToken(Secret),
}

/// Which service the client talks to.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Provider {
    /// OpenAI and every server that speaks its API at `base_url`.
    #[default]
    OpenAI,
    /// Azure OpenAI. With an `endpoint`, URLs are `{endpoint}/openai/...`;
    /// without one, `base_url` is used as given (the v1 style,
    /// `https://X.openai.azure.com/openai/v1`).
    Azure {
        endpoint: Option<String>,
        api_version: Option<String>,
        deployment: Option<String>,
        auth: Option<AzureAuth>,
    },
}

/// The three waits, as the official SDKs mean them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (default 5 s).
    pub connect: Duration,
    /// Until the response headers arrive and, for a non-stream call, the
    /// whole body (default 600 s).
    pub response: Duration,
    /// The longest silence between two chunks of a stream (default 600 s,
    /// openai-python's read timeout); a stream's total length is unbounded.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_secs(600),
            read: Duration::from_secs(600),
        }
    }
}

impl Timeouts {
    /// One value for every wait, as a float `timeout=` sets it in openai-python.
    pub fn all(d: Duration) -> Self {
        Timeouts {
            connect: d,
            response: d,
            read: d,
        }
    }
}

/// Everything a request is built from.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientConfig {
    pub api_key: Option<Secret>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub base_url: String,
    pub default_headers: Headers,
    pub default_query: Vec<(String, String)>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub provider: Provider,
    pub user_agent: String,
    /// The largest SSE event accepted (see `sse::DEFAULT_MAX_EVENT_BYTES`).
    pub max_event_bytes: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_key: None,
            organization: None,
            project: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            default_headers: Headers::new(),
            default_query: Vec::new(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            provider: Provider::OpenAI,
            user_agent: concat!("rapidresponse/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_event_bytes: crate::sse::DEFAULT_MAX_EVENT_BYTES,
        }
    }
}

/// Per-call additions (openai-python's `extra_headers`, `extra_query`,
/// `extra_body`); later values win.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOptions {
    pub headers: Headers,
    pub query: Vec<(String, String)>,
    pub body: Extra,
}

/// Azure paths that take `/deployments/{model}` before them (openai-python's
/// `_deployments_endpoints`).
const AZURE_DEPLOYMENT_PATHS: &[&str] = &[
    "/completions",
    "/chat/completions",
    "/embeddings",
    "/audio/transcriptions",
    "/audio/translations",
    "/audio/speech",
    "/images/generations",
    "/images/edits",
];

impl ClientConfig {
    /// A config for `base_url` with a bearer key.
    pub fn new(api_key: Option<Secret>, base_url: impl Into<String>) -> Self {
        ClientConfig {
            api_key,
            base_url: base_url.into(),
            ..Default::default()
        }
    }

    /// Builds any request. `path` starts with `/` and is relative to the
    /// base URL; `body` is a JSON object or nothing.
    pub fn build(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<Value>,
        stream: bool,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let body = match body {
            Some(Value::Object(mut map)) => {
                for (k, v) in &options.body {
                    map.insert(k.clone(), v.clone());
                }
                Some(Value::Object(map))
            }
            None if !options.body.is_empty() => Some(Value::Object(options.body.clone())),
            other => other,
        };
        let model = body
            .as_ref()
            .and_then(|b| b.get("model"))
            .and_then(Value::as_str);
        let url = self.url(path, query, &options.query, model)?;
        let bytes = body
            .map(|b| serde_json::to_vec(&b))
            .transpose()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(HttpRequest {
            method,
            url,
            headers: self.headers(bytes.is_some(), stream, &options.headers),
            body: bytes,
        })
    }

    /// Builds a request whose body is JSON already serialised by the
    /// caller (a shell that writes its language's objects straight to
    /// bytes). `model` picks the Azure deployment; the query is
    /// `options.query`, and `options.body` is not merged here: the caller
    /// put it in `body`.
    pub fn build_bytes(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        model: Option<&str>,
        stream: bool,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let url = self.url(path, &[], &options.query, model)?;
        Ok(HttpRequest {
            method,
            url,
            headers: self.headers(body.is_some(), stream, &options.headers),
            body,
        })
    }

    /// Builds a request whose body is a typed value, serialised once.
    pub fn build_typed<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        stream: bool,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        // Straight to bytes when nothing is merged in and the URL does not
        // depend on the model (not Azure): the detour through a `Value`
        // allocated per member, on every small call.
        if options.body.is_empty() && self.provider == Provider::OpenAI {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::Config(e.to_string()))?;
            return Ok(HttpRequest {
                method,
                url: self.url(path, &[], &options.query, None)?,
                headers: self.headers(true, stream, &options.headers),
                body: Some(bytes),
            });
        }
        let value = serde_json::to_value(body).map_err(|e| Error::Config(e.to_string()))?;
        self.build(method, path, &[], Some(value), stream, options)
    }

    /// The full URL of `path`.
    pub fn url(
        &self,
        path: &str,
        query: &[(String, String)],
        extra_query: &[(String, String)],
        model: Option<&str>,
    ) -> Result<String, Error> {
        let mut url = match &self.provider {
            Provider::OpenAI => self.base_url.trim_end_matches('/').to_owned(),
            Provider::Azure {
                endpoint,
                deployment,
                ..
            } => {
                let mut base = match endpoint {
                    Some(e) => format!("{}/openai", e.trim_end_matches('/')),
                    None => self.base_url.trim_end_matches('/').to_owned(),
                };
                if AZURE_DEPLOYMENT_PATHS.contains(&path) && !base.contains("/deployments") {
                    if let Some(dep) = deployment.as_deref().or(model) {
                        base.push_str("/deployments/");
                        base.push_str(&encode_path_segment(dep));
                    }
                }
                base
            }
        };
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(Error::Config(format!(
                "the base URL must start with http:// or https://, got {url:?}"
            )));
        }
        url.push_str(path);
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Provider::Azure {
            api_version: Some(v),
            ..
        } = &self.provider
        {
            pairs.push(("api-version", v));
        }
        for (k, v) in self.default_query.iter().chain(query).chain(extra_query) {
            pairs.retain(|(pk, _)| pk != k || k.ends_with("[]"));
            pairs.push((k, v));
        }
        for (i, (k, v)) in pairs.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_query(k));
            url.push('=');
            url.push_str(&encode_query(v));
        }
        Ok(url)
    }

    fn headers(&self, has_body: bool, stream: bool, extra: &Headers) -> Headers {
        // The fixed headers are distinct: appended; the caller's replace them.
        let mut h = Headers::with_capacity(8, 256);
        h.append(
            "Accept",
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            },
        );
        if has_body {
            h.append("Content-Type", "application/json");
        }
        h.append("User-Agent", &self.user_agent);
        match &self.provider {
            Provider::Azure {
                auth: Some(AzureAuth::ApiKey(k)),
                ..
            } => h.append("api-key", k.expose()),
            Provider::Azure {
                auth: Some(AzureAuth::BearerToken(t)),
                ..
            } => h.append("Authorization", format!("Bearer {}", t.expose())),
            _ => {
                if let Some(k) = &self.api_key {
                    h.append("Authorization", format!("Bearer {}", k.expose()));
                }
            }
        }
        if let Some(o) = &self.organization {
            h.append("OpenAI-Organization", o);
        }
        if let Some(p) = &self.project {
            h.append("OpenAI-Project", p);
        }
        for (k, v) in self.default_headers.iter().chain(extra.iter()) {
            h.set(k, v);
        }
        h
    }

    // Endpoint builders: one per operation the clients offer.

    /// `POST /responses`; streams when `req.stream` is true.
    pub fn create_response(
        &self,
        req: &CreateResponse,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let stream = req.stream.copied() == Some(true);
        self.build_typed(Method::Post, "/responses", req, stream, options)
    }

    /// `GET /responses/{id}` (with `?stream=true&starting_after=N` to resume).
    pub fn retrieve_response(
        &self,
        id: &str,
        params: &RetrieveParams,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let mut query = include_query(&params.include);
        if params.stream {
            query.push(("stream".into(), "true".into()));
        }
        if let Some(n) = params.starting_after {
            query.push(("starting_after".into(), n.to_string()));
        }
        if let Some(b) = params.include_obfuscation {
            query.push(("include_obfuscation".into(), b.to_string()));
        }
        let path = format!("/responses/{}", encode_path_segment(id));
        self.build(Method::Get, &path, &query, None, params.stream, options)
    }

    /// `DELETE /responses/{id}`.
    pub fn delete_response(
        &self,
        id: &str,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let path = format!("/responses/{}", encode_path_segment(id));
        self.build(Method::Delete, &path, &[], None, false, options)
    }

    /// `POST /responses/{id}/cancel`.
    pub fn cancel_response(
        &self,
        id: &str,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let path = format!("/responses/{}/cancel", encode_path_segment(id));
        self.build(Method::Post, &path, &[], None, false, options)
    }

    /// `GET /responses/{id}/input_items`.
    pub fn list_input_items(
        &self,
        id: &str,
        params: &ListParams,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let mut query = include_query(&params.include);
        if let Some(a) = &params.after {
            query.push(("after".into(), a.clone()));
        }
        if let Some(l) = params.limit {
            query.push(("limit".into(), l.to_string()));
        }
        if let Some(o) = &params.order {
            query.push(("order".into(), o.clone()));
        }
        let path = format!("/responses/{}/input_items", encode_path_segment(id));
        self.build(Method::Get, &path, &query, None, false, options)
    }

    /// `POST /responses/compact`.
    pub fn compact_response(
        &self,
        body: &Value,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        self.build(
            Method::Post,
            "/responses/compact",
            &[],
            Some(body.clone()),
            false,
            options,
        )
    }

    /// `POST /responses/input_tokens`.
    pub fn count_input_tokens(
        &self,
        body: &Value,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        self.build(
            Method::Post,
            "/responses/input_tokens",
            &[],
            Some(body.clone()),
            false,
            options,
        )
    }

    /// `POST /chat/completions`; streams when `req.stream` is true.
    pub fn create_chat_completion(
        &self,
        req: &ChatCompletionRequest,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let stream = req.stream.copied() == Some(true);
        self.build_typed(Method::Post, "/chat/completions", req, stream, options)
    }

    /// Legacy `POST /completions`; streams when `req.stream` is true.
    pub fn create_completion(
        &self,
        req: &CompletionRequest,
        options: &RequestOptions,
    ) -> Result<HttpRequest, Error> {
        let stream = req.stream.copied() == Some(true);
        self.build_typed(Method::Post, "/completions", req, stream, options)
    }
}

/// Query of `GET /responses/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetrieveParams {
    pub include: Vec<String>,
    pub stream: bool,
    pub starting_after: Option<u64>,
    pub include_obfuscation: Option<bool>,
}

/// Query of a cursor-paged list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    pub after: Option<String>,
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub include: Vec<String>,
}

/// Arrays go as `include[]=a&include[]=b`, as the official SDKs send them.
fn include_query(include: &[String]) -> Vec<(String, String)> {
    include
        .iter()
        .map(|v| ("include[]".to_owned(), v.clone()))
        .collect()
}

fn encode_query(s: &str) -> String {
    encode(s, |b| b.is_ascii_alphanumeric() || b"-._~[]".contains(&b))
}

fn encode_path_segment(s: &str) -> String {
    encode(s, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openai() -> ClientConfig {
        ClientConfig {
            api_key: Some("sk-test-secret".into()),
            organization: Some("org_1".into()),
            project: Some("proj_1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn create_request_has_the_sdk_headers_and_body() {
        let mut req = CreateResponse::new("gpt-5", "Hi");
        req.stream = true.into();
        let r = openai()
            .create_response(&req, &RequestOptions::default())
            .unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.openai.com/v1/responses");
        assert_eq!(
            r.headers.get("authorization"),
            Some("Bearer sk-test-secret")
        );
        assert_eq!(r.headers.get("accept"), Some("text/event-stream"));
        assert_eq!(r.headers.get("content-type"), Some("application/json"));
        assert_eq!(r.headers.get("openai-organization"), Some("org_1"));
        assert_eq!(r.headers.get("openai-project"), Some("proj_1"));
        assert!(r
            .headers
            .get("user-agent")
            .unwrap()
            .starts_with("rapidresponse/"));
        assert!(r.headers.get("idempotency-key").is_none());
        let body: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"model": "gpt-5", "input": "Hi", "stream": true})
        );
        assert!(!format!("{r:?}").contains("sk-test-secret"));
        assert_eq!(format!("{:?}", openai()).matches("sk-test").count(), 0);
    }

    #[test]
    fn query_arrays_extras_and_path_encoding() {
        let cfg = ClientConfig {
            default_query: vec![("a".into(), "1".into())],
            ..openai()
        };
        let params = RetrieveParams {
            include: vec![
                "reasoning.encrypted_content".into(),
                "message.output_text.logprobs".into(),
            ],
            stream: true,
            starting_after: Some(7),
            include_obfuscation: None,
        };
        let mut opts = RequestOptions::default();
        opts.headers.set("X-Extra", "yes");
        opts.query.push(("a".into(), "2".into()));
        let r = cfg.retrieve_response("resp/1 x", &params, &opts).unwrap();
        assert_eq!(
            r.url,
            "https://api.openai.com/v1/responses/resp%2F1%20x?include[]=reasoning.encrypted_content&include[]=message.output_text.logprobs&stream=true&starting_after=7&a=2"
        );
        assert_eq!(r.headers.get("x-extra"), Some("yes"));
        assert!(r.body.is_none());
        assert_eq!(r.headers.get("content-type"), None);
    }

    #[test]
    fn extra_body_merges_into_the_json() {
        let mut opts = RequestOptions::default();
        opts.body.insert("custom".into(), Value::Bool(true));
        let r = openai()
            .create_response(&CreateResponse::new("m", "x"), &opts)
            .unwrap();
        let body: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
        assert_eq!(body["custom"], true);
    }

    #[test]
    fn azure_shapes() {
        let azure = |deployment: Option<&str>| ClientConfig {
            api_key: None,
            provider: Provider::Azure {
                endpoint: Some("https://res.openai.azure.com/".into()),
                api_version: Some("2025-04-01-preview".into()),
                deployment: deployment.map(Into::into),
                auth: Some(AzureAuth::ApiKey("azkey".into())),
            },
            ..Default::default()
        };
        let opts = RequestOptions::default();
        let r = azure(None)
            .create_response(&CreateResponse::new("gpt-4o", "x"), &opts)
            .unwrap();
        assert_eq!(
            r.url,
            "https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview"
        );
        assert_eq!(r.headers.get("api-key"), Some("azkey"));
        assert!(r.headers.get("authorization").is_none());
        let chat = ChatCompletionRequest {
            model: "gpt-4o".into(),
            ..Default::default()
        };
        let r = azure(None).create_chat_completion(&chat, &opts).unwrap();
        assert_eq!(r.url, "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview");
        let r = azure(Some("dep1"))
            .create_chat_completion(&chat, &opts)
            .unwrap();
        assert!(r.url.contains("/openai/deployments/dep1/chat/completions"));
        let v1 = ClientConfig {
            base_url: "https://res.openai.azure.com/openai/v1/".into(),
            provider: Provider::Azure {
                endpoint: None,
                api_version: None,
                deployment: None,
                auth: Some(AzureAuth::BearerToken("tok".into())),
            },
            ..Default::default()
        };
        let r = v1
            .create_response(&CreateResponse::new("gpt-4o", "x"), &opts)
            .unwrap();
        assert_eq!(r.url, "https://res.openai.azure.com/openai/v1/responses");
        assert_eq!(r.headers.get("authorization"), Some("Bearer tok"));
    }

    #[test]
    fn a_bad_base_url_is_a_clear_error() {
        let cfg = ClientConfig::new(None, "localhost:8080");
        let err = cfg
            .delete_response("r", &RequestOptions::default())
            .unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }
}

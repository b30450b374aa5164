//! The endpoint table: every operation the clients offer, described once
//! (method, path, query parameters, whether and how it streams, which usage
//! it counts, the `Accept` it sends), and the one function that turns a
//! `Call` into an `HttpRequest` the way openai-python or openai-node would
//! send it (`Flavor`). Shells name an operation and pass its arguments;
//! none builds a path, a query string or a header list. It sends nothing.

use serde_json::Value;

use crate::config::{AzureAuth, ClientConfig, Provider, RequestOptions};
use crate::error::Error;
use crate::http::{Headers, HttpRequest, Method};
use crate::query::{self, Query, QueryValue};
use crate::Extra;

/// Whose request shape to send: the SDKs differ in headers per operation
/// and in query encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// openai-python: `Content-Type: application/json` on every request but
    /// GET; the method's query parameters in the SDK's order, `extra_query`
    /// merged over them; a space in the query is `+`; null values left out.
    #[default]
    OpenAIPython,
    /// openai-node: `Content-Type` only with a body; the `query` option
    /// replaces the method's parameters; a space is `%20`; null is `key=`.
    OpenAINode,
}

impl Flavor {
    /// This SDK's stream rules.
    pub fn stream_rules(self) -> crate::stream::StreamRules {
        match self {
            Flavor::OpenAIPython => crate::stream::StreamRules::openai_python(),
            Flavor::OpenAINode => crate::stream::StreamRules::openai_node(),
        }
    }

    /// This SDK's retry policy.
    pub fn retry_policy(self) -> crate::retry::RetryPolicy {
        match self {
            Flavor::OpenAIPython => crate::retry::RetryPolicy::openai_python(),
            Flavor::OpenAINode => crate::retry::RetryPolicy::openai_node(),
        }
    }
}

impl ClientConfig {
    /// Takes on an SDK's presets (request shape, stream rules, retry
    /// policy), keeping the configured number of retries.
    pub fn adopt(&mut self, flavor: Flavor) {
        let retries = self.retry.max_retries;
        self.flavor = flavor;
        self.stream_rules = flavor.stream_rules();
        self.retry = flavor.retry_policy();
        self.retry.max_retries = retries;
    }
}

/// An operation of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    ResponsesCreate,
    ResponsesRetrieve,
    ResponsesDelete,
    ResponsesCancel,
    ResponsesCompact,
    ResponsesInputTokensCount,
    ResponsesInputItemsList,
    /// The WebSocket mode's upgrade request (`GET /responses` with
    /// `Upgrade: websocket`; see `websocket`).
    ResponsesConnect,
    ChatCompletionsCreate,
    CompletionsCreate,
    ConversationsCreate,
    ConversationsRetrieve,
    ConversationsUpdate,
    ConversationsDelete,
    /// Path parameters: the conversation's id, then nothing or the item's.
    ConversationsItemsCreate,
    ConversationsItemsList,
    ConversationsItemsRetrieve,
    ConversationsItemsDelete,
    ModelsList,
    /// Path parameter: the model's id.
    ModelsRetrieve,
    ModelsDelete,
    /// `client.get/post/put/patch/delete(path)`: any path, answered as JSON
    /// (or as events when the call asks for a stream).
    Raw(Method),
}

/// How the events of a streamed answer are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Responses API events: accumulated into the response, ended by a
    /// terminal event.
    Responses,
    /// Chat or legacy completion chunks (and any other JSON events), ended
    /// by `data: [DONE]` or the end of the body.
    Chunks,
}

/// Which usage an answer of the operation adds to the client's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UsageKind {
    /// Nothing (a retrieve counts nothing: the create counted it).
    None,
    /// A `Response` (its `usage`, or the terminal event's response).
    Response,
    /// A chat or legacy completion (its `usage`, or the last chunk's).
    Completion,
}

/// When an operation's answer is an event stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Streams {
    Never,
    /// The body has `"stream": true`.
    WhenBodySaysSo,
    /// The query has `stream=true`.
    WhenQuerySaysSo,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// openai-python's attribute path, e.g. `responses.input_items.list`.
    pub name: &'static str,
    pub method: Method,
    /// The path after the base URL; each `{}` takes a path parameter.
    pub path: &'static str,
    /// The query parameters in the order openai-python writes them.
    pub query: &'static [&'static str],
    streams: Streams,
    pub events: EventKind,
    pub usage: UsageKind,
    /// The `Accept` both SDKs send (`*/*` where the answer has no body).
    pub accept: &'static str,
}

const JSON: &str = "application/json";

use EventKind::{Chunks, Responses};
use Streams::{Never, WhenBodySaysSo, WhenQuerySaysSo};

/// The table, in `Operation` order (raw calls excepted).
const TABLE: [Endpoint; 21] = [
    Endpoint {
        name: "responses.create",
        method: Method::Post,
        path: "/responses",
        query: &[],
        streams: WhenBodySaysSo,
        events: Responses,
        usage: UsageKind::Response,
        accept: JSON,
    },
    Endpoint {
        name: "responses.retrieve",
        method: Method::Get,
        path: "/responses/{}",
        query: &["include", "include_obfuscation", "starting_after", "stream"],
        streams: WhenQuerySaysSo,
        events: Responses,
        usage: UsageKind::None,
        accept: JSON,
    },
    Endpoint {
        name: "responses.delete",
        method: Method::Delete,
        path: "/responses/{}",
        query: &[],
        streams: Never,
        events: Responses,
        usage: UsageKind::None,
        accept: "*/*",
    },
    Endpoint {
        name: "responses.cancel",
        method: Method::Post,
        path: "/responses/{}/cancel",
        query: &[],
        streams: Never,
        events: Responses,
        usage: UsageKind::None,
        accept: JSON,
    },
    Endpoint {
        name: "responses.compact",
        method: Method::Post,
        path: "/responses/compact",
        query: &[],
        streams: Never,
        events: Responses,
        usage: UsageKind::None,
        accept: JSON,
    },
    Endpoint {
        name: "responses.input_tokens.count",
        method: Method::Post,
        path: "/responses/input_tokens",
        query: &[],
        streams: Never,
        events: Responses,
        usage: UsageKind::None,
        accept: JSON,
    },
    Endpoint {
        name: "responses.input_items.list",
        method: Method::Get,
        path: "/responses/{}/input_items",
        query: &["after", "include", "limit", "order"],
        streams: Never,
        events: Responses,
        usage: UsageKind::None,
        accept: JSON,
    },
    Endpoint {
        name: "responses.connect",
        method: Method::Get,
        path: "/responses",
        query: &[],
        streams: Never,
        events: Responses,
        usage: UsageKind::Response,
        accept: JSON,
    },
    Endpoint {
        name: "chat.completions.create",
        method: Method::Post,
        path: "/chat/completions",
        query: &[],
        streams: WhenBodySaysSo,
        events: Chunks,
        usage: UsageKind::Completion,
        accept: JSON,
    },
    Endpoint {
        name: "completions.create",
        method: Method::Post,
        path: "/completions",
        query: &[],
        streams: WhenBodySaysSo,
        events: Chunks,
        usage: UsageKind::Completion,
        accept: JSON,
    },
    plain("conversations.create", Method::Post, "/conversations", &[]),
    plain(
        "conversations.retrieve",
        Method::Get,
        "/conversations/{}",
        &[],
    ),
    plain(
        "conversations.update",
        Method::Post,
        "/conversations/{}",
        &[],
    ),
    plain(
        "conversations.delete",
        Method::Delete,
        "/conversations/{}",
        &[],
    ),
    plain(
        "conversations.items.create",
        Method::Post,
        "/conversations/{}/items",
        &["include"],
    ),
    plain(
        "conversations.items.list",
        Method::Get,
        "/conversations/{}/items",
        &["after", "include", "limit", "order"],
    ),
    plain(
        "conversations.items.retrieve",
        Method::Get,
        "/conversations/{}/items/{}",
        &["include"],
    ),
    plain(
        "conversations.items.delete",
        Method::Delete,
        "/conversations/{}/items/{}",
        &[],
    ),
    plain("models.list", Method::Get, "/models", &[]),
    plain("models.retrieve", Method::Get, "/models/{}", &[]),
    plain("models.delete", Method::Delete, "/models/{}", &[]),
];

/// A row that never streams, counts no usage and answers JSON.
const fn plain(
    name: &'static str,
    method: Method,
    path: &'static str,
    query: &'static [&'static str],
) -> Endpoint {
    Endpoint {
        name,
        method,
        path,
        query,
        streams: Never,
        events: Chunks,
        usage: UsageKind::None,
        accept: JSON,
    }
}

/// Azure paths that take `/deployments/{model}` before them (openai-python's
/// `_deployments_endpoints`, applied to raw calls too).
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

impl Operation {
    const ALL: [Operation; 21] = [
        Operation::ResponsesCreate,
        Operation::ResponsesRetrieve,
        Operation::ResponsesDelete,
        Operation::ResponsesCancel,
        Operation::ResponsesCompact,
        Operation::ResponsesInputTokensCount,
        Operation::ResponsesInputItemsList,
        Operation::ResponsesConnect,
        Operation::ChatCompletionsCreate,
        Operation::CompletionsCreate,
        Operation::ConversationsCreate,
        Operation::ConversationsRetrieve,
        Operation::ConversationsUpdate,
        Operation::ConversationsDelete,
        Operation::ConversationsItemsCreate,
        Operation::ConversationsItemsList,
        Operation::ConversationsItemsRetrieve,
        Operation::ConversationsItemsDelete,
        Operation::ModelsList,
        Operation::ModelsRetrieve,
        Operation::ModelsDelete,
    ];

    /// The table's row; `None` for a raw call.
    pub fn endpoint(self) -> Option<&'static Endpoint> {
        let i = Self::ALL.iter().position(|op| *op == self)?;
        Some(&TABLE[i])
    }

    /// The operation named as openai-python names it (`responses.create`),
    /// or a raw call by its method (`get`, `post`, `put`, `patch`, `delete`).
    pub fn from_name(name: &str) -> Option<Operation> {
        if let Some(i) = TABLE.iter().position(|e| e.name == name) {
            return Some(Self::ALL[i]);
        }
        Method::parse(&name.to_ascii_uppercase())
            .filter(|_| name.bytes().all(|b| b.is_ascii_lowercase()))
            .map(Operation::Raw)
    }

    pub fn name(self) -> &'static str {
        match (self, self.endpoint()) {
            (_, Some(e)) => e.name,
            (Operation::Raw(Method::Get), _) => "get",
            (Operation::Raw(Method::Post), _) => "post",
            (Operation::Raw(Method::Put), _) => "put",
            (Operation::Raw(Method::Patch), _) => "patch",
            (Operation::Raw(_), _) => "delete",
            _ => unreachable!("every operation but raw has a row"),
        }
    }

    pub fn method(self) -> Method {
        match (self, self.endpoint()) {
            (_, Some(e)) => e.method,
            (Operation::Raw(m), _) => m,
            _ => unreachable!("every operation but raw has a row"),
        }
    }
}

/// A request body as the shell has it.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestBody {
    /// A JSON value (the Rust crate's typed requests, raw calls).
    Json(Value),
    /// JSON already written by the shell (Python objects, `JSON.stringify`).
    Bytes(Vec<u8>),
}

/// One call: an operation and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub op: Operation,
    /// The path's parameters in order (`response_id`); for a raw call, the
    /// path itself (relative to the base URL).
    pub path_params: Vec<String>,
    /// The method's query parameters, in the caller's order.
    pub query: Query,
    pub body: Option<RequestBody>,
    /// Raw calls only: the answer is an event stream (openai-python's
    /// `stream=True`, openai-node's `{stream: true}`).
    pub stream: bool,
}

impl Call {
    pub fn new(op: Operation) -> Self {
        Call {
            op,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            stream: false,
        }
    }

    pub fn param(mut self, value: impl Into<String>) -> Self {
        self.path_params.push(value.into());
        self
    }

    pub fn query(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub fn body(mut self, body: RequestBody) -> Self {
        self.body = Some(body);
        self
    }
}

/// A call made ready: the request, and what its answer is.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub request: HttpRequest,
    /// The answer is an event stream.
    pub streams: bool,
    pub events: EventKind,
    pub usage: UsageKind,
}

/// The members of a body the table's rules read.
#[derive(Default)]
struct BodyHints {
    model: Option<String>,
    stream: bool,
}

impl ClientConfig {
    /// Builds `call` as the configured flavor's SDK would send it.
    pub fn prepare(&self, call: &Call, options: &RequestOptions) -> Result<Prepared, Error> {
        let endpoint = call.op.endpoint();
        let path = match endpoint {
            Some(e) => fill_path(e.path, &call.path_params)?,
            None => raw_path(call)?,
        };
        let (body, hints) = body_bytes(call.body.as_ref(), &options.body)?;
        let query = self.query(endpoint, &call.query, options.query.as_ref());
        let (streams, events, usage, accept) = match endpoint {
            Some(e) => (
                match e.streams {
                    Never => false,
                    WhenBodySaysSo => hints.stream,
                    WhenQuerySaysSo => says_true(&query, "stream"),
                },
                e.events,
                e.usage,
                e.accept,
            ),
            None => (call.stream, Chunks, UsageKind::None, JSON),
        };
        let method = call.op.method();
        let url = self.url(&path, &query, hints.model.as_deref())?;
        let has_body = body.is_some();
        Ok(Prepared {
            request: HttpRequest {
                method,
                url,
                headers: self.headers(method, accept, has_body, options),
                body,
            },
            streams,
            events,
            usage,
        })
    }

    /// The query of a call: the defaults, then the method's parameters with
    /// the call's own merged or replacing them, as the flavor does.
    fn query(&self, endpoint: Option<&Endpoint>, params: &Query, extra: Option<&Query>) -> Query {
        let mut out = self.default_query.clone();
        if let Provider::Azure {
            api_version: Some(v),
            ..
        } = &self.provider
        {
            query::merge(&mut out, [("api-version".to_owned(), v.as_str().into())]);
        }
        match self.flavor {
            Flavor::OpenAIPython => {
                // The SDK writes its declared parameters in its own order.
                let declared = endpoint.map_or(&[][..], |e| e.query);
                let rank = |k: &str| declared.iter().position(|d| *d == k).unwrap_or(usize::MAX);
                let mut own = params.clone();
                own.sort_by_key(|(k, _)| rank(k));
                if let Some(extra) = extra {
                    query::merge(&mut own, extra.iter().cloned());
                }
                query::merge(&mut out, own);
            }
            Flavor::OpenAINode => query::merge(&mut out, extra.unwrap_or(params).iter().cloned()),
        }
        out
    }

    /// The base URL as the SDK's client shows it: for Azure with an
    /// endpoint, `{endpoint}/openai`, to which openai-python adds
    /// `/deployments/{deployment}` when one is configured (its requests
    /// outside the deployment paths still go to `{endpoint}/openai`).
    pub fn effective_base_url(&self) -> String {
        let mut base = self.requests_base();
        if let Provider::Azure {
            endpoint: Some(_),
            deployment: Some(dep),
            ..
        } = &self.provider
        {
            if self.flavor == Flavor::OpenAIPython {
                base.push_str("/deployments/");
                query::encode_path_segment(dep, &mut base);
            }
        }
        base
    }

    /// What every request's path is appended to.
    pub(crate) fn requests_base(&self) -> String {
        match &self.provider {
            Provider::Azure {
                endpoint: Some(e), ..
            } => format!("{}/openai", e.trim_end_matches('/')),
            _ => self.base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The full URL of `path` with `query`.
    fn url(&self, path: &str, query: &Query, model: Option<&str>) -> Result<String, Error> {
        let mut url = self.requests_base();
        if let Provider::Azure { deployment, .. } = &self.provider {
            // The deployment paths take `/deployments/{name}` (the
            // configured deployment's, else the model's) unless the base
            // has one already.
            if AZURE_DEPLOYMENT_PATHS.contains(&path) && !url.contains("/deployments") {
                if let Some(dep) = deployment.as_deref().or(model) {
                    url.push_str("/deployments/");
                    query::encode_path_segment(dep, &mut url);
                }
            }
        }
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(Error::Config(format!(
                "the base URL must start with http:// or https://, got {url:?}"
            )));
        }
        url.push_str(path);
        let encoded = query::encode(self.flavor, query);
        if !encoded.is_empty() {
            url.push('?');
            url.push_str(&encoded);
        }
        Ok(url)
    }

    fn headers(
        &self,
        method: Method,
        accept: &str,
        has_body: bool,
        options: &RequestOptions,
    ) -> Headers {
        // The fixed headers are distinct: appended; the caller's replace them.
        let mut h = Headers::with_capacity(8, 256);
        h.append("Accept", accept);
        let content_type = match self.flavor {
            Flavor::OpenAIPython => method != Method::Get,
            Flavor::OpenAINode => has_body,
        };
        if content_type {
            h.append("Content-Type", JSON);
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
        if let Some(t) = &options.token {
            h.set("Authorization", format!("Bearer {}", t.expose()));
            h.remove("api-key");
        }
        if let Some(p) = &self.project {
            h.append("OpenAI-Project", p);
        }
        for (k, v) in self.default_headers.iter() {
            h.set(k, v);
        }
        for (k, v) in &options.headers {
            match v {
                Some(v) => h.set(k, v),
                None => h.remove(k),
            }
        }
        h
    }
}

/// `template` with each `{}` replaced by the next parameter, encoded as
/// both SDKs encode path parameters. An empty, `.` or `..` parameter is an
/// error (it would name another path).
fn fill_path(template: &str, params: &[String]) -> Result<String, Error> {
    let holes = template.matches("{}").count();
    if params.len() != holes {
        return Err(Error::Config(format!(
            "{template} takes {holes} path parameter(s), got {}",
            params.len()
        )));
    }
    let mut out = String::with_capacity(template.len() + 40);
    let mut params = params.iter();
    for (i, piece) in template.split("{}").enumerate() {
        if i > 0 {
            let p = params.next().map(String::as_str).unwrap_or_default();
            if p.is_empty() || p == "." || p == ".." {
                return Err(Error::Config(format!(
                    "Expected a non-empty value for a path parameter but received {p:?}"
                )));
            }
            query::encode_path_segment(p, &mut out);
        }
        out.push_str(piece);
    }
    Ok(out)
}

fn raw_path(call: &Call) -> Result<String, Error> {
    let path = call.path_params.first().map(String::as_str).unwrap_or("");
    Ok(if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    })
}

fn says_true(query: &Query, key: &str) -> bool {
    query.iter().any(|(k, v)| {
        k == key
            && (matches!(v, QueryValue::Bool(true))
                || matches!(v, QueryValue::Str(s) if s == "true"))
    })
}

/// The body to send, with `extra` merged over it, and the members the
/// rules read (`model` for Azure's deployment paths, `stream`).
fn body_bytes(
    body: Option<&RequestBody>,
    extra: &Extra,
) -> Result<(Option<Vec<u8>>, BodyHints), Error> {
    let to_bytes = |v: &Value| serde_json::to_vec(v).map_err(|e| Error::Config(e.to_string()));
    let merged = |mut map: serde_json::Map<String, Value>| {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    };
    let value = match body {
        None if extra.is_empty() => return Ok((None, BodyHints::default())),
        None => Value::Object(extra.clone()),
        Some(RequestBody::Bytes(bytes)) if extra.is_empty() => {
            return Ok((Some(bytes.clone()), hints_of_bytes(bytes)))
        }
        Some(RequestBody::Bytes(bytes)) => match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => merged(map),
            _ => {
                return Err(Error::Config(
                    "extra body members need a JSON object body".into(),
                ))
            }
        },
        Some(RequestBody::Json(Value::Object(map))) => merged(map.clone()),
        Some(RequestBody::Json(other)) => other.clone(),
    };
    let hints = BodyHints {
        model: value
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_owned),
        stream: value.get("stream") == Some(&Value::Bool(true)),
    };
    Ok((Some(to_bytes(&value)?), hints))
}

/// The top-level `model` (a string) and `stream` (a bool) of a JSON
/// object, skipping everything else without building it; nothing for a
/// body that is not an object.
fn hints_of_bytes(bytes: &[u8]) -> BodyHints {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BodyHints;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BodyHints, A::Error> {
            let mut hints = BodyHints::default();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match &*key {
                    "model" => hints.model = map.next_value::<Value>()?.as_str().map(str::to_owned),
                    "stream" => hints.stream = map.next_value::<Value>()? == Value::Bool(true),
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(hints)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.deserialize_map(V).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn openai() -> ClientConfig {
        ClientConfig {
            api_key: Some("sk-test-secret".into()),
            organization: Some("org_1".into()),
            project: Some("proj_1".into()),
            ..Default::default()
        }
    }

    fn create(body: Value) -> Call {
        Call::new(Operation::ResponsesCreate).body(RequestBody::Json(body))
    }

    #[test]
    fn every_operation_has_a_name_that_finds_it() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
        }
        assert_eq!(
            Operation::from_name("get"),
            Some(Operation::Raw(Method::Get))
        );
        assert_eq!(Operation::from_name("GET"), None);
        assert_eq!(Operation::from_name("responses.nope"), None);
    }

    #[test]
    fn create_has_the_sdk_headers_and_streams_when_the_body_says_so() {
        let p = openai()
            .prepare(
                &create(serde_json::json!({"model": "gpt-5", "input": "Hi", "stream": true})),
                &RequestOptions::default(),
            )
            .unwrap();
        let r = &p.request;
        assert!(p.streams);
        assert_eq!(p.events, EventKind::Responses);
        assert_eq!(p.usage, UsageKind::Response);
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.openai.com/v1/responses");
        assert_eq!(
            r.headers.get("authorization"),
            Some("Bearer sk-test-secret")
        );
        // Both SDKs send application/json, streaming or not.
        assert_eq!(r.headers.get("accept"), Some("application/json"));
        assert_eq!(r.headers.get("content-type"), Some("application/json"));
        assert_eq!(r.headers.get("openai-organization"), Some("org_1"));
        assert_eq!(r.headers.get("openai-project"), Some("proj_1"));
        assert!(!format!("{r:?}").contains("sk-test-secret"));
        assert_eq!(format!("{:?}", openai()).matches("sk-test").count(), 0);
        let bytes = RequestBody::Bytes(br#"{"input":"x","stream":false,"model":"m"}"#.to_vec());
        let call = Call::new(Operation::ResponsesCreate).body(bytes);
        assert!(
            !openai()
                .prepare(&call, &RequestOptions::default())
                .unwrap()
                .streams
        );
    }

    #[test]
    fn delete_and_cancel_headers_differ_by_flavor() {
        let node = ClientConfig {
            flavor: Flavor::OpenAINode,
            ..openai()
        };
        let delete = Call::new(Operation::ResponsesDelete).param("resp_1");
        let cancel = Call::new(Operation::ResponsesCancel).param("resp_1");
        let opts = RequestOptions::default();
        let py = openai().prepare(&delete, &opts).unwrap().request;
        assert_eq!(py.headers.get("accept"), Some("*/*"));
        assert_eq!(py.headers.get("content-type"), Some("application/json"));
        let js = node.prepare(&delete, &opts).unwrap().request;
        assert_eq!(js.headers.get("accept"), Some("*/*"));
        assert_eq!(js.headers.get("content-type"), None);
        let py = openai().prepare(&cancel, &opts).unwrap().request;
        assert_eq!(py.url, "https://api.openai.com/v1/responses/resp_1/cancel");
        assert_eq!(py.headers.get("content-type"), Some("application/json"));
        assert_eq!(
            node.prepare(&cancel, &opts)
                .unwrap()
                .request
                .headers
                .get("content-type"),
            None
        );
    }

    #[test]
    fn retrieve_query_in_each_sdks_order() {
        let call = Call::new(Operation::ResponsesRetrieve)
            .param("resp/1 x")
            .query("stream", true)
            .query("starting_after", 3i64)
            .query("include_obfuscation", false);
        let mut opts = RequestOptions::default();
        opts.header("X-Extra", "yes");
        let py = openai().prepare(&call, &opts).unwrap();
        assert!(py.streams);
        assert_eq!(
            py.request.url,
            "https://api.openai.com/v1/responses/resp%2F1%20x?include_obfuscation=false&starting_after=3&stream=true"
        );
        assert_eq!(py.request.headers.get("x-extra"), Some("yes"));
        assert_eq!(py.request.headers.get("content-type"), None);
        assert!(py.request.body.is_none());
        let node = ClientConfig {
            flavor: Flavor::OpenAINode,
            ..openai()
        };
        assert_eq!(
            node.prepare(&call, &opts).unwrap().request.url,
            "https://api.openai.com/v1/responses/resp%2F1%20x?stream=true&starting_after=3&include_obfuscation=false"
        );
    }

    #[test]
    fn extra_query_merges_in_python_and_replaces_in_node() {
        let cfg = ClientConfig {
            default_query: vec![("a".into(), "1".into())],
            ..openai()
        };
        let call = Call::new(Operation::ResponsesInputItemsList)
            .param("r")
            .query("limit", 2i64)
            .query("after", "x y");
        let mut opts = RequestOptions::default();
        opts.query("a", "2");
        opts.query("limit", 5i64);
        let url = cfg.prepare(&call, &opts).unwrap().request.url;
        assert_eq!(
            url,
            "https://api.openai.com/v1/responses/r/input_items?a=2&after=x+y&limit=5"
        );
        let node = ClientConfig {
            flavor: Flavor::OpenAINode,
            ..cfg
        };
        let url = node.prepare(&call, &opts).unwrap().request.url;
        assert_eq!(
            url,
            "https://api.openai.com/v1/responses/r/input_items?a=2&limit=5"
        );
    }

    #[test]
    fn headers_can_be_removed_and_extra_body_merges() {
        let mut opts = RequestOptions::default();
        opts.headers.push(("OpenAI-Organization".into(), None));
        opts.body.insert("custom".into(), Value::Bool(true));
        let p = openai()
            .prepare(&create(serde_json::json!({"model": "m"})), &opts)
            .unwrap();
        assert_eq!(p.request.headers.get("openai-organization"), None);
        let body: Value = serde_json::from_slice(p.request.body.as_ref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"model": "m", "custom": true}));
        let bytes = Call::new(Operation::ResponsesCreate)
            .body(RequestBody::Bytes(b"{\"model\":\"m\"}".to_vec()));
        let p = openai().prepare(&bytes, &opts).unwrap();
        let body: Value = serde_json::from_slice(p.request.body.as_ref().unwrap()).unwrap();
        assert_eq!(body["custom"], true);
    }

    #[test]
    fn path_parameters_are_checked() {
        for bad in ["", ".", ".."] {
            let call = Call::new(Operation::ResponsesDelete).param(bad);
            let err = openai()
                .prepare(&call, &RequestOptions::default())
                .unwrap_err();
            assert!(err.to_string().contains("non-empty"), "{err}");
        }
        let err = openai()
            .prepare(
                &Call::new(Operation::ResponsesDelete),
                &RequestOptions::default(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("takes 1"), "{err}");
    }

    #[test]
    fn azure_shapes() {
        let azure = |deployment: Option<&str>| ClientConfig {
            api_key: None,
            default_query: vec![("user".into(), "q".into())],
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
            .prepare(&create(serde_json::json!({"model": "gpt-4o"})), &opts)
            .unwrap()
            .request;
        assert_eq!(
            r.url,
            "https://res.openai.azure.com/openai/responses?user=q&api-version=2025-04-01-preview"
        );
        assert_eq!(r.headers.get("api-key"), Some("azkey"));
        assert!(r.headers.get("authorization").is_none());
        let chat = Call::new(Operation::ChatCompletionsCreate).body(RequestBody::Bytes(
            br#"{"model":"gpt-4o","messages":[]}"#.to_vec(),
        ));
        let p = azure(None).prepare(&chat, &opts).unwrap();
        assert_eq!(p.usage, UsageKind::Completion);
        assert_eq!(p.events, EventKind::Chunks);
        assert_eq!(p.request.url, "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?user=q&api-version=2025-04-01-preview");
        let r = azure(Some("dep1")).prepare(&chat, &opts).unwrap().request;
        assert!(r.url.contains("/openai/deployments/dep1/chat/completions"));
        // A configured deployment goes before the deployment paths only
        // (openai-python shows it in its base URL all the same).
        let new = create(serde_json::json!({"model": "gpt-4o"}));
        let r = azure(Some("dep1")).prepare(&new, &opts).unwrap().request;
        assert!(r.url.contains("/openai/responses?"), "{}", r.url);
        assert_eq!(
            azure(Some("dep1")).effective_base_url(),
            "https://res.openai.azure.com/openai/deployments/dep1"
        );
        let node = ClientConfig {
            flavor: Flavor::OpenAINode,
            ..azure(Some("dep1"))
        };
        assert_eq!(
            node.effective_base_url(),
            "https://res.openai.azure.com/openai"
        );
        let with_token = RequestOptions {
            token: Some(Secret::new("tok-1")),
            ..Default::default()
        };
        let r = azure(None).prepare(&new, &with_token).unwrap().request;
        assert_eq!(r.headers.get("authorization"), Some("Bearer tok-1"));
        assert_eq!(r.headers.get("api-key"), None);
        let v1 = ClientConfig {
            base_url: "https://res.openai.azure.com/openai/v1/".into(),
            provider: Provider::Azure {
                endpoint: None,
                api_version: None,
                deployment: None,
                auth: Some(AzureAuth::BearerToken(Secret::new("tok"))),
            },
            ..Default::default()
        };
        let r = v1
            .prepare(&create(serde_json::json!({"model": "gpt-4o"})), &opts)
            .unwrap()
            .request;
        assert_eq!(r.url, "https://res.openai.azure.com/openai/v1/responses");
        assert_eq!(r.headers.get("authorization"), Some("Bearer tok"));
    }

    #[test]
    fn raw_calls_take_their_path_and_a_bad_base_url_is_a_clear_error() {
        let mut call = Call::new(Operation::Raw(Method::Get)).param("models");
        call.stream = true;
        let p = openai().prepare(&call, &RequestOptions::default()).unwrap();
        assert_eq!(p.request.url, "https://api.openai.com/v1/models");
        assert!(p.streams);
        let cfg = ClientConfig::new(None, "localhost:8080");
        let err = cfg
            .prepare(
                &Call::new(Operation::ResponsesDelete).param("r"),
                &RequestOptions::default(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }
}

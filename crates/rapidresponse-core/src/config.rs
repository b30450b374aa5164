//! What every request is built from: the client's configuration (key,
//! base URL, provider, flavor, timeouts, retry policy) and per-call
//! options. It reads no environment and no files (the shells do); the
//! endpoint table (`crate::endpoint`) turns a call into a request.

use std::fmt;
use std::time::Duration;

use crate::endpoint::Flavor;
use crate::http::Headers;
use crate::query::{Query, QueryValue};
use crate::retry::RetryPolicy;
use crate::stream::StreamRules;
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
    /// No limit (`Duration::MAX`): no timer is armed at all.
    pub const NONE: Duration = Duration::MAX;

    /// One value for every wait, as a float `timeout=` sets it in openai-python.
    pub fn all(d: Duration) -> Self {
        Timeouts {
            connect: d,
            response: d,
            read: d,
        }
    }

    /// openai-python's (httpx's) `Timeout(connect=, read=)`: `read` bounds
    /// the wait for the response and each silence of a stream.
    pub fn httpx(connect: Duration, read: Duration) -> Self {
        Timeouts {
            connect,
            response: read,
            read,
        }
    }

    /// openai-node's one `timeout`: the wait for the response (and a whole
    /// body); a stream, once open, has no read timeout.
    pub fn openai_node(d: Duration) -> Self {
        Timeouts {
            connect: d,
            response: d,
            read: Self::NONE,
        }
    }
}

/// The default largest whole body: 256 MiB, far above any real answer
/// (the 5 MB benchmark body is large), far below what would hurt a host.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Everything a request is built from. Its Debug shows the default
/// headers by name only: a profile's `http_headers` may be keys.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    pub api_key: Option<Secret>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub base_url: String,
    pub default_headers: Headers,
    pub default_query: Query,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub provider: Provider,
    pub user_agent: String,
    /// The largest SSE event accepted (see `sse::DEFAULT_MAX_EVENT_BYTES`).
    pub max_event_bytes: usize,
    /// The largest whole body (a JSON answer, an error body) accepted; a
    /// longer one ends the call with an error, not with memory exhausted.
    pub max_body_bytes: usize,
    /// Which SDK's request shape to send (headers per operation, query
    /// encoding): openai-python's by default.
    pub flavor: Flavor,
    /// How streams end and raise (`StreamRules::strict()` by default; the
    /// Python and npm packages take their SDK's preset).
    pub stream_rules: StreamRules,
    /// The secret webhook deliveries are verified with, unless a call
    /// gives its own (openai-python's `webhook_secret`).
    pub webhook_secret: Option<Secret>,
    /// The WebSocket mode's base URL (`ws://` or `wss://`) in place of the
    /// HTTP base URL's (openai-python's `websocket_base_url`).
    pub websocket_base_url: Option<String>,
    /// How requests reach the server when the caller set it (a proxy,
    /// certificates, the pool): what openai-python's `http_client=` carries.
    pub network: Network,
}

/// How the native transport reaches the server, beyond the environment:
/// data only, the transport applies it. The default is the environment's
/// (proxy variables, SSL_CERT_FILE) and the system's roots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    /// A proxy for every request (`http://user:pass@host:port`; kept as a
    /// secret: its credentials never print).
    pub proxy: Option<Secret>,
    /// The proxy's user and password when given apart from its URL.
    pub proxy_auth: Option<(String, Secret)>,
    /// Whether the proxy variables of the environment apply (httpx's
    /// `trust_env`); `None`: they do.
    pub trust_env: Option<bool>,
    /// How the server's certificate is checked.
    pub verify: Verify,
    /// A client certificate (PEM file) and its key (PEM file; `None`: in
    /// the certificate's file).
    pub client_cert: Option<(String, Option<String>)>,
    /// Idle connections kept per host.
    pub max_idle_per_host: Option<usize>,
    /// How long an idle connection is kept.
    pub idle_timeout: Option<std::time::Duration>,
}

/// How a server's certificate is checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Verify {
    /// The system's roots (and SSL_CERT_FILE).
    #[default]
    System,
    /// Only the certificates of this PEM file (httpx's `verify="ca.pem"`).
    CaFile(String),
    /// Not at all (httpx's `verify=False`): anyone on the path can read
    /// and change the traffic.
    Off,
}

impl Network {
    /// Whether nothing is set: the transport takes the environment.
    pub fn is_default(&self) -> bool {
        *self == Network::default()
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &self.api_key)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("base_url", &self.base_url)
            .field(
                "default_headers",
                &crate::http::NamesOnly(&self.default_headers),
            )
            .field("default_query", &self.default_query)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("provider", &self.provider)
            .field("user_agent", &self.user_agent)
            .field("max_event_bytes", &self.max_event_bytes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("flavor", &self.flavor)
            .field("stream_rules", &self.stream_rules)
            .field("webhook_secret", &self.webhook_secret)
            .field("websocket_base_url", &self.websocket_base_url)
            .field("network", &self.network)
            .finish()
    }
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
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            flavor: Flavor::OpenAIPython,
            stream_rules: StreamRules::strict(),
            webhook_secret: None,
            websocket_base_url: None,
            network: Network::default(),
        }
    }
}

impl ClientConfig {
    /// A config for `base_url` with a bearer key.
    pub fn new(api_key: Option<Secret>, base_url: impl Into<String>) -> Self {
        ClientConfig {
            api_key,
            base_url: base_url.into(),
            ..Default::default()
        }
    }
}

/// Per-call additions: openai-python's `extra_headers`, `extra_query` and
/// `extra_body`, openai-node's `headers`, `query` and `body` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOptions {
    /// Headers that replace the defaults; `None` removes one
    /// (openai-python's `Omit()`, openai-node's `null`).
    pub headers: Vec<(String, Option<String>)>,
    /// Query parameters: merged over the method's own (openai-python's
    /// `extra_query`), or replacing them (openai-node's `query` option).
    pub query: Option<Query>,
    /// Members merged over the body (`extra_body`).
    pub body: Extra,
    /// A bearer token for this call (from a token provider), sent as
    /// `Authorization` in place of the configured key.
    pub token: Option<Secret>,
}

impl RequestOptions {
    /// Sets a header for this call.
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), Some(value.into())));
    }

    /// Adds a query parameter for this call.
    pub fn query(&mut self, name: impl Into<String>, value: impl Into<QueryValue>) {
        self.query
            .get_or_insert_with(Vec::new)
            .push((name.into(), value.into()));
    }
}

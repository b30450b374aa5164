//! What a language shell passes, read once for both: a client's settings
//! and a call's description as serde values (JSON written by the Python
//! binding, JS objects through serde-wasm-bindgen), and how they become the
//! core's `ClientConfig`, `Call` and options for the SDK a shell mirrors
//! (`Flavor`: openai-python's seconds and httpx timeouts, openai-node's
//! milliseconds). It sends nothing; the request body stays the shell's
//! bytes.

use rapidresponse_core::websocket::ReconnectPolicy;
use rapidresponse_core::{
    AzureAuth, Call, ClientConfig, Error, Flavor, Operation, Provider, Query, QueryValue,
    RequestBody, RequestOptions, Secret, Timeouts,
};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::time::Duration;

use crate::client::CallOptions;

/// A `timeout`: a number (seconds in openai-python, milliseconds in
/// openai-node), or openai-python's `Timeout(connect=, read=)`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum TimeoutSpec {
    Number(f64),
    Parts {
        connect: Option<f64>,
        read: Option<f64>,
    },
}

/// Azure OpenAI's settings.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AzureSpec {
    pub endpoint: Option<String>,
    pub api_version: Option<String>,
    pub deployment: Option<String>,
    /// An `api-key`.
    pub api_key: Option<String>,
    /// A fixed Entra ID token (a provider's tokens come per call).
    pub ad_token: Option<String>,
}

/// A client's settings as the shell resolved them (arguments, environment).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Settings {
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    /// Names to values; null leaves a header out.
    #[serde(default)]
    pub default_headers: Map<String, Value>,
    #[serde(default)]
    pub default_query: Map<String, Value>,
    /// Absent: the SDK's default; null: no limit.
    #[serde(default, deserialize_with = "present")]
    pub timeout: Option<Option<TimeoutSpec>>,
    #[serde(default)]
    pub max_retries: Option<u32>,
    #[serde(default)]
    pub azure: Option<AzureSpec>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Tests scale the retry backoff down; its shape stays the SDK's.
    #[serde(default)]
    pub retry_delay_scale: Option<f64>,
    /// The largest whole body accepted (ours; the SDKs have no limit).
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// The WebSocket mode's base URL in place of the HTTP one's
    /// (openai-python's `websocket_base_url`).
    #[serde(default)]
    pub websocket_base_url: Option<String>,
    /// What openai-python's `http_client=` carries that the transport can
    /// take (the Python layer translates it). Native only: a browser's
    /// fetch takes none of it.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default)]
    pub network: Option<NetworkSpec>,
}

/// A proxy, certificates and the pool, as httpx names them.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct NetworkSpec {
    /// A proxy URL (credentials in it allowed).
    pub proxy: Option<String>,
    /// The proxy's user and password, apart from its URL.
    pub proxy_auth: Option<(String, String)>,
    /// Whether the environment's proxy variables apply.
    pub trust_env: Option<bool>,
    /// `true`, `false`, or a CA bundle's path.
    pub verify: Option<Value>,
    /// A client certificate's PEM file, and its key's (when apart).
    pub cert: Option<String>,
    pub key: Option<String>,
    pub max_keepalive_connections: Option<usize>,
    /// Seconds an idle connection is kept.
    pub keepalive_expiry: Option<f64>,
}

#[cfg(not(target_arch = "wasm32"))]
impl NetworkSpec {
    fn network(&self) -> Result<rapidresponse_core::Network, Error> {
        use rapidresponse_core::{Network, Verify};
        let verify = match &self.verify {
            None | Some(Value::Bool(true)) | Some(Value::Null) => Verify::System,
            Some(Value::Bool(false)) => Verify::Off,
            Some(Value::String(path)) => Verify::CaFile(path.clone()),
            Some(other) => {
                return Err(Error::Config(format!(
                    "verify must be true, false or a CA bundle's path, not {other}"
                )))
            }
        };
        let idle_timeout = match self.keepalive_expiry {
            Some(s) if s.is_finite() && s >= 0.0 => Some(Duration::from_secs_f64(s)),
            Some(_) => return Err(Error::Config("keepalive_expiry must be ≥ 0".into())),
            None => None,
        };
        Ok(Network {
            proxy: self.proxy.clone().map(Secret::new),
            proxy_auth: self
                .proxy_auth
                .clone()
                .map(|(user, password)| (user, Secret::new(password))),
            trust_env: self.trust_env,
            verify,
            client_cert: self.cert.clone().map(|c| (c, self.key.clone())),
            max_idle_per_host: self.max_keepalive_connections,
            idle_timeout,
        })
    }
}

/// Per-call options.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct OptionsSpec {
    /// Absent: the client's; null: no limit.
    #[serde(deserialize_with = "present")]
    pub timeout: Option<Option<TimeoutSpec>>,
    pub max_retries: Option<u32>,
    /// Names to values; null removes a default header.
    pub headers: Map<String, Value>,
    /// openai-python's `extra_query` (merged), openai-node's `query`
    /// (replacing the method's).
    pub query: Option<Map<String, Value>>,
    /// Members merged over the body (`extra_body`).
    pub body: Map<String, Value>,
    /// A token provider's bearer token for this call.
    pub token: Option<String>,
}

/// One call as a resource method describes it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CallSpec {
    /// An operation of the endpoint table (`responses.create`, ...), or a
    /// raw verb (`get`, `post`, ...).
    pub op: String,
    /// Path parameters; for a raw call, the path.
    #[serde(default)]
    pub params: Vec<String>,
    /// The method's own query parameters, in order.
    #[serde(default)]
    pub query: Map<String, Value>,
    /// Raw calls: the answer is an event stream.
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub options: OptionsSpec,
    /// `responses.connect`: how the connection reopens and queues.
    #[serde(default)]
    pub connect: ConnectSpec,
}

/// The SDKs' WebSocket options, times in the flavor's unit (openai-python:
/// seconds; openai-node: milliseconds).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ConnectSpec {
    /// Present: reconnect after a recoverable close (the SDKs' opt-in).
    pub reconnect: Option<ReconnectSpec>,
    /// The send queue's limit in bytes while reconnecting.
    pub max_queue_size: Option<usize>,
}

/// What a shell's reconnect hook answered (the SDKs' `on_reconnecting` /
/// `onReconnecting` results, as the shell read them).
#[derive(Debug)]
pub enum ReconnectAnswer {
    /// Stop reconnecting (`abort`, `false`, or the hook threw).
    Stop,
    /// Go on with the options as they are.
    Keep,
    /// Go on with this call description's options (new query, headers);
    /// one that does not read is a stop.
    Replace(Option<Box<CallSpec>>),
}

impl ReconnectAnswer {
    /// Applies the answer to the next upgrade's options; whether to go on.
    pub fn apply(self, flavor: Flavor, options: &mut RequestOptions) -> bool {
        match self {
            ReconnectAnswer::Stop => false,
            ReconnectAnswer::Keep => true,
            ReconnectAnswer::Replace(spec) => {
                match spec.and_then(|s| (*s).into_call(None, flavor).ok()) {
                    Some((_, new)) => {
                        *options = new.request;
                        true
                    }
                    None => false,
                }
            }
        }
    }
}

/// `max_retries` / `initial_delay` / `max_delay` (both shells send these
/// names); absent ones are the SDKs' defaults.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ReconnectSpec {
    pub max_retries: Option<u32>,
    pub initial_delay: Option<f64>,
    pub max_delay: Option<f64>,
}

impl ReconnectSpec {
    /// The core's policy, times read in the flavor's unit.
    pub fn policy(&self, flavor: Flavor) -> Result<ReconnectPolicy, Error> {
        let unit = if flavor == Flavor::OpenAINode {
            1e-3
        } else {
            1.0
        };
        let time = |v: Option<f64>, default: Duration| match v {
            None => Ok(default),
            Some(v) if v.is_finite() && v >= 0.0 => Ok(Duration::from_secs_f64(v * unit)),
            Some(_) => Err(Error::Config("reconnect delays must be numbers ≥ 0".into())),
        };
        let d = ReconnectPolicy::default();
        Ok(ReconnectPolicy {
            max_retries: self.max_retries.unwrap_or(d.max_retries),
            initial_delay: time(self.initial_delay, d.initial_delay)?,
            max_delay: time(self.max_delay, d.max_delay)?,
        })
    }
}

/// `Some(None)` for an explicit null, `None` when absent (with `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn query(map: &Map<String, Value>) -> Query {
    map.iter()
        .map(|(k, v)| (k.clone(), QueryValue::from(v)))
        .collect()
}

fn headers(map: &Map<String, Value>) -> Vec<(String, Option<String>)> {
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    map.iter().map(|(k, v)| (k.clone(), text(v))).collect()
}

/// The waits a `timeout` gives in the flavor's units and meaning.
pub fn timeouts(spec: Option<TimeoutSpec>, flavor: Flavor) -> Result<Timeouts, Error> {
    let wait = |n: Option<f64>, unit: f64| match n {
        None => Ok(Timeouts::NONE),
        Some(n) => Duration::try_from_secs_f64(n / unit).map_err(|_| {
            Error::Config(format!("a timeout must be a non-negative number, got {n}"))
        }),
    };
    Ok(match (spec, flavor) {
        (None, _) => Timeouts::all(Timeouts::NONE),
        (Some(TimeoutSpec::Number(ms)), Flavor::OpenAINode) => {
            Timeouts::openai_node(wait(Some(ms), 1000.0)?)
        }
        (Some(TimeoutSpec::Number(s)), Flavor::OpenAIPython) => Timeouts::all(wait(Some(s), 1.0)?),
        (Some(TimeoutSpec::Parts { connect, read }), _) => {
            Timeouts::httpx(wait(connect, 1.0)?, wait(read, 1.0)?)
        }
    })
}

impl Settings {
    /// The client configuration of these settings, with the SDK's presets
    /// (request shape, stream rules, retry policy).
    pub fn config(&self, flavor: Flavor) -> Result<ClientConfig, Error> {
        let mut config = ClientConfig::new(self.api_key.clone().map(Secret::new), &self.base_url);
        config.organization = self.organization.clone();
        config.project = self.project.clone();
        for (k, v) in headers(&self.default_headers) {
            if let Some(v) = v {
                config.default_headers.set(k, v);
            }
        }
        config.default_query = query(&self.default_query);
        if let Some(t) = self.timeout {
            config.timeouts = timeouts(t, flavor)?;
        }
        config.adopt(flavor);
        if let Some(n) = self.max_retries {
            config.retry.max_retries = n;
        }
        if let Some(scale) = self.retry_delay_scale {
            config.retry = config
                .retry
                .clone()
                .with_delays_scaled(scale)
                .ok_or_else(|| Error::Config("retry_delay_scale must be positive".into()))?;
        }
        if let Some(ua) = &self.user_agent {
            config.user_agent = ua.clone();
        }
        if let Some(n) = self.max_body_bytes {
            config.max_body_bytes = n;
        }
        config.websocket_base_url = self.websocket_base_url.clone();
        if let Some(azure) = &self.azure {
            let auth = match (&azure.api_key, &azure.ad_token) {
                (Some(k), _) => Some(AzureAuth::ApiKey(Secret::new(k.as_str()))),
                (None, Some(t)) => Some(AzureAuth::BearerToken(Secret::new(t.as_str()))),
                (None, None) => None,
            };
            config.provider = Provider::Azure {
                endpoint: azure.endpoint.clone(),
                api_version: azure.api_version.clone(),
                deployment: azure.deployment.clone(),
                auth,
            };
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(network) = &self.network {
            config.network = network.network()?;
        }
        Ok(config)
    }
}

impl CallSpec {
    /// The core's call (with `body`, the JSON the shell wrote) and the
    /// call's options.
    pub fn into_call(
        self,
        body: Option<Vec<u8>>,
        flavor: Flavor,
    ) -> Result<(Call, CallOptions), Error> {
        let op = Operation::from_name(&self.op)
            .ok_or_else(|| Error::Config(format!("unknown operation {:?}", self.op)))?;
        let mut call = Call::new(op);
        call.path_params = self.params;
        call.query = query(&self.query);
        call.stream = self.stream;
        call.body = body.map(RequestBody::Bytes);
        let o = self.options;
        let mut options = CallOptions::new();
        if let Some(t) = o.timeout {
            options.timeouts = Some(timeouts(t, flavor)?);
        }
        options.max_retries = o.max_retries;
        options.request.headers = headers(&o.headers);
        options.request.query = o.query.as_ref().map(query);
        options.request.body = o.body;
        options.request.token = o.token.map(Secret::new);
        Ok((call, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_calls_read_as_each_sdk_means_them() {
        let s: Settings = serde_json::from_str(
            r#"{"base_url": "http://x/v1", "api_key": "k", "timeout": {"connect": 5, "read": 600},
                "default_headers": {"A": "1", "B": null}, "max_retries": 0}"#,
        )
        .unwrap();
        let c = s.config(Flavor::OpenAIPython).unwrap();
        assert_eq!(c.timeouts.connect, Duration::from_secs(5));
        assert_eq!(c.timeouts.read, Duration::from_secs(600));
        assert_eq!(c.retry.max_retries, 0);
        assert_eq!(c.default_headers.get("a"), Some("1"));
        assert_eq!(c.default_headers.get("b"), None);
        let node: Settings =
            serde_json::from_str(r#"{"base_url": "http://x/v1", "timeout": 1500}"#).unwrap();
        let c = node.config(Flavor::OpenAINode).unwrap();
        assert_eq!(c.timeouts.response, Duration::from_millis(1500));
        assert_eq!(
            c.timeouts.read,
            Timeouts::NONE,
            "openai-node: no read timeout"
        );
        assert_eq!(c.stream_rules, Flavor::OpenAINode.stream_rules());
        assert_eq!(c.retry.max_retries, 2);

        let spec: CallSpec = serde_json::from_str(
            r#"{"op": "responses.retrieve", "params": ["r"], "query": {"stream": true, "include": ["a"]},
                "options": {"timeout": null, "headers": {"X": "1", "Y": null}, "token": "t"}}"#,
        )
        .unwrap();
        let (call, options) = spec.into_call(None, Flavor::OpenAIPython).unwrap();
        assert_eq!(call.op, Operation::ResponsesRetrieve);
        assert_eq!(call.query[1].0, "include", "the caller's order");
        assert_eq!(options.timeouts, Some(Timeouts::all(Timeouts::NONE)));
        assert_eq!(options.request.headers[1], ("Y".into(), None));
        assert!(options.request.token.is_some());
        let absent: CallSpec =
            serde_json::from_str(r#"{"op": "get", "params": ["/models"]}"#).unwrap();
        let (_, options) = absent.into_call(None, Flavor::OpenAINode).unwrap();
        assert_eq!(options.timeouts, None, "absent: the client's");
        let bad: CallSpec = serde_json::from_str(r#"{"op": "nope"}"#).unwrap();
        assert!(bad.into_call(None, Flavor::OpenAINode).is_err());
    }
}

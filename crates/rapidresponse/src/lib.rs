//! rapidresponse: a fast, lossless client for the OpenAI Responses API
//! (and Chat Completions), for OpenAI, Azure OpenAI, OpenRouter and any
//! server that speaks the API.
//!
//! One request/retry/stream loop (`Client`) runs over a `Transport`:
//! `NativeTransport` natively (feature `native`, on by default), a fetch
//! transport in the browser (the wasm package), `MemoryTransport` in unit
//! tests. Wire types, decoding and decisions come from `rapidresponse-core`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rapidresponse::Error> {
//! use rapidresponse::{Client, CreateResponse};
//! use std::time::Duration;
//! let client = Client::from_env()?;
//! let r = client.responses().create(CreateResponse::new("gpt-5", "Hi")).timeout(Duration::from_secs(30)).await?;
//! println!("{}", r.output_text());
//! let mut stream = client.responses().create_stream(CreateResponse::new("gpt-5", "Say hi")).await?;
//! while let Some(event) = stream.next().await {
//!     if let rapidresponse::ResponseStreamEvent::OutputTextDelta(d) = event?.event {
//!         print!("{}", d.delta.as_deref().unwrap_or(""));
//!     }
//! }
//! println!("\n{:?}", client.usage().tokens);
//! # Ok(()) }
//! ```

/// A `tracing` event with the crate's target, or nothing without the
/// `tracing` feature.
macro_rules! log {
    ($level:ident, $($arg:tt)*) => {
        #[cfg(feature = "tracing")]
        tracing::$level!(target: "rapidresponse", $($arg)*);
    };
}

mod client;
mod conversations;
#[cfg(feature = "native")]
pub mod embed;
pub mod env;
mod models;
#[cfg(feature = "native")]
mod native;
#[cfg(feature = "native")]
mod native_socket;
mod resources;
pub mod settings;
mod stream;
pub mod transport;
pub mod websocket;

pub use client::{Answer, ApiResponse, CallOptions, Client, Ready, TokenProvider, UsageOf};
pub use conversations::{ConversationItems, Conversations, Webhooks};
pub use models::Models;
#[cfg(feature = "native")]
pub use native::NativeTransport;
#[cfg(feature = "native")]
pub use native_socket::{NativeSender, NativeSocket};
pub use rapidresponse_core as core;
pub use rapidresponse_core::types::*;
pub use rapidresponse_core::websocket::ReconnectPolicy;
pub use rapidresponse_core::{
    ApiError, Call, ClientConfig, Error, ErrorKind, Field, Flavor, Headers, Method, Operation,
    Price, Provider, QueryValue, RateLimit, RequestBody, RequestOptions, RetryPolicy, Secret,
    StreamRules, TimeoutKind, Timeouts, UsageTotals,
};
pub use resources::{
    Chat, ChatCompletions, Completions, InputItems, InputTokens, Parsed, Request, Responses,
};
pub use stream::{ChunkStream, Event, EventStream, ResponseStream};
pub use transport::{Body, MemoryTransport, Transport};
pub use websocket::{
    ReconnectHandler, Reconnecting, ResponsesConnection, ResponsesSender, Socket, SocketEvent,
    SocketSender, SocketTransport,
};

#[cfg(feature = "native")]
impl Client<NativeTransport> {
    /// A client over the native transport (hyper, or reqwest behind a proxy) for `config`.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let transport = NativeTransport::for_network(config.timeouts.connect, &config.network)
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", e.message)))?;
        Ok(Client::with_transport(config, transport))
    }

    /// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_WEBHOOK_SECRET.
    pub fn from_env() -> Result<Self, Error> {
        Client::new(env::openai_config(&|k| std::env::var(k).ok())?)
    }

    /// Azure OpenAI from AZURE_OPENAI_* and OPENAI_API_VERSION.
    pub fn azure_from_env(deployment: Option<&str>) -> Result<Self, Error> {
        Client::new(env::azure_config(&|k| std::env::var(k).ok(), deployment)?)
    }

    /// A profile of Codex's config.toml (`$CODEX_HOME` or `~/.codex`); the
    /// key comes from the provider's `env_key`. Gives the default model too.
    pub fn from_profile(name: &str) -> Result<(Self, Option<String>), Error> {
        let profile = env::load_profile(Some(name), &|k| std::env::var(k).ok())?;
        let config = profile.responses_config()?.clone();
        Ok((Client::new(config)?, profile.model))
    }
}

//! Sans-IO core of rapidresponse: the OpenAI Responses API's wire types, an
//! SSE decoder, event decoding, a response accumulator, the error model, the
//! retry decision, request building, provider profiles and usage/cost.
//!
//! It does no I/O and reads no clock, environment or randomness: bytes and
//! values go in, events, requests and decisions come out (like h11 and
//! quinn-proto). The client loop, transports and language shells build on it.

#[macro_use]
#[doc(hidden)]
pub mod wire;
pub mod field;
pub mod types;

pub use field::{Extra, Field};
pub use types::*;
pub mod accumulator;
pub mod error;
pub mod events;
pub mod http;
pub mod sse;

pub use accumulator::{ResponseAccumulator, Terminal};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, TimeoutKind};
pub use events::{DecodeError, Decoded, EventDecoder, ResponseEventDecoder, StreamEvent};
pub use http::{Headers, HttpRequest, Method};
pub use sse::{Frame, SseDecoder, SseError};
pub mod profile;
pub mod request;
pub mod retry;
pub mod usage;

pub use request::{
    AzureAuth, ClientConfig, ListParams, Provider, RequestOptions, RetrieveParams, Secret, Timeouts,
};
pub use retry::{Decision, Outcome, RetryPolicy, ServerDelayRule};
pub use usage::{Price, PriceTable, TokenCounts, UsageTotals};
pub mod digest;
pub mod ratelimit;
pub use ratelimit::RateLimit;

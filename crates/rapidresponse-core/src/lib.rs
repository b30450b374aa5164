//! Sans-IO core of rapidresponse: the OpenAI Responses API's wire types, an
//! SSE decoder, the stream state machine (events, accumulation, every end
//! and error rule), the endpoint table and request building, the error
//! model, the retry decision, provider profiles and usage/cost.
//!
//! It does no I/O and reads no clock, environment or randomness: bytes and
//! values go in, events, requests and decisions come out (like h11 and
//! quinn-proto). The client loop, transports and language shells build on
//! it; where openai-python and openai-node differ, the difference is a
//! preset here (`Flavor`, `StreamRules`, `RetryPolicy`).

#[macro_use]
#[doc(hidden)]
pub mod wire;
pub mod field;
pub mod types;

pub use field::{Extra, Field};
pub use types::*;
pub mod accumulator;
pub mod config;
pub mod decode;
pub mod digest;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod profile;
pub mod query;
pub mod ratelimit;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod usage;
pub mod view;

pub use accumulator::{ResponseAccumulator, SnapshotRef, Terminal};
pub use config::{AzureAuth, ClientConfig, Provider, RequestOptions, Secret, Timeouts};
pub use decode::{DecodeError, StreamEvent};
pub use endpoint::{Call, EventKind, Flavor, Operation, Prepared, RequestBody, UsageKind};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, Report, TimeoutKind};
pub use http::{Headers, HttpRequest, Method};
pub use query::{Query, QueryValue};
pub use ratelimit::RateLimit;
pub use retry::{Decision, Outcome, RetryPolicy, ServerDelayRule};
pub use sse::{Frame, SseDecoder, SseError};
pub use stream::{Delivery, FinalError, FinalRule, Step, StreamMachine, StreamRules};
pub use usage::{Price, PriceTable, TokenCounts, UsageTotals};

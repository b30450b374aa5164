//! Sans-IO core of rapidresponse: the OpenAI Responses API's wire types, an
//! SSE decoder, the stream state machine (events, accumulation, every end
//! and error rule), the endpoint table and request building, the error
//! model, the retry decision, provider profiles, usage/cost and webhook
//! signatures.
//!
//! It does no I/O and reads no clock, environment or randomness: bytes and
//! values go in, events, requests and decisions come out (like h11 and
//! quinn-proto). The client loop, transports and language shells build on
//! it; where openai-python and openai-node differ, the difference is a
//! preset here (`Flavor`, `StreamRules`, `RetryPolicy`).
//!
//! ```
//! use rapidresponse_core::*;
//! use std::collections::VecDeque;
//!
//! // Bytes in as they arrive; events, snapshots and the end come out.
//! let rules = StreamRules::strict();                    // the Rust crate's; also openai_python(), openai_node()
//! let mut machine = StreamMachine::new(EventKind::Responses, UsageKind::Response, rules, None, 1 << 20);
//! let mut steps = VecDeque::new();
//! machine.feed(b"data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\
//!                \"content_index\":0,\"delta\":\"Hi\"}\n\n", &mut steps);
//! let Some(Step::Event(delivery)) = steps.pop_front() else { panic!() };
//! let snapshot = delivery.snapshot.unwrap();            // where the text so far is
//! assert_eq!(machine.accumulator().snapshot_text(snapshot), Some("Hi"));
//! let event = StreamEvent::<ResponseStreamEvent>::decode(delivery).unwrap();   // typed, raw JSON kept
//! assert!(matches!(event.event, ResponseStreamEvent::OutputTextDelta(_)));
//! // The body ends before a terminal event: under these rules, an error carrying the partial response.
//! machine.finish(&mut steps);
//! let Some(Step::End(Err(error))) = steps.pop_front() else { panic!() };
//! assert!(error.partial_response().is_some());
//! ```

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
pub mod paging;
pub mod profile;
pub mod query;
pub mod ratelimit;
pub mod redirect;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod usage;
pub mod view;
pub mod webhook;
pub mod websocket;

pub use accumulator::{ResponseAccumulator, SnapshotRef, Terminal};
pub use config::{
    AzureAuth, ClientConfig, Network, Provider, RequestOptions, Secret, Timeouts, Verify,
};
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
pub use webhook::{WebhookError, WebhookHeaders};

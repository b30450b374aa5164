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
pub mod events;
pub mod sse;

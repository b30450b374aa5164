//! Any JSON through the wire types: what parses serialises, and parsing
//! that again gives the same JSON (drift is kept, never reshaped twice).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::{ChatCompletion, CreateResponse, Item, Response, ResponseStreamEvent};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn stable<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(first) = serde_json::from_slice::<T>(data) else { return };
    let once: Value = serde_json::to_value(&first).expect("what parsed serialises");
    let second: T = serde_json::from_value(once.clone()).expect("what serialised parses");
    let twice = serde_json::to_value(&second).expect("serialises again");
    assert_eq!(once, twice);
}

fuzz_target!(|data: &[u8]| {
    stable::<Response>(data);
    stable::<ResponseStreamEvent>(data);
    stable::<Item>(data);
    stable::<CreateResponse>(data);
    stable::<ChatCompletion>(data);
});

//! Stored responses: their current state, input items, event log and, for
//! background responses, the timed release of events that lets GET show
//! progress, cancel work and streams resume. It does not build responses.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::server::{lock, State};

/// One stored response.
#[derive(Debug)]
pub(crate) struct Stored {
    /// What GET returns now (status moves on in background mode).
    pub snapshot: Value,
    /// The response as it ends; a chain continues from it.
    pub final_response: Value,
    /// This response's input items, each with an id, in request order.
    pub input_items: Vec<Value>,
    /// The whole conversation: earlier turns, this input and this output.
    pub context: Vec<Value>,
    /// 1 for a first turn, then one more per `previous_response_id` link.
    pub turn: usize,
    /// Every event of the response's stream, numbered from 0.
    pub events: Vec<Value>,
    /// How many of `events` have happened so far.
    pub released: usize,
    /// No more events will be released (completed or cancelled).
    pub finished: bool,
    pub background: bool,
    /// Wakes followers when events are released or the response ends.
    pub changed: watch::Sender<()>,
}

impl Stored {
    pub fn status(&self) -> &str {
        self.snapshot
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    responses: HashMap<String, Stored>,
}

impl Store {
    pub fn insert(&mut self, id: String, stored: Stored) {
        self.responses.insert(id, stored);
    }

    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.responses.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        self.responses.get_mut(id)
    }

    pub fn remove(&mut self, id: &str) -> Option<Stored> {
        self.responses.remove(id)
    }

    /// An item with this id among the stored inputs and outputs (what an
    /// `item_reference` points to).
    pub fn find_item(&self, id: &str) -> Option<Value> {
        self.responses.values().find_map(|stored| {
            let outputs = stored
                .final_response
                .get("output")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            stored
                .input_items
                .iter()
                .chain(outputs)
                .find(|item| item.get("id").and_then(Value::as_str) == Some(id))
                .cloned()
        })
    }
}

/// Reads a stored response's events in order, waiting for ones not yet
/// released; ends when the response is finished, cancelled or deleted.
pub(crate) struct Follower {
    state: Arc<State>,
    id: String,
    next_index: usize,
    changed: watch::Receiver<()>,
}

impl Follower {
    /// Follows from the event after `starting_after` (from the start when
    /// `None`); `None` when the id is unknown.
    pub fn new(state: Arc<State>, id: &str, starting_after: Option<u64>) -> Option<Follower> {
        let changed = lock(&state.store).get(id)?.changed.subscribe();
        let next_index = starting_after.map_or(0, |n| {
            usize::try_from(n).unwrap_or(usize::MAX).saturating_add(1)
        });
        Some(Follower {
            state,
            id: id.to_owned(),
            next_index,
            changed,
        })
    }

    pub async fn next(&mut self) -> Option<Value> {
        loop {
            // Marked seen before looking, so a release after the look wakes us.
            self.changed.borrow_and_update();
            {
                let store = lock(&self.state.store);
                let stored = store.get(&self.id)?;
                if self.next_index < stored.released {
                    self.next_index += 1;
                    return Some(stored.events[self.next_index - 1].clone());
                }
                if stored.finished {
                    return None;
                }
            }
            self.changed.changed().await.ok()?;
        }
    }
}

/// Event types whose `response` member is the response's state at that point.
const LIFECYCLE_EVENTS: [&str; 6] = [
    "response.created",
    "response.queued",
    "response.in_progress",
    "response.completed",
    "response.failed",
    "response.incomplete",
];

/// Releases events `0..upto` and updates the snapshot; false when the
/// response is gone or already finished (cancelled), so the caller stops.
pub(crate) fn release(state: &State, id: &str, upto: usize) -> bool {
    let mut store = lock(&state.store);
    let Some(stored) = store.get_mut(id) else {
        return false;
    };
    if stored.finished {
        return false;
    }
    stored.released = upto.min(stored.events.len());
    let latest = stored.events[..stored.released].iter().rev().find(|e| {
        e.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| LIFECYCLE_EVENTS.contains(&t))
    });
    if let Some(response) = latest.and_then(|e| e.get("response")) {
        stored.snapshot = response.clone();
    }
    if stored.released == stored.events.len() {
        stored.finished = true;
    }
    stored.changed.send_replace(());
    true
}

/// When a background response moves from queued to in progress.
const IN_PROGRESS_AFTER: Duration = Duration::from_millis(100);
/// How long the rest of the events take to come out after that.
const OUTPUT_DURATION: Duration = Duration::from_millis(150);
/// The rest of the events come out in at most this many batches.
const OUTPUT_STEPS: usize = 10;

/// Runs a background response: `queued` at once (the first `queued_events`
/// are released already), `in_progress` after 100 ms, the output and the
/// end within ~250 ms. Stops early when it is cancelled or deleted.
pub(crate) fn spawn_background(state: Arc<State>, id: String, queued_events: usize) {
    tokio::spawn(async move {
        tokio::time::sleep(IN_PROGRESS_AFTER).await;
        // `response.in_progress` follows the queued events.
        let in_progress_end = queued_events + 1;
        if !release(&state, &id, in_progress_end) {
            return;
        }
        let total = match lock(&state.store).get(&id) {
            Some(stored) => stored.events.len(),
            None => return,
        };
        let remaining = total.saturating_sub(in_progress_end);
        let steps = remaining.clamp(1, OUTPUT_STEPS);
        for step in 1..=steps {
            tokio::time::sleep(OUTPUT_DURATION / steps as u32).await;
            let upto = in_progress_end + (remaining * step).div_ceil(steps);
            if !release(&state, &id, upto) {
                return;
            }
        }
    });
}

//! `ResponseAccumulator` folds stream events into the response so far:
//! output items by `output_index`, text per content part, tool-call
//! arguments, reasoning text, annotations and usage. It never fails on
//! events out of order, repeated, or for indexes it has not seen; it only
//! remembers text, never the events themselves.

use crate::error::Error;
use crate::types::*;
use crate::Field;

/// Indexes above this are treated as garbage rather than allocated.
const MAX_INDEX: usize = 1 << 16;

/// How the stream ended, when it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    Completed,
    Incomplete,
    Failed,
}

impl Terminal {
    /// The end an event of this `type` (or SSE `event:` name) brings, if
    /// any: for shells that read events without decoding them.
    pub fn of_event_type(name: &str) -> Option<Terminal> {
        match name {
            "response.completed" => Some(Terminal::Completed),
            "response.incomplete" => Some(Terminal::Incomplete),
            "response.failed" => Some(Terminal::Failed),
            _ => None,
        }
    }
}

/// The response so far of one stream.
#[derive(Debug, Default)]
pub struct ResponseAccumulator {
    /// The latest response object of a lifecycle event (created, queued,
    /// in_progress), without the items built here.
    base: Option<Response>,
    /// Output items by `output_index`.
    items: Vec<Option<Item>>,
    final_response: Option<Response>,
    terminal: Option<Terminal>,
    errors: Vec<ErrorObject>,
    last_sequence_number: Option<u64>,
    events: u64,
}

impl ResponseAccumulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event in.
    pub fn apply(&mut self, event: &ResponseStreamEvent) {
        use ResponseStreamEvent as E;
        self.events += 1;
        if let Some(n) = event.sequence_number() {
            self.last_sequence_number = Some(self.last_sequence_number.map_or(n, |m| m.max(n)));
        }
        match event {
            E::OutputTextDelta(e) => {
                if let Some(text) =
                    self.output_text_mut(&e.output_index, &e.content_index, &e.item_id)
                {
                    text.push_str(e.delta.as_deref().unwrap_or(""));
                }
            }
            E::OutputTextDone(e) => {
                if let (Some(text), Some(done)) = (
                    self.output_text_mut(&e.output_index, &e.content_index, &e.item_id),
                    e.text.get(),
                ) {
                    text.clone_from(done);
                }
            }
            E::Created(e) => self.set_base(&e.response),
            E::InProgress(e) => self.set_base(&e.response),
            E::Queued(e) => self.set_base(&e.response),
            E::Completed(e) => self.set_final(&e.response, Terminal::Completed),
            E::Incomplete(e) => self.set_final(&e.response, Terminal::Incomplete),
            E::Failed(e) => self.set_final(&e.response, Terminal::Failed),
            E::OutputItemAdded(e) => self.set_item(&e.output_index, &e.item),
            E::OutputItemDone(e) => self.set_item(&e.output_index, &e.item),
            E::ContentPartAdded(e) => {
                self.set_part(&e.output_index, &e.item_id, &e.content_index, &e.part)
            }
            E::ContentPartDone(e) => {
                self.set_part(&e.output_index, &e.item_id, &e.content_index, &e.part)
            }
            E::OutputTextAnnotationAdded(e) => {
                let (Some(annotation), Some(text)) = (
                    e.annotation.get(),
                    self.output_text_part_mut(&e.output_index, &e.content_index, &e.item_id),
                ) else {
                    return;
                };
                let list = text.annotations.get_or_insert_with(Vec::new);
                match index(&e.annotation_index) {
                    Some(i) if i < list.len() => list[i] = annotation.clone(),
                    _ => list.push(annotation.clone()),
                }
            }
            E::RefusalDelta(e) => {
                if let Some(r) = self.refusal_mut(&e.output_index, &e.content_index, &e.item_id) {
                    r.push_str(e.delta.as_deref().unwrap_or(""));
                }
            }
            E::RefusalDone(e) => {
                if let (Some(r), Some(done)) = (
                    self.refusal_mut(&e.output_index, &e.content_index, &e.item_id),
                    e.refusal.get(),
                ) {
                    r.clone_from(done);
                }
            }
            E::FunctionCallArgumentsDelta(e) => {
                if let Some(Item::FunctionCall(c)) = self.item_or(&e.output_index, || {
                    Item::FunctionCall(FunctionCallItem {
                        id: e.item_id.clone(),
                        ..Default::default()
                    })
                }) {
                    push(&mut c.arguments, &e.delta);
                }
            }
            E::FunctionCallArgumentsDone(e) => {
                if let Some(Item::FunctionCall(c)) = self.item(&e.output_index) {
                    set(&mut c.arguments, &e.arguments);
                    if e.name.is_value() {
                        c.name.clone_from(&e.name);
                    }
                }
            }
            E::CustomToolCallInputDelta(e) => {
                if let Some(Item::CustomToolCall(c)) = self.item(&e.output_index) {
                    push(&mut c.input, &e.delta);
                }
            }
            E::CustomToolCallInputDone(e) => {
                if let Some(Item::CustomToolCall(c)) = self.item(&e.output_index) {
                    set(&mut c.input, &e.input);
                }
            }
            E::McpCallArgumentsDelta(e) => {
                if let Some(Item::McpCall(c)) = self.item(&e.output_index) {
                    push(&mut c.arguments, &e.delta);
                }
            }
            E::McpCallArgumentsDone(e) => {
                if let Some(Item::McpCall(c)) = self.item(&e.output_index) {
                    set(&mut c.arguments, &e.arguments);
                }
            }
            E::CodeInterpreterCallCodeDelta(e) => {
                if let Some(Item::CodeInterpreterCall(c)) = self.item(&e.output_index) {
                    push(&mut c.code, &e.delta);
                }
            }
            E::CodeInterpreterCallCodeDone(e) => {
                if let Some(Item::CodeInterpreterCall(c)) = self.item(&e.output_index) {
                    set(&mut c.code, &e.code);
                }
            }
            E::ReasoningSummaryPartAdded(e) => {
                self.set_summary_part(&e.output_index, &e.item_id, &e.summary_index, &e.part)
            }
            E::ReasoningSummaryPartDone(e) => {
                self.set_summary_part(&e.output_index, &e.item_id, &e.summary_index, &e.part)
            }
            E::ReasoningSummaryTextDelta(e) => {
                if let Some(t) =
                    self.reasoning_text_mut(&e.output_index, &e.item_id, &e.summary_index, true)
                {
                    t.push_str(e.delta.as_deref().unwrap_or(""));
                }
            }
            E::ReasoningSummaryTextDone(e) => {
                if let (Some(t), Some(done)) = (
                    self.reasoning_text_mut(&e.output_index, &e.item_id, &e.summary_index, true),
                    e.text.get(),
                ) {
                    t.clone_from(done);
                }
            }
            E::ReasoningTextDelta(e) => {
                if let Some(t) =
                    self.reasoning_text_mut(&e.output_index, &e.item_id, &e.content_index, false)
                {
                    t.push_str(e.delta.as_deref().unwrap_or(""));
                }
            }
            E::ReasoningTextDone(e) => {
                if let (Some(t), Some(done)) = (
                    self.reasoning_text_mut(&e.output_index, &e.item_id, &e.content_index, false),
                    e.text.get(),
                ) {
                    t.clone_from(done);
                }
            }
            E::Error(e) => self.errors.push(e.error_object()),
            _ => {}
        }
    }

    /// The text of one `output_text` part so far (the `snapshot` the SDKs
    /// attach to a delta event).
    pub fn part_text(&self, output_index: usize, content_index: usize) -> Option<&str> {
        let Some(Some(Item::Message(m))) = self.items.get(output_index) else {
            return None;
        };
        let Some(MessageContent::Parts(parts)) = m.content.get() else {
            return None;
        };
        match parts.get(content_index)? {
            ContentPart::OutputText(t) => t.text.as_deref(),
            _ => None,
        }
    }

    /// The arguments so far of the function (or MCP) call at `output_index`
    /// (the `snapshot` of an arguments delta event).
    pub fn arguments(&self, output_index: usize) -> Option<&str> {
        match self.items.get(output_index)? {
            Some(Item::FunctionCall(c)) => c.arguments.as_deref(),
            Some(Item::McpCall(c)) => c.arguments.as_deref(),
            _ => None,
        }
    }

    /// All output text so far, joined as `Response::output_text` joins it.
    pub fn text_so_far(&self) -> String {
        match &self.final_response {
            Some(r) => r.output_text(),
            None => self.snapshot().output_text(),
        }
    }

    /// The response so far: the final one when the stream ended, else the
    /// latest lifecycle response with the items built from the events.
    pub fn snapshot(&self) -> Response {
        if let Some(r) = &self.final_response {
            return r.clone();
        }
        let mut r = self.base.clone().unwrap_or_default();
        r.output = Field::Value(self.items.iter().flatten().cloned().collect());
        r
    }

    /// How the stream ended, if it did.
    pub fn terminal(&self) -> Option<Terminal> {
        self.terminal
    }

    /// The `error` events seen, in either shape.
    pub fn errors(&self) -> &[ErrorObject] {
        &self.errors
    }

    /// The highest `sequence_number` seen: where to resume a stream.
    pub fn last_sequence_number(&self) -> Option<u64> {
        self.last_sequence_number
    }

    /// The response's id, once a lifecycle event gave it.
    pub fn response_id(&self) -> Option<&str> {
        self.final_response
            .as_ref()
            .or(self.base.as_ref())
            .and_then(|r| r.id.as_deref())
    }

    /// Whether the response runs in the background (resumable by GET).
    pub fn is_background(&self) -> bool {
        let r = self.final_response.as_ref().or(self.base.as_ref());
        r.and_then(|r| r.background.copied()) == Some(true)
    }

    /// How many events were folded in.
    pub fn event_count(&self) -> u64 {
        self.events
    }

    /// The final response (completed, incomplete or failed), or
    /// `Error::IncompleteStream` carrying the partial response.
    pub fn finish(self) -> Result<Response, Error> {
        match self.final_response {
            Some(r) => Ok(r),
            None => Err(Error::IncompleteStream {
                partial: Box::new(self.snapshot()),
            }),
        }
    }

    fn set_base(&mut self, response: &Field<Box<Response>>) {
        if let Some(r) = response.get() {
            let mut r = (**r).clone();
            r.output = Field::Absent;
            self.base = Some(r);
        }
    }

    fn set_final(&mut self, response: &Field<Box<Response>>, terminal: Terminal) {
        let Some(r) = response.get() else { return };
        let mut r = (**r).clone();
        // Some servers send a terminal event without the output: keep what
        // the events built rather than lose it.
        let empty = r.output.get().is_none_or(Vec::is_empty);
        if empty && self.items.iter().any(Option::is_some) {
            r.output = Field::Value(self.items.drain(..).flatten().collect());
        }
        self.items.clear();
        self.final_response = Some(r);
        self.terminal = Some(terminal);
    }

    fn set_item(&mut self, output_index: &Field<i64>, item: &Field<Item>) {
        if let (Some(slot), Some(item)) = (self.slot(output_index), item.get()) {
            *slot = Some(item.clone());
        }
    }

    fn set_part(
        &mut self,
        output_index: &Field<i64>,
        item_id: &Field<String>,
        content_index: &Field<i64>,
        part: &Field<ContentPart>,
    ) {
        let (Some(parts), Some(part)) = (self.message_parts(output_index, item_id), part.get())
        else {
            return;
        };
        if let Some(p) = part_slot(parts, content_index, || part.clone()) {
            *p = part.clone();
        }
    }

    fn set_summary_part(
        &mut self,
        output_index: &Field<i64>,
        item_id: &Field<String>,
        summary_index: &Field<i64>,
        part: &Field<ContentPart>,
    ) {
        let (Some(parts), Some(part)) =
            (self.reasoning_list(output_index, item_id, true), part.get())
        else {
            return;
        };
        if let Some(p) = part_slot(parts, summary_index, || part.clone()) {
            *p = part.clone();
        }
    }

    fn slot(&mut self, output_index: &Field<i64>) -> Option<&mut Option<Item>> {
        let i = index(output_index)?;
        if i >= self.items.len() {
            self.items.resize_with(i + 1, || None);
        }
        self.items.get_mut(i)
    }

    fn item(&mut self, output_index: &Field<i64>) -> Option<&mut Item> {
        self.slot(output_index)?.as_mut()
    }

    fn item_or(
        &mut self,
        output_index: &Field<i64>,
        make: impl FnOnce() -> Item,
    ) -> Option<&mut Item> {
        Some(self.slot(output_index)?.get_or_insert_with(make))
    }

    fn message_parts(
        &mut self,
        output_index: &Field<i64>,
        item_id: &Field<String>,
    ) -> Option<&mut Vec<ContentPart>> {
        let item = self.item_or(output_index, || {
            Item::Message(MessageItem {
                id: item_id.clone(),
                role: Field::Value(Role::Assistant),
                ..Default::default()
            })
        })?;
        let Item::Message(m) = item else { return None };
        let content = m
            .content
            .get_or_insert_with(|| MessageContent::Parts(Vec::new()));
        match content {
            MessageContent::Parts(p) => Some(p),
            MessageContent::Text(_) => None,
        }
    }

    fn output_text_part_mut(
        &mut self,
        output_index: &Field<i64>,
        content_index: &Field<i64>,
        item_id: &Field<String>,
    ) -> Option<&mut OutputTextContent> {
        let parts = self.message_parts(output_index, item_id)?;
        let part = part_slot(parts, content_index, || {
            ContentPart::OutputText(OutputTextContent::default())
        })?;
        match part {
            ContentPart::OutputText(t) => Some(t),
            _ => None,
        }
    }

    #[inline]
    fn output_text_mut(
        &mut self,
        output_index: &Field<i64>,
        content_index: &Field<i64>,
        item_id: &Field<String>,
    ) -> Option<&mut String> {
        let t = self.output_text_part_mut(output_index, content_index, item_id)?;
        Some(t.text.get_or_insert_with(String::new))
    }

    fn refusal_mut(
        &mut self,
        output_index: &Field<i64>,
        content_index: &Field<i64>,
        item_id: &Field<String>,
    ) -> Option<&mut String> {
        let parts = self.message_parts(output_index, item_id)?;
        let part = part_slot(parts, content_index, || {
            ContentPart::Refusal(RefusalContent::default())
        })?;
        match part {
            ContentPart::Refusal(r) => Some(r.refusal.get_or_insert_with(String::new)),
            _ => None,
        }
    }

    fn reasoning_list(
        &mut self,
        output_index: &Field<i64>,
        item_id: &Field<String>,
        summary: bool,
    ) -> Option<&mut Vec<ContentPart>> {
        let item = self.item_or(output_index, || {
            Item::Reasoning(ReasoningItem {
                id: item_id.clone(),
                ..Default::default()
            })
        })?;
        let Item::Reasoning(r) = item else {
            return None;
        };
        let list = if summary {
            &mut r.summary
        } else {
            &mut r.content
        };
        Some(list.get_or_insert_with(Vec::new))
    }

    fn reasoning_text_mut(
        &mut self,
        output_index: &Field<i64>,
        item_id: &Field<String>,
        part_index: &Field<i64>,
        summary: bool,
    ) -> Option<&mut String> {
        let list = self.reasoning_list(output_index, item_id, summary)?;
        let part = part_slot(list, part_index, || {
            if summary {
                ContentPart::SummaryText(SummaryTextContent::default())
            } else {
                ContentPart::ReasoningText(ReasoningTextContent::default())
            }
        })?;
        match part {
            ContentPart::SummaryText(t) => Some(t.text.get_or_insert_with(String::new)),
            ContentPart::ReasoningText(t) => Some(t.text.get_or_insert_with(String::new)),
            _ => None,
        }
    }
}

#[inline]
fn index(i: &Field<i64>) -> Option<usize> {
    let i = usize::try_from(*i.get()?).ok()?;
    (i < MAX_INDEX).then_some(i)
}

/// The part at `i`, created with `make` when `i` is the next index; an
/// index further out appends (lenient: servers that skip never lose text).
#[inline]
fn part_slot<'a>(
    parts: &'a mut Vec<ContentPart>,
    i: &Field<i64>,
    make: impl FnOnce() -> ContentPart,
) -> Option<&'a mut ContentPart> {
    let i = index(i).unwrap_or(0);
    if i < parts.len() {
        return parts.get_mut(i);
    }
    parts.push(make());
    parts.last_mut()
}

#[inline]
fn push(target: &mut Field<String>, delta: &Field<String>) {
    if let Some(d) = delta.get() {
        target.get_or_insert_with(String::new).push_str(d);
    }
}

#[inline]
fn set(target: &mut Field<String>, value: &Field<String>) {
    if value.is_value() {
        target.clone_from(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_event_types() {
        assert_eq!(
            Terminal::of_event_type("response.completed"),
            Some(Terminal::Completed)
        );
        assert_eq!(
            Terminal::of_event_type("response.failed"),
            Some(Terminal::Failed)
        );
        assert_eq!(
            Terminal::of_event_type("response.incomplete"),
            Some(Terminal::Incomplete)
        );
        assert_eq!(Terminal::of_event_type("response.output_text.delta"), None);
    }

    fn ev(json: &str) -> ResponseStreamEvent {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn deltas_build_text_and_snapshots() {
        let mut acc = ResponseAccumulator::new();
        acc.apply(&ev(r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}"#));
        acc.apply(&ev(r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[],"status":"in_progress"}}"#));
        acc.apply(&ev(r#"{"type":"response.output_text.delta","sequence_number":2,"output_index":0,"content_index":0,"item_id":"msg_1","delta":"Hel"}"#));
        acc.apply(&ev(r#"{"type":"response.output_text.delta","sequence_number":3,"output_index":0,"content_index":0,"item_id":"msg_1","delta":"lo"}"#));
        assert_eq!(acc.part_text(0, 0), Some("Hello"));
        assert_eq!(acc.text_so_far(), "Hello");
        assert_eq!(acc.last_sequence_number(), Some(3));
        assert_eq!(acc.response_id(), Some("resp_1"));
        let err = acc.finish().unwrap_err();
        let Error::IncompleteStream { partial } = err else {
            panic!()
        };
        assert_eq!(partial.output_text(), "Hello");
    }

    #[test]
    fn unknown_indexes_repeats_and_disorder_never_panic() {
        let mut acc = ResponseAccumulator::new();
        for _ in 0..2 {
            acc.apply(&ev(r#"{"type":"response.output_text.delta","output_index":5,"content_index":3,"delta":"x"}"#));
            acc.apply(&ev(r#"{"type":"response.output_text.delta","output_index":-1,"content_index":0,"delta":"y"}"#));
            acc.apply(&ev(r#"{"type":"response.output_text.delta","output_index":99999999,"content_index":0,"delta":"z"}"#));
            acc.apply(&ev(r#"{"type":"response.function_call_arguments.done","output_index":7,"arguments":"{}"}"#));
            acc.apply(&ev(r#"{"type":"response.reasoning_summary_text.delta","output_index":2,"summary_index":0,"delta":"think"}"#));
            acc.apply(&ev(r#"{"type":"response.output_text.annotation.added","output_index":5,"content_index":0,"annotation_index":9,"annotation":{"type":"url_citation","url":"u"}}"#));
        }
        assert_eq!(acc.text_so_far(), "xx");
        let snap = acc.snapshot();
        let Some(Item::Reasoning(r)) = snap
            .output
            .get()
            .unwrap()
            .iter()
            .find(|i| matches!(i, Item::Reasoning(_)))
        else {
            panic!()
        };
        let Some(ContentPart::SummaryText(s)) = r.summary.get().unwrap().first() else {
            panic!()
        };
        assert_eq!(s.text.as_deref(), Some("thinkthink"));
    }

    #[test]
    fn terminal_events_give_the_final_response() {
        let mut acc = ResponseAccumulator::new();
        acc.apply(&ev(r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"partial"}"#));
        acc.apply(&ev(r#"{"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}"#));
        assert_eq!(acc.terminal(), Some(Terminal::Incomplete));
        let r = acc.finish().unwrap();
        // The terminal event had no output: the built items are kept.
        assert_eq!(r.output_text(), "partial");
        assert!(matches!(
            crate::error::ensure_completed(r),
            Err(Error::ResponseIncomplete(_))
        ));
    }
}

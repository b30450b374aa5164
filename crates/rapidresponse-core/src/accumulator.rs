//! `ResponseAccumulator` folds stream events into the response so far, kept
//! as JSON (so nothing a server sends is lost, and no typed model is needed
//! to build it): output items by `output_index`, text per content part,
//! tool-call arguments and inputs, reasoning text, annotations, and the
//! terminal response. It reads events through `EventView`, never fails on
//! events out of order, repeated, or for indexes it has not seen, and only
//! remembers text, never the events themselves. What the stream does about
//! an event (deliver, raise, end) is `crate::stream`'s.

use serde_json::{Map, Value};

use crate::view::EventView;

/// Output indexes at or above this are treated as garbage rather than
/// allocated (`"output_index": 4e9` must not build a 4e9-long list).
const MAX_INDEX: usize = 1 << 16;

/// How the stream ended, when it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    Completed,
    Incomplete,
    Failed,
}

impl Terminal {
    /// The end an event of this `type` brings, if any.
    pub fn of_event_type(name: &str) -> Option<Terminal> {
        match name {
            "response.completed" => Some(Terminal::Completed),
            "response.incomplete" => Some(Terminal::Incomplete),
            "response.failed" => Some(Terminal::Failed),
            _ => None,
        }
    }
}

/// Where the text of a delta event ended up, for the `snapshot` the SDKs
/// attach to text and arguments deltas: the first `end` bytes of
/// `ResponseAccumulator::part_text` (a content part) or `arguments` (when
/// `content_index` is `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotRef {
    pub output_index: usize,
    pub content_index: Option<usize>,
    pub end: usize,
}

/// The response so far of one stream.
#[derive(Debug, Default)]
pub struct ResponseAccumulator {
    /// The latest response object of a lifecycle event (created, queued,
    /// in_progress), its `output` emptied: the items are built here.
    base: Option<Map<String, Value>>,
    /// Output items by `output_index`.
    items: Vec<Option<Value>>,
    final_response: Option<Value>,
    terminal: Option<Terminal>,
    errors: Vec<Value>,
    last_sequence_number: Option<u64>,
    events: u64,
    /// The text deltas are streaming into, held out of `items` while they
    /// arrive (appending there would look it up through three maps per
    /// delta); put back before anything else reads or changes the items.
    hot: Option<Hot>,
}

/// Which list of an item a text belongs to, and the part a new slot gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    /// A message's `content` part of this type, and its member.
    Message(&'static str, &'static str),
    /// A reasoning item's `summary` (true) or `content` part.
    Reasoning(bool),
    /// A member of the item itself: the item's type and the member.
    Item(&'static str, &'static str),
}

/// Where a text lives: the item, the part list and index when it is a
/// part's, and the member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    output_index: usize,
    part: Option<(&'static str, usize)>,
    member: &'static str,
}

#[derive(Debug)]
struct Hot {
    place: Place,
    /// What the delta events that stream into it name.
    text: Text,
    part: Option<i64>,
    buf: String,
}

impl Hot {
    fn snapshot_ref(&self) -> SnapshotRef {
        SnapshotRef {
            output_index: self.place.output_index,
            content_index: Some(self.place.part.map_or(0, |(_, i)| i)),
            end: self.buf.len(),
        }
    }
}

/// The string at `place` in `items`.
fn string_at(items: &mut [Option<Value>], place: Place) -> Option<&mut String> {
    let mut holder = items
        .get_mut(place.output_index)?
        .as_mut()?
        .as_object_mut()?;
    if let Some((list, i)) = place.part {
        holder = holder
            .get_mut(list)?
            .as_array_mut()?
            .get_mut(i)?
            .as_object_mut()?;
    }
    match holder.get_mut(place.member)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

impl ResponseAccumulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts the streaming text back into the items.
    fn flush(&mut self) {
        if let Some(hot) = self.hot.take() {
            if let Some(s) = string_at(&mut self.items, hot.place) {
                *s = hot.buf;
            }
        }
    }

    /// The streaming text, when it is the one at `place`.
    fn hot_text(&self, place: Place) -> Option<&str> {
        self.hot
            .as_ref()
            .filter(|h| h.place == place)
            .map(|h| h.buf.as_str())
    }

    /// Folds one event in; for a text or arguments delta, where its text
    /// ended up.
    pub fn apply(&mut self, e: &EventView) -> Option<SnapshotRef> {
        self.events += 1;
        if let Some(n) = e.sequence_number {
            self.last_sequence_number = Some(self.last_sequence_number.map_or(n, |m| m.max(n)));
        }
        let kind = e.kind();
        // Nearly every event is a text delta: it skips the match below.
        if kind == "response.output_text.delta" {
            let text = Text::Message("output_text", "text");
            return self.append(e, text, e.content_index, e.delta.as_deref());
        }
        if !kind.ends_with(".delta") {
            self.flush();
        }
        if let Some(terminal) = Terminal::of_event_type(kind) {
            self.set_final(e, terminal);
            return None;
        }
        let oi = index(e.output_index);
        let delta = e.delta.as_deref();
        match kind {
            "response.created" | "response.in_progress" | "response.queued" => self.set_base(e),
            "response.output_item.added" | "response.output_item.done" => {
                if let (Some(slot), Some(item)) = (self.slot(oi), parse(e.item)) {
                    *slot = Some(item);
                }
            }
            "response.content_part.added" | "response.content_part.done" => {
                self.set_part(e, "content", e.content_index)
            }
            "response.reasoning_summary_part.added" | "response.reasoning_summary_part.done" => {
                self.set_part(e, "summary", e.summary_index)
            }
            "response.output_text.done" => self.replace(
                e,
                Text::Message("output_text", "text"),
                e.content_index,
                &e.text,
            ),
            "response.refusal.delta" => {
                self.append(
                    e,
                    Text::Message("refusal", "refusal"),
                    e.content_index,
                    delta,
                );
            }
            "response.refusal.done" => self.replace(
                e,
                Text::Message("refusal", "refusal"),
                e.content_index,
                &e.refusal,
            ),
            "response.output_text.annotation.added" => self.add_annotation(e),
            "response.function_call_arguments.delta" => {
                let at = self.append(e, Text::Item("function_call", "arguments"), None, delta);
                return at.map(|at| SnapshotRef {
                    content_index: None,
                    ..at
                });
            }
            "response.function_call_arguments.done" => {
                self.replace(
                    e,
                    Text::Item("function_call", "arguments"),
                    None,
                    &e.arguments,
                );
                if let (Some(item), Some(name)) = (self.item_of(oi, "function_call"), &e.name) {
                    item.insert("name".into(), Value::String(name.to_string()));
                }
            }
            "response.custom_tool_call_input.delta" => {
                self.append(e, Text::Item("custom_tool_call", "input"), None, delta);
            }
            "response.custom_tool_call_input.done" => {
                self.replace(e, Text::Item("custom_tool_call", "input"), None, &e.input)
            }
            "response.mcp_call_arguments.delta" => {
                self.append(e, Text::Item("mcp_call", "arguments"), None, delta);
            }
            "response.mcp_call_arguments.done" => {
                self.replace(e, Text::Item("mcp_call", "arguments"), None, &e.arguments)
            }
            "response.code_interpreter_call_code.delta" => {
                self.append(e, Text::Item("code_interpreter_call", "code"), None, delta);
            }
            "response.code_interpreter_call_code.done" => self.replace(
                e,
                Text::Item("code_interpreter_call", "code"),
                None,
                &e.code,
            ),
            "response.reasoning_summary_text.delta" => {
                self.append(e, Text::Reasoning(true), e.summary_index, delta);
            }
            "response.reasoning_summary_text.done" => {
                self.replace(e, Text::Reasoning(true), e.summary_index, &e.text)
            }
            "response.reasoning_text.delta" => {
                self.append(e, Text::Reasoning(false), e.content_index, delta);
            }
            "response.reasoning_text.done" => {
                self.replace(e, Text::Reasoning(false), e.content_index, &e.text)
            }
            "error" => self.errors.push(error_object(e)),
            _ => {}
        }
        None
    }

    /// The item at `output_index` so far (the final response's once it came).
    fn item_at(&self, output_index: usize) -> Option<&Value> {
        match &self.final_response {
            Some(r) => r.get("output")?.as_array()?.get(output_index),
            None => self.items.get(output_index)?.as_ref(),
        }
    }

    /// The text of one `output_text` part so far.
    pub fn part_text(&self, output_index: usize, content_index: usize) -> Option<&str> {
        let item = self.item_at(output_index)?;
        if item.get("type")?.as_str()? != "message" {
            return None;
        }
        let part = item.get("content")?.as_array()?.get(content_index)?;
        if part.get("type")?.as_str()? != "output_text" {
            return None;
        }
        let place = Place {
            output_index,
            part: Some(("content", content_index)),
            member: "text",
        };
        self.hot_text(place).or_else(|| part.get("text")?.as_str())
    }

    /// The arguments so far of the function (or MCP) call at `output_index`.
    pub fn arguments(&self, output_index: usize) -> Option<&str> {
        let item = self.item_at(output_index)?;
        let place = Place {
            output_index,
            part: None,
            member: "arguments",
        };
        match item.get("type")?.as_str()? {
            "function_call" | "mcp_call" => self
                .hot_text(place)
                .or_else(|| item.get("arguments")?.as_str()),
            _ => None,
        }
    }

    /// The text a delta event's `snapshot` shows: what `at` points to, up to
    /// its end (cut back to a character boundary if a `.done` event has
    /// since replaced the text).
    pub fn snapshot_text(&self, at: SnapshotRef) -> Option<&str> {
        let text = match at.content_index {
            Some(ci) => self.part_text(at.output_index, ci)?,
            None => self.arguments(at.output_index)?,
        };
        let mut end = at.end.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Some(&text[..end])
    }

    /// The response so far: the final one when the stream ended, else the
    /// latest lifecycle response with the items built from the events.
    pub fn snapshot(&self) -> Value {
        if let Some(r) = &self.final_response {
            return r.clone();
        }
        let mut r = self.base.clone().unwrap_or_default();
        r.insert("output".into(), Value::Array(self.built_items()));
        Value::Object(r)
    }

    /// All output text so far, joined as openai-python's `output_text`.
    pub fn text_so_far(&self) -> String {
        match &self.final_response {
            Some(r) => output_text(r),
            None => {
                let items = Value::Array(self.built_items());
                output_text(&serde_json::json!({ "output": items }))
            }
        }
    }

    /// The final response, once a terminal event came.
    pub fn final_response(&self) -> Option<&Value> {
        self.final_response.as_ref()
    }

    /// How the stream ended, if it did.
    pub fn terminal(&self) -> Option<Terminal> {
        self.terminal
    }

    /// The `error` events seen (their error object, in either shape).
    pub fn errors(&self) -> &[Value] {
        &self.errors
    }

    /// The highest `sequence_number` seen: where to resume a stream.
    pub fn last_sequence_number(&self) -> Option<u64> {
        self.last_sequence_number
    }

    /// The response's id, once a lifecycle event gave it.
    pub fn response_id(&self) -> Option<&str> {
        self.latest_response()?.get("id")?.as_str()
    }

    /// Whether the response runs in the background (resumable by GET).
    pub fn is_background(&self) -> bool {
        self.latest_response()
            .and_then(|r| r.get("background"))
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// How many events were folded in.
    pub fn event_count(&self) -> u64 {
        self.events
    }

    fn latest_response(&self) -> Option<&Map<String, Value>> {
        match &self.final_response {
            Some(Value::Object(r)) => Some(r),
            _ => self.base.as_ref(),
        }
    }

    fn built_items(&self) -> Vec<Value> {
        match &self.hot {
            None => self.items.iter().flatten().cloned().collect(),
            Some(hot) => {
                let mut items = self.items.clone();
                if let Some(s) = string_at(&mut items, hot.place) {
                    s.clone_from(&hot.buf);
                }
                items.into_iter().flatten().collect()
            }
        }
    }

    fn set_base(&mut self, e: &EventView) {
        if let Some(Value::Object(mut r)) = parse(e.response) {
            r.insert("output".into(), Value::Array(Vec::new()));
            self.base = Some(r);
        }
    }

    fn set_final(&mut self, e: &EventView, terminal: Terminal) {
        let mut response = match parse(e.response) {
            Some(r @ Value::Object(_)) => r,
            // A terminal event without its response: what was built.
            _ => self.snapshot(),
        };
        // Some servers send a terminal event without the output: keep what
        // the events built rather than lose it.
        let empty = response
            .get("output")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
        if empty && self.items.iter().any(Option::is_some) {
            response["output"] = Value::Array(self.built_items());
        }
        self.items.clear();
        self.final_response = Some(response);
        self.terminal = Some(terminal);
    }

    fn slot(&mut self, i: Option<usize>) -> Option<&mut Option<Value>> {
        let i = i?;
        if i >= self.items.len() {
            self.items.resize_with(i + 1, || None);
        }
        self.items.get_mut(i)
    }

    /// The item at `i` when it has this `type`.
    fn item_of(&mut self, i: Option<usize>, kind: &str) -> Option<&mut Map<String, Value>> {
        match self.slot(i)? {
            Some(Value::Object(item)) if item.get("type").and_then(Value::as_str) == Some(kind) => {
                Some(item)
            }
            _ => None,
        }
    }

    /// The item at `i`, made (`kind`, with the event's `item_id`) when the
    /// slot is empty; `None` when the item there has another type.
    fn item_or_new(&mut self, e: &EventView, kind: &str) -> Option<&mut Map<String, Value>> {
        let slot = self.slot(index(e.output_index))?;
        if slot.is_none() {
            let mut item = Map::new();
            item.insert("type".into(), kind.into());
            if let Some(id) = &e.item_id {
                item.insert("id".into(), Value::String(id.to_string()));
            }
            if kind == "message" {
                item.insert("role".into(), "assistant".into());
            }
            *slot = Some(Value::Object(item));
        }
        match slot {
            Some(Value::Object(item)) if item.get("type").and_then(Value::as_str) == Some(kind) => {
                Some(item)
            }
            _ => None,
        }
    }

    /// The list of parts `member` of the message (`content`) or reasoning
    /// item (`summary`, `content`) the event is about.
    fn parts(&mut self, e: &EventView, kind: &str, member: &str) -> Option<&mut Vec<Value>> {
        let item = self.item_or_new(e, kind)?;
        match item
            .entry(member)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(parts) => Some(parts),
            // A message whose content is a plain string has no parts.
            _ => None,
        }
    }

    fn set_part(&mut self, e: &EventView, member: &str, part_index: Option<i64>) {
        let kind = if member == "summary" {
            "reasoning"
        } else {
            "message"
        };
        let Some(part) = parse(e.part) else { return };
        if let Some(parts) = self.parts(e, kind, member) {
            if let Some((_, slot)) = part_slot(parts, part_index, || part.clone()) {
                *slot = part;
            }
        }
    }

    /// The string member a text event writes to, made when missing, and
    /// where it is.
    fn text_mut(
        &mut self,
        e: &EventView,
        text: Text,
        part: Option<i64>,
    ) -> Option<(Place, &mut String)> {
        let output_index = index(e.output_index)?;
        let (holder, list, member) = match text {
            Text::Item(kind, member) => {
                let creates = kind == "function_call";
                let item = if creates {
                    self.item_or_new(e, kind)?
                } else {
                    self.item_of(index(e.output_index), kind)?
                };
                (item, None, member)
            }
            Text::Message(kind, member) => {
                let parts = self.parts(e, "message", "content")?;
                let (i, slot) = part_slot(parts, part, || new_part(kind))?;
                (typed_object(slot, kind)?, Some(("content", i)), member)
            }
            Text::Reasoning(summary) => {
                let (list, kind) = if summary {
                    ("summary", "summary_text")
                } else {
                    ("content", "reasoning_text")
                };
                let parts = self.parts(e, "reasoning", list)?;
                let (i, slot) = part_slot(parts, part, || new_part(kind))?;
                (typed_object(slot, kind)?, Some((list, i)), "text")
            }
        };
        let place = Place {
            output_index,
            part: list,
            member,
        };
        let value = holder
            .entry(member)
            .or_insert_with(|| Value::String(String::new()));
        if !value.is_string() {
            *value = Value::String(String::new());
        }
        match value {
            Value::String(s) => Some((place, s)),
            _ => None,
        }
    }

    fn append(
        &mut self,
        e: &EventView,
        text: Text,
        part: Option<i64>,
        delta: Option<&str>,
    ) -> Option<SnapshotRef> {
        let delta = delta.unwrap_or("");
        if let Some(hot) = &mut self.hot {
            if Some(hot.place.output_index) == index(e.output_index)
                && hot.text == text
                && hot.part == part
            {
                hot.buf.push_str(delta);
                return Some(hot.snapshot_ref());
            }
        }
        self.flush();
        let (place, target) = self.text_mut(e, text, part)?;
        target.push_str(delta);
        // A part index out of range appends a new part per event (servers
        // that skip never lose text): only a part where the event said is
        // kept hot, so the next delta lands where it would have.
        if place
            .part
            .is_none_or(|(_, i)| i == index(part).unwrap_or(0))
        {
            let buf = std::mem::take(target);
            let hot = Hot {
                place,
                text,
                part,
                buf,
            };
            let at = hot.snapshot_ref();
            self.hot = Some(hot);
            return Some(at);
        }
        Some(SnapshotRef {
            output_index: place.output_index,
            content_index: Some(place.part.map_or(0, |(_, i)| i)),
            end: target.len(),
        })
    }

    fn replace(
        &mut self,
        e: &EventView,
        text: Text,
        part: Option<i64>,
        done: &Option<std::borrow::Cow<str>>,
    ) {
        let Some(done) = done else { return };
        // A done event for an item never seen makes no new item.
        if let Text::Item(..) = text {
            if self.slot(index(e.output_index)).is_none_or(|s| s.is_none()) {
                return;
            }
        }
        if let Some((_, target)) = self.text_mut(e, text, part) {
            target.clear();
            target.push_str(done);
        }
    }

    fn add_annotation(&mut self, e: &EventView) {
        let Some(annotation) = parse(e.annotation) else {
            return;
        };
        let Some(parts) = self.parts(e, "message", "content") else {
            return;
        };
        let Some((_, part)) = part_slot(parts, e.content_index, || new_part("output_text")) else {
            return;
        };
        let Some(part) = typed_object(part, "output_text") else {
            return;
        };
        let list = part
            .entry("annotations")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            match index(e.annotation_index) {
                Some(i) if i < list.len() => list[i] = annotation,
                _ => list.push(annotation),
            }
        }
    }
}

/// The object in `slot` when its `type` is `kind`.
fn typed_object<'a>(slot: &'a mut Value, kind: &str) -> Option<&'a mut Map<String, Value>> {
    match slot {
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some(kind) => Some(o),
        _ => None,
    }
}

fn new_part(kind: &str) -> Value {
    let mut part = Map::new();
    part.insert("type".into(), kind.into());
    Value::Object(part)
}

fn parse(raw: Option<&serde_json::value::RawValue>) -> Option<Value> {
    serde_json::from_str(raw?.get()).ok()
}

#[inline]
fn index(i: Option<i64>) -> Option<usize> {
    let i = usize::try_from(i?).ok()?;
    (i < MAX_INDEX).then_some(i)
}

/// The part at `i`, made with `make` when `i` is the next index; an index
/// further out (or none) appends: servers that skip never lose text.
fn part_slot(
    parts: &mut Vec<Value>,
    i: Option<i64>,
    make: impl FnOnce() -> Value,
) -> Option<(usize, &mut Value)> {
    let i = index(i).unwrap_or(0);
    if i < parts.len() {
        return Some((i, &mut parts[i]));
    }
    parts.push(make());
    Some((parts.len() - 1, parts.last_mut()?))
}

/// An `error` event's error object: the nested `error` when it has one,
/// else its flat `message`, `code` and `param`.
fn error_object(e: &EventView) -> Value {
    if let Some(nested @ Value::Object(_)) = parse(e.error) {
        return nested;
    }
    let mut out = Map::new();
    // The flat shape's members are not in the view: read them once here
    // (error events are rare).
    if let Some(Value::Object(all)) = e.raw.and_then(|r| serde_json::from_str(r).ok()) {
        for key in ["message", "code", "param"] {
            if let Some(v) = all.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// openai-python's `output_text` of a response as JSON: the text of every
/// `output_text` part of its `message` items, joined.
pub fn output_text(response: &Value) -> String {
    let mut out = String::new();
    let items = response.get("output").and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        if item.get("type").and_then(Value::as_str) != Some("message") {
            continue;
        }
        let parts = item.get("content").and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            if part.get("type").and_then(Value::as_str) == Some("output_text") {
                out.push_str(part.get("text").and_then(Value::as_str).unwrap_or(""));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(acc: &mut ResponseAccumulator, json: &str) -> Option<SnapshotRef> {
        acc.apply(&EventView::parse(json).unwrap())
    }

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

    #[test]
    fn deltas_build_text_and_snapshots() {
        let mut acc = ResponseAccumulator::new();
        apply(
            &mut acc,
            r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[],"model":"m"}}"#,
        );
        apply(
            &mut acc,
            r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[],"status":"in_progress"}}"#,
        );
        let first = apply(&mut acc, r#"{"type":"response.output_text.delta","sequence_number":2,"output_index":0,"content_index":0,"item_id":"msg_1","delta":"Hél"}"#).unwrap();
        apply(
            &mut acc,
            r#"{"type":"response.output_text.delta","sequence_number":3,"output_index":0,"content_index":0,"item_id":"msg_1","delta":"lo"}"#,
        );
        assert_eq!(acc.part_text(0, 0), Some("Héllo"));
        assert_eq!(acc.snapshot_text(first), Some("Hél"));
        assert_eq!(acc.text_so_far(), "Héllo");
        assert_eq!(acc.last_sequence_number(), Some(3));
        assert_eq!(acc.response_id(), Some("resp_1"));
        let snap = acc.snapshot();
        assert_eq!(snap["model"], "m");
        assert_eq!(snap["output"][0]["content"][0]["text"], "Héllo");
        // A done event replacing the text with a shorter one: the earlier
        // snapshot is cut at a character boundary, never mid-character.
        apply(
            &mut acc,
            r#"{"type":"response.output_text.done","output_index":0,"content_index":0,"text":"Hé"}"#,
        );
        assert_eq!(
            acc.snapshot_text(SnapshotRef { end: 2, ..first }),
            Some("H")
        );
    }

    /// Deltas are held out of the items while they stream (see `Hot`):
    /// every reader sees them all the same, whichever text streams next.
    #[test]
    fn streaming_text_is_seen_by_every_reader_while_it_streams() {
        let mut acc = ResponseAccumulator::new();
        let text = |oi: i64, ci: i64, d: &str| {
            format!(
                r#"{{"type":"response.output_text.delta","output_index":{oi},"content_index":{ci},"delta":"{d}"}}"#
            )
        };
        let args = |oi: i64, d: &str| {
            format!(
                r#"{{"type":"response.function_call_arguments.delta","output_index":{oi},"delta":"{d}"}}"#
            )
        };
        apply(&mut acc, &text(0, 0, "a"));
        apply(&mut acc, &text(0, 0, "b"));
        assert_eq!(acc.part_text(0, 0), Some("ab"));
        assert_eq!(acc.snapshot()["output"][0]["content"][0]["text"], "ab");
        // Another part, then back: both keep their text.
        let at = apply(&mut acc, &text(0, 1, "X")).unwrap();
        assert_eq!((at.content_index, at.end), (Some(1), 1));
        apply(&mut acc, &text(0, 0, "c"));
        assert_eq!(acc.part_text(0, 1), Some("X"));
        assert_eq!(acc.text_so_far(), "abcX");
        // Arguments of a call at another index.
        apply(&mut acc, &args(1, "{\\\"a\\\""));
        let at = apply(&mut acc, &args(1, ":1}")).unwrap();
        assert_eq!(acc.arguments(1), Some("{\"a\":1}"));
        assert_eq!(
            acc.snapshot_text(SnapshotRef { end: 4, ..at }),
            Some("{\"a\"")
        );
        assert_eq!(acc.snapshot()["output"][1]["arguments"], "{\"a\":1}");
        // A done event and a terminal event after streaming text.
        apply(
            &mut acc,
            r#"{"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation"}}"#,
        );
        apply(&mut acc, &text(0, 0, "d"));
        apply(
            &mut acc,
            r#"{"type":"response.completed","response":{"id":"r","output":[]}}"#,
        );
        let done = acc.final_response().unwrap();
        assert_eq!(done["output"][0]["content"][0]["text"], "abcd");
        assert_eq!(
            done["output"][0]["content"][0]["annotations"][0]["type"],
            "url_citation"
        );
        assert_eq!(done["output"][1]["arguments"], "{\"a\":1}");
    }

    #[test]
    fn unknown_indexes_repeats_and_disorder_never_panic() {
        let mut acc = ResponseAccumulator::new();
        for _ in 0..2 {
            apply(
                &mut acc,
                r#"{"type":"response.output_text.delta","output_index":5,"content_index":3,"delta":"x"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.output_text.delta","output_index":-1,"content_index":0,"delta":"y"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.output_text.delta","output_index":99999999,"content_index":0,"delta":"z"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.output_text.delta","output_index":"__proto__","content_index":0,"delta":"p"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.function_call_arguments.done","output_index":7,"arguments":"{}"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.reasoning_summary_text.delta","output_index":2,"summary_index":0,"delta":"think"}"#,
            );
            apply(
                &mut acc,
                r#"{"type":"response.output_text.annotation.added","output_index":5,"content_index":0,"annotation_index":9,"annotation":{"type":"url_citation","url":"u"}}"#,
            );
        }
        assert_eq!(acc.text_so_far(), "xx");
        let snap = acc.snapshot();
        let reasoning = snap["output"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == "reasoning")
            .unwrap();
        assert_eq!(reasoning["summary"][0]["text"], "thinkthink");
        assert_eq!(snap["output"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn terminal_events_give_the_final_response() {
        let mut acc = ResponseAccumulator::new();
        apply(
            &mut acc,
            r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"partial"}"#,
        );
        apply(
            &mut acc,
            r#"{"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}"#,
        );
        assert_eq!(acc.terminal(), Some(Terminal::Incomplete));
        // Snapshots of earlier deltas read the final response.
        assert_eq!(acc.part_text(0, 0), Some("partial"));
        // The terminal event had no output: the built items are kept.
        assert_eq!(acc.text_so_far(), "partial");
        assert_eq!(acc.final_response().unwrap()["status"], "incomplete");
    }

    #[test]
    fn function_calls_and_errors() {
        let mut acc = ResponseAccumulator::new();
        let at = apply(&mut acc, r#"{"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc","delta":"{\"a\""}"#).unwrap();
        assert_eq!(at.content_index, None);
        apply(
            &mut acc,
            r#"{"type":"response.function_call_arguments.delta","output_index":0,"delta":":1}"}"#,
        );
        assert_eq!(acc.arguments(0), Some("{\"a\":1}"));
        assert_eq!(acc.snapshot_text(at), Some("{\"a\""));
        apply(
            &mut acc,
            r#"{"type":"response.function_call_arguments.done","output_index":0,"arguments":"{}","name":"f"}"#,
        );
        assert_eq!(acc.snapshot()["output"][0]["name"], "f");
        apply(
            &mut acc,
            r#"{"type":"error","code":"c","message":"flat","param":null}"#,
        );
        apply(&mut acc, r#"{"type":"error","error":{"message":"nested"}}"#);
        assert_eq!(acc.errors()[0]["message"], "flat");
        assert_eq!(acc.errors()[1]["message"], "nested");
    }
}

//! `EventView`: what the stream state machine reads of one event's JSON
//! (its type, sequence number, indexes, text members and the objects it
//! carries), borrowed from the data and read in one pass. It does not
//! build the typed event (`crate::types`) and never fails on a member of
//! an unexpected kind: such a member reads as absent, so a hostile or
//! drifting server can at worst make an event opaque.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

use crate::digest::AnyStr;

/// The members of an event the state machine acts on.
#[derive(Debug, Default)]
pub struct EventView<'a> {
    /// `type`.
    pub kind: Option<Cow<'a, str>>,
    pub sequence_number: Option<u64>,
    pub output_index: Option<i64>,
    pub content_index: Option<i64>,
    pub summary_index: Option<i64>,
    pub annotation_index: Option<i64>,
    pub item_id: Option<Cow<'a, str>>,
    pub delta: Option<Cow<'a, str>>,
    /// The whole text of a `.done` event: `text`, `refusal`, `arguments`,
    /// `input` (custom tool calls) or `code` (code interpreter calls).
    pub text: Option<Cow<'a, str>>,
    pub refusal: Option<Cow<'a, str>>,
    pub arguments: Option<Cow<'a, str>>,
    pub input: Option<Cow<'a, str>>,
    pub code: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub item: Option<&'a RawValue>,
    pub part: Option<&'a RawValue>,
    pub response: Option<&'a RawValue>,
    pub annotation: Option<&'a RawValue>,
    /// A top-level `error` member, whatever its kind.
    pub error: Option<&'a RawValue>,
    /// `model` and `usage` (a chat or completion chunk's).
    pub model: Option<Cow<'a, str>>,
    pub usage: Option<&'a RawValue>,
    /// The data was a JSON object (an array or a string is an event with
    /// nothing to read).
    pub is_object: bool,
    /// The whole data, for the rare member not read above.
    pub raw: Option<&'a str>,
}

impl<'a> EventView<'a> {
    /// Reads `data`; an error only when it is not JSON at all.
    #[inline]
    pub fn parse(data: &'a str) -> Result<Self, serde_json::Error> {
        // Deltas, nearly every event of a stream, are flat objects: a
        // scanner reads them in a fraction of serde's time. Anything it is
        // not sure of goes to serde, so both read every input the same.
        match flat::scan(data) {
            Some(view) => Ok(view),
            None => Self::parse_with_serde(data),
        }
    }

    fn parse_with_serde(data: &'a str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(data);
        let mut view = de.deserialize_any(ViewVisitor)?;
        de.end()?;
        view.raw = Some(data);
        Ok(view)
    }

    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

struct ViewVisitor;

impl<'de> Visitor<'de> for ViewVisitor {
    type Value = EventView<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventView<'de>, A::Error> {
        let mut v = EventView {
            is_object: true,
            ..Default::default()
        };
        // A repeated member: the last one counts, as in JSON.parse.
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "type" => v.kind = map.next_value::<AnyStr>()?.0,
                "sequence_number" => v.sequence_number = map.next_value::<AnyInt>()?.unsigned(),
                "output_index" => v.output_index = map.next_value::<AnyInt>()?.0,
                "content_index" => v.content_index = map.next_value::<AnyInt>()?.0,
                "summary_index" => v.summary_index = map.next_value::<AnyInt>()?.0,
                "annotation_index" => v.annotation_index = map.next_value::<AnyInt>()?.0,
                "item_id" => v.item_id = map.next_value::<AnyStr>()?.0,
                "delta" => v.delta = map.next_value::<AnyStr>()?.0,
                "text" => v.text = map.next_value::<AnyStr>()?.0,
                "refusal" => v.refusal = map.next_value::<AnyStr>()?.0,
                "arguments" => v.arguments = map.next_value::<AnyStr>()?.0,
                "input" => v.input = map.next_value::<AnyStr>()?.0,
                "code" => v.code = map.next_value::<AnyStr>()?.0,
                "name" => v.name = map.next_value::<AnyStr>()?.0,
                "item" => v.item = Some(map.next_value()?),
                "part" => v.part = Some(map.next_value()?),
                "response" => v.response = Some(map.next_value()?),
                "annotation" => v.annotation = Some(map.next_value()?),
                "error" => v.error = Some(map.next_value()?),
                "model" => v.model = map.next_value::<AnyStr>()?.0,
                "usage" => v.usage = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(v)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<EventView<'de>, A::Error> {
        IgnoredAny.visit_seq(a).map(|_| EventView::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }

    fn visit_unit<E>(self) -> Result<EventView<'de>, E> {
        Ok(EventView::default())
    }
}

/// The scanner for flat events: an object whose members are strings,
/// integers, `true`/`false`/`null` or an empty `[]`/`{}`. It gives up
/// (`None`) on anything else, including every input that is not JSON, and
/// on the members kept raw (`item`, `response`, `error`, ...), leaving
/// those to serde.
mod flat {
    use super::EventView;
    use std::borrow::Cow;

    struct Scanner<'a> {
        data: &'a str,
        at: usize,
    }

    /// One member's value, as far as the view cares.
    enum Scalar<'a> {
        Str(Cow<'a, str>),
        Int(i64),
        /// A number the view cannot use as an index (negative beyond
        /// i64, or fractional: both fall back), `true`, `false`, `null`,
        /// `[]`, `{}`.
        Other,
    }

    #[inline]
    pub(super) fn scan(data: &str) -> Option<EventView<'_>> {
        let mut s = Scanner { data, at: 0 };
        s.whitespace();
        s.eat(b'{')?;
        let mut v = EventView {
            is_object: true,
            raw: Some(data),
            ..Default::default()
        };
        s.whitespace();
        if s.eat(b'}').is_none() {
            loop {
                s.whitespace();
                let key = s.key()?;
                s.whitespace();
                s.eat(b':')?;
                s.whitespace();
                let value = s.value()?;
                let int = match value {
                    Scalar::Int(n) => Some(n),
                    _ => None,
                };
                let text = move || match value {
                    Scalar::Str(t) => Some(t),
                    _ => None,
                };
                let int = || int;
                match key {
                    "type" => v.kind = text(),
                    "sequence_number" => {
                        v.sequence_number = int().and_then(|n| u64::try_from(n).ok())
                    }
                    "output_index" => v.output_index = int(),
                    "content_index" => v.content_index = int(),
                    "summary_index" => v.summary_index = int(),
                    "annotation_index" => v.annotation_index = int(),
                    "item_id" => v.item_id = text(),
                    "delta" => v.delta = text(),
                    "text" => v.text = text(),
                    "refusal" => v.refusal = text(),
                    "arguments" => v.arguments = text(),
                    "input" => v.input = text(),
                    "code" => v.code = text(),
                    "name" => v.name = text(),
                    "model" => v.model = text(),
                    "item" | "part" | "response" | "annotation" | "error" | "usage" => return None,
                    _ => {}
                }
                s.whitespace();
                if s.eat(b',').is_some() {
                    continue;
                }
                s.eat(b'}')?;
                break;
            }
        }
        s.whitespace();
        (s.at == data.len()).then_some(v)
    }

    /// The index of the first `"`, `\\` or control character, eight bytes
    /// at a time (members are short: memchr's setup costs more than this).
    #[inline(always)]
    pub(super) fn special(bytes: &[u8]) -> Option<usize> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // The high bit of each byte of `v` that is zero; exact for the
        // lowest such byte, which is all that is read.
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        let mut at = 0;
        while let Some(word) = bytes.get(at..at + 8) {
            let w = u64::from_le_bytes(word.try_into().ok()?);
            let hits = zero(w ^ (ONES * u64::from(b'"')))
                | zero(w ^ (ONES * u64::from(b'\\')))
                | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
            if hits != 0 {
                return Some(at + (hits.trailing_zeros() / 8) as usize);
            }
            at += 8;
        }
        let tail = bytes.get(at..)?;
        tail.iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map(|i| at + i)
    }

    impl<'a> Scanner<'a> {
        // Inlined even where the module is built for size (wasm).
        #[inline(always)]
        fn peek(&self) -> Option<u8> {
            self.data.as_bytes().get(self.at).copied()
        }

        #[inline(always)]
        fn eat(&mut self, b: u8) -> Option<()> {
            (self.peek()? == b).then(|| self.at += 1)
        }

        #[inline(always)]
        fn whitespace(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.at += 1;
            }
        }

        /// A member name without escapes.
        #[inline(always)]
        fn key(&mut self) -> Option<&'a str> {
            match self.string()? {
                Cow::Borrowed(k) => Some(k),
                Cow::Owned(_) => None,
            }
        }

        /// A string, borrowed when it has no escapes.
        #[inline(always)]
        fn string(&mut self) -> Option<Cow<'a, str>> {
            self.eat(b'"')?;
            let start = self.at;
            let bytes = self.data.as_bytes();
            let mut escaped = false;
            loop {
                self.at += special(bytes.get(self.at..)?)?;
                match bytes[self.at] {
                    b'"' => break,
                    b'\\' => {
                        escaped = true;
                        self.at += 2;
                    }
                    // A raw control character is not JSON: serde says why.
                    _ => return None,
                }
            }
            let inner = self.data.get(start..self.at)?;
            self.at += 1;
            if !escaped {
                return Some(Cow::Borrowed(inner));
            }
            let quoted = self.data.get(start - 1..self.at)?;
            serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
        }

        #[inline(always)]
        fn value(&mut self) -> Option<Scalar<'a>> {
            match self.peek()? {
                b'"' => self.string().map(Scalar::Str),
                b'-' | b'0'..=b'9' => self.integer().map(Scalar::Int),
                b't' => self.literal("true"),
                b'f' => self.literal("false"),
                b'n' => self.literal("null"),
                b'[' => self.empty(b']'),
                b'{' => self.empty(b'}'),
                _ => None,
            }
        }

        #[inline(always)]
        fn literal(&mut self, word: &str) -> Option<Scalar<'a>> {
            let end = self.at + word.len();
            (self.data.get(self.at..end)? == word).then(|| {
                self.at = end;
                Scalar::Other
            })
        }

        #[inline(always)]
        fn empty(&mut self, close: u8) -> Option<Scalar<'a>> {
            self.at += 1;
            self.whitespace();
            self.eat(close).map(|_| Scalar::Other)
        }

        /// An integer of at most 18 digits (no fraction, no exponent, no
        /// leading zero): what an index or sequence number is.
        #[inline(always)]
        fn integer(&mut self) -> Option<i64> {
            let negative = self.eat(b'-').is_some();
            let start = self.at;
            let bytes = self.data.as_bytes();
            while bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                self.at += 1;
            }
            let digits = &bytes[start..self.at];
            if digits.is_empty() || digits.len() > 18 || (digits[0] == b'0' && digits.len() > 1) {
                return None;
            }
            if let Some(b'.' | b'e' | b'E') = self.peek() {
                return None;
            }
            let n = digits
                .iter()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            Some(if negative { -n } else { n })
        }
    }
}

/// A whole number, or nothing when the member is of another kind (a
/// fraction, a string such as `"__proto__"`, an object).
struct AnyInt(Option<i64>);

impl AnyInt {
    fn unsigned(self) -> Option<u64> {
        self.0.and_then(|n| u64::try_from(n).ok())
    }
}

impl<'de> Deserialize<'de> for AnyInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyInt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E>(self, n: i64) -> Result<AnyInt, E> {
                Ok(AnyInt(Some(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<AnyInt, E> {
                Ok(AnyInt(i64::try_from(n).ok()))
            }
            fn visit_f64<E>(self, f: f64) -> Result<AnyInt, E> {
                // 4e9 is a whole number written as a float; 1.5 is no index.
                let whole = f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15;
                Ok(AnyInt(whole.then_some(f as i64)))
            }
            fn visit_str<E>(self, _: &str) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_unit<E>(self) -> Result<AnyInt, E> {
                Ok(AnyInt(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<AnyInt, A::Error> {
                IgnoredAny.visit_map(a).map(|_| AnyInt(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<AnyInt, A::Error> {
                IgnoredAny.visit_seq(a).map(|_| AnyInt(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_delta_and_skips_the_rest() {
        let data = r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi \"you\"","logprobs":[{"x":1}],"obfuscation":"abc"}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(v.kind(), "response.output_text.delta");
        assert_eq!(v.sequence_number, Some(4));
        assert_eq!((v.output_index, v.content_index), (Some(0), Some(0)));
        assert_eq!(v.delta.as_deref(), Some("Hi \"you\""));
        assert!(v.error.is_none() && v.is_object);
    }

    #[test]
    fn members_of_another_kind_read_as_absent() {
        let data = r#"{"type":"response.output_text.delta","output_index":"__proto__","content_index":4e9,"sequence_number":-1,"delta":{"a":1},"error":0,"type":"x"}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(v.kind(), "x", "the last member counts");
        assert_eq!(v.output_index, None);
        assert_eq!(v.content_index, Some(4_000_000_000));
        assert_eq!(v.sequence_number, None);
        assert_eq!(v.delta, None);
        assert_eq!(v.error.map(|e| e.get()), Some("0"));
        assert!(!EventView::parse("[1,2]").unwrap().is_object);
        assert!(EventView::parse("{\"a\":").is_err());
        assert!(EventView::parse("{} x").is_err());
    }

    /// The scanner and serde read every input alike: where the scanner
    /// answers, serde gives the same view.
    #[test]
    fn the_flat_scanner_reads_as_serde_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sse");
        let mut inputs: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "sse") {
                let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
                inputs.extend(
                    text.lines()
                        .filter_map(|l| l.strip_prefix("data: "))
                        .map(String::from),
                );
            }
        }
        for tricky in [
            r#"{}"#,
            r#" { "type" : "x" , "output_index" : -0 } "#,
            r#"{"type":"a\nb\u00e9\"","delta":"\ud83d\ude00"}"#,
            r#"{"t\u0079pe":"escaped key"}"#,
            r#"{"type":"x","output_index":12345678901234567890}"#,
            r#"{"type":"x","output_index":1.0,"content_index":1e2}"#,
            r#"{"type":"x","output_index":007}"#,
            r#"{"type":"x","sequence_number":-3,"logprobs":[ ],"m":{ }}"#,
            r#"{"type":"x","logprobs":[1],"delta":"d"}"#,
            "{\"type\":\"x\",\"delta\":\"tab\there\"}",
            r#"{"type":"x","delta":"bad \q escape"}"#,
            r#"{"type":"x","delta":"cut"#,
            r#"{"type":"x",}"#,
            r#"{"type":"x"} trailing"#,
            r#"{"type":true,"delta":null,"name":false,"text":1}"#,
            r#"{"type":"x","type":"y"}"#,
            r#"{"error":null,"type":"error"}"#,
            "\u{feff}{\"type\":\"bom\"}",
            r#"[1]"#,
            r#""str""#,
            r#"{"type":"x","output_index":-}"#,
            r#"{"type":"x","output_index":tru}"#,
            r#"{"type":"x","delta":"\"#,
        ] {
            inputs.push(tricky.to_string());
        }
        let mut scanned = 0;
        for data in &inputs {
            let serde = EventView::parse_with_serde(data);
            if let Some(view) = flat::scan(data) {
                scanned += 1;
                let serde = serde
                    .unwrap_or_else(|e| panic!("serde refuses what the scanner read: {data}: {e}"));
                assert_eq!(format!("{view:?}"), format!("{serde:?}"), "{data}");
            }
        }
        assert!(
            scanned > 200,
            "the scanner reads the corpus's flat events ({scanned})"
        );
        let delta = r#"{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"line\n","logprobs":[],"obfuscation":"x"}"#;
        assert_eq!(flat::scan(delta).unwrap().delta.as_deref(), Some("line\n"));
    }

    #[test]
    fn special_bytes_are_found_eight_at_a_time_as_one_by_one() {
        for len in 0..20 {
            for at in 0..=len {
                for b in [b'"', b'\\', 0x00, 0x1f, b'a', 0x7f, 0x80, 0xff, b' '] {
                    let mut bytes = vec![b'x'; len];
                    if at < len {
                        bytes[at] = b;
                    }
                    let naive = bytes
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20);
                    assert_eq!(flat::special(&bytes), naive, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn objects_are_kept_raw() {
        let data = r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m","content":[]}}"#;
        let v = EventView::parse(data).unwrap();
        assert_eq!(
            v.item.unwrap().get(),
            r#"{"type":"message","id":"m","content":[]}"#
        );
    }
}

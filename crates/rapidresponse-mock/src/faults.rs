//! Fault specs: parsing the `;`-separated text (`status=429;retry-after-ms=10`)
//! into a `FaultSpec`, and the FIFO queue of specs for coming requests. It
//! does not apply faults; the server and the stream writer do.

use std::collections::VecDeque;

/// The shape of the `error` event that `error-event=` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorEventShape {
    /// `{"type":"error","code":..,"message":..,"param":..}` (the OpenAPI spec).
    Flat,
    /// `{"type":"error","error":{..}}` (what real traffic carries).
    Nested,
}

/// Everything one fault spec asks for. Items not given keep their defaults
/// (no fault).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultSpec {
    pub status: Option<u16>,
    pub retry_after_ms: Option<String>,
    pub retry_after: Option<String>,
    pub should_retry: Option<bool>,
    /// Queue only: how many requests the spec applies to.
    pub times: Option<u32>,
    pub reset: bool,
    pub hang: bool,
    pub drop_after: Option<usize>,
    pub stall_after: Option<usize>,
    /// Milliseconds of server "think time" before a stream's first event.
    pub think_ms: Option<u64>,
    /// `(bytes, milliseconds)`: `bytes` of body every `milliseconds`.
    pub slow: Option<(usize, u64)>,
    pub malformed_at: Option<usize>,
    pub unknown_event_at: Option<usize>,
    pub error_event: Option<ErrorEventShape>,
    pub failed: bool,
    pub incomplete: bool,
    pub big_event: Option<usize>,
    pub invalid_utf8: bool,
    pub bom: bool,
    pub crlf: bool,
    pub keepalive: bool,
    pub deltas: Option<usize>,
    /// A redirect status (301, 302, 303, 307, 308) to the same path.
    pub redirect: Option<u16>,
    /// The host the redirect points at instead of the request's own.
    pub redirect_host: Option<String>,
    /// A hostile server's answer (see `hostile`).
    pub hostile: Option<crate::hostile::Attack>,
}

/// The most `deltas` accepted: each is an event built in memory.
pub const MAX_DELTAS: usize = 1_000_000;

/// The largest `big-event` accepted: bigger bodies would only exhaust memory.
const MAX_BIG_EVENT: usize = 1 << 30;

impl FaultSpec {
    /// Parses a spec; the error names the offending item. Empty items (a
    /// trailing `;`) are skipped.
    pub fn parse(text: &str) -> Result<FaultSpec, String> {
        let mut spec = FaultSpec::default();
        for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (item, None),
            };
            spec.apply(key, value)
                .map_err(|why| format!("invalid fault item '{item}': {why}"))?;
        }
        if spec.redirect_host.is_some() && spec.redirect.is_none() {
            return Err("redirect-host needs a redirect=<code> item".to_owned());
        }
        if spec.retry_headers_given() && spec.status.is_none() {
            return Err("retry headers need a status=<code> item".to_owned());
        }
        Ok(spec)
    }

    fn apply(&mut self, key: &str, value: Option<&str>) -> Result<(), String> {
        match (key, value) {
            ("status", Some(v)) => {
                let code = parse_number::<u16>(v)?;
                if !(400..=599).contains(&code) {
                    return Err("the status must be 400..=599".to_owned());
                }
                self.status = Some(code);
            }
            ("retry-after-ms", Some(v)) => {
                parse_number::<u64>(v)?;
                self.retry_after_ms = Some(v.to_owned());
            }
            // Seconds or an HTTP date, sent as given: testing odd values is the point.
            ("retry-after", Some(v)) if !v.is_empty() => self.retry_after = Some(v.to_owned()),
            ("should-retry", Some(v)) => {
                self.should_retry = Some(match v {
                    "true" => true,
                    "false" => false,
                    _ => return Err("expected true or false".to_owned()),
                })
            }
            ("times", Some(v)) => {
                let n = parse_number::<u32>(v)?;
                if n == 0 {
                    return Err("times must be at least 1".to_owned());
                }
                self.times = Some(n);
            }
            ("reset", None) => self.reset = true,
            ("hang", None) => self.hang = true,
            ("drop-after", Some(v)) => self.drop_after = Some(parse_number(v)?),
            ("stall-after", Some(v)) => self.stall_after = Some(parse_number(v)?),
            ("think-ms", Some(v)) => self.think_ms = Some(parse_number::<u64>(v)?.min(60_000)),
            ("slow", Some(v)) => {
                let (bytes, ms) = v
                    .split_once(',')
                    .ok_or_else(|| "expected slow=<bytes>,<ms>".to_owned())?;
                let bytes = parse_number::<usize>(bytes.trim())?;
                if bytes == 0 {
                    return Err("the byte count must be at least 1".to_owned());
                }
                self.slow = Some((bytes, parse_number(ms.trim())?));
            }
            ("malformed-at", Some(v)) => self.malformed_at = Some(parse_number(v)?),
            ("unknown-event-at", Some(v)) => self.unknown_event_at = Some(parse_number(v)?),
            ("error-event", Some(v)) => {
                self.error_event = Some(match v {
                    "flat" => ErrorEventShape::Flat,
                    "nested" => ErrorEventShape::Nested,
                    _ => return Err("expected flat or nested".to_owned()),
                })
            }
            ("failed", None) => self.failed = true,
            ("incomplete", None) => self.incomplete = true,
            ("big-event", Some(v)) => {
                let n = parse_number::<usize>(v)?;
                if n > MAX_BIG_EVENT {
                    return Err(format!("at most {MAX_BIG_EVENT} bytes"));
                }
                self.big_event = Some(n);
            }
            ("invalid-utf8", None) => self.invalid_utf8 = true,
            ("bom", None) => self.bom = true,
            ("crlf", None) => self.crlf = true,
            ("keepalive", None) => self.keepalive = true,
            ("deltas", Some(v)) => {
                let n = parse_number::<usize>(v)?;
                if n > MAX_DELTAS {
                    return Err(format!("at most {MAX_DELTAS} deltas"));
                }
                self.deltas = Some(n);
            }
            ("redirect", Some(v)) => {
                let code = parse_number::<u16>(v)?;
                if ![301, 302, 303, 307, 308].contains(&code) {
                    return Err("a redirect is 301, 302, 303, 307 or 308".to_owned());
                }
                self.redirect = Some(code);
            }
            ("redirect-host", Some(v)) if !v.is_empty() => self.redirect_host = Some(v.to_owned()),
            ("hostile", Some(v)) => self.hostile = Some(crate::hostile::Attack::parse(v)?),
            (
                "reset" | "hang" | "failed" | "incomplete" | "invalid-utf8" | "bom" | "crlf"
                | "keepalive",
                Some(_),
            ) => return Err("this item takes no value".to_owned()),
            (_, None) if KEYS_WITH_VALUES.contains(&key) => {
                return Err("this item needs a value".to_owned())
            }
            _ => return Err("unknown item".to_owned()),
        }
        Ok(())
    }

    fn retry_headers_given(&self) -> bool {
        self.retry_after_ms.is_some() || self.retry_after.is_some() || self.should_retry.is_some()
    }
}

const KEYS_WITH_VALUES: &[&str] = &[
    "hostile",
    "status",
    "retry-after-ms",
    "retry-after",
    "should-retry",
    "times",
    "drop-after",
    "stall-after",
    "think-ms",
    "slow",
    "malformed-at",
    "unknown-event-at",
    "error-event",
    "big-event",
    "deltas",
    "redirect",
    "redirect-host",
];

fn parse_number<T: std::str::FromStr>(v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("'{v}' is not a non-negative integer in range"))
}

/// One entry of the queue: a parsed spec with the requests it still applies
/// to, or a spec that failed to parse (the request that takes it gets a 400
/// saying why, so a typo in `push_fault` is not silently ignored).
#[derive(Debug)]
enum Queued {
    Spec {
        spec: Box<FaultSpec>,
        remaining: u32,
    },
    Invalid(String),
}

/// The FIFO of faults for coming requests: each request takes one.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    entries: VecDeque<Queued>,
}

impl FaultQueue {
    /// Queues the spec text; an invalid one is kept as its error.
    pub fn push_text(&mut self, text: &str) -> Result<(), String> {
        match FaultSpec::parse(text) {
            Ok(spec) => {
                self.push(spec);
                Ok(())
            }
            Err(why) => {
                self.entries.push_back(Queued::Invalid(why.clone()));
                Err(why)
            }
        }
    }

    /// Queues a parsed spec for `spec.times` requests (1 when unset).
    pub fn push(&mut self, spec: FaultSpec) {
        let remaining = spec.times.unwrap_or(1);
        self.entries.push_back(Queued::Spec {
            spec: Box::new(spec),
            remaining,
        });
    }

    /// Takes the fault for one request: `None` when the queue is empty.
    pub fn take(&mut self) -> Option<Result<FaultSpec, String>> {
        let front = self.entries.front_mut()?;
        let taken = match front {
            Queued::Spec { spec, remaining } => {
                *remaining -= 1;
                let spec = FaultSpec::clone(spec);
                if *remaining > 0 {
                    return Some(Ok(spec));
                }
                Ok(spec)
            }
            Queued::Invalid(why) => Err(why.clone()),
        };
        self.entries.pop_front();
        Some(taken)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_item() {
        let spec = FaultSpec::parse(
            "status=429; retry-after-ms=10;retry-after=Wed, 21 Oct 2015 07:28:00 GMT;should-retry=false;times=2;\
             drop-after=3;stall-after=4;slow=5,6;malformed-at=7;unknown-event-at=8;error-event=nested;\
             failed;incomplete;big-event=16;invalid-utf8;bom;crlf;keepalive;deltas=9;reset;hang;",
        )
        .unwrap();
        assert_eq!(spec.status, Some(429));
        assert_eq!(spec.retry_after_ms.as_deref(), Some("10"));
        assert_eq!(
            spec.retry_after.as_deref(),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
        assert_eq!(spec.should_retry, Some(false));
        assert_eq!(spec.times, Some(2));
        assert_eq!(spec.drop_after, Some(3));
        assert_eq!(spec.stall_after, Some(4));
        assert_eq!(spec.slow, Some((5, 6)));
        assert_eq!(spec.malformed_at, Some(7));
        assert_eq!(spec.unknown_event_at, Some(8));
        assert_eq!(spec.error_event, Some(ErrorEventShape::Nested));
        assert!(spec.failed && spec.incomplete && spec.invalid_utf8 && spec.bom);
        assert!(spec.crlf && spec.keepalive && spec.reset && spec.hang);
        assert_eq!(spec.big_event, Some(16));
        assert_eq!(spec.deltas, Some(9));
        let hostile = FaultSpec::parse("hostile=stuck-cursor").unwrap();
        assert_eq!(hostile.hostile, Some(crate::hostile::Attack::StuckCursor));
    }

    #[test]
    fn parameters_that_would_exhaust_memory_are_refused() {
        assert!(FaultSpec::parse("deltas=1000000").is_ok());
        for spec in [
            "deltas=1000001",
            "deltas=1000000000000",
            "big-event=1073741825",
        ] {
            assert!(
                FaultSpec::parse(spec).unwrap_err().contains("at most"),
                "{spec}"
            );
        }
        assert!(FaultSpec::parse("hostile=nope").is_err());
    }

    #[test]
    fn rejects_bad_items_with_a_reason() {
        for bad in [
            "nope",
            "status",
            "status=abc",
            "status=200",
            "slow=5",
            "slow=0,5",
            "error-event=weird",
            "reset=1",
            "times=0",
            "retry-after-ms=10",
            "should-retry=yes",
        ] {
            let err = FaultSpec::parse(bad).unwrap_err();
            assert!(
                err.contains("invalid fault item") || err.contains("status"),
                "{bad}: {err}"
            );
        }
        assert_eq!(FaultSpec::parse("").unwrap(), FaultSpec::default());
    }

    #[test]
    fn the_queue_is_fifo_and_counts_times() {
        let mut q = FaultQueue::default();
        q.push_text("status=500;times=2").unwrap();
        assert!(q.push_text("bogus").is_err());
        q.push_text("reset").unwrap();
        assert_eq!(q.take().unwrap().unwrap().status, Some(500));
        assert_eq!(q.take().unwrap().unwrap().status, Some(500));
        assert!(q.take().unwrap().is_err());
        assert!(q.take().unwrap().unwrap().reset);
        assert!(q.take().is_none());
        assert_eq!(q.len(), 0);
    }
}

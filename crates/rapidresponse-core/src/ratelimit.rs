//! The `x-ratelimit-*` headers of a response, parsed: limits, what remains,
//! and when each resets (Go-style durations such as `6m0s`, `1s`, `20ms`).

use std::time::Duration;

use crate::http::Headers;

/// Rate-limit state reported by the server with a response or an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub limit_requests: Option<u64>,
    pub remaining_requests: Option<u64>,
    pub reset_requests: Option<Duration>,
    pub limit_tokens: Option<u64>,
    pub remaining_tokens: Option<u64>,
    pub reset_tokens: Option<Duration>,
}

impl RateLimit {
    /// Reads the six headers; `None` when none is present.
    pub fn from_headers(h: &Headers) -> Option<Self> {
        let num = |k: &str| h.get(k).and_then(|v| v.trim().parse::<u64>().ok());
        let dur = |k: &str| h.get(k).and_then(parse_go_duration);
        let r = RateLimit {
            limit_requests: num("x-ratelimit-limit-requests"),
            remaining_requests: num("x-ratelimit-remaining-requests"),
            reset_requests: dur("x-ratelimit-reset-requests"),
            limit_tokens: num("x-ratelimit-limit-tokens"),
            remaining_tokens: num("x-ratelimit-remaining-tokens"),
            reset_tokens: dur("x-ratelimit-reset-tokens"),
        };
        (r != RateLimit::default()).then_some(r)
    }
}

/// `1h2m3.5s`, `6m0s`, `20ms`, `1s`, or plain seconds (`0.5`).
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        // try_: a server's `1e20` is out of Duration's range, not a panic.
        return Duration::try_from_secs_f64(secs).ok();
    }
    let mut total = 0.0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += value * factor;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_durations_are_absent_not_a_panic() {
        for s in [
            "1e20",
            "1e20s",
            "99999999999999999999h",
            "inf",
            "NaN",
            "-1",
            "1e400",
        ] {
            assert_eq!(parse_go_duration(s), None, "{s}");
        }
        let h: Headers = [("x-ratelimit-reset-tokens", "1e20s")]
            .into_iter()
            .collect();
        assert_eq!(RateLimit::from_headers(&h), None);
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_go_duration("23h47m36.648s"),
            Some(Duration::from_millis(85_656_648))
        );
        assert_eq!(parse_go_duration("soon"), None);
    }

    #[test]
    fn headers_to_rate_limit() {
        let h: Headers = [
            ("x-ratelimit-limit-requests", "60"),
            ("x-ratelimit-remaining-requests", "59"),
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-limit-tokens", "150000"),
            ("x-ratelimit-remaining-tokens", "149984"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ]
        .into_iter()
        .collect();
        let r = RateLimit::from_headers(&h).unwrap();
        assert_eq!(r.remaining_tokens, Some(149_984));
        assert_eq!(r.reset_tokens, Some(Duration::from_secs(360)));
        assert_eq!(RateLimit::from_headers(&Headers::new()), None);
    }
}

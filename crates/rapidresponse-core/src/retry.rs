//! The retry decision as a pure function: given what happened, how many
//! retries were taken, the current time and a jitter value, answer
//! `Retry(delay)` or `Stop`. It never sleeps, reads the clock, or draws
//! random numbers: the client loop supplies `now` and `jitter`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::http::Headers;

/// What the last attempt ended with.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The server answered with a status (only non-2xx statuses reach
    /// `decide`); `body` is read for the opt-in "try again in" hint.
    Status {
        status: u16,
        headers: &'a Headers,
        body: Option<&'a [u8]>,
    },
    /// The connection could not be made or dropped before the headers.
    Connection,
    /// A timeout ran out before the headers.
    Timeout,
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    Retry(Duration),
    Stop,
}

/// How a server-given delay (`retry-after-ms`, `retry-after`) is used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServerDelayRule {
    /// openai-python 3.54: use it when `0 < d <= max`; when `d > max`, do
    /// not retry at all (checked before `x-should-retry`); otherwise back off.
    UseOrStop { max: Duration },
    /// openai-node: use it when `0 <= d <= max`; otherwise back off and
    /// still retry.
    UseOrBackoff { max: Duration },
}

/// Every constant of the retry behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the SDKs' `max_retries`).
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// The backoff is multiplied by `1 - jitter_fraction * jitter`.
    pub jitter_fraction: f64,
    pub server_delay: ServerDelayRule,
    /// Statuses retried when `x-should-retry` does not say otherwise
    /// (besides every status >= 500).
    pub retry_statuses: Vec<u16>,
    pub retry_server_errors: bool,
    pub retry_connection_errors: bool,
    pub retry_timeouts: bool,
    /// Honour `x-should-retry: true|false`.
    pub honour_should_retry_header: bool,
    /// Opt-in: on a 429 without a delay header, read "try again in 1.5s"
    /// from the body (codex does).
    pub delay_from_body: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::openai_python()
    }
}

impl RetryPolicy {
    /// openai-python 3.54's behaviour (the Rust crate's default).
    pub fn openai_python() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            jitter_fraction: 0.25,
            server_delay: ServerDelayRule::UseOrStop {
                max: Duration::from_secs(120),
            },
            retry_statuses: vec![408, 409, 429],
            retry_server_errors: true,
            retry_connection_errors: true,
            retry_timeouts: true,
            honour_should_retry_header: true,
            delay_from_body: false,
        }
    }

    /// openai-node's behaviour (the npm package's default).
    pub fn openai_node() -> Self {
        RetryPolicy {
            server_delay: ServerDelayRule::UseOrBackoff {
                max: Duration::from_secs(60),
            },
            ..Self::openai_python()
        }
    }

    /// The same policy with its backoff (initial and largest delay) scaled
    /// by `factor`, which must be finite and positive: tests wait 1/100 of
    /// the SDKs' delays, with the same shape.
    pub fn with_delays_scaled(mut self, factor: f64) -> Option<Self> {
        if !(factor.is_finite() && factor > 0.0) {
            return None;
        }
        self.initial_delay = self.initial_delay.mul_f64(factor);
        self.max_delay = self.max_delay.mul_f64(factor);
        Some(self)
    }

    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::openai_python()
        }
    }

    /// Decides after an attempt failed. `retries_taken` is 0 after the first
    /// attempt; `jitter` is uniform in [0, 1).
    pub fn decide(
        &self,
        retries_taken: u32,
        outcome: &Outcome,
        now: SystemTime,
        jitter: f64,
    ) -> Decision {
        if retries_taken >= self.max_retries {
            return Decision::Stop;
        }
        let backoff = self.backoff(retries_taken, jitter);
        match *outcome {
            Outcome::Connection if self.retry_connection_errors => Decision::Retry(backoff),
            Outcome::Timeout if self.retry_timeouts => Decision::Retry(backoff),
            Outcome::Connection | Outcome::Timeout => Decision::Stop,
            Outcome::Status {
                status,
                headers,
                body,
            } => {
                let mut server = server_delay(headers, now);
                if server.is_none() && self.delay_from_body && status == 429 {
                    server = body.and_then(delay_from_body);
                }
                if let (Some(d), ServerDelayRule::UseOrStop { max }) = (server, self.server_delay) {
                    if d > max.as_secs_f64() {
                        return Decision::Stop;
                    }
                }
                if !self.should_retry_status(status, headers) {
                    return Decision::Stop;
                }
                let use_server = match (server, self.server_delay) {
                    (Some(d), ServerDelayRule::UseOrStop { max }) => {
                        d > 0.0 && d <= max.as_secs_f64()
                    }
                    (Some(d), ServerDelayRule::UseOrBackoff { max }) => {
                        d >= 0.0 && d <= max.as_secs_f64()
                    }
                    (None, _) => false,
                };
                match server {
                    Some(d) if use_server => Decision::Retry(Duration::from_secs_f64(d)),
                    _ => Decision::Retry(backoff),
                }
            }
        }
    }

    /// `min(initial * 2^n, max) * (1 - jitter_fraction * jitter)`.
    pub fn backoff(&self, retries_taken: u32, jitter: f64) -> Duration {
        let base = self.initial_delay.as_secs_f64() * 2f64.powi(retries_taken.min(1000) as i32);
        let capped = base.min(self.max_delay.as_secs_f64());
        let jitter = jitter.clamp(0.0, 1.0);
        Duration::from_secs_f64((capped * (1.0 - self.jitter_fraction * jitter)).max(0.0))
    }

    fn should_retry_status(&self, status: u16, headers: &Headers) -> bool {
        if self.honour_should_retry_header {
            match headers.get("x-should-retry") {
                Some("true") => return true,
                Some("false") => return false,
                _ => {}
            }
        }
        self.retry_statuses.contains(&status) || (self.retry_server_errors && status >= 500)
    }
}

/// The server's requested delay in seconds: `retry-after-ms`, else
/// `retry-after` as seconds, else as an HTTP date (relative to `now`).
/// Finite values only; negative values are returned as they are.
pub fn server_delay(headers: &Headers, now: SystemTime) -> Option<f64> {
    if let Some(ms) = headers.get("retry-after-ms").and_then(parse_float) {
        return Some(ms / 1000.0);
    }
    let ra = headers.get("retry-after")?;
    if let Some(s) = parse_float(ra) {
        return Some(s);
    }
    let at = parse_http_date(ra)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    Some(at as f64 - now)
}

fn parse_float(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// "Rate limit reached ... Please try again in 1.5s" / "in 20ms".
fn delay_from_body(body: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(body).ok()?.to_ascii_lowercase();
    let start = text.find("try again in")? + "try again in".len();
    let rest = text[start..].trim_start();
    let num_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let value: f64 = rest[..num_len].parse().ok()?;
    let unit = rest[num_len..].trim_start();
    if unit.starts_with("ms") {
        Some(value / 1000.0)
    } else if unit.starts_with('s') {
        Some(value)
    } else {
        None
    }
}

/// Parses an HTTP date (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC
/// 850 `Sunday, 06-Nov-94 08:49:37 GMT`, or asctime
/// `Sun Nov  6 08:49:37 1994`) into seconds since the Unix epoch.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (day, month, year, time) = match parts.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, m, y, t, "GMT" | "UTC" | "+0000"] => {
            (d.parse().ok()?, *m, y.parse::<i64>().ok()?, *t)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            let mut it = dmy.split('-');
            let d = it.next()?.parse().ok()?;
            let m = it.next()?;
            let y: i64 = it.next()?.parse().ok()?;
            (
                d,
                m,
                if y < 70 {
                    2000 + y
                } else if y < 100 {
                    1900 + y
                } else {
                    y
                },
                *t,
            )
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] => (d.parse().ok()?, *m, y.parse::<i64>().ok()?, *t),
        _ => return None,
    };
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS.iter().position(|m| month.eq_ignore_ascii_case(m))? as i64 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, se) = (hms.next()??, hms.next()??, hms.next()??);
    // Bounded so the day arithmetic cannot overflow on a server's year 10^18.
    let fields = (1..=31).contains(&day) && (0..=23).contains(&h) && (0..=59).contains(&mi);
    if !fields || !(0..=60).contains(&se) || !(0..=9999).contains(&year) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_delays_keep_the_shape_and_refuse_nonsense() {
        let p = RetryPolicy::openai_node().with_delays_scaled(0.01).unwrap();
        assert_eq!(p.initial_delay, Duration::from_millis(5));
        assert_eq!(p.max_delay, Duration::from_millis(80));
        assert_eq!(p.server_delay, RetryPolicy::openai_node().server_delay);
        assert!(RetryPolicy::default().with_delays_scaled(0.0).is_none());
        assert!(RetryPolicy::default()
            .with_delays_scaled(f64::NAN)
            .is_none());
    }

    fn h(pairs: &[(&str, &str)]) -> Headers {
        pairs.iter().copied().collect()
    }

    fn status(policy: &RetryPolicy, n: u32, code: u16, headers: &Headers) -> Decision {
        let outcome = Outcome::Status {
            status: code,
            headers,
            body: None,
        };
        policy.decide(
            n,
            &outcome,
            UNIX_EPOCH + Duration::from_secs(784_111_777),
            0.0,
        )
    }

    #[test]
    fn backoff_doubles_from_half_a_second_to_eight_with_jitter() {
        let p = RetryPolicy::default();
        let secs: Vec<f64> = (0..6).map(|n| p.backoff(n, 0.0).as_secs_f64()).collect();
        assert_eq!(secs, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]);
        assert!((p.backoff(0, 1.0).as_secs_f64() - 0.375).abs() < 1e-12);
        assert!((p.backoff(4, 0.5).as_secs_f64() - 7.0).abs() < 1e-12);
    }

    #[test]
    fn statuses_and_the_retry_budget() {
        let p = RetryPolicy::default();
        let none = Headers::new();
        for code in [408, 409, 429, 500, 503] {
            assert_eq!(
                status(&p, 0, code, &none),
                Decision::Retry(Duration::from_millis(500)),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 418, 422] {
            assert_eq!(status(&p, 0, code, &none), Decision::Stop, "{code}");
        }
        assert_eq!(status(&p, 2, 500, &none), Decision::Stop);
        let t = p.decide(1, &Outcome::Timeout, UNIX_EPOCH, 0.0);
        assert_eq!(t, Decision::Retry(Duration::from_secs(1)));
        assert_eq!(
            p.decide(0, &Outcome::Connection, UNIX_EPOCH, 0.0),
            Decision::Retry(Duration::from_millis(500))
        );
    }

    #[test]
    fn should_retry_header_overrides_the_status_rule() {
        let p = RetryPolicy::default();
        assert!(matches!(
            status(&p, 0, 418, &h(&[("x-should-retry", "true")])),
            Decision::Retry(_)
        ));
        assert_eq!(
            status(&p, 0, 503, &h(&[("x-should-retry", "false")])),
            Decision::Stop
        );
    }

    #[test]
    fn absurd_dates_and_delays_never_panic() {
        let p = RetryPolicy::default();
        for date in [
            "Sun, 06 Nov 9223372036854775807 08:49:40 GMT",
            "Sun, 06 Nov -9223372036854775807 08:49:40 GMT",
            "Sun Nov  6 08:49:37 99999999999999",
            "Sunday, 06-Nov-9223372036854775807 08:49:37 GMT",
            "Sun, 06 Nov 1994 -9223372036854775807:49:40 GMT",
        ] {
            assert_eq!(parse_http_date(date), None, "{date}");
            let d = status(&p, 0, 429, &h(&[("retry-after", date)]));
            assert!(matches!(d, Decision::Retry(_)), "{date}: {d:?}");
        }
        for v in ["1e308", "-1e308", "1e400"] {
            let d = status(&p, 0, 429, &h(&[("retry-after-ms", v)]));
            assert!(matches!(d, Decision::Retry(_) | Decision::Stop), "{v}");
            let d = status(&p, 0, 429, &h(&[("retry-after", v)]));
            assert!(matches!(d, Decision::Retry(_) | Decision::Stop), "{v}");
        }
        let node = RetryPolicy::openai_node();
        let d = status(&node, 0, 429, &h(&[("retry-after", "1e308")]));
        assert!(matches!(d, Decision::Retry(_)));
    }

    #[test]
    fn server_delays_in_every_form() {
        let p = RetryPolicy::default();
        let ms = status(&p, 0, 429, &h(&[("retry-after-ms", "10")]));
        assert_eq!(ms, Decision::Retry(Duration::from_millis(10)));
        let s = status(&p, 0, 429, &h(&[("retry-after", "1.5")]));
        assert_eq!(s, Decision::Retry(Duration::from_millis(1500)));
        // now = Sun, 06 Nov 1994 08:49:37 GMT; the date is 3 s later.
        let date = status(
            &p,
            0,
            429,
            &h(&[("retry-after", "Sun, 06 Nov 1994 08:49:40 GMT")]),
        );
        assert_eq!(date, Decision::Retry(Duration::from_secs(3)));
        // Zero falls back to the backoff in openai-python, is used in openai-node.
        let zero = h(&[("retry-after", "0")]);
        assert_eq!(
            status(&p, 0, 429, &zero),
            Decision::Retry(Duration::from_millis(500))
        );
        assert_eq!(
            status(&RetryPolicy::openai_node(), 0, 429, &zero),
            Decision::Retry(Duration::ZERO)
        );
    }

    #[test]
    fn long_server_delays_differ_between_the_sdk_presets() {
        let long = h(&[("retry-after", "121"), ("x-should-retry", "true")]);
        assert_eq!(
            status(&RetryPolicy::openai_python(), 0, 429, &long),
            Decision::Stop
        );
        assert_eq!(
            status(
                &RetryPolicy::openai_python(),
                0,
                429,
                &h(&[("retry-after", "120")])
            ),
            Decision::Retry(Duration::from_secs(120))
        );
        let node = RetryPolicy::openai_node();
        assert_eq!(
            status(&node, 0, 429, &h(&[("retry-after", "61")])),
            Decision::Retry(Duration::from_millis(500))
        );
        assert_eq!(
            status(&node, 0, 429, &h(&[("retry-after", "60")])),
            Decision::Retry(Duration::from_secs(60))
        );
    }

    #[test]
    fn delay_from_body_is_opt_in() {
        let body = br#"{"error":{"message":"Rate limit reached. Please try again in 1.5s."}}"#;
        let none = Headers::new();
        let outcome = Outcome::Status {
            status: 429,
            headers: &none,
            body: Some(body),
        };
        let off = RetryPolicy::default().decide(0, &outcome, UNIX_EPOCH, 0.0);
        assert_eq!(off, Decision::Retry(Duration::from_millis(500)));
        let on = RetryPolicy {
            delay_from_body: true,
            ..RetryPolicy::default()
        };
        assert_eq!(
            on.decide(0, &outcome, UNIX_EPOCH, 0.0),
            Decision::Retry(Duration::from_millis(1500))
        );
        assert_eq!(delay_from_body(b"try again in 20ms"), Some(0.02));
    }

    #[test]
    fn http_dates_in_three_formats() {
        let t = 784_111_777;
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(t));
        assert_eq!(parse_http_date("not a date"), None);
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    }
}

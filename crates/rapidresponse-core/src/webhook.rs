//! Webhook signatures as OpenAI sends them (Standard Webhooks): whether a
//! payload with its `webhook-id`, `webhook-timestamp` and
//! `webhook-signature` headers was signed with a secret, within a tolerance
//! of the caller's clock. Where openai-python and openai-node read the
//! headers differently, `Flavor` says whose reading. It reads no clock
//! (the caller passes `now`) and parses no event: the shells turn a
//! verified payload into their event types.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::endpoint::Flavor;

/// Both SDKs' default tolerance, in seconds.
pub const DEFAULT_TOLERANCE: i64 = 300;

/// Standard base64, padding optional (openai-node decodes either way).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The three headers of a delivery; `None` when absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

impl<'a> WebhookHeaders<'a> {
    /// The three headers among `(name, value)` pairs, names compared
    /// without case; the first of a repeated name counts.
    pub fn find<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Self {
        let mut h = WebhookHeaders::default();
        for (name, value) in pairs {
            let slot = if name.eq_ignore_ascii_case("webhook-id") {
                &mut h.id
            } else if name.eq_ignore_ascii_case("webhook-timestamp") {
                &mut h.timestamp
            } else if name.eq_ignore_ascii_case("webhook-signature") {
                &mut h.signature
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        h
    }
}

/// Why a delivery is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookError {
    /// No secret was given (nor configured on the client).
    MissingSecret,
    /// One of the three headers is absent.
    MissingHeader(&'static str),
    /// A `whsec_` secret whose rest is not base64.
    BadSecret,
    BadTimestamp,
    TooOld,
    TooNew,
    /// No signature in the header matches.
    Mismatch,
}

impl WebhookError {
    /// Whether the SDKs raise it as `InvalidWebhookSignatureError` (the
    /// others are a plain `ValueError` / `Error`: the caller's mistake, not
    /// the delivery's).
    pub fn is_signature_error(self) -> bool {
        matches!(
            self,
            Self::BadTimestamp | Self::TooOld | Self::TooNew | Self::Mismatch
        )
    }

    /// The message the flavor's SDK gives.
    pub fn message(self, flavor: Flavor) -> String {
        let client = match flavor {
            Flavor::OpenAIPython => "OpenAI(webhook_secret='123')",
            Flavor::OpenAINode => "OpenAI({ webhookSecret: '123' })",
        };
        match (self, flavor) {
            (Self::MissingSecret, _) => format!(
                "The webhook secret must either be set using the env var, OPENAI_WEBHOOK_SECRET, \
                 on the client class, {client}, or passed to this function"
            ),
            (Self::MissingHeader(name), Flavor::OpenAIPython) => {
                format!("Could not find {name} header")
            }
            (Self::MissingHeader(name), Flavor::OpenAINode) => {
                format!("Missing required header: {name}")
            }
            (Self::BadSecret, _) => "The webhook secret is not valid base64 after whsec_".into(),
            (Self::BadTimestamp, _) => "Invalid webhook timestamp format".into(),
            (Self::TooOld, _) => "Webhook timestamp is too old".into(),
            (Self::TooNew, _) => "Webhook timestamp is too new".into(),
            (Self::Mismatch, _) => {
                "The given webhook signature does not match the expected signature".into()
            }
        }
    }
}

/// Checks a delivery as the flavor's SDK does: the secret and the headers
/// are there, the timestamp is within `tolerance` seconds of `now` (Unix
/// seconds), and one of the header's signatures (`v1,<base64>`, separated
/// by spaces) is the HMAC-SHA256 of `id.timestamp.payload` under the secret
/// (`whsec_<base64>`, or the text itself). Signatures are compared in
/// constant time.
pub fn verify(
    flavor: Flavor,
    payload: &str,
    headers: &WebhookHeaders,
    secret: Option<&str>,
    tolerance: i64,
    now: i64,
) -> Result<(), WebhookError> {
    let secret = match secret {
        // openai-node refuses an empty secret; openai-python only a missing one.
        Some("") if flavor == Flavor::OpenAINode => return Err(WebhookError::MissingSecret),
        Some(s) => s,
        None => return Err(WebhookError::MissingSecret),
    };
    let signature = headers
        .signature
        .ok_or(WebhookError::MissingHeader("webhook-signature"))?;
    let timestamp = headers
        .timestamp
        .ok_or(WebhookError::MissingHeader("webhook-timestamp"))?;
    let id = headers
        .id
        .ok_or(WebhookError::MissingHeader("webhook-id"))?;

    let seconds = match flavor {
        Flavor::OpenAIPython => python_int(timestamp),
        Flavor::OpenAINode => js_parse_int(timestamp),
    }
    .ok_or(WebhookError::BadTimestamp)?;
    let (now, tolerance) = (i128::from(now), i128::from(tolerance));
    if now - seconds > tolerance {
        return Err(WebhookError::TooOld);
    }
    if seconds > now + tolerance {
        return Err(WebhookError::TooNew);
    }

    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => decode_secret(encoded).ok_or(WebhookError::BadSecret)?,
        None => secret.as_bytes().to_vec(),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    // openai-node signs `timestamp.payload` when the id is empty.
    if !(id.is_empty() && flavor == Flavor::OpenAINode) {
        mac.update(id.as_bytes());
        mac.update(b".");
    }
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    let expected: [u8; 32] = mac.finalize().into_bytes().into();

    let matched = match flavor {
        // openai-python compares the base64 texts (whitespace-separated).
        Flavor::OpenAIPython => {
            let text = STANDARD.encode(expected);
            signature
                .split_whitespace()
                .map(|c| c.strip_prefix("v1,").unwrap_or(c))
                .fold(false, |any, c| {
                    any | bool::from(c.as_bytes().ct_eq(text.as_bytes()))
                })
        }
        // openai-node compares the decoded bytes (space-separated).
        Flavor::OpenAINode => signature
            .split(' ')
            .map(|c| c.strip_prefix("v1,").unwrap_or(c))
            .filter_map(|c| LENIENT.decode(c).ok())
            .fold(false, |any, bytes| {
                any | bool::from(bytes.as_slice().ct_eq(&expected))
            }),
    };
    if matched {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The secret after `whsec_`: Python's `b64decode` drops characters
/// outside the alphabet before decoding.
fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    let kept: String = encoded
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    STANDARD.decode(&kept).ok()
}

/// Python's `int(text)`: surrounding whitespace, a sign, digits with single
/// underscores between them. Saturates (a number that does not fit is far
/// outside any tolerance either way).
fn python_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    if digits.contains("__") {
        return None;
    }
    let mut n: i128 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        // Python takes any Unicode decimal digit; ASCII covers real headers.
        let d = c.to_digit(10)?;
        n = n.saturating_mul(10).saturating_add(i128::from(d));
    }
    Some(if negative { -n } else { n })
}

/// JavaScript's `Number.parseInt(text, 10)`: leading whitespace, a sign,
/// then the longest run of digits; NaN (None) without one.
fn js_parse_int(text: &str) -> Option<i128> {
    let t = text.trim_start();
    let (negative, rest) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let end = rest
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    let n = rest[..end].bytes().fold(0i128, |n, b| {
        n.saturating_mul(10).saturating_add(i128::from(b - b'0'))
    });
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
    const PAYLOAD: &str = r#"{"id":"evt_1","object":"event","created_at":1750000000,"type":"response.completed","data":{"id":"resp_1"}}"#;
    const NOW: i64 = 1_750_000_000;

    fn sign(id: &str, ts: &str, payload: &str) -> String {
        let key = STANDARD.decode(&SECRET[6..]).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{ts}.{payload}").as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    fn check(flavor: Flavor, signature: &str, ts: &str, payload: &str) -> Result<(), WebhookError> {
        let headers = WebhookHeaders {
            id: Some("wh_1"),
            timestamp: Some(ts),
            signature: Some(signature),
        };
        verify(flavor, payload, &headers, Some(SECRET), 300, NOW)
    }

    #[test]
    fn a_signed_payload_passes_in_both_flavors_and_a_changed_one_fails() {
        let ts = NOW.to_string();
        let good = sign("wh_1", &ts, PAYLOAD);
        for flavor in [Flavor::OpenAIPython, Flavor::OpenAINode] {
            assert_eq!(check(flavor, &good, &ts, PAYLOAD), Ok(()));
            let tampered = PAYLOAD.replace("resp_1", "resp_2");
            assert_eq!(
                check(flavor, &good, &ts, &tampered),
                Err(WebhookError::Mismatch)
            );
            // Several signatures: any one may match.
            let several = format!("v1,AAAA {good} v1,BBBB");
            assert_eq!(check(flavor, &several, &ts, PAYLOAD), Ok(()));
        }
    }

    #[test]
    fn the_timestamp_window_is_the_tolerance_either_side() {
        for flavor in [Flavor::OpenAIPython, Flavor::OpenAINode] {
            for (ts, want) in [
                (NOW - 300, Ok(())),
                (NOW - 301, Err(WebhookError::TooOld)),
                (NOW + 300, Ok(())),
                (NOW + 301, Err(WebhookError::TooNew)),
            ] {
                let ts = ts.to_string();
                assert_eq!(
                    check(flavor, &sign("wh_1", &ts, PAYLOAD), &ts, PAYLOAD),
                    want
                );
            }
            let huge = "9".repeat(60);
            assert_eq!(
                check(flavor, "v1,x", &huge, PAYLOAD),
                Err(WebhookError::TooNew)
            );
        }
    }

    #[test]
    fn the_flavors_read_timestamps_and_separators_as_their_sdks_do() {
        assert_eq!(python_int(" 1_000 "), Some(1000));
        assert_eq!(python_int("10abc"), None);
        assert_eq!(python_int("1__0"), None);
        assert_eq!(js_parse_int("10abc"), Some(10));
        assert_eq!(js_parse_int("abc"), None);
        let ts = NOW.to_string();
        let good = sign("wh_1", &ts, PAYLOAD);
        // A tab between signatures: a separator in Python only.
        let tabbed = format!("v1,AAAA\t{good}");
        assert_eq!(check(Flavor::OpenAIPython, &tabbed, &ts, PAYLOAD), Ok(()));
        assert_eq!(
            check(Flavor::OpenAINode, &tabbed, &ts, PAYLOAD),
            Err(WebhookError::Mismatch)
        );
        // Unpadded base64: the same bytes to openai-node, another text to openai-python.
        let unpadded = good.trim_end_matches('=');
        assert_eq!(check(Flavor::OpenAINode, unpadded, &ts, PAYLOAD), Ok(()));
        assert_eq!(
            check(Flavor::OpenAIPython, unpadded, &ts, PAYLOAD),
            Err(WebhookError::Mismatch)
        );
    }

    #[test]
    fn missing_pieces_are_named_before_anything_is_computed() {
        let none = WebhookHeaders::default();
        assert_eq!(
            verify(Flavor::OpenAIPython, PAYLOAD, &none, None, 300, NOW),
            Err(WebhookError::MissingSecret)
        );
        assert_eq!(
            verify(Flavor::OpenAINode, PAYLOAD, &none, Some(""), 300, NOW),
            Err(WebhookError::MissingSecret)
        );
        let e = verify(Flavor::OpenAIPython, PAYLOAD, &none, Some(SECRET), 300, NOW).unwrap_err();
        assert_eq!(e, WebhookError::MissingHeader("webhook-signature"));
        assert_eq!(
            e.message(Flavor::OpenAIPython),
            "Could not find webhook-signature header"
        );
        assert_eq!(
            e.message(Flavor::OpenAINode),
            "Missing required header: webhook-signature"
        );
        assert!(!e.is_signature_error());
        let found = WebhookHeaders::find([
            ("Webhook-Id", "wh_1"),
            ("WEBHOOK-TIMESTAMP", "1"),
            ("webhook-id", "later"),
        ]);
        assert_eq!(found.id, Some("wh_1"));
        assert_eq!(found.timestamp, Some("1"));
        assert_eq!(found.signature, None);
    }

    #[test]
    fn a_plain_secret_is_its_bytes_and_a_bad_whsec_one_is_named() {
        let ts = NOW.to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"plain").unwrap();
        mac.update(format!("wh_1.{ts}.{PAYLOAD}").as_bytes());
        let sig = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        let headers = WebhookHeaders {
            id: Some("wh_1"),
            timestamp: Some(&ts),
            signature: Some(&sig),
        };
        for flavor in [Flavor::OpenAIPython, Flavor::OpenAINode] {
            assert_eq!(
                verify(flavor, PAYLOAD, &headers, Some("plain"), 300, NOW),
                Ok(())
            );
            assert_eq!(
                verify(flavor, PAYLOAD, &headers, Some("whsec_abc"), 300, NOW),
                Err(WebhookError::BadSecret)
            );
        }
    }
}

//! Plain HTTP values shared by the core and the transports: method, headers
//! (case-insensitive lookup, order kept), and a request to send. It sends
//! nothing.

use std::fmt;

/// The HTTP methods this client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }

    /// The method named `name` in upper case, as `as_str` writes it.
    pub fn parse(name: &str) -> Option<Method> {
        [
            Method::Get,
            Method::Post,
            Method::Delete,
            Method::Put,
            Method::Patch,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Header names whose values are secrets: never printed.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "api-key",
    "x-api-key",
    "proxy-authorization",
    "cookie",
];

/// Words that make any header name a secret's (`X-Portkey-Api-Key`,
/// `X-Gateway-Token`, a profile's own names).
const SECRET_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "auth",
    "cookie",
    "password",
    "signature",
];

/// Whether a header's value must not be shown in logs or Debug output.
pub fn is_secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // `x-ratelimit-*-tokens` counts tokens; it holds none.
    let counts = lower.starts_with("x-ratelimit-");
    SECRET_HEADERS.contains(&lower.as_str())
        || !counts && SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// Headers shown by name only (`name: ***`): for configured headers, whose
/// values may be keys under any name.
pub struct NamesOnly<'a>(pub &'a Headers);

impl fmt::Debug for NamesOnly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, _)| (k, "***")))
            .finish()
    }
}

/// HTTP headers: names compared without case, insertion order kept.
///
/// Every name and value lives in one string, with a span per header: a
/// response's dozen or so headers cost two allocations instead of two per
/// header, which showed on the hot path of small calls.
#[derive(Clone, Default)]
pub struct Headers {
    text: String,
    spans: Vec<Span>,
}

/// One header in `Headers::text`: the name is `start..value`, the value
/// `value..end`.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    value: usize,
    end: usize,
}

impl Headers {
    pub fn new() -> Self {
        Headers::default()
    }

    /// Empty headers with room for `count` headers of `bytes` bytes in all
    /// (names and values).
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Headers {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(count),
        }
    }

    fn pair(&self, span: &Span) -> (&str, &str) {
        (
            &self.text[span.start..span.value],
            &self.text[span.value..span.end],
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Sets `name` to `value`, replacing every earlier value.
    pub fn set(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let name = name.as_ref();
        self.remove(name);
        self.append(name, value);
    }

    /// Adds a value without removing earlier ones.
    pub fn append(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let start = self.text.len();
        self.text.push_str(name.as_ref());
        let value_at = self.text.len();
        self.text.push_str(value.as_ref());
        self.spans.push(Span {
            start,
            value: value_at,
            end: self.text.len(),
        });
    }

    /// Removes every value of `name`; the others keep their order.
    pub fn remove(&mut self, name: &str) {
        if !self.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return;
        }
        let old = std::mem::take(self);
        *self = Headers::with_capacity(old.len(), old.text.len());
        for (k, v) in old.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(name)) {
            self.append(k, v);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|span| self.pair(span))
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Equal when the same headers come in the same order (names compared as
/// written).
impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut out = Headers::with_capacity(iter.size_hint().0, 0);
        for (k, v) in iter {
            out.append(k, v);
        }
        out
    }
}

/// Secret header values print as `***`.
impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| {
                let shown = if is_secret_header(k) { "***" } else { v };
                (k, shown)
            }))
            .finish()
    }
}

/// A request ready for a transport.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_and_debug_hides_secrets() {
        let mut h = Headers::new();
        h.set("Authorization", "Bearer sk-secret");
        h.set("X-Request-Id", "req_1");
        h.set("authorization", "Bearer sk-other");
        assert_eq!(h.get("AUTHORIZATION"), Some("Bearer sk-other"));
        assert_eq!(h.len(), 2);
        let shown = format!("{h:?}");
        assert!(!shown.contains("sk-"), "{shown}");
        assert!(shown.contains("req_1"));
        h.set("X-Portkey-Api-Key", "pk-secret");
        h.set("X-Gateway-Token", "gw-secret");
        let shown = format!("{h:?}");
        assert!(!shown.contains("secret"), "{shown}");
        h.set("x-ratelimit-remaining-tokens", "999000");
        assert!(format!("{h:?}").contains("999000"));
        let names = format!("{:?}", NamesOnly(&h));
        assert!(
            names.contains("X-Request-Id") && !names.contains("req_1"),
            "{names}"
        );
    }

    #[test]
    fn headers_keep_order_through_set_remove_and_append() {
        let mut h: Headers = [("A", "1"), ("B", "2"), ("a", "3")].into_iter().collect();
        h.append("C", "4");
        h.set("b", "5");
        let all: Vec<_> = h.iter().collect();
        assert_eq!(all, [("A", "1"), ("a", "3"), ("C", "4"), ("b", "5")]);
        assert_eq!(h.get("a"), Some("1"));
        h.remove("A");
        assert_eq!(h.iter().collect::<Vec<_>>(), [("C", "4"), ("b", "5")]);
        h.remove("missing");
        let same: Headers = [("C", "4"), ("b", "5")].into_iter().collect();
        assert_eq!(h, same);
        assert_ne!(h, Headers::new());
        // An empty value and a name that is a prefix of another stay apart.
        h.append("Cc", "");
        assert_eq!(h.get("cc"), Some(""));
        assert_eq!(h.get("c"), Some("4"));
    }
}

#[cfg(test)]
mod method_tests {
    use super::Method;

    #[test]
    fn parse_is_the_inverse_of_as_str() {
        for m in [
            Method::Get,
            Method::Post,
            Method::Delete,
            Method::Put,
            Method::Patch,
        ] {
            assert_eq!(Method::parse(m.as_str()), Some(m));
        }
        assert_eq!(Method::parse("get"), None);
    }
}

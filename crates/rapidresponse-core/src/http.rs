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
];

/// Whether a header's value must not be shown in logs or Debug output.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// HTTP headers: names compared without case, insertion order kept.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets `name` to `value`, replacing every earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.0.push((name, value.into()));
    }

    /// Adds a value without removing earlier ones.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Headers(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// Secret header values print as `***`.
impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if is_secret_header(k) {
                    "***"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
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

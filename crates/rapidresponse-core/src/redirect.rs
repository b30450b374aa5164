//! Redirects: which statuses are followed, what the next request is, and
//! what stays behind on the way to another origin. This is the one rule
//! every transport applies (hyper, reqwest, and fetch wherever the platform
//! lets code see a redirect). It does not resolve URLs: the transport joins
//! `Location` to the current URL with its platform's parser and hands the
//! absolute result here.
//!
//! The rule follows openai-python (httpx, `follow_redirects=True`) for
//! methods and bodies, and is stricter about headers: httpx drops only
//! `Authorization` on a new origin, while a client sending `api-key`,
//! `x-api-key` or a gateway's own key header would hand those to whatever
//! origin a server names. So on a new origin (scheme, host or port) only
//! the headers in [`KEPT_ACROSS_ORIGINS`] go along.

use crate::http::{HttpRequest, Method};

/// Redirects followed before giving up (httpx's 20 and reqwest's 10 are the
/// same order; a loop ends here).
pub const MAX_REDIRECTS: usize = 10;

/// Headers sent on to another origin; every other one (credentials, the
/// caller's default headers, a profile's `http_headers`) stays behind.
pub const KEPT_ACROSS_ORIGINS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "content-type",
    "content-length",
    "user-agent",
];

/// Why a redirect is not followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("too many redirects (more than {MAX_REDIRECTS})")]
    TooMany,
    #[error("redirect to a {scheme} URL is not followed")]
    Scheme { scheme: String },
    #[error("redirect to an invalid location")]
    Invalid,
}

/// Whether `status` is a redirect this client follows (when it has a
/// `Location`).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Turns `request` into the request to `next` (absolute, already joined to
/// `request.url`) after a `status` redirect: 307 and 308 keep the method
/// and body; 303, and 301 or 302 after a POST, become a GET without a body
/// (as browsers and httpx do); a new origin keeps only
/// [`KEPT_ACROSS_ORIGINS`]. `followed` is how many were followed before.
pub fn follow(
    request: &mut HttpRequest,
    status: u16,
    next: &str,
    followed: usize,
) -> Result<(), RedirectError> {
    if followed >= MAX_REDIRECTS {
        return Err(RedirectError::TooMany);
    }
    let to = Origin::of(next)?;
    let from = Origin::of(&request.url)?;
    let to_get = status == 303 || matches!(status, 301 | 302) && request.method == Method::Post;
    if to_get {
        request.method = Method::Get;
        request.body = None;
        request.headers.remove("content-type");
        request.headers.remove("content-length");
    }
    if to != from {
        let kept: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(name, _)| kept_across_origins(name))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        request.headers = kept.into_iter().collect();
    }
    request.url = next.to_owned();
    Ok(())
}

fn kept_across_origins(name: &str) -> bool {
    KEPT_ACROSS_ORIGINS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
}

/// Scheme, host and port of an absolute http(s) or ws(s) URL.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(url: &str) -> Result<Origin, RedirectError> {
        let (scheme, rest) = url.split_once("://").ok_or(RedirectError::Invalid)?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            // A WebSocket's upgrade follows the same rule.
            "http" | "ws" => 80,
            "https" | "wss" => 443,
            _ => return Err(RedirectError::Scheme { scheme }),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        // Userinfo is not part of the origin.
        let host_port = authority.rsplit('@').next().unwrap_or("");
        // `[::1]:8080`: the port is after the bracket.
        let port_at = match host_port.rfind(']') {
            Some(end) => host_port[end..].find(':').map(|i| end + i),
            None => host_port.rfind(':'),
        };
        let (host, port) = match port_at {
            Some(i) if i + 1 < host_port.len() => (
                &host_port[..i],
                host_port[i + 1..]
                    .parse()
                    .map_err(|_| RedirectError::Invalid)?,
            ),
            Some(i) => (&host_port[..i], default_port),
            None => (host_port, default_port),
        };
        if host.is_empty() {
            return Err(RedirectError::Invalid);
        }
        Ok(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Headers;

    fn request(method: Method, url: &str) -> HttpRequest {
        let headers: Headers = [
            ("authorization", "Bearer sk-secret"),
            ("api-key", "azure-secret"),
            ("x-api-key", "gateway-secret"),
            ("cookie", "session=1"),
            ("x-profile-token", "from-a-codex-profile"),
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("user-agent", "rapidresponse"),
        ]
        .into_iter()
        .collect();
        HttpRequest {
            method,
            url: url.to_owned(),
            headers,
            body: Some(b"{}".to_vec()),
        }
    }

    fn names(r: &HttpRequest) -> Vec<&str> {
        r.headers.iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn methods_change_as_browsers_and_httpx_change_them() {
        let base = "http://127.0.0.1:1/v1/responses";
        for (status, method, get) in [
            (307, Method::Post, false),
            (308, Method::Post, false),
            (303, Method::Post, true),
            (303, Method::Delete, true),
            (301, Method::Post, true),
            (302, Method::Post, true),
            (302, Method::Delete, false),
        ] {
            let mut r = request(method, base);
            follow(&mut r, status, "http://127.0.0.1:1/v1/other", 0).unwrap();
            assert_eq!(
                r.method == Method::Get,
                get || method == Method::Get,
                "{status}"
            );
            assert_eq!(r.body.is_none(), get, "{status}");
            assert_eq!(r.headers.get("content-type").is_none(), get, "{status}");
            // The same origin keeps the key.
            assert_eq!(r.headers.get("api-key"), Some("azure-secret"));
            assert_eq!(r.url, "http://127.0.0.1:1/v1/other");
        }
    }

    #[test]
    fn a_new_origin_keeps_no_credential_of_any_name() {
        for next in [
            "http://localhost:1/v1/responses",      // host
            "http://127.0.0.1:2/v1/responses",      // port
            "https://127.0.0.1:1/v1/responses",     // scheme, same port
            "http://evil@127.0.0.2:1/v1/responses", // userinfo, another host
        ] {
            let mut r = request(Method::Post, "http://127.0.0.1:1/v1/responses");
            follow(&mut r, 307, next, 3).unwrap();
            assert_eq!(
                names(&r),
                ["content-type", "accept", "user-agent"],
                "{next}"
            );
        }
        // https -> http on the same port is another origin too.
        let mut r = request(Method::Get, "https://api.example:8443/v1/models");
        follow(&mut r, 302, "http://api.example:8443/v1/models", 0).unwrap();
        assert_eq!(r.headers.get("authorization"), None);
    }

    #[test]
    fn origins_compare_without_case_and_with_default_ports() {
        let same = |a: &str, b: &str| Origin::of(a).unwrap() == Origin::of(b).unwrap();
        assert!(same(
            "https://API.openai.com/v1",
            "https://api.openai.com:443/x"
        ));
        assert!(same("http://[::1]:8080/a", "http://[::1]:8080?b"));
        assert!(!same("http://[::1]:8080/a", "http://[::1]/a"));
        assert!(same("http://u:p@h:80/", "http://h/"));
    }

    #[test]
    fn refused_redirects() {
        let mut r = request(Method::Post, "http://127.0.0.1:1/v1/responses");
        assert_eq!(
            follow(&mut r, 302, "file:///etc/passwd", 0),
            Err(RedirectError::Scheme {
                scheme: "file".into()
            })
        );
        assert_eq!(
            follow(&mut r, 302, "http://h:99999/", 0),
            Err(RedirectError::Invalid)
        );
        assert_eq!(
            follow(&mut r, 302, "http://h/", MAX_REDIRECTS),
            Err(RedirectError::TooMany)
        );
        // Nothing changed on a refusal.
        assert_eq!(r.url, "http://127.0.0.1:1/v1/responses");
        assert!(r.headers.get("authorization").is_some());
        assert!(is_redirect(308) && !is_redirect(304) && !is_redirect(300));
    }
}

//! Any redirect: never a panic; a request sent to another origin carries
//! none of the credentials it had, and a refused one is left as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::redirect::{follow, KEPT_ACROSS_ORIGINS};
use rapidresponse_core::{Headers, HttpRequest, Method};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (current, next) = text.split_once('\n').unwrap_or((&text, "http://b/"));
    let status = [301, 302, 303, 307, 308][data.first().copied().unwrap_or(0) as usize % 5];
    let method = [Method::Get, Method::Post, Method::Delete, Method::Put, Method::Patch]
        [data.last().copied().unwrap_or(0) as usize % 5];
    let headers: Headers = [
        ("authorization", "Bearer sk-fuzz"),
        ("api-key", "az-fuzz"),
        ("x-custom-key", "gw-fuzz"),
        ("content-type", "application/json"),
    ]
    .into_iter()
    .collect();
    let original = HttpRequest { method, url: current.to_owned(), headers, body: Some(b"{}".to_vec()) };
    let mut request = original.clone();
    match follow(&mut request, status, next, (data.len() % 12) as usize) {
        Ok(()) => {
            assert_eq!(request.url, next);
            let same_origin = request.headers.get("authorization").is_some();
            if !same_origin {
                assert!(request
                    .headers
                    .iter()
                    .all(|(k, _)| KEPT_ACROSS_ORIGINS.iter().any(|kept| kept.eq_ignore_ascii_case(k))));
            }
        }
        Err(_) => assert_eq!(request, original),
    }
});

//! What the command sends as its input: the prompt words with piped stdin
//! after them (or in place of a `-` word), and attachments as content
//! parts: images as `input_image` (a data URL for a local file), PDFs and
//! other binaries as `input_file`, text files as `input_text` with their
//! name. It reads files and stdin; it sends nothing.

use base64::Engine;
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;

/// The largest attachment (and the most stdin read): 20 MiB, under the
/// API's own limits for a request.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 << 20;

/// A problem with what the user gave (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

/// Stdin's text when it is not a terminal (piped or redirected); empty
/// when there is none.
pub fn read_stdin() -> Result<String, UsageError> {
    let stdin = std::io::stdin();
    if std::io::IsTerminal::is_terminal(&stdin) {
        return Ok(String::new());
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .take(MAX_ATTACHMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
    if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(UsageError(format!(
            "stdin is over the limit of {MAX_ATTACHMENT_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| UsageError("stdin is not UTF-8 text: attach binary files with -a".into()))
}

/// The prompt's text: the words joined with spaces, stdin's text in place
/// of a `-` word, else after the words (a blank line between).
pub fn prompt_text(words: &[String], stdin: &str) -> String {
    let stdin = stdin.trim_end_matches('\n');
    if words.iter().any(|w| w == "-") {
        return words
            .iter()
            .map(|w| if w == "-" { stdin } else { w.as_str() })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let words = words.join(" ");
    match (words.trim().is_empty(), stdin.trim().is_empty()) {
        (_, true) => words,
        (true, false) => stdin.to_owned(),
        (false, false) => format!("{words}\n\n{stdin}"),
    }
}

/// The content part for an attachment: a local path or an http(s) URL.
pub fn attachment(spec: &str) -> Result<Value, UsageError> {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        let path = spec.split(['?', '#']).next().unwrap_or(spec);
        return Ok(match media_type(path) {
            Some(m) if m.starts_with("image/") => {
                json!({"type": "input_image", "image_url": spec, "detail": "auto"})
            }
            _ => json!({"type": "input_file", "file_url": spec}),
        });
    }
    let path = Path::new(spec);
    let cannot = |e: std::io::Error| UsageError(format!("cannot read attachment {spec}: {e}"));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_ATTACHMENT_BYTES {
        return Err(UsageError(format!(
            "attachment {spec} is {size} bytes, over the limit of {MAX_ATTACHMENT_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.to_owned());
    let data_url = |media: &str| {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        format!("data:{media};base64,{encoded}")
    };
    let media = media_type(spec).or_else(|| sniff(&bytes));
    Ok(match media {
        Some(m) if m.starts_with("image/") => {
            json!({"type": "input_image", "image_url": data_url(m), "detail": "auto"})
        }
        Some(m) => json!({"type": "input_file", "filename": name, "file_data": data_url(m)}),
        None => match String::from_utf8(bytes.clone()) {
            Ok(text) if !text.contains('\0') => {
                json!({"type": "input_text", "text": format!("{name}:\n```\n{text}\n```")})
            }
            _ => json!({
                "type": "input_file",
                "filename": name,
                "file_data": data_url("application/octet-stream"),
            }),
        },
    })
}

/// The media type a file name's extension says (images and PDFs; text
/// and unknown files are `None`).
fn media_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// The media type the first bytes say, for files without a telling name.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"%PDF-", "application/pdf"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, media)| *media)
}

/// The user message: the prompt's text and the attachments as parts.
pub fn user_message(text: &str, attachments: Vec<Value>) -> Value {
    let mut content = Vec::with_capacity(attachments.len() + 1);
    if !text.is_empty() {
        content.push(json!({"type": "input_text", "text": text}));
    }
    content.extend(attachments);
    json!({"type": "message", "role": "user", "content": content})
}

/// A `--schema` value: inline JSON or `@file`; it must be a JSON object.
pub fn schema(spec: &str) -> Result<Value, UsageError> {
    let text = match spec.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read schema {path}: {e}")))?,
        None => spec.to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(UsageError("the schema must be a JSON object".into())),
        Err(e) => Err(UsageError(format!("the schema is not JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_goes_after_the_words_or_in_place_of_a_dash() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(prompt_text(&words(&["Review", "this"]), ""), "Review this");
        assert_eq!(
            prompt_text(&words(&["Review", "this"]), "diff\n"),
            "Review this\n\ndiff"
        );
        assert_eq!(
            prompt_text(&words(&["Fix", "-", "now"]), "x\n"),
            "Fix x now"
        );
        assert_eq!(prompt_text(&[], "only stdin\n"), "only stdin");
    }

    #[test]
    fn files_become_the_parts_their_kind_asks_for() {
        assert_eq!(media_type("a/b.PNG"), Some("image/png"));
        assert_eq!(media_type("doc.pdf"), Some("application/pdf"));
        assert_eq!(media_type("main.rs"), None);
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        let url = attachment("https://example.com/cat.jpg?size=2").unwrap();
        assert_eq!(url["type"], "input_image");
        let doc = attachment("https://example.com/paper.pdf").unwrap();
        assert_eq!(doc["file_url"], "https://example.com/paper.pdf");
        let missing = attachment("/no/such/file.txt").unwrap_err();
        assert!(missing.0.contains("/no/such/file.txt"), "{}", missing.0);
    }

    #[test]
    fn a_schema_is_inline_json_or_a_file_and_an_object() {
        assert!(schema(r#"{"type":"object"}"#).is_ok());
        assert!(schema("[1]").unwrap_err().0.contains("object"));
        assert!(schema("{nope").unwrap_err().0.contains("not JSON"));
        assert!(schema("@/no/such.json")
            .unwrap_err()
            .0
            .contains("/no/such.json"));
    }
}

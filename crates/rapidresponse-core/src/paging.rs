//! Cursor paging: after a page of a list, the cursor of the next page, the
//! end, or why paging stops early. It does not fetch pages or read items;
//! the caller passes what the page said (`has_more`, how many items, the
//! last item's id) and the cursor the page was asked for with.

/// How a list ends, per shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageRule {
    /// openai-python and openai-node: a page without items or without a
    /// cursor is the last one; only an absent-or-true `has_more` goes on
    /// (openai-node reads an absent one as false before asking).
    Sdk,
    /// The Rust crate: only `has_more: true` goes on, and a page that says
    /// so without items or a cursor is an error rather than a quiet end.
    Strict,
}

/// The `after` cursor of the next page (`Ok(None)`: this was the last), or
/// why paging stops: a server that says `has_more` and names the cursor it
/// was just asked with would be asked for the same page forever.
pub fn next_cursor(
    rule: PageRule,
    has_more: Option<bool>,
    items: usize,
    last_id: Option<&str>,
    asked_after: Option<&str>,
) -> Result<Option<String>, String> {
    // An empty cursor is none (openai's ConversationCursorPage reads `""` so).
    let last_id = last_id.filter(|id| !id.is_empty());
    let more = match rule {
        PageRule::Sdk => has_more != Some(false),
        PageRule::Strict => has_more == Some(true),
    };
    if !more {
        return Ok(None);
    }
    if items == 0 {
        return match rule {
            PageRule::Sdk => Ok(None),
            PageRule::Strict => {
                Err("the server said has_more but sent an empty page: paging stopped".into())
            }
        };
    }
    match (last_id, asked_after) {
        (None, _) if rule == PageRule::Sdk => Ok(None),
        (None, _) => Err("the server said has_more but gave no cursor: paging stopped".into()),
        (Some(last), Some(asked)) if last == asked => Err(format!(
            "the server repeated the cursor {asked:?} with has_more: paging stopped"
        )),
        (Some(last), _) => Ok(Some(last.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PageRule::*;

    #[test]
    fn an_empty_cursor_is_no_cursor() {
        assert_eq!(next_cursor(Sdk, Some(true), 2, Some(""), None), Ok(None));
        assert!(next_cursor(Strict, Some(true), 2, Some(""), None).is_err());
    }

    #[test]
    fn the_sdks_end_quietly_and_stop_a_repeated_cursor() {
        assert_eq!(
            next_cursor(Sdk, Some(true), 2, Some("b"), Some("a")),
            Ok(Some("b".into()))
        );
        assert_eq!(
            next_cursor(Sdk, None, 2, Some("b"), None),
            Ok(Some("b".into()))
        );
        assert_eq!(next_cursor(Sdk, Some(false), 2, Some("b"), None), Ok(None));
        assert_eq!(next_cursor(Sdk, Some(true), 0, None, None), Ok(None));
        assert_eq!(next_cursor(Sdk, Some(true), 1, None, None), Ok(None));
        let stuck = next_cursor(Sdk, Some(true), 1, Some("a"), Some("a")).unwrap_err();
        assert!(stuck.contains("repeated the cursor \"a\""), "{stuck}");
    }

    #[test]
    fn the_rust_crate_says_why_it_stops() {
        assert_eq!(next_cursor(Strict, None, 2, Some("b"), None), Ok(None));
        assert_eq!(
            next_cursor(Strict, Some(true), 2, Some("b"), None),
            Ok(Some("b".into()))
        );
        assert!(next_cursor(Strict, Some(true), 0, None, None)
            .unwrap_err()
            .contains("empty page"));
        assert!(next_cursor(Strict, Some(true), 1, None, None)
            .unwrap_err()
            .contains("no cursor"));
        assert!(next_cursor(Strict, Some(true), 1, Some("a"), Some("a")).is_err());
    }
}

//! The `Link` header (RFC 8288): `<URL>; rel="next"` of paginated Hub listings, and the
//! `rel="xet-auth"` / `rel="xet-reconstruction-info"` links of a Xet file's resolve answer.

/// The target of the `rel="next"` link, if the header has one. Several links may be listed,
/// comma-separated (a comma inside `<…>` or a quoted value is not a separator); `rel` may be
/// quoted or bare and may list several relation types (`rel="next last"`), matched
/// case-insensitively.
pub fn parse_next_link(header: &str) -> Option<&str> {
    find_link(header, "next")
}

/// The target of the first link whose `rel` lists `relation` (case-insensitive), with the
/// same syntax rules as [`parse_next_link`].
pub fn find_link<'a>(header: &'a str, relation: &str) -> Option<&'a str> {
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let after_open = rest.strip_prefix('<')?;
        let close = after_open.find('>')?;
        let target = &after_open[..close];
        let (params, next) = split_params(&after_open[close + 1..]);
        if params.split(';').any(|p| has_relation(p, relation)) {
            return Some(target);
        }
        rest = next;
    }
}

/// Splits `; a=b; c="d,e", <next link>` at the first comma outside quotes.
fn split_params(s: &str) -> (&str, &str) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => return (&s[..i], &s[i + 1..]),
            _ => {}
        }
    }
    (s, "")
}

fn has_relation(param: &str, relation: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else { return false };
    if !name.trim().eq_ignore_ascii_case("rel") {
        return false;
    }
    let value = value.trim();
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    value.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case(relation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_pagination_links() {
        // The shape hub-api.md §0.4 describes: absolute URL, `>; rel="next"`.
        let hub = "<https://huggingface.co/api/models/x/tree/main?recursive=1&cursor=abc>; rel=\"next\"";
        assert_eq!(parse_next_link(hub), Some("https://huggingface.co/api/models/x/tree/main?recursive=1&cursor=abc"));
        assert_eq!(parse_next_link("<https://h/a>;rel=next"), Some("https://h/a"));
        assert_eq!(parse_next_link("<https://h/a>; rel=\"prev\""), None);
        assert_eq!(parse_next_link(""), None);
        assert_eq!(parse_next_link("garbage"), None);
        assert_eq!(parse_next_link("<https://h/unclosed; rel=next"), None);
    }

    // RFC 8288 §3.5-style headers with several links and parameters.
    #[test]
    fn several_links_and_parameters() {
        let h = "<https://h/p1>; rel=\"prev\"; title=\"a, b\", <https://h/p3,x>; REL=\"last Next\"";
        assert_eq!(parse_next_link(h), Some("https://h/p3,x"));
        let h = "<https://h/a>; rel=\"first\", <https://h/b>; title=\"x\\\"y, z\"; rel=next";
        assert_eq!(parse_next_link(h), Some("https://h/b"));
        assert_eq!(parse_next_link("<https://h/a>; relx=next, <https://h/b>; rel=nextpage"), None);
    }

    // The resolve answer of a Xet file (hub-api.md §4.2).
    #[test]
    fn xet_links_of_a_resolve_answer() {
        let h = "<https://huggingface.co/api/models/o/r/xet-read-token/abc>; rel=\"xet-auth\", \
                 <https://cas-server.xethub.hf.co/v1/reconstructions/00ff>; rel=\"xet-reconstruction-info\"";
        assert_eq!(find_link(h, "xet-auth"), Some("https://huggingface.co/api/models/o/r/xet-read-token/abc"));
        assert_eq!(
            find_link(h, "XET-RECONSTRUCTION-INFO"),
            Some("https://cas-server.xethub.hf.co/v1/reconstructions/00ff")
        );
        assert_eq!(find_link(h, "xet"), None);
    }
}

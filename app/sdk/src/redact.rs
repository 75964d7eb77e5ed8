//! RPC URLs often carry an API key (in the query, the path or the user
//! part): they are never printed, logged or served as given.
use std::fmt::Write;

/// `url` with its credentials, query and fragment masked: the scheme, host,
/// port and the first path segment are kept, so an operator still knows
/// which cluster it is (`https://rpc.example.com/…?…`).
pub fn url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => authority.to_string(),
    };
    let mut out = String::new();
    if let Some(s) = scheme {
        let _ = write!(out, "{s}://");
    }
    out += &host;
    let path = tail.split(['?', '#']).next().unwrap_or("");
    // A path beyond "/" may be a key (`/v2/KEY`): only say there is one.
    if path.len() > 1 {
        out += "/…";
    } else {
        out += path;
    }
    if tail.contains('?') || tail.contains('#') {
        out += "?…";
    }
    out
}

/// `text` with every `http://` or `https://` URL in it masked by [`url`]
/// (an error message of an HTTP client names the URL it failed on).
pub fn urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = ["http://", "https://"].iter().filter_map(|p| rest.find(p)).min() {
        out += &rest[..i];
        let tail = &rest[i..];
        let end =
            tail.find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ',')).unwrap_or(tail.len());
        out += &url(&tail[..end]);
        rest = &tail[end..];
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::{url, urls_in};

    #[test]
    fn urls_in_an_error_message_are_masked() {
        let e = "error sending request for url (https://rpc.example.com/?api-key=SECRET): connection refused";
        assert_eq!(urls_in(e), "error sending request for url (https://rpc.example.com/?…): connection refused");
        assert_eq!(urls_in("no url here"), "no url here");
        assert_eq!(urls_in("a http://u:SECRET@h/x and https://h/v2/SECRET"), "a http://…@h/… and https://h/…");
    }

    #[test]
    fn keys_in_the_query_the_path_or_the_user_never_show() {
        assert_eq!(url("http://127.0.0.1:8899"), "http://127.0.0.1:8899");
        assert_eq!(url("http://127.0.0.1:8899/"), "http://127.0.0.1:8899/");
        assert_eq!(url("https://rpc.example.com/?api-key=SECRET"), "https://rpc.example.com/?…");
        assert_eq!(url("https://mainnet.helius-rpc.com/v2/SECRET"), "https://mainnet.helius-rpc.com/…");
        assert_eq!(url("https://user:SECRET@rpc.example.com:8899/x?k=v#f"), "https://…@rpc.example.com:8899/…?…");
        for u in ["https://a.b/?api-key=SECRET", "https://u:SECRET@a.b", "https://a.b/v1/SECRET/x"] {
            assert!(!url(u).contains("SECRET"), "{u}");
        }
    }
}

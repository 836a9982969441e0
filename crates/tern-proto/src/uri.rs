//! The URI grammar of a request: which request-targets a method allows
//! (RFC 9112 §3.2), `absolute-URI` and `authority` (RFC 3986), the `Host`
//! value (`uri-host [":" port]`) and `pct-encoded` triplets.

use crate::parse::ByteScan;
use crate::tables;

/// The path and the query of a request-target the parser has accepted for
/// `method` (RFC 9112 §3.2), as slices of it; see [`crate::Request::path`].
/// The form is known from the checks already passed: CONNECT has
/// authority-form, `*` is asterisk-form, a leading `/` origin-form, and
/// anything else absolute-form.
pub(crate) fn path_and_query<'t>(method: &[u8], target: &'t [u8]) -> (&'t [u8], Option<&'t [u8]>) {
    if method == b"CONNECT" || target == b"*" {
        return (&[], None);
    }
    let (path_start, has_authority) = if target.first() == Some(&b'/') {
        (0, false)
    } else {
        absolute_path_start(target)
    };
    let rest = &target[path_start..];
    let (path, query) = match memchr::memchr(b'?', rest) {
        Some(mark) => (&rest[..mark], Some(&rest[mark + 1..])),
        None => (rest, None),
    };
    if path.is_empty() && has_authority {
        // An empty path after an authority is `/` (RFC 9110 §4.2.3 for http
        // and https; RFC 9112 §3.2.1 has clients send it so).
        return (b"/", query);
    }
    (path, query)
}

/// Where the path of an absolute-form target starts (after the scheme's
/// `:` and, when `//` follows, after the authority), and whether it has an
/// authority (RFC 3986 §3).
fn absolute_path_start(target: &[u8]) -> (usize, bool) {
    let after_scheme = memchr::memchr(b':', target).map_or(target.len(), |colon| colon + 1);
    if !target[after_scheme..].starts_with(b"//") {
        return (after_scheme, false);
    }
    let authority_start = after_scheme + 2;
    let authority_len = memchr::memchr2(b'/', b'?', &target[authority_start..])
        .unwrap_or(target.len() - authority_start);
    (authority_start + authority_len, true)
}

/// Whether the request-target has a form its method allows (RFC 9112 §3.2) and
/// every `%` starts a `pct-encoded` triplet. Its bytes are already known to be
/// `TARGET` bytes.
pub(crate) fn target_is_valid(method: &[u8], target: &[u8]) -> bool {
    let brackets = memchr::memchr2(b'[', b']', target).is_some();
    pct_encoding_is_valid(target) && target_form_is_valid(method, target, brackets)
}

/// Whether the form of the target suits its method; `brackets` says whether
/// the target holds `[` or `]`, which only an authority's host may.
#[inline(always)]
pub(crate) fn target_form_is_valid(method: &[u8], target: &[u8], brackets: bool) -> bool {
    if method == b"CONNECT" {
        // authority-form = uri-host ":" port, only and always for CONNECT (§3.2.3).
        authority_form_is_valid(target)
    } else if target[0] == b'/' {
        !brackets
    } else if target == b"*" {
        // asterisk-form, only for a server-wide OPTIONS (§3.2.4).
        method == b"OPTIONS"
    } else {
        absolute_form_is_valid(target)
    }
}

/// Scans a request-target from `start` in one pass: plain bytes, `pct-encoded`
/// triplets, brackets. Returns where it stopped (the first byte that is none
/// of these, or a `%` without two HEXDIG) and whether it saw a bracket.
#[inline(always)]
pub(crate) fn scan_target<S: ByteScan>(scan: S, window: &[u8], start: usize) -> (usize, bool) {
    let mut at = scan.skip_plain_target(window, start);
    // Usually the target ends at its first byte that is not plain, the SP
    // before the version.
    if window.get(at) == Some(&b' ') {
        return (at, false);
    }
    let mut brackets = false;
    loop {
        match window.get(at) {
            Some(b'%') => match window.get(at + 1..at + 3) {
                Some(&[a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => at += 3,
                _ => return (at, brackets),
            },
            Some(b'[' | b']') => {
                brackets = true;
                at += 1;
            }
            _ => return (at, brackets),
        }
        at = scan.skip_plain_target(window, at);
    }
}

/// `absolute-URI` (RFC 3986 §4.3): a scheme, ":", and, when an authority
/// follows "//", a valid `uri-host [":" port]` without userinfo (RFC 9110
/// §4.2.4 asks recipients to treat userinfo as an error) and, for http and
/// https, a non-empty host (RFC 9110 §4.2.1). Brackets appear only in the host.
fn absolute_form_is_valid(target: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', target) else {
        return false;
    };
    let scheme = &target[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let rest = &target[colon + 1..];
    let no_brackets = |bytes: &[u8]| memchr::memchr2(b'[', b']', bytes).is_none();
    let Some(after_slashes) = rest.strip_prefix(b"//") else {
        return no_brackets(rest);
    };
    let authority_end = after_slashes
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(after_slashes.len());
    let (authority, path) = after_slashes.split_at(authority_end);
    let needs_host = scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https");
    let host_len = authority
        .iter()
        .rposition(|&b| b == b':')
        .filter(|_| authority.last() != Some(&b']'))
        .unwrap_or(authority.len());
    !authority.contains(&b'@')
        && host_is_valid(authority)
        && (!needs_host || host_len > 0)
        && no_brackets(path)
}

/// `uri-host ":" port` with both parts non-empty. The port's colon is the last
/// one after any IP-literal's closing bracket.
fn authority_form_is_valid(target: &[u8]) -> bool {
    let host_end = if target.first() == Some(&b'[') {
        match memchr::memchr(b']', target) {
            Some(close) => close + 1,
            None => return false,
        }
    } else {
        memchr::memchr(b':', target).unwrap_or(target.len())
    };
    match target[host_end..].split_first() {
        Some((b':', port)) => host_end > 0 && !port.is_empty() && host_is_valid(target),
        _ => false,
    }
}

/// `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2, §3.2.3); empty is valid.
#[inline(always)]
pub(crate) fn host_is_valid(value: &[u8]) -> bool {
    // The common case, a plain reg-name with an optional port, in one pass
    // (inlined: every request checks its Host).
    let plain_end = tables::skip_class(value, 0, tables::REG_NAME);
    match value.get(plain_end) {
        None => true,
        Some(b':') if value[plain_end + 1..].iter().all(u8::is_ascii_digit) => true,
        _ => host_with_literal_or_pct_is_valid(value),
    }
}

/// `host_is_valid` past its common case: an IP-literal, `pct-encoded`
/// bytes, or something invalid.
fn host_with_literal_or_pct_is_valid(value: &[u8]) -> bool {
    let (host, rest) = if value.first() == Some(&b'[') {
        let Some(close) = memchr::memchr(b']', value) else {
            return false;
        };
        if !ip_literal_is_valid(&value[1..close]) {
            return false;
        }
        (&[][..], &value[close + 1..])
    } else {
        match memchr::memchr(b':', value) {
            Some(colon) => (&value[..colon], &value[colon..]),
            None => (value, &[][..]),
        }
    };
    let port_ok = match rest.split_first() {
        None => true,
        Some((b':', port)) => port.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    };
    port_ok
        && pct_encoding_is_valid(host)
        && host
            .iter()
            .all(|&b| b == b'%' || tables::is(b, tables::REG_NAME))
}

/// `IPv6address / IPvFuture` between the brackets, checked by alphabet: an IPv6
/// address is hex digits, colons and dots; `IPvFuture = "v" 1*HEXDIG "."
/// 1*( unreserved / sub-delims / ":" )`.
fn ip_literal_is_valid(inner: &[u8]) -> bool {
    if let Some(rest) = inner
        .strip_prefix(b"v")
        .or_else(|| inner.strip_prefix(b"V"))
    {
        let Some(dot) = memchr::memchr(b'.', rest) else {
            return false;
        };
        let (version, tail) = (&rest[..dot], &rest[dot + 1..]);
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !tail.is_empty()
            && tail
                .iter()
                .all(|&b| b == b':' || tables::is(b, tables::REG_NAME));
    }
    inner.len() >= 2
        && inner.contains(&b':')
        && inner
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

/// Whether every `%` in `bytes` is followed by two HEXDIG (RFC 3986 §2.1).
pub(crate) fn pct_encoding_is_valid(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(i) = memchr::memchr(b'%', rest) {
        match rest.get(i + 1..i + 3) {
            Some(&[a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                rest = &rest[i + 3..];
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Scalar;

    // A target that stops at SP returns at once; one that stops elsewhere
    // goes through the triplet and bracket loop, which must still see all
    // of it.
    #[test]
    fn target_scan_steps_over_triplets_and_brackets() {
        let scan = |line: &[u8]| scan_target(Scalar, line, 1);
        assert_eq!(scan(b" / HTTP/1.1"), (2, false));
        assert_eq!(scan(b" /a%20b HTTP/1.1"), (7, false));
        assert_eq!(scan(b" http://[::1]/ HTTP/1.1"), (14, true));
        assert_eq!(scan(b" /a%2 HTTP/1.1"), (3, false));
        assert_eq!(scan(b" /a\x01 HTTP/1.1"), (3, false));
    }

    #[test]
    fn path_and_query_of_each_form() {
        let cases: [(&str, &str, &str, Option<&str>); 16] = [
            // origin-form
            ("GET", "/", "/", None),
            ("GET", "/a/b?x=1&y", "/a/b", Some("x=1&y")),
            ("GET", "/a?", "/a", Some("")),
            ("GET", "/a?b?c", "/a", Some("b?c")),
            ("GET", "//x/%2F", "//x/%2F", None),
            // absolute-form
            ("GET", "http://h/a/b?x", "/a/b", Some("x")),
            ("GET", "HTTPS://h:8443", "/", None),
            ("GET", "http://h?x", "/", Some("x")),
            ("GET", "http://[::1]:80/p", "/p", None),
            ("GET", "http://h:80?", "/", Some("")),
            ("GET", "file:///etc/hosts", "/etc/hosts", None),
            ("GET", "urn:isbn:0?q", "isbn:0", Some("q")),
            ("GET", "foo:", "", None),
            // asterisk-form and authority-form: no path, no query
            ("OPTIONS", "*", "", None),
            ("CONNECT", "h:443", "", None),
            ("CONNECT", "[::1]:443", "", None),
        ];
        for (method, target, path, query) in cases {
            let (method, target) = (method.as_bytes(), target.as_bytes());
            assert!(target_is_valid(method, target), "{target:?}");
            let expected = (path.as_bytes(), query.map(str::as_bytes));
            assert_eq!(path_and_query(method, target), expected, "{target:?}");
        }
    }
}

//! Independent statements of the HTTP grammar the checks compare the parser
//! against, written from RFC 9110, RFC 9112 and RFC 3986 (not from tern-proto's
//! tables, so a mistake in those shows up as a disagreement).

/// `tchar` (RFC 9110 §5.6.2).
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `token = 1*tchar`.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// A byte allowed inside a field value: `field-vchar`, SP, HTAB (RFC 9110 §5.5).
pub fn is_value_byte(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// Whether a field value as a parser reports it is well-formed: value bytes
/// only, no leading or trailing whitespace.
pub fn is_trimmed_value(value: &[u8]) -> bool {
    value.iter().all(|&b| is_value_byte(b))
        && !value.first().is_some_and(|&b| b == b' ' || b == b'\t')
        && !value.last().is_some_and(|&b| b == b' ' || b == b'\t')
}

/// `unreserved` (RFC 3986 §2.3).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// `sub-delims` (RFC 3986 §2.2).
fn is_sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}

/// Bytes a request-target may hold at all: `pchar`, "/", "?", the `%` of
/// `pct-encoded`, and "[" "]" of an `IP-literal` host (RFC 3986 §3.2.2, §3.3, §3.4).
pub fn is_target_byte(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || b":@/?%[]".contains(&b)
}

/// Every `%` starts `"%" HEXDIG HEXDIG` (RFC 3986 §2.1).
pub fn pct_ok(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// `IP-literal` without its brackets, as tern-proto documents it: an IPv6
/// address checked by alphabet (hex digits, ":" and "."; at least two bytes,
/// one a colon), or `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`.
fn ip_literal_ok(inner: &[u8]) -> bool {
    match inner {
        [b'v' | b'V', future @ ..] => {
            let hex = future.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            match future[hex..].split_first() {
                Some((b'.', tail)) => {
                    hex > 0
                        && !tail.is_empty()
                        && tail
                            .iter()
                            .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':')
                }
                _ => false,
            }
        }
        _ => {
            inner.len() >= 2
                && inner.contains(&b':')
                && inner
                    .iter()
                    .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
    }
}

/// `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2-3): the value of
/// Host, or an authority without userinfo. Empty is valid.
pub fn host_port_ok(value: &[u8]) -> bool {
    let (host_ok, rest) = if let Some(inner) = value.strip_prefix(b"[") {
        match inner.iter().position(|&b| b == b']') {
            Some(close) => (ip_literal_ok(&inner[..close]), &inner[close + 1..]),
            None => return false,
        }
    } else {
        let colon = value.iter().position(|&b| b == b':').unwrap_or(value.len());
        let host = &value[..colon];
        let ok = pct_ok(host)
            && host
                .iter()
                .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b'%');
        (ok, &value[colon..])
    };
    let port_ok = match rest.split_first() {
        None => true,
        Some((b':', port)) => port.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    };
    host_ok && port_ok
}

/// Whether `target` is a request-target `method` may carry, per tern-proto's
/// documented policy (RFC 9112 §3.2): its bytes, %-encoding, and form.
///
/// - `CONNECT`: authority-form only, `uri-host ":" port` with both non-empty
///   (§3.2.3);
/// - `*`: asterisk-form, `OPTIONS` only (§3.2.4);
/// - `/...`: origin-form, no brackets (§3.2.1);
/// - otherwise absolute-form (§3.2.2): a scheme, ":", and after "//" an
///   authority without userinfo (RFC 9110 §4.2.4 lets a recipient treat it
///   as an error), whose host is non-empty for http and https (RFC 9110
///   §4.2.1); brackets only in the host.
pub fn target_ok(method: &[u8], target: &[u8]) -> bool {
    if target.is_empty() || !target.iter().all(|&b| is_target_byte(b)) || !pct_ok(target) {
        return false;
    }
    let no_brackets = |bytes: &[u8]| !bytes.iter().any(|&b| b == b'[' || b == b']');
    if method == b"CONNECT" {
        // The port follows the host: after the closing bracket of an
        // IP-literal, else after the last colon.
        let host_end = if target[0] == b'[' {
            target
                .iter()
                .position(|&b| b == b']')
                .map_or(0, |close| close + 1)
        } else {
            target.iter().rposition(|&b| b == b':').unwrap_or(0)
        };
        let port = &target[host_end..];
        return host_end > 0
            && port.len() > 1
            && port[0] == b':'
            && port[1..].iter().all(u8::is_ascii_digit)
            && host_port_ok(target);
    }
    if target[0] == b'/' {
        return no_brackets(target);
    }
    if target == b"*" {
        return method == b"OPTIONS";
    }
    absolute_form_ok(target)
}

/// `absolute-URI` split into its components as RFC 3986 Appendix B does
/// (scheme up to the first ":" before any "/" or "?", then "//" authority up
/// to the next "/" or "?", then path and query; a target has no "#"), each
/// component checked on its own.
fn absolute_form_ok(target: &[u8]) -> bool {
    let Some(scheme_end) = target.iter().position(|&b| b":/?".contains(&b)) else {
        return false;
    };
    let (scheme, hier_part) = (&target[..scheme_end], &target[scheme_end..]);
    let Some(hier_part) = hier_part.strip_prefix(b":") else {
        return false;
    };
    let scheme_ok = matches!(scheme.first(), Some(b) if b.is_ascii_alphabetic())
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let (authority, path_and_query) = match hier_part.strip_prefix(b"//") {
        Some(after) => {
            let end = after
                .iter()
                .position(|&b| b"/?".contains(&b))
                .unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, hier_part),
    };
    let authority_ok = authority.is_none_or(|authority| {
        // With a valid `uri-host [":" port]`, the host is empty exactly when
        // the authority is empty or starts with the port's colon.
        let host_given = authority.first().is_some_and(|&b| b != b':');
        let host_required =
            scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https");
        !authority.contains(&b'@') && host_port_ok(authority) && (host_given || !host_required)
    });
    scheme_ok && authority_ok && !path_and_query.iter().any(|&b| b == b'[' || b == b']')
}

/// The members of a comma-separated list field, trimmed, empty ones dropped
/// (RFC 9110 §5.6.1).
pub fn list_members(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|m| !m.is_empty())
}

/// Whether a list field holds `token` (ASCII case-insensitive).
pub fn has_token(value: &[u8], token: &[u8]) -> bool {
    list_members(value).any(|m| m.eq_ignore_ascii_case(token))
}

//! Request-target → file path under ROOT.
//!
//! The target is percent-decoded exactly once, segment by segment, into a
//! reused buffer. `.` segments and empty segments are dropped, `..` removes
//! the previous segment (and is refused when there is none: it would leave
//! ROOT), a NUL or an encoded `/` is refused, and a segment starting with a
//! dot (a hidden file) is not found unless allowed. The result is a relative
//! path with no `.`/`..` segments; the kernel then enforces that opening it
//! stays beneath ROOT (see `files`), so a symlink cannot lead out either.

/// Why a target cannot name a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Malformed or hostile target: 400.
    BadRequest,
    /// A hidden path: answered like a missing file, 404.
    Hidden,
}

/// Decodes and normalizes `target` into `out` (relative, no leading slash;
/// segments joined by `/`; with a trailing `/` when the target names a
/// directory and `out` is not empty). Returns the query, with its `?`, or
/// an empty slice.
pub fn normalize<'t>(
    target: &'t [u8],
    allow_hidden: bool,
    out: &mut Vec<u8>,
) -> Result<&'t [u8], PathError> {
    let path_and_query = origin_part(target)?;
    let qpos = path_and_query
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(path_and_query.len());
    let (raw_path, query) = path_and_query.split_at(qpos);
    normalize_path(raw_path, allow_hidden, out)?;
    Ok(query)
}

/// [`normalize`] for a path already split from its target (as
/// `tern_proto::Request::path` gives it): decodes and normalizes `raw_path`
/// into `out`.
pub fn normalize_path(
    raw_path: &[u8],
    allow_hidden: bool,
    out: &mut Vec<u8>,
) -> Result<(), PathError> {
    out.clear();
    if raw_path.first() != Some(&b'/') {
        return Err(PathError::BadRequest);
    }
    let mut trailing_slash = false;
    let mut hidden = false;
    for raw_seg in raw_path[1..].split(|&b| b == b'/') {
        let mark = out.len();
        if !out.is_empty() {
            out.push(b'/');
        }
        let start = out.len();
        decode_segment(raw_seg, out)?;
        let seg = &out[start..];
        trailing_slash = false;
        match seg {
            b"" => {
                out.truncate(mark);
                trailing_slash = true;
            }
            b"." => {
                out.truncate(mark);
                trailing_slash = true;
            }
            b".." => {
                out.truncate(mark);
                if out.is_empty() {
                    return Err(PathError::BadRequest);
                }
                let cut = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
                out.truncate(cut);
                trailing_slash = true;
            }
            _ => {
                if seg[0] == b'.' {
                    hidden = true;
                }
            }
        }
    }
    // A `..` can only remove a hidden segment that came before it, so the
    // check is made on the final path.
    if hidden && !allow_hidden && out.split(|&b| b == b'/').any(|s| s.first() == Some(&b'.')) {
        return Err(PathError::Hidden);
    }
    if trailing_slash && !out.is_empty() {
        out.push(b'/');
    }
    Ok(())
}

/// The `Location` of the redirect from a directory named without its
/// trailing slash: `/`, the normalized path percent-encoded, `/`, then the
/// query as received.
///
/// Built from the normalized path, never from the raw target: the raw
/// `//evil.example` or `//host/../dir` would be a network-path reference
/// that a browser resolves to another host (an open redirect). The
/// normalized path has no empty, `.` or `..` segment, so the result starts
/// with exactly one `/` followed by a segment byte.
pub fn directory_location(normalized: &[u8], query: &[u8]) -> Vec<u8> {
    let mut loc = Vec::with_capacity(normalized.len() + query.len() + 8);
    loc.push(b'/');
    for &b in normalized.strip_suffix(b"/").unwrap_or(normalized) {
        if b == b'/' || is_pchar_literal(b) {
            loc.push(b);
        } else {
            loc.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 15)],
            ]);
        }
    }
    if loc.len() > 1 {
        loc.push(b'/');
    }
    loc.extend_from_slice(query);
    loc
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// A byte that stands for itself in a path segment (RFC 3986 §3.3 `pchar`
/// without pct-encoded): unreserved, sub-delims, `:` and `@`.
fn is_pchar_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// The origin-form part of a target: the target itself, or the path of an
/// absolute-form target (RFC 9112 §3.2.2: a server MUST accept it).
fn origin_part(target: &[u8]) -> Result<&[u8], PathError> {
    if target.first() == Some(&b'/') {
        return Ok(target);
    }
    let lower_starts =
        |p: &[u8]| target.len() >= p.len() && target[..p.len()].eq_ignore_ascii_case(p);
    let rest = if lower_starts(b"http://") {
        &target[7..]
    } else if lower_starts(b"https://") {
        &target[8..]
    } else {
        return Err(PathError::BadRequest);
    };
    match rest.iter().position(|&b| b == b'/' || b == b'?') {
        Some(i) if rest[i] == b'/' => Ok(&rest[i..]),
        _ => Ok(b"/"),
    }
}

/// Appends the percent-decoding of `seg` to `out`.
fn decode_segment(seg: &[u8], out: &mut Vec<u8>) -> Result<(), PathError> {
    let mut i = 0;
    while i < seg.len() {
        let b = seg[i];
        let byte = if b == b'%' {
            let (Some(h), Some(l)) = (
                seg.get(i + 1).and_then(|&c| hex(c)),
                seg.get(i + 2).and_then(|&c| hex(c)),
            ) else {
                return Err(PathError::BadRequest);
            };
            i += 3;
            (h << 4) | l
        } else {
            i += 1;
            b
        };
        if byte == 0 || byte == b'/' {
            return Err(PathError::BadRequest);
        }
        out.push(byte);
    }
    Ok(())
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn norm(t: &str) -> Result<String, PathError> {
        let mut out = Vec::new();
        normalize(t.as_bytes(), false, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn plain_paths() {
        assert_eq!(norm("/").unwrap(), "");
        assert_eq!(norm("/index.html").unwrap(), "index.html");
        assert_eq!(norm("/a/b/").unwrap(), "a/b/");
        assert_eq!(norm("//a///b").unwrap(), "a/b");
        assert_eq!(norm("/a/./b?x=1").unwrap(), "a/b");
        assert_eq!(norm("/a%20b").unwrap(), "a b");
        assert_eq!(norm("/dir/../index.html").unwrap(), "index.html");
        assert_eq!(norm("/dir/..").unwrap(), "");
        assert_eq!(norm("http://h:1/x/y?q").unwrap(), "x/y");
        assert_eq!(norm("http://h").unwrap(), "");
    }

    fn location(t: &str) -> String {
        let mut out = Vec::new();
        let query = normalize(t.as_bytes(), false, &mut out).unwrap();
        String::from_utf8(directory_location(&out, query)).unwrap()
    }

    #[test]
    fn directory_location_is_never_another_host() {
        assert_eq!(location("/sub"), "/sub/");
        assert_eq!(location("/a/b?x=1&y"), "/a/b/?x=1&y");
        assert_eq!(location("//evil.example"), "/evil.example/");
        assert_eq!(location("//attacker.test/../sub"), "/sub/");
        assert_eq!(location("///x"), "/x/");
        assert_eq!(location("/a/%2e/%2E%2e/x/%2e"), "/x/");
        assert_eq!(location("/a%20b%3Fc%23d%25"), "/a%20b%3Fc%23d%25/");
        assert_eq!(location("http://h//evil.example"), "/evil.example/");
        assert_eq!(location("/\\evil.example"), "/%5Cevil.example/");
        assert_eq!(location("/x/.."), "/");
    }

    #[test]
    fn hostile_paths() {
        for t in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/../../etc",
            "/..%2f..%2fetc%2fpasswd",
            "/a%2fb",
            "/a%00b",
            "/a%zz",
            "/a%2",
            "*",
            "etc/passwd",
        ] {
            assert_eq!(norm(t), Err(PathError::BadRequest), "{t}");
        }
        // double encoding decodes once: `%252e` is the literal name `%2e`.
        assert_eq!(norm("/%252e%252e/x").unwrap(), "%2e%2e/x");
        // backslash is an ordinary byte on Linux.
        assert_eq!(norm("/a\\..\\b").unwrap(), "a\\..\\b");
        assert_eq!(norm("/..\\..\\etc"), Err(PathError::Hidden));
        assert_eq!(norm("/.git/config"), Err(PathError::Hidden));
        assert_eq!(norm("/a/.hidden"), Err(PathError::Hidden));
        assert_eq!(norm("/%2ehtaccess"), Err(PathError::Hidden));
        assert_eq!(norm("/.x/../ok").unwrap(), "ok");
    }

    /// Targets built from the pieces that matter to normalisation: dot
    /// segments plain and encoded, encoded slashes and NULs, broken escapes,
    /// double encoding, hidden names, queries and fragments, non-ASCII.
    fn target() -> impl Strategy<Value = Vec<u8>> {
        let piece = proptest::sample::select(vec![
            "/", "/", "/", "a", "b", "x.y", ".", "..", "%2e", "%2E", "%2e%2E", "%2f", "%2F", "%00",
            "%", "%4", "%41", "%252e", ".git", ".h", "\\", "?", "?q=1", "#f", " ", "%20", "~",
            "%C3%A9", "\u{e9}", ":", "@", "%3F", "%23", "\x00", "%5C",
        ]);
        let start =
            proptest::sample::select(vec!["/", "/", "/", "//", "http://h", "HTTPS://h:1", ""]);
        (start, proptest::collection::vec(piece, 0..12)).prop_map(|(start, pieces)| {
            let mut t = start.as_bytes().to_vec();
            for p in pieces {
                t.extend_from_slice(p.as_bytes());
            }
            t
        })
    }

    /// The origin-form of a normalised path: `/` and every byte that is not
    /// a literal path character percent-encoded.
    fn encoded(normalized: &[u8]) -> Vec<u8> {
        let mut t = vec![b'/'];
        for &b in normalized {
            if b == b'/' || is_pchar_literal(b) {
                t.push(b);
            } else {
                t.extend_from_slice(format!("%{b:02X}").as_bytes());
            }
        }
        t
    }

    fn segments(path: &[u8]) -> impl Iterator<Item = &[u8]> {
        path.strip_suffix(b"/")
            .unwrap_or(path)
            .split(|&b| b == b'/')
            .filter(|s| !s.is_empty())
    }

    proptest! {
        /// A normalised path is relative, has no empty, `.` or `..` segment
        /// (so it cannot climb out of ROOT), no NUL, no hidden segment unless
        /// allowed; the query is the target's tail from its first `?` or `#`.
        #[test]
        fn normalized_paths_stay_inside_root(t in target(), allow_hidden: bool) {
            let mut out = Vec::new();
            let Ok(query) = normalize(&t, allow_hidden, &mut out) else {
                return Ok(());
            };
            prop_assert!(!out.starts_with(b"/"), "{:?}", out);
            prop_assert!(!out.windows(2).any(|w| w == b"//"), "{:?}", out);
            prop_assert!(!out.contains(&0));
            for seg in segments(&out) {
                prop_assert!(seg != b"." && seg != b"..", "{:?}", out);
                prop_assert!(allow_hidden || seg[0] != b'.', "{:?}", out);
            }
            prop_assert!(t.ends_with(query));
            prop_assert!(query.is_empty() || matches!(query[0], b'?' | b'#'));
        }

        /// A target whose dot segments climb above ROOT at any point is
        /// refused (400), however its dots are encoded.
        #[test]
        fn climbing_above_root_is_refused(t in target(), allow_hidden: bool) {
            let Some(path) = t.strip_prefix(b"/") else {
                return Ok(());
            };
            let end = path
                .iter()
                .position(|&b| b == b'?' || b == b'#')
                .unwrap_or(path.len());
            let mut depth = 0i32;
            let mut climbs = false;
            for seg in path[..end].split(|&b| b == b'/') {
                let seg = String::from_utf8_lossy(seg).to_ascii_lowercase().replace("%2e", ".");
                match seg.as_str() {
                    "" | "." => {}
                    ".." if depth == 0 => climbs = true,
                    ".." => depth -= 1,
                    _ => depth += 1,
                }
            }
            if climbs {
                let got = normalize(&t, allow_hidden, &mut Vec::new());
                prop_assert_eq!(got, Err(PathError::BadRequest));
            }
        }

        /// Normalising is idempotent: the percent-encoded normalised path
        /// normalises to itself.
        #[test]
        fn normalizing_is_idempotent(t in target(), allow_hidden: bool) {
            let mut out = Vec::new();
            if normalize(&t, allow_hidden, &mut out).is_err() {
                return Ok(());
            }
            let mut again = Vec::new();
            let target = encoded(&out);
            let query = normalize(&target, allow_hidden, &mut again);
            prop_assert_eq!(query, Ok(&b""[..]));
            prop_assert_eq!(again, out);
        }

        /// The redirect `Location` of a directory starts with exactly one
        /// `/` (never a network-path reference) and names the same path,
        /// with a trailing slash, and the same query.
        #[test]
        fn directory_location_names_the_same_path(t in target(), allow_hidden: bool) {
            let mut out = Vec::new();
            let Ok(query) = normalize(&t, allow_hidden, &mut out) else {
                return Ok(());
            };
            let loc = directory_location(&out, query);
            prop_assert!(loc.starts_with(b"/") && !loc.starts_with(b"//"), "{:?}", loc);
            let mut back = Vec::new();
            prop_assert_eq!(normalize(&loc, allow_hidden, &mut back), Ok(query));
            let mut expected = out.strip_suffix(b"/").unwrap_or(&out).to_vec();
            if !expected.is_empty() {
                expected.push(b'/');
            }
            prop_assert_eq!(back, expected);
        }

        /// Hidden segments are refused (404) exactly when allowing them
        /// would give a path with one; otherwise both settings agree.
        #[test]
        fn hidden_segments_refused_unless_allowed(t in target()) {
            let (mut strict, mut open) = (Vec::new(), Vec::new());
            let refused = normalize(&t, false, &mut strict);
            let allowed = normalize(&t, true, &mut open);
            match refused {
                Err(PathError::Hidden) => {
                    prop_assert!(allowed.is_ok());
                    prop_assert!(segments(&open).any(|s| s[0] == b'.'), "{:?}", open);
                }
                Err(PathError::BadRequest) => prop_assert_eq!(allowed, Err(PathError::BadRequest)),
                Ok(query) => {
                    prop_assert_eq!(allowed, Ok(query));
                    prop_assert_eq!(strict, open);
                }
            }
        }
    }
}

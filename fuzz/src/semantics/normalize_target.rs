//! `normalize_target`: one byte (bit 0: hidden files allowed), then a
//! request-target.
//!
//! Properties of `target::normalize` and `target::directory_location`: a
//! normalised path is relative, has no empty, `.` or `..` segment, no NUL,
//! and no hidden segment unless allowed; a target whose dot segments
//! (decoded) climb above ROOT is refused; the query is the target's tail
//! from its first `?` or `#`; normalising the percent-encoded result gives
//! it back (idempotence); the directory `Location` starts with exactly one
//! `/` and normalises back to the same path and query; hidden segments are
//! refused exactly when allowing them yields one.

use tern_server::semantics::target::{PathError, directory_location, normalize};

/// Panics when a property does not hold.
pub fn check(data: &[u8]) {
    let (&flags, target) = data.split_first().unwrap_or((&0, &[]));
    let allow_hidden = flags & 1 == 1;
    let mut out = Vec::new();
    let result = normalize(target, allow_hidden, &mut out);

    let mut other = Vec::new();
    let other_result = normalize(target, !allow_hidden, &mut other);
    let (strict, open) = if allow_hidden {
        ((other_result, &other), (result, &out))
    } else {
        ((result, &out), (other_result, &other))
    };
    match strict.0 {
        Err(PathError::Hidden) => {
            assert!(
                open.0.is_ok(),
                "hidden when refused, yet {:?} when allowed",
                open.0
            );
            assert!(
                segments(open.1).any(|s| s[0] == b'.'),
                "{:?} refused as hidden",
                open.1
            );
        }
        Err(PathError::BadRequest) => assert_eq!(open.0, Err(PathError::BadRequest)),
        Ok(query) => assert_eq!((open.0, open.1), (Ok(query), strict.1)),
    }

    if climbs_above_root(target) {
        assert_eq!(result, Err(PathError::BadRequest), "{target:?} climbs out");
    }
    let Ok(query) = result else {
        return;
    };
    assert!(!out.starts_with(b"/"), "{out:?} is absolute");
    assert!(
        !out.windows(2).any(|w| w == b"//"),
        "{out:?} has an empty segment"
    );
    assert!(!out.contains(&0), "{out:?} has a NUL");
    for seg in segments(&out) {
        assert!(seg != b"." && seg != b"..", "{out:?} has a dot segment");
        assert!(allow_hidden || seg[0] != b'.', "{out:?} is hidden");
    }
    assert!(
        target.ends_with(query),
        "query {query:?} not the target's tail"
    );
    assert!(
        query.is_empty() || matches!(query[0], b'?' | b'#'),
        "query {query:?}"
    );
    if target.starts_with(b"/") {
        let path = &target[..target.len() - query.len()];
        assert!(
            !path.contains(&b'?') && !path.contains(&b'#'),
            "query starts late"
        );
    }

    let encoded = encode(&out);
    let mut again = Vec::new();
    assert_eq!(
        normalize(&encoded, allow_hidden, &mut again),
        Ok(&b""[..]),
        "{encoded:?}"
    );
    assert_eq!(again, out, "normalising {encoded:?} is not idempotent");

    let location = directory_location(&out, query);
    assert!(
        location.starts_with(b"/") && !location.starts_with(b"//"),
        "Location {location:?}"
    );
    let mut back = Vec::new();
    assert_eq!(
        normalize(&location, allow_hidden, &mut back),
        Ok(query),
        "Location {location:?}"
    );
    let mut expected = out.strip_suffix(b"/").unwrap_or(&out).to_vec();
    if !expected.is_empty() {
        expected.push(b'/');
    }
    assert_eq!(back, expected, "Location {location:?}");
}

/// The segments of a normalised path (its trailing `/` dropped).
fn segments(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.strip_suffix(b"/")
        .unwrap_or(path)
        .split(|&b| b == b'/')
        .filter(|s| !s.is_empty())
}

/// The origin-form of a normalised path: every byte but RFC 3986 `pchar`
/// literals and `/` percent-encoded.
fn encode(path: &[u8]) -> Vec<u8> {
    let mut t = vec![b'/'];
    for &b in path {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            t.push(b);
        } else {
            t.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    t
}

/// Whether an origin-form target's path, with `%2e` read as `.`, has a
/// `..` segment with no segment left to remove.
fn climbs_above_root(target: &[u8]) -> bool {
    let Some(path) = target.strip_prefix(b"/") else {
        return false;
    };
    let end = path
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(path.len());
    let mut depth = 0usize;
    for seg in path[..end].split(|&b| b == b'/') {
        let seg = String::from_utf8_lossy(seg)
            .to_ascii_lowercase()
            .replace("%2e", ".");
        match seg.as_str() {
            "" | "." => {}
            ".." if depth == 0 => return true,
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    false
}

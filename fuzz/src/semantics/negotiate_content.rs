//! `negotiate_content`: one byte (bits 0-2: which of br, zstd, gzip have a
//! sibling; bit 3: the request has no `Accept-Encoding` field; bit 4: the
//! lines are `Accept` fields instead), then field values, one per `\n`.
//!
//! `choose_encoding` is compared with a reading of RFC 9110 §12.5.3 and
//! §12.4.2 written here (so a coding chosen is always available and
//! acceptable); how the members are split over fields, and their order,
//! change nothing; adding `identity;q=0, *;q=0` never yields identity.
//! For `Accept`: a type refused by an exact `q=0` range is not acceptable;
//! reversing the fields changes nothing; `prefers_json` implies JSON is
//! acceptable, and holds when JSON is acceptable and HTML is not.

use tern_server::semantics::negotiate::{
    Coding, Encoding, accepts_media, choose_encoding, prefers_json,
};

use super::{lines, trim_ows};

/// Panics when a property does not hold.
pub fn check(data: &[u8]) {
    let (&flags, rest) = data.split_first().unwrap_or((&0, &[]));
    let available: Vec<Coding> = Coding::ALL
        .into_iter()
        .enumerate()
        .filter(|&(i, _)| flags & (1 << i) != 0)
        .map(|(_, c)| c)
        .collect();
    let fields: Vec<&[u8]> = if flags & 8 != 0 {
        Vec::new()
    } else {
        lines(rest).collect()
    };
    if flags & 16 != 0 {
        check_accept(&fields);
    } else {
        check_accept_encoding(&fields, &available);
    }
}

fn check_accept_encoding(fields: &[&[u8]], available: &[Coding]) {
    let got = choose_encoding(fields.iter().copied(), available);
    assert_eq!(
        got,
        reference(fields, available),
        "{fields:?} with {available:?}"
    );
    if let Encoding::Coded(coding) = got {
        assert!(available.contains(&coding), "{coding:?} has no sibling");
    }
    if fields.is_empty() {
        return;
    }
    // One field with every member, and the members reversed.
    let members: Vec<&[u8]> = fields
        .iter()
        .flat_map(|f| f.split(|&b| b == b','))
        .collect();
    let joined = members.join(&b","[..]);
    assert_eq!(
        choose_encoding([&joined[..]], available),
        got,
        "joined {joined:?}"
    );
    let reversed: Vec<&[u8]> = members.iter().rev().copied().collect();
    assert_eq!(
        choose_encoding(reversed, available),
        got,
        "members reversed"
    );
    let refused: Vec<&[u8]> = fields
        .iter()
        .copied()
        .chain([&b"identity;q=0, *;q=0"[..]])
        .collect();
    assert_ne!(
        choose_encoding(refused, available),
        Encoding::Identity,
        "identity refused"
    );
}

/// The choice by the rules of `choose_encoding`'s documentation, from a
/// member parser written to the §12.5.3 and §12.4.2 grammar.
fn reference(fields: &[&[u8]], available: &[Coding]) -> Encoding {
    if fields.is_empty() {
        return Encoding::Identity;
    }
    // Lowest weight per name: br, zstd, gzip, identity, *.
    let mut lowest: [Option<u16>; 5] = [None; 5];
    for member in fields.iter().flat_map(|f| f.split(|&b| b == b',')) {
        let Some((name, weight)) = member_weight(trim_ows(member)) else {
            continue;
        };
        let slot = match name.to_ascii_lowercase().as_slice() {
            b"br" => 0,
            b"zstd" => 1,
            b"gzip" | b"x-gzip" => 2,
            b"identity" => 3,
            b"*" => 4,
            _ => continue,
        };
        lowest[slot] = Some(lowest[slot].map_or(weight, |w: u16| w.min(weight)));
    }
    let star = lowest[4];
    // (weight, rank): identity ranks 0, gzip 1, zstd 2, br 3; identity
    // neither listed nor covered by `*` is acceptable at weight 0.
    let mut best = match lowest[3].or(star) {
        Some(0) => None,
        weight => Some((weight.unwrap_or(0), 0u8, Encoding::Identity)),
    };
    for (slot, coding, rank) in [
        (2, Coding::Gzip, 1),
        (1, Coding::Zstd, 2),
        (0, Coding::Br, 3),
    ] {
        let Some(weight) = lowest[slot].or(star).filter(|&w| w > 0) else {
            continue;
        };
        if available.contains(&coding) && best.is_none_or(|(w, r, _)| (weight, rank) > (w, r)) {
            best = Some((weight, rank, Encoding::Coded(coding)));
        }
    }
    best.map_or(Encoding::NotAcceptable, |(_, _, e)| e)
}

/// `codings [ OWS ";" OWS "q=" qvalue ]`, with the weight in thousandths.
fn member_weight(member: &[u8]) -> Option<(&[u8], u16)> {
    let name_end = member
        .iter()
        .position(|b| !is_tchar(*b))
        .unwrap_or(member.len());
    let (name, rest) = member.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let rest = trim_ows(rest);
    if rest.is_empty() {
        return Some((name, 1000));
    }
    let rest = trim_ows(rest.strip_prefix(b";")?);
    let q = rest
        .strip_prefix(b"q=")
        .or_else(|| rest.strip_prefix(b"Q="))?;
    let weight = match q {
        [b'0'] | [b'0', b'.'] => 0,
        [b'0', b'.', d @ ..] if d.len() <= 3 && d.iter().all(u8::is_ascii_digit) => {
            let mut padded = [b'0'; 3];
            padded[..d.len()].copy_from_slice(d);
            padded
                .iter()
                .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'))
        }
        [b'1'] | [b'1', b'.'] => 1000,
        [b'1', b'.', z @ ..] if z.len() <= 3 && z.iter().all(|&b| b == b'0') => 1000,
        _ => return None,
    };
    Some((name, weight))
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_accept(fields: &[&[u8]]) {
    let accepts = |fields: &[&[u8]], t, s| accepts_media(fields.iter().copied(), t, s);
    let reversed: Vec<&[u8]> = fields.iter().rev().copied().collect();
    for (t, s) in [("text", "html"), ("application", "json"), ("image", "png")] {
        let got = accepts(fields, t, s);
        assert_eq!(accepts(&reversed, t, s), got, "{t}/{s}: fields reversed");
        let refusal = format!("{t}/{s};q=0");
        let refused: Vec<&[u8]> = fields.iter().copied().chain([refusal.as_bytes()]).collect();
        assert!(!accepts(&refused, t, s), "{t}/{s} accepted after {refusal}");
        // The same range in capitals: types are case-insensitive.
        let shouted = refusal.to_ascii_uppercase().replace('Q', "q");
        let refused: Vec<&[u8]> = fields.iter().copied().chain([shouted.as_bytes()]).collect();
        assert!(!accepts(&refused, t, s), "{t}/{s} accepted after {shouted}");
    }
    let json = prefers_json(fields.iter().copied());
    assert_eq!(
        prefers_json(reversed.iter().copied()),
        json,
        "fields reversed"
    );
    let (json_ok, html_ok) = (
        accepts(fields, "application", "json"),
        accepts(fields, "text", "html"),
    );
    if json {
        assert!(json_ok, "prefers JSON it does not accept: {fields:?}");
    }
    if json_ok && !html_ok {
        assert!(
            json,
            "accepts JSON, not HTML, yet not preferred: {fields:?}"
        );
    }
}

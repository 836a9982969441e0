//! Content negotiation (RFC 9110 §12.5): which precompressed sibling a
//! client accepts, and whether it takes HTML.
//!
//! Placeholder of the lead's branch, replaced by the full module (with its
//! properties and fuzz target) when the semantics branch is merged.

/// A content coding tern can serve from a sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// Brotli, `NAME.br`.
    Br,
    /// Zstandard, `NAME.zst`.
    Zstd,
    /// gzip, `NAME.gz`.
    Gzip,
}

impl Coding {
    /// Every coding, smallest output first (the order ties are broken in).
    pub const ALL: [Self; 3] = [Self::Br, Self::Zstd, Self::Gzip];

    /// The `Content-Encoding` token.
    #[must_use]
    pub fn token(self) -> &'static [u8] {
        match self {
            Self::Br => b"br",
            Self::Zstd => b"zstd",
            Self::Gzip => b"gzip",
        }
    }

    /// The file-name suffix of a sibling in this coding.
    #[must_use]
    pub fn suffix(self) -> &'static [u8] {
        match self {
            Self::Br => b".br",
            Self::Zstd => b".zst",
            Self::Gzip => b".gz",
        }
    }
}

/// The representation to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The sibling in this coding.
    Coded(Coding),
    /// The file itself.
    Identity,
    /// Nothing the client accepts (406).
    NotAcceptable,
}

/// Chooses among `available` codings and identity from the values of every
/// `Accept-Encoding` field of the request.
pub fn choose_encoding<'a>(
    fields: impl IntoIterator<Item = &'a [u8]>,
    available: &[Coding],
) -> Encoding {
    let mut seen = false;
    let mut identity: Option<u16> = None;
    let mut star: Option<u16> = None;
    let mut quality = [None::<u16>; 3];
    for value in fields {
        seen = true;
        for member in value.split(|&b| b == b',') {
            let mut params = member.split(|&b| b == b';');
            let token = params.next().unwrap_or_default().trim_ascii();
            let mut q = 1000;
            for p in params {
                let p = p.trim_ascii();
                if let Some(v) = p.strip_prefix(b"q=").or_else(|| p.strip_prefix(b"Q=")) {
                    q = parse_q(v).unwrap_or(0);
                }
            }
            if token.eq_ignore_ascii_case(b"identity") {
                identity = Some(q);
            } else if token == b"*" {
                star = Some(q);
            } else if let Some(i) = Coding::ALL.iter().position(|c| {
                token.eq_ignore_ascii_case(c.token())
                    || (*c == Coding::Gzip && token.eq_ignore_ascii_case(b"x-gzip"))
            }) {
                quality[i] = Some(q);
            }
        }
    }
    if !seen {
        return Encoding::Identity;
    }
    let mut best = (identity.or(star).unwrap_or(1), Encoding::Identity);
    for (i, c) in Coding::ALL.iter().enumerate().rev() {
        let q = quality[i].or(star).unwrap_or(0);
        if available.contains(c) && q > 0 && q >= best.0 {
            best = (q, Encoding::Coded(*c));
        }
    }
    if best.0 == 0 {
        Encoding::NotAcceptable
    } else {
        best.1
    }
}

fn parse_q(v: &[u8]) -> Option<u16> {
    let (int, frac) = match v.iter().position(|&b| b == b'.') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, &b""[..]),
    };
    if frac.len() > 3 || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut thousandths = 0u16;
    for i in 0..3 {
        thousandths = thousandths * 10 + frac.get(i).map_or(0, |d| u16::from(d - b'0'));
    }
    match int {
        b"0" => Some(thousandths),
        b"1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Whether the values of every `Accept` field admit `type_/subtype`.
pub fn accepts_media<'a>(
    fields: impl IntoIterator<Item = &'a [u8]>,
    type_: &[u8],
    subtype: &[u8],
) -> bool {
    let mut seen = false;
    // (specificity, quality) of the most specific matching range.
    let mut best: Option<(u8, u16)> = None;
    for value in fields {
        seen = true;
        for member in value.split(|&b| b == b',') {
            let mut params = member.split(|&b| b == b';');
            let range = params.next().unwrap_or_default().trim_ascii();
            let mut q = 1000;
            for p in params {
                let p = p.trim_ascii();
                if let Some(v) = p.strip_prefix(b"q=").or_else(|| p.strip_prefix(b"Q=")) {
                    q = parse_q(v).unwrap_or(0);
                }
            }
            let Some(slash) = range.iter().position(|&b| b == b'/') else {
                continue;
            };
            let (t, s) = (&range[..slash], &range[slash + 1..]);
            let specificity = if t == b"*" && s == b"*" {
                1
            } else if t.eq_ignore_ascii_case(type_) && s == b"*" {
                2
            } else if t.eq_ignore_ascii_case(type_) && s.eq_ignore_ascii_case(subtype) {
                3
            } else {
                continue;
            };
            if best.is_none_or(|(sp, _)| specificity > sp) {
                best = Some((specificity, q));
            }
        }
    }
    !seen || best.is_some_and(|(_, q)| q > 0)
}

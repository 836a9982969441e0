//! Proactive content negotiation (RFC 9110 §12): which precompressed sibling
//! to send (`Accept-Encoding`, §12.5.3) and which media type a client wants
//! (`Accept`, §12.5.1), both weighted by q-values (§12.4.2).
//!
//! Parsing is strict: a list member that does not match its grammar is
//! ignored, as if it were not there. RFC 9110 requires ignoring empty list
//! members (§5.6.1.2) and lets a server disregard a negotiation field it
//! cannot honour (§12.5.1); ignoring one malformed member is the narrower
//! use of that latitude. The price: a malformed refusal
//! (`identity;q=0.0000`) refuses nothing.

/// A content coding tern can serve from a precompressed sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Brotli (RFC 7932), sibling `.br`.
    Br,
    /// Zstandard (RFC 8878), sibling `.zst`.
    Zstd,
    /// gzip (RFC 9110 §8.4.1.3), sibling `.gz`.
    Gzip,
}

impl Coding {
    /// Every coding, in the order preferred at equal weight: the one that
    /// usually gives the smallest file first.
    pub const ALL: [Self; 3] = [Self::Br, Self::Zstd, Self::Gzip];

    /// The token for `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Self::Br => "br",
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
        }
    }

    /// The suffix of the precompressed sibling (`app.js` → `app.js.br`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Br => ".br",
            Self::Zstd => ".zst",
            Self::Gzip => ".gz",
        }
    }

    /// Preference at equal weight (higher wins); identity is 0.
    fn rank(self) -> u8 {
        match self {
            Self::Br => 3,
            Self::Zstd => 2,
            Self::Gzip => 1,
        }
    }
}

/// The outcome of `Accept-Encoding` negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Send the sibling with this coding (`Content-Encoding` set).
    Coded(Coding),
    /// Send the file itself.
    Identity,
    /// Neither identity nor any available coding is acceptable (406, or
    /// the identity representation if the server disregards the field).
    NotAcceptable,
}

/// Chooses the representation to send, given the values of every
/// `Accept-Encoding` field of the request (each a comma-separated list;
/// none at all when the request has no such field) and the codings whose
/// sibling exists.
///
/// - No `Accept-Encoding` field: identity. §12.5.3 then deems any coding
///   acceptable, but a client that did not ask may not decode one.
/// - A listed coding is acceptable unless its weight is `q=0`; `*` gives its
///   weight to every coding and to identity not listed explicitly.
/// - Identity is acceptable unless refused by `identity;q=0`, or by `*;q=0`
///   without an `identity` member. Not listed and not covered by `*`, it
///   has no weight of its own and ranks below every acceptable coding.
/// - The highest weight wins; at equal weight br, then zstd, then gzip,
///   then identity (the smaller representation first).
/// - A member listed twice counts with its lowest weight (a refusal is
///   never outvoted).
pub fn choose_encoding<'a>(
    fields: impl IntoIterator<Item = &'a [u8]>,
    available: &[Coding],
) -> Encoding {
    let mut fields = fields.into_iter().peekable();
    if fields.peek().is_none() {
        return Encoding::Identity;
    }
    let mut weights = EncodingWeights::default();
    for field in fields {
        // No quoted-string in this grammar: every comma separates.
        for member in field.split(|&b| b == b',').map(trim_ows) {
            if let Some((token, weight)) = encoding_member(member) {
                weights.record(token, weight);
            }
        }
    }
    let identity = match weights.identity.or(weights.star) {
        Some(0) => None,
        Some(weight) => Some((weight, 0)),
        None => Some((0, 0)),
    };
    let best_coding = available
        .iter()
        .filter_map(|&coding| match weights.coding(coding).or(weights.star) {
            Some(weight) if weight > 0 => Some(((weight, coding.rank()), coding)),
            _ => None,
        })
        .max_by_key(|&(key, _)| key);
    match (best_coding, identity) {
        (Some((key, _)), Some(identity)) if key < identity => Encoding::Identity,
        (Some((_, coding)), _) => Encoding::Coded(coding),
        (None, Some(_)) => Encoding::Identity,
        (None, None) => Encoding::NotAcceptable,
    }
}

/// Whether `type_/subtype` (without parameters) is acceptable under the
/// request's `Accept` fields: the most specific matching range decides
/// (`text/html` over `text/*` over `*/*`), and none matching means not
/// acceptable. No `Accept` field, or none with a well-formed member,
/// accepts everything (§12.5.1).
pub fn accepts_media<'a>(
    fields: impl IntoIterator<Item = &'a [u8]>,
    type_: &str,
    subtype: &str,
) -> bool {
    let [weight] = media_weights(fields, [(type_.as_bytes(), subtype.as_bytes())]);
    weight > 0
}

/// Whether the client wants `application/json` strictly more than
/// `text/html` (used to answer a directory listing as JSON), with the
/// weights of [`accepts_media`].
pub fn prefers_json<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let [json, html] = media_weights(fields, [(b"application", b"json"), (b"text", b"html")]);
    json > html
}

/// The default weight, `q=1`; weights are in thousandths (`q=0.5` is 500).
const FULL_WEIGHT: u16 = 1000;

/// The weights `Accept-Encoding` gives the tokens that matter here.
#[derive(Debug, Default)]
struct EncodingWeights {
    br: Option<u16>,
    zstd: Option<u16>,
    gzip: Option<u16>,
    identity: Option<u16>,
    star: Option<u16>,
}

impl EncodingWeights {
    fn record(&mut self, token: &[u8], weight: u16) {
        let slot = if token == b"*" {
            &mut self.star
        } else if token.eq_ignore_ascii_case(b"identity") {
            &mut self.identity
        } else if token.eq_ignore_ascii_case(b"br") {
            &mut self.br
        } else if token.eq_ignore_ascii_case(b"zstd") {
            &mut self.zstd
        } else if token.eq_ignore_ascii_case(b"gzip") || token.eq_ignore_ascii_case(b"x-gzip") {
            // §8.4.1.3: a recipient SHOULD consider "x-gzip" equivalent to "gzip".
            &mut self.gzip
        } else {
            return;
        };
        *slot = Some(slot.map_or(weight, |w| w.min(weight)));
    }

    fn coding(&self, coding: Coding) -> Option<u16> {
        match coding {
            Coding::Br => self.br,
            Coding::Zstd => self.zstd,
            Coding::Gzip => self.gzip,
        }
    }
}

/// One `Accept-Encoding` member: `codings [ weight ]` (§12.5.3), where
/// `codings = content-coding / "identity" / "*"` and a content-coding is a
/// token. `None` when malformed (no other parameter is allowed).
fn encoding_member(member: &[u8]) -> Option<(&[u8], u16)> {
    let (token, params) = match member.iter().position(|&b| b == b';') {
        Some(i) => (trim_ows(&member[..i]), Some(&member[i + 1..])),
        None => (member, None),
    };
    // `*` is a token too.
    if !is_token(token) {
        return None;
    }
    let weight = match params {
        None => FULL_WEIGHT,
        Some(params) => weight(trim_ows(params))?,
    };
    Some((token, weight))
}

/// For each `(type, subtype)` queried, the weight of the most specific
/// media range matching it over every `Accept` field: full weight when no
/// field has a well-formed member, 0 when members exist but none matches.
fn media_weights<'a, const N: usize>(
    fields: impl IntoIterator<Item = &'a [u8]>,
    queries: [(&[u8], &[u8]); N],
) -> [u16; N] {
    let mut any_valid = false;
    // Per query, (specificity, weight) of the best match so far:
    // 3 type/subtype, 2 type/*, 1 */*.
    let mut best: [Option<(u8, u16)>; N] = [None; N];
    for field in fields {
        for range in list_members(field).filter_map(media_range) {
            any_valid = true;
            if range.has_parameters {
                // A range with parameters names representations that have
                // them; the types asked about here have none.
                continue;
            }
            for ((type_, subtype), best) in queries.iter().zip(&mut best) {
                let specificity = match (range.type_, range.subtype) {
                    (b"*", b"*") => 1,
                    (t, b"*") if t.eq_ignore_ascii_case(type_) => 2,
                    (t, s) if t.eq_ignore_ascii_case(type_) && s.eq_ignore_ascii_case(subtype) => 3,
                    _ => continue,
                };
                *best = match *best {
                    Some((s, w)) if s > specificity => Some((s, w)),
                    Some((s, w)) if s == specificity => Some((s, w.min(range.weight))),
                    _ => Some((specificity, range.weight)),
                };
            }
        }
    }
    best.map(|best| match best {
        Some((_, weight)) => weight,
        None if any_valid => 0,
        None => FULL_WEIGHT,
    })
}

/// A parsed `Accept` member.
struct MediaRange<'a> {
    type_: &'a [u8],
    subtype: &'a [u8],
    has_parameters: bool,
    weight: u16,
}

/// One `Accept` member (§12.5.1): `media-range [ weight ]` with
/// `media-range = ( "*/*" / type "/*" / type "/" subtype ) parameters`.
/// Any parameter named `q` is the weight, wherever it stands (§12.5.1:
/// recipients SHOULD treat it so regardless of order); a second one, or a
/// malformed parameter, makes the member malformed (`None`).
fn media_range(member: &[u8]) -> Option<MediaRange<'_>> {
    let mut parts = split_outside_quotes(member, b';');
    let media = trim_ows(parts.next()?);
    let slash = media.iter().position(|&b| b == b'/')?;
    let (type_, subtype) = (&media[..slash], &media[slash + 1..]);
    if !is_token(type_) || !is_token(subtype) || (type_ == b"*" && subtype != b"*") {
        return None;
    }
    let mut has_parameters = false;
    let mut weight_found = None;
    for param in parts.map(trim_ows).filter(|p| !p.is_empty()) {
        if matches!(param, [b'q' | b'Q', b'=', ..]) {
            if weight_found.is_some() {
                return None;
            }
            weight_found = Some(weight(param)?);
        } else if is_parameter(param) {
            has_parameters = true;
        } else {
            return None;
        }
    }
    Some(MediaRange {
        type_,
        subtype,
        has_parameters,
        weight: weight_found.unwrap_or(FULL_WEIGHT),
    })
}

/// `q=` qvalue (§12.4.2): `"0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]`,
/// `q` in either case, no space around `=`.
fn weight(param: &[u8]) -> Option<u16> {
    let [b'q' | b'Q', b'=', value @ ..] = param else {
        return None;
    };
    let (&first, rest) = value.split_first()?;
    let decimals = match rest {
        [] => &[][..],
        [b'.', decimals @ ..] if decimals.len() <= 3 => decimals,
        _ => return None,
    };
    if !decimals.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for i in 0..3 {
        let digit = decimals.get(i).map_or(0, |d| d - b'0');
        thousandths = thousandths * 10 + u16::from(digit);
    }
    match first {
        b'0' => Some(thousandths),
        b'1' if thousandths == 0 => Some(FULL_WEIGHT),
        _ => None,
    }
}

/// `parameter = parameter-name "=" parameter-value`, value a token or a
/// quoted-string (§5.6.6).
fn is_parameter(param: &[u8]) -> bool {
    let Some(eq) = param.iter().position(|&b| b == b'=') else {
        return false;
    };
    let (name, value) = (&param[..eq], &param[eq + 1..]);
    is_token(name) && (is_token(value) || is_quoted_string(value))
}

/// The members of a comma-separated list whose members may hold
/// quoted-strings (§5.6.1), OWS trimmed, empty ones skipped; commas inside
/// a quoted-string do not separate.
fn list_members(field: &[u8]) -> impl Iterator<Item = &[u8]> {
    split_outside_quotes(field, b',')
        .map(trim_ows)
        .filter(|m| !m.is_empty())
}

/// Pieces of `bytes` between `separator`s that are not inside a
/// quoted-string (a backslash inside one escapes the next byte).
fn split_outside_quotes(bytes: &[u8], separator: u8) -> SplitOutsideQuotes<'_> {
    SplitOutsideQuotes {
        rest: Some(bytes),
        separator,
    }
}

struct SplitOutsideQuotes<'a> {
    rest: Option<&'a [u8]>,
    separator: u8,
}

impl<'a> Iterator for SplitOutsideQuotes<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let mut quoted = false;
        let mut i = 0;
        while i < rest.len() {
            match rest[i] {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b if b == self.separator && !quoted => {
                    self.rest = Some(&rest[i + 1..]);
                    return Some(&rest[..i]);
                }
                _ => {}
            }
            i += 1;
        }
        self.rest = None;
        Some(rest)
    }
}

/// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (§5.6.4).
fn is_quoted_string(v: &[u8]) -> bool {
    let Some(inner) = v.strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\"")) else {
        return false;
    };
    let mut bytes = inner.iter();
    while let Some(&b) = bytes.next() {
        let ok = match b {
            b'\\' => bytes.next().is_some_and(|&e| {
                e == b'\t' || e == b' ' || (0x21..=0x7e).contains(&e) || e >= 0x80
            }),
            b'"' => false,
            b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff => true,
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `token = 1*tchar` (§5.6.2).
fn is_token(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Trims `OWS = *( SP / HTAB )` (§5.6.3) from both ends.
fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &v[start..end]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const ALL: &[Coding] = &Coding::ALL;

    fn choose(fields: &[&str], available: &[Coding]) -> Encoding {
        choose_encoding(fields.iter().map(|f| f.as_bytes()), available)
    }

    fn weights(fields: &[&str], type_: &str, subtype: &str) -> u16 {
        let [w] = media_weights(
            fields.iter().map(|f| f.as_bytes()),
            [(type_.as_bytes(), subtype.as_bytes())],
        );
        w
    }

    #[test]
    fn the_accept_encoding_examples_of_section_12_5_3() {
        use Encoding::*;
        assert_eq!(choose(&["compress, gzip"], ALL), Coded(Coding::Gzip));
        assert_eq!(choose(&[""], ALL), Identity);
        assert_eq!(choose(&["*"], ALL), Coded(Coding::Br));
        assert_eq!(
            choose(&["*"], &[Coding::Gzip, Coding::Zstd]),
            Coded(Coding::Zstd)
        );
        assert_eq!(
            choose(&["compress;q=0.5, gzip;q=1.0"], ALL),
            Coded(Coding::Gzip)
        );
        let example = "gzip;q=1.0, identity; q=0.5, *;q=0";
        assert_eq!(choose(&[example], ALL), Coded(Coding::Gzip));
        assert_eq!(choose(&[example], &[Coding::Br]), Identity);
        assert_eq!(choose(&[example], &[]), Identity);
    }

    #[test]
    fn accept_encoding_rules() {
        use Encoding::*;
        // No field: identity even when every coding exists.
        assert_eq!(choose(&[], ALL), Identity);
        // Browsers list everything at q=1: the smallest wins.
        assert_eq!(choose(&["gzip, deflate, br, zstd"], ALL), Coded(Coding::Br));
        assert_eq!(
            choose(&["gzip, deflate, br, zstd"], &[Coding::Gzip]),
            Coded(Coding::Gzip)
        );
        assert_eq!(choose(&["br;q=0.9, gzip"], ALL), Coded(Coding::Gzip));
        // Identity not listed ranks below any acceptable coding ...
        assert_eq!(choose(&["br;q=0.1"], ALL), Coded(Coding::Br));
        // ... but an explicit weight competes.
        assert_eq!(choose(&["br;q=0.1, identity;q=0.2"], ALL), Identity);
        assert_eq!(choose(&["br;q=0.5, *;q=0.6"], &[Coding::Br]), Identity);
        assert_eq!(
            choose(&["br;q=0.5, identity;q=0.5"], ALL),
            Coded(Coding::Br)
        );
        // Refusals.
        assert_eq!(choose(&["identity;q=0"], ALL), NotAcceptable);
        assert_eq!(choose(&["identity;q=0, gzip"], ALL), Coded(Coding::Gzip));
        assert_eq!(choose(&["*;q=0"], ALL), NotAcceptable);
        assert_eq!(choose(&["*;q=0, identity"], ALL), Identity);
        assert_eq!(choose(&["*;q=0, br;q=0.001"], ALL), Coded(Coding::Br));
        assert_eq!(choose(&["br;q=0, zstd;q=0, gzip;q=0"], ALL), Identity);
        // x-gzip is gzip (§8.4.1.3); tokens are case-insensitive.
        assert_eq!(choose(&["x-gzip"], ALL), Coded(Coding::Gzip));
        assert_eq!(
            choose(&["GZIP;Q=0.5, Identity;q=0.4"], ALL),
            Coded(Coding::Gzip)
        );
        // Several fields are one list; a member listed twice counts at its lowest.
        assert_eq!(
            choose(&["br;q=0.2", "zstd;q=0.3"], ALL),
            Coded(Coding::Zstd)
        );
        assert_eq!(choose(&["br", "br;q=0"], ALL), Identity);
        assert_eq!(choose(&["gzip;q=0", "x-gzip"], ALL), Identity);
        // Empty members are ignored (§5.6.1.2).
        assert_eq!(choose(&[" , ,br ,"], ALL), Coded(Coding::Br));
    }

    #[test]
    fn malformed_members_are_ignored() {
        use Encoding::*;
        for member in [
            "br;q=2",
            "br;q=1.001",
            "br;q=0.1234",
            "br;q=.5",
            "br;q=",
            "br;q=0.5;x=y",
            "br; q =0.5",
            "br;q= 0.5",
            "br;",
            "b r",
            "br;level=1",
            "\"br\"",
            "br;q=0x1",
        ] {
            assert_eq!(choose(&[member], ALL), Identity, "{member}");
            // ... so a malformed refusal refuses nothing.
            let refusal = member.replace("br", "identity");
            assert_eq!(choose(&[&refusal], &[]), Identity, "{refusal}");
        }
        for (q, thousandths) in [
            ("q=1", 1000),
            ("Q=1.", 1000),
            ("q=1.000", 1000),
            ("q=0", 0),
            ("q=0.", 0),
            ("q=0.5", 500),
            ("q=0.05", 50),
            ("q=0.001", 1),
            ("q=0.999", 999),
        ] {
            assert_eq!(weight(q.as_bytes()), Some(thousandths), "{q}");
        }
    }

    #[test]
    fn the_accept_examples_of_section_12_5_1() {
        let audio = ["audio/*; q=0.2, audio/basic"];
        assert_eq!(weights(&audio, "audio", "basic"), 1000);
        assert_eq!(weights(&audio, "audio", "mpeg"), 200);
        assert_eq!(weights(&audio, "video", "mp4"), 0);
        let text = ["text/plain; q=0.5, text/html, text/x-dvi; q=0.8, text/x-c"];
        assert_eq!(weights(&text, "text", "html"), 1000);
        assert_eq!(weights(&text, "text", "plain"), 500);
        assert_eq!(weights(&text, "text", "x-dvi"), 800);
        assert_eq!(weights(&text, "image", "png"), 0);
        let specific = [
            "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed,",
            "text/plain;level=1;q=0.4, */*;q=0.5",
        ];
        assert_eq!(weights(&specific, "text", "plain"), 700);
        assert_eq!(weights(&specific, "text", "html"), 300);
        assert_eq!(weights(&specific, "image", "jpeg"), 500);
    }

    #[test]
    fn accept_rules() {
        let accepts =
            |fields: &[&str], t, s| accepts_media(fields.iter().map(|f| f.as_bytes()), t, s);
        assert!(accepts(&[], "text", "html"));
        assert!(accepts(&[""], "text", "html"));
        assert!(accepts(&["nonsense"], "text", "html"));
        assert!(!accepts(&["image/png"], "text", "html"));
        assert!(!accepts(&["text/html;q=0, text/*, */*"], "text", "html"));
        assert!(accepts(&["text/html;q=0, text/*"], "text", "plain"));
        assert!(!accepts(&["TEXT/*;Q=0, */*"], "text", "html"));
        // A comma inside a quoted-string does not end the member.
        assert_eq!(weights(&["image/png;x=\",text/html,\""], "text", "html"), 0);
        assert!(accepts(
            &["text/html;q=0.1;charset=utf-8, text/html"],
            "text",
            "html"
        ));
        // q anywhere among the parameters is the weight; two are malformed.
        assert_eq!(
            weights(&["text/html;q=0.2;q=0.3, */*;q=0.9"], "text", "html"),
            900
        );
        assert_eq!(weights(&["*/html"], "text", "html"), FULL_WEIGHT);
        assert_eq!(
            weights(&["text/html;charset=\"a\\\"b\""], "text", "html"),
            0
        );
        assert_eq!(
            weights(&["text/html;charset=\"a"], "text", "html"),
            FULL_WEIGHT
        );

        let json = |fields: &[&str]| prefers_json(fields.iter().map(|f| f.as_bytes()));
        assert!(json(&["application/json"]));
        assert!(json(&["application/json, text/html;q=0.9"]));
        assert!(json(&["text/html;q=0", "application/*;q=0.001"]));
        assert!(!json(&[]));
        assert!(!json(&["*/*"]));
        assert!(!json(&["text/html, application/json"]));
        assert!(!json(&[
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ]));
    }

    /// A generated `Accept-Encoding` member: token, weight text, and the
    /// weight a reader of §12.4.2 gives it (`None`: malformed).
    fn member() -> impl Strategy<Value = (&'static str, &'static str, Option<u16>)> {
        let token = proptest::sample::select(vec![
            "br", "BR", "zstd", "gzip", "x-gzip", "identity", "*", "deflate", "compress",
        ]);
        let q = proptest::sample::select(vec![
            ("", Some(1000)),
            (";q=1", Some(1000)),
            (" ; Q=1.0", Some(1000)),
            (";q=0", Some(0)),
            (";q=0.000", Some(0)),
            (";q=0.5", Some(500)),
            ("\t;q=0.500", Some(500)),
            (";q=0.001", Some(1)),
            (";q=0.9", Some(900)),
            (";q=2", None),
            (";q=0.1234", None),
            (";q = 1", None),
            (";x=1", None),
        ]);
        (token, q).prop_map(|(t, (q, w))| (t, q, w))
    }

    /// The rules of `choose_encoding`'s documentation, on the generated
    /// members.
    fn model(members: &[(&str, &str, Option<u16>)], available: &[Coding]) -> Encoding {
        let lowest = |names: &[&str]| {
            members
                .iter()
                .filter(|(t, _, w)| w.is_some() && names.iter().any(|n| t.eq_ignore_ascii_case(n)))
                .map(|(_, _, w)| w.unwrap())
                .min()
        };
        let star = lowest(&["*"]);
        let mut best: Option<(u16, u8, Encoding)> = match lowest(&["identity"]).or(star) {
            Some(0) => None,
            Some(w) => Some((w, 0, Encoding::Identity)),
            None => Some((0, 0, Encoding::Identity)),
        };
        for (names, coding, rank) in [
            (&["gzip", "x-gzip"][..], Coding::Gzip, 1),
            (&["zstd"][..], Coding::Zstd, 2),
            (&["br"][..], Coding::Br, 3),
        ] {
            if !available.contains(&coding) {
                continue;
            }
            match lowest(names).or(star) {
                Some(w) if w > 0 && best.is_none_or(|(bw, br, _)| (w, rank) > (bw, br)) => {
                    best = Some((w, rank, Encoding::Coded(coding)));
                }
                _ => {}
            }
        }
        best.map_or(Encoding::NotAcceptable, |(_, _, e)| e)
    }

    fn join(members: &[(&str, &str, Option<u16>)]) -> String {
        members
            .iter()
            .map(|(t, q, _)| format!("{t}{q}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `Accept` members and what they say: type, subtype, parameters, weight.
    const MEDIA_RANGES: [&str; 10] = [
        "*/*",
        "*/*;q=0",
        "text/*",
        "text/*;q=0.5",
        "text/html;q=0.3",
        "Text/HTML",
        "application/json",
        "application/*;q=0",
        "text/html;level=1",
        "image/png",
    ];
    const MEDIA_RANGE_MEANINGS: [(&str, &str, &str, u16); 10] = [
        ("*", "*", "", 1000),
        ("*", "*", "", 0),
        ("text", "*", "", 1000),
        ("text", "*", "", 500),
        ("text", "html", "", 300),
        ("text", "html", "", 1000),
        ("application", "json", "", 1000),
        ("application", "*", "", 0),
        ("text", "html", "level=1", 1000),
        ("image", "png", "", 1000),
    ];

    fn available() -> impl Strategy<Value = Vec<Coding>> {
        proptest::sample::subsequence(Coding::ALL.to_vec(), 0..=3)
    }

    proptest! {
        /// The choice follows the documented rules; a coding chosen is
        /// available and acceptable; the order of members and how they are
        /// split over several fields do not matter.
        #[test]
        fn chosen_encoding_follows_the_rules(
            members in proptest::collection::vec(member(), 0..6),
            available in available(),
            shuffle in any::<proptest::sample::Index>(),
            cut in any::<proptest::sample::Index>(),
        ) {
            let field = join(&members);
            let got = choose(&[&field], &available);
            prop_assert_eq!(got, model(&members, &available), "{}", field);
            if let Encoding::Coded(c) = got {
                prop_assert!(available.contains(&c));
            }
            let mut rotated = members.clone();
            if !rotated.is_empty() {
                let by = shuffle.index(rotated.len());
                rotated.rotate_left(by);
                rotated.reverse();
            }
            prop_assert_eq!(choose(&[&join(&rotated)], &available), got);
            let at = cut.index(members.len() + 1);
            let (a, b) = (join(&members[..at]), join(&members[at..]));
            prop_assert_eq!(choose(&[&a, &b], &available), got);
        }

        /// Refusing identity and everything not listed never yields
        /// identity, and yields a coding only when one is listed acceptable.
        #[test]
        fn refusing_identity_is_honoured(
            members in proptest::collection::vec(member(), 0..6),
            available in available(),
        ) {
            let field = format!("{}, identity;q=0,*;q=0", join(&members));
            let got = choose(&[&field], &available);
            prop_assert_ne!(got, Encoding::Identity);
            if let Encoding::Coded(c) = got {
                let listed = members.iter().any(|(t, _, w)| {
                    w.is_some_and(|w| w > 0)
                        && (t.eq_ignore_ascii_case(c.token())
                            || (c == Coding::Gzip && *t == "x-gzip"))
                });
                prop_assert!(listed, "{}", field);
            }
        }

        /// Accept: the most specific range decides (the lowest weight
        /// among equally specific ones), a range with parameters never
        /// applies, none matching is 0; a member for exactly the type with
        /// `q=0` refuses it whatever else is listed; order and field split
        /// do not matter.
        #[test]
        fn the_most_specific_media_range_decides(
            members in proptest::collection::vec(0..MEDIA_RANGES.len(), 0..5),
            cut in any::<proptest::sample::Index>(),
        ) {
            let ranges: Vec<_> = members.iter().map(|&i| MEDIA_RANGE_MEANINGS[i]).collect();
            let members: Vec<_> = members.iter().map(|&i| MEDIA_RANGES[i]).collect();
            let at = cut.index(members.len() + 1);
            let (a, b) = (members[..at].join(","), members[at..].join(","));
            let whole = members.join(",");
            let reversed = members.iter().rev().copied().collect::<Vec<_>>().join(",");
            for (t, s) in [("text", "html"), ("application", "json"), ("image", "gif")] {
                let w = weights(&[&whole], t, s);
                let expected = [(t, s), (t, "*"), ("*", "*")]
                    .iter()
                    .find_map(|&(mt, ms)| {
                        ranges
                            .iter()
                            .filter(|r| r.0 == mt && r.1 == ms && r.2.is_empty())
                            .map(|r| r.3)
                            .min()
                    })
                    .unwrap_or(if ranges.is_empty() { FULL_WEIGHT } else { 0 });
                prop_assert_eq!(w, expected, "{} for {}/{}", whole, t, s);
                prop_assert_eq!(weights(&[&a, &b], t, s), w);
                prop_assert_eq!(weights(&[&reversed], t, s), w);
                let refused = format!("{whole},{t}/{s};q=0");
                prop_assert_eq!(weights(&[&refused], t, s), 0);
            }
            let json = prefers_json([whole.as_bytes()]);
            let (json_weight, html_weight) =
                (weights(&[&whole], "application", "json"), weights(&[&whole], "text", "html"));
            prop_assert_eq!(json, json_weight > html_weight);
        }
    }
}

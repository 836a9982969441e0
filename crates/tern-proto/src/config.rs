//! Limits and leniencies of the request parser. Strict and bounded by default.

/// Parser configuration: limits, and the leniencies that relax RFC 9112.
///
/// Every leniency is off by default. When one is on and fires, the parser
/// records it (see [`crate::Request::leniencies`]) so a proxy can normalise or
/// refuse the message.
///
/// Built by value, in one expression (a `const` too):
///
/// ```
/// use tern_proto::Config;
///
/// const BEHIND_A_PROXY: Config = Config::new().max_head_len(16 * 1024).allow_bare_lf(true);
/// let upload = Config::default().max_body_len(Some(1 << 30));
/// # let _ = (BEHIND_A_PROXY, upload);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub(crate) max_head_len: usize,
    pub(crate) max_fields: usize,
    pub(crate) max_target_len: usize,
    pub(crate) max_chunk_ext_len: usize,
    pub(crate) max_trailer_len: usize,
    pub(crate) max_body_len: Option<u64>,
    pub(crate) allow_bare_lf: bool,
    pub(crate) allow_obs_fold: bool,
    pub(crate) allow_bare_cr_in_value: bool,
    pub(crate) allow_nul_in_value: bool,
    pub(crate) scalar_only: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    /// The strict defaults, as a constant expression.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_head_len: 64 * 1024,
            max_fields: 100,
            max_target_len: 8 * 1024,
            max_chunk_ext_len: 1024,
            max_trailer_len: 8 * 1024,
            max_body_len: None,
            allow_bare_lf: false,
            allow_obs_fold: false,
            allow_bare_cr_in_value: false,
            allow_nul_in_value: false,
            scalar_only: false,
        }
    }

    /// The largest request head, from the first byte of the request line to the
    /// empty line, inclusive (default 64 KiB; over it → 431; 0 is taken as 1).
    /// Leading empty lines are bounded by the same number. Your read buffer
    /// must be able to hold this much unconsumed input, or a long head waits
    /// for bytes that cannot arrive instead of failing with 431: with the
    /// pool's default 16 KiB buffers
    /// ([`DEFAULT_BUFFER_SIZE`](crate::pool::DEFAULT_BUFFER_SIZE)), set this
    /// below the buffer size.
    #[must_use]
    pub const fn max_head_len(mut self, bytes: usize) -> Self {
        self.max_head_len = if bytes == 0 { 1 } else { bytes };
        self
    }

    /// The most field lines in a head or a trailer section (default 100; over
    /// → 431). An HTTP/1.1 request needs at least its `Host` line.
    #[must_use]
    pub const fn max_fields(mut self, count: usize) -> Self {
        self.max_fields = count;
        self
    }

    /// The longest request-target (default 8 KiB; over → 414; 0 is taken as 1).
    #[must_use]
    pub const fn max_target_len(mut self, bytes: usize) -> Self {
        self.max_target_len = if bytes == 0 { 1 } else { bytes };
        self
    }

    /// The longest extension part of one chunk-size line (default 1 KiB).
    #[must_use]
    pub const fn max_chunk_ext_len(mut self, bytes: usize) -> Self {
        self.max_chunk_ext_len = bytes;
        self
    }

    /// The largest trailer section, its final CRLF included (default 8 KiB;
    /// over → 431; less than 2 is taken as 2, the empty section).
    #[must_use]
    pub const fn max_trailer_len(mut self, bytes: usize) -> Self {
        self.max_trailer_len = if bytes < 2 { 2 } else { bytes };
        self
    }

    /// The largest request body, declared or decoded (default: no limit; over → 413).
    #[must_use]
    pub const fn max_body_len(mut self, bytes: Option<u64>) -> Self {
        self.max_body_len = bytes;
        self
    }

    /// Accept a line terminated by LF alone.
    ///
    /// # Background
    ///
    /// RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator
    /// and ignore any preceding CR". Off by default because a front end and a back
    /// end that disagree on line ends disagree on where a message ends.
    #[must_use]
    pub const fn allow_bare_lf(mut self, allow: bool) -> Self {
        self.allow_bare_lf = allow;
        self
    }

    /// Accept obsolete line folding in field values; the folded value then
    /// contains the CRLF and the whitespace, at the offsets recorded.
    ///
    /// # Background
    ///
    /// RFC 9112 §5.2: a server that receives obs-fold "MUST either reject the
    /// message by sending a 400 (Bad Request) ... or replace each received
    /// obs-fold with one or more SP octets". Replacing is the caller's job: the
    /// parser never writes to the buffer ([`crate::Request::leniencies`] says where).
    #[must_use]
    pub const fn allow_obs_fold(mut self, allow: bool) -> Self {
        self.allow_obs_fold = allow;
        self
    }

    /// Accept a CR that is not followed by LF inside a field value.
    ///
    /// # Background
    ///
    /// RFC 9112 §2.2: "A recipient of such a bare CR MUST consider that element to
    /// be invalid or replace each bare CR with SP before processing the element".
    /// With this option the caller replaces it, at the offset recorded.
    #[must_use]
    pub const fn allow_bare_cr_in_value(mut self, allow: bool) -> Self {
        self.allow_bare_cr_in_value = allow;
        self
    }

    /// Accept NUL inside a field value.
    ///
    /// # Background
    ///
    /// RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are
    /// invalid and dangerous ... a recipient ... MUST either reject the message or
    /// replace each of those characters with SP". With this option the caller
    /// replaces it, at the offset recorded.
    #[must_use]
    pub const fn allow_nul_in_value(mut self, allow: bool) -> Self {
        self.allow_nul_in_value = allow;
        self
    }

    /// Scans with the scalar reference code only, never vector instructions.
    /// For the differential tests and fuzz targets that hold the SIMD path to
    /// the scalar one; results are identical either way, only speed differs.
    #[doc(hidden)]
    #[must_use]
    pub const fn scalar_only(mut self, on: bool) -> Self {
        self.scalar_only = on;
        self
    }
}

/// A leniency that fired: which one, and the offset of the byte concerned,
/// counted from the start of the message's head (or trailer section).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Leniency {
    /// Which rule was relaxed.
    pub kind: LeniencyKind,
    /// Offset of the offending byte.
    pub offset: usize,
}

impl Leniency {
    /// Notes that `kind` fired at `offset`.
    pub(crate) fn record(
        leniencies: &mut alloc::vec::Vec<Self>,
        kind: LeniencyKind,
        offset: usize,
    ) {
        leniencies.push(Self { kind, offset });
    }
}

/// The rules [`Config`] can relax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LeniencyKind {
    /// A line ended in LF alone ([`Config::allow_bare_lf`]); offset of the LF.
    BareLf,
    /// Obsolete line folding ([`Config::allow_obs_fold`]); offset of the CR (or LF) of the fold.
    ObsFold,
    /// A bare CR in a field value ([`Config::allow_bare_cr_in_value`]).
    BareCrInValue,
    /// NUL in a field value ([`Config::allow_nul_in_value`]).
    NulInValue,
}

//! Property checks shared by the fuzz targets and the corpus replay test.
//!
//! Every target is a module with `pub fn check(data: &[u8])` that panics when a
//! property is violated. This file and its submodules must compile in two
//! places: the `tern-fuzz` crate (`fuzz/src/lib.rs`) and the integration test
//! `crates/tern-proto/tests/api/corpus_replay.rs` (through a `#[path]` attribute),
//! so they use nothing but `std`, `tern_proto`, `httparse` and `httpdate` (all
//! dev-dependencies of tern-proto) and never name `crate::` paths outside this
//! module tree.
//!
//! Structured inputs are decoded by [`Source`], a deterministic byte reader in
//! the spirit of `arbitrary::Unstructured`: the replay test must decode a corpus
//! file exactly as the fuzz target did, without depending on `arbitrary`.

pub mod compose_roundtrip;
pub mod date_format;
pub mod differential_httparse;
pub mod drive_connection;
pub mod parse_chunked;
pub mod parse_request;
pub mod pool_ops;
pub mod simd_scalar;
pub mod split_equivalence;

mod grammar;
pub mod known;

use tern_proto::Config;

/// A target's check: panics when a property does not hold for the input.
pub type Check = fn(&[u8]);

/// Field lines as owned `(name, value)` pairs.
pub type OwnedFields = Vec<(Vec<u8>, Vec<u8>)>;

/// Every target: its name (the directory under `fuzz/corpus/` and
/// `fuzz/regressions/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("parse_request", parse_request::check),
    ("split_equivalence", split_equivalence::check),
    ("parse_chunked", parse_chunked::check),
    ("differential_httparse", differential_httparse::check),
    ("compose_roundtrip", compose_roundtrip::check),
    ("pool_ops", pool_ops::check),
    ("date_format", date_format::check),
    ("drive_connection", drive_connection::check),
    ("simd_scalar", simd_scalar::check),
];

/// The targets of tern-server's HTTP semantics (`fuzz/src/semantics`), whose
/// corpora tern-server's `semantics_corpus` test replays: listed here so that
/// tern-proto's replay test, which cannot build them, knows their directories.
pub const SEMANTICS_TARGETS: &[&str] = &[
    "resolve_range",
    "evaluate_conditions",
    "normalize_target",
    "negotiate_content",
];

/// A deterministic reader of structured values from fuzz bytes. When the bytes
/// run out every read returns zero (or an empty slice), so any input decodes.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    data: &'a [u8],
}

impl<'a> Source<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&first, rest)) => {
                self.data = rest;
                first
            }
            None => 0,
        }
    }

    /// The next `N` bytes as a little-endian number (missing bytes are zero).
    fn le<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        out
    }

    /// A `u16` from two bytes.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.le())
    }

    /// A `u32` from four bytes.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.le())
    }

    /// A `u64` from eight bytes.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.le())
    }

    /// A boolean from one byte.
    pub fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// A number in `0..n` (0 if `n` is 0) from one byte, or two when `n > 256`.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let raw = if n > 256 {
            usize::from(self.u16())
        } else {
            usize::from(self.byte())
        };
        raw % n
    }

    /// Up to `len` bytes (fewer if the input runs out).
    pub fn bytes(&mut self, len: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(len.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub fn string(&mut self, max: usize) -> &'a [u8] {
        let len = self.below(max + 1);
        self.bytes(len)
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// The parser configurations the targets cycle through: the strict default,
/// every leniency on, tight limits, and both.
pub fn config(index: u8) -> Config {
    let mut config = Config::default();
    if index & 1 != 0 {
        config = config
            .allow_bare_lf(true)
            .allow_obs_fold(true)
            .allow_bare_cr_in_value(true)
            .allow_nul_in_value(true);
    }
    if index & 2 != 0 {
        config = config
            .max_head_len(256)
            .max_fields(4)
            .max_target_len(32)
            .max_chunk_ext_len(8)
            .max_trailer_len(40)
            .max_body_len(Some(64));
    }
    config
}

/// Whether [`config`]`(index)` turns leniencies on.
pub fn is_lenient(index: u8) -> bool {
    index & 1 != 0
}

/// The limits of [`config`]`(index)`, which `Config` does not expose.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_head_len: usize,
    pub max_fields: usize,
    pub max_target_len: usize,
    pub max_chunk_ext_len: usize,
    pub max_trailer_len: usize,
    pub max_body_len: Option<u64>,
}

/// The limits [`config`]`(index)` sets.
pub fn limits(index: u8) -> Limits {
    if index & 2 != 0 {
        Limits {
            max_head_len: 256,
            max_fields: 4,
            max_target_len: 32,
            max_chunk_ext_len: 8,
            max_trailer_len: 40,
            max_body_len: Some(64),
        }
    } else {
        Limits {
            max_head_len: 64 * 1024,
            max_fields: 100,
            max_target_len: 8 * 1024,
            max_chunk_ext_len: 1024,
            max_trailer_len: 8 * 1024,
            max_body_len: None,
        }
    }
}

/// How an input is cut into the pieces a socket would deliver, decoded from a
/// two-byte header (see the README): `[selector, parameter, deltas...]`.
///
/// - `selector & 3`: 0 byte by byte, 1 every `parameter + 1` bytes, 2 at the
///   running sums of `parameter % 33` delta bytes that follow, 3 one cut at
///   `parameter / 256` of the length;
/// - `(selector >> 2) & 3`: the [`config`] index.
#[derive(Clone, Debug)]
pub struct CutPlan<'a> {
    mode: u8,
    parameter: u8,
    deltas: &'a [u8],
    /// Index for [`config`].
    pub config: u8,
}

impl<'a> CutPlan<'a> {
    /// Reads the header from `source`.
    pub fn read(source: &mut Source<'a>) -> Self {
        let selector = source.byte();
        let parameter = source.byte();
        let mode = selector & 3;
        let deltas = if mode == 2 {
            source.bytes(usize::from(parameter % 33))
        } else {
            &[]
        };
        Self {
            mode,
            parameter,
            deltas,
            config: (selector >> 2) & 3,
        }
    }

    /// Ascending cut points for an input of `len` bytes, each in `1..len`.
    pub fn cuts(&self, len: usize) -> Vec<usize> {
        let mut cuts: Vec<usize> = match self.mode {
            0 => (1..len).collect(),
            1 => {
                let stride = usize::from(self.parameter) + 1;
                (1..).map(|i| i * stride).take_while(|&c| c < len).collect()
            }
            2 => self
                .deltas
                .iter()
                .scan(0usize, |pos, &delta| {
                    *pos += usize::from(delta);
                    Some(*pos)
                })
                .collect(),
            _ => vec![len * usize::from(self.parameter) / 256],
        };
        cuts.retain(|&c| c > 0 && c < len);
        cuts
    }
}

/// Whether `inner` lies inside `outer` (same allocation, in bounds).
pub fn within(inner: &[u8], outer: &[u8]) -> bool {
    let start = inner.as_ptr() as usize;
    let outer_start = outer.as_ptr() as usize;
    start >= outer_start && start + inner.len() <= outer_start + outer.len()
}

/// The bytes of `data` rendered for a panic message.
pub fn show(data: &[u8]) -> String {
    data.escape_ascii().to_string()
}

//! Property checks of tern-server's HTTP semantics (`tern_server::semantics`),
//! shared by the fuzz targets and the corpus replay test.
//!
//! Like `checks/`, every target is a module with `pub fn check(data: &[u8])`
//! that panics when a property fails. This tree compiles in two places: the
//! `tern-fuzz` crate (`fuzz/src/lib.rs`) and tern-server's integration test
//! `crates/tern-server/tests/semantics_corpus.rs` (through a `#[path]`
//! attribute), so it uses nothing but `std`, `tern_server` and `httpdate`
//! (dependencies of tern-server) and names no `crate::` path outside itself.

pub mod evaluate_conditions;
pub mod negotiate_content;
pub mod normalize_target;
pub mod resolve_range;

/// A target's check: panics when a property does not hold for the input.
pub type Check = fn(&[u8]);

/// Every target: its name (the directory under `fuzz/corpus/` and
/// `fuzz/regressions/`) and its check. The names are also listed in
/// `checks::SEMANTICS_TARGETS`, which tern-proto's replay test reads to know
/// these directories belong to a target.
pub const TARGETS: &[(&str, Check)] = &[
    ("resolve_range", resolve_range::check),
    ("evaluate_conditions", evaluate_conditions::check),
    ("normalize_target", normalize_target::check),
    ("negotiate_content", negotiate_content::check),
];

/// The lines of `data` split at `\n` (a field value never holds one).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
}

/// Trims `OWS = *( SP / HTAB )` from both ends.
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

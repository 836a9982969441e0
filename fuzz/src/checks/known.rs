//! Known tern-proto bugs, reported and waiting for a fix.
//!
//! Under libFuzzer (`cfg(fuzzing)`) the checks step over these so that a long
//! campaign or the CI run keeps looking for new bugs instead of finding the
//! same one again. The corpus replay test is built without `cfg(fuzzing)`: there
//! the reproducers under `fuzz/regressions/<target>/pending/` still fail, and
//! the test insists they do. Once a bug is fixed, its reproducer fails to fail:
//! move it up to `fuzz/regressions/<target>/` and delete its entry here.

/// Whether known bugs are stepped over (only under the fuzzer). A predicate
/// for a known bug looks like this (the first one, CONNECT with an IP literal
/// and no port, was fixed in cf207d2 and its reproducer is now an ordinary
/// regression):
///
/// ```ignore
/// pub fn connect_ip_literal_without_port(method: &[u8], target: &[u8]) -> bool {
///     tolerated() && method == b"CONNECT" && target.starts_with(b"[") && target.ends_with(b"]")
/// }
/// ```
///
/// and the check consults it next to the property it excuses.
pub fn tolerated() -> bool {
    cfg!(fuzzing)
}

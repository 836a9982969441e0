//! Known tern-proto bugs, reported and waiting for a fix.
//!
//! Under libFuzzer (`cfg(fuzzing)`) the checks step over these so that a long
//! campaign or the CI run keeps looking for new bugs instead of finding the
//! same one again. The corpus replay test is built without `cfg(fuzzing)`: there
//! the reproducers under `fuzz/regressions/<target>/pending/` still fail, and
//! the test insists they do. Once a bug is fixed, its reproducer fails to fail:
//! move it up to `fuzz/regressions/<target>/` and delete its entry here.

/// Whether known bugs are stepped over (only under the fuzzer).
fn tolerated() -> bool {
    cfg!(fuzzing)
}

/// `CONNECT [v6] HTTP/1.1`: an IP-literal with no port is accepted as
/// authority-form, which requires `uri-host ":" port` (RFC 9112 §3.2.3). The
/// port check looks for the last colon, which is inside the brackets.
/// Reproducer: `regressions/parse_request/pending/connect-ip-literal-without-port`.
pub fn connect_ip_literal_without_port(method: &[u8], target: &[u8]) -> bool {
    tolerated() && method == b"CONNECT" && target.starts_with(b"[") && target.ends_with(b"]")
}

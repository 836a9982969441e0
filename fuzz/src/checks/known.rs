//! Known tern-proto bugs, reported and waiting for a fix.
//!
//! Under libFuzzer (`cfg(fuzzing)`) the checks step over these so that a long
//! campaign or the CI run keeps looking for new bugs instead of finding the
//! same one again. The corpus replay test is built without `cfg(fuzzing)`: there
//! the reproducers under `fuzz/regressions/<target>/pending/` still fail, and
//! the test insists they do. Once a bug is fixed, its reproducer fails to fail:
//! move it up to `fuzz/regressions/<target>/` and delete its entry here.

/// Whether known bugs are stepped over (only under the fuzzer). The first
/// known bug, `CONNECT [::1]` accepted without a port, was fixed in cf207d2;
/// its reproducer is an ordinary regression now.
fn tolerated() -> bool {
    cfg!(fuzzing)
}

/// With `allow_bare_cr_in_value`, a bare CR inside a `Connection` or `Expect`
/// value compares equal to "-": `tables::eq_lowercase` sets bit 0x20 of each
/// byte before comparing, and CR | 0x20 is "-", so `Expect: 100<CR>continue`
/// counts as `100-continue` (no 417) and `Connection: keep<CR>alive` as
/// `keep-alive`. Its doc assumes validated input holds no control byte, which
/// the leniency breaks. Reproducers:
/// `regressions/parse_request/pending/{expect,connection}-bare-cr-compared-as-hyphen`.
pub fn bare_cr_compared_as_hyphen(values: &[&[u8]]) -> bool {
    tolerated() && values.iter().any(|v| v.contains(&b'\r'))
}

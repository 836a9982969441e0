//! Known tern-proto bugs, reported and waiting for a fix.
//!
//! Under libFuzzer (`cfg(fuzzing)`) the checks step over these so that a long
//! campaign or the CI run keeps looking for new bugs instead of finding the
//! same one again. The corpus replay test is built without `cfg(fuzzing)`: there
//! the reproducers under `fuzz/regressions/<target>/pending/` still fail, and
//! the test insists they do. Once a bug is fixed, its reproducer fails to fail:
//! move it up to `fuzz/regressions/<target>/` and delete its entry here.

// No bug is open. Fixed so far, their reproducers now ordinary regressions:
// `CONNECT [::1]` accepted without a port (fixed in cf207d2); with
// `allow_bare_cr_in_value`, a bare CR in a Connection or Expect token compared
// equal to "-" in `tables::eq_lowercase`. The next known bug gets a function here
// that returns `cfg!(fuzzing) && <the bug's condition>`, called where the check
// would fail.

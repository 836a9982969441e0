//! TODO

/// Runs the check.
pub fn check(data: &[u8]) {
    let _ = data;
}

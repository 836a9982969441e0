//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

pub mod vectors;

/// Applies `edits` to `bytes` in order, each `(at, byte, op)`: at `at` taken
/// modulo the length plus one, op 0 replaces the byte there with `byte`, op 1
/// inserts `byte`, any other op removes the byte there (replacing and
/// removing past the end do nothing). The mutations of the property tests.
pub fn mutate(bytes: &mut Vec<u8>, edits: &[(usize, u8, u8)]) {
    for &(at, byte, op) in edits {
        let at = at % (bytes.len() + 1);
        match op {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
}

//! Vector instructions for the parser's byte-class scans: the one module of
//! the crate allowed `unsafe` (intrinsics and unaligned loads).
//!
//! The fast paths of the parser (`parse::whole_request_line`,
//! `parse::whole_field_lines`) are written once, generic over their scans; here it is instantiated with AVX2 scans inside a
//! function compiled for AVX2, when the CPU has it. With `std`, the CPU is
//! asked at run time (the standard library caches the answer); without it,
//! only a build for a target with AVX2 uses it. Elsewhere, and with
//! `--cfg tern_disable_simd`, the scalar reference runs. Both give identical
//! results; the differential tests and the `simd_scalar` fuzz target hold
//! them to it. The framing decision's Host check scans a value's reg-name
//! bytes here too (`skip_reg_name`).
#![allow(unsafe_code)]

use alloc::vec::Vec;

use crate::config::Config;
use crate::parse::{self, FieldSpan, LineLeft, RequestLine, Scalar};
use crate::tables::{self, REG_NAME};

#[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
mod avx2;

/// `parse::whole_field_lines` with the fastest scans this CPU has.
#[inline]
pub(crate) fn whole_field_lines(
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> (usize, LineLeft) {
    #[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
    if let Some(token) = avx2::Avx2::detect() {
        return avx2::whole_field_lines(token, window, start, max_fields, fields);
    }
    parse::whole_field_lines(Scalar, window, start, max_fields, fields)
}

/// `tables::skip_class(bytes, from, REG_NAME)` with the fastest scans this
/// CPU has, unless `scalar_only`.
#[inline]
pub(crate) fn skip_reg_name(bytes: &[u8], from: usize, scalar_only: bool) -> usize {
    #[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
    if !scalar_only && let Some(token) = avx2::Avx2::detect() {
        return avx2::skip_reg_name(token, bytes, from);
    }
    let _ = scalar_only;
    tables::skip_class(bytes, from, REG_NAME)
}

/// `parse::whole_head_lines` with the fastest scans this CPU has.
#[inline]
pub(crate) fn whole_head_lines(
    window: &[u8],
    start: usize,
    config: &Config,
    fields: &mut Vec<FieldSpan>,
) -> Option<(RequestLine, usize)> {
    #[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
    if let Some(token) = avx2::Avx2::detect() {
        return avx2::whole_head_lines(token, window, start, config, fields);
    }
    parse::whole_head_lines(Scalar, window, start, config, fields)
}

/// `parse::whole_request_line` with the fastest scans this CPU has.
#[inline]
pub(crate) fn whole_request_line(
    window: &[u8],
    start: usize,
    config: &Config,
) -> Option<(RequestLine, usize)> {
    #[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
    if let Some(token) = avx2::Avx2::detect() {
        return avx2::whole_request_line(token, window, start, config);
    }
    parse::whole_request_line(Scalar, window, start, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fast paths only ever decline to the byte-wise scanner, which gives
    // the same result, so a dispatch that declined everything would pass every
    // behaviour test: these check that the dispatch takes what the scalar
    // fast paths take, with the same offsets.
    const HEAD: &[u8] = b"GET /a/path/long/enough/to/fill/more/than/one/block HTTP/1.1\r\n\
        Host: example.com\r\nX-Long-Name-Longer-Than-Thirty-Two-Bytes: a value past one block\r\n\r\n";

    #[test]
    fn dispatch_takes_a_valid_request_line_like_the_scalar_path() {
        let config = Config::default();
        let simd = whole_request_line(HEAD, 0, &config);
        assert!(simd.is_some());
        assert_eq!(simd, parse::whole_request_line(Scalar, HEAD, 0, &config));
    }

    #[test]
    fn dispatch_takes_a_whole_head_like_the_scalar_path() {
        let config = Config::default();
        let (mut simd, mut scalar) = (Vec::new(), Vec::new());
        let taken = whole_head_lines(HEAD, 0, &config, &mut simd);
        assert_eq!(taken.map(|(_, end)| end), Some(HEAD.len() - 2));
        assert_eq!(simd.len(), 2);
        assert_eq!(
            (taken, simd),
            (
                parse::whole_head_lines(Scalar, HEAD, 0, &config, &mut scalar),
                scalar
            )
        );
    }

    #[test]
    fn dispatch_takes_complete_field_lines_like_the_scalar_path() {
        let start = memchr::memchr(b'\n', HEAD).unwrap() + 1;
        let (mut simd, mut scalar) = (Vec::new(), Vec::new());
        let end = whole_field_lines(HEAD, start, 100, &mut simd);
        assert_eq!(end, (HEAD.len() - 2, LineLeft::Unread));
        assert_eq!(simd.len(), 2);
        assert_eq!(
            (end, simd),
            (
                parse::whole_field_lines(Scalar, HEAD, start, 100, &mut scalar),
                scalar
            )
        );
    }
}

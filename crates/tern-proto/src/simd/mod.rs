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
//! them to it.
#![allow(unsafe_code)]

use alloc::vec::Vec;

use crate::config::Config;
use crate::parse::{self, FieldSpan, RequestLine, Scalar};

#[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
mod avx2;

/// `parse::whole_field_lines` with the fastest scans this CPU has.
#[inline]
pub(crate) fn whole_field_lines(
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> usize {
    #[cfg(all(target_arch = "x86_64", not(tern_disable_simd)))]
    if let Some(token) = avx2::Avx2::detect() {
        return avx2::whole_field_lines(token, window, start, max_fields, fields);
    }
    parse::whole_field_lines(Scalar, window, start, max_fields, fields)
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

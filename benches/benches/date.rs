//! The date cache side by side with formatting the date per call, in one run.
//!
//! Group `date/per_response` (what a response costs for its `Date` value):
//!
//! - `tern_cache`: copy the IMF-fixdate out of a per-thread [`DateCache`] into
//!   the response buffer;
//! - `tern_shared`: the same from a [`SharedDateCache`] (lock-free read of the
//!   atomic words);
//! - `tern_clock_update_read`: read the system clock, [`DateCache::update`]
//!   (same second: a compare), copy: the cost if a server refreshed the cache on
//!   every response instead of once per loop wake-up;
//! - `httpdate_now`: `httpdate::fmt_http_date(SystemTime::now())`, a `String`
//!   per call, as a naive server does (the peer named in the issue).
//!
//! Group `date/render` (formatting cost alone, no clock, no cache):
//!
//! - `tern`: [`render_imf_fixdate`] of a fixed second;
//! - `httpdate`: `httpdate::fmt_http_date` of the same fixed second.
//!
//! Every variant produces the same bytes for the same second (checked before
//! measuring). Run: `cargo bench -p tern-benches --bench date -- --quick`.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use tern_proto::date::{DateCache, IMF_FIXDATE_LEN, SharedDateCache, render_imf_fixdate};

/// RFC 9110's example instant.
const SECOND: u64 = 784_111_777;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn check_agreement() {
    let peer = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(SECOND));
    assert_eq!(&render_imf_fixdate(SECOND)[..], peer.as_bytes());
    assert_eq!(&DateCache::new(SECOND).imf_fixdate()[..], peer.as_bytes());
    assert_eq!(
        &SharedDateCache::new(SECOND).imf_fixdate()[..],
        peer.as_bytes()
    );
}

fn per_response(c: &mut Criterion) {
    check_agreement();
    let mut group = c.benchmark_group("date/per_response");
    // The response buffer the date is copied into, as the composer does.
    let mut out = [0_u8; 64];

    let cache = DateCache::new(unix_now());
    group.bench_function("tern_cache", |b| {
        b.iter(|| {
            out[..IMF_FIXDATE_LEN].copy_from_slice(black_box(&cache).imf_fixdate());
            black_box(&out);
        });
    });

    let shared = SharedDateCache::new(unix_now());
    group.bench_function("tern_shared", |b| {
        b.iter(|| {
            out[..IMF_FIXDATE_LEN].copy_from_slice(&black_box(&shared).imf_fixdate());
            black_box(&out);
        });
    });

    let mut cache = DateCache::new(unix_now());
    group.bench_function("tern_clock_update_read", |b| {
        b.iter(|| {
            cache.update(unix_now());
            out[..IMF_FIXDATE_LEN].copy_from_slice(cache.imf_fixdate());
            black_box(&out);
        });
    });

    group.bench_function("httpdate_now", |b| {
        b.iter(|| {
            let date = httpdate::fmt_http_date(SystemTime::now());
            out[..IMF_FIXDATE_LEN].copy_from_slice(date.as_bytes());
            black_box(&out);
        });
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("date/render");
    group.bench_function("tern", |b| {
        b.iter(|| render_imf_fixdate(black_box(SECOND)));
    });
    let instant = UNIX_EPOCH + Duration::from_secs(SECOND);
    group.bench_function("httpdate", |b| {
        b.iter(|| httpdate::fmt_http_date(black_box(instant)));
    });
    group.finish();
}

criterion_group!(benches, per_response, render);
criterion_main!(benches);

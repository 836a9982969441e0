//! `date_format`: seconds decoded from the input, rendered by
//! `tern_proto::date` and compared with `httpdate`, then a sequence of updates
//! and reads on both caches.
//!
//! - Any second up to `MAX_UNIX_SECONDS` renders exactly as
//!   `httpdate::fmt_http_date`, parses back to the same second, and its
//!   Common Log Format timestamp holds the same day, month, year and time;
//!   later seconds render as `MAX_UNIX_SECONDS` (clamped, never a panic).
//! - `DateCache` and `SharedDateCache`, driven by the same updates (jumps
//!   forward and back, the same second again, far future), report a change
//!   exactly when the clamped second differs from the one held, and every
//!   read afterwards returns the rendering of the second last set: never a
//!   stale one, never a mix of two.

use std::time::{Duration, UNIX_EPOCH};

use tern_proto::date::{
    self, DateCache, MAX_UNIX_SECONDS, RenderedDate, SharedDateCache, render_clf_timestamp,
    render_imf_fixdate,
};

use super::{Source, show};

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let start = second(&mut source);
    check_rendering(start);

    let mut local = DateCache::new(start);
    let shared = SharedDateCache::new(start);
    let mut held = start.min(MAX_UNIX_SECONDS);
    assert_eq!(local.unix_seconds(), held);
    assert_reads(&local, &shared, held);

    let mut steps = 0;
    while !source.is_empty() && steps < 64 {
        steps += 1;
        let next = match source.byte() % 5 {
            0 => second(&mut source),
            1 => held.saturating_add(u64::from(source.byte())),
            2 => held.saturating_sub(u64::from(source.byte())),
            3 => held,
            _ => u64::MAX - u64::from(source.byte()),
        };
        let clamped = next.min(MAX_UNIX_SECONDS);
        let changed = clamped != held;
        assert_eq!(local.update(next), changed, "DateCache::update({next})");
        assert_eq!(
            shared.update(next),
            changed,
            "SharedDateCache::update({next})"
        );
        held = clamped;
        assert_eq!(local.unix_seconds(), held);
        assert_reads(&local, &shared, held);
        if changed && steps % 8 == 0 {
            check_rendering(next);
        }
    }
}

/// A second: usually within the renderable range, sometimes anything.
fn second(source: &mut Source<'_>) -> u64 {
    let raw = source.u64();
    if raw >> 62 == 3 {
        raw
    } else {
        raw % (MAX_UNIX_SECONDS + 2)
    }
}

/// One second, rendered without a cache, against httpdate.
fn check_rendering(seconds: u64) {
    let clamped = seconds.min(MAX_UNIX_SECONDS);
    let imf = render_imf_fixdate(seconds);
    assert_eq!(imf, render_imf_fixdate(clamped), "clamping");
    let time = UNIX_EPOCH + Duration::from_secs(clamped);
    let expected = httpdate::fmt_http_date(time);
    assert_eq!(
        show(&imf),
        expected,
        "IMF-fixdate of {seconds} differs from httpdate"
    );
    let text = std::str::from_utf8(&imf).expect("ASCII");
    assert_eq!(
        httpdate::parse_http_date(text).ok(),
        Some(time),
        "parse back"
    );

    // "Sun, 06 Nov 1994 08:49:37 GMT" -> "06/Nov/1994:08:49:37 +0000"
    let clf = render_clf_timestamp(seconds);
    let expected_clf = [
        &imf[5..7],
        b"/",
        &imf[8..11],
        b"/",
        &imf[12..16],
        b":",
        &imf[17..25],
        b" +0000",
    ]
    .concat();
    assert_eq!(clf.as_slice(), expected_clf.as_slice(), "CLF of {seconds}");

    let rendered = RenderedDate::new(seconds);
    assert_eq!(rendered.imf_fixdate(), &imf);
    assert_eq!(rendered.clf_timestamp(), &clf);
    assert_eq!(imf.len(), date::IMF_FIXDATE_LEN);
    assert_eq!(clf.len(), date::CLF_TIMESTAMP_LEN);
}

/// Every way of reading both caches gives the rendering of `held`.
fn assert_reads(local: &DateCache, shared: &SharedDateCache, held: u64) {
    let expected = RenderedDate::new(held);
    assert_eq!(
        local.rendered(),
        &expected,
        "DateCache holds another second"
    );
    assert_eq!(local.imf_fixdate(), expected.imf_fixdate());
    assert_eq!(local.clf_timestamp(), expected.clf_timestamp());
    assert_eq!(
        shared.read(),
        expected,
        "SharedDateCache holds another second"
    );
    assert_eq!(&shared.imf_fixdate(), expected.imf_fixdate());
    assert_eq!(&shared.clf_timestamp(), expected.clf_timestamp());
}

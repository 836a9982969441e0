//! The date cache against independent oracles: `httpdate` for the IMF-fixdate, a
//! naive day-by-day calendar walk for every day from 1970 to 9999, and a
//! rearrangement of `httpdate`'s output for the Common Log Format timestamp.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use tern_proto::date::{
    CLF_TIMESTAMP_LEN, DateCache, IMF_FIXDATE_LEN, MAX_UNIX_SECONDS, RenderedDate, SharedDateCache,
    render_clf_timestamp, render_imf_fixdate,
};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

fn httpdate_of(unix_seconds: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(unix_seconds))
}

/// The CLF timestamp built from `httpdate`'s IMF-fixdate by moving its fields
/// around, so it shares no code with ours.
fn clf_oracle(unix_seconds: u64) -> String {
    let imf = httpdate_of(unix_seconds);
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let day = &imf[5..7];
    let month = &imf[8..11];
    let year = &imf[12..16];
    let time = &imf[17..25];
    format!("{day}/{month}/{year}:{time} +0000")
}

fn as_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("renderings are ASCII")
}

fn check_second(unix_seconds: u64) {
    let imf = render_imf_fixdate(unix_seconds);
    assert_eq!(
        as_str(&imf),
        httpdate_of(unix_seconds),
        "IMF-fixdate of {unix_seconds}"
    );
    assert_eq!(
        as_str(&render_clf_timestamp(unix_seconds)),
        clf_oracle(unix_seconds),
        "CLF timestamp of {unix_seconds}"
    );
}

/// Seconds since the epoch of `year-month-day` 00:00:00 UTC, counted naively.
fn naive_days_until(year: u64) -> u64 {
    (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum()
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u64, month: usize) -> u64 {
    match month {
        1 => {
            if is_leap(year) {
                29
            } else {
                28
            }
        }
        3 | 5 | 8 | 10 => 30,
        _ => 31,
    }
}

proptest! {
    #[test]
    fn imf_fixdate_matches_httpdate(unix_seconds in 0..=MAX_UNIX_SECONDS) {
        let ours = render_imf_fixdate(unix_seconds);
        prop_assert_eq!(as_str(&ours), httpdate_of(unix_seconds));
    }

    #[test]
    fn imf_fixdate_round_trips_through_httpdate(unix_seconds in 0..=MAX_UNIX_SECONDS) {
        let ours = render_imf_fixdate(unix_seconds);
        let parsed = httpdate::parse_http_date(as_str(&ours)).expect("httpdate parses ours");
        prop_assert_eq!(parsed, UNIX_EPOCH + Duration::from_secs(unix_seconds));
    }

    #[test]
    fn clf_timestamp_matches_the_rearranged_oracle(unix_seconds in 0..=MAX_UNIX_SECONDS) {
        let ours = render_clf_timestamp(unix_seconds);
        prop_assert_eq!(as_str(&ours), clf_oracle(unix_seconds));
    }

    /// Anything after the last renderable second renders as that second.
    #[test]
    fn later_times_clamp_to_the_last_second(unix_seconds in MAX_UNIX_SECONDS..) {
        prop_assert_eq!(render_imf_fixdate(unix_seconds), render_imf_fixdate(MAX_UNIX_SECONDS));
        let cache = DateCache::new(unix_seconds);
        prop_assert_eq!(cache.unix_seconds(), MAX_UNIX_SECONDS);
    }

    /// Whatever sequence of times it is given, a cache holds exactly the
    /// rendering of the last one, and reports a re-render exactly when the second
    /// changed. The shared cache behaves the same from a single thread.
    #[test]
    fn caches_follow_any_sequence_of_times(
        start in 0..=MAX_UNIX_SECONDS,
        steps in proptest::collection::vec(
            prop_oneof![Just(0_i64), -2_i64..=2, -100_000_i64..=100_000],
            0..40,
        ),
    ) {
        let mut cache = DateCache::new(start);
        let shared = SharedDateCache::new(start);
        let mut now = start;
        for step in steps {
            let next = now.saturating_add_signed(step).min(MAX_UNIX_SECONDS);
            prop_assert_eq!(cache.update(next), next != now);
            prop_assert_eq!(shared.update(next), next != now);
            now = next;
            let expected = RenderedDate::new(now);
            prop_assert_eq!(cache.rendered(), &expected);
            prop_assert_eq!(cache.imf_fixdate(), &render_imf_fixdate(now));
            prop_assert_eq!(cache.clf_timestamp(), &render_clf_timestamp(now));
            prop_assert_eq!(shared.read(), expected);
            prop_assert_eq!(&shared.imf_fixdate(), expected.imf_fixdate());
            prop_assert_eq!(&shared.clf_timestamp(), expected.clf_timestamp());
        }
    }
}

#[test]
fn known_vectors() {
    // RFC 9110 §5.6.7's example and the Apache CLF documentation's instant in UTC.
    assert_eq!(
        &render_imf_fixdate(784_111_777),
        b"Sun, 06 Nov 1994 08:49:37 GMT"
    );
    assert_eq!(
        &render_clf_timestamp(971_186_136),
        b"10/Oct/2000:13:55:36 +0000"
    );
    assert_eq!(&render_imf_fixdate(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(
        &render_imf_fixdate(MAX_UNIX_SECONDS),
        b"Fri, 31 Dec 9999 23:59:59 GMT"
    );
    assert_eq!(
        &render_clf_timestamp(MAX_UNIX_SECONDS),
        b"31/Dec/9999:23:59:59 +0000"
    );
    // Past the last second of year 9999, the last second.
    assert_eq!(
        render_imf_fixdate(u64::MAX),
        render_imf_fixdate(MAX_UNIX_SECONDS)
    );
    assert_eq!(IMF_FIXDATE_LEN, 29);
    assert_eq!(CLF_TIMESTAMP_LEN, 26);
}

/// The seconds either side of every leap day, century and 400-year boundary in
/// range, and the last seconds of year 9999.
#[test]
fn edge_seconds_match_httpdate() {
    let mut edges = vec![0, 1, 59, 60, 3599, 3600, 86_399, 86_400];
    for year in [
        1972, 1999, 2000, 2001, 2004, 2038, 2100, 2200, 2300, 2400, 2401, 4000, 9996, 9999,
    ] {
        let year_start = naive_days_until(year) * 86_400;
        // Around the start of the year, the end of February and 1 March.
        let feb_end = year_start + (31 + days_in_month(year, 1)) * 86_400;
        for center in [year_start, feb_end - 86_400, feb_end] {
            for offset in [-1_i64, 0, 1] {
                if let Some(second) = center.checked_add_signed(offset) {
                    edges.push(second);
                }
            }
        }
    }
    // 2038-01-19T03:14:07Z, where signed 32-bit time_t ends.
    edges.extend([2_147_483_647, 2_147_483_648]);
    edges.extend((MAX_UNIX_SECONDS - 86_400 * 2..=MAX_UNIX_SECONDS).step_by(3_617));
    edges.extend(MAX_UNIX_SECONDS - 2..=MAX_UNIX_SECONDS);
    for second in edges {
        check_second(second.min(MAX_UNIX_SECONDS));
    }
}

/// The last second of every month and the first of the next, 1970 to 9999,
/// against `httpdate` (about 192 000 seconds).
#[test]
fn every_month_boundary_matches_httpdate() {
    let mut month_start = 0_u64;
    for year in 1970..=9999 {
        for month in 0..12 {
            if month_start > 0 {
                check_second(month_start - 1);
            }
            check_second(month_start);
            month_start += days_in_month(year, month) * 86_400;
        }
    }
    assert_eq!(month_start, MAX_UNIX_SECONDS + 1);
}

/// Every day from 1970-01-01 to 9999-12-31 against a naive calendar that
/// advances one day at a time (an oracle with no arithmetic in common with ours),
/// at a time of day that changes from day to day.
#[test]
fn every_day_matches_a_naive_calendar_walk() {
    let (mut year, mut month, mut day, mut weekday) = (1970_u64, 0_usize, 1_u64, 4_usize);
    let mut expected = String::with_capacity(IMF_FIXDATE_LEN);
    for days_since_epoch in 0..=MAX_UNIX_SECONDS / 86_400 {
        let second_of_day = (days_since_epoch * 7_919) % 86_400;
        let unix_seconds = days_since_epoch * 86_400 + second_of_day;
        expected.clear();
        use std::fmt::Write as _;
        write!(
            expected,
            "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[weekday],
            MONTHS[month],
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
        .unwrap();
        assert_eq!(as_str(&render_imf_fixdate(unix_seconds)), expected);

        weekday = (weekday + 1) % 7;
        day += 1;
        if day > days_in_month(year, month) {
            day = 1;
            month += 1;
            if month == 12 {
                month = 0;
                year += 1;
            }
        }
    }
    assert_eq!((year, month, day), (10_000, 0, 1));
}

#[test]
fn per_thread_cache_re_renders_only_on_a_new_second() {
    let mut cache = DateCache::new(1_000);
    assert!(!cache.update(1_000));
    assert!(cache.update(1_001));
    assert!(!cache.update(1_001));
    assert!(cache.update(999), "a clock stepped back is followed");
    assert_eq!(cache.unix_seconds(), 999);
    assert!(cache.update(u64::MAX));
    assert!(
        !cache.update(MAX_UNIX_SECONDS),
        "both clamp to the same second"
    );
}

/// Real threads: one updater walks forward through seconds while readers check
/// that every read is a whole rendering of a second the updater set, and that
/// no reader ever sees time go backwards. (loom-tests/ proves the same on every
/// interleaving of a small model; this runs the real atomics at full speed.)
#[test]
fn shared_cache_is_never_torn_under_real_threads() {
    const START: u64 = 1_700_000_000;
    const UPDATES: u64 = 20_000;
    let cache = Arc::new(SharedDateCache::new(START));
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let barrier = Arc::new(Barrier::new(3));
    // Map a rendering back to its second: every second we will set, precomputed.
    let known: Arc<std::collections::HashMap<[u8; IMF_FIXDATE_LEN], u64>> = Arc::new(
        (START..=START + UPDATES)
            .map(|second| (render_imf_fixdate(second), second))
            .collect(),
    );
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (cache, done, reads, barrier, known) = (
                Arc::clone(&cache),
                Arc::clone(&done),
                Arc::clone(&reads),
                Arc::clone(&barrier),
                Arc::clone(&known),
            );
            thread::spawn(move || {
                barrier.wait();
                let mut last_seen = START;
                loop {
                    let finished = done.load(Ordering::Acquire);
                    let rendered = cache.read();
                    let second = *known
                        .get(rendered.imf_fixdate())
                        .expect("a torn or unknown IMF-fixdate");
                    assert_eq!(rendered, RenderedDate::new(second), "torn pair");
                    assert!(
                        second >= last_seen,
                        "went back from {last_seen} to {second}"
                    );
                    last_seen = second;
                    let imf_only = cache.imf_fixdate();
                    let second = *known.get(&imf_only).expect("torn IMF-fixdate");
                    assert!(second >= last_seen);
                    last_seen = second;
                    reads.fetch_add(1, Ordering::Relaxed);
                    if finished {
                        break;
                    }
                }
            })
        })
        .collect();
    barrier.wait();
    for second in START + 1..=START + UPDATES {
        assert!(cache.update(second));
        if second % 64 == 0 {
            thread::yield_now();
        }
    }
    done.store(true, Ordering::Release);
    for reader in readers {
        reader.join().expect("reader panicked");
    }
    assert_eq!(cache.read(), RenderedDate::new(START + UPDATES));
    assert!(reads.load(Ordering::Relaxed) > 0);
}

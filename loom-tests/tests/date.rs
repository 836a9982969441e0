//! loom models of `tern_proto::date::SharedDateCache`.
//!
//! The updater moves the cache through two new seconds, which makes it publish
//! generation 1 into slot 1 and then overwrite slot 0 with generation 2: the
//! case where a slow reader's slot is rewritten under it. Readers must only ever
//! return one of the three renderings whole (never bytes of two), and a reader's
//! later read must never return an earlier second than its previous one.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use tern_proto::date::{RenderedDate, SharedDateCache};

/// Three consecutive seconds; the last two also cross a minute, an hour, a day,
/// a month and a year, so a torn read mixes visibly different bytes.
const SECONDS: [u64; 3] = [946_684_798, 946_684_799, 946_684_800];

/// Index into `SECONDS` of a rendering, or a panic if it is none of them (torn).
fn which_second(rendered: &RenderedDate) -> usize {
    SECONDS
        .iter()
        .position(|&second| RenderedDate::new(second) == *rendered)
        .unwrap_or_else(|| panic!("torn read: {rendered:?}"))
}

fn which_imf_fixdate(bytes: &[u8; 29]) -> usize {
    SECONDS
        .iter()
        .position(|&second| RenderedDate::new(second).imf_fixdate() == bytes)
        .unwrap_or_else(|| panic!("torn IMF-fixdate: {:?}", String::from_utf8_lossy(bytes)))
}

fn which_clf_timestamp(bytes: &[u8; 26]) -> usize {
    SECONDS
        .iter()
        .position(|&second| RenderedDate::new(second).clf_timestamp() == bytes)
        .unwrap_or_else(|| panic!("torn CLF timestamp: {:?}", String::from_utf8_lossy(bytes)))
}

/// One updater, two readers: every read is whole, and each reader's second read
/// is never older than its first. Reader 0 reads both renderings at once twice;
/// reader 1 reads the IMF-fixdate and then the CLF timestamp, so every read
/// path is covered.
#[test]
fn two_readers_never_see_a_torn_or_older_date() {
    loom::model(|| {
        let cache = Arc::new(SharedDateCache::new(SECONDS[0]));
        let readers: Vec<_> = (0..2)
            .map(|reader| {
                let cache = Arc::clone(&cache);
                thread::spawn(move || {
                    let (first, second) = if reader == 0 {
                        (which_second(&cache.read()), which_second(&cache.read()))
                    } else {
                        (
                            which_imf_fixdate(&cache.imf_fixdate()),
                            which_clf_timestamp(&cache.clf_timestamp()),
                        )
                    };
                    assert!(
                        second >= first,
                        "reader {reader} went back from {first} to {second}"
                    );
                })
            })
            .collect();
        assert!(cache.update(SECONDS[1]));
        for reader in readers {
            reader.join().unwrap();
        }
        assert_eq!(which_second(&cache.read()), 1);
    });
}

/// Two updates make the updater overwrite slot 0 (generation 2) while a slow
/// reader may still be copying generation 0 out of it: the reader must notice
/// and retry, and its reads must stay whole and in order.
#[test]
fn a_lapped_reader_retries_and_never_goes_back() {
    loom::model(|| {
        let cache = Arc::new(SharedDateCache::new(SECONDS[0]));
        let reader = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                let first = which_second(&cache.read());
                let second = which_imf_fixdate(&cache.imf_fixdate());
                assert!(second >= first, "went back from {first} to {second}");
            })
        };
        assert!(cache.update(SECONDS[1]));
        assert!(cache.update(SECONDS[2]));
        reader.join().unwrap();
        assert_eq!(which_second(&cache.read()), 2);
    });
}

/// Two readers and a lapping updater together. This model explodes at two
/// preemptions (about 470 000 iterations, over a minute here), so it runs with
/// a bound of one whatever `LOOM_MAX_PREEMPTIONS` says; the two models above
/// cover each half of it at bound two.
#[test]
fn two_readers_and_a_lapping_updater_at_one_preemption() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(1);
    builder.check(|| {
        let cache = Arc::new(SharedDateCache::new(SECONDS[0]));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let cache = Arc::clone(&cache);
                thread::spawn(move || which_imf_fixdate(&cache.imf_fixdate()))
            })
            .collect();
        assert!(cache.update(SECONDS[1]));
        assert!(cache.update(SECONDS[2]));
        for reader in readers {
            reader.join().unwrap();
        }
    });
}

/// The design has one updater, but a second one racing it must not corrupt the
/// cache: one of the racing updates is skipped, never interleaved.
#[test]
fn racing_updaters_never_corrupt_the_cache() {
    loom::model(|| {
        let cache = Arc::new(SharedDateCache::new(SECONDS[0]));
        let other = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || cache.update(SECONDS[2]))
        };
        let mine = cache.update(SECONDS[1]);
        let seen = which_second(&cache.read());
        let theirs = other.join().unwrap();
        assert!(mine || theirs, "at least one update happens");
        let last = which_second(&cache.read());
        assert!(last >= 1);
        // My update finished before I read `seen`; the only later change can be
        // the other update, to the later second.
        assert!(last >= seen);
    });
}

//! The date cache: the `Date` header value and the access-log timestamp, rendered
//! once per second and only read by requests.
//!
//! A server writes the same `Date` value into every response sent during a second
//! (RFC 9110 §6.6.1), so formatting it per response is wasted work. The cache keeps
//! the rendered bytes and re-renders only when the caller hands it a different
//! second. The same rendering also produces the Common Log Format timestamp, so an
//! access log costs no formatting either.
//!
//! The core never reads the clock: every entry point takes the time as whole
//! seconds since the Unix epoch (`1970-01-01T00:00:00Z`), which the server obtains
//! from its own clock (with `std`, the whole seconds of the current `SystemTime`
//! since `UNIX_EPOCH`).
//!
//! Two variants:
//!
//! - [`DateCache`], a plain struct for a single thread. Reading it is borrowing a
//!   byte array.
//! - [`SharedDateCache`], updated by one designated thread and read by any number
//!   of others without locks: readers never wait for the updater and never see a
//!   mix of two dates (see its docs for how).
//!
//! The calendar arithmetic is done here with integer operations only (no `fmt`
//! machinery, no allocation) and covers the years 1970 to 9999, the range the
//! four-digit year of IMF-fixdate can express.
//!
//! ```
//! use tern_proto::date::DateCache;
//!
//! let mut cache = DateCache::new(784_111_777);
//! assert_eq!(cache.imf_fixdate(), b"Sun, 06 Nov 1994 08:49:37 GMT");
//! assert_eq!(cache.clf_timestamp(), b"06/Nov/1994:08:49:37 +0000");
//!
//! assert!(!cache.update(784_111_777)); // same second: nothing to do
//! assert!(cache.update(784_111_778)); // next second: re-rendered
//! assert_eq!(cache.imf_fixdate(), b"Sun, 06 Nov 1994 08:49:38 GMT");
//! ```

use crate::sync::{AtomicBool, AtomicU64, Ordering};

/// Length of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`
/// (RFC 9110 §5.6.7): always 29 bytes.
pub const IMF_FIXDATE_LEN: usize = 29;

/// Length of a Common Log Format timestamp such as `10/Oct/2000:13:55:36 +0000`
/// (without the surrounding brackets): always 26 bytes.
pub const CLF_TIMESTAMP_LEN: usize = 26;

/// The last second the cache can render: `Fri, 31 Dec 9999 23:59:59 GMT`.
///
/// IMF-fixdate has a four-digit year. Later times are clamped to this second
/// rather than rejected, so a wildly wrong clock can never make a server fail to
/// answer; it only makes the `Date` field wrong, as the clock is.
pub const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

const SECONDS_PER_DAY: u64 = 86_400;

/// Weekday names indexed by days since a Sunday.
const WEEKDAY_NAMES: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];

/// Month names indexed by month number minus one.
const MONTH_NAMES: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// One second of wall-clock time, rendered in both formats.
///
/// This is what both caches hold, and what [`SharedDateCache::read`] hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RenderedDate {
    imf_fixdate: [u8; IMF_FIXDATE_LEN],
    clf_timestamp: [u8; CLF_TIMESTAMP_LEN],
}

impl RenderedDate {
    /// Renders `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]).
    #[must_use]
    pub fn new(unix_seconds: u64) -> Self {
        let civil = CivilTime::from_unix_seconds(unix_seconds);
        Self {
            imf_fixdate: civil.imf_fixdate(),
            clf_timestamp: civil.clf_timestamp(),
        }
    }

    /// The IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`: the value of a
    /// `Date` (or `Last-Modified`) header field.
    #[must_use]
    pub const fn imf_fixdate(&self) -> &[u8; IMF_FIXDATE_LEN] {
        &self.imf_fixdate
    }

    /// The Common Log Format timestamp, e.g. `06/Nov/1994:08:49:37 +0000`: what
    /// goes between the brackets of an access-log line. Always UTC.
    #[must_use]
    pub const fn clf_timestamp(&self) -> &[u8; CLF_TIMESTAMP_LEN] {
        &self.clf_timestamp
    }

    /// Both renderings back to back, the layout the shared cache stores in its
    /// atomic words.
    fn to_packed(self) -> [u8; PACKED_LEN] {
        let mut packed = [0; PACKED_LEN];
        packed[..IMF_FIXDATE_LEN].copy_from_slice(&self.imf_fixdate);
        packed[IMF_FIXDATE_LEN..IMF_FIXDATE_LEN + CLF_TIMESTAMP_LEN]
            .copy_from_slice(&self.clf_timestamp);
        packed
    }

    fn from_packed(packed: &[u8; PACKED_LEN]) -> Self {
        let mut imf_fixdate = [0; IMF_FIXDATE_LEN];
        imf_fixdate.copy_from_slice(&packed[..IMF_FIXDATE_LEN]);
        let mut clf_timestamp = [0; CLF_TIMESTAMP_LEN];
        clf_timestamp
            .copy_from_slice(&packed[IMF_FIXDATE_LEN..IMF_FIXDATE_LEN + CLF_TIMESTAMP_LEN]);
        Self {
            imf_fixdate,
            clf_timestamp,
        }
    }
}

/// Renders `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]) as an IMF-fixdate,
/// without any cache. Prefer a [`DateCache`] on a hot path.
#[must_use]
pub fn render_imf_fixdate(unix_seconds: u64) -> [u8; IMF_FIXDATE_LEN] {
    CivilTime::from_unix_seconds(unix_seconds).imf_fixdate()
}

/// Renders `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]) as a Common Log
/// Format timestamp, without any cache.
#[must_use]
pub fn render_clf_timestamp(unix_seconds: u64) -> [u8; CLF_TIMESTAMP_LEN] {
    CivilTime::from_unix_seconds(unix_seconds).clf_timestamp()
}

/// A date cache owned by one thread: no sharing, no synchronisation.
///
/// Call [`update`](Self::update) with the current time whenever the event loop
/// wakes up (it returns at once if the second has not changed) and read the bytes
/// while composing responses.
#[derive(Clone, Debug)]
pub struct DateCache {
    unix_seconds: u64,
    rendered: RenderedDate,
}

impl DateCache {
    /// A cache holding `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]), already
    /// rendered.
    #[must_use]
    pub fn new(unix_seconds: u64) -> Self {
        let unix_seconds = unix_seconds.min(MAX_UNIX_SECONDS);
        Self {
            unix_seconds,
            rendered: RenderedDate::new(unix_seconds),
        }
    }

    /// Moves the cache to `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]).
    ///
    /// Re-renders only if that is a different second from the one held, and
    /// returns whether it did. Time may go backwards (the caller's clock was
    /// stepped): the cache follows the clock it is given.
    pub fn update(&mut self, unix_seconds: u64) -> bool {
        let unix_seconds = unix_seconds.min(MAX_UNIX_SECONDS);
        if unix_seconds == self.unix_seconds {
            return false;
        }
        self.unix_seconds = unix_seconds;
        self.rendered = RenderedDate::new(unix_seconds);
        true
    }

    /// The second currently rendered, in seconds since the Unix epoch.
    #[must_use]
    pub const fn unix_seconds(&self) -> u64 {
        self.unix_seconds
    }

    /// The current IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    #[must_use]
    pub const fn imf_fixdate(&self) -> &[u8; IMF_FIXDATE_LEN] {
        self.rendered.imf_fixdate()
    }

    /// The current Common Log Format timestamp, e.g. `06/Nov/1994:08:49:37 +0000`.
    #[must_use]
    pub const fn clf_timestamp(&self) -> &[u8; CLF_TIMESTAMP_LEN] {
        self.rendered.clf_timestamp()
    }

    /// Both renderings of the current second.
    #[must_use]
    pub const fn rendered(&self) -> &RenderedDate {
        &self.rendered
    }
}

/// Bytes of the two renderings stored back to back: 29 + 26 = 55.
const PACKED_LEN: usize = IMF_FIXDATE_LEN + CLF_TIMESTAMP_LEN;
/// The 55 bytes padded to whole 64-bit words.
const WORDS: usize = PACKED_LEN.div_ceil(8);
/// The words that hold the IMF-fixdate (bytes 0..29), so a reader that needs only
/// the `Date` value loads 4 words instead of 7.
const IMF_WORDS: core::ops::Range<usize> = 0..IMF_FIXDATE_LEN.div_ceil(8);
/// The words that hold the CLF timestamp (bytes 29..55).
const CLF_WORDS: core::ops::Range<usize> = IMF_FIXDATE_LEN / 8..WORDS;

/// A date cache shared between threads: one thread updates it, any number read it.
///
/// # How readers avoid both locks and torn reads
///
/// Without `unsafe` (the crate allows it only in its SIMD scanning module), the
/// rendered bytes live in atomic 64-bit words.
/// There are two copies (slots) of them, and a `published` generation counter
/// names the current one: generation `g` lives in slot `g % 2`. The updater
/// renders the new second into the *other* slot and only then publishes it, so a
/// reader never has to wait for an update in progress: it reads the slot that was
/// complete when it looked.
///
/// Each slot also carries a stamp: `2g - 1` while generation `g` is being written
/// into it, `2g` once it is complete. A reader loads `published` (`g`), checks the
/// stamp of slot `g % 2` is exactly `2g` before and after copying the words, and
/// otherwise starts again. The stamp can only differ if, between the reader's
/// load of `published` and the end of its copy (a few nanoseconds unless the
/// reader is descheduled), the updater published `g + 1` *and* began rewriting the
/// reader's slot for `g + 2`: that needs two updates, about a second apart. So a
/// retry is rare and is never a wait on the updater. Requiring exactly `2g`
/// (rather than any even stamp) is what makes successive reads by one thread
/// monotonic: a reader never accepts generation `g + 2` from a slot and then
/// `g + 1` from the next load of `published`.
///
/// Memory ordering: every store the updater makes to a slot or to `published` is
/// `Release` and every load a reader makes is `Acquire` (plain moves on x86-64,
/// cheap elsewhere). A reader that sees any word of a newer rendering therefore
/// also sees the odd stamp stored before it, and its final stamp check fails.
/// The loom models in the repository's `loom-tests/` check that weakening
/// either side to `Relaxed` produces torn reads.
///
/// # One updater
///
/// The design has one designated updater (the thread that owns the timer). A
/// second thread calling [`update`](Self::update) at the same moment does not
/// corrupt anything: updates are claimed with a flag, and an update that finds
/// another in progress is skipped.
#[derive(Debug)]
pub struct SharedDateCache {
    /// Generation of the most recent complete rendering.
    published: AtomicU64,
    slots: [DateSlot; 2],
    /// Set while an update is in progress (claims the updater role).
    updating: AtomicBool,
    /// The second held by generation `published`; read and written only by the
    /// updater (under `updating`), so readers never touch it.
    rendered_second: AtomicU64,
}

#[derive(Debug)]
struct DateSlot {
    /// `2g - 1` while generation `g` is being written here, `2g` when complete.
    stamp: AtomicU64,
    words: [AtomicU64; WORDS],
}

impl DateSlot {
    fn new(stamp: u64, packed: &[u8; PACKED_LEN]) -> Self {
        let words = pack_words(packed);
        Self {
            stamp: AtomicU64::new(stamp),
            words: core::array::from_fn(|index| AtomicU64::new(words[index])),
        }
    }
}

impl SharedDateCache {
    /// A cache holding `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]), already
    /// rendered.
    #[must_use]
    pub fn new(unix_seconds: u64) -> Self {
        let unix_seconds = unix_seconds.min(MAX_UNIX_SECONDS);
        let packed = RenderedDate::new(unix_seconds).to_packed();
        Self {
            published: AtomicU64::new(0),
            // Generation 0 is complete in slot 0 (stamp 0); slot 1 is unused until
            // generation 1 is written there.
            slots: [DateSlot::new(0, &packed), DateSlot::new(0, &packed)],
            updating: AtomicBool::new(false),
            rendered_second: AtomicU64::new(unix_seconds),
        }
    }

    /// Moves the cache to `unix_seconds` (clamped to [`MAX_UNIX_SECONDS`]).
    ///
    /// Re-renders only if that is a different second from the one held, and
    /// returns whether it did. Meant to be called by one designated thread; if
    /// another update is in progress at the same moment, this one is skipped and
    /// returns `false`. Never blocks, never allocates.
    pub fn update(&self, unix_seconds: u64) -> bool {
        let unix_seconds = unix_seconds.min(MAX_UNIX_SECONDS);
        // Cheap early exit for the common case of a timer tick within the same
        // second, before touching the shared flag.
        if self.rendered_second.load(Ordering::Relaxed) == unix_seconds {
            return false;
        }
        if self.updating.swap(true, Ordering::Acquire) {
            return false;
        }
        let changed = self.rendered_second.load(Ordering::Relaxed) != unix_seconds;
        if changed {
            // Render before touching the slot so it is marked in-progress for as
            // short a time as possible.
            let words = pack_words(&RenderedDate::new(unix_seconds).to_packed());
            // Only the updater stores `published`, so its own last store is what it
            // reads here.
            let generation = self.published.load(Ordering::Relaxed) + 1;
            let slot = &self.slots[slot_index(generation)];
            slot.stamp
                .store(writing_stamp(generation), Ordering::Release);
            for (word, value) in slot.words.iter().zip(words) {
                word.store(value, Ordering::Release);
            }
            slot.stamp
                .store(complete_stamp(generation), Ordering::Release);
            self.published.store(generation, Ordering::Release);
            self.rendered_second.store(unix_seconds, Ordering::Relaxed);
        }
        self.updating.store(false, Ordering::Release);
        changed
    }

    /// A consistent copy of both renderings of the current second.
    #[must_use]
    pub fn read(&self) -> RenderedDate {
        let words = self.read_words(0..WORDS);
        RenderedDate::from_packed(&unpack_words(&words))
    }

    /// A consistent copy of the current IMF-fixdate (loads only the words that
    /// hold it).
    #[must_use]
    pub fn imf_fixdate(&self) -> [u8; IMF_FIXDATE_LEN] {
        let packed = unpack_words(&self.read_words(IMF_WORDS));
        let mut out = [0; IMF_FIXDATE_LEN];
        out.copy_from_slice(&packed[..IMF_FIXDATE_LEN]);
        out
    }

    /// A consistent copy of the current Common Log Format timestamp (loads only
    /// the words that hold it).
    #[must_use]
    pub fn clf_timestamp(&self) -> [u8; CLF_TIMESTAMP_LEN] {
        let packed = unpack_words(&self.read_words(CLF_WORDS));
        let mut out = [0; CLF_TIMESTAMP_LEN];
        out.copy_from_slice(&packed[IMF_FIXDATE_LEN..IMF_FIXDATE_LEN + CLF_TIMESTAMP_LEN]);
        out
    }

    /// Copies the words in `range` of the current generation's slot; words outside
    /// `range` are left zero.
    fn read_words(&self, range: core::ops::Range<usize>) -> [u64; WORDS] {
        let mut words = [0; WORDS];
        loop {
            let generation = self.published.load(Ordering::Acquire);
            let slot = &self.slots[slot_index(generation)];
            let complete = complete_stamp(generation);
            if slot.stamp.load(Ordering::Acquire) != complete {
                // The updater has lapped us and is rewriting this slot; the next
                // load of `published` names the other, complete one.
                continue;
            }
            for index in range.clone() {
                words[index] = slot.words[index].load(Ordering::Acquire);
            }
            if slot.stamp.load(Ordering::Acquire) == complete {
                return words;
            }
        }
    }
}

/// The slot of a generation: consecutive generations alternate, so the
/// updater never writes the slot that holds the published one.
fn slot_index(generation: u64) -> usize {
    usize::from(generation % 2 == 1)
}

/// A slot's stamp while generation `generation` (at least 1) is written into
/// it: odd, so it never equals any generation's complete stamp.
const fn writing_stamp(generation: u64) -> u64 {
    2 * generation - 1
}

/// A slot's stamp once generation `generation` is complete in it: distinct
/// per generation, so a reader that was lapped sees that its slot changed.
const fn complete_stamp(generation: u64) -> u64 {
    2 * generation
}

fn pack_words(packed: &[u8; PACKED_LEN]) -> [u64; WORDS] {
    let mut padded = [0; WORDS * 8];
    padded[..PACKED_LEN].copy_from_slice(packed);
    core::array::from_fn(|index| {
        let mut word = [0; 8];
        word.copy_from_slice(&padded[index * 8..index * 8 + 8]);
        u64::from_le_bytes(word)
    })
}

fn unpack_words(words: &[u64; WORDS]) -> [u8; PACKED_LEN] {
    let mut padded = [0; WORDS * 8];
    for (chunk, word) in padded.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let mut packed = [0; PACKED_LEN];
    packed.copy_from_slice(&padded[..PACKED_LEN]);
    packed
}

/// A UTC calendar date and time of day, broken down from Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CivilTime {
    year: u32,
    /// 1..=12
    month: u32,
    /// 1..=31
    day: u32,
    /// 0 = Sunday .. 6 = Saturday
    weekday: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilTime {
    fn from_unix_seconds(unix_seconds: u64) -> Self {
        let unix_seconds = unix_seconds.min(MAX_UNIX_SECONDS);
        let days = unix_seconds / SECONDS_PER_DAY;
        // Both fit in u32: days <= 2_932_896 and the second of the day < 86_400.
        let days = u32::try_from(days).unwrap_or(u32::MAX);
        let second_of_day = (unix_seconds % SECONDS_PER_DAY) as u32;
        let (year, month, day) = date_from_days(days);
        Self {
            year,
            month,
            day,
            // 1970-01-01 was a Thursday (4).
            weekday: (days + 4) % 7,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
        }
    }

    fn imf_fixdate(self) -> [u8; IMF_FIXDATE_LEN] {
        // Sun, 06 Nov 1994 08:49:37 GMT
        // 0    5  8   12   17 20 23 26
        let mut out = *b"Www, DD Mmm YYYY hh:mm:ss GMT";
        out[0..3].copy_from_slice(WEEKDAY_NAMES[self.weekday as usize]);
        write_two_digits(&mut out[5..7], self.day);
        out[8..11].copy_from_slice(self.month_name());
        write_four_digits(&mut out[12..16], self.year);
        write_two_digits(&mut out[17..19], self.hour);
        write_two_digits(&mut out[20..22], self.minute);
        write_two_digits(&mut out[23..25], self.second);
        out
    }

    fn clf_timestamp(self) -> [u8; CLF_TIMESTAMP_LEN] {
        // 10/Oct/2000:13:55:36 +0000
        // 0  3   7    12 15 18
        let mut out = *b"DD/Mmm/YYYY:hh:mm:ss +0000";
        write_two_digits(&mut out[0..2], self.day);
        out[3..6].copy_from_slice(self.month_name());
        write_four_digits(&mut out[7..11], self.year);
        write_two_digits(&mut out[12..14], self.hour);
        write_two_digits(&mut out[15..17], self.minute);
        write_two_digits(&mut out[18..20], self.second);
        out
    }

    fn month_name(self) -> &'static [u8; 3] {
        MONTH_NAMES[(self.month - 1) as usize]
    }
}

fn write_two_digits(out: &mut [u8], value: u32) {
    // `value < 100` for every caller; the `as u8` casts cannot truncate.
    out[0] = b'0' + (value / 10) as u8;
    out[1] = b'0' + (value % 10) as u8;
}

fn write_four_digits(out: &mut [u8], value: u32) {
    write_two_digits(&mut out[0..2], value / 100);
    write_two_digits(&mut out[2..4], value % 100);
}

/// Days in a 400-year Gregorian cycle: 400 * 365 + 97 leap days.
const DAYS_PER_400_YEARS: u32 = 146_097;
/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const DAYS_FROM_MARCH_0000_TO_EPOCH: u32 = 719_468;

/// Converts days since 1970-01-01 into `(year, month, day)`.
///
/// The computation counts years from 1 March: that puts the leap day at the very
/// end of the counted year, so month lengths follow a fixed pattern (31, 30, 31,
/// 30, 31, 31, 30, 31, 30, 31, 31, then February) and every step is an integer
/// division with no leap-year branch. Only 32-bit unsigned arithmetic is needed for
/// years up to 9999.
fn date_from_days(days_since_epoch: u32) -> (u32, u32, u32) {
    let days = days_since_epoch + DAYS_FROM_MARCH_0000_TO_EPOCH;
    let cycle = days / DAYS_PER_400_YEARS;
    let day_of_cycle = days % DAYS_PER_400_YEARS; // 0..=146_096
    // Years into the cycle: remove the leap days accumulated before `day_of_cycle`
    // (one every 4 years, minus one every 100, plus the one at the very end of the
    // 400) so that dividing by 365 is exact.
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36_524
        - day_of_cycle / (DAYS_PER_400_YEARS - 1))
        / 365; // 0..=399
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100); // 0..=365
    // Month counted from March = 0. Five months cover 153 days (31+30+31+30+31),
    // which makes `(5 * d + 2) / 153` the month index for day-of-year `d`.
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let (month, year_offset) = if month_from_march < 10 {
        (month_from_march + 3, 0)
    } else {
        // January and February belong to the next calendar year.
        (month_from_march - 9, 1)
    };
    (cycle * 400 + year_of_cycle + year_offset, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout the shared cache's word loads assume.
    #[test]
    fn packed_layout() {
        assert_eq!(PACKED_LEN, 55);
        assert_eq!(WORDS, 7);
        assert_eq!(IMF_WORDS, 0..4);
        assert_eq!(CLF_WORDS, 3..7);
    }

    /// The invariants the shared cache's protocol rests on, which a
    /// single-threaded test cannot otherwise see (the loom models exercise the
    /// protocol itself, within their bound): the updater writes the slot the
    /// readers are not directed to, and no two states of any slot share a
    /// stamp.
    #[test]
    fn slots_alternate_and_stamps_are_unique() {
        let mut stamps = alloc::collections::BTreeSet::new();
        for generation in 0..4096u64 {
            assert_ne!(slot_index(generation), slot_index(generation + 1));
            assert!(stamps.insert(complete_stamp(generation)), "{generation}");
            if generation > 0 {
                assert!(stamps.insert(writing_stamp(generation)), "{generation}");
            }
        }
    }

    #[test]
    fn packing_round_trips() {
        let rendered = RenderedDate::new(971_186_136);
        assert_eq!(
            RenderedDate::from_packed(&unpack_words(&pack_words(&rendered.to_packed()))),
            rendered
        );
    }

    #[test]
    fn shared_cache_follows_updates() {
        let cache = SharedDateCache::new(0);
        assert_eq!(cache.read(), RenderedDate::new(0));
        for second in [1, 1, 2, 100_000, 3] {
            cache.update(second);
            assert_eq!(cache.read(), RenderedDate::new(second));
            assert_eq!(
                &cache.imf_fixdate(),
                RenderedDate::new(second).imf_fixdate()
            );
            assert_eq!(
                &cache.clf_timestamp(),
                RenderedDate::new(second).clf_timestamp()
            );
        }
        assert!(!cache.update(3));
    }
}

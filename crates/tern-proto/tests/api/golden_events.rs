//! The parser's observable behaviour, pinned: every spec vector and every file
//! of the fuzz corpora and regressions, run through a `Connection` in the
//! strict default configuration and with every leniency on, delivered whole
//! and byte by byte. The full event log of each run (requests with every part,
//! leniencies with their offsets, body pieces, trailers, errors with their
//! offsets, `NeedData`) is hashed and compared with
//! `tests/golden/events.txt`, recorded before the parser's SIMD work (issue 10)
//! from main at 1c60fae. A change of any byte of any log fails this test.
//!
//! The log is a superset of what the conformance driver (`examples/conformance.rs`)
//! prints for the same input: the driver reports the whole delivery in the
//! strict configuration, without offsets or leniencies.
//!
//! To re-record after an intended change of behaviour (and only then):
//! `TERN_BLESS_GOLDEN=1 cargo test -p tern-proto --test api golden_events::`.

use std::path::{Path, PathBuf};

use tern_proto::Config;

use crate::events::{event_log, lenient};
use crate::support::vectors::load_cases;

const GOLDEN: &str = "tests/golden/events.txt";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// 64-bit FNV-1a: enough to notice any change of a log (not an adversary's).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `(id, bytes)` of every input: spec vectors, then the fuzz corpora and
/// regressions, sorted.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = load_cases()
        .into_iter()
        .map(|case| (format!("spec/{}/{}", case.file, case.id), case.input))
        .collect();
    let fuzz = repo_root().join("fuzz");
    for group in ["corpus", "regressions"] {
        let Ok(targets) = std::fs::read_dir(fuzz.join(group)) else {
            continue;
        };
        let mut targets: Vec<PathBuf> = targets.map(|e| e.expect("dir entry").path()).collect();
        targets.sort();
        for target in targets.iter().filter(|t| t.is_dir()) {
            let mut files: Vec<PathBuf> = std::fs::read_dir(target)
                .expect("readable")
                .map(|e| e.expect("dir entry").path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for file in files {
                let id = file
                    .strip_prefix(repo_root())
                    .expect("under the repository")
                    .to_string_lossy()
                    .into_owned();
                all.push((id, std::fs::read(&file).expect("readable corpus file")));
            }
        }
    }
    all
}

/// One golden line per input: id, then the hash of each of the four logs.
fn golden_line(id: &str, input: &[u8]) -> String {
    let strict = Config::default();
    let lenient = lenient();
    let hashes = [
        event_log(&strict, input, usize::MAX),
        event_log(&strict, input, 1),
        event_log(&lenient, input, usize::MAX),
        event_log(&lenient, input, 1),
    ]
    .map(|log| format!("{:016x}", fnv1a(log.as_bytes())));
    format!("{id}\t{}", hashes.join(" "))
}

#[test]
fn event_logs_match_the_recorded_ones() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    let inputs = inputs();
    if std::env::var_os("TERN_BLESS_GOLDEN").is_some() {
        let mut text = String::new();
        for (id, input) in &inputs {
            text.push_str(&golden_line(id, input));
            text.push('\n');
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&path).expect("tests/golden/events.txt exists");
    let by_id: std::collections::HashMap<&str, &[u8]> = inputs
        .iter()
        .map(|(id, input)| (id.as_str(), input.as_slice()))
        .collect();
    let mut checked = 0;
    let mut differences = Vec::new();
    for line in recorded.lines() {
        let (id, _) = line.split_once('\t').expect("id, tab, hashes");
        // A recorded input that is gone would silently shrink the check.
        let input = by_id
            .get(id)
            .unwrap_or_else(|| panic!("recorded input {id} no longer exists"));
        let now = golden_line(id, input);
        if now != line {
            differences.push(format!("was {line}\n now {now}"));
        }
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} inputs recorded");
    assert!(
        differences.is_empty(),
        "{} of {checked} inputs behave differently:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn the_log_sees_offsets_and_leniencies() {
    // The hash must notice what the driver does not print.
    let strict = Config::default();
    let a = event_log(&strict, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", usize::MAX);
    let b = event_log(&strict, b"GET / HTTP/1.1\r\nHost:  a\r\n\r\n", usize::MAX);
    assert_ne!(a, b, "value offsets differ, so head_len differs");
    let bare = event_log(&lenient(), b"GET / HTTP/1.1\nHost: a\r\n\r\n", usize::MAX);
    assert!(bare.contains("leniency BareLf at 14"), "{bare}");
    let bad = event_log(&strict, b"GET / HTTP/1.1\r\nHo st: a\r\n\r\n", 1);
    assert!(bad.contains("error InvalidHeaderName at 18"), "{bad}");
}

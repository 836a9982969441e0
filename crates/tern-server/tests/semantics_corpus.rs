//! Replays the fuzz corpora of tern-server's HTTP semantics, and every crash
//! ever found, through the fuzz targets' own checks, on stable and without
//! libFuzzer.
//!
//! For each target in `fuzz/src/semantics` (compiled in here from the same
//! files the fuzz targets use), every file in `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` must pass the check.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../fuzz/src/semantics/mod.rs"]
mod semantics;

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files directly inside `dir` (none if it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on the file; the panic message if it fails.
fn run(check: fn(&[u8]), path: &Path) -> Result<(), String> {
    let data = match std::fs::read(path) {
        Ok(data) => data,
        // A fuzzer running alongside replaces corpus files as it minimises them.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => panic!("{}: {e}", path.display()),
    };
    panic::catch_unwind(AssertUnwindSafe(|| check(&data))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

#[test]
fn corpus_and_regressions_pass_every_check() {
    let root = fuzz_dir();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for &(target, check) in semantics::TARGETS {
        let corpus = files(&root.join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ has no seeds");
        let regressions = files(&root.join("regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            replayed += 1;
            if let Err(why) = run(check, path) {
                failures.push(format!("{}: {why}", path.display()));
            }
        }
    }
    println!("replayed {replayed} corpus and regression files");
    assert!(
        failures.is_empty(),
        "{} of {replayed} files fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// tern-proto's replay test learns these directories from
/// `checks::SEMANTICS_TARGETS` (it cannot build this module): keep the two
/// lists equal.
#[test]
fn the_target_list_tern_proto_reads_is_this_one() {
    let source = std::fs::read_to_string(fuzz_dir().join("src/checks/mod.rs"))
        .expect("fuzz/src/checks/mod.rs");
    let start = source
        .find("pub const SEMANTICS_TARGETS: &[&str] = &[")
        .expect("SEMANTICS_TARGETS in fuzz/src/checks/mod.rs");
    let list = &source[start..];
    let list = &list[list.find("= &[").unwrap() + 4..list.find("];").unwrap()];
    let listed: Vec<&str> = list
        .split(',')
        .map(|name| name.trim().trim_matches('"'))
        .filter(|name| !name.is_empty())
        .collect();
    let targets: Vec<&str> = semantics::TARGETS.iter().map(|&(name, _)| name).collect();
    assert_eq!(listed, targets);
}

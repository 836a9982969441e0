//! Replays the fuzz corpora and every crash ever found through the fuzz
//! targets' own checks, on stable and without libFuzzer.
//!
//! For each target in `fuzz/src/checks` (compiled in here from the same files
//! the fuzz targets use):
//!
//! - every file in `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`
//!   must pass the check;
//! - every file in `fuzz/regressions/<target>/pending/` reproduces a known bug
//!   that is waiting for its fix (see `fuzz/src/checks/known.rs`) and must
//!   still fail; once it passes, move it up to `fuzz/regressions/<target>/`.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../../fuzz/src/checks/mod.rs"]
mod checks;

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
    for &(target, check) in checks::TARGETS {
        let corpus = files(&root.join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ has no seeds");
        let regressions = files(&root.join("regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            replayed += 1;
            if let Err(why) = run(check, path) {
                failures.push(format!("{}: {why}", path.display()));
            }
        }
        for path in files(&root.join("regressions").join(target).join("pending")) {
            if run(check, &path).is_ok() {
                failures.push(format!(
                    "{}: passes now; move it to fuzz/regressions/{target}/ and drop its entry in fuzz/src/checks/known.rs",
                    path.display()
                ));
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

#[test]
fn every_corpus_directory_belongs_to_a_target() {
    let root = fuzz_dir();
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind)) else {
            continue;
        };
        for entry in entries {
            let name = entry.expect("readable directory entry").file_name();
            let name = name.to_string_lossy();
            assert!(
                checks::TARGETS.iter().any(|&(target, _)| target == name),
                "fuzz/{kind}/{name} matches no target in fuzz/src/checks"
            );
        }
    }
}

//! Traceability from the numbered requirements of `spec/http11-core.md` to the
//! checks that test them, and the generator of `spec/reports/TRACE.md`.
//!
//! Three kinds of check are collected:
//!
//! - conformance vectors: the `Requirements:` line of each case in
//!   `spec/vectors/*.md`;
//! - tests in `crates/tern-proto/tests/` and its subdirectories: a comment line
//!   `// spec: ID, ID, ...` (one or more such lines) directly above a test
//!   names what it checks; a test whose arguments are drawn from strategies
//!   (`name in strategy`) is listed as a property;
//! - fuzz targets in `fuzz/fuzz_targets/*.rs`: `// spec: ...` lines anywhere
//!   in the target's file.
//!
//! The tests below fail when a requirement has no check at all, when a vector
//! or a tag names an ID the spec does not define, when a tag stands above no
//! test, and when `spec/reports/TRACE.md` is not what the generator makes of the
//! current files. Regenerate it with
//!
//! ```sh
//! TERN_BLESS=1 cargo test -p tern-proto --test api trace::
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support;

/// The marker of a tag line, after leading whitespace.
const TAG: &str = "// spec:";

/// One numbered requirement of the spec.
struct Requirement {
    id: String,
    section: String,
    withdrawn: bool,
}

/// What kind of check a tagged item is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Property,
    Test,
    Fuzz,
}

/// A tagged test or fuzz target.
struct Tagged {
    kind: Kind,
    /// `file.rs::test_name` for tests, the target name for fuzz targets.
    name: String,
    ids: Vec<String>,
}

/// The checks found for one requirement.
#[derive(Default)]
struct Checks {
    /// `(vector file, case id)`, in file order.
    vectors: Vec<(String, String)>,
    properties: Vec<String>,
    tests: Vec<String>,
    fuzz: Vec<String>,
}

impl Checks {
    fn is_empty(&self) -> bool {
        self.vectors.is_empty()
            && self.properties.is_empty()
            && self.tests.is_empty()
            && self.fuzz.is_empty()
    }
}

/// Everything the generator read, and what it found wrong.
struct Trace {
    requirements: Vec<Requirement>,
    checks: BTreeMap<String, Checks>,
    problems: Vec<String>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn trace_path() -> PathBuf {
    repo_root().join("spec/reports/TRACE.md")
}

/// The `.rs` files directly in `dir`, sorted by name.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

/// The `.rs` files in `dir` and its subdirectories, sorted by path.
fn rust_files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = rust_files(dir);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    entries.sort();
    for subdir in entries {
        files.extend(rust_files_below(&subdir));
    }
    files.sort();
    files
}

/// How a test file is named in the trace: its path below the tests
/// directory (`api/head.rs`).
fn test_file_name(path: &Path) -> String {
    let tests = repo_root().join("crates/tern-proto/tests");
    path.strip_prefix(&tests).map_or_else(
        |_| file_name(path),
        |relative| relative.to_string_lossy().into_owned(),
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// The requirements, in the order of the spec, with the `## ` section each is in.
/// A requirement is a list item that starts with its bold ID: `- **ID** — …`.
fn read_requirements() -> Vec<Requirement> {
    let spec = std::fs::read_to_string(repo_root().join("spec/http11-core.md"))
        .expect("spec/http11-core.md exists");
    let mut section = String::new();
    let mut requirements = Vec::new();
    for line in spec.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_owned();
            continue;
        }
        let Some(rest) = line.strip_prefix("- **") else {
            continue;
        };
        let Some((id, after)) = rest.split_once("**") else {
            continue;
        };
        let is_id = id.contains('-')
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if is_id {
            requirements.push(Requirement {
                id: id.to_owned(),
                section: section.clone(),
                withdrawn: after.to_ascii_lowercase().contains("withdrawn"),
            });
        }
    }
    requirements
}

/// The IDs of a tag line's text after `// spec:`.
fn tag_ids(text: &str) -> Vec<String> {
    text.split(',')
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

/// The tagged tests of one test file. `problems` gets tags that stand above no test.
fn tagged_tests(path: &Path, problems: &mut Vec<String>) -> Vec<Tagged> {
    let file = test_file_name(path);
    let text = std::fs::read_to_string(path).expect("readable test file");
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    // The IDs of the tag lines read since the last test, and where they began.
    let mut pending: Option<(usize, Vec<String>)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line.strip_prefix(TAG) {
            pending
                .get_or_insert_with(|| (i + 1, Vec::new()))
                .1
                .extend(tag_ids(rest));
            i += 1;
            continue;
        }
        let Some((tag_line, ids)) = pending.take() else {
            i += 1;
            continue;
        };
        // Between a tag and its test: attributes and comments only.
        if line.starts_with("#[") || line.starts_with("//") || line.is_empty() {
            pending = Some((tag_line, ids));
            i += 1;
            continue;
        }
        let name = line
            .split_once("fn ")
            .filter(|(before, _)| {
                before
                    .split_whitespace()
                    .all(|w| w == "pub" || w == "async")
            })
            .map(|(_, after)| {
                after
                    .chars()
                    .take_while(|&c| c.is_ascii_alphanumeric() || c == '_')
                    .collect::<String>()
            })
            .filter(|name| !name.is_empty());
        let Some(name) = name else {
            problems.push(format!(
                "{file}:{tag_line}: a `{TAG}` tag must stand directly above a test function"
            ));
            continue;
        };
        if ids.is_empty() {
            problems.push(format!(
                "{file}:{tag_line}: a `{TAG}` tag names no requirement"
            ));
        }
        // The signature runs to the line that opens the body.
        let mut signature = String::new();
        for line in &lines[i..] {
            signature.push_str(line);
            signature.push(' ');
            let end = line.trim_end();
            if end.ends_with('{') || end.ends_with(';') {
                break;
            }
        }
        let kind = if signature.contains(" in ") || signature.contains("=>") {
            Kind::Property
        } else {
            Kind::Test
        };
        found.push(Tagged {
            kind,
            name: format!("{file}::{name}"),
            ids,
        });
        i += 1;
    }
    if let Some((tag_line, _)) = pending {
        problems.push(format!(
            "{file}:{tag_line}: a `{TAG}` tag at the end of the file tags nothing"
        ));
    }
    found
}

/// The tags of one fuzz target: every tag line in its file.
fn tagged_fuzz_target(path: &Path) -> Option<Tagged> {
    let text = std::fs::read_to_string(path).expect("readable fuzz target");
    let ids: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix(TAG))
        .flat_map(tag_ids)
        .collect();
    let name = path.file_stem().expect("a file stem").to_string_lossy();
    (!ids.is_empty()).then(|| Tagged {
        kind: Kind::Fuzz,
        name: name.into_owned(),
        ids,
    })
}

/// Reads the spec, the vectors and the tags.
fn collect() -> Trace {
    let requirements = read_requirements();
    let mut checks: BTreeMap<String, Checks> = requirements
        .iter()
        .map(|r| (r.id.clone(), Checks::default()))
        .collect();
    let mut problems = Vec::new();

    for case in support::vectors::load_cases() {
        for id in &case.requirements {
            match checks.get_mut(id) {
                Some(entry) => entry.vectors.push((case.file.clone(), case.id.clone())),
                None => problems.push(format!(
                    "spec/vectors/{}: case {} names {id}, which spec/http11-core.md does not define",
                    case.file, case.id
                )),
            }
        }
    }

    let root = repo_root();
    let mut tagged = Vec::new();
    for path in rust_files_below(&root.join("crates/tern-proto/tests")) {
        tagged.extend(tagged_tests(&path, &mut problems));
    }
    for path in rust_files(&root.join("fuzz/fuzz_targets")) {
        tagged.extend(tagged_fuzz_target(&path));
    }
    for item in &tagged {
        let mut seen = BTreeSet::new();
        for id in &item.ids {
            if !seen.insert(id) {
                continue;
            }
            let Some(entry) = checks.get_mut(id) else {
                problems.push(format!(
                    "{}: tagged with {id}, which spec/http11-core.md does not define",
                    item.name
                ));
                continue;
            };
            let list = match item.kind {
                Kind::Property => &mut entry.properties,
                Kind::Test => &mut entry.tests,
                Kind::Fuzz => &mut entry.fuzz,
            };
            list.push(item.name.clone());
        }
    }
    Trace {
        requirements,
        checks,
        problems,
    }
}

/// `spec/reports/TRACE.md` as the generator makes it.
fn render(trace: &Trace) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Traceability: requirements and their checks");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "<!-- Generated by crates/tern-proto/tests/api/trace.rs. Do not edit. -->"
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "For every numbered requirement of [`http11-core.md`](../http11-core.md), the checks \
         that test it:"
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "- **vectors**: cases in [`vectors/`](../vectors/) whose `Requirements:` line names it \
         (run whole, byte by byte and at every split by `crates/tern-proto/tests/api/conformance.rs`);"
    );
    let _ = writeln!(
        w,
        "- **properties**: proptest properties in `crates/tern-proto/tests/`, tagged with a \
         `// spec: ID, ...` comment line above the test;"
    );
    let _ = writeln!(
        w,
        "- **tests**: example-based tests in `crates/tern-proto/tests/`, tagged the same way;"
    );
    let _ = writeln!(
        w,
        "- **fuzz targets**: targets in `fuzz/fuzz_targets/` whose file carries such a tag \
         (their corpora are replayed on every `cargo test` by \
         `crates/tern-proto/tests/api/corpus_replay.rs`)."
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "`crates/tern-proto/tests/api/trace.rs` fails when a requirement has no check, when a \
         vector or a tag names an unknown ID, or when this file is stale. Regenerate it with:"
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "```sh");
    let _ = writeln!(
        w,
        "TERN_BLESS=1 cargo test -p tern-proto --test api trace::"
    );
    let _ = writeln!(w, "```");
    let _ = writeln!(w);

    let active: Vec<&Requirement> = trace.requirements.iter().filter(|r| !r.withdrawn).collect();
    let count =
        |f: &dyn Fn(&Checks) -> bool| active.iter().filter(|r| f(&trace.checks[&r.id])).count();
    let _ = writeln!(w, "## Summary");
    let _ = writeln!(w);
    let _ = writeln!(w, "| | requirements |");
    let _ = writeln!(w, "|---|---:|");
    let _ = writeln!(w, "| numbered (not withdrawn) | {} |", active.len());
    let _ = writeln!(
        w,
        "| with at least one vector | {} |",
        count(&|c| !c.vectors.is_empty())
    );
    let _ = writeln!(
        w,
        "| with at least one property | {} |",
        count(&|c| !c.properties.is_empty())
    );
    let _ = writeln!(
        w,
        "| with at least one tagged test | {} |",
        count(&|c| !c.tests.is_empty())
    );
    let _ = writeln!(
        w,
        "| with at least one fuzz target | {} |",
        count(&|c| !c.fuzz.is_empty())
    );
    let _ = writeln!(
        w,
        "| checked by vectors only | {} |",
        count(&|c| c.properties.is_empty() && c.tests.is_empty() && c.fuzz.is_empty())
    );
    let _ = writeln!(w, "| with no check at all | {} |", count(&Checks::is_empty));
    let _ = writeln!(w);

    let _ = writeln!(w, "## Table");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "| requirement | section | vectors | properties | tests | fuzz targets |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|");
    for requirement in &trace.requirements {
        let checks = &trace.checks[&requirement.id];
        let id = if requirement.withdrawn {
            format!("{} (withdrawn)", requirement.id)
        } else {
            format!(
                "[{}](#{})",
                requirement.id,
                requirement.id.to_ascii_lowercase()
            )
        };
        let _ = writeln!(
            w,
            "| {id} | {} | {} | {} | {} | {} |",
            requirement.section,
            checks.vectors.len(),
            checks.properties.len(),
            checks.tests.len(),
            checks.fuzz.len()
        );
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Checks by requirement");
    let mut section = "";
    for requirement in &trace.requirements {
        if requirement.section != section {
            section = &requirement.section;
            let _ = writeln!(w);
            let _ = writeln!(w, "### {section}");
        }
        let checks = &trace.checks[&requirement.id];
        let _ = writeln!(w);
        let _ = writeln!(w, "#### {}", requirement.id);
        let _ = writeln!(w);
        if requirement.withdrawn {
            let _ = writeln!(w, "Withdrawn.");
            continue;
        }
        // Vectors, grouped by file in file order.
        let mut by_file: Vec<(&str, Vec<&str>)> = Vec::new();
        for (file, case) in &checks.vectors {
            match by_file.last_mut() {
                Some((last, cases)) if *last == file.as_str() => cases.push(case),
                _ => by_file.push((file, vec![case])),
            }
        }
        if by_file.is_empty() {
            let _ = writeln!(w, "- vectors: none");
        } else {
            let _ = writeln!(w, "- vectors ({}):", checks.vectors.len());
            for (file, cases) in by_file {
                let cases: Vec<String> = cases.iter().map(|c| format!("`{c}`")).collect();
                let _ = writeln!(w, "  - [{file}](../vectors/{file}): {}", cases.join(", "));
            }
        }
        for (label, names) in [
            ("properties", &checks.properties),
            ("tests", &checks.tests),
            ("fuzz targets", &checks.fuzz),
        ] {
            if names.is_empty() {
                let _ = writeln!(w, "- {label}: none");
            } else {
                let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let _ = writeln!(w, "- {label}: {}", names.join(", "));
            }
        }
    }
    out
}

#[test]
fn every_requirement_has_a_check() {
    let trace = collect();
    assert!(
        trace.requirements.len() >= 50,
        "only {} requirement ids found in spec/http11-core.md",
        trace.requirements.len()
    );
    let mut ids = BTreeSet::new();
    for requirement in &trace.requirements {
        assert!(
            ids.insert(&requirement.id),
            "{} is defined twice",
            requirement.id
        );
    }
    let unchecked: Vec<&str> = trace
        .requirements
        .iter()
        .filter(|r| !r.withdrawn && trace.checks[&r.id].is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        unchecked.is_empty(),
        "requirements with no vector, test or fuzz target: {unchecked:?}"
    );
}

#[test]
fn every_named_requirement_exists_and_every_tag_tags_a_test() {
    let trace = collect();
    assert!(
        trace.problems.is_empty(),
        "traceability problems:\n{}",
        trace.problems.join("\n")
    );
}

#[test]
fn trace_md_is_up_to_date() {
    let generated = render(&collect());
    let path = trace_path();
    if std::env::var_os("TERN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("spec/reports/TRACE.md is writable");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != generated {
        let first_difference = current
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| current.lines().count().min(generated.lines().count()));
        panic!(
            "spec/reports/TRACE.md is stale (first difference at line {}); regenerate it with\n\
             TERN_BLESS=1 cargo test -p tern-proto --test api trace::",
            first_difference + 1
        );
    }
}

//! The spec vector files (`spec/vectors/*.md`), read as the spec README describes.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One conformance case from a vector file.
pub struct Case {
    pub id: String,
    pub file: String,
    pub requirements: Vec<String>,
    pub input: Vec<u8>,
    pub expected: Value,
}

pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors")
}

/// Decodes the escapes of an `http` block; the file's own newlines are dropped.
fn decode_http_block(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().filter(|&c| c != '\n');
    while let Some(c) = chars.next() {
        if c != '\\' {
            if !c.is_ascii() {
                return Err(format!("non-ASCII character {c:?}: write it as \\xHH"));
            }
            out.push(c as u8);
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16).map_err(|_| format!("bad \\x{hex}"))?;
                out.push(byte);
            }
            other => return Err(format!("unknown escape \\{other:?}")),
        }
    }
    Ok(out)
}

/// Parses the vector files: `## id`, `Requirements: …`, an `http` block and a
/// `json` block per case.
pub fn load_cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("spec/vectors exists")
        .map(|entry| entry.expect("readable dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    paths.sort();
    let mut cases = Vec::new();
    for path in paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("readable vector file");
        for section in text.split("\n## ").skip(1) {
            let id = section.lines().next().unwrap().trim().to_owned();
            let context = format!("{file}: case {id}");
            let requirements = section
                .lines()
                .find_map(|line| line.strip_prefix("Requirements:"))
                .unwrap_or_else(|| panic!("{context}: no Requirements line"))
                .split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect::<Vec<_>>();
            let block = |lang: &str| {
                let fence = format!("```{lang}\n");
                let start = section
                    .find(&fence)
                    .unwrap_or_else(|| panic!("{context}: no {lang} block"))
                    + fence.len();
                let end = section[start..]
                    .find("```")
                    .unwrap_or_else(|| panic!("{context}: unterminated {lang} block"));
                section[start..start + end].to_owned()
            };
            let input =
                decode_http_block(&block("http")).unwrap_or_else(|e| panic!("{context}: {e}"));
            let expected: Value = serde_json::from_str(&block("json"))
                .unwrap_or_else(|e| panic!("{context}: bad json: {e}"));
            cases.push(Case {
                id,
                file: file.clone(),
                requirements,
                input,
                expected,
            });
        }
    }
    cases
}

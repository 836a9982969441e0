//! Runs every case in `spec/vectors/*.md` through the parser: whole, byte by
//! byte, at every two-way split, and (when it ends cleanly) with a pipelined
//! request behind it. Every run must match the case's expected result.

use std::fmt::Write as _;

use serde_json::Value;
use tern_proto::transcript::{self, Message, Transcript};
use tern_proto::{Config, Framing};

use crate::support::vectors::{load_cases, vectors_dir};

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn fields_json(fields: &[(Vec<u8>, Vec<u8>)]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|(n, v)| Value::Array(vec![latin1(n).into(), latin1(v).into()]))
            .collect(),
    )
}

fn message_json(message: &Message, extras: &Value) -> Value {
    let mut json = serde_json::json!({
        "method": latin1(&message.method),
        "target": latin1(&message.target),
        "version": latin1(&message.version),
        "headers": fields_json(&message.headers),
        "body": latin1(&message.body),
        "trailers": fields_json(&message.trailers),
    });
    // Optional keys are compared only when the case states them.
    let framing = match message.framing {
        Framing::NoBody => "none",
        Framing::Length(_) => "length",
        Framing::Chunked => "chunked",
        _ => "other",
    };
    let optional = [
        ("keep_alive", Value::from(message.keep_alive)),
        ("expect_continue", Value::from(message.expects_continue)),
        ("upgrade", Value::from(message.upgrade)),
        ("framing", Value::from(framing)),
        ("path", Value::from(latin1(&message.path))),
        ("query", Value::from(message.query.as_deref().map(latin1))),
    ];
    for (key, value) in optional {
        if extras.get(key).is_some() {
            json[key] = value;
        }
    }
    json
}

fn transcript_json(transcript: &Transcript, expected: &Value) -> Value {
    let no_extras = Value::Null;
    let messages = transcript
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| message_json(m, expected["messages"].get(i).unwrap_or(&no_extras)))
        .collect::<Vec<_>>();
    let mut json = serde_json::json!({
        "messages": messages,
        "error": transcript.error.map(|e| e.kind().as_str()),
        "incomplete": transcript.incomplete,
        "unconsumed": transcript.unconsumed,
    });
    if expected.get("status").is_some() {
        json["status"] = transcript.error.map(|e| e.status_hint()).into();
    }
    json
}

/// The ways a case is delivered: whole, byte by byte, at every two-way split.
fn deliveries(len: usize) -> impl Iterator<Item = (String, Vec<usize>)> {
    let whole = std::iter::once(("whole".to_owned(), Vec::new()));
    let bytewise = std::iter::once(("byte by byte".to_owned(), (1..len).collect()));
    let splits = (1..len).map(|cut| (format!("split at {cut}"), vec![cut]));
    whole.chain(bytewise).chain(splits)
}

// spec: RESULT-4
#[test]
fn every_vector_under_every_split() {
    let cases = load_cases();
    let config = Config::default();
    let mut failures = String::new();
    let mut seen = std::collections::HashSet::new();
    for case in &cases {
        assert!(
            seen.insert(case.id.clone()),
            "duplicate case id {}",
            case.id
        );
        assert!(!case.requirements.is_empty(), "{}: no requirement", case.id);
        for (how, cuts) in deliveries(case.input.len()) {
            let actual = transcript_json(
                &transcript::run(&config, &case.input, &cuts),
                &case.expected,
            );
            if actual != case.expected {
                let _ = writeln!(
                    failures,
                    "{} / {} ({how}):\n  expected {}\n  actual   {}",
                    case.file, case.id, case.expected, actual
                );
                break;
            }
        }
    }
    assert!(failures.is_empty(), "conformance failures:\n{failures}");
    assert!(cases.len() >= 250, "only {} vectors", cases.len());
}

// spec: PIPE-1, PIPE-2
#[test]
fn a_pipelined_request_after_a_clean_case_is_parsed_too() {
    let follower = b"GET /next HTTP/1.1\r\nHost: f\r\n\r\n";
    let config = Config::default();
    for case in load_cases() {
        let clean = case.expected["error"].is_null()
            && case.expected["incomplete"] == false
            && case.expected["unconsumed"] == 0;
        let alone = transcript::run(&config, &case.input, &[]);
        let keeps_open = alone.messages.last().is_some_and(|m| m.keep_alive);
        if !clean || !keeps_open {
            continue;
        }
        let mut input = case.input.clone();
        input.extend_from_slice(follower);
        for (how, cuts) in deliveries(input.len()).take(2) {
            let both = transcript::run(&config, &input, &cuts);
            assert_eq!(
                both.messages.len(),
                alone.messages.len() + 1,
                "{} ({how})",
                case.id
            );
            assert_eq!(
                &both.messages[..alone.messages.len()],
                &alone.messages[..],
                "{}",
                case.id
            );
            assert_eq!(
                both.messages.last().unwrap().target,
                b"/next",
                "{}",
                case.id
            );
        }
    }
}

#[test]
fn every_requirement_has_a_vector() {
    let spec = std::fs::read_to_string(vectors_dir().join("../http11-core.md"))
        .expect("spec/http11-core.md exists");
    let cases = load_cases();
    let covered: std::collections::HashSet<&str> = cases
        .iter()
        .flat_map(|c| c.requirements.iter().map(String::as_str))
        .collect();
    let mut missing = Vec::new();
    let mut found = 0;
    // A requirement is a list item that starts with its bold id: `- **ID** — …`.
    for line in spec.lines() {
        let Some(rest) = line.strip_prefix("- **") else {
            continue;
        };
        let Some((id, _)) = rest.split_once("**") else {
            continue;
        };
        if id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && id.contains('-')
        {
            found += 1;
            if !covered.contains(id) {
                missing.push(id.to_owned());
            }
        }
    }
    assert!(
        found >= 50,
        "only {found} requirement ids found in http11-core.md"
    );
    assert!(
        missing.is_empty(),
        "requirements without a vector: {missing:?}"
    );
}

//! The conformance driver: JSON Lines in, JSON Lines out (see spec/README.md).
//!
//! Each input line is `{"id": "...", "input": "<base64>"}`; each output line
//! reports what the parser, in its strict default configuration, made of those
//! bytes as one connection.

use std::io::{self, BufRead, BufWriter, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tern_proto::Config;
use tern_proto::transcript::{self, Transcript};

fn main() -> io::Result<()> {
    let config = Config::default();
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let mut json = String::new();
        match parse_line(&line) {
            Ok((id, input)) => {
                let transcript = transcript::run(&config, &input, &[]);
                write_transcript(&mut json, &id, &transcript);
            }
            Err((id, why)) => {
                eprintln!("conformance: bad input line: {why}");
                json.push_str("{\"id\": ");
                push_json_value(&mut json, &id);
                json.push_str(", \"messages\": [], \"error\": \"driver_input\", \"incomplete\": false, \"unconsumed\": 0}");
            }
        }
        writeln!(out, "{json}")?;
        // One answer per line, promptly: a caller may be waiting for it.
        out.flush()?;
    }
    Ok(())
}

fn parse_line(line: &str) -> Result<(serde_json::Value, Vec<u8>), (serde_json::Value, String)> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| (serde_json::Value::Null, e.to_string()))?;
    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
    let Some(encoded) = value.get("input").and_then(serde_json::Value::as_str) else {
        return Err((id, "no \"input\" string".into()));
    };
    match STANDARD.decode(encoded) {
        Ok(bytes) => Ok((id, bytes)),
        Err(e) => Err((id, e.to_string())),
    }
}

fn write_transcript(json: &mut String, id: &serde_json::Value, transcript: &Transcript) {
    json.push_str("{\"id\": ");
    push_json_value(json, id);
    json.push_str(", \"messages\": [");
    for (i, message) in transcript.messages.iter().enumerate() {
        if i > 0 {
            json.push_str(", ");
        }
        json.push_str("{\"method\": ");
        push_latin1(json, &message.method);
        json.push_str(", \"target\": ");
        push_latin1(json, &message.target);
        json.push_str(", \"version\": ");
        push_latin1(json, &message.version);
        json.push_str(", \"headers\": ");
        push_fields(json, &message.headers);
        json.push_str(", \"body\": \"");
        json.push_str(&STANDARD.encode(&message.body));
        json.push_str("\", \"trailers\": ");
        push_fields(json, &message.trailers);
        json.push('}');
    }
    json.push_str("], \"error\": ");
    match transcript.error {
        Some(error) => {
            json.push('"');
            json.push_str(error.kind().as_str());
            json.push('"');
        }
        None => json.push_str("null"),
    }
    json.push_str(", \"incomplete\": ");
    json.push_str(if transcript.incomplete {
        "true"
    } else {
        "false"
    });
    json.push_str(", \"unconsumed\": ");
    json.push_str(&transcript.unconsumed.to_string());
    json.push('}');
}

fn push_json_value(json: &mut String, value: &serde_json::Value) {
    json.push_str(&value.to_string());
}

fn push_fields(json: &mut String, fields: &[(Vec<u8>, Vec<u8>)]) {
    json.push('[');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            json.push_str(", ");
        }
        json.push('[');
        push_latin1(json, name);
        json.push_str(", ");
        push_latin1(json, value);
        json.push(']');
    }
    json.push(']');
}

/// A JSON string in which each byte is the code point of the same value.
fn push_latin1(json: &mut String, bytes: &[u8]) {
    json.push('"');
    for &byte in bytes {
        match byte {
            b'"' => json.push_str("\\\""),
            b'\\' => json.push_str("\\\\"),
            0x00..=0x1f | 0x7f => json.push_str(&format!("\\u{byte:04x}")),
            _ => json.push(char::from(byte)),
        }
    }
    json.push('"');
}

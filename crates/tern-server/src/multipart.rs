//! `multipart/byteranges` bodies (RFC 9110 §14.6). One writer serves both
//! ways such a body leaves: copied whole after the head when the file's bytes
//! are cached, or part by part from the connection, each part header in the
//! output buffer followed by the part's bytes with `sendfile`.

use std::io::Write;
use std::sync::OnceLock;

use crate::semantics::range::Span;

/// The prefix of the `Content-Type` of a multipart body.
const CONTENT_TYPE_PREFIX: &[u8] = b"multipart/byteranges; boundary=";

/// The boundary of this process: the time and the process id, long enough
/// that it does not occur in a file by chance.
pub(crate) fn boundary() -> &'static [u8] {
    static B: OnceLock<String> = OnceLock::new();
    B.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("tern-{:016x}{:08x}", t as u64, std::process::id())
    })
    .as_bytes()
}

/// `multipart/byteranges; boundary=…` into `out`, returning its length.
pub(crate) fn content_type(out: &mut [u8; 64]) -> usize {
    let b = boundary();
    let len = CONTENT_TYPE_PREFIX.len() + b.len();
    out[..CONTENT_TYPE_PREFIX.len()].copy_from_slice(CONTENT_TYPE_PREFIX);
    out[CONTENT_TYPE_PREFIX.len()..len].copy_from_slice(b);
    len
}

/// The parts of one multipart body, of a file of `size` bytes whose own
/// type is `content_type`, and which of them comes next.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    spans: Vec<Span>,
    next: usize,
    done: bool,
}

impl Parts {
    /// The body of these spans (ascending, not overlapping).
    pub(crate) fn new(spans: Vec<Span>) -> Self {
        Self {
            spans,
            next: 0,
            done: false,
        }
    }

    /// The exact length of the whole body.
    pub(crate) fn body_len(&self, content_type: &[u8], size: u64) -> u64 {
        let mut scratch = Vec::with_capacity(160);
        let mut total = 0u64;
        for &span in &self.spans {
            scratch.clear();
            part_head(&mut scratch, content_type, span, size);
            total += scratch.len() as u64 + span.len();
        }
        scratch.clear();
        closing(&mut scratch);
        total + scratch.len() as u64
    }

    /// Appends what comes next to `out`: the next part's header, returning
    /// the span of file bytes to send after it, or (after the last part)
    /// the closing delimiter, returning `None`. Nothing once finished.
    pub(crate) fn advance(
        &mut self,
        content_type: &[u8],
        size: u64,
        out: &mut Vec<u8>,
    ) -> Option<Span> {
        if let Some(&span) = self.spans.get(self.next) {
            self.next += 1;
            part_head(out, content_type, span, size);
            return Some(span);
        }
        if !self.done {
            self.done = true;
            closing(out);
        }
        None
    }

    /// Whether the closing delimiter has been written.
    pub(crate) fn finished(&self) -> bool {
        self.done
    }

    /// The file bytes of the parts not yet started.
    pub(crate) fn bytes_left(&self) -> u64 {
        self.spans[self.next..].iter().map(|s| s.len()).sum()
    }
}

/// `CRLF --BOUNDARY CRLF Content-Type: … CRLF Content-Range: bytes a-b/size CRLF CRLF`.
fn part_head(out: &mut Vec<u8>, content_type: &[u8], span: Span, size: u64) {
    out.extend_from_slice(b"\r\n--");
    out.extend_from_slice(boundary());
    out.extend_from_slice(b"\r\nContent-Type: ");
    out.extend_from_slice(content_type);
    let _ = write!(
        out,
        "\r\nContent-Range: bytes {}-{}/{size}\r\n\r\n",
        span.start,
        span.end - 1
    );
}

fn closing(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\n--");
    out.extend_from_slice(boundary());
    out.extend_from_slice(b"--\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_its_announced_length_and_form() {
        let spans = vec![
            Span { start: 0, end: 10 },
            Span {
                start: 3000,
                end: 3010,
            },
        ];
        let mut parts = Parts::new(spans.clone());
        let len = parts.body_len(b"text/plain", 4096);
        let mut body = Vec::new();
        let mut sent = Vec::new();
        while let Some(span) = parts.advance(b"text/plain", 4096, &mut body) {
            sent.push(span);
            body.extend(std::iter::repeat_n(b'x', span.len() as usize));
        }
        assert!(parts.finished());
        assert_eq!(sent, spans);
        assert_eq!(body.len() as u64, len);
        assert_eq!(parts.advance(b"text/plain", 4096, &mut body), None);
        assert_eq!(
            body.len() as u64,
            len,
            "nothing after the closing delimiter"
        );
        let text = String::from_utf8_lossy(&body);
        let b = String::from_utf8_lossy(boundary()).into_owned();
        assert!(text.starts_with(&format!(
            "\r\n--{b}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-9/4096\r\n\r\n"
        )));
        assert!(text.contains("Content-Range: bytes 3000-3009/4096\r\n\r\n"));
        assert!(text.ends_with(&format!("\r\n--{b}--\r\n")));
    }
}

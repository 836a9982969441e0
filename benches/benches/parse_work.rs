//! The work each side does per iteration of the parse benchmarks, shared by
//! the criterion bench (`parse.rs`) and the instruction counter
//! (`examples/parse_instructions.rs`), so both measure the same code.

use tern_proto::{Connection, Event, Intent, Outcome};

/// Parses every request in `input` (delivered at once) with one connection;
/// returns the number of fields and body bytes seen.
pub(crate) fn tern_all(conn: &mut Connection, input: &[u8]) -> usize {
    let mut start = 0;
    let mut seen = 0;
    loop {
        let step = conn.poll_event(&input[start..]).expect("valid fixture");
        start += step.consumed;
        match step.outcome {
            Outcome::Event(Event::Request(request)) => seen += request.headers().len(),
            Outcome::Event(Event::Data(data)) => seen += data.len(),
            Outcome::Event(Event::EndOfMessage(_)) => {
                conn.finish_response(Intent::KeepAlive).unwrap();
                conn.start_next_cycle().unwrap();
                if start == input.len() {
                    return seen;
                }
            }
            _ => unreachable!("fixtures are complete"),
        }
    }
}

/// Parses one request delivered in `piece`-byte arrivals; tern resumes.
pub(crate) fn tern_trickled(conn: &mut Connection, input: &[u8], piece: usize) -> usize {
    let mut start = 0;
    let mut available = 0;
    loop {
        available = (available + piece).min(input.len());
        loop {
            let step = conn.poll_event(&input[start..available]).expect("valid");
            start += step.consumed;
            match step.outcome {
                Outcome::Event(Event::EndOfMessage(_)) => {
                    conn.finish_response(Intent::KeepAlive).unwrap();
                    conn.start_next_cycle().unwrap();
                    return start;
                }
                Outcome::NeedData => break,
                _ => {}
            }
        }
    }
}

pub(crate) fn httparse_head(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(input).expect("valid fixture") {
        httparse::Status::Complete(len) => len + request.headers.len(),
        httparse::Status::Partial => 0,
    }
}

/// httparse's user re-parses the head from the start each time bytes arrive.
pub(crate) fn httparse_trickled(input: &[u8], piece: usize) -> usize {
    let mut available = 0;
    loop {
        available = (available + piece).min(input.len());
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(len) = request.parse(&input[..available]).expect("valid")
        {
            return len;
        }
    }
}

/// httparse's head parser plus its chunk-size parser for the body.
pub(crate) fn httparse_chunked_message(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(mut at) = request.parse(input).expect("valid") else {
        return 0;
    };
    let mut body = 0;
    loop {
        let httparse::Status::Complete((used, size)) =
            httparse::parse_chunk_size(&input[at..]).expect("valid chunk")
        else {
            return 0;
        };
        at += used;
        if size == 0 {
            // Empty trailer section.
            return body + at + 2;
        }
        body += size as usize;
        at += size as usize + 2;
    }
}

pub(crate) fn pico_head(input: &[u8]) -> usize {
    let mut method = std::ptr::null();
    let mut method_len = 0;
    let mut path = std::ptr::null();
    let mut path_len = 0;
    let mut minor = 0;
    let mut headers = [picohttpparser_sys::phr_header::default(); 64];
    let mut num_headers = headers.len();
    // SAFETY: every pointer refers to a live local or to `input`, whose length
    // is passed with it; picohttpparser writes at most `num_headers` headers.
    let result = unsafe {
        picohttpparser_sys::phr_parse_request(
            input.as_ptr().cast(),
            input.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor,
            headers.as_mut_ptr(),
            &mut num_headers,
            0,
        )
    };
    assert!(result > 0, "picohttpparser refused a fixture");
    result as usize + num_headers
}

/// httparse over `batch`, one request after the other, as a pipelining
/// server would.
pub(crate) fn httparse_pipelined(batch: &[u8]) -> usize {
    let mut at = 0;
    let mut seen = 0;
    while at < batch.len() {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        let httparse::Status::Complete(len) = request.parse(&batch[at..]).unwrap() else {
            unreachable!()
        };
        seen += request.headers.len();
        at += len;
    }
    seen
}

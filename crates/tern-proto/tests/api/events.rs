//! The event log of a connection, shared by the tests that compare runs
//! (golden logs, SIMD against scalar): every event with every part and
//! offset, so two runs agree only if they behave identically.
#![allow(unreachable_pub)]

use std::fmt::Write as _;

use tern_proto::{Config, Connection, Event, Framing, Intent, Outcome, State};

/// Every event of one connection fed `input` in pieces of `piece` bytes
/// (`usize::MAX`: whole), answering each request at once and keeping the
/// connection open while both sides want it.
pub fn event_log(config: &Config, input: &[u8], piece: usize) -> String {
    let arrivals = (1..)
        .map(|n: usize| n.saturating_mul(piece).min(input.len()))
        .take_while(|&end| end < input.len())
        .chain([input.len()]);
    event_log_arrivals(config, input, arrivals)
}

/// The same, fed `input[..split]` and then the rest.
pub fn event_log_split(config: &Config, input: &[u8], split: usize) -> String {
    event_log_arrivals(config, input, [split, input.len()].into_iter())
}

/// The same, with the bytes up to each of `arrivals` (ascending, the last one
/// `input.len()`) available in turn.
pub fn event_log_arrivals(
    config: &Config,
    input: &[u8],
    arrivals: impl Iterator<Item = usize>,
) -> String {
    let mut log = String::new();
    let mut conn = Connection::new(*config);
    let mut consumed = 0;
    for available in arrivals {
        loop {
            let step = match conn.poll_event(&input[consumed..available]) {
                Ok(step) => step,
                Err(error) => {
                    let _ = writeln!(
                        log,
                        "error {:?} at {}",
                        error.kind(),
                        consumed + error.offset()
                    );
                    return log;
                }
            };
            let at = consumed;
            consumed += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Request(request)) => {
                    let _ = writeln!(
                        log,
                        "request at {at}: {:?} {:?} {:?} {:?} head_len {} framing {:?} keep_alive {} continue {} upgrade {}",
                        request.method(),
                        request.method_bytes(),
                        request.target(),
                        request.version_bytes(),
                        request.head_len(),
                        RecordedFraming(request.framing()),
                        request.keep_alive(),
                        request.expects_continue(),
                        request.upgrade(),
                    );
                    for field in request.headers() {
                        let _ = writeln!(log, "  field {:?}: {:?}", field.name, field.value);
                    }
                    for leniency in request.leniencies() {
                        let _ =
                            writeln!(log, "  leniency {:?} at {}", leniency.kind, leniency.offset);
                    }
                }
                Outcome::Event(Event::Data(data)) => {
                    let _ = writeln!(log, "data at {at}: {data:?}");
                }
                Outcome::Event(Event::EndOfMessage(trailers)) => {
                    let _ = writeln!(log, "end at {at}");
                    for field in trailers.fields() {
                        let _ = writeln!(log, "  trailer {:?}: {:?}", field.name, field.value);
                    }
                    for leniency in trailers.leniencies() {
                        let _ =
                            writeln!(log, "  leniency {:?} at {}", leniency.kind, leniency.offset);
                    }
                    let _ = conn.finish_response(Intent::KeepAlive);
                    if conn.state() != State::Done {
                        let _ = writeln!(log, "closing, state {:?}", conn.state());
                        return log;
                    }
                    conn.start_next_cycle().expect("Done allows the next cycle");
                }
                Outcome::NeedData => {
                    if available >= input.len() {
                        let _ = writeln!(
                            log,
                            "need data at {consumed}, head started {}",
                            conn.head_started()
                        );
                        return log;
                    }
                    break;
                }
                Outcome::Paused | Outcome::Event(Event::ConnectionClosed) => {
                    let _ = writeln!(log, "stopped: {:?}", conn.state());
                    return log;
                }
                Outcome::Event(other) => {
                    let _ = writeln!(log, "other event {other:?}");
                    return log;
                }
                other => {
                    let _ = writeln!(log, "other outcome {other:?}");
                    return log;
                }
            }
        }
    }
    log
}

/// The framing as the golden logs spell it, which is how `Framing`'s `Debug`
/// printed it when they were recorded (before `None` became `NoBody`): the
/// logs pin behaviour, not the names of variants.
struct RecordedFraming(Framing);

impl std::fmt::Debug for RecordedFraming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Framing::NoBody => f.write_str("None"),
            Framing::Length(n) => write!(f, "Length({n})"),
            Framing::Chunked => f.write_str("Chunked"),
            other => write!(f, "{other:?}"),
        }
    }
}

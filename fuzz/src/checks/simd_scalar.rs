//! `simd_scalar`: the parser's SIMD scans against its scalar reference. The
//! same bytes, cut the same way, must give the same result on every call
//! (events with every span and leniency, errors with their offsets, states)
//! whether the connection may use vector instructions or is held to the
//! scalar code (`Config::scalar_only`). The SIMD side reads its bytes from a
//! start offset inside a larger buffer, so that vector blocks meet the input
//! at every alignment.
//!
//! Input: a [`CutPlan`] header, one byte for the start offset (0..63), then
//! the bytes of the connection.

use tern_proto::{Connection, Event, Intent, Outcome, State};

use super::{CutPlan, Source, config, show};

/// What the driver does after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Poll(usize),
    Wait(usize),
    Answer(usize),
    Stop,
}

/// One call's result, printed in full, and what to do next.
fn poll(conn: &mut Connection, input: &[u8]) -> (String, Next) {
    let result = conn.poll_event(input);
    let text = format!("{result:?}");
    let next = match result {
        Err(_) => Next::Stop,
        Ok(step) => match step.outcome {
            Outcome::Event(Event::EndOfMessage(_)) => Next::Answer(step.consumed),
            Outcome::NeedData => Next::Wait(step.consumed),
            Outcome::Event(Event::ConnectionClosed) | Outcome::Paused => Next::Stop,
            _ => Next::Poll(step.consumed),
        },
    };
    (text, next)
}

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let plan = CutPlan::read(&mut source);
    let offset = usize::from(source.byte() % 64);
    let input = source.rest();
    let simd_config = config(plan.config);
    let scalar_config = simd_config.scalar_only(true);
    // Bytes after the input too, which neither side may look at.
    let mut buffer = vec![b'x'; offset + input.len() + 64];
    buffer[offset..offset + input.len()].copy_from_slice(input);
    let shifted = &buffer[offset..offset + input.len()];

    let mut simd = Connection::new(simd_config);
    let mut scalar = Connection::new(scalar_config);
    let mut consumed = 0;
    for available in plan.cuts(input.len()).into_iter().chain([input.len()]) {
        loop {
            let (simd_text, simd_next) = poll(&mut simd, &shifted[consumed..available]);
            let (scalar_text, scalar_next) = poll(&mut scalar, &input[consumed..available]);
            assert_eq!(
                simd_text,
                scalar_text,
                "SIMD and scalar differ at {consumed}..{available} of {}",
                show(input)
            );
            assert_eq!(simd_next, scalar_next);
            match simd_next {
                Next::Stop => return,
                Next::Poll(n) => consumed += n,
                Next::Wait(n) => {
                    consumed += n;
                    break;
                }
                Next::Answer(n) => {
                    consumed += n;
                    let _ = simd.finish_response(Intent::KeepAlive);
                    let _ = scalar.finish_response(Intent::KeepAlive);
                    assert_eq!(simd.state(), scalar.state());
                    if simd.state() != State::Done {
                        return;
                    }
                    simd.start_next_cycle().expect("Done allows the next cycle");
                    scalar
                        .start_next_cycle()
                        .expect("Done allows the next cycle");
                }
            }
        }
    }
}

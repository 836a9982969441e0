//! The connection's states and its one transition table.
//!
//! A connection has two sides, as in h11: what the peer (the client) is doing
//! and what we (the server) are doing, plus whether the peer's byte stream has
//! ended. [`transition`] is the only place any of them changes; it is blind to
//! counters (bytes promised and sent are checked by the caller of the table
//! before it asks for a transition).
//!
//! ```text
//!  peer:  Idle ──head (body)──► Body ──end of body──► Complete
//!          │ └──head (no body)─► EndPending ──EOM────►   │
//!          │ clean eof                                   │
//!          ▼                                             │
//!        Closed          any ── protocol error ──► Error │
//!                                                        │
//!  ours:  Idle ──request head──► Respond(continue) ──final head──► Body ──end──► Done
//!                                  │   ▲ 100 / 1xx                             │
//!                                  └───┘                      not persistent   └──► MustClose
//!
//!  both Complete and Done ── start_next_cycle ──► both Idle
//! ```
//!
//! A response may complete while the request body is still arriving (an early
//! 413, say). If it persists, the connection reads and discards the rest of the
//! body ([`State::DiscardBody`]) before the next cycle; it may only persist if
//! the client is not left waiting for a `100 Continue` it never got
//! ([`may_persist`]), since such a client may or may not send the body.

/// The state of a server connection, as one summary of both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for (or reading) a request head.
    Idle,
    /// The head was read; the body is arriving.
    RecvBody,
    /// The request is complete; the server is to send its response. Input is paused.
    SendResponse,
    /// The request is complete and the final response head was sent: its
    /// body (if any) and its end are to follow.
    SendBody,
    /// The response is complete and persists, but the request body is still
    /// arriving: keep polling, drop its `Data`, and the connection becomes
    /// [`State::Done`] at its end.
    DiscardBody,
    /// The response is complete and the connection persists: call
    /// [`crate::Connection::start_next_cycle`].
    Done,
    /// The response is complete and the connection must be closed (see
    /// [`crate::Connection::closing`] for how).
    MustClose,
    /// The peer closed the connection between requests.
    Closed,
    /// The peer sent something invalid: answer with the error's status if a
    /// response can still start
    /// ([`can_send_head`](crate::Connection::can_send_head)), and close as
    /// [`closing`](crate::Connection::closing) says.
    Error,
}

/// What the peer is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Peer {
    /// Between requests, or inside a head.
    Idle,
    /// Sending a body.
    Body,
    /// Its head had no body; the end of the message is still to be reported.
    EndPending,
    /// Its request is complete.
    Complete,
    /// It closed the connection cleanly between requests.
    Closed,
    /// It violated the protocol.
    Error,
}

/// Whether a `100 Continue` is owed to the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Continue {
    /// The request did not expect one (or has no body).
    NotExpected,
    /// The client waits for it before sending its body.
    Expected,
    /// It was sent.
    Sent,
}

/// What we are doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ours {
    /// No request to answer.
    Idle,
    /// A request is to be answered; no final head sent yet.
    Respond(Continue),
    /// The final head was sent; the body and its end follow.
    Body {
        /// Whether the connection persists after this response.
        persistent: bool,
    },
    /// The response is complete and the connection persists.
    Done,
    /// The response is complete (or cannot be sent) and the connection closes.
    MustClose,
}

/// Whether the peer's byte stream has ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// More bytes may come.
    Open,
    /// The peer shut down its sending side: no byte beyond those received.
    Ended,
}

/// Both sides of a connection and its stream, spelled out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) peer: Peer,
    pub(crate) ours: Ours,
    pub(crate) stream: Stream,
}

/// Both sides of a connection and its stream, as the position of their
/// [`Parts`] in [`Parts::ALL`]: the row of the precomputed [`TABLE`], so that
/// a transition is one lookup.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sides(u8);

impl core::fmt::Debug for Sides {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.parts().fmt(f)
    }
}

impl Sides {
    /// A fresh connection.
    pub(crate) const NEW: Self = Self::of(Parts {
        peer: Peer::Idle,
        ours: Ours::Idle,
        stream: Stream::Open,
    });

    /// A body-less request's head reported, the end of its message not yet:
    /// what a connection polled right after such a head is in.
    pub(crate) const END_PENDING: Self = Self::of(Self::END_PENDING_PARTS);

    const END_PENDING_PARTS: Parts = Parts {
        peer: Peer::EndPending,
        ours: Ours::Respond(Continue::NotExpected),
        stream: Stream::Open,
    };

    /// The sides spelled out by `parts`.
    pub(crate) const fn of(parts: Parts) -> Self {
        Self(parts.index() as u8)
    }

    /// What the sides are.
    #[inline]
    pub(crate) fn parts(self) -> Parts {
        Parts::ALL[usize::from(self.0)]
    }

    /// What the peer is doing.
    #[inline]
    pub(crate) fn peer(self) -> Peer {
        self.parts().peer
    }

    /// What we are doing.
    #[inline]
    pub(crate) fn ours(self) -> Ours {
        self.parts().ours
    }

    /// Whether the peer's byte stream has ended.
    #[inline]
    pub(crate) fn stream(self) -> Stream {
        self.parts().stream
    }

    /// The public summary.
    #[inline]
    pub(crate) fn summary(self) -> State {
        let Parts { peer, ours, .. } = self.parts();
        match (peer, ours) {
            (Peer::Error, _) => State::Error,
            (Peer::Closed, _) => State::Closed,
            (_, Ours::MustClose) => State::MustClose,
            (Peer::Idle, _) => State::Idle,
            (Peer::Body | Peer::EndPending, Ours::Done) => State::DiscardBody,
            (Peer::Body, _) => State::RecvBody,
            (Peer::EndPending | Peer::Complete, Ours::Idle | Ours::Respond(_)) => {
                State::SendResponse
            }
            (Peer::EndPending | Peer::Complete, Ours::Body { .. }) => State::SendBody,
            (Peer::Complete, Ours::Done) => State::Done,
        }
    }
}

/// What can happen to a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A complete request head arrived.
    RequestHead {
        has_body: bool,
        expects_continue: bool,
    },
    /// The request ended (its `EndOfMessage` is reported).
    EndOfRequest,
    /// The peer shut down its sending side.
    Eof,
    /// The stream ended between requests with no byte of a next one.
    CleanClose,
    /// The peer violated the protocol.
    ProtocolError,
    /// We send `100 Continue`.
    SendContinue,
    /// We send another interim (1xx) response.
    SendInterim,
    /// We send the final response head; its body (perhaps empty) and its
    /// end follow.
    SendHead { persistent: bool },
    /// We send a piece of the body.
    SendData,
    /// We end the response body.
    SendEnd,
    /// The caller says the whole response went out, without the connection
    /// having seen it (the `finish_response` of earlier versions).
    ResponseComplete { persistent: bool },
    /// The server asked for the next request.
    StartNextCycle,
}

/// Why the table refused an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// There is no request to answer.
    NoRequest,
    /// The final response head was already sent.
    AlreadyResponded,
    /// Body or end before the final head.
    NoHead,
    /// The response is already complete.
    ResponseComplete,
    /// A `100 Continue` the client is not waiting for.
    UnexpectedContinue,
    /// Any other input that makes no sense now.
    NotNow,
}

/// An input that makes no sense in the current state: a bug in the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct StateError {
    /// The state the connection was in.
    pub state: State,
}

impl StateError {
    /// The status a server would answer with if it reported this error to its
    /// client: it is the server's own error, so always 500.
    #[must_use]
    pub const fn status_hint(&self) -> u16 {
        500
    }
}

impl core::fmt::Display for StateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "call not allowed in connection state {:?}", self.state)
    }
}

impl core::error::Error for StateError {}

/// Whether a final response sent now may leave the connection open: not
/// after an error, and not while the client waits for a `100 Continue` it
/// never got (it may send the body or not: the next request's start is
/// unknown).
#[inline]
pub(crate) fn may_persist(sides: Sides) -> bool {
    !matches!(
        (sides.peer(), sides.ours()),
        (Peer::Error | Peer::Closed, _) | (Peer::Body, Ours::Respond(Continue::Expected))
    )
}

/// The transition table: every legal (state, input) pair and where it leads.
///
/// Written as a match to be read; [`transition`] answers from [`TABLE`], which
/// the compiler fills from this function for every pair.
const fn rule(sides: Parts, input: Input) -> Result<Parts, Refusal> {
    use Input as I;
    use Ours as O;
    use Peer as P;
    let Parts { peer, ours, stream } = sides;
    Ok(match (peer, ours, input) {
        // The peer's side.
        (_, _, I::Eof) => Parts {
            stream: Stream::Ended,
            ..sides
        },
        (_, O::Idle, I::ProtocolError) => sides.with(P::Error, O::Respond(Continue::NotExpected)),
        (_, O::Respond(_), I::ProtocolError) => {
            sides.with(P::Error, O::Respond(Continue::NotExpected))
        }
        (_, O::Body { .. }, I::ProtocolError) => {
            sides.with(P::Error, O::Body { persistent: false })
        }
        (_, O::Done | O::MustClose, I::ProtocolError) => sides.with(P::Error, O::MustClose),
        (P::Idle, O::Idle, I::CleanClose) if matches!(stream, Stream::Ended) => {
            sides.with(P::Closed, O::Idle)
        }
        (
            P::Idle,
            O::Idle,
            I::RequestHead {
                has_body,
                expects_continue,
            },
        ) => {
            let expect = if has_body && expects_continue {
                Continue::Expected
            } else {
                Continue::NotExpected
            };
            let peer = if has_body { P::Body } else { P::EndPending };
            sides.with(peer, O::Respond(expect))
        }
        (P::Body | P::EndPending, _, I::EndOfRequest) => sides.with(P::Complete, ours),

        // Our side.
        (P::Error | P::Closed, _, I::ResponseComplete { .. } | I::StartNextCycle) => {
            return Err(Refusal::NotNow);
        }
        (P::Body, O::Respond(Continue::Expected), I::SendContinue) => {
            sides.with(peer, O::Respond(Continue::Sent))
        }
        (_, O::Respond(_), I::SendContinue) => return Err(Refusal::UnexpectedContinue),
        (_, O::Respond(_), I::SendInterim) => sides,
        (_, O::Respond(_), I::SendHead { persistent }) => sides.with(peer, O::Body { persistent }),
        (_, O::Body { .. }, I::SendData) => sides,
        (_, O::Body { persistent }, I::SendEnd) => {
            sides.with(peer, if persistent { O::Done } else { O::MustClose })
        }
        // An early response the connection did not see: the body is unread.
        (P::Body, O::Respond(_) | O::Body { .. }, I::ResponseComplete { .. }) => {
            sides.with(peer, O::MustClose)
        }
        (_, O::Respond(_) | O::Body { .. }, I::ResponseComplete { persistent }) => {
            sides.with(peer, if persistent { O::Done } else { O::MustClose })
        }
        (P::Complete, O::Done, I::StartNextCycle) => sides.with(P::Idle, O::Idle),

        // Refusals, most specific first.
        (
            _,
            O::Idle,
            I::SendContinue | I::SendInterim | I::SendHead { .. } | I::SendData | I::SendEnd,
        ) => {
            return Err(Refusal::NoRequest);
        }
        (_, O::Body { .. }, I::SendContinue | I::SendInterim | I::SendHead { .. }) => {
            return Err(Refusal::AlreadyResponded);
        }
        (_, O::Done | O::MustClose, I::SendContinue | I::SendInterim | I::SendHead { .. }) => {
            return Err(Refusal::AlreadyResponded);
        }
        (_, O::Respond(_), I::SendData | I::SendEnd) => return Err(Refusal::NoHead),
        (_, O::Done | O::MustClose, I::SendData | I::SendEnd) => {
            return Err(Refusal::ResponseComplete);
        }
        _ => return Err(Refusal::NotNow),
    })
}

/// How many values [`Parts`] can take: 6 peer states, 8 of ours, 2 of the stream.
const SIDES_COUNT: usize = 96;
/// How many values [`Input`] can take.
const INPUT_COUNT: usize = 17;
/// A table entry that is a refusal, not the index of the next [`Sides`].
const REFUSED: u8 = 0x80;

impl Peer {
    const ALL: [Self; 6] = [
        Self::Idle,
        Self::Body,
        Self::EndPending,
        Self::Complete,
        Self::Closed,
        Self::Error,
    ];
}

impl Ours {
    const ALL: [Self; 8] = [
        Self::Idle,
        Self::Respond(Continue::NotExpected),
        Self::Respond(Continue::Expected),
        Self::Respond(Continue::Sent),
        Self::Body { persistent: false },
        Self::Body { persistent: true },
        Self::Done,
        Self::MustClose,
    ];

    /// The position of this value in [`Ours::ALL`].
    #[inline]
    const fn index(self) -> usize {
        match self {
            Self::Idle => 0,
            Self::Respond(Continue::NotExpected) => 1,
            Self::Respond(Continue::Expected) => 2,
            Self::Respond(Continue::Sent) => 3,
            Self::Body { persistent: false } => 4,
            Self::Body { persistent: true } => 5,
            Self::Done => 6,
            Self::MustClose => 7,
        }
    }
}

impl Parts {
    /// Every value, in the order of [`Parts::index`].
    const ALL: [Self; SIDES_COUNT] = {
        let mut all = [Self {
            peer: Peer::Idle,
            ours: Ours::Idle,
            stream: Stream::Open,
        }; SIDES_COUNT];
        let mut i = 0;
        while i < SIDES_COUNT {
            all[i] = Self {
                peer: Peer::ALL[i / 16],
                ours: Ours::ALL[i / 2 % 8],
                stream: if i % 2 == 0 {
                    Stream::Open
                } else {
                    Stream::Ended
                },
            };
            i += 1;
        }
        all
    };

    /// The position of this value in [`Parts::ALL`] and the rows of [`TABLE`].
    #[inline]
    const fn index(self) -> usize {
        (self.peer as usize * 8 + self.ours.index()) * 2 + self.stream as usize
    }

    /// These sides with another peer and ours, the stream unchanged.
    const fn with(self, peer: Peer, ours: Ours) -> Self {
        Self {
            peer,
            ours,
            stream: self.stream,
        }
    }
}

impl Input {
    /// Every value, in the order of [`Input::index`].
    const ALL: [Self; INPUT_COUNT] = [
        Self::RequestHead {
            has_body: false,
            expects_continue: false,
        },
        Self::RequestHead {
            has_body: false,
            expects_continue: true,
        },
        Self::RequestHead {
            has_body: true,
            expects_continue: false,
        },
        Self::RequestHead {
            has_body: true,
            expects_continue: true,
        },
        Self::EndOfRequest,
        Self::Eof,
        Self::CleanClose,
        Self::ProtocolError,
        Self::SendContinue,
        Self::SendInterim,
        Self::SendHead { persistent: false },
        Self::SendHead { persistent: true },
        Self::SendData,
        Self::SendEnd,
        Self::ResponseComplete { persistent: false },
        Self::ResponseComplete { persistent: true },
        Self::StartNextCycle,
    ];

    /// The position of this value in [`Input::ALL`] and the columns of [`TABLE`].
    #[inline(always)]
    const fn index(self) -> usize {
        match self {
            Self::RequestHead {
                has_body,
                expects_continue,
            } => has_body as usize * 2 + expects_continue as usize,
            Self::EndOfRequest => 4,
            Self::Eof => 5,
            Self::CleanClose => 6,
            Self::ProtocolError => 7,
            Self::SendContinue => 8,
            Self::SendInterim => 9,
            Self::SendHead { persistent } => 10 + persistent as usize,
            Self::SendData => 12,
            Self::SendEnd => 13,
            Self::ResponseComplete { persistent } => 14 + persistent as usize,
            Self::StartNextCycle => 16,
        }
    }
}

impl Refusal {
    /// Every value, in declaration order (`as u8`).
    const ALL: [Self; 6] = [
        Self::NoRequest,
        Self::AlreadyResponded,
        Self::NoHead,
        Self::ResponseComplete,
        Self::UnexpectedContinue,
        Self::NotNow,
    ];
}

/// [`rule`] for every pair, computed at compile time: the next [`Sides`], or
/// [`REFUSED`] with the refusal. Looking an answer up costs a
/// few instructions where the match's decision tree cost some seventy, and
/// the connection asks at least three times per request.
///
/// It has a row for every value of a `u8`, so that a lookup by [`Sides`]
/// needs no bounds check; the rows past [`SIDES_COUNT`] belong to no value
/// and refuse everything.
static TABLE: [[u8; INPUT_COUNT]; 256] = {
    let mut table = [[REFUSED; INPUT_COUNT]; 256];
    let mut s = 0;
    while s < SIDES_COUNT {
        // The orders of `ALL` and `index` agree, or the build fails here.
        assert!(Parts::ALL[s].index() == s);
        let mut i = 0;
        while i < INPUT_COUNT {
            assert!(Input::ALL[i].index() == i);
            table[s][i] = match rule(Parts::ALL[s], Input::ALL[i]) {
                Ok(next) => next.index() as u8,
                Err(refusal) => REFUSED | refusal as u8,
            };
            i += 1;
        }
        s += 1;
    }
    table
};

/// Where `input` leads from `sides`, as [`rule`] says.
#[inline(always)]
pub(crate) fn transition(sides: Sides, input: Input) -> Result<Sides, Refusal> {
    let entry = TABLE[usize::from(sides.0)][input.index()];
    if entry & REFUSED == 0 {
        Ok(Sides(entry))
    } else {
        Err(Refusal::ALL[(entry & !REFUSED) as usize])
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    // The connection answers the end of a body-less request from this one
    // value before its other machinery: it must be where such a head leads.
    #[test]
    fn a_body_less_head_leads_to_end_pending() {
        for expects_continue in [false, true] {
            let head = Input::RequestHead {
                has_body: false,
                expects_continue,
            };
            assert_eq!(transition(Sides::NEW, head), Ok(Sides::END_PENDING));
        }
        assert_eq!(Sides::END_PENDING.peer(), Peer::EndPending);
    }

    fn all_sides() -> Vec<Sides> {
        let peers = [
            Peer::Idle,
            Peer::Body,
            Peer::EndPending,
            Peer::Complete,
            Peer::Closed,
            Peer::Error,
        ];
        let ours = [
            Ours::Idle,
            Ours::Respond(Continue::NotExpected),
            Ours::Respond(Continue::Expected),
            Ours::Respond(Continue::Sent),
            Ours::Body { persistent: true },
            Ours::Body { persistent: false },
            Ours::Done,
            Ours::MustClose,
        ];
        let mut all = Vec::new();
        for peer in peers {
            for our in ours {
                for stream in [Stream::Open, Stream::Ended] {
                    all.push(Sides::of(Parts {
                        peer,
                        ours: our,
                        stream,
                    }));
                }
            }
        }
        all
    }

    fn inputs() -> [Input; 15] {
        [
            Input::RequestHead {
                has_body: false,
                expects_continue: false,
            },
            Input::RequestHead {
                has_body: true,
                expects_continue: true,
            },
            Input::EndOfRequest,
            Input::Eof,
            Input::CleanClose,
            Input::ProtocolError,
            Input::SendContinue,
            Input::SendInterim,
            Input::SendHead { persistent: true },
            Input::SendHead { persistent: false },
            Input::SendData,
            Input::SendEnd,
            Input::ResponseComplete { persistent: true },
            Input::ResponseComplete { persistent: false },
            Input::StartNextCycle,
        ]
    }

    #[test]
    fn the_precomputed_table_answers_as_the_rule() {
        let sides = all_sides();
        assert_eq!(sides.len(), SIDES_COUNT);
        for s in sides {
            for input in Input::ALL {
                let expected = rule(s.parts(), input).map(Sides::of);
                assert_eq!(transition(s, input), expected, "{s:?} {input:?}");
            }
        }
    }

    #[test]
    fn errors_are_terminal_for_the_peer_and_reachable_from_everywhere() {
        for sides in all_sides() {
            let after = transition(sides, Input::ProtocolError).unwrap();
            assert_eq!(after.summary(), State::Error);
            assert!(!may_persist(after));
            for input in inputs() {
                if let Ok(next) = transition(after, input) {
                    assert_eq!(next.peer(), Peer::Error, "{sides:?} {input:?}");
                    assert_ne!(next.ours(), Ours::Done, "{sides:?} {input:?}");
                }
            }
        }
    }

    #[test]
    fn eof_is_legal_everywhere_and_only_ends_the_stream() {
        for sides in all_sides() {
            let after = transition(sides, Input::Eof).unwrap();
            assert_eq!((after.peer(), after.ours()), (sides.peer(), sides.ours()));
            assert_eq!(after.stream(), Stream::Ended);
        }
    }

    #[test]
    fn only_both_sides_finished_start_a_new_cycle() {
        for sides in all_sides() {
            let result = transition(sides, Input::StartNextCycle);
            assert_eq!(
                result.is_ok(),
                sides.peer() == Peer::Complete && sides.ours() == Ours::Done,
                "{sides:?}"
            );
            if let Ok(next) = result {
                assert_eq!(next.summary(), State::Idle);
            }
        }
    }

    #[test]
    fn a_response_that_persists_never_strands_a_client_waiting_for_continue() {
        let waiting = Sides::of(Parts {
            peer: Peer::Body,
            ours: Ours::Respond(Continue::Expected),
            stream: Stream::Open,
        });
        assert!(!may_persist(waiting));
        let sent = transition(waiting, Input::SendContinue).unwrap();
        assert!(may_persist(sent));
        assert_eq!(
            transition(sent, Input::SendContinue),
            Err(Refusal::UnexpectedContinue)
        );
    }

    #[test]
    fn our_side_refuses_out_of_order_sends() {
        let idle = Sides::NEW;
        assert_eq!(transition(idle, Input::SendData), Err(Refusal::NoRequest));
        let respond = transition(
            idle,
            Input::RequestHead {
                has_body: false,
                expects_continue: false,
            },
        )
        .unwrap();
        assert_eq!(transition(respond, Input::SendEnd), Err(Refusal::NoHead));
        let body = transition(respond, Input::SendHead { persistent: true }).unwrap();
        assert_eq!(body.summary(), State::SendBody);
        assert_eq!(
            transition(body, Input::SendHead { persistent: true }),
            Err(Refusal::AlreadyResponded)
        );
        let done = transition(body, Input::SendEnd).unwrap();
        assert_eq!(
            transition(done, Input::SendData),
            Err(Refusal::ResponseComplete)
        );
        // The head had no body, but its end is still to be reported.
        assert_eq!(done.summary(), State::DiscardBody);
        let done = transition(done, Input::EndOfRequest).unwrap();
        assert_eq!(done.summary(), State::Done);
    }

    #[test]
    fn a_clean_close_needs_the_end_of_the_stream_and_no_request() {
        for sides in all_sides() {
            let result = transition(sides, Input::CleanClose);
            let legal = sides.peer() == Peer::Idle
                && sides.ours() == Ours::Idle
                && sides.stream() == Stream::Ended;
            assert_eq!(result.is_ok(), legal, "{sides:?}");
            if let Ok(next) = result {
                assert_eq!(next.summary(), State::Closed);
            }
        }
    }

    #[test]
    fn every_refused_send_says_why() {
        let sends = [
            Input::SendContinue,
            Input::SendInterim,
            Input::SendHead { persistent: true },
            Input::SendData,
            Input::SendEnd,
        ];
        for sides in all_sides() {
            for input in sends {
                assert_ne!(
                    transition(sides, input),
                    Err(Refusal::NotNow),
                    "{sides:?} {input:?}"
                );
            }
        }
    }

    #[test]
    fn every_combination_has_a_summary_and_no_panic() {
        for sides in all_sides() {
            let _ = sides.summary();
            for input in inputs() {
                let _ = transition(sides, input);
            }
        }
    }
}

//! The connection's states and its one transition table.
//!
//! ```text
//!                  request head            end of request body
//!   ┌──────┐ (with body)  ┌──────────┐ ───────────────────► ┌──────────────┐
//!   │ Idle │ ───────────► │ RecvBody │                      │ SendResponse │
//!   └──────┘              └──────────┘     request head     └──────────────┘
//!     ▲  │ ──────────────────────────────── (no body) ─────────►  │
//!     │  │                        │ response complete              │ response complete
//!     │  │ eof                    ▼ (body unread)                  │
//!     │  ▼                   ┌───────────┐ ◄── not persistent ─────┤
//!     │ ┌────────┐ ◄─ eof ── │ MustClose │                         │ persistent
//!     │ │ Closed │           └───────────┘                         ▼
//!     │ └────────┘                                            ┌──────┐
//!     └──────────────────── start_next_cycle ──────────────── │ Done │
//!                                                             └──────┘
//!   any state ── protocol error ──► Error (terminal)
//! ```
//!
//! A response may complete while the request body is still arriving (an early
//! 413, say); the unread body makes the connection `MustClose`.

/// The state of a server connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for (or reading) a request head.
    Idle,
    /// The head was read; the body is arriving.
    RecvBody,
    /// The request is complete; the server is sending its response. Input is paused.
    SendResponse,
    /// The response is complete and the connection persists: call
    /// [`crate::Connection::start_next_cycle`].
    Done,
    /// The response is complete and the connection must be closed.
    MustClose,
    /// The peer closed the connection between requests.
    Closed,
    /// The peer sent something invalid; answer with the error's status and close.
    Error,
}

/// What can happen to a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A complete request head arrived.
    RequestHead { has_body: bool },
    /// The request body ended.
    EndOfRequest,
    /// The server finished its response; `persistent` if both sides keep the
    /// connection open.
    ResponseComplete { persistent: bool },
    /// The server asked for the next request.
    StartNextCycle,
    /// The peer closed its side.
    Eof,
    /// The peer violated the protocol.
    ProtocolError,
}

/// An input that makes no sense in the current state: a bug in the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct StateError {
    /// The state the connection was in.
    pub state: State,
}

impl core::fmt::Display for StateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "call not allowed in connection state {:?}", self.state)
    }
}

impl core::error::Error for StateError {}

/// The transition table: every legal (state, input) pair and where it leads.
pub(crate) fn transition(state: State, input: Input) -> Result<State, StateError> {
    use Input as I;
    use State as S;
    let next = match (state, input) {
        (_, I::ProtocolError) => S::Error,
        (S::Idle, I::RequestHead { has_body: true }) => S::RecvBody,
        (S::Idle, I::RequestHead { has_body: false }) => S::SendResponse,
        (S::RecvBody, I::EndOfRequest) => S::SendResponse,
        (S::RecvBody, I::ResponseComplete { .. }) => S::MustClose,
        (S::SendResponse, I::ResponseComplete { persistent: true }) => S::Done,
        (S::SendResponse, I::ResponseComplete { persistent: false }) => S::MustClose,
        (S::Done, I::StartNextCycle) => S::Idle,
        (S::Idle | S::Done | S::MustClose | S::Closed, I::Eof) => S::Closed,
        (S::RecvBody | S::SendResponse, I::Eof) => S::Error,
        _ => return Err(StateError { state }),
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [State; 7] = [
        State::Idle,
        State::RecvBody,
        State::SendResponse,
        State::Done,
        State::MustClose,
        State::Closed,
        State::Error,
    ];

    #[test]
    fn error_is_terminal_and_reachable_from_everywhere() {
        for state in STATES {
            assert_eq!(transition(state, Input::ProtocolError), Ok(State::Error));
        }
        for input in [
            Input::RequestHead { has_body: false },
            Input::EndOfRequest,
            Input::ResponseComplete { persistent: true },
            Input::StartNextCycle,
            Input::Eof,
        ] {
            assert!(transition(State::Error, input).is_err());
        }
    }

    #[test]
    fn only_done_starts_a_new_cycle() {
        for state in STATES {
            let result = transition(state, Input::StartNextCycle);
            assert_eq!(result.is_ok(), state == State::Done, "{state:?}");
        }
    }
}

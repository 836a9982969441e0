//! `split_equivalence`: the same bytes fed whole and in pieces give the same
//! transcript: messages (every field, body and trailer), error kind and offset,
//! whether the input ended inside a message, and the unconsumed count.
//!
//! Input: a [`CutPlan`] header (how to cut, and which configuration), then the
//! bytes of the connection. A prefix of the input must also agree with the
//! whole: its complete messages are the first messages of the whole, and an
//! error it reports is the error of the whole (the parser never looks past the
//! bytes it has, and never decides an error that more bytes could undo).

use tern_proto::transcript;

use super::{CutPlan, Source, config, show};

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let plan = CutPlan::read(&mut source);
    let input = source.rest();
    let config = config(plan.config);
    let cuts = plan.cuts(input.len());

    let whole = transcript::run(&config, input, &[]);
    let split = transcript::run(&config, input, &cuts);
    assert_eq!(
        whole,
        split,
        "whole and split at {cuts:?} differ on {}",
        show(input)
    );
    if whole.error.is_none() && !whole.incomplete {
        assert!(whole.unconsumed <= input.len());
    }
    if whole.incomplete {
        assert!(whole.error.is_none(), "incomplete with an error");
    }

    // A prefix ending at the first cut (or half way).
    let at = cuts.first().copied().unwrap_or(input.len() / 2);
    let prefix_cuts: Vec<usize> = cuts.iter().copied().filter(|&c| c < at).collect();
    let prefix = transcript::run(&config, &input[..at], &prefix_cuts);
    assert!(
        prefix.messages.len() <= whole.messages.len()
            && prefix.messages[..] == whole.messages[..prefix.messages.len()],
        "the first {at} bytes give other messages: {}",
        show(input)
    );
    if let Some(error) = prefix.error {
        assert_eq!(
            whole.error,
            Some(error),
            "the first {at} bytes give an error the whole does not: {}",
            show(input)
        );
    }
}

//! Fields the operator adds to responses: `X-Content-Type-Options: nosniff`
//! and the CORS origin on every response, `--header` and `--cache-control`
//! on successful ones. Built once from the options, validated by the
//! composer when parsed (see `cli`), added by the responder.

use crate::cli::{Cors, Options, OwnedField};

/// The operator's response fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderRules {
    /// On every response, errors included (so that a page of another
    /// origin can read a 404 too).
    every: Vec<OwnedField>,
    /// On 2xx and 304 responses.
    success: Vec<OwnedField>,
}

/// At most this many fields come from the rules (the responder's field
/// list has room for them).
pub(crate) const MAX_FIELDS: usize = 24;

impl HeaderRules {
    /// The rules `opts` ask for.
    pub(crate) fn new(opts: &Options) -> Self {
        let field = |name: &[u8], value: &[u8]| OwnedField {
            name: name.into(),
            value: value.into(),
        };
        let mut every = vec![field(b"X-Content-Type-Options", b"nosniff")];
        match &opts.cors {
            None => {}
            Some(Cors::AnyOrigin) => every.push(field(b"Access-Control-Allow-Origin", b"*")),
            // The answer names one origin, so a cache must key it on the
            // request's Origin (Fetch standard, "CORS protocol and HTTP caches").
            Some(Cors::Origin(origin)) => {
                every.push(field(b"Access-Control-Allow-Origin", origin));
                every.push(field(b"Vary", b"Origin"));
            }
        }
        let success = opts.success_fields.clone();
        debug_assert!(every.len() + success.len() <= MAX_FIELDS);
        Self { every, success }
    }

    /// The fields a response with `status` carries.
    pub(crate) fn fields(&self, status: u16) -> impl Iterator<Item = (&[u8], &[u8])> {
        let success = (200..300).contains(&status) || status == 304;
        let extra = if success { &self.success[..] } else { &[] };
        self.every
            .iter()
            .chain(extra)
            .map(|f| (&*f.name, &*f.value))
    }
}

//! Request heads and trailers that own their bytes, so that they outlive the
//! receive buffer: a handler can keep the request while its body streams.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::config::Leniency;
use crate::parse::FieldSpan;
use crate::request::{Fields, HeadFacts, Request, Trailers};

/// A request head that owns its bytes: the same accessors as [`Request`]
/// (through [`as_request`](Self::as_request)), with no borrow of the
/// receive buffer or the connection.
///
/// `B` holds the head's bytes: a `Box<[u8]>` from
/// [`Request::to_owned_request`] (one copy of the head), or with the `bytes`
/// feature a `bytes::Bytes` split off the receive buffer without copying
/// (see [`Connection::poll_bytes`](crate::Connection::poll_bytes)).
#[derive(Clone, Debug)]
pub struct OwnedRequest<B = Box<[u8]>> {
    head: B,
    fields: Vec<FieldSpan>,
    leniencies: Vec<Leniency>,
    facts: HeadFacts,
}

impl<'a> Request<'a> {
    /// The head as an owned value: its bytes are copied once, into one
    /// allocation (the field positions take a second, exactly sized).
    #[must_use]
    pub fn to_owned_request(&self) -> OwnedRequest {
        self.owned_with(Box::from(&self.input[..self.facts.head_len]))
    }

    /// The head as an owned value over `head`, which must hold the same
    /// bytes as `self.input[..self.facts.head_len]`.
    pub(crate) fn owned_with<B>(&self, head: B) -> OwnedRequest<B> {
        OwnedRequest {
            head,
            fields: self.fields.to_vec(),
            leniencies: self.leniencies.to_vec(),
            facts: self.facts,
        }
    }
}

impl<B: AsRef<[u8]>> OwnedRequest<B> {
    /// A view with every accessor of a borrowed [`Request`].
    #[must_use]
    pub fn as_request(&self) -> Request<'_> {
        Request {
            input: self.head.as_ref(),
            fields: &self.fields,
            leniencies: &self.leniencies,
            facts: self.facts,
        }
    }

    /// The head's bytes, as received (leading empty lines included).
    #[must_use]
    pub fn head_bytes(&self) -> &B {
        &self.head
    }
}

#[cfg(feature = "bytes")]
impl<B> OwnedRequest<B> {
    /// Moves the head's bytes into another holder of the same bytes.
    pub(crate) fn with_storage<C>(self, head: C) -> OwnedRequest<C> {
        OwnedRequest {
            head,
            fields: self.fields,
            leniencies: self.leniencies,
            facts: self.facts,
        }
    }
}

/// The trailer section of a chunked body, owning its bytes (empty for other
/// bodies).
#[derive(Clone, Debug)]
pub struct OwnedTrailers<B = Box<[u8]>> {
    bytes: B,
    fields: Vec<FieldSpan>,
}

impl<'a> Trailers<'a> {
    /// The trailer section as an owned value (the input is copied up to the
    /// end of the last trailer field).
    #[must_use]
    pub fn to_owned_trailers(&self) -> OwnedTrailers {
        let end = self
            .fields
            .iter()
            .map(|span| span.value_end)
            .max()
            .unwrap_or(0);
        OwnedTrailers::new(Box::from(&self.input[..end]), self.fields.to_vec())
    }
}

impl<B: AsRef<[u8]>> OwnedTrailers<B> {
    pub(crate) fn new(bytes: B, fields: Vec<FieldSpan>) -> Self {
        Self { bytes, fields }
    }

    /// The trailer field lines, in order.
    pub fn fields(&self) -> Fields<'_> {
        Fields::new(self.bytes.as_ref(), &self.fields)
    }

    /// The value of the first trailer field named `name` (ASCII
    /// case-insensitive).
    pub fn field(&self, name: &[u8]) -> Option<&[u8]> {
        self.fields().value_of(name)
    }

    /// Whether there are no trailer fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

#[cfg(feature = "bytes")]
mod with_bytes {
    use bytes::Bytes;

    use super::OwnedRequest;

    #[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
    impl OwnedRequest<Bytes> {
        /// The request-target, sharing the head's bytes (no copy).
        #[must_use]
        pub fn target_shared(&self) -> Bytes {
            self.head.slice_ref(self.as_request().target())
        }

        /// The value of the first field named `name` (ASCII
        /// case-insensitive), sharing the head's bytes (no copy).
        #[must_use]
        pub fn header_shared(&self, name: &[u8]) -> Option<Bytes> {
            let value = self.as_request().header(name)?;
            Some(self.head.slice_ref(value))
        }
    }
}

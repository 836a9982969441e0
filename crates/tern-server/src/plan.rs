//! Request → response plan: method, path, file, preconditions and ranges
//! decided while the request still borrows the input buffer. The plan owns
//! everything the response needs (an `Rc` of the cached file, spans), so the
//! response can be written once the request is complete.

use std::rc::Rc;
use std::time::Instant;

use tern_proto::{Method, Request, Version};

use crate::files::{FileCache, FileInfo, Resolved};
use crate::listing;
use crate::semantics::conditional::{Conditions, Precondition};
use crate::semantics::range::{self, Ranges, Span};
use crate::semantics::target::{self, PathError};

/// Everything a response needs, owned.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The status code.
    pub(crate) status: u16,
    /// The request's version (the status line echoes it).
    pub(crate) version: Version,
    /// The connection persists after this response.
    pub(crate) keep_alive: bool,
    /// A HEAD request: no body.
    pub(crate) head_request: bool,
    /// What to send.
    pub(crate) kind: Kind,
}

/// The kinds of response.
#[derive(Debug)]
pub(crate) enum Kind {
    /// 200 or 206 with the file (or parts of it).
    File(Rc<FileInfo>, Selection),
    /// 304: validators only.
    NotModified(Rc<FileInfo>),
    /// 416 with `Content-Range: bytes */LEN`.
    Unsatisfiable(u64),
    /// 301 to this location.
    Redirect(Box<[u8]>),
    /// 204 with `Allow`, or 405 with `Allow` and the status text.
    Allow,
    /// The status text.
    Error,
    /// 404 for a directory without `index.html` while listings are off:
    /// the status text and a hint.
    Unlisted,
}

/// Which bytes of a file.
#[derive(Debug, Clone)]
pub(crate) enum Selection {
    /// All of it (200).
    Full,
    /// One range (206).
    Single(Span),
    /// Several ranges (206 `multipart/byteranges`), ascending.
    Multi(Vec<Span>),
}

impl Plan {
    /// A plan for a request the parser refused, or one the server cannot
    /// take: the status text, then the connection closes.
    pub(crate) fn error(status: u16) -> Self {
        Self {
            status,
            version: Version::Http11,
            keep_alive: false,
            head_request: false,
            kind: Kind::Error,
        }
    }

    /// The body bytes this response sends (for the access log).
    pub(crate) fn body_len(&self) -> u64 {
        if self.head_request {
            return 0;
        }
        match &self.kind {
            Kind::File(f, Selection::Full) => f.size,
            Kind::File(_, Selection::Single(s)) => s.len(),
            Kind::File(f, Selection::Multi(spans)) => {
                crate::multipart::Parts::new(spans.clone()).body_len(&f.content_type, f.size)
            }
            Kind::NotModified(_) => 0,
            Kind::Allow if self.status == 204 => 0,
            _ => crate::respond::text_body(self)
                .iter()
                .map(|p| p.len() as u64)
                .sum(),
        }
    }
}

/// The per-thread state planning needs.
#[derive(Debug)]
pub(crate) struct Planner {
    /// The open-file cache.
    pub(crate) files: FileCache,
    /// Serve dot files.
    pub(crate) allow_hidden: bool,
    /// Reused buffer for the decoded path.
    pub(crate) scratch: Vec<u8>,
}

impl Planner {
    /// Decides the response to `req`. `keep_alive` is the server's choice
    /// (false while shutting down).
    pub(crate) fn plan(&mut self, req: &Request<'_>, keep_alive: bool, now: Instant) -> Plan {
        let (status, kind) = self.decide(req, now);
        Plan {
            status,
            version: req.version(),
            // A target that cannot be a path may be an attack: close.
            keep_alive: keep_alive && req.keep_alive() && status != 400,
            head_request: req.method() == Method::Head,
            kind,
        }
    }

    fn decide(&mut self, req: &Request<'_>, now: Instant) -> (u16, Kind) {
        match req.method() {
            Method::Get | Method::Head => {}
            Method::Options => return (204, Kind::Allow),
            // RFC 9110 §9.1: 501 for a method the server does not recognise,
            // 405 with `Allow` for a known one it does not allow here.
            Method::Extension => return (501, Kind::Error),
            _ => return (405, Kind::Allow),
        }
        let query = match target::normalize(req.target(), self.allow_hidden, &mut self.scratch) {
            Ok(query) => query,
            Err(PathError::BadRequest) => return (400, Kind::Error),
            Err(PathError::Hidden) => return (404, Kind::Error),
        };
        let file = match self.files.lookup(&self.scratch, now) {
            Resolved::File(f) => f,
            Resolved::Listing(listing) => {
                let fields = req.headers().map(|f| (f.name, f.value));
                if listing::prefers_json(fields) {
                    Rc::clone(&listing.json)
                } else {
                    Rc::clone(&listing.html)
                }
            }
            Resolved::Unlisted => return (404, Kind::Unlisted),
            Resolved::Directory => {
                let location = target::directory_location(&self.scratch, query);
                return (301, Kind::Redirect(location.into_boxed_slice()));
            }
            Resolved::NotFound => return (404, Kind::Error),
            Resolved::Forbidden => return (403, Kind::Error),
            Resolved::Unavailable => return (503, Kind::Error),
        };
        let validators = file.validators();
        let conditions = Conditions::from_fields(req.headers().map(|f| (f.name, f.value)));
        match conditions.evaluate(&validators) {
            Precondition::Proceed => {}
            Precondition::NotModified => return (304, Kind::NotModified(file)),
            Precondition::Failed => return (412, Kind::Error),
        }
        let range = conditions
            .range(&validators)
            .filter(|_| req.method() == Method::Get);
        let selection = match range.map(|value| range::parse(value, file.size)) {
            None | Some(Ranges::Full) => Selection::Full,
            Some(Ranges::Single(span)) => Selection::Single(span),
            Some(Ranges::Multi(spans)) => Selection::Multi(spans),
            Some(Ranges::Unsatisfiable) => return (416, Kind::Unsatisfiable(file.size)),
        };
        let status = if matches!(selection, Selection::Full) {
            200
        } else {
            206
        };
        (status, Kind::File(file, selection))
    }
}

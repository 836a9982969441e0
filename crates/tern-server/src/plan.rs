//! Request → response plan: method, path, file, preconditions and ranges
//! decided while the request still borrows the input buffer. The plan owns
//! everything the response needs (an `Rc` of the cached file, spans), so the
//! response can be written once the request is complete.

use std::rc::Rc;
use std::time::Instant;

use tern_proto::compose::status_line;
use tern_proto::{Method, Request, Version};

use crate::compress::{self, Compressor};
use crate::entry::FileInfo;
use crate::files::{FileCache, NamedFile, Resolved};
use crate::listing;
use crate::semantics::conditional::{Conditions, Precondition};
use crate::semantics::negotiate::{self, Coding, Encoding};
use crate::semantics::range::{self, Ranges, Span};
use crate::semantics::target::{self, PathError};

/// The request's query with its `?` (empty without one): the end of the
/// target, which the query always is.
fn query_with_mark<'r>(req: &Request<'r>) -> &'r [u8] {
    let target = req.target();
    let with_mark = req.query().map_or(0, |q| q.len() + 1).min(target.len());
    &target[target.len() - with_mark..]
}

/// Everything a response needs, owned.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The status code.
    pub(crate) status: u16,
    /// The request's version (it decides framing and persistence; the
    /// status line always says HTTP/1.1).
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
    Unsatisfiable(Rc<FileInfo>),
    /// 301 to this location.
    Redirect(Box<[u8]>),
    /// 204 with `Allow`, or 405 with `Allow` and the status text.
    Allow,
    /// 204 to a CORS preflight, echoing the request headers asked for.
    Preflight(Option<Box<[u8]>>),
    /// 404 with the operator's page (`--not-found`) as the body.
    NotFoundPage(Rc<FileInfo>),
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
            Kind::NotModified(_) | Kind::Preflight(_) => 0,
            Kind::NotFoundPage(f) => f.size,
            Kind::Allow if self.status == 204 => 0,
            _ => self.text_body().iter().map(|p| p.len() as u64).sum(),
        }
    }

    /// The body of a text response: the status text, then, for a directory
    /// left unlisted, the hint that `--list-dirs` would list it.
    pub(crate) fn text_body(&self) -> [&'static [u8]; 3] {
        let [status, newline] = status_text(self.status);
        let hint: &[u8] = match self.kind {
            Kind::Unlisted => listing::UNLISTED_HINT,
            _ => b"",
        };
        [status, newline, hint]
    }
}

/// The short body of an error or redirect: the status line's code and
/// reason phrase, then a newline (two static slices, no formatting).
pub(crate) fn status_text(status: u16) -> [&'static [u8]; 2] {
    let line = status_line(Version::Http11, status)
        .or_else(|| status_line(Version::Http11, 500))
        .unwrap_or_default();
    let text = line
        .get("HTTP/1.1 ".len()..line.len().saturating_sub(2))
        .unwrap_or_default();
    [text, b"\n"]
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
    /// Answer CORS preflights.
    pub(crate) cors: bool,
    /// `--fallback`: for paths that name nothing.
    pub(crate) fallback: Option<NamedFile>,
    /// `--not-found`: the body of a 404.
    pub(crate) not_found_page: Option<NamedFile>,
    /// `--compress`: encoded copies of compressible files.
    pub(crate) compressor: Option<Compressor>,
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
            Method::Options => return (204, self.options(req)),
            // RFC 9110 §9.1: 501 for a method the server does not recognise,
            // 405 with `Allow` for a known one it does not allow here.
            Method::Extension => return (501, Kind::Error),
            _ => return (405, Kind::Allow),
        }
        // The parser split the target; only the path is decoded here.
        match target::normalize_path(req.path(), self.allow_hidden, &mut self.scratch) {
            Ok(()) => {}
            Err(PathError::BadRequest) => return (400, Kind::Error),
            Err(PathError::Hidden) => return self.not_found(req, now),
        }
        let file = match self.files.lookup(&self.scratch, now) {
            Resolved::File(f) => f,
            Resolved::Listing(listing) => {
                let accept = req
                    .headers()
                    .filter(|f| f.name.eq_ignore_ascii_case(b"accept"))
                    .map(|f| f.value);
                if negotiate::prefers_json(accept) {
                    Rc::clone(&listing.json)
                } else {
                    Rc::clone(&listing.html)
                }
            }
            Resolved::Unlisted if self.not_found_page.is_none() => return (404, Kind::Unlisted),
            Resolved::Unlisted => return self.not_found(req, now),
            Resolved::Directory => {
                let location = target::directory_location(&self.scratch, query_with_mark(req));
                return (301, Kind::Redirect(location.into_boxed_slice()));
            }
            Resolved::NotFound => match self.fallback_for(req, now) {
                Some(f) => f,
                None => return self.not_found(req, now),
            },
            Resolved::Forbidden => return (403, Kind::Error),
            Resolved::Unavailable => return (503, Kind::Error),
        };
        // Most files have one representation: no call, no field scan.
        let file = if file.encoded.is_empty() && !file.compressible {
            file
        } else {
            match self.representation(file, req, now) {
                Some(file) => file,
                None => return (406, Kind::Error),
            }
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
            // The parts of a multipart body would have to name the content
            // coding each, which multipart/byteranges cannot: the whole
            // encoded representation instead (RFC 9110 §14.2 lets a server
            // ignore Range).
            Some(Ranges::Multi(_)) if file.encoding.is_some() => Selection::Full,
            Some(Ranges::Multi(spans)) => Selection::Multi(spans),
            Some(Ranges::Unsatisfiable) => return (416, Kind::Unsatisfiable(file)),
        };
        let status = if matches!(selection, Selection::Full) {
            200
        } else {
            206
        };
        (status, Kind::File(file, selection))
    }

    /// `OPTIONS`: a CORS preflight (when CORS is on), else the methods.
    fn options(&self, req: &Request<'_>) -> Kind {
        if self.cors && req.header(b"access-control-request-method").is_some() {
            let asked = req
                .header(b"access-control-request-headers")
                .filter(|v| !v.is_empty());
            return Kind::Preflight(asked.map(Into::into));
        }
        Kind::Allow
    }

    /// The `--fallback` file for a path that names nothing, when it applies:
    /// the last segment has no extension (a missing `/app.js` stays a 404)
    /// and the client takes HTML (a script's `fetch` of JSON does not get a
    /// page).
    fn fallback_for(&mut self, req: &Request<'_>, now: Instant) -> Option<Rc<FileInfo>> {
        let fallback = self.fallback.as_mut()?;
        let last = self
            .scratch
            .rsplit(|&b| b == b'/')
            .next()
            .unwrap_or_default();
        let has_extension = last.iter().skip(1).any(|&b| b == b'.');
        let accept = req
            .headers()
            .filter(|f| f.name.eq_ignore_ascii_case(b"accept"))
            .map(|f| f.value);
        if has_extension || !negotiate::accepts_media(accept, "text", "html") {
            return None;
        }
        fallback.lookup(now)
    }

    /// 404, with the operator's page when there is one.
    fn not_found(&mut self, req: &Request<'_>, now: Instant) -> (u16, Kind) {
        let page = self.not_found_page.as_mut().and_then(|p| p.lookup(now));
        match page.and_then(|p| self.representation(p, req, now)) {
            Some(page) => (404, Kind::NotFoundPage(page)),
            None => (404, Kind::Error),
        }
    }

    /// Drops cache entries unused for a while.
    pub(crate) fn sweep(&mut self, now: Instant) {
        self.files.sweep(now);
        for named in [&mut self.fallback, &mut self.not_found_page]
            .into_iter()
            .flatten()
        {
            named.sweep(now);
        }
        if let Some(compressor) = self.compressor.as_mut() {
            compressor.sweep(now);
        }
    }

    /// The representation of `file` the request accepts (RFC 9110
    /// §12.5.3): the file itself, a precompressed sibling, or an encoded
    /// copy; `None` if it accepts none of them.
    #[cold]
    fn representation(
        &mut self,
        file: Rc<FileInfo>,
        req: &Request<'_>,
        now: Instant,
    ) -> Option<Rc<FileInfo>> {
        if file.encoded.is_empty() && !file.compressible {
            return Some(file);
        }
        let accept = req
            .headers()
            .filter(|f| f.name.eq_ignore_ascii_case(b"accept-encoding"))
            .map(|f| f.value);
        if file.compressible {
            let Some(compressor) = self.compressor.as_mut() else {
                return Some(file);
            };
            return match negotiate::choose_encoding(accept, &compress::CODINGS) {
                Encoding::Identity => Some(file),
                // Not smaller, or out of descriptors: the original.
                Encoding::Coded(coding) => {
                    Some(compressor.copy(&file, coding, now).unwrap_or(file))
                }
                Encoding::NotAcceptable => None,
            };
        }
        let mut available = [Coding::Br; Coding::ALL.len()];
        let mut count = 0;
        for coding in file.codings() {
            available[count] = coding;
            count += 1;
        }
        match negotiate::choose_encoding(accept, &available[..count]) {
            Encoding::Identity => Some(file),
            Encoding::Coded(coding) => file
                .encoded
                .iter()
                .find(|s| s.encoding == Some(coding))
                .cloned(),
            Encoding::NotAcceptable => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_texts_come_from_the_status_lines() {
        assert_eq!(status_text(404).concat(), b"404 Not Found\n");
        assert_eq!(status_text(301).concat(), b"301 Moved Permanently\n");
        assert_eq!(status_text(503).concat(), b"503 Service Unavailable\n");
        assert_eq!(status_text(999).concat(), b"500 Internal Server Error\n");
    }
}

//! The resumable request-head scanner.
//!
//! One left-to-right pass over the bytes with a small state machine that stops
//! wherever the input ends and resumes there on the next call, so the total work
//! is O(n) however the bytes are split, and the first error found is the same for
//! every split: each check is decided by the bytes before it, and limits are
//! checked at the byte that would exceed them.

use alloc::vec::Vec;

use crate::config::{Config, Leniency, LeniencyKind};
use crate::error::ErrorKind;
use crate::tables::{self, TARGET, TCHAR};
use crate::{simd, uri};

/// Offsets of one field line, relative to the input the head was parsed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub(crate) name_start: usize,
    pub(crate) name_end: usize,
    pub(crate) value_start: usize,
    pub(crate) value_end: usize,
}

/// Where the field-lines scanner stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldState {
    LineStart,
    LineStartCr,
    Name,
    /// A CR in a field name: CRLF means a line without a colon, anything else a bare CR.
    NameCr,
    LeadingWhitespace,
    Value,
    ValueCr,
}

/// A resumable scanner for `*( field-line CRLF ) CRLF` (RFC 9112 §5), shared by
/// the head and the trailer section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldScanner {
    state: FieldState,
    line_start: usize,
    name_end: usize,
    value_start: usize,
}

/// An error kind and the offset of the byte that caused it.
pub(crate) type Failure = (ErrorKind, usize);

impl FieldScanner {
    pub(crate) const fn new() -> Self {
        Self {
            state: FieldState::LineStart,
            line_start: 0,
            name_end: 0,
            value_start: 0,
        }
    }

    /// Scans `input[*pos..end]`. Returns `Ok(true)` once the empty line that ends
    /// the section has been read (`*pos` is then just past it), `Ok(false)` when
    /// `end` was reached first.
    pub(crate) fn scan(
        &mut self,
        input: &[u8],
        pos: &mut usize,
        end: usize,
        config: &Config,
        fields: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<bool, Failure> {
        let window = &input[..end];
        let mut p = *pos;
        let result = loop {
            let Some(&byte) = window.get(p) else {
                break Ok(false);
            };
            match self.state {
                FieldState::LineStart => match byte {
                    b'\r' => {
                        self.state = FieldState::LineStartCr;
                        p += 1;
                    }
                    b'\n' if config.allow_bare_lf => {
                        Leniency::record(leniencies, LeniencyKind::BareLf, p);
                        p += 1;
                        break Ok(true);
                    }
                    b'\n' => break Err((ErrorKind::BareLf, p)),
                    b' ' | b'\t' => {
                        let Some(last) = fields.pop().filter(|_| config.allow_obs_fold) else {
                            break Err((ErrorKind::ObsFold, p));
                        };
                        Leniency::record(leniencies, LeniencyKind::ObsFold, p);
                        self.line_start = last.name_start;
                        self.name_end = last.name_end;
                        self.value_start = last.value_start;
                        self.state = FieldState::Value;
                        p += 1;
                    }
                    _ => {
                        if fields.len() >= config.max_fields {
                            break Err((ErrorKind::TooManyHeaders, p));
                        }
                        let (next, left) = if config.scalar_only {
                            whole_field_lines(Scalar, window, p, config.max_fields, fields)
                        } else {
                            simd::whole_field_lines(window, p, config.max_fields, fields)
                        };
                        match left {
                            LineLeft::Unread if next > p => p = next,
                            LineLeft::Unread => {
                                self.line_start = p;
                                self.state = FieldState::Name;
                            }
                            // The line at `next` goes on past the window:
                            // the state the byte-wise loop would reach at
                            // its end, without reading the line again.
                            LineLeft::InName => {
                                self.line_start = next;
                                self.state = FieldState::Name;
                                p = window.len();
                            }
                            LineLeft::InValue {
                                name_end,
                                value_start,
                            } => {
                                self.line_start = next;
                                self.name_end = name_end;
                                if value_start < window.len() {
                                    self.value_start = value_start;
                                    self.state = FieldState::Value;
                                } else {
                                    self.state = FieldState::LeadingWhitespace;
                                }
                                p = window.len();
                            }
                        }
                    }
                },
                FieldState::LineStartCr => {
                    if byte == b'\n' {
                        p += 1;
                        self.state = FieldState::LineStart;
                        break Ok(true);
                    }
                    break Err((ErrorKind::BareCr, p - 1));
                }
                FieldState::Name => {
                    p = tables::skip_class(window, p, TCHAR);
                    match window.get(p) {
                        None => break Ok(false),
                        Some(b':') if p > self.line_start => {
                            self.name_end = p;
                            self.state = FieldState::LeadingWhitespace;
                            p += 1;
                        }
                        Some(b'\r') => {
                            self.state = FieldState::NameCr;
                            p += 1;
                        }
                        Some(b'\n') if !config.allow_bare_lf => {
                            break Err((ErrorKind::BareLf, p));
                        }
                        Some(_) => break Err((ErrorKind::InvalidHeaderName, p)),
                    }
                }
                FieldState::NameCr => {
                    let kind = if byte == b'\n' {
                        ErrorKind::InvalidHeaderName
                    } else {
                        ErrorKind::BareCr
                    };
                    break Err((kind, p - 1));
                }
                FieldState::LeadingWhitespace => {
                    if byte == b' ' || byte == b'\t' {
                        p += 1;
                    } else {
                        self.value_start = p;
                        self.state = FieldState::Value;
                    }
                }
                FieldState::Value => {
                    p = tables::skip_field_value(window, p);
                    match window.get(p) {
                        None => break Ok(false),
                        Some(b'\r') => {
                            self.state = FieldState::ValueCr;
                            p += 1;
                        }
                        Some(b'\n') if config.allow_bare_lf => {
                            Leniency::record(leniencies, LeniencyKind::BareLf, p);
                            self.finish_line(input, p, fields);
                            p += 1;
                        }
                        Some(b'\n') => break Err((ErrorKind::BareLf, p)),
                        Some(0) if config.allow_nul_in_value => {
                            Leniency::record(leniencies, LeniencyKind::NulInValue, p);
                            p += 1;
                        }
                        Some(_) => break Err((ErrorKind::InvalidHeaderValue, p)),
                    }
                }
                FieldState::ValueCr => {
                    if byte == b'\n' {
                        self.finish_line(input, p - 1, fields);
                        p += 1;
                    } else if config.allow_bare_cr_in_value {
                        Leniency::record(leniencies, LeniencyKind::BareCrInValue, p - 1);
                        self.state = FieldState::Value;
                    } else {
                        break Err((ErrorKind::BareCr, p - 1));
                    }
                }
            }
        };
        *pos = p;
        result
    }

    /// Records the field whose line ends at `line_end` (the CR, or a bare LF).
    fn finish_line(&mut self, input: &[u8], line_end: usize, fields: &mut Vec<FieldSpan>) {
        let mut value_end = line_end;
        while value_end > self.value_start && matches!(input[value_end - 1], b' ' | b'\t') {
            value_end -= 1;
        }
        fields.push(FieldSpan {
            name_start: self.line_start,
            name_end: self.name_end,
            value_start: self.value_start,
            value_end,
        });
        self.state = FieldState::LineStart;
    }
}

/// The byte-class scans of the fast paths: the scalar reference (`Scalar`)
/// and, where the CPU has them, vector instructions (`crate::simd`). Both
/// must return exactly what the scalar tables return.
pub(crate) trait ByteScan: Copy {
    /// The index of the first byte in `bytes[from..]` that is not a `tchar`,
    /// or `bytes.len()`.
    fn skip_tchar(self, bytes: &[u8], from: usize) -> usize;
    /// `(first, stop)`: `stop` is the index of the first byte in
    /// `bytes[from..]` outside `FIELD_VALUE`, or `bytes.len()`; `first` is
    /// that of the first byte in `bytes[from..stop]` above SP, or `stop`
    /// (the bytes skipped are SP and HTAB: the class takes no other byte up
    /// to SP).
    fn skip_ows_and_field_value(self, bytes: &[u8], from: usize) -> (usize, usize);
    /// The scans of a field line at `start`: `name_end` is
    /// `skip_tchar(bytes, start)`; when a colon is there, also
    /// `skip_ows_and_field_value(bytes, name_end + 1)`, else `None`.
    #[inline(always)]
    fn scan_field_line(self, bytes: &[u8], start: usize) -> (usize, Option<(usize, usize)>) {
        let name_end = self.skip_tchar(bytes, start);
        if bytes.get(name_end) != Some(&b':') {
            return (name_end, None);
        }
        (
            name_end,
            Some(self.skip_ows_and_field_value(bytes, name_end + 1)),
        )
    }
    /// The index of the first byte in `bytes[from..]` outside
    /// `PLAIN_TARGET`, or `bytes.len()`.
    fn skip_plain_target(self, bytes: &[u8], from: usize) -> usize;
}

/// The reference scans: the byte-class tables and SWAR words.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar;

impl ByteScan for Scalar {
    #[inline(always)]
    fn skip_tchar(self, bytes: &[u8], from: usize) -> usize {
        tables::skip_class(bytes, from, TCHAR)
    }

    #[inline(always)]
    fn skip_ows_and_field_value(self, bytes: &[u8], from: usize) -> (usize, usize) {
        let stop = tables::skip_field_value(bytes, from);
        (skip_ows(bytes, from, stop), stop)
    }

    #[inline(always)]
    fn skip_plain_target(self, bytes: &[u8], from: usize) -> usize {
        tables::skip_class(bytes, from, tables::PLAIN_TARGET)
    }
}

/// The index of the first byte in `bytes[from..stop]` above SP, or `stop`
/// (`stop <= bytes.len()`).
#[inline(always)]
pub(crate) fn skip_ows(bytes: &[u8], mut from: usize, stop: usize) -> usize {
    while from < stop && bytes[from] <= b' ' {
        from += 1;
    }
    from
}

/// The end of `bytes[from..end]` without its trailing bytes up to SP (out
/// of line: the fast path's lines seldom have any).
#[cold]
#[inline(never)]
fn trim_ows(bytes: &[u8], from: usize, mut end: usize) -> usize {
    while end > from && bytes[end - 1] <= b' ' {
        end -= 1;
    }
    end
}

/// How the field-line fast path left the line where it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineLeft {
    /// Not taken, or taken up to nothing the byte-wise scanner could use:
    /// that scanner reads the line from its start.
    Unread,
    /// An ordinary name that goes on to the window's end.
    InName,
    /// An ordinary name ending at `name_end`, its colon, then value bytes
    /// (OWS included) up to the window's end; the first above SP at
    /// `value_start`, or none if it is the window's end.
    InValue { name_end: usize, value_start: usize },
}

/// Records every consecutive field line from `start` that is complete in
/// `window` and ordinary (see `whole_field_line`), while fewer than
/// `max_fields` are recorded; returns the offset after the last one (`start`
/// if there was none) and how the line there was left. One tight loop with
/// no state dispatch per line.
#[inline(always)]
pub(crate) fn whole_field_lines<S: ByteScan>(
    scan: S,
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> (usize, LineLeft) {
    let mut p = start;
    while fields.len() < max_fields {
        match whole_field_line(scan, window, p, fields) {
            Ok(next) => p = next,
            Err(left) => return (p, left),
        }
    }
    (p, LineLeft::Unread)
}

/// The fast path for a field line that is already complete in `window` and
/// ordinary (token name, colon, clean value, CRLF): records it and returns the
/// offset after its LF. Anything else is left to the byte-wise scanner, so
/// both paths give the same result and the byte-wise one alone decides
/// errors; a line that is ordinary as far as the window goes says so, and
/// the byte-wise scanner resumes at the window's end instead of reading it
/// again.
#[inline(always)]
fn whole_field_line<S: ByteScan>(
    scan: S,
    window: &[u8],
    start: usize,
    fields: &mut Vec<FieldSpan>,
) -> Result<usize, LineLeft> {
    // The value's class takes SP and HTAB, so one scan from the colon's next
    // byte finds both the end of the leading OWS and the CR. Every byte
    // before the CR is then SP, HTAB or above SP: OWS is what is not above
    // SP.
    let (name_end, value) = scan.scan_field_line(window, start);
    let Some((value_start, cr)) = value.filter(|_| name_end > start) else {
        return Err(if name_end > start && name_end == window.len() {
            LineLeft::InName
        } else {
            LineLeft::Unread
        });
    };
    // `cr > name_end`, so the byte before it is in the window: the colon or
    // the value's last byte.
    let Some(&[last, b'\r', b'\n']) = window.get(cr - 1..cr + 2) else {
        return Err(if cr == window.len() {
            LineLeft::InValue {
                name_end,
                value_start,
            }
        } else {
            LineLeft::Unread
        });
    };
    // Usually the value's last byte is visible; only OWS before the CR
    // needs the trimming loop.
    let value_end = if last <= b' ' {
        trim_ows(window, value_start, cr)
    } else {
        cr
    };
    fields.push(FieldSpan {
        name_start: start,
        name_end,
        value_start,
        value_end,
    });
    Ok(cr + 2)
}

/// The fast path for a request line that is already complete in `window` and
/// valid: returns its offsets and the offset after its LF. Anything else
/// returns `None` and the byte-wise scanner decides, as for field lines.
#[inline(always)]
pub(crate) fn whole_request_line<S: ByteScan>(
    scan: S,
    window: &[u8],
    start: usize,
    config: &Config,
) -> Option<(RequestLine, usize)> {
    // GET and POST, the usual methods, need no scan: their bytes are tchars.
    let method_end = if window.get(start..start + 4) == Some(b"GET ") {
        start + 3
    } else if window.get(start..start + 5) == Some(b"POST ") {
        start + 4
    } else {
        let method_end = scan.skip_tchar(window, start);
        if method_end == start || window.get(method_end) != Some(&b' ') {
            return None;
        }
        method_end
    };
    let target_start = method_end + 1;
    let (target_end, brackets) = uri::scan_target(scan, window, target_start);
    if target_end == target_start
        || target_end - target_start > config.max_target_len
        || window.get(target_end) != Some(&b' ')
    {
        return None;
    }
    let version_start = target_end + 1;
    let version = window.get(version_start..version_start + 10)?;
    // HTTP/1.1, the usual version, in one compare of the line's end.
    if version != b"HTTP/1.1\r\n"
        && !(version.starts_with(b"HTTP/1.")
            && version[7].is_ascii_digit()
            && version.ends_with(b"\r\n"))
    {
        return None;
    }
    let line = RequestLine {
        method_start: start,
        method_end,
        target_start,
        target_end,
        version_start,
    };
    let method = &window[line.method_start..line.method_end];
    let target = &window[line.target_start..line.target_end];
    uri::target_form_is_valid(method, target, brackets).then_some((line, version_start + 10))
}

/// The fast paths of a head in one call: `whole_request_line` at `start`,
/// then `whole_field_lines` after it, so that the vector scans are set up
/// once. Returns the request line and where the field lines it took end;
/// `None` if the request line was not taken.
#[inline(always)]
pub(crate) fn whole_head_lines<S: ByteScan>(
    scan: S,
    window: &[u8],
    start: usize,
    config: &Config,
    fields: &mut Vec<FieldSpan>,
) -> Option<(RequestLine, usize)> {
    let (line, next) = whole_request_line(scan, window, start, config)?;
    let (end, _) = whole_field_lines(scan, window, next, config.max_fields, fields);
    Some((line, end))
}

/// Where the head scanner stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeadState {
    SkipEmptyLines,
    SkipEmptyLinesCr,
    Method,
    Target,
    Version,
    VersionCr,
    /// A CR inside the request line before the version: an error either
    /// way. CRLF means the line ended early (an invalid request line);
    /// anything else makes it a bare CR.
    EarlyCr,
    /// The same inside the version, where CRLF means an invalid version.
    /// (Two variants rather than one carrying the kind: a payload would make
    /// every test of the state decode a niche, on the trickled path too.)
    EarlyCrInVersion,
    Fields,
}

/// A run of bytes of one class that a trickled head is often resumed
/// inside (see [`HeadScanner::run`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Run {
    Target,
    Name,
    Value,
}

/// Offsets of the request line, relative to the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RequestLine {
    pub(crate) method_start: usize,
    pub(crate) method_end: usize,
    pub(crate) target_start: usize,
    pub(crate) target_end: usize,
    pub(crate) version_start: usize,
}

/// A resumable scanner for `*( CRLF ) request-line *( field-line CRLF ) CRLF`.
#[derive(Clone, Debug)]
pub(crate) struct HeadScanner {
    state: HeadState,
    pos: usize,
    line: RequestLine,
    fields: FieldScanner,
}

impl HeadScanner {
    pub(crate) const fn new() -> Self {
        Self {
            state: HeadState::SkipEmptyLines,
            pos: 0,
            line: RequestLine {
                method_start: 0,
                method_end: 0,
                target_start: 0,
                target_end: 0,
                version_start: 0,
            },
            fields: FieldScanner::new(),
        }
    }

    /// Makes a spent scanner ready for the next head, as [`HeadScanner::new`]
    /// would: before a request line starts only the state and the position
    /// are read, and every other part is set when the state that reads it
    /// is entered.
    pub(crate) fn restart(&mut self) {
        self.state = HeadState::SkipEmptyLines;
        self.pos = 0;
    }

    /// Whether any byte of a request line has been seen (empty lines excluded).
    pub(crate) fn started(&self) -> bool {
        !matches!(
            self.state,
            HeadState::SkipEmptyLines | HeadState::SkipEmptyLinesCr
        )
    }

    /// Scans `input`, which must start where it started on the previous call and
    /// extend what was passed then. Returns the offset just past the head once
    /// complete (the scanner is then spent: the next head needs a new one), or
    /// `None` when more bytes are needed.
    pub(crate) fn scan(
        &mut self,
        input: &[u8],
        config: &Config,
        fields: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<Option<(RequestLine, usize)>, Failure> {
        let mut p = self.pos;
        if let Some(done) = self.whole_head(&mut p, input, config, fields) {
            self.pos = p;
            return Ok(Some(done));
        }
        let result = self.scan_from(&mut p, input, config, fields, leniencies);
        self.pos = p;
        result
    }

    /// The run of one byte class the scanner stopped inside, if any: where
    /// [`HeadScanner::resume_run`] applies. Cheap enough to inline into
    /// every poll.
    #[inline]
    pub(crate) fn run(&self) -> Option<Run> {
        match (self.state, self.fields.state) {
            (HeadState::Target, _) => Some(Run::Target),
            (HeadState::Fields, FieldState::Name) => Some(Run::Name),
            (HeadState::Fields, FieldState::Value) => Some(Run::Value),
            _ => None,
        }
    }

    /// Re-entry inside `run`, which [`HeadScanner::run`] returned, the common
    /// case when bytes arrive a few at a time: the new bytes are scanned for
    /// the run's class, as the byte-wise loop would first do, and when all of
    /// them belong to it (the run goes on past the input) there is nothing
    /// more to do: returns true. Otherwise [`HeadScanner::scan`] goes on from
    /// where this scan stopped; it alone decides errors, limits, the end of
    /// the run and the end of the input.
    #[inline(never)]
    pub(crate) fn resume_run(&mut self, run: Run, input: &[u8], config: &Config) -> bool {
        if input.len() > self.line.method_start.saturating_add(config.max_head_len) {
            return false;
        }
        self.pos = match run {
            Run::Target => {
                let target_limit = self.line.target_start.saturating_add(config.max_target_len);
                tables::skip_class(&input[..input.len().min(target_limit)], self.pos, TARGET)
            }
            Run::Name => tables::skip_class(input, self.pos, TCHAR),
            Run::Value => tables::skip_field_value(input, self.pos),
        };
        self.pos == input.len()
    }

    /// The fast path for a head that is already complete in `input` and
    /// ordinary: a request line, field lines and the empty line, each taken
    /// by its fast path with no state dispatch in between. It stops at the
    /// first thing it does not take, leaving the scanner in the state the
    /// byte-wise loop would have reached there, and the loop goes on from it.
    /// A complete head leaves the scanner spent, as [`HeadScanner::scan`]
    /// says: its state is not brought up to date.
    #[inline]
    fn whole_head(
        &mut self,
        p: &mut usize,
        input: &[u8],
        config: &Config,
        fields: &mut Vec<FieldSpan>,
    ) -> Option<(RequestLine, usize)> {
        if !matches!(self.state, HeadState::SkipEmptyLines)
            || *p >= config.max_head_len
            || matches!(input.get(*p), None | Some(b'\r' | b'\n'))
        {
            return None;
        }
        let end = input.len().min(p.saturating_add(config.max_head_len));
        let window = &input[..end];
        let taken = if config.scalar_only {
            whole_head_lines(Scalar, window, *p, config, fields)
        } else {
            simd::whole_head_lines(window, *p, config, fields)
        };
        let Some((line, fields_end)) = taken else {
            self.line.method_start = *p;
            self.state = HeadState::Method;
            return None;
        };
        if window.get(fields_end..fields_end + 2) == Some(b"\r\n") {
            *p = fields_end + 2;
            return Some((line, *p));
        }
        self.line = line;
        self.state = HeadState::Fields;
        self.fields = FieldScanner::new();
        *p = fields_end;
        None
    }

    fn scan_from(
        &mut self,
        p: &mut usize,
        input: &[u8],
        config: &Config,
        fields: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<Option<(RequestLine, usize)>, Failure> {
        loop {
            let head_limit = match self.state {
                HeadState::SkipEmptyLines | HeadState::SkipEmptyLinesCr => config.max_head_len,
                _ => self.line.method_start.saturating_add(config.max_head_len),
            };
            let end = input.len().min(head_limit);
            if *p >= end {
                if end < input.len() {
                    return Err((ErrorKind::HeadTooLarge, *p));
                }
                return Ok(None);
            }
            let window = &input[..end];
            let byte = window[*p];
            match self.state {
                HeadState::SkipEmptyLines => match byte {
                    b'\r' => {
                        self.state = HeadState::SkipEmptyLinesCr;
                        *p += 1;
                    }
                    b'\n' if config.allow_bare_lf => {
                        Leniency::record(leniencies, LeniencyKind::BareLf, *p);
                        *p += 1;
                    }
                    b'\n' => return Err((ErrorKind::BareLf, *p)),
                    _ => {
                        self.line.method_start = *p;
                        self.state = HeadState::Method;
                    }
                },
                HeadState::SkipEmptyLinesCr => {
                    if byte != b'\n' {
                        return Err((ErrorKind::BareCr, *p - 1));
                    }
                    self.state = HeadState::SkipEmptyLines;
                    *p += 1;
                }
                HeadState::Method => {
                    if *p == self.line.method_start
                        && let Some((line, next)) = if config.scalar_only {
                            whole_request_line(Scalar, window, *p, config)
                        } else {
                            simd::whole_request_line(window, *p, config)
                        }
                    {
                        self.line = line;
                        *p = next;
                        self.state = HeadState::Fields;
                        self.fields = FieldScanner::new();
                        continue;
                    }
                    *p = tables::skip_class(window, *p, TCHAR);
                    match window.get(*p) {
                        None => {}
                        Some(b' ') if *p > self.line.method_start => {
                            self.line.method_end = *p;
                            *p += 1;
                            self.line.target_start = *p;
                            self.state = HeadState::Target;
                        }
                        Some(b'\r') => {
                            self.state = HeadState::EarlyCr;
                            *p += 1;
                        }
                        Some(b'\n') => {
                            return Err((early_lf(config, ErrorKind::InvalidRequestLine), *p));
                        }
                        Some(b' ' | b'\t') => return Err((ErrorKind::InvalidRequestLine, *p)),
                        Some(_) => return Err((ErrorKind::InvalidMethod, *p)),
                    }
                }
                HeadState::Target => {
                    let target_limit = self.line.target_start.saturating_add(config.max_target_len);
                    *p = tables::skip_class(&window[..end.min(target_limit)], *p, TARGET);
                    match window.get(*p) {
                        None => {}
                        Some(&b) if *p == target_limit && tables::is(b, TARGET) => {
                            return Err((ErrorKind::TargetTooLong, *p));
                        }
                        Some(b' ') if *p > self.line.target_start => {
                            self.line.target_end = *p;
                            let method = &input[self.line.method_start..self.line.method_end];
                            let target = &input[self.line.target_start..self.line.target_end];
                            if !uri::target_is_valid(method, target) {
                                return Err((ErrorKind::InvalidTarget, self.line.target_start));
                            }
                            *p += 1;
                            self.line.version_start = *p;
                            self.state = HeadState::Version;
                        }
                        Some(b'\r') => {
                            self.state = HeadState::EarlyCr;
                            *p += 1;
                        }
                        Some(b'\n') => {
                            return Err((early_lf(config, ErrorKind::InvalidRequestLine), *p));
                        }
                        Some(b' ' | b'\t') => return Err((ErrorKind::InvalidRequestLine, *p)),
                        Some(_) => return Err((ErrorKind::InvalidTarget, *p)),
                    }
                }
                HeadState::Version => {
                    let index = *p - self.line.version_start;
                    if index == 8 {
                        match byte {
                            b'\r' => {
                                self.state = HeadState::VersionCr;
                                *p += 1;
                            }
                            b'\n' if config.allow_bare_lf => {
                                Leniency::record(leniencies, LeniencyKind::BareLf, *p);
                                *p += 1;
                                self.end_request_line(input)?;
                            }
                            b'\n' => return Err((ErrorKind::BareLf, *p)),
                            b' ' | b'\t' => return Err((ErrorKind::InvalidRequestLine, *p)),
                            _ => return Err((ErrorKind::InvalidVersion, *p)),
                        }
                    } else {
                        let expected = match index {
                            5 | 7 => byte.is_ascii_digit(),
                            6 => byte == b'.',
                            _ => byte == b"HTTP/"[index],
                        };
                        if !expected {
                            // Before the version's first byte the line ended
                            // early; after it, the version did.
                            let (early_end, early_cr) = if index == 0 {
                                (ErrorKind::InvalidRequestLine, HeadState::EarlyCr)
                            } else {
                                (ErrorKind::InvalidVersion, HeadState::EarlyCrInVersion)
                            };
                            let kind = match byte {
                                b'\r' => {
                                    self.state = early_cr;
                                    *p += 1;
                                    continue;
                                }
                                b'\n' => early_lf(config, early_end),
                                b' ' | b'\t' => ErrorKind::InvalidRequestLine,
                                _ => ErrorKind::InvalidVersion,
                            };
                            return Err((kind, *p));
                        }
                        *p += 1;
                    }
                }
                HeadState::VersionCr => {
                    if byte != b'\n' {
                        return Err((ErrorKind::BareCr, *p - 1));
                    }
                    *p += 1;
                    self.end_request_line(input)?;
                }
                HeadState::EarlyCr | HeadState::EarlyCrInVersion => {
                    let kind = match (byte, self.state) {
                        (b'\n', HeadState::EarlyCr) => ErrorKind::InvalidRequestLine,
                        (b'\n', _) => ErrorKind::InvalidVersion,
                        _ => ErrorKind::BareCr,
                    };
                    return Err((kind, *p - 1));
                }
                HeadState::Fields => {
                    if self
                        .fields
                        .scan(input, p, end, config, fields, leniencies)?
                    {
                        return Ok(Some((self.line, *p)));
                    }
                }
            }
        }
    }

    /// Checks the version's major number once the request line is complete.
    fn end_request_line(&mut self, input: &[u8]) -> Result<(), Failure> {
        if input[self.line.version_start + 5] != b'1' {
            return Err((ErrorKind::UnsupportedVersion, self.line.version_start + 5));
        }
        self.state = HeadState::Fields;
        self.fields = FieldScanner::new();
        Ok(())
    }
}

/// The error for an LF where the request line cannot end: with bare LF
/// accepted, the line ended early; otherwise it is a bare LF.
fn early_lf(config: &Config, early_end: ErrorKind) -> ErrorKind {
    if config.allow_bare_lf {
        early_end
    } else {
        ErrorKind::BareLf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: text/html\r\n\r\n";

    /// What the connection does on each poll: resume inside a run if the
    /// scanner stopped in one.
    fn resume(scanner: &mut HeadScanner, input: &[u8], config: &Config) -> bool {
        scanner
            .run()
            .is_some_and(|run| scanner.resume_run(run, input, config))
    }

    /// A scanner that has read `HEAD[..len]`.
    fn scanned(len: usize, config: &Config) -> HeadScanner {
        scanned_of(HEAD, len, config)
    }

    /// A scanner that has read `head[..len]`.
    fn scanned_of(head: &[u8], len: usize, config: &Config) -> HeadScanner {
        let mut scanner = HeadScanner::new();
        let (mut fields, mut leniencies) = (Vec::new(), Vec::new());
        let result = scanner.scan(&head[..len], config, &mut fields, &mut leniencies);
        assert_eq!(result, Ok(None));
        scanner
    }

    // The re-entry fast path only ever leaves the rest to the byte-wise loop,
    // which gives the same result, so one that declined everything would pass
    // every behaviour test: these check that it takes a line going on past
    // the input and leaves line ends and passed limits to the loop.
    #[test]
    fn re_entry_takes_a_value_or_name_that_goes_on() {
        let config = Config::default();
        let in_value = 16 + b"Host: exa".len();
        let mut scanner = scanned(in_value, &config);
        assert_eq!(scanner.run(), Some(Run::Value));
        assert!(resume(&mut scanner, &HEAD[..in_value + 3], &config));
        assert_eq!(scanner.pos, in_value + 3);

        // Up to the head limit exactly.
        let limited = Config::default().max_head_len(in_value + 3);
        let mut scanner = scanned(in_value, &limited);
        assert!(resume(&mut scanner, &HEAD[..in_value + 3], &limited));

        let in_name = 16 + b"Host: example.com\r\nAcc".len();
        let mut scanner = scanned(in_name, &config);
        assert_eq!(scanner.run(), Some(Run::Name));
        assert!(resume(&mut scanner, &HEAD[..in_name + 2], &config));
        assert_eq!(scanner.pos, in_name + 2);
    }

    // As for the re-entry: a fast path that left every line unread would
    // pass every behaviour test, so these check what it says it left.
    #[test]
    fn field_lines_fast_path_says_how_it_left_a_line_going_on() {
        let lines = b"Host: a\r\nAccept:  text/html\r\n";
        let left = |len: usize| {
            let mut fields = Vec::new();
            let left = whole_field_lines(Scalar, &lines[..len], 0, 100, &mut fields);
            assert_eq!(fields.len(), usize::from(len >= 9));
            left
        };
        assert_eq!(left(4), (0, LineLeft::InName));
        assert_eq!(left(12), (9, LineLeft::InName));
        for len in 16..lines.len() - 1 {
            // Up to the first value byte, the value starts at the window's end.
            let value_start = len.min(18);
            let in_value = LineLeft::InValue {
                name_end: 15,
                value_start,
            };
            assert_eq!(left(len), (9, in_value), "{len}");
        }
        // Cut between CR and LF, or no line: nothing to say.
        assert_eq!(left(lines.len() - 1), (9, LineLeft::Unread));
        assert_eq!(left(9), (9, LineLeft::Unread));
        let mut fields = Vec::new();
        let bad = b"Host: a\r\nAcc\x01ept: x";
        assert_eq!(
            whole_field_lines(Scalar, bad, 0, 100, &mut fields),
            (9, LineLeft::Unread)
        );
    }

    #[test]
    fn field_lines_fast_path_trims_ows_around_values() {
        // OWS on both sides, inside kept; no value; OWS alone; no OWS.
        let lines = b"A:  x y \t\r\nB:\r\nC: \t \r\nD:z\r\n";
        let mut fields = Vec::new();
        let end = whole_field_lines(Scalar, lines, 0, 100, &mut fields);
        assert_eq!(end, (lines.len(), LineLeft::Unread));
        let values: Vec<&[u8]> = fields
            .iter()
            .map(|f| &lines[f.value_start..f.value_end])
            .collect();
        assert_eq!(values, [&b"x y"[..], b"", b"", b"z"]);
        // An empty value is where the line ends, as the byte-wise scanner puts it.
        assert_eq!((fields[1].value_start, fields[1].value_end), (13, 13));
        assert_eq!((fields[2].value_start, fields[2].value_end), (20, 20));
    }

    // The request line's fast path compares HTTP/1.1 whole; it must still
    // take the other versions it took before (the byte-wise loop would give
    // the same result, so only this sees a fast path that declined them).
    #[test]
    fn request_line_fast_path_takes_every_http1_version_and_method() {
        let config = Config::default();
        for line in [
            &b"GET / HTTP/1.1\r\n"[..],
            b"GET / HTTP/1.0\r\n",
            b"POST /a HTTP/1.9\r\n",
            b"DELETE /a HTTP/1.1\r\n",
        ] {
            let taken = whole_request_line(Scalar, line, 0, &config);
            assert_eq!(taken.map(|(_, end)| end), Some(line.len()), "{line:?}");
        }
        for line in [&b"GET / HTTP/2.0\r\n"[..], b"GET / HTTP/1.x\r\n"] {
            assert_eq!(whole_request_line(Scalar, line, 0, &config), None);
        }
    }

    /// The field scanner after `lines` given at once, and after them given
    /// one byte at a time (the byte-wise loop reading nearly every byte).
    fn scanned_both_ways(lines: &[u8]) -> (FieldScanner, FieldScanner) {
        let config = Config::default();
        let (mut at_once, mut bytewise) = (FieldScanner::new(), FieldScanner::new());
        let (mut fields, mut leniencies) = (Vec::new(), Vec::new());
        let mut pos = 0;
        let done = at_once.scan(
            lines,
            &mut pos,
            lines.len(),
            &config,
            &mut fields,
            &mut leniencies,
        );
        assert_eq!((done, pos), (Ok(false), lines.len()));
        let (mut fields_bytewise, mut pos) = (Vec::new(), 0);
        for end in 1..=lines.len() {
            let done = bytewise.scan(
                lines,
                &mut pos,
                end,
                &config,
                &mut fields_bytewise,
                &mut leniencies,
            );
            assert_eq!(done, Ok(false));
        }
        assert_eq!(fields, fields_bytewise);
        (at_once, bytewise)
    }

    #[test]
    fn field_scanner_resumes_where_the_fast_path_left_a_line() {
        let (at_once, bytewise) = scanned_both_ways(b"Host: a\r\nAccept:  text/ht");
        assert_eq!(at_once, bytewise);
        assert_eq!(at_once.state, FieldState::Value);
        assert_eq!((at_once.line_start, at_once.name_end), (9, 15));
        assert_eq!(at_once.value_start, 18);

        // No value yet: `value_start` means nothing in this state.
        let (at_once, bytewise) = scanned_both_ways(b"Host: a\r\nAccept: \t");
        let meaning = |s: &FieldScanner| (s.state, s.line_start, s.name_end);
        assert_eq!(meaning(&at_once), meaning(&bytewise));
        assert_eq!(at_once.state, FieldState::LeadingWhitespace);

        let (at_once, bytewise) = scanned_both_ways(b"Host: a\r\nAcce");
        let meaning = |s: &FieldScanner| (s.state, s.line_start);
        assert_eq!(meaning(&at_once), meaning(&bytewise));
        assert_eq!(meaning(&at_once), (FieldState::Name, 9));
    }

    #[test]
    fn re_entry_leaves_line_ends_and_limits_to_the_loop() {
        let config = Config::default();
        let in_value = 16 + b"Host: exa".len();
        let cr = 16 + b"Host: example.com".len();
        let mut scanner = scanned(in_value, &config);
        assert!(!resume(&mut scanner, &HEAD[..cr + 1], &config));
        assert_eq!(scanner.pos, cr, "the value's bytes are not scanned again");

        let small = Config::default().max_head_len(in_value);
        let mut scanner = scanned(in_value, &small);
        assert!(!resume(&mut scanner, &HEAD[..in_value + 1], &small));
        assert_eq!(scanner.pos, in_value);

        // Between the request line and the first field: no line to resume.
        let mut scanner = scanned(16, &config);
        assert_eq!(scanner.run(), None);
        assert!(!resume(&mut scanner, &HEAD[..18], &config));

        // Inside the method or the version: not a run it takes.
        assert_eq!(scanned(2, &config).run(), None);
        assert_eq!(scanned(12, &config).run(), None);
    }

    const LONG_TARGET: &[u8] = b"GET /images/tern.jpeg HTTP/1.1\r\nHost: a\r\n\r\n";

    #[test]
    fn re_entry_takes_a_target_that_goes_on() {
        let config = Config::default();
        let mut scanner = scanned_of(LONG_TARGET, 6, &config);
        assert_eq!(scanner.run(), Some(Run::Target));
        assert!(resume(&mut scanner, &LONG_TARGET[..15], &config));
        assert_eq!(scanner.pos, 15);

        // Up to the target limit exactly: the target is 4 + 7 bytes long.
        let limited = Config::default().max_target_len(7);
        let mut scanner = scanned_of(LONG_TARGET, 6, &limited);
        assert!(resume(&mut scanner, &LONG_TARGET[..11], &limited));
    }

    #[test]
    fn re_entry_leaves_the_target_end_and_its_limit_to_the_loop() {
        let config = Config::default();
        let space = b"GET /images/tern.jpeg".len();
        let mut scanner = scanned_of(LONG_TARGET, 6, &config);
        assert!(!resume(&mut scanner, &LONG_TARGET[..space + 2], &config));
        assert_eq!(scanner.pos, space);

        let limited = Config::default().max_target_len(7);
        let mut scanner = scanned_of(LONG_TARGET, 6, &limited);
        assert!(!resume(&mut scanner, &LONG_TARGET[..12], &limited));
        assert_eq!(scanner.pos, 11, "stops at the limit");
        let (mut fields, mut leniencies) = (Vec::new(), Vec::new());
        let result = scanner.scan(&LONG_TARGET[..12], &limited, &mut fields, &mut leniencies);
        assert_eq!(result, Err((ErrorKind::TargetTooLong, 11)));

        let small = Config::default().max_head_len(10);
        let mut scanner = scanned_of(LONG_TARGET, 6, &small);
        assert!(!resume(&mut scanner, &LONG_TARGET[..11], &small));
        assert_eq!(scanner.pos, 6);
    }
}

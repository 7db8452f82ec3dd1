//! An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream").
//!
//! Bytes go in as they arrive, in pieces of any size; complete events come out. A line ends at CR,
//! LF or CRLF, including a CR that ends one piece and an LF that starts the next. One leading
//! UTF-8 BOM is skipped; `data:` lines of one event are joined with `\n`; `event:` names it, `id:`
//! sets the last event id (kept for the events that follow), `retry:` (digits only) the
//! reconnection time; lines starting with `:` are comments; a field without a colon has an empty
//! value; unknown fields are ignored. Text is decoded per line as UTF-8 with replacement (CR and LF
//! never occur inside a multi-byte sequence, so a line is always whole characters).
//!
//! Memory is bounded: a line longer than [`SseLimits::max_line_bytes`] or an event whose data
//! exceeds [`SseLimits::max_event_bytes`] is a typed [`SseError`], after which the parser refuses
//! further input (a stream cut there cannot be resynchronised safely).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Bounds on what one stream may make the parser hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SseLimits {
    /// Longest line, in bytes, without its line end.
    pub max_line_bytes: usize,
    /// Most data bytes in one event (its `data:` values joined).
    pub max_event_bytes: usize,
}

impl Default for SseLimits {
    /// 1 MiB lines, 8 MiB events: far above any chat chunk, far below what would hurt a worker.
    fn default() -> Self {
        SseLimits { max_line_bytes: 1 << 20, max_event_bytes: 8 << 20 }
    }
}

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, `"message"` when absent.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last event id seen in the stream so far (empty when none).
    pub id: String,
    /// The reconnection time the stream asked for with `retry:`, if any so far.
    pub retry_ms: Option<u64>,
}

/// Why the parser stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SseError {
    /// A line longer than the limit (bytes).
    LineTooLong { limit: usize },
    /// An event whose data is larger than the limit (bytes).
    EventTooLarge { limit: usize },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::LineTooLong { limit } => write!(f, "an event-stream line is longer than {limit} bytes"),
            SseError::EventTooLarge { limit } => write!(f, "an event-stream event carries more than {limit} bytes"),
        }
    }
}

impl core::error::Error for SseError {}

/// The parser's state between pieces of input.
#[derive(Clone, Debug, Default)]
pub struct SseParser {
    limits: SseLimits,
    /// Bytes of the line under way.
    line: Vec<u8>,
    /// The previous piece ended with CR: an LF starting the next one belongs to that line end.
    after_cr: bool,
    /// No line has been completed yet (the BOM may only start the first one).
    at_start: bool,
    data: String,
    /// Whether a `data` field was seen since the last dispatch (an empty `data:` counts).
    has_data: bool,
    event: String,
    last_id: String,
    retry_ms: Option<u64>,
    failed: Option<SseError>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    pub fn new(limits: SseLimits) -> Self {
        SseParser { limits, at_start: true, ..SseParser::default() }
    }

    /// Feeds the next piece of the stream; the events it completes are appended to `out` in order.
    /// After an error every further call returns the same error.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        if self.after_cr && !input.is_empty() {
            self.after_cr = false;
            if input[0] == b'\n' {
                input = &input[1..];
            }
        }
        while let Some(end) = input.iter().position(|&b| b == b'\r' || b == b'\n') {
            self.push_line_bytes(&input[..end])?;
            let cr = input[end] == b'\r';
            input = &input[end + 1..];
            if cr {
                match input.first() {
                    Some(b'\n') => input = &input[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            let result = self.take_line(out);
            self.fail_on(result)?;
        }
        self.push_line_bytes(input)
    }

    /// The stream ended. Per the standard an event not closed by a blank line is discarded, and so
    /// is a last line without a line end; returns whether anything was discarded that way.
    pub fn finish(&mut self) -> bool {
        let discarded = !self.line.is_empty() || self.has_data;
        self.line.clear();
        self.data.clear();
        self.has_data = false;
        self.event.clear();
        discarded
    }

    fn fail_on(&mut self, result: Result<(), SseError>) -> Result<(), SseError> {
        if let Err(error) = result {
            self.failed = Some(error);
        }
        result
    }

    fn push_line_bytes(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        let limit = self.limits.max_line_bytes;
        // A BOM starting the first line does not count towards its length (checked in take_line).
        let allowance = if self.at_start { BOM.len() } else { 0 };
        if self.line.len() + bytes.len() > limit + allowance {
            return self.fail_on(Err(SseError::LineTooLong { limit }));
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn take_line(&mut self, out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let mut line = core::mem::take(&mut self.line);
        let mut bytes = &line[..];
        if self.at_start {
            self.at_start = false;
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
            if bytes.len() > self.limits.max_line_bytes {
                return Err(SseError::LineTooLong { limit: self.limits.max_line_bytes });
            }
        }
        let result = self.process_line(bytes, out);
        line.clear();
        self.line = line; // keep the allocation
        result
    }

    fn process_line(&mut self, bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if bytes.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if bytes[0] == b':' {
            return Ok(());
        }
        let (field, value) = match bytes.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &bytes[colon + 1..];
                (&bytes[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (bytes, &b""[..]),
        };
        match field {
            b"data" => {
                let value = String::from_utf8_lossy(value);
                let added = value.len() + usize::from(self.has_data);
                if self.data.len() + added > self.limits.max_event_bytes {
                    return Err(SseError::EventTooLarge { limit: self.limits.max_event_bytes });
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => self.last_id = String::from_utf8_lossy(value).into_owned(),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // All digits: only an overflow can fail, and a huge time saturates.
                self.retry_ms = Some(core::str::from_utf8(value).ok().and_then(|v| v.parse().ok()).unwrap_or(u64::MAX));
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = core::mem::take(&mut self.event);
        if !core::mem::take(&mut self.has_data) {
            // No data: the buffers are reset and nothing is dispatched.
            self.data.clear();
            return;
        }
        out.push(SseEvent {
            event: if event.is_empty() { String::from("message") } else { event },
            data: core::mem::take(&mut self.data),
            id: self.last_id.clone(),
            retry_ms: self.retry_ms,
        });
    }
}

#[cfg(test)]
mod tests;

//! When and how long to wait before retrying a request: a pure policy. The caller owns the clock
//! and the randomness, passing in the current time (for `Retry-After` dates) and a jitter value.
//!
//! Retried: network failures, 408, 429 and 5xx except 501 (Not Implemented) and 505 (HTTP
//! Version Not Supported), which a retry cannot fix. huggingface_hub retries 408, 429, 500, 502,
//! 503, 504 up to 5 times, waiting 1, 2, 4, 8, 8 s (hub-api.md §5.2): the default policy.

/// Whether an answer with this status is worth retrying.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || ((500..600).contains(&status) && status != 501 && status != 505)
}

/// Bounded exponential backoff with jitter, honouring `Retry-After` up to a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub base_delay_ms: u64,
    /// Longest backoff wait.
    pub max_delay_ms: u64,
    /// Longest wait a server's `Retry-After` can impose.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    /// huggingface_hub's: 6 attempts, 1, 2, 4, 8, 8 s apart; `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy { max_attempts: 6, base_delay_ms: 1000, max_delay_ms: 8000, max_retry_after_ms: 60_000 }
    }
}

/// How a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure<'a> {
    /// No answer (connection refused or reset, timeout).
    Network,
    /// An answer with this status, and its `Retry-After` header if any.
    Status { status: u16, retry_after: Option<&'a str> },
}

/// What to do after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the request again after this many milliseconds.
    RetryAfter { delay_ms: u64 },
    /// Report the failure.
    GiveUp,
}

impl RetryPolicy {
    /// The decision after attempt number `attempt` (1 for the first) failed. `jitter` is a value
    /// in `[0, 1]` the caller draws at random (out of range or NaN counts as 0): the backoff wait
    /// is `d/2 + d/2 * jitter` for the exponential delay `d`, so clients that failed together do
    /// not retry together. A `Retry-After` (seconds or HTTP-date, read against `now_unix_secs`)
    /// replaces the backoff when longer, capped at `max_retry_after_ms`.
    pub fn decide(&self, attempt: u32, failure: Failure<'_>, jitter: f64, now_unix_secs: u64) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let retry_after = match failure {
            Failure::Network => None,
            Failure::Status { status, .. } if !is_retryable_status(status) => return RetryDecision::GiveUp,
            Failure::Status { retry_after, .. } => retry_after.and_then(|v| parse_retry_after(v, now_unix_secs)),
        };
        let exponent = attempt.saturating_sub(1).min(63);
        let delay = self.base_delay_ms.saturating_mul(1u64 << exponent).min(self.max_delay_ms);
        let jitter = if (0.0..=1.0).contains(&jitter) { jitter } else { 0.0 };
        let backoff = (delay / 2).saturating_add(((delay - delay / 2) as f64 * jitter) as u64).min(delay);
        let delay_ms = match retry_after {
            Some(secs) => backoff.max(secs.saturating_mul(1000).min(self.max_retry_after_ms)),
            None => backoff,
        };
        RetryDecision::RetryAfter { delay_ms }
    }
}

/// A `Retry-After` value as seconds to wait from `now_unix_secs`: delay-seconds (`120`) or an
/// HTTP-date in any of RFC 9110's three forms (a date in the past is 0). `None` if unreadable.
pub fn parse_retry_after(value: &str, now_unix_secs: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse().unwrap_or(u64::MAX));
    }
    let at = parse_http_date(value)?;
    Some(at.saturating_sub(now_unix_secs))
}

/// An HTTP-date (RFC 9110 §5.6.7) as Unix seconds: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
/// the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
pub fn parse_http_date(value: &str) -> Option<u64> {
    let words: [&str; 6] = {
        let mut w = [""; 6];
        let mut n = 0;
        for word in value.split_ascii_whitespace() {
            *w.get_mut(n)? = word;
            n += 1;
        }
        match n {
            4..=6 => w,
            _ => return None,
        }
    };
    let (day, month, year, time) = match words {
        [weekday, day, month, year, time, "GMT"] if weekday.ends_with(',') => (day, month, year, time),
        [weekday, date, time, "GMT", "", ""] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            let yy: u64 = number(yy, 2)?;
            // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
            let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            return unix_time(number(day, 2)?, month, year, time);
        }
        [_weekday, month, day, time, year, ""] => (day, month, year, time),
        _ => return None,
    };
    unix_time(number(day, 2)?, month, number(year, 4)?, time)
}

/// Up to `max_digits` ASCII digits.
fn number(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn unix_time(day: u64, month: &str, year: u64, time: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut hms = time.split(':');
    let (h, m, s) = (number(hms.next()?, 2)?, number(hms.next()?, 2)?, number(hms.next()?, 2)?);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 || !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm), for years from 1970.
    let (y, mp) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 301, 400, 401, 403, 404, 409, 412, 413, 416, 501, 505] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    // huggingface_hub's waits: 1, 2, 4, 8, 8 s, then it gives up (5 retries).
    #[test]
    fn default_backoff_is_the_python_clients() {
        let p = RetryPolicy::default();
        let waits: Vec<RetryDecision> = (1..=6).map(|a| p.decide(a, Failure::Network, 1.0, 0)).collect();
        let ms = |delay_ms| RetryDecision::RetryAfter { delay_ms };
        assert_eq!(waits, [ms(1000), ms(2000), ms(4000), ms(8000), ms(8000), RetryDecision::GiveUp]);
        assert_eq!(p.decide(1, Failure::Network, 0.0, 0), ms(500), "jitter 0 waits half");
        assert_eq!(p.decide(3, Failure::Network, 0.5, 0), ms(3000));
        assert_eq!(p.decide(1, Failure::Network, f64::NAN, 0), ms(500));
        assert_eq!(p.decide(1, Failure::Network, 7.0, 0), ms(500));
        let none = RetryPolicy { max_attempts: 1, ..p };
        assert_eq!(none.decide(1, Failure::Network, 1.0, 0), RetryDecision::GiveUp);
        let huge = RetryPolicy { max_attempts: u32::MAX, max_delay_ms: u64::MAX, ..p };
        assert_eq!(huge.decide(200, Failure::Network, 1.0, 0), ms(u64::MAX), "no overflow");
    }

    #[test]
    fn statuses_and_retry_after() {
        let p = RetryPolicy::default();
        let status = |status, retry_after| Failure::Status { status, retry_after };
        assert_eq!(p.decide(1, status(404, None), 1.0, 0), RetryDecision::GiveUp);
        assert_eq!(p.decide(1, status(501, Some("1")), 1.0, 0), RetryDecision::GiveUp);
        assert_eq!(p.decide(1, status(429, Some("5")), 1.0, 0), RetryDecision::RetryAfter { delay_ms: 5000 });
        assert_eq!(p.decide(4, status(429, Some("5")), 1.0, 0), RetryDecision::RetryAfter { delay_ms: 8000 });
        assert_eq!(p.decide(1, status(503, Some("3600")), 1.0, 0), RetryDecision::RetryAfter { delay_ms: 60_000 });
        assert_eq!(p.decide(1, status(503, Some("soon")), 1.0, 0), RetryDecision::RetryAfter { delay_ms: 1000 });
        // RFC 9110's example date is 784111777.
        let at = Some("Fri, 31 Dec 1999 23:59:59 GMT");
        assert_eq!(p.decide(1, status(503, at), 1.0, 946_684_799 - 20), RetryDecision::RetryAfter { delay_ms: 20_000 });
        assert_eq!(p.decide(1, status(503, at), 1.0, 946_684_799 + 20), RetryDecision::RetryAfter { delay_ms: 1000 });
    }

    // RFC 9110 §5.6.7: the same instant in the three formats.
    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"), Some(951_825_600));
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "a b c d e f g",
            "Sun, 06 Nov 1994 08:49 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
        assert_eq!(parse_retry_after(" 120 ", 0), Some(120));
        assert_eq!(parse_retry_after("99999999999999999999999", 0), Some(u64::MAX));
        assert_eq!(parse_retry_after("-1", 0), None);
    }
}

//! The time cells of trace files: timestamps (converted to UTC), seconds, or duration offsets,
//! all in microseconds on the file's own clock; and the way a time of a file is shown back.

use std::time::{Duration, UNIX_EPOCH};

pub(crate) const TIME_HINT: &str = "write a timestamp (`2024-03-05 14:00:00`, `2024-03-05T14:00:00Z`, \
                         `2024-03-05T14:00:00+01:00`), seconds (`3600`) or a duration (`1h`)";

/// A time cell in microseconds (see the module documentation for the forms).
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        let us = (seconds * 1e6).round();
        return (us.is_finite() && us.abs() < 9e18).then_some(us as i64);
    }
    parse_timestamp(text).or_else(|| {
        let d = humantime::parse_duration(text).ok()?;
        i64::try_from(d.as_micros()).ok()
    })
}

/// An RFC 3339-like timestamp in microseconds since the Unix epoch, UTC.
fn parse_timestamp(text: &str) -> Option<i64> {
    let (local, offset_secs) = split_offset(text)?;
    let full = match local.len() {
        10 => format!("{local} 00:00:00"),
        16 => format!("{local}:00"),
        _ => local.to_string(),
    };
    let utc = humantime::parse_rfc3339_weak(&full).ok()?.duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(utc.as_micros()).ok()?.checked_sub(offset_secs * 1_000_000)
}

/// Splits a trailing `Z`, ` UTC` or `±HH:MM` / `±HHMM` / `±HH` offset from a timestamp
/// (humantime reads UTC only), giving the offset in seconds east of UTC.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(local) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')).or_else(|| text.strip_suffix(" UTC"))
    {
        return Some((local, 0));
    }
    // The date has dashes too: only look for a sign in the time of day.
    let Some(sign_at) = text.get(11..).and_then(|time| time.rfind(['+', '-'])).map(|i| i + 11) else {
        return Some((text, 0));
    };
    let digits: String = text[sign_at + 1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits.get(2..).filter(|m| !m.is_empty()).map_or(Some(0), |m| m.parse().ok())?;
    let sign = if text[sign_at..].starts_with('-') { -1 } else { 1 };
    Some((text[..sign_at].trim_end(), sign * (hours * 3600 + minutes * 60)))
}

/// 2000-01-01T00:00:00Z in microseconds since the Unix epoch.
const Y2000_US: i64 = 946_684_800_000_000;

/// Whether a file time is a date (a timestamp, or Unix seconds, from 2000 on) rather than an
/// offset: only dates are placed on a scenario's `start_time:`.
pub(crate) fn is_calendar_time(us: i64) -> bool {
    us >= Y2000_US
}

/// A file time as written back in messages: a UTC timestamp for dates (see [`is_calendar_time`]),
/// an offset such as `1h 30m` for smaller times.
pub(crate) fn show_time(us: i64) -> String {
    if is_calendar_time(us) {
        let at = UNIX_EPOCH + Duration::from_micros(us.unsigned_abs());
        humantime::format_rfc3339_seconds(at).to_string()
    } else if us >= 0 {
        humantime::format_duration(Duration::from_micros(us.unsigned_abs())).to_string()
    } else {
        format!("-{}", humantime::format_duration(Duration::from_micros(us.unsigned_abs())))
    }
}

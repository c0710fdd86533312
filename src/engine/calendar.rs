//! The calendar of a run: the UTC instant simulated time 0 is, when the scenario gives one
//! (`start_time:`). Everything that reads a date (cron schedules, time of day, day of the week,
//! timestamps of a trace, the `time_utc` of the outputs) asks it, so the rule is written once.
//!
//! Without a start, time 0 has no date: outputs carry none, and the readers that need a calendar
//! keep their conventions, written here once: cron schedules read time 0 as Monday 1 January
//! 2024, 00:00 UTC ([`Calendar::reference`]), and daily patterns read it as midnight (a time of
//! day of 0).

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

use super::{SimDuration, SimTime};

const MICROS_PER_DAY: u64 = 86_400_000_000;

/// When simulated time 0 is, if the scenario says (UTC, microsecond precision).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    start: Option<NaiveDateTime>,
}

/// The forms a start time may take (for hints).
pub const START_TIME_FORMS: &str = "`2026-03-02T09:00:00Z`, `2026-03-02T10:00:00+01:00` or a date alone, \
                                    `2026-03-02` (midnight UTC)";

impl Calendar {
    /// No date: time 0 is only the start of the run.
    pub const NONE: Calendar = Calendar { start: None };

    /// Time 0 is `start` (UTC).
    pub const fn starting_at(start: NaiveDateTime) -> Calendar {
        Calendar { start: Some(start) }
    }

    /// Reads a start time: RFC 3339 (`2026-03-02T09:00:00Z`, an offset such as `+01:00`, which is
    /// converted to UTC, fractional seconds down to the microsecond; a space may replace the `T`)
    /// or a date alone (`2026-03-02`, midnight UTC). `None` for anything else.
    pub fn parse(text: &str) -> Option<Calendar> {
        let text = text.trim();
        let start = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            date.and_hms_opt(0, 0, 0)?
        } else {
            chrono::DateTime::parse_from_rfc3339(text).ok()?.naive_utc()
        };
        // Below a microsecond, time 0 would fall between two ticks.
        (start.nanosecond() % 1_000 == 0).then_some(Calendar::starting_at(start))
    }

    /// The start, if the scenario gives one.
    pub const fn start(&self) -> Option<NaiveDateTime> {
        self.start
    }

    pub const fn is_set(&self) -> bool {
        self.start.is_some()
    }

    /// The date of time 0 for readers that need one: the start, else Monday 1 January 2024,
    /// 00:00 UTC.
    pub fn reference(&self) -> NaiveDateTime {
        self.start.unwrap_or(NaiveDateTime::new(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            chrono::NaiveTime::MIN,
        ))
    }

    /// The date of `t` on [`Calendar::reference`]; `None` past the calendar's end (year 262143).
    pub fn date_of(&self, t: SimTime) -> Option<NaiveDateTime> {
        let us = i64::try_from(t.as_micros()).ok()?;
        self.reference().checked_add_signed(TimeDelta::microseconds(us))
    }

    /// The simulated time of a date on [`Calendar::reference`]; `None` before time 0.
    pub fn time_of(&self, at: NaiveDateTime) -> Option<SimTime> {
        let us = (at - self.reference()).num_microseconds()?;
        u64::try_from(us).ok().map(SimTime::from_micros)
    }

    /// How far past midnight time 0 is (0 without a start).
    pub fn time_of_day(&self) -> SimDuration {
        self.start.map_or(SimDuration::ZERO, |s| {
            let us = u64::from(s.num_seconds_from_midnight()) * 1_000_000 + u64::from(s.nanosecond() / 1_000);
            SimDuration::from_micros(us % MICROS_PER_DAY)
        })
    }

    /// The day of the week of time 0, counted from Monday (0) to Sunday (6), if there is a start.
    pub fn weekday_from_monday(&self) -> Option<u32> {
        self.start.map(|s| s.weekday().num_days_from_monday())
    }

    /// Time 0 in microseconds since the Unix epoch, if there is a start.
    pub fn start_unix_micros(&self) -> Option<i64> {
        self.start.map(|s| s.and_utc().timestamp_micros())
    }

    /// `t` as an ISO 8601 UTC timestamp to the millisecond (`2026-03-02T14:30:00.250Z`, the
    /// precision of the outputs' seconds), if there is a start.
    pub fn utc(&self, t: SimTime) -> Option<String> {
        self.start?;
        self.date_of(t).map(|d| iso(&d, 3))
    }

    /// The start as an ISO 8601 UTC timestamp (`2026-03-02T14:30:00Z`; fractional seconds only
    /// when it has some), if there is one.
    pub fn start_text(&self) -> Option<String> {
        self.start.map(|s| iso(&s, if s.nanosecond() == 0 { 0 } else { 6 }))
    }
}

/// `2026-03-02T14:30:00.250Z`, with `digits` (0, 3 or 6) of fractional seconds.
fn iso(d: &NaiveDateTime, digits: usize) -> String {
    let date =
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", d.year(), d.month(), d.day(), d.hour(), d.minute(), d.second());
    match digits {
        0 => format!("{date}Z"),
        3 => format!("{date}.{:03}Z", d.nanosecond() / 1_000_000),
        _ => format!("{date}.{:06}Z", d.nanosecond() / 1_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Calendar {
        Calendar::parse(text).unwrap_or_else(|| panic!("`{text}` should parse"))
    }

    #[test]
    fn start_times_are_rfc3339_or_a_date_and_end_up_in_utc() {
        assert_eq!(at("2026-03-02T00:00:00Z").start_text().unwrap(), "2026-03-02T00:00:00Z");
        assert_eq!(at("2026-03-02").start_text().unwrap(), "2026-03-02T00:00:00Z");
        // An offset east of UTC is earlier in UTC, across midnight.
        assert_eq!(at("2026-03-02T00:30:00+01:00").start_text().unwrap(), "2026-03-01T23:30:00Z");
        assert_eq!(at("2026-03-02 09:15:00-05:00").start_text().unwrap(), "2026-03-02T14:15:00Z");
        assert_eq!(at("2026-03-02T09:00:00.25Z").start_text().unwrap(), "2026-03-02T09:00:00.250000Z");
        for bad in [
            "2026-03-02T25:00:00Z",
            "2026-02-30",
            "2026-03-02T09:00:00",
            "monday",
            "1h",
            "",
            "2026-03-02T09:00:00.0000001Z",
        ] {
            assert_eq!(Calendar::parse(bad), None, "`{bad}`");
        }
    }

    #[test]
    fn times_map_to_dates_and_back() {
        // Wednesday 4 March 2026, 14:30.
        let c = at("2026-03-04T14:30:00Z");
        assert_eq!(c.weekday_from_monday(), Some(2));
        assert_eq!(c.time_of_day(), SimDuration::from_mins(14 * 60 + 30));
        let t = SimTime::ZERO + SimDuration::from_millis(9 * 3_600_000 + 250);
        assert_eq!(c.utc(t).unwrap(), "2026-03-04T23:30:00.250Z");
        assert_eq!(c.utc(t + SimDuration::from_mins(30)).unwrap(), "2026-03-05T00:00:00.250Z");
        assert_eq!(c.time_of(c.date_of(t).unwrap()), Some(t));
        assert_eq!(c.time_of(c.reference() - TimeDelta::seconds(1)), None);
        assert_eq!(c.start_unix_micros(), Some(1_772_634_600_000_000));
    }

    #[test]
    fn without_a_start_there_is_no_date_but_cron_has_its_monday() {
        let c = Calendar::NONE;
        assert_eq!((c.utc(SimTime::ZERO), c.start_text(), c.weekday_from_monday()), (None, None, None));
        assert_eq!(c.time_of_day(), SimDuration::ZERO);
        assert_eq!(c.reference().to_string(), "2024-01-01 00:00:00");
        assert_eq!(c.reference().weekday(), chrono::Weekday::Mon);
    }
}

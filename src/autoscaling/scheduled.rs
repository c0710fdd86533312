//! Scheduled actions (aws-behaviour.md §7.3): new minimum and/or maximum capacities at a time
//! of the run (`at: 2h`) or on a cron schedule (`cron: "0 9 * * MON-FRI"`, five fields, minute
//! resolution, UTC), read against the run's calendar: from the scenario's `start_time:`, or
//! Monday 1 January 2024, 00:00 UTC without one ([`Calendar::reference`]).

use chrono::{NaiveDateTime, TimeDelta, Timelike};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use crate::engine::{Calendar, SimTime};

/// When an action runs.
#[derive(Clone, Debug)]
pub enum When {
    /// Once, at this instant of the run.
    At(SimTime),
    /// On every match of a cron expression on the calendar; the text is kept for events.
    Cron(Box<Cron>, String, Calendar),
}

impl PartialEq for When {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (When::At(a), When::At(b)) => a == b,
            (When::Cron(_, a, ca), When::Cron(_, b, cb)) => a == b && ca == cb,
            _ => false,
        }
    }
}

impl When {
    /// Parses a five-field cron expression, to be read on `calendar`; `Err` says why it is not one.
    pub fn cron(text: &str, calendar: Calendar) -> Result<When, String> {
        if text.trim().starts_with('@') {
            return Err("nicknames such as `@daily` are not supported: write the five fields".into());
        }
        let parser = CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build();
        let cron = parser.parse(text).map_err(|e| e.to_string())?;
        Ok(When::Cron(Box::new(cron), text.to_string(), calendar))
    }

    /// The first time the action runs at or after `from` (`None`: never again).
    pub fn next(&self, from: SimTime) -> Option<SimTime> {
        match self {
            When::At(at) => (*at >= from).then_some(*at),
            When::Cron(cron, _, calendar) => {
                let start = whole_minute(calendar.date_of(from)?)?;
                let next = cron.find_next_occurrence(&start, true).ok()?;
                calendar.time_of(next)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            When::At(at) => format!("at {at}"),
            When::Cron(_, text, _) => format!("cron({text})"),
        }
    }
}

/// A scheduled action: the bounds it sets (at least one).
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledAction {
    pub name: String,
    pub when: When,
    pub min_capacity: Option<u32>,
    pub max_capacity: Option<u32>,
}

/// A date rounded up to the next whole minute (cron's resolution); itself when it is one.
fn whole_minute(at: NaiveDateTime) -> Option<NaiveDateTime> {
    let floor = at.with_second(0)?.with_nanosecond(0)?;
    if floor == at {
        Some(at)
    } else {
        floor.checked_add_signed(TimeDelta::minutes(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn at(h: u64, m: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_mins(h * 60 + m)
    }

    #[test]
    fn cron_runs_on_the_calendar_of_a_monday_start() {
        let weekdays_at_nine = When::cron("0 9 * * MON-FRI", Calendar::NONE).unwrap();
        assert_eq!(weekdays_at_nine.next(SimTime::ZERO), Some(at(9, 0)));
        // Inclusive at a match, then the next day.
        assert_eq!(weekdays_at_nine.next(at(9, 0)), Some(at(9, 0)));
        assert_eq!(weekdays_at_nine.next(at(9, 0) + SimDuration::from_secs(1)), Some(at(24 + 9, 0)));
        // Friday 09:00 is followed by Monday 09:00 (day 7).
        assert_eq!(weekdays_at_nine.next(at(4 * 24 + 10, 0)), Some(at(7 * 24 + 9, 0)));
        let every_quarter = When::cron("*/15 * * * *", Calendar::NONE).unwrap();
        assert_eq!(every_quarter.next(at(0, 1)), Some(at(0, 15)));
    }

    fn on(start: &str, cron: &str) -> When {
        When::cron(cron, Calendar::parse(start).unwrap()).unwrap()
    }

    #[test]
    fn cron_reads_the_real_calendar_from_a_start_time() {
        // Wednesday 4 March 2026, 00:00: the next Monday 09:00 is 5 days and 9 hours in.
        let mondays = on("2026-03-04", "0 9 * * MON");
        assert_eq!(mondays.next(SimTime::ZERO), Some(at(5 * 24 + 9, 0)));
        // Month lengths: from Friday 27 February 2026 at 12:00, the 1st of the month at 00:00 is
        // 1.5 days in (February 2026 has 28 days), then 31 days later (March has 31).
        let firsts = on("2026-02-27T12:00:00Z", "0 0 1 * *");
        assert_eq!(firsts.next(SimTime::ZERO), Some(at(36, 0)));
        assert_eq!(firsts.next(at(36, 1)), Some(at(36 + 31 * 24, 0)));
        // The month field: the first July 1st 00:00 after 27 Feb 2026 12:00 is 123.5 days in
        // (1 + 31 + 30 + 31 + 30 days from 1 March, plus the 1.5 days to 1 March).
        let july = on("2026-02-27T12:00:00Z", "0 0 1 JUL *");
        assert_eq!(july.next(SimTime::ZERO), Some(at(36 + (31 + 30 + 31 + 30) * 24, 0)));
        // A start off the minute: 09:00:30 rounds up to 09:01, so 09:00 is tomorrow's.
        let nine = on("2026-03-04T09:00:30+00:00", "0 9 * * *");
        assert_eq!(nine.next(SimTime::ZERO), Some(at(23, 59) + SimDuration::from_secs(30)));
    }

    #[test]
    fn bad_expressions_say_why() {
        assert!(When::cron("0 9 * *", Calendar::NONE).is_err());
        assert!(When::cron("61 * * * *", Calendar::NONE).is_err());
        assert!(When::cron("0 0 9 * * *", Calendar::NONE).is_err(), "no seconds field");
        assert!(When::cron("@daily", Calendar::NONE).is_err());
    }

    #[test]
    fn a_one_off_action_runs_once() {
        let w = When::At(at(2, 0));
        assert_eq!(w.next(SimTime::ZERO), Some(at(2, 0)));
        assert_eq!(w.next(at(2, 1)), None);
    }
}

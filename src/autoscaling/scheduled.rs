//! Scheduled actions (aws-behaviour.md §7.3): new minimum and/or maximum capacities at a time
//! of the run (`at: 2h`) or on a cron schedule (`cron: "0 9 * * MON-FRI"`, five fields, minute
//! resolution, UTC). Simulated time 0 is a Monday 00:00, as for rate patterns.

use chrono::{NaiveDate, NaiveDateTime};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use crate::engine::{SimDuration, SimTime};

/// When an action runs.
#[derive(Clone, Debug)]
pub enum When {
    /// Once, at this instant of the run.
    At(SimTime),
    /// On every match of a cron expression; the text is kept for events.
    Cron(Box<Cron>, String),
}

impl PartialEq for When {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (When::At(a), When::At(b)) => a == b,
            (When::Cron(_, a), When::Cron(_, b)) => a == b,
            _ => false,
        }
    }
}

impl When {
    /// Parses a five-field cron expression; `Err` says why it is not one.
    pub fn cron(text: &str) -> Result<When, String> {
        if text.trim().starts_with('@') {
            return Err("nicknames such as `@daily` are not supported: write the five fields".into());
        }
        let parser = CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build();
        let cron = parser.parse(text).map_err(|e| e.to_string())?;
        Ok(When::Cron(Box::new(cron), text.to_string()))
    }

    /// The first time the action runs at or after `from` (`None`: never again).
    pub fn next(&self, from: SimTime) -> Option<SimTime> {
        match self {
            When::At(at) => (*at >= from).then_some(*at),
            When::Cron(cron, _) => {
                let start = to_calendar(from)?;
                let next = cron.find_next_occurrence(&start, true).ok()?;
                from_calendar(next)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            When::At(at) => format!("at {at}"),
            When::Cron(_, text) => format!("cron({text})"),
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

/// The calendar instant of simulated time 0: Monday 1 January 2024, 00:00 UTC.
fn epoch() -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(2024, 1, 1)?.and_hms_opt(0, 0, 0)
}

/// A simulated time on the calendar, rounded up to the next whole minute (cron's resolution).
fn to_calendar(t: SimTime) -> Option<NaiveDateTime> {
    let minutes = t.as_micros().div_ceil(60_000_000);
    epoch()?.checked_add_signed(chrono::TimeDelta::try_minutes(i64::try_from(minutes).ok()?)?)
}

fn from_calendar(at: NaiveDateTime) -> Option<SimTime> {
    let seconds = u64::try_from((at - epoch()?).num_seconds()).ok()?;
    Some(SimTime::ZERO + SimDuration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u64, m: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_mins(h * 60 + m)
    }

    #[test]
    fn cron_runs_on_the_calendar_of_a_monday_start() {
        let weekdays_at_nine = When::cron("0 9 * * MON-FRI").unwrap();
        assert_eq!(weekdays_at_nine.next(SimTime::ZERO), Some(at(9, 0)));
        // Inclusive at a match, then the next day.
        assert_eq!(weekdays_at_nine.next(at(9, 0)), Some(at(9, 0)));
        assert_eq!(weekdays_at_nine.next(at(9, 0) + SimDuration::from_secs(1)), Some(at(24 + 9, 0)));
        // Friday 09:00 is followed by Monday 09:00 (day 7).
        assert_eq!(weekdays_at_nine.next(at(4 * 24 + 10, 0)), Some(at(7 * 24 + 9, 0)));
        let every_quarter = When::cron("*/15 * * * *").unwrap();
        assert_eq!(every_quarter.next(at(0, 1)), Some(at(0, 15)));
    }

    #[test]
    fn bad_expressions_say_why() {
        assert!(When::cron("0 9 * *").is_err());
        assert!(When::cron("61 * * * *").is_err());
        assert!(When::cron("0 0 9 * * *").is_err(), "no seconds field");
        assert!(When::cron("@daily").is_err());
    }

    #[test]
    fn a_one_off_action_runs_once() {
        let w = When::At(at(2, 0));
        assert_eq!(w.next(SimTime::ZERO), Some(at(2, 0)));
        assert_eq!(w.next(at(2, 1)), None);
    }
}

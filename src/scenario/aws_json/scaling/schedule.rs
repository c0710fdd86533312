//! A scheduled action (`put-scheduled-action` input, a `describe-scheduled-actions` entry) as
//! ecsim's [`RawScheduledAction`]: AWS's six-field `cron(...)` becomes a five-field cron.

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::scenario::schema::RawScheduledAction;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct ScheduledAction {
    scheduled_action_name: Option<String>,
    schedule: String,
    scalable_target_action: TargetAction,
    _service_namespace: Option<IgnoredAny>,
    _resource_id: Option<IgnoredAny>,
    _scalable_dimension: Option<IgnoredAny>,
    timezone: Option<String>,
    _start_time: Option<IgnoredAny>,
    _end_time: Option<IgnoredAny>,
    #[serde(rename = "ScheduledActionARN")]
    _scheduled_action_arn: Option<IgnoredAny>,
    _creation_time: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetAction {
    min_capacity: Option<i64>,
    max_capacity: Option<i64>,
}

impl ScheduledAction {
    pub(super) fn into_raw(self) -> Result<RawScheduledAction, (&'static str, String, &'static str)> {
        if let Some(tz) = self.timezone.as_deref().filter(|tz| !matches!(*tz, "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT")) {
            return Err((
                "Timezone",
                format!("the schedule's time zone `{tz}` is not simulated: ecsim's cron schedules are UTC"),
                "convert the schedule's hours to UTC and drop `Timezone`",
            ));
        }
        let schedule = self.schedule.trim();
        let Some(fields) = schedule.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) else {
            return Err((
                "Schedule",
                format!("the schedule `{schedule}` is not simulated: ecsim reads `cron(...)` schedules"),
                "write the action in the scenario with `at:` (an offset into the run) instead",
            ));
        };
        let parts: Vec<&str> = fields.split_whitespace().collect();
        let cron = match parts.as_slice() {
            [m, h, dom, mon, dow, year] if matches!(*year, "*" | "?") => {
                [m, h, dom, mon, dow].iter().map(|p| if **p == "?" { "*" } else { **p }).collect::<Vec<_>>().join(" ")
            }
            _ => {
                return Err((
                    "Schedule",
                    format!("`{schedule}` is not a cron expression of six fields with any year"),
                    "AWS's form is `cron(minutes hours day-of-month month day-of-week year)`, e.g. `cron(0 9 ? * MON-FRI *)`",
                ))
            }
        };
        Ok(RawScheduledAction {
            name: self.scheduled_action_name,
            at: None,
            cron: Some(cron),
            min_capacity: self.scalable_target_action.min_capacity,
            max_capacity: self.scalable_target_action.max_capacity,
        })
    }
}

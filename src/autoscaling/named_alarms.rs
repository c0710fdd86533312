//! The scenario's own CloudWatch alarms (`alarms:`), which no policy owns: deployments watch
//! them (`deploymentConfiguration.alarms`).
//!
//! Contract: every minute, after the minute's datapoints are published, each is evaluated as a
//! policy's alarm is ([`super::alarm::evaluate`]); a change of state is an `ALARM_STATE_CHANGE`
//! event of its service. The alarms in ALARM are returned, in `AlarmId` order, for the tick to
//! tell the services once the policies have decided.

use crate::ids::AlarmId;
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::alarm::{evaluate, AlarmState};
use super::state::Autoscaling;

/// Evaluates the named alarms on the minute `minute`; returns those in ALARM, with their names.
pub(super) fn evaluate_all(
    world: &World,
    ctx: &mut Ctx,
    scaling: &mut Autoscaling,
    minute: u64,
) -> Vec<(AlarmId, String)> {
    let Autoscaling { store, alarms, custom_names, .. } = scaling;
    let mut in_alarm = Vec::new();
    for (i, (service, alarm)) in alarms.iter_mut().enumerate() {
        let eval = evaluate(&alarm.spec, store, minute);
        if eval.state != alarm.state {
            // Seconds of latency want more digits than percents.
            let message = alarm.change_message(&eval, custom_names, 3);
            let name = world.services.get(*service).spec.name.clone();
            ctx.log(EventKind::AlarmStateChange).service(name).status(eval.state.as_str()).message(message).emit();
            alarm.state = eval.state;
        }
        if alarm.state == AlarmState::Alarm {
            in_alarm.push((AlarmId::from_index(i), alarm.name.clone()));
        }
    }
    in_alarm
}

//! `deploymentConfiguration.alarms` (aws-behaviour.md §6a): a CloudWatch alarm a service names
//! fails its deployment when it goes to ALARM while the deployment is in progress (its bake time
//! included), whatever the strategy.
//!
//! Contract: the primary deployment, if IN_PROGRESS, is FAILED (said once); with `rollback`, a
//! traffic-shifting deployment first sends all production traffic back to the old revision's
//! target group, then a new deployment returns to the last completed one and adopts its tasks
//! ([`super::circuit_breaker::roll_back`]); the failed revision's tasks are then replaced as a
//! rolling update replaces an old deployment's. Without a completed deployment to return to, the
//! failed one stalls as it is.

use crate::ids::{AlarmId, ServiceId};
use crate::record::EventKind;
use crate::world::{Ctx, World};

use super::circuit_breaker::{roll_back, rollback_target};
use super::deployment::RolloutState;
use super::wording;

/// Alarm `alarm` (named `name`) went to ALARM: every service watching it fails its deployment in
/// progress.
pub fn on_alarm(world: &mut World, ctx: &mut Ctx, alarm: AlarmId, name: &str) {
    for id in world.services.ids() {
        let svc = world.services.get(id);
        let Some(watch) = &svc.spec.deployment.alarms else { continue };
        if watch.alarms.contains(&alarm) && svc.primary().state == RolloutState::InProgress && svc.deployments.len() > 1
        {
            let rollback = watch.rollback;
            fail(world, ctx, id, name, rollback);
        }
    }
}

fn fail(world: &mut World, ctx: &mut Ctx, id: ServiceId, alarm: &str, rollback: bool) {
    let now = ctx.sched.now();
    let svc = world.services.get_mut(id);
    svc.primary_mut().end(RolloutState::Failed, now);
    svc.steady.changed();
    let failed = svc.primary().id.clone();
    let service = svc.spec.name.clone();
    let message = wording::alarm_failed(&service, &failed, alarm);
    ctx.log(EventKind::ServiceDeploymentFailed).service(service.clone()).message(message).emit();
    if !rollback {
        return;
    }
    let shift = world.services.get(id).primary().shift.clone();
    if let Some(shift) = shift.filter(|s| s.percent > 0.0) {
        crate::traffic::shift_production(world, ctx, shift.to, shift.from, 100.0);
        if let Some(state) = world.services.get_mut(id).primary_mut().shift.as_mut() {
            state.percent = 0.0;
            state.shifts.push((now, 0.0));
        }
        let (to, from) =
            (crate::traffic::target_group_name(world, shift.from), crate::traffic::target_group_name(world, shift.to));
        let message = wording::traffic_shifted(&service, &failed, 100.0, to, from);
        ctx.log(EventKind::ServiceDeploymentTrafficShifted).service(service.clone()).message(message).emit();
    }
    match rollback_target(&world.services.get(id).deployments) {
        Some(target) => roll_back(world, ctx, id, target, failed),
        None => {
            let message = wording::no_rollback_target(&service, &failed);
            ctx.log(EventKind::ServiceDeploymentFailed).service(service).message(message).emit();
        }
    }
}

//! What the cluster's capacity is doing besides its instances: the launches Auto Scaling groups
//! have in flight, the zones that are down, the Spot capacity that cannot be had.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::InstanceType;
use crate::engine::SimTime;
use crate::ids::{InstanceId, LaunchId, ProviderId, ZoneId};

use super::census::{self, GroupCensus};

/// How a launch ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchOutcome {
    /// The instance is still booting.
    Pending,
    Registered(InstanceId),
    /// Its zone went down before it registered.
    Failed,
}

/// One EC2 instance launch of an Auto Scaling group.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    pub provider: ProviderId,
    pub zone: ZoneId,
    /// The type and purchase option the group chose for it (a mixed group's distribution).
    pub instance_type: &'static InstanceType,
    pub spot: bool,
    pub started_at: SimTime,
    pub outcome: LaunchOutcome,
}

/// See the module docs. Everything is keyed by typed ids in arenas and `BTreeMap`s.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    /// Every launch of the run, in order; a `LaunchId` indexes it. Its outcome changes only
    /// through [`Fleet::end_launch`], which keeps the census in step.
    pub(super) launches: Vec<Launch>,
    /// What each group counts toward its desired capacity (see [`super::census`]).
    census: BTreeMap<ProviderId, GroupCensus>,
    /// Zones in an outage, with the time each recovers (`None`: not within the run).
    zones_down: BTreeMap<ZoneId, Option<SimTime>>,
    /// Providers whose Spot capacity cannot be had, until when.
    spot_unavailable: BTreeMap<ProviderId, SimTime>,
    /// Managed scaling's state of each provider that has it.
    managed: BTreeMap<ProviderId, ManagedScalingState>,
    /// Groups that launched an extra instance to rebalance their zones: their next termination
    /// is a rebalancing one, not a scale-in.
    rebalancing: BTreeSet<ProviderId>,
}

/// What ECS's managed scaling of one provider last saw and is counting.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ManagedScalingState {
    /// The CapacityProviderReservation last published, percent.
    pub reservation: Option<f64>,
    /// Consecutive datapoints above the target (the high alarm).
    pub above: u32,
    /// Consecutive datapoints below the target (the low alarm); a scale-out restarts it.
    pub below: u32,
}

impl Fleet {
    /// Records a launch of an instance of `itype` (a Spot one if `spot`) that has just begun.
    pub fn begin_launch(
        &mut self,
        provider: ProviderId,
        zone: ZoneId,
        (instance_type, spot): (&'static InstanceType, bool),
        now: SimTime,
    ) -> LaunchId {
        let launch = Launch { provider, zone, instance_type, spot, started_at: now, outcome: LaunchOutcome::Pending };
        self.census_mut(provider).launch(&launch, 1);
        self.launches.push(launch);
        LaunchId::from_index(self.launches.len() - 1)
    }

    /// The launch `id`.
    pub fn launch(&self, id: LaunchId) -> &Launch {
        &self.launches[id.index()]
    }

    /// A pending launch ended with `outcome` (registered, or failed): its group stops counting it
    /// as booting.
    pub(super) fn end_launch(&mut self, id: LaunchId, outcome: LaunchOutcome) {
        let launch = &mut self.launches[id.index()];
        debug_assert_eq!(launch.outcome, LaunchOutcome::Pending, "a launch ends once");
        launch.outcome = outcome;
        let launch = launch.clone();
        self.census_mut(launch.provider).launch(&launch, -1);
    }

    /// What `provider`'s group counts now: instances in service and launches booting, per zone.
    pub fn census(&self, provider: ProviderId) -> &GroupCensus {
        self.census.get(&provider).unwrap_or(&census::EMPTY)
    }

    pub(super) fn census_mut(&mut self, provider: ProviderId) -> &mut GroupCensus {
        self.census.entry(provider).or_default()
    }

    /// The CapacityProviderReservation (percent) managed scaling last published for `provider`;
    /// `None` before its first minute or without managed scaling.
    pub fn capacity_provider_reservation(&self, provider: ProviderId) -> Option<f64> {
        self.managed.get(&provider).and_then(|m| m.reservation)
    }

    /// `provider`'s group launched an instance to rebalance its zones.
    pub fn mark_rebalancing(&mut self, provider: ProviderId) {
        self.rebalancing.insert(provider);
    }

    /// Whether `provider`'s group had launched an instance to rebalance (and forgets it).
    pub fn take_rebalancing(&mut self, provider: ProviderId) -> bool {
        self.rebalancing.remove(&provider)
    }

    /// Managed scaling's state of `provider`.
    pub fn managed_scaling(&mut self, provider: ProviderId) -> &mut ManagedScalingState {
        self.managed.entry(provider).or_default()
    }

    /// The launches of `provider` whose instances are still booting.
    pub fn pending_launches(&self, provider: ProviderId) -> impl Iterator<Item = &Launch> {
        self.launches.iter().filter(move |l| l.provider == provider && l.outcome == LaunchOutcome::Pending)
    }

    pub fn is_zone_down(&self, zone: ZoneId) -> bool {
        self.zones_down.contains_key(&zone)
    }

    /// The zone is down until `until` (`None`: the end of the run); an outage already under way
    /// lasts until the later of both ends.
    pub fn zone_down(&mut self, zone: ZoneId, until: Option<SimTime>) {
        let end = match self.zones_down.get(&zone) {
            Some(current) => current.zip(until).map(|(a, b)| a.max(b)),
            None => until,
        };
        self.zones_down.insert(zone, end);
    }

    /// Ends the zone's outage if it was due to end `now` (a later outage may have extended it);
    /// returns whether it did.
    pub fn zone_recovers(&mut self, zone: ZoneId, now: SimTime) -> bool {
        let due = self.zones_down.get(&zone).is_some_and(|until| *until == Some(now));
        if due {
            self.zones_down.remove(&zone);
        }
        due
    }

    pub fn is_spot_unavailable(&self, provider: ProviderId) -> bool {
        self.spot_unavailable.contains_key(&provider)
    }

    /// `provider`'s Spot capacity cannot be had until `until` (or later, if it already could not).
    pub fn spot_unavailable_until(&mut self, provider: ProviderId, until: SimTime) {
        let end = self.spot_unavailable.get(&provider).map_or(until, |current| until.max(*current));
        self.spot_unavailable.insert(provider, end);
    }

    /// Makes `provider`'s Spot capacity available again if it was due back `now`; returns
    /// whether it was.
    pub fn spot_returns(&mut self, provider: ProviderId, now: SimTime) -> bool {
        let due = self.spot_unavailable.get(&provider) == Some(&now);
        if due {
            self.spot_unavailable.remove(&provider);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn overlapping_outages_end_with_the_later_one() {
        let (mut fleet, zone) = (Fleet::default(), ZoneId::from_index(1));
        fleet.zone_down(zone, Some(at(100)));
        fleet.zone_down(zone, Some(at(50)));
        assert!(!fleet.zone_recovers(zone, at(50)), "the first outage still runs");
        assert!(fleet.zone_recovers(zone, at(100)));
        assert!(!fleet.is_zone_down(zone));
        fleet.zone_down(zone, Some(at(200)));
        fleet.zone_down(zone, None);
        assert!(!fleet.zone_recovers(zone, at(200)), "an open-ended outage lasts to the end");
    }

    #[test]
    fn spot_capacity_returns_at_the_latest_end() {
        let (mut fleet, p) = (Fleet::default(), ProviderId::from_index(1));
        fleet.spot_unavailable_until(p, at(300));
        fleet.spot_unavailable_until(p, at(100));
        assert!(!fleet.spot_returns(p, at(100)));
        assert!(fleet.is_spot_unavailable(p));
        assert!(fleet.spot_returns(p, at(300)));
        assert!(!fleet.is_spot_unavailable(p));
    }
}

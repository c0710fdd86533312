//! `timing:` — how long lifecycle steps take. Defaults and their sources are in the README's
//! scenario reference; every one is a documented choice where AWS publishes no number.

use super::checker::Checker;
use crate::engine::SimDuration;
use crate::scenario::path::Path;
use crate::scenario::schema::{RawBackoff, RawImagePull, RawTiming};
use crate::task::{Backoff, ImagePull, LifecycleTiming};

pub fn check(c: &mut Checker, raw: Option<&RawTiming>) -> Option<LifecycleTiming> {
    let mut t = LifecycleTiming::default();
    let Some(raw) = raw else { return Some(t) };
    let path = Path::root("timing");
    let mut ok = true;
    if let Some(d) = &raw.fargate_provisioning {
        ok &= c.distribution(&path.field("fargate_provisioning"), d).map(|d| t.fargate_provisioning = d).is_some();
    }
    if let Some(d) = &raw.eni_attachment {
        ok &= c.distribution(&path.field("eni_attachment"), d).map(|d| t.eni_attachment = d).is_some();
    }
    if let Some(p) = &raw.fargate_image_pull {
        ok &= image_pull(c, &path.field("fargate_image_pull"), p, &mut t.fargate_image_pull);
    }
    if let Some(p) = &raw.ec2_image_pull {
        ok &= image_pull(c, &path.field("ec2_image_pull"), p, &mut t.ec2_image_pull);
    }
    if let Some(b) = &raw.launch_backoff {
        ok &= backoff(c, &path.field("launch_backoff"), b, &mut t.launch_backoff);
    }
    if let Some(d) = &raw.capacity_wait_timeout {
        let path = path.field("capacity_wait_timeout");
        ok &= c.duration(&path, d).filter(|d| c.positive(&path, *d)).map(|d| t.capacity_wait_timeout = d).is_some();
    }
    ok &= super::capacity::check_fleet_timing(c, &path, raw, &mut t.fleet);
    ok.then_some(t)
}

fn image_pull(c: &mut Checker, path: &Path, raw: &RawImagePull, pull: &mut ImagePull) -> bool {
    let mut ok = true;
    if let Some(l) = &raw.latency {
        ok &= c.duration(&path.field("latency"), l).map(|l| pull.latency = l).is_some();
    }
    if let Some(tp) = raw.throughput_mb_per_s {
        if tp.is_finite() && tp > 0.0 {
            pull.throughput_mb_per_s = tp;
        } else {
            c.error(&path.field("throughput_mb_per_s"), &format!("{tp} must be a number > 0 (MB per second)"), None);
            ok = false;
        }
    }
    ok
}

fn backoff(c: &mut Checker, path: &Path, raw: &RawBackoff, backoff: &mut Backoff) -> bool {
    let mut ok = true;
    let mut duration =
        |c: &mut Checker, field: &str, raw: &Option<crate::scenario::values::Scalar>, slot: &mut SimDuration| {
            if let Some(d) = raw {
                let path = path.field(field);
                ok &= c.duration(&path, d).filter(|d| c.positive(&path, *d)).map(|d| *slot = d).is_some();
            }
        };
    duration(c, "first", &raw.first, &mut backoff.first);
    duration(c, "max", &raw.max, &mut backoff.max);
    if let Some(f) = raw.factor {
        if f.is_finite() && f >= 1.0 {
            backoff.factor = f;
        } else {
            c.error(
                &path.field("factor"),
                &format!("{f} must be a number >= 1"),
                Some("2 doubles the delay each time"),
            );
            ok = false;
        }
    }
    if backoff.max < backoff.first {
        c.error(&path.field("max"), &format!("{} is shorter than `first` ({})", backoff.max, backoff.first), None);
        ok = false;
    }
    ok
}

//! `behaviour:` of a container — ecsim's model of the program: whether it starts, when it is
//! ready, whether it passes health checks, when it exits, how its memory grows.

use super::checker::Checker;
use super::task_definitions::aws_quantity;
use crate::scenario::path::Path;
use crate::scenario::schema::{RawContainerBehaviour, RawMemoryUse};
use crate::task::{ContainerBehaviour, MemoryUse};

/// Docker's exit codes are 0 to 255.
pub const MAX_EXIT_CODE: i64 = 255;
/// HTTP status codes an application may answer with.
const HTTP_CODES: (i64, i64) = (100, 599);

pub fn check(c: &mut Checker, path: &Path, raw: &RawContainerBehaviour) -> Option<ContainerBehaviour> {
    let default = ContainerBehaviour::default();
    let ready_after = raw.ready_after.as_ref().map(|d| c.distribution(&path.field("ready_after"), d));
    let exits_after = raw.exits_after.as_ref().map(|d| c.distribution(&path.field("exits_after"), d));
    let exit_code = if raw.exit_code.is_some() && raw.exits_after.is_none() {
        c.error(
            &path.field("exit_code"),
            "an exit code needs `exits_after`",
            Some("e.g. `exits_after: 45s, exit_code: 1`"),
        );
        None
    } else {
        c.int_in(&path.field("exit_code"), raw.exit_code.unwrap_or(1), 0, MAX_EXIT_CODE)
    };
    let memory = raw.memory.as_ref().map(|m| memory(c, &path.field("memory"), m));
    let response = raw.health_check_response.map_or(Some(u32::from(default.health_check_response)), |code| {
        c.int_in(&path.field("health_check_response"), code, HTTP_CODES.0, HTTP_CODES.1)
    });
    Some(ContainerBehaviour {
        starts: raw.starts.unwrap_or(default.starts),
        ready_after: ready_after.unwrap_or(Some(default.ready_after))?,
        passes_health_checks: raw.passes_health_checks.unwrap_or(default.passes_health_checks),
        health_check_response: response? as u16,
        exits_after: exits_after.map_or(Some(None), |d| d.map(Some))?,
        exit_code: exit_code? as i32,
        memory: memory.map_or(Some(None), |m| m.map(Some))?,
    })
}

/// MiB (or `"1 GB"`) at the start, and MiB more every hour.
fn memory(c: &mut Checker, path: &Path, raw: &RawMemoryUse) -> Option<MemoryUse> {
    let mib = |c: &mut Checker, field: &str, v| {
        let hint = "write MiB, e.g. `256`, or `\"1 GB\"`";
        aws_quantity(c, &path.field(field), v, ("gb", 1024.0), (0, i64::from(u32::MAX)), ("memory amount", hint))
    };
    let baseline = mib(c, "baseline", &raw.baseline);
    let growth = raw.growth_per_hour.as_ref().map_or(Some(0), |g| mib(c, "growth_per_hour", g));
    Some(MemoryUse { baseline_mib: f64::from(baseline?), growth_mib_per_hour: f64::from(growth?) })
}

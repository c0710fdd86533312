//! The numeric columns of metrics.csv, written once: name, how a row gives the value, how the CSV
//! writes it. The file writer, the sweep's over-time series and anything else that reads a row by
//! column name go through [`COLUMNS`], so the list cannot drift between them.

use crate::record::MetricsRow;
use crate::record::TrafficRow;

/// How a column's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A whole number.
    Whole,
    /// A fixed number of decimals.
    Fixed(usize),
    /// A count of requests: whole in the `requests` fidelity, 3 decimals in the `fluid` one.
    Count,
}

impl Format {
    /// The value as the CSV writes it, appended to `out` (a writer of many rows reuses one
    /// buffer): a fixed format, identical on every machine.
    pub fn write_into(self, x: f64, out: &mut String) {
        let decimals = match self {
            Format::Whole => 0,
            Format::Fixed(decimals) => decimals,
            Format::Count if x.fract() == 0.0 => 0,
            Format::Count => 3,
        };
        super::decimal::write_fixed(x, decimals, out);
    }
}

/// The first column of `row` whose value is not finite, with the value: none may be, since every
/// number a user reads must be one (checked on every row in debug builds).
pub fn first_non_finite(row: &MetricsRow) -> Option<(&'static str, f64)> {
    COLUMNS.iter().find_map(|c| (c.value)(row).filter(|x| !x.is_finite()).map(|x| (c.name, x)))
}

/// One numeric column of metrics.csv (after `time_s` and `service`).
pub struct Column {
    pub name: &'static str,
    /// The row's value; `None` writes an empty cell (no load balancer, no data point).
    pub value: fn(&MetricsRow) -> Option<f64>,
    pub format: Format,
}

/// Dollars with 6 decimals: fine enough that a second of the cheapest instance (t3.nano,
/// $0.0052/h ≈ $0.0000014/s) still shows.
const USD: Format = Format::Fixed(6);
const SECONDS: Format = Format::Fixed(6);
const PERCENT: Format = Format::Fixed(2);

const fn column(name: &'static str, value: fn(&MetricsRow) -> Option<f64>, format: Format) -> Column {
    Column { name, value, format }
}

/// A traffic column: empty for a service without a load balancer.
fn traffic(row: &MetricsRow, f: impl Fn(&TrafficRow) -> Option<f64>) -> Option<f64> {
    row.traffic.as_ref().and_then(f)
}

/// The numeric columns, in file order. The cost columns are USD billed in the interval that ends
/// at the row's time (since the previous row); the `cluster_` ones are the cluster's, repeated on
/// each service's row of an instant, so a cluster total sums one row per time.
///
/// The traffic columns (from `requests` on) are empty for a service without a load balancer;
/// response times are empty in an interval where no target answered, and utilizations where no
/// task ran (CloudWatch publishes no data point then).
pub const COLUMNS: [Column; 32] = [
    column("desired", |r| Some(f64::from(r.desired)), Format::Whole),
    column("running", |r| Some(f64::from(r.running)), Format::Whole),
    column("pending", |r| Some(f64::from(r.pending)), Format::Whole),
    column("stopped_total", |r| Some(f64::from(r.stopped_total)), Format::Whole),
    column("cpu_reserved", |r| Some(r.cpu_reserved as f64), Format::Whole),
    column("memory_reserved", |r| Some(r.memory_reserved as f64), Format::Whole),
    column("instances", |r| Some(f64::from(r.instances)), Format::Whole),
    column("instances_desired", |r| Some(f64::from(r.instances_desired)), Format::Whole),
    column("instances_launching", |r| Some(f64::from(r.instances_launching)), Format::Whole),
    column("capacity_provider_reservation_pct", |r| r.capacity_provider_reservation, Format::Fixed(1)),
    column("cluster_cpu_reservation_pct", |r| Some(r.cluster_cpu_reservation), PERCENT),
    column("cluster_memory_reservation_pct", |r| Some(r.cluster_memory_reservation), PERCENT),
    column("service_fargate_cost_usd", |r| Some(r.service_fargate_cost), USD),
    column("cluster_ec2_cost_usd", |r| Some(r.cluster_cost.ec2), USD),
    column("cluster_fargate_cost_usd", |r| Some(r.cluster_cost.fargate), USD),
    column("cluster_fargate_spot_cost_usd", |r| Some(r.cluster_cost.fargate_spot), USD),
    column("cluster_cost_usd", |r| Some(r.cluster_cost.total()), USD),
    column("requests", |r| traffic(r, |t| Some(t.requests)), Format::Count),
    column("requests_per_target", |r| traffic(r, |t| Some(t.requests_per_target)), Format::Fixed(3)),
    column("response_time_p50_s", |r| traffic(r, |t| t.response_time.map(|p| p.p50)), SECONDS),
    column("response_time_p90_s", |r| traffic(r, |t| t.response_time.map(|p| p.p90)), SECONDS),
    column("response_time_p99_s", |r| traffic(r, |t| t.response_time.map(|p| p.p99)), SECONDS),
    column("response_time_max_s", |r| traffic(r, |t| t.response_time.map(|p| p.max)), SECONDS),
    column("target_5xx", |r| traffic(r, |t| Some(t.target_5xx)), Format::Count),
    column("elb_5xx", |r| traffic(r, |t| Some(t.elb_5xx())), Format::Count),
    column("elb_502", |r| traffic(r, |t| Some(t.elb_502)), Format::Count),
    column("elb_503", |r| traffic(r, |t| Some(t.elb_503)), Format::Count),
    column("elb_504", |r| traffic(r, |t| Some(t.elb_504)), Format::Count),
    column("healthy_hosts", |r| traffic(r, |t| Some(f64::from(t.healthy_hosts))), Format::Whole),
    column("unhealthy_hosts", |r| traffic(r, |t| Some(f64::from(t.unhealthy_hosts))), Format::Whole),
    column("cpu_utilization_pct", |r| traffic(r, |t| t.cpu_utilization), PERCENT),
    column("memory_utilization_pct", |r| traffic(r, |t| t.memory_utilization), PERCENT),
];

/// The column called `name`.
pub fn column_named(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_fixed() {
        let written = |format: Format, x: f64| {
            let mut out = "kept:".to_string();
            format.write_into(x, &mut out);
            out
        };
        assert_eq!(written(Format::Whole, 4.0), "kept:4");
        assert_eq!(written(Format::Fixed(2), 12.345_6), "kept:12.35");
        assert_eq!(written(Format::Count, 12.0), "kept:12");
        assert_eq!(written(Format::Count, 12.25), "kept:12.250");
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = COLUMNS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
        assert!(column_named("response_time_p99_s").is_some());
    }
}

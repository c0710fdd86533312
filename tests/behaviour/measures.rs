//! An experiment's per-run measures: what a user would check against the run's own files.

use ecsim::engine::SimDuration;
use ecsim::sweep::measures::{measure_index, MeasureSpec, RunMeasures, Slo};
use ecsim::sweep::run::measure;

use crate::common::{run, scenario};

fn value(m: &RunMeasures, name: &str) -> Option<f64> {
    m.values[measure_index(name).unwrap()]
}

fn spec(warm_up_secs: u64, slos: Vec<Slo>) -> MeasureSpec {
    MeasureSpec { warm_up: SimDuration::from_secs(warm_up_secs), slos, over_time: None, samples: 0 }
}

#[test]
fn cost_tasks_and_recovery_of_the_quickstart() {
    let s = scenario(include_str!("../../scenarios/quickstart.yaml"));
    let (_, summary, memory) = run(&s);
    let m = measure(&s, &spec(0, Vec::new()), None);
    // 30 minutes cost $0.1722: a day is 48 times that.
    let per_day = value(&m, "cost_per_day").unwrap();
    assert!((per_day - summary.cost_usd_total * 48.0).abs() < 1e-3, "{per_day} vs {}", summary.cost_usd_total * 48.0);
    assert_eq!(value(&m, "tasks_peak"), Some(9.0), "6 web + 3 api");
    assert_eq!(value(&m, "instances_peak"), Some(3.0));
    // The fault stops two web tasks at 10m; rows every 10 s show the service short until its
    // replacements run, a few seconds later: the next sample.
    let recovery = value(&m, "recovery_max").unwrap();
    assert!((10.0..=20.0).contains(&recovery), "recovered in {recovery} s");
    assert_eq!(value(&m, "faults_unrecovered"), Some(0.0));
    assert_eq!(value(&m, "p99"), None, "no load balancer, no response times");
    assert_eq!(value(&m, "slo_breach_minutes"), None, "no SLO");

    // With a 10-minute warm-up the cost is that of the last 20 minutes, scaled to a day.
    let late: f64 = memory
        .rows
        .iter()
        .filter(|r| r.time.as_secs_f64() > 600.0 && r.service == "api")
        .map(|r| r.cluster_cost.total())
        .sum();
    let warm = measure(&s, &spec(600, Vec::new()), None);
    assert!((value(&warm, "cost_per_day").unwrap() - late * 72.0).abs() < 1e-3);
    assert_eq!(value(&warm, "recovery_max"), value(&m, "recovery_max"), "the fault is after the warm-up");
}

fn web() -> ecsim::scenario::Scenario {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sweep/web.yaml")).unwrap();
    scenario(&text)
}

#[test]
fn slo_breach_minutes_count_the_intervals_that_miss_it() {
    let s = web();
    let slo =
        |p99_ms: u64| Slo { service: "web".into(), p99: Some(SimDuration::from_millis(p99_ms)), error_rate: None };
    // A 1 ms p99 is missed in every minute after the 2-minute warm-up: 8 of the 10.
    let always = measure(&s, &spec(120, vec![slo(1)]), None);
    assert_eq!(value(&always, "slo_breach_minutes"), Some(8.0));
    let never = measure(&s, &spec(120, vec![slo(60_000)]), None);
    assert_eq!(value(&never, "slo_breach_minutes"), Some(0.0));
    // No request fails here: the error budget is untouched.
    let budget = Slo { service: "web".into(), p99: None, error_rate: Some(0.1) };
    let m = measure(&s, &spec(120, vec![budget]), None);
    assert_eq!(value(&m, "error_budget_used"), Some(0.0));
    assert_eq!(value(&m, "error_rate"), Some(0.0));
    // 60 requests/s for the 8 measured minutes, Poisson: within 4 standard deviations of 28,800.
    let requests = value(&m, "requests").unwrap();
    assert!((requests - 28_800.0).abs() < 4.0 * 28_800f64.sqrt(), "{requests}");
}

#[test]
fn tasks_that_wait_for_instances_are_counted_with_their_wait() {
    let s = scenario(include_str!("../../scenarios/autoscaling.yaml"));
    let m = measure(&s, &spec(0, Vec::new()), None);
    // The spike's new tasks wait in PROVISIONING for the group's new instances (about 2 minutes
    // of launch and registration); no task waits before the spike.
    let waits = value(&m, "capacity_waits").unwrap();
    assert!(waits >= 3.0, "{waits} tasks waited");
    let (mean, max) = (value(&m, "capacity_wait_mean").unwrap(), value(&m, "capacity_wait_max").unwrap());
    assert!(0.0 < mean && mean <= max && max < 600.0, "mean {mean} s, max {max} s");
    assert!(value(&m, "scaling_activities").unwrap() >= 4.0, "both layers scaled out and in");
    assert!(value(&m, "tasks_peak").unwrap() >= 12.0);
}

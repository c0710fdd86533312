//! The teaching labs (scenarios/labs/): each lab's lesson holds, as numbers and events of its
//! run's outputs, so a change that breaks a lesson fails here and names the lab and the lesson.
//! Every test runs its lab as a student does, `ecsim labs run NN --out DIR`, and reads the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One lab's output folder, read back.
struct Lab {
    id: &'static str,
    _folder: tempfile::TempDir,
    dir: PathBuf,
    events: Vec<Value>,
    summary: Value,
}

/// Runs `ecsim labs run <number>` into a temporary folder.
fn run(id: &'static str) -> Lab {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join(id);
    let number = id.split('-').next().unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_ecsim")).args(["labs", "run", number, "--out"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "lab {id} does not run: {}", String::from_utf8_lossy(&out.stderr));
    // A sweep lab's folder has no events.jsonl: its summary.json is the comparison's.
    let events = match std::fs::read_to_string(dir.join("events.jsonl")) {
        Ok(text) => text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(),
        Err(_) => Vec::new(),
    };
    let summary = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    Lab { id, _folder: folder, dir, events, summary }
}

impl Lab {
    /// Events of `kind`, in order.
    fn of(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["type"] == kind).collect()
    }

    /// The first event of `kind` whose message holds `text`.
    fn first(&self, kind: &str, text: &str) -> Option<&Value> {
        self.of(kind).into_iter().find(|e| message(e).contains(text))
    }

    /// When `task` entered `status`.
    fn entered(&self, task: &str, status: &str) -> Option<f64> {
        self.events.iter().find(|e| e["task"] == task && e["status"] == status).map(time)
    }

    /// The instance `task` was placed on.
    fn instance_of(&self, task: &str) -> String {
        let e = self.events.iter().find(|e| e["task"] == task && e["instance"].is_string());
        e.map(|e| e["instance"].as_str().unwrap().to_string()).unwrap_or_default()
    }

    /// The tasks of `service` ever started, in order.
    fn tasks_of(&self, service: &str) -> Vec<String> {
        let started = self.of("SERVICE_TASKS_STARTED").into_iter().filter(|e| e["service"] == service);
        started.flat_map(tasks_in).collect()
    }

    /// A CSV of the folder as rows of (column → cell).
    fn csv(&self, file: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_path(self.dir.join(file)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
    }

    /// metrics.csv's rows of `service`.
    fn metrics(&self, service: &str) -> Vec<BTreeMap<String, String>> {
        self.csv("metrics.csv").into_iter().filter(|r| r["service"] == service).collect()
    }

    /// summary.json's entry of `service`.
    fn service(&self, name: &str) -> &Value {
        self.summary["services"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()
    }

    /// The lesson holds, or the test fails naming the lab and the lesson.
    fn lesson(&self, holds: bool, lesson: &str) {
        assert!(holds, "lab {}: the lesson broke: {lesson}", self.id);
    }
}

fn time(e: &Value) -> f64 {
    e["time"].as_f64().unwrap()
}

fn message(e: &Value) -> &str {
    e["message"].as_str().unwrap_or("")
}

fn num(cell: &str) -> f64 {
    cell.parse().unwrap_or(f64::NAN)
}

/// The task names an event lists, `(task web-7) (task web-8)` → `web-7`, `web-8`.
fn tasks_in(e: &Value) -> Vec<String> {
    message(e).split("(task ").skip(1).filter_map(|s| s.split(')').next()).map(String::from).collect()
}

#[test]
fn lab_01_a_service_heals_after_its_tasks_crash() {
    let lab = run("01-healing");
    let crash = lab.first("FAULT_INJECTED", "crashing 2 of 6").expect("the fault crashes 2 tasks");
    let (at, crashed) = (time(crash), tasks_in(crash));
    lab.lesson(at == 300.0 && crashed.len() == 2, "two tasks crash at minute 5");
    for task in &crashed {
        lab.lesson(lab.entered(task, "STOPPED") == Some(at), "a crashed task is STOPPED at once (no SIGTERM wait)");
    }
    let started = lab.of("SERVICE_TASKS_STARTED").into_iter().find(|e| time(e) == at);
    let replacements = started.map(tasks_in).unwrap_or_default();
    lab.lesson(replacements.len() == 2, "the scheduler starts two replacements the instant the tasks crash");
    for task in &replacements {
        let running = lab.entered(task, "RUNNING").unwrap();
        lab.lesson(running - at < 5.0, "a replacement is RUNNING within its 2-4 s start time (the image is cached)");
        let healthy = lab.events.iter().find(|e| e["type"] == "TASK_HEALTH_CHANGE" && e["task"] == task.as_str());
        let after = healthy.map(time).unwrap() - running;
        lab.lesson(
            (after - 20.0).abs() < 1e-3,
            "a replacement is HEALTHY 20 s after RUNNING: the 10 s check fails (ready after 12 s), the 20 s one passes",
        );
    }
    let steady = lab.of("SERVICE_STEADY_STATE").into_iter().map(time).find(|&t| t > at).unwrap();
    lab.lesson(steady - at < 25.0, "the service is steady again within 25 s of the crash");
    let rows = lab.metrics("web");
    let low = rows.iter().filter(|r| num(&r["time_s"]) >= at).map(|r| num(&r["running"])).fold(f64::MAX, f64::min);
    lab.lesson(low == 4.0, "metrics.csv shows running drop to 4");
    lab.lesson(rows.last().is_some_and(|r| r["running"] == "6"), "and back to 6");
    lab.lesson(lab.service("web")["tasks_started"] == 8, "8 tasks started in all (6 + 2)");
}

#[test]
fn lab_02_placement_strategies_and_constraints() {
    let lab = run("02-placement");
    let green_pool = ["i-00004", "i-00005", "i-00006"];
    let on = |service: &str| -> Vec<String> { lab.tasks_of(service).iter().map(|t| lab.instance_of(t)).collect() };
    let green = on("green");
    lab.lesson(green.iter().all(|i| green_pool.contains(&i.as_str())), "memberOf keeps `green` on the green pool");
    let packed = on("packed");
    let distinct: std::collections::BTreeSet<&String> = packed.iter().collect();
    lab.lesson(
        packed.len() == 6 && distinct.len() == 3 && distinct.iter().all(|i| green_pool.contains(&i.as_str())),
        "spread by zone then binpack memory puts two tasks per zone on one instance, the green one already in use",
    );
    let random = on("random");
    let most = random.iter().map(|i| random.iter().filter(|j| *j == i).count()).max().unwrap();
    lab.lesson(most >= 3, "random balances nothing: one instance gets 3 of the 6 tasks");
    let solo: std::collections::BTreeSet<String> = on("solo").into_iter().collect();
    lab.lesson(solo.len() == 6, "distinctInstance puts the 6 `solo` tasks on 6 instances");
    let failure = lab.first("SERVICE_TASK_PLACEMENT_FAILURE", "distinctInstance").map(time);
    lab.lesson(failure == Some(300.0), "the 7th `solo` task fails to place at once, for distinctInstance");
    lab.lesson(lab.service("solo")["running_at_end"] == 6, "and `solo` stays at 6 running");
    let placements = lab.of("TASK_PLACEMENT");
    lab.lesson(placements.len() == 21, "--explain-placement logs one TASK_PLACEMENT per placed task (3 + 6 + 6 + 6)");
    let stopped = lab.first("SERVICE_TASKS_STOPPED", "service packed").expect("packed scales in");
    let zones: std::collections::BTreeSet<String> = tasks_in(stopped).iter().map(|t| lab.instance_of(t)).collect();
    lab.lesson(
        time(stopped) == 300.0 && zones.len() == 3,
        "scale-in reads spread backwards: it stops one task in each zone (3 instances, one per zone)",
    );
    lab.lesson(
        tasks_in(stopped).iter().all(|t| ["packed-4", "packed-5", "packed-6"].contains(&t.as_str())),
        "the last tie goes to the newest task",
    );
}

#[test]
fn lab_03_static_host_ports_and_eni_limits() {
    let lab = run("03-ports-and-enis");
    let (gateway, api) = (lab.service("gateway"), lab.service("api"));
    lab.lesson(gateway["running_at_end"] == 3, "a static host port fits one task per instance: 3 of 4 run");
    lab.lesson(api["running_at_end"] == 6, "an m5.large has 2 ENIs for awsvpc tasks: 6 of 8 run");
    lab.lesson(
        gateway["first_steady_state_s"].is_null() && api["first_steady_state_s"].is_null(),
        "neither is ever steady",
    );
    let port = lab.first("SERVICE_TASK_PLACEMENT_FAILURE", "already using a port required by your task (port 80)");
    lab.lesson(port.is_some_and(|e| e["service"] == "gateway"), "gateway's failure names port 80");
    let eni = lab.first("SERVICE_TASK_PLACEMENT_FAILURE", "no elastic network interface available");
    lab.lesson(eni.is_some_and(|e| e["service"] == "api"), "api's failure names the ENI");
    let retries: Vec<f64> =
        lab.of("SERVICE_TASK_PLACEMENT_FAILURE").into_iter().filter(|e| e["service"] == "api").map(time).collect();
    lab.lesson(retries == [0.0, 30.0, 90.0, 210.0, 450.0], "failed placements are retried 30, 60, 120, 240 s apart");
    let last = lab.metrics("api").pop().unwrap();
    lab.lesson(
        num(&last["cluster_cpu_reservation_pct"]) < 20.0 && num(&last["cluster_memory_reservation_pct"]) < 10.0,
        "the cluster reserves under 20 % of its CPU and 10 % of its memory while tasks cannot place",
    );
}

/// breakdown.csv's count of (`service`, `dimension`, `key`) at `time_s` (a missing line is 0).
fn breakdown(lab: &Lab, time_s: f64, service: &str, dimension: &str, key: &str) -> f64 {
    let rows = lab.csv("breakdown.csv");
    let row = rows.iter().find(|r| {
        num(&r["time_s"]) == time_s && r["service"] == service && r["dimension"] == dimension && r["key"] == key
    });
    row.map_or(0.0, |r| num(&r["value"]))
}

#[test]
fn lab_04_capacity_provider_base_and_weight_and_fargate_spot_interruptions() {
    let lab = run("04-capacity-providers");
    let (fargate, spot) = (
        breakdown(&lab, 60.0, "api", "capacity_provider", "FARGATE"),
        breakdown(&lab, 60.0, "api", "capacity_provider", "FARGATE_SPOT"),
    );
    lab.lesson(
        fargate == 4.0 && spot == 6.0,
        "base 2 on FARGATE, then 1:3: FARGATE_SPOT gets 6 of the 8 above the base",
    );
    let warnings = lab.of("SPOT_INTERRUPTION_WARNING");
    let first: Vec<&&Value> = warnings.iter().filter(|e| time(e) == 600.0).collect();
    lab.lesson(first.len() == 3, "the wave at minute 10 interrupts half the 6 Spot tasks: 3 warnings");
    for warning in &warnings {
        let task = warning["task"].as_str().unwrap();
        let stopped = lab.entered(task, "STOPPED").unwrap() - time(warning);
        lab.lesson(
            (10.0..120.0).contains(&stopped),
            "an interrupted task gets SIGTERM at the warning and stops after its 10 s stop time, within the 2 minutes",
        );
    }
    let replaced = lab.of("SERVICE_TASKS_STARTED").into_iter().find(|e| time(e) == 600.0).map(tasks_in);
    lab.lesson(replaced.is_some_and(|t| t.len() == 3), "the service replaces the 3 at once");
    let rows = lab.csv("breakdown.csv");
    let most_fargate = rows
        .iter()
        .filter(|r| r["dimension"] == "capacity_provider" && r["key"] == "FARGATE")
        .map(|r| num(&r["value"]))
        .fold(0.0, f64::max);
    lab.lesson(most_fargate == 4.0, "no fallback: FARGATE never runs more than its 4 tasks");
    let gone = lab.first("SPOT_CAPACITY_UNAVAILABLE", "").map(time);
    let back = lab.first("SPOT_CAPACITY_AVAILABLE", "").map(time);
    lab.lesson(gone == Some(1200.0) && back == Some(1500.0), "the second wave takes Spot capacity away for 5 minutes");
    let failures = lab.of("SERVICE_TASK_PLACEMENT_FAILURE");
    lab.lesson(
        failures.len() == 4
            && failures.iter().all(|e| message(e).contains("Capacity is unavailable") && time(e) < 1500.0),
        "meanwhile the replacements fail to place: Capacity is unavailable at this time (4 tries)",
    );
    let short = lab
        .metrics("api")
        .iter()
        .filter(|r| (1220.0..1500.0).contains(&num(&r["time_s"])))
        .all(|r| r["running"] == "8");
    lab.lesson(short, "the service runs 8 of 10 until the capacity returns");
    let restarted = lab.of("SERVICE_TASKS_STARTED").into_iter().find(|e| time(e) == 1500.0).map(tasks_in);
    lab.lesson(restarted.is_some_and(|t| t.len() == 2), "and starts the 2 the instant it does");
}

#[test]
fn lab_05_cluster_auto_scaling_and_spare_capacity() {
    let lab = run("05-cluster-scaling");
    let tight = lab.first("ASG_DESIRED_CAPACITY_CHANGED", "capacity provider tight: CapacityProviderReservation 400.0");
    lab.lesson(
        tight.is_some_and(|e| time(e) == 300.0 && message(e).contains("desired 1 → 4")),
        "8 tasks on 1 instance publish 400 % (M=4, N=1) and the group goes 1 → 4 at once",
    );
    let row = |service: &str, t: f64| lab.metrics(service).into_iter().find(|r| num(&r["time_s"]) == t).unwrap();
    let (t, s) = (row("tight", 310.0), row("spare", 310.0));
    lab.lesson(t["running"] == "2" && t["pending"] == "6", "tight's 6 new tasks wait in PROVISIONING");
    lab.lesson(s["running"] == "4" && s["pending"] == "4", "spare's spare instance takes 2 of them at once");
    lab.lesson(num(&t["capacity_provider_reservation_pct"]) == 400.0, "metrics.csv shows the reservation at 400 %");
    let early = lab.first("ASG_DESIRED_CAPACITY_CHANGED", "capacity provider spare: CapacityProviderReservation 100.0");
    lab.lesson(early.is_some_and(|e| time(e) == 60.0), "target 75 buys a spare instance at the first minute");
    let spare = lab.first("ASG_DESIRED_CAPACITY_CHANGED", "desired 2 → 6");
    lab.lesson(
        spare.is_some_and(|e| time(e) == 360.0),
        "spare goes to ceil(4 x 100 / 75) = 6, a minute late: its first new instance was warming up",
    );
    let waits: Vec<&Value> =
        lab.of("TASK_PLACEMENT").into_iter().filter(|e| message(e).contains("in PROVISIONING for capacity")).collect();
    lab.lesson(waits.len() == 10, "10 tasks (6 tight, 4 spare) are placed as the instances register");
    let scale_in: Vec<f64> = lab
        .of("ASG_DESIRED_CAPACITY_CHANGED")
        .into_iter()
        .filter(|e| message(e).contains("< target 100"))
        .map(time)
        .collect();
    lab.lesson(
        scale_in == [2040.0, 2100.0, 2160.0],
        "tight scales in after 15 minutes below target, one instance a minute",
    );
    let end = |provider: &str| breakdown(&lab, 2700.0, "", "instances_capacity_provider", provider);
    lab.lesson(end("tight") == 1.0 && end("spare") == 6.0, "tight ends on 1 instance, spare keeps its 6");
    lab.lesson(lab.service("tight")["tasks_started"] == 12, "draining an instance with tasks restarts them (8 + 4)");
}

#[test]
fn lab_06_target_tracking_against_step_scaling() {
    let lab = run("06-service-scaling");
    let activities = |service: &str| -> Vec<(f64, String)> {
        let of = lab.of("SCALING_ACTIVITY").into_iter().filter(|e| e["service"] == service);
        of.map(|e| (time(e), message(e).rsplit("desired ").next().unwrap().to_string())).collect()
    };
    let (tracking, stepping) = (activities("tracking"), activities("stepping"));
    lab.lesson(stepping[0] == (660.0, "4 → 7".into()), "step scaling reacts first, on 1 datapoint: +3 at 00:11:00");
    lab.lesson(
        tracking[..3] == [(780.0, "4 → 8".into()), (840.0, "8 → 16".into()), (900.0, "16 → 20".into())],
        "target tracking needs 3 datapoints, then doubles each minute while CPU is pinned at 100 %",
    );
    lab.lesson(lab.first("SCALING_BLOCKED", "maximum capacity").is_some(), "and stops at its maximum of 20");
    let grows =
        |d: &str| d.split(" → ").map(|n| n.parse::<u32>().unwrap()).reduce(|from, to| u32::from(to > from)) == Some(1);
    let outs: Vec<f64> = stepping.iter().filter(|(_, d)| grows(d)).map(|(t, _)| *t).collect();
    lab.lesson(outs == [660.0, 960.0, 1260.0], "step scaling's 300 s cooldown spaces its three scale-outs");
    let deploy = lab.first("SERVICE_DEPLOYMENT_IN_PROGRESS", "ecs-svc/2").map(time).unwrap();
    let done = lab.first("SERVICE_DEPLOYMENT_COMPLETED", "ecs-svc/2").map(time).unwrap();
    let blocked = lab.first("SCALING_BLOCKED", "deployment is in progress").map(time).unwrap();
    lab.lesson(deploy < blocked && blocked < done, "target tracking's scale-in is blocked during the deployment");
    let scale_in = tracking.iter().find(|(_, d)| d == "20 → 4").map(|(t, _)| *t).unwrap();
    lab.lesson(scale_in > done && scale_in - done < 60.0, "and runs the minute after it completes: 20 → 4 in one step");
    let last = stepping.last().unwrap();
    lab.lesson(last == &(3540.0, "7 → 6".into()), "step scaling scales in one task per 5 minutes, to 6 by the end");
}

#[test]
fn lab_07_rolling_deployments_six_tasks_in_room_for_eight() {
    let lab = run("07-rolling-deployments");
    let rounds = |kind: &str, service: &str| -> Vec<(f64, usize)> {
        let of = lab.of(kind).into_iter().filter(|e| e["service"] == service && time(e) >= 300.0);
        of.map(|e| (time(e), tasks_in(e).len())).collect()
    };
    let started = rounds("SERVICE_TASKS_STARTED", "defaults");
    let stopped = rounds("SERVICE_TASKS_STOPPED", "defaults");
    lab.lesson(
        started.len() == 3 && started.iter().all(|(_, n)| *n == 2) && stopped.iter().all(|(_, n)| *n == 2),
        "100 / 200 with room for 8 deploys 6 tasks in three rounds of 2",
    );
    lab.lesson(
        stopped.iter().zip(&started).all(|((stop, _), (start, _))| stop > start && stop - start > 40.0),
        "each round stops its 2 old tasks only once 2 new ones are healthy (40 s after RUNNING)",
    );
    let deployment = |service: &str| {
        let all = lab.summary["deployments"].as_array().unwrap();
        all.iter().find(|d| d["service"] == service && d["id"] == "ecs-svc/2").unwrap().clone()
    };
    let (defaults, half, stuck) = (deployment("defaults"), deployment("half"), deployment("stuck"));
    lab.lesson(defaults["state"] == "COMPLETED" && defaults["duration_s"] == 136.0, "the defaults take 2m16s");
    let first = rounds("SERVICE_TASKS_STOPPED", "half");
    lab.lesson(first.first() == Some(&(300.0, 3)), "min healthy 50 stops 3 of 6 at once");
    lab.lesson(
        half["state"] == "COMPLETED" && half["duration_s"].as_f64().unwrap() < defaults["duration_s"].as_f64().unwrap(),
        "and finishes sooner",
    );
    let blocked = lab.first("SERVICE_DEPLOYMENT_BLOCKED", "service stuck was unable to stop or start tasks");
    lab.lesson(
        blocked.is_some_and(|e| time(e) == 300.0) && stuck["state"] == "IN_PROGRESS" && stuck["tasks_started"] == 0,
        "100 / 125 with 3 tasks can neither start nor stop one: the deployment is blocked",
    );
}

#[test]
fn lab_08_circuit_breaker_rollback_and_launch_back_off() {
    let lab = run("08-circuit-breaker");
    let unhealthy: Vec<f64> =
        lab.of("TASK_HEALTH_CHANGE").into_iter().filter(|e| message(e).ends_with("UNHEALTHY")).map(time).collect();
    lab.lesson(
        unhealthy == [345.0; 4],
        "the 4 new shop tasks turn UNHEALTHY together: 20 s start period + 3 checks after start",
    );
    let failed = lab.first("SERVICE_DEPLOYMENT_FAILED", "service shop (deployment ecs-svc/2)");
    lab.lesson(
        failed.is_some_and(|e| time(e) == 345.0 && message(e).contains("4 failures, threshold 3")),
        "the circuit breaker fails the deployment at max(3, ceil(4 / 2)) = 3 failures",
    );
    let back = lab.first("SERVICE_DEPLOYMENT_ROLLED_BACK", "returns to task definition shop-v1");
    lab.lesson(back.is_some_and(|e| time(e) == 345.0), "and rolls back to shop-v1 at once");
    let v1 = lab.csv("breakdown.csv");
    let v1 =
        v1.iter().filter(|r| r["service"] == "shop" && r["dimension"] == "task_definition" && r["key"] == "shop-v1");
    lab.lesson(
        v1.filter(|r| num(&r["time_s"]) >= 60.0).all(|r| r["value"] == "4"),
        "min healthy 100 keeps the 4 shop-v1 tasks running all along",
    );
    let attempts: Vec<f64> = lab
        .of("SERVICE_TASKS_STARTED")
        .into_iter()
        .filter(|e| e["service"] == "worker" && time(e) >= 300.0)
        .map(time)
        .collect();
    let gaps: Vec<f64> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    lab.lesson(attempts.len() == 6, "without a circuit breaker ECS keeps retrying the worker's broken revision");
    let doubling =
        gaps.iter().zip([30.0, 60.0, 120.0, 240.0, 480.0]).all(|(gap, wait)| (wait..wait + 10.0).contains(gap));
    lab.lesson(
        doubling,
        "with the launch back-off: waits of 30, 60, 120, 240, 480 s (plus the seconds a task takes to fail)",
    );
    lab.lesson(lab.first("SERVICE_TASK_START_THROTTLED", "service worker").is_some(), "and says it is throttling");
    let stuck = lab.summary["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["service"] == "worker" && d["state"] == "IN_PROGRESS");
    lab.lesson(stuck, "the worker's deployment stays IN_PROGRESS");
}

#[test]
fn lab_09_an_availability_zone_outage_and_rebalancing() {
    let lab = run("09-az-outage");
    let zone = |t: f64, z: &str| breakdown(&lab, t, "web", "zone", z);
    lab.lesson(
        [zone(585.0, "us-east-1a"), zone(585.0, "us-east-1b"), zone(585.0, "us-east-1c")] == [2.0; 3],
        "web starts 2 / 2 / 2 over the zones",
    );
    let outage = lab.first("AZ_OUTAGE_STARTED", "us-east-1b").map(time).unwrap();
    let back = lab
        .metrics("web")
        .into_iter()
        .find(|r| num(&r["time_s"]) > outage && r["running"] == "6")
        .map(|r| num(&r["time_s"]));
    lab.lesson(
        back.is_some_and(|t| t - outage <= 120.0),
        "the other zones take the lost tasks within 2 minutes of the outage",
    );
    lab.lesson(
        zone(645.0, "us-east-1a") == 3.0 && zone(645.0, "us-east-1c") == 3.0,
        "3 and 3 in the zones that are up",
    );
    let launch = lab.first("ASG_INSTANCE_LAUNCHED", "").unwrap();
    lab.lesson(
        time(launch) == outage + 60.0 && message(launch).contains("in us-east-1a"),
        "the group notices the lost instance 60 s later and replaces it in a zone that is up",
    );
    let ended = lab.first("AZ_OUTAGE_ENDED", "us-east-1b").map(time).unwrap();
    let rebalance = lab.first("ASG_INSTANCE_LAUNCHED", "balancing the group's zones");
    lab.lesson(
        rebalance.is_some_and(|e| time(e) == ended && message(e).contains("in us-east-1b")),
        "when the zone returns the group launches there first",
    );
    let terminated = lab.first("INSTANCE_TERMINATED", "rebalanced its availability zones");
    lab.lesson(terminated.is_some_and(|e| time(e) > ended), "then terminates an instance of the zone that had two");
    for service in ["web", "api"] {
        let done =
            lab.of("SERVICE_REBALANCING_COMPLETED").into_iter().any(|e| e["service"] == service && time(e) > ended);
        lab.lesson(done, "both services rebalance their tasks over the zones");
    }
    let end = lab.metrics("web").last().map(|r| num(&r["time_s"])).unwrap();
    let even = ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .all(|z| zone(end, z) == 2.0 && breakdown(&lab, end, "api", "zone", z) == 1.0);
    lab.lesson(even, "and end 2 / 2 / 2 (web) and 1 / 1 / 1 (api) again");
}

#[test]
fn lab_10_load_balancer_routing_health_checks_and_deregistration() {
    let lab = run("10-load-balancer");
    let traffic = |service: &str| lab.service(service)["traffic"].clone();
    let (rr, lor) = (traffic("rr"), traffic("lor"));
    let p99 = |t: &Value| t["response_time_p99_s"].as_f64().unwrap();
    lab.lesson(
        rr["error_rate_pct"] == 0.0 && lor["error_rate_pct"] == 0.0,
        "no request fails: traffic starts once targets are healthy",
    );
    lab.lesson(
        p99(&lor) < 0.6 * p99(&rr),
        "least outstanding requests keeps p99 well below round robin's when requests vary in size",
    );
    for task in ["rr-5", "rr-6", "lor-5", "lor-6"] {
        let registered =
            lab.events.iter().find(|e| e["type"] == "SERVICE_TARGETS_CHANGED" && e["task"] == task).map(time).unwrap();
        lab.lesson(
            lab.entered(task, "RUNNING") == Some(registered),
            "a task's target is registered when it is RUNNING",
        );
        let healthy = lab
            .events
            .iter()
            .find(|e| e["type"] == "TARGET_HEALTH_CHANGE" && e["task"] == task && e["status"] == "healthy");
        let after = healthy.map(time).unwrap() - registered;
        lab.lesson(
            after > 0.0 && after <= 10.0,
            "a new target is healthy at its first passing check, within one 10 s interval",
        );
    }
    let hosts: Vec<String> = lab
        .metrics("rr")
        .iter()
        .filter(|r| (300.0..=345.0).contains(&num(&r["time_s"])))
        .map(|r| r["healthy_hosts"].clone())
        .collect();
    lab.lesson(hosts == ["4", "4", "5", "6"], "the healthy targets go 4 → 5 → 6 as the new ones pass their checks");
    for task in ["rr-5", "rr-6", "lor-5", "lor-6"] {
        let (deactivating, stopping) =
            (lab.entered(task, "DEACTIVATING").unwrap(), lab.entered(task, "STOPPING").unwrap());
        lab.lesson(
            deactivating == 600.0 && stopping - deactivating < 1.0,
            "a deregistered target completes as soon as its requests in flight end, well inside the 20 s delay",
        );
    }
}

#[test]
fn lab_11_trace_replay_drives_both_scaling_layers() {
    let lab = run("11-trace-replay");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trace = std::fs::read_to_string(root.join("scenarios/labs/11-trace-replay/alb-requestcount.csv")).unwrap();
    let mut minutes = BTreeMap::new();
    for line in trace.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (h, m): (u32, u32) = (cells[0][11..13].parse().unwrap(), cells[0][14..16].parse().unwrap());
        minutes.insert((h - 8) * 60 + m, num(cells[1]));
    }
    let total: f64 = minutes.values().sum();
    let rows = lab.metrics("web");
    let replayed = rows.iter().skip(1).all(|r| {
        let minute = (num(&r["time_s"]) / 60.0) as u32 - 1;
        let played = num(&r["requests"]) + num(&r["elb_503"]);
        (played - minutes.get(&minute).copied().unwrap_or(0.0)).abs() < 1e-6
    });
    lab.lesson(
        replayed,
        "every minute of metrics.csv replays the file's count for that minute (a missing row plays 0)",
    );
    let traffic = &lab.service("web")["traffic"];
    let played = traffic["requests"].as_f64().unwrap() + traffic["elb_503"].as_f64().unwrap();
    lab.lesson((played - total).abs() < 1e-3 && total == 1_116_014.0, "the run plays the file's 1,116,014 requests");
    let desired = rows.iter().map(|r| num(&r["desired"])).fold(0.0, f64::max);
    lab.lesson(desired == 19.0, "target tracking at 1,000 per target takes the service from 3 to 19 tasks at the peak");
    let instances = rows.iter().map(|r| num(&r["instances"])).fold(0.0, f64::max);
    lab.lesson(instances == 5.0, "and managed scaling the group from 1 to 5 instances");
    let waited =
        lab.of("TASK_PLACEMENT").into_iter().filter(|e| message(e).contains("in PROVISIONING for capacity")).count();
    lab.lesson(waited == 12, "12 tasks wait in PROVISIONING for the instances the group launches");
    let run: Value = serde_json::from_str(&std::fs::read_to_string(lab.dir.join("run.json")).unwrap()).unwrap();
    lab.lesson(run["traces"][0]["file"] == "alb-requestcount.csv", "run.json records the trace file");
}

#[test]
fn lab_12_the_same_service_priced_four_ways() {
    let lab = run("12-cost");
    let variants = lab.summary["variants"].as_array().unwrap();
    let mean = |variant: &str, measure: &str| {
        let v = variants.iter().find(|v| v["name"] == variant).unwrap();
        v["measures"][measure]["mean"].as_f64().unwrap()
    };
    let cost = |variant: &str| mean(variant, "cost_per_day");
    let on_demand = cost("ec2-on-demand");
    lab.lesson((on_demand - 4.608).abs() < 1e-9, "two m5.large On-Demand cost 2 x $0.096 x 24 = $4.608 a day");
    lab.lesson(
        cost("fargate") > on_demand && cost("fargate") < 1.05 * on_demand,
        "with the instances full, Fargate costs within 5 % of EC2 On-Demand",
    );
    lab.lesson(cost("ec2-spot-mixed") < 0.8 * on_demand, "EC2 Spot with one On-Demand base instance saves over 20 %");
    lab.lesson(
        mean("ec2-spot-mixed", "instances_mean") > 2.0,
        "the Spot interruption costs an extra instance for a while (the drained tasks wait, the group grows, then replaces)",
    );
    lab.lesson(cost("fargate-spot") < 0.35 * on_demand, "Fargate Spot costs about 30 % of EC2 On-Demand");
    for variant in ["ec2-spot-mixed", "fargate-spot"] {
        lab.lesson(mean(variant, "error_rate") > 0.0, "an interruption fails some requests in flight");
    }
    lab.lesson(
        mean("ec2-on-demand", "error_rate") == 0.0 && mean("fargate", "error_rate") == 0.0,
        "the On-Demand variants fail none",
    );
    lab.lesson(
        lab.summary["objective"]["best"] == "fargate-spot",
        "the cheapest variant within 0.1 % errors is fargate-spot",
    );
}

/// The lab folders and the labs `ecsim labs` lists are the same set.
#[test]
fn every_lab_folder_is_listed_and_every_listed_lab_runs_from_its_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders: Vec<String> = std::fs::read_dir(root.join("scenarios/labs"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let out = Command::new(env!("CARGO_BIN_EXE_ecsim")).arg("labs").output().unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<String> = listing
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            format!("{}-{}", words.next().unwrap(), words.next().unwrap())
        })
        .collect();
    assert_eq!(listed, folders, "`ecsim labs` lists every folder of scenarios/labs/, in order");
    assert!(folders.len() >= 12, "the course has at least 12 labs: {folders:?}");
    for folder in &folders {
        let readme = std::fs::read_to_string(root.join("scenarios/labs").join(folder).join("README.md")).unwrap();
        for part in ["<details>", "## Try this", "report.html"] {
            assert!(readme.contains(part), "{folder}/README.md has no `{part}`");
        }
    }
}

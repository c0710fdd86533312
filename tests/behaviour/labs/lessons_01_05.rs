//! Labs 01-05: healing, placement, host ports and ENIs, capacity providers, cluster auto scaling.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{breakdown, message, num, run, tasks_in, time};

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
    let distinct: BTreeSet<&String> = packed.iter().collect();
    lab.lesson(
        packed.len() == 6 && distinct.len() == 3 && distinct.iter().all(|i| green_pool.contains(&i.as_str())),
        "spread by zone then binpack memory puts two tasks per zone on one instance, the green one already in use",
    );
    let random = on("random");
    let most = random.iter().map(|i| random.iter().filter(|j| *j == i).count()).max().unwrap();
    lab.lesson(most >= 3, "random balances nothing: one instance gets 3 of the 6 tasks");
    let solo: BTreeSet<String> = on("solo").into_iter().collect();
    lab.lesson(solo.len() == 6, "distinctInstance puts the 6 `solo` tasks on 6 instances");
    let failure = lab.first("SERVICE_TASK_PLACEMENT_FAILURE", "distinctInstance").map(time);
    lab.lesson(failure == Some(300.0), "the 7th `solo` task fails to place at once, for distinctInstance");
    lab.lesson(lab.service("solo")["running_at_end"] == 6, "and `solo` stays at 6 running");
    let placements = lab.of("TASK_PLACEMENT");
    lab.lesson(placements.len() == 21, "--explain-placement logs one TASK_PLACEMENT per placed task (3 + 6 + 6 + 6)");
    let stopped = lab.first("SERVICE_TASKS_STOPPED", "service packed").expect("packed scales in");
    let zones: BTreeSet<String> = tasks_in(stopped).iter().map(|t| lab.instance_of(t)).collect();
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

//! Labs 06-13: service auto scaling, rolling deployments, the circuit breaker, an AZ outage, the
//! load balancer, trace replay, cost as a sweep, daemons and RunTask jobs.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{breakdown, message, num, run, tasks_in, time};

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
    let blocked = lab.first("SCALING_BLOCKED", "during which scale-in is suspended").map(time).unwrap();
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

#[test]
fn lab_13_daemons_run_task_jobs_a_drained_instance_and_ecs_anywhere() {
    let lab = run("13-daemons-and-jobs");
    let daemons: Vec<String> = lab.tasks_of("log-agent")[..3].iter().map(|t| lab.instance_of(t)).collect();
    lab.lesson(daemons == ["i-00001", "i-00002", "i-00003"], "a daemon runs one task on every EC2 instance");
    let edge: Vec<String> = lab.tasks_of("edge").iter().map(|t| lab.instance_of(t)).collect();
    lab.lesson(edge.iter().all(|i| i.starts_with("mi-")), "EXTERNAL tasks run on the ECS Anywhere machines");
    lab.lesson(
        (lab.summary["cost_usd_total"].as_f64().unwrap() - 0.096).abs() < 1e-9,
        "external machines cost nothing in the bill",
    );
    let run_task = lab.first("RUN_TASK", "run-task report started 3 of 4 tasks").expect("RunTask starts 3 of 4");
    lab.lesson(
        message(run_task).contains("Failures: RESOURCE:CPU (1 tasks)"),
        "RunTask returns what does not fit as a failure",
    );
    let jobs = ["report-1", "report-2", "report-3"];
    lab.lesson(
        jobs.iter()
            .all(|t| lab.events.iter().any(|e| e["task"] == *t && message(e).contains("EssentialContainerExited"))),
        "the jobs exit when their work is done",
    );
    lab.lesson(lab.first("RUN_TASK", "report-4").is_none(), "and nothing retries or replaces them");
    let drained = lab.first("CONTAINER_INSTANCE_STATE_CHANGE", "i-00001 is DRAINING").map(time).unwrap();
    let replacement = lab.of("SERVICE_TASKS_STARTED").into_iter().find(|e| e["service"] == "web" && time(e) == drained);
    let replacement = replacement.map(tasks_in).unwrap();
    lab.lesson(
        replacement.len() == 1 && lab.instance_of(&replacement[0]) != "i-00001",
        "the drain starts web's replacement elsewhere at once",
    );
    let (web, agent) = (lab.entered("web-1", "STOPPED").unwrap(), lab.entered("log-agent-1", "STOPPED").unwrap());
    let healthy = lab.entered(&replacement[0], "RUNNING").unwrap() + 40.0;
    lab.lesson(web > healthy, "the drained web task stops only once its replacement is healthy");
    lab.lesson(agent > web, "the daemon's task stops last, once no other task is left on the instance");
    let back = lab.first("CONTAINER_INSTANCE_STATE_CHANGE", "i-00001 is ACTIVE again").map(time).unwrap();
    let returned = lab.of("SERVICE_TASKS_STARTED").into_iter().any(|e| e["service"] == "log-agent" && time(e) == back);
    lab.lesson(returned, "when the drain ends the daemon comes back at once");
}

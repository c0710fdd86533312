//! ALB duration-based stickiness (`lb_cookie`): a client's requests stay on the target its
//! cookie names until the cookie expires or that target can no longer take them, so few clients
//! load the targets unevenly and a scale-out's new targets wait for cookies to expire.

use crate::common::{run, scenario, ReplaceOnce};
use ecsim::scenario::load_str;
use ecsim::world::World;

/// `desired` 1-vCPU tasks of `web` behind `web-tg` (`tg` spliced in), one m5.4xlarge, 20
/// requests/s from `clients` clients (`None`: no population); `extra` appended (faults, actions).
fn sticky(desired: u32, tg: &str, clients: Option<u32>, container: &str, extra: &str, seed: u64) -> String {
    let rate = clients.map_or("20".to_string(), |n| format!("20, clients: {n}"));
    let tg = format!("health_check: {{ interval: 10s }}, {tg}");
    let yaml = crate::routing::web(desired, &rate, &tg, extra)
        .replace_once("memory: 1024 }", &format!("memory: 1024{container} }}"));
    format!("seed: {seed}\n{yaml}")
}

/// Requests each registered target received, in task order (the order ECS started them).
fn received(world: &World) -> Vec<u64> {
    world.traffic().backends.values().map(|b| b.received).collect()
}

#[test]
fn three_sticky_clients_leave_one_of_four_targets_without_a_request() {
    for seed in 1..=4 {
        let tg = "stickiness: { type: lb_cookie, duration: 1d }";
        let (world, summary, _) = run(&scenario(&sticky(4, tg, Some(3), "", "", seed)));
        let got = received(&world);
        // Three clients, each stuck to one target all run long: at most 3 targets see requests
        // (measured: all three got their cookie from the first target to turn healthy, before
        // the others passed a check, so one target took every request, e.g. [0, 0, 0, 11766]).
        assert_eq!(got.len(), 4);
        assert!(got.iter().filter(|&&n| n == 0).count() >= 1, "seed {seed}: {got:?}");
        let total = summary.services[0].traffic.as_ref().unwrap().requests;
        assert_eq!(got.iter().sum::<u64>() as f64, total, "seed {seed}");
        // The same clients without stickiness: round robin gives each target about a quarter
        // (the targets turn healthy up to one 10 s check interval apart: ±200 of ~2,900 each).
        let (world, summary, _) = run(&scenario(&sticky(4, "algorithm: round_robin", Some(3), "", "", seed)));
        let got = received(&world);
        let quarter = summary.services[0].traffic.as_ref().unwrap().requests / 4.0;
        assert!(got.iter().all(|&n| (n as f64 - quarter).abs() < 0.1 * quarter), "seed {seed}: {got:?}");
    }
}

#[test]
fn cookies_expire_after_their_duration() {
    // 60 s cookies: each of the 3 clients is picked anew about every minute (≈ 30 new picks in
    // 10 minutes), and round robin walks those over all 4 targets: none is left without requests.
    for seed in 1..=3 {
        let tg = "stickiness: { type: lb_cookie, duration: 60s }";
        let (world, _, _) = run(&scenario(&sticky(4, tg, Some(3), "", "", seed)));
        let got = received(&world);
        assert!(got.iter().all(|&n| n > 0), "seed {seed}: {got:?}");
    }
}

#[test]
fn a_scale_out_s_new_targets_get_no_stuck_client_until_the_cookies_expire() {
    // Two tasks, 20 clients; at 3 min the service grows to 4. By then every client (20 requests/s
    // over ~3 min) holds a cookie for one of the first two targets.
    let action = "actions: [{ at: 3m, update_service: { service: web, desired_count: 4 } }]";
    for seed in 1..=3 {
        // 1-day cookies outlive the run: the new targets get nothing.
        let tg = "stickiness: { type: lb_cookie, duration: 1d }";
        let (world, _, _) = run(&scenario(&sticky(2, tg, Some(20), "", action, seed)));
        let got = received(&world);
        assert_eq!(got.len(), 4);
        assert_eq!(&got[2..], &[0, 0], "seed {seed}: {got:?}");
        // 2-minute cookies: clients re-picked after the scale-out spread over all four, so the
        // new targets take a fair part of the last ~6 minutes (a quarter each would be ~1,800).
        let tg = "stickiness: { type: lb_cookie, duration: 2m }";
        let (world, _, _) = run(&scenario(&sticky(2, tg, Some(20), "", action, seed)));
        let got = received(&world);
        assert!(got[2..].iter().all(|&n| n > 500), "seed {seed}: {got:?}");
    }
}

#[test]
fn an_unhealthy_target_s_clients_move_and_stay_on_their_new_target() {
    // Container health check every 10 s, 3 retries; at 2 min one task stops answering: its
    // target fails the ALB's checks, and ECS replaces the task. Its clients move to the other
    // target (the only healthy one) and, with 1-day cookies, stay there: the replacement gets
    // no request at all, and every request is still answered.
    let check = r#", health_check: { command: [CMD-SHELL, "curl -f localhost"], interval: 10s, retries: 3 }"#;
    let fault = "faults: [{ at: 2m, fail_health_checks: { service: web, count: 1 } }]";
    for seed in 1..=3 {
        let tg = "stickiness: { type: lb_cookie, duration: 1d }";
        let (world, summary, _) = run(&scenario(&sticky(2, tg, Some(4), check, fault, seed)));
        let got = received(&world);
        assert_eq!(got.len(), 2, "seed {seed}: the survivor and the replacement: {got:?}");
        assert_eq!(got[1], 0, "seed {seed}: the replacement gets no stuck client: {got:?}");
        let traffic = summary.services[0].traffic.as_ref().unwrap();
        assert_eq!(traffic.elb_502 + traffic.elb_504 + traffic.target_5xx, 0.0, "seed {seed}: {traffic:?}");
    }
}

/// The validation errors of `yaml`, one a line.
fn errors(yaml: &str) -> String {
    load_str(yaml, "bad.yaml", "bad").err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn validation_checks_the_type_the_duration_the_clients_and_the_fidelity() {
    let ok = sticky(2, "stickiness: { type: lb_cookie }", Some(5), "", "", 1);
    assert_eq!(errors(&ok), "", "the default duration (1 day) is valid");
    // Every problem at once, each with its path.
    let bad = sticky(2, "stickiness: { type: source_ip, duration: 8d }", Some(0), "", "", 1);
    let got = errors(&bad);
    assert!(got.contains("stickiness.type: unknown stickiness type `source_ip`"), "{got}");
    assert!(got.contains("stickiness.duration: 192h must be a whole number of seconds from 1s to 7 days"), "{got}");
    assert!(got.contains("traffic.sources[0].clients: 0"), "{got}");
    let got = errors(&sticky(2, "stickiness: { type: app_cookie, duration: 500ms }", Some(5), "", "", 1));
    assert!(got.contains("`app_cookie`) is not modelled"), "{got}");
    assert!(got.contains("stickiness.duration: 500ms must be a whole number"), "{got}");
    // Without clients no cookie ever comes back: the validator says so.
    let got = errors(&sticky(2, "stickiness: { type: lb_cookie, duration: 1h }", None, "", "", 1));
    assert!(
        got.contains("traffic.sources[0]: target group `web-tg` is sticky but this source has no `clients`"),
        "{got}"
    );
    // The fluid fidelity has no clients: refused.
    let fluid = sticky(2, "stickiness: { type: lb_cookie, duration: 1h }", Some(5), "", "", 1)
        .replace_once("traffic:\n", "traffic:\n  fidelity: fluid\n");
    let got = errors(&fluid);
    assert!(got.contains("stickiness: stickiness is simulated in the `requests` fidelity only"), "{got}");
}

#[test]
fn clients_draw_from_their_own_stream_and_change_nothing_else() {
    // Without stickiness a client population changes no draw: the same split, request for
    // request. With it, the arrivals are the same requests (served or 503) whatever the clients.
    let plain = |clients| received(&run(&scenario(&sticky(3, "algorithm: round_robin", clients, "", "", 5))).0);
    assert_eq!(plain(None), plain(Some(7)));
    let arrivals = |clients| {
        let tg = "stickiness: { type: lb_cookie, duration: 1m }";
        let (_, summary, _) = run(&scenario(&sticky(3, tg, Some(clients), "", "", 5)));
        let t = summary.services[0].traffic.as_ref().unwrap();
        t.requests + t.elb_503
    };
    assert_eq!(arrivals(2), arrivals(50));
}

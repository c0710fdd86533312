//! Unit tests of the queueing formulas: closed forms, limits and the fluid flow approximation.
use super::*;
use crate::traffic::routed_arrivals::Arrivals;

const FIFO1: Concurrency = Concurrency::Workers { count: 1, queue: None };
const PS: Concurrency = Concurrency::ProcessorSharing;
const EXP_10MS: ServiceTime = ServiceTime { mean: 0.01, scv: 1.0 };

fn target(vcpus: f64, concurrency: Concurrency, timeout: f64) -> FluidTarget {
    FluidTarget { vcpus, concurrency, timeout, io_wait: 0.0 }
}

/// A step of the steady state: 1-second steps from empty until the flow has settled (the
/// backward-Euler error shrinks by `L'(r) / (L'(r) + μ)` a step: 10⁻¹³ by 400 steps at
/// ρ = 0.99).
fn one_step(t: FluidTarget, service: ServiceTime, lambda: f64) -> FluidStep {
    routed(t, service, Arrivals::Poisson, lambda)
}

/// [`one_step`] for arrivals the routing algorithm shaped.
fn routed(t: FluidTarget, service: ServiceTime, arrivals: Arrivals, lambda: f64) -> FluidStep {
    let mut backlog = Backlog::default();
    let mut last = routed_step(&t, service, arrivals, lambda, 1.0, &mut backlog);
    for _ in 0..400 {
        last = routed_step(&t, service, arrivals, lambda, 1.0, &mut backlog);
    }
    last
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn mm1_mean_and_p99() {
    // μ = 100/s, λ = 50/s: the sojourn is exponential of rate μ − λ = 50/s.
    // Mean 1/50 = 20 ms; p99 = ln(100)/50 = 92.1 ms; median ln(2)/50 = 13.9 ms.
    let r = one_step(target(1.0, FIFO1, 30.0), EXP_10MS, 50.0);
    assert!(close(r.mean_response, 0.020, 1e-12), "{}", r.mean_response);
    assert!(close(r.quantile(0.99), 100f64.ln() / 50.0, 1e-9), "{}", r.quantile(0.99));
    assert!(close(r.quantile(0.5), 2f64.ln() / 50.0, 1e-9));
    // Processor sharing on one vCPU: the same mean, a heavier tail (squared coefficient of
    // variation (2 + ρ)/(2 − ρ) = 5/3 at ρ = ½).
    let ps = one_step(target(1.0, PS, 30.0), EXP_10MS, 50.0);
    assert!(close(ps.mean_response, 0.020, 1e-12));
    assert!(ps.quantile(0.99) > 1.1 * r.quantile(0.99), "{} vs {}", ps.quantile(0.99), r.quantile(0.99));
    // Half a vCPU: μ = 50/s, λ = 25/s: 1/(50 − 25) = 40 ms.
    let half = one_step(target(0.5, FIFO1, 30.0), EXP_10MS, 25.0);
    assert!(close(half.mean_response, 0.040, 1e-12));
}

#[test]
fn erlang_c_known_values() {
    // c = 2, a = 1: B = (1/2)/(1 + 1 + 1/2) = 0.2; C = 2·0.2/(2 − 1·0.8) = 1/3.
    assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12));
    // c = 1: C = ρ. Saturated or no servers: everybody waits; no load: nobody does.
    assert!(close(erlang_c(1, 0.5), 0.5, 1e-12));
    assert_eq!((erlang_c(2, 2.0), erlang_c(0, 0.0), erlang_c(3, 0.0)), (1.0, 1.0, 0.0));
}

#[test]
fn mmc_mean_and_tail() {
    // c = 2 workers on 2 vCPUs, s = 1 s, λ = 1/s: a = 1, ρ = 1/2, C = 1/3.
    // E[T] = s + C·s/(c(1 − ρ)) = 1 + (1/3)/1 = 4/3 s.
    let service = ServiceTime { mean: 1.0, scv: 1.0 };
    let workers = Concurrency::Workers { count: 2, queue: None };
    let r = one_step(target(2.0, workers, 100.0), service, 1.0);
    assert!(close(r.mean_response, 4.0 / 3.0, 1e-12), "{}", r.mean_response);
    // Wait given waiting ~ Exp(cμ − λ = 1) = the service rate: P(T > t) = (2/3)e^−t + (1/3)(1 + t)e^−t.
    let t = r.quantile(0.9);
    let survival = (2.0 / 3.0 + (1.0 + t) / 3.0) * (-t).exp();
    assert!(close(survival, 0.1, 1e-9), "p90 {t} has survival {survival}");
    // Processor sharing on 2 vCPUs runs the same chain: the same mean.
    assert!(close(one_step(target(2.0, PS, 100.0), service, 1.0).mean_response, 4.0 / 3.0, 1e-12));
}

#[test]
fn service_variability_lengthens_fifo_waits_but_not_processor_sharing() {
    // M/D/1 (scv = 0) at ρ = 0.5: Wq = ρs/(2(1 − ρ)) = 5 ms (Pollaczek–Khinchine), T = 15 ms.
    let constant = ServiceTime { mean: 0.01, scv: 0.0 };
    assert!(close(one_step(target(1.0, FIFO1, 30.0), constant, 50.0).mean_response, 0.015, 1e-12));
    // Processor sharing is insensitive: still s/(1 − ρ) = 20 ms.
    assert!(close(one_step(target(1.0, PS, 30.0), constant, 50.0).mean_response, 0.020, 1e-12));
}

#[test]
fn utilization_is_lambda_over_mu() {
    // λ = 30/s of 10 ms: 0.3 CPU-s per second: 30 % of 1 vCPU, 15 % of 2.
    let r = one_step(target(1.0, PS, 30.0), EXP_10MS, 30.0);
    assert!(close(r.utilization, 0.3, 1e-12) && close(r.cpu_seconds, 0.3, 1e-12));
    assert!(close(one_step(target(2.0, PS, 30.0), EXP_10MS, 30.0).utilization, 0.15, 1e-12));
    // Little: in flight = λ·E[T] = 30 × 0.01/(1 − 0.3) = 0.4286.
    assert!(close(r.in_flight, 30.0 * 0.01 / 0.7, 1e-12));
}

#[test]
fn steady_timeouts_are_the_tail_beyond_the_timeout() {
    // λ = 90/s, μ = 100/s, timeout 0.3 s. Without dropping, T ~ Exp(10/s) and e^−3 = 4.98 %
    // would time out; dropped requests shorten the queue, so the flow settles where
    // 100·r = 90·(1 − S(r)) with S(r) = e^(−0.3·100·(1 − r)) the tail at utilization r:
    // fewer time out than e^−3, and every request is accounted for.
    let r = one_step(target(1.0, FIFO1, 0.3), EXP_10MS, 90.0);
    assert!(close(r.completed + r.timed_out, 90.0, 1e-9), "{r:?}");
    let util = r.completed / 100.0;
    let tail = (-0.3 * 100.0 * (1.0 - util)).exp();
    assert!(close(r.timed_out, 90.0 * tail, 1e-6), "{} vs {}", r.timed_out, 90.0 * tail);
    assert!(r.timed_out > 0.0 && r.timed_out < 90.0 * (-3f64).exp(), "{}", r.timed_out);
}

#[test]
fn overload_grows_the_queue_until_the_timeout_cuts_it() {
    // Capacity 100/s, λ = 150/s: the queue grows by up to 50 a second (less as the tail of
    // its response-time law starts to pass the timeout)...
    let t = target(1.0, FIFO1, 2.0);
    let mut backlog = Backlog::default();
    let mut queue = Vec::new();
    for _ in 0..3 {
        step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
        queue.push(backlog.requests);
    }
    assert!((45.0..=50.0).contains(&queue[0]), "{queue:?}");
    assert!(queue.windows(2).all(|w| (15.0..=50.0).contains(&(w[1] - w[0]))), "{queue:?}");
    // ...until requests wait past the 2 s timeout: then the task finishes its capacity, 100
    // a second, and the other 50 time out; the queue holds about 2 s of work.
    let mut last = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
    for _ in 0..200 {
        last = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
    }
    assert!(close(last.completed, 100.0, 0.01) && close(last.timed_out, 50.0, 0.02), "{last:?}");
    assert!(close(last.utilization, 1.0, 0.01) && (100.0..300.0).contains(&backlog.requests), "{backlog:?}");
    // Those answered waited under the 2 s timeout: their mean is the law's below it.
    assert!((0.5..2.0).contains(&last.mean_response) && last.answered_quantile(0.999) <= 2.0, "{last:?}");
}

#[test]
fn a_full_worker_queue_rejects_the_excess() {
    // One worker, room for 20 waiting, 150/s against 100/s: the queue fills and about a
    // third of the arrivals (the excess) are refused, at most 21 requests in the task. The
    // infinite queue's tail as the refused share overstates it a little (55 for M/M/1/21's
    // 50): within 12 %, and the finished ones within 6 %.
    let t = target(1.0, Concurrency::Workers { count: 1, queue: Some(20) }, 60.0);
    let mut backlog = Backlog::default();
    let mut last = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
    for _ in 0..100 {
        last = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
    }
    assert!(close(last.rejected, 50.0, 0.12) && close(last.completed, 100.0, 0.06), "{last:?}");
    assert!(backlog.requests <= 21.0, "{backlog:?}");
}

#[test]
fn a_backlog_drains_without_arrivals() {
    // Capacity 100/s: 150 queued drain at nearly full speed, then the last few at the pace
    // of an emptying queue; none is lost.
    let t = target(1.0, FIFO1, 30.0);
    let mut backlog = Backlog::new(150.0);
    let first = step(&t, EXP_10MS, 0.0, 1.0, &mut backlog);
    assert!((97.0..=100.0).contains(&first.completed), "{first:?}");
    let mut done = first.completed;
    for _ in 0..20 {
        done += step(&t, EXP_10MS, 0.0, 1.0, &mut backlog).completed;
    }
    assert!(close(done + backlog.requests, 150.0, 1e-9) && backlog.requests < 1.0, "{done} {backlog:?}");
}

#[test]
fn more_load_never_means_fewer_errors_or_faster_answers() {
    // Through full load (capacity 100/s) and beyond, after a minute from empty: errors,
    // latency and CPU all rise with λ; there is no cliff at ρ = 1.
    let t = target(1.0, FIFO1, 10.0);
    let minute = |lambda: f64| {
        let mut backlog = Backlog::default();
        let (mut errors, mut weighted, mut done) = (0.0, 0.0, 0.0);
        for _ in 0..60 {
            let r = step(&t, EXP_10MS, lambda, 1.0, &mut backlog);
            errors += r.timed_out;
            weighted += r.mean_response * r.completed;
            done += r.completed;
        }
        (errors, weighted / done, done)
    };
    let runs: Vec<_> = (80..=120).map(|l| minute(f64::from(l))).collect();
    for w in runs.windows(2) {
        assert!(w[1].0 >= w[0].0 && w[1].1 > w[0].1 && w[1].2 >= w[0].2 - 1e-6, "{w:?}");
    }
}

#[test]
fn nothing_in_gives_zeros_and_no_nan() {
    let t = target(1.0, PS, 30.0);
    let r = step(&t, EXP_10MS, 0.0, 1.0, &mut Backlog::default());
    assert_eq!(r, FluidStep::nothing(0.0));
    assert_eq!((r.quantile(0.5), r.quantile(0.99)), (0.0, 0.0));
    // Nonsense inputs stay finite: NaN rate, zero dt, no workers, zero service time.
    let no_workers = target(1.0, Concurrency::Workers { count: 0, queue: None }, 30.0);
    let odd = [
        step(&t, EXP_10MS, f64::NAN, 1.0, &mut Backlog::default()),
        step(&t, EXP_10MS, 1e12, 1.0, &mut Backlog::new(f64::INFINITY)),
        step(&t, EXP_10MS, 10.0, 0.0, &mut Backlog::default()),
        step(&no_workers, EXP_10MS, 10.0, 1.0, &mut Backlog::new(5.0)),
        step(&t, ServiceTime { mean: 0.0, scv: 1.0 }, 10.0, 1.0, &mut Backlog::default()),
    ];
    for r in odd {
        let all = [r.completed, r.timed_out, r.rejected, r.mean_response, r.in_flight, r.utilization, r.quantile(0.9)];
        assert!(all.iter().all(|x| x.is_finite()), "{r:?}");
    }
}

#[test]
fn quantiles_are_monotone() {
    let workers = Concurrency::Workers { count: 3, queue: None };
    for r in [
        one_step(target(2.0, workers, 30.0), ServiceTime { mean: 0.01, scv: 3.0 }, 150.0),
        one_step(target(4.0, workers, 30.0), EXP_10MS, 250.0),
        one_step(target(1.0, PS, 30.0), EXP_10MS, 99.0),
    ] {
        let qs: Vec<f64> = (1..1000).map(|i| r.quantile(f64::from(i) / 1000.0)).collect();
        assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{r:?}");
        assert!(qs[0] > 0.0 && qs[998].is_finite());
    }
}

#[test]
fn one_target_in_turn_or_in_a_pool_gets_the_poisson_formulas() {
    for t in [
        target(1.0, FIFO1, 30.0),
        target(0.5, PS, 30.0),
        target(2.0, Concurrency::Workers { count: 3, queue: Some(4) }, 1.0),
    ] {
        let poisson = one_step(t, EXP_10MS, 40.0);
        assert_eq!(routed(t, EXP_10MS, Arrivals::RoundRobin { turn: 1.0 }, 40.0), poisson);
        assert_eq!(routed(t, EXP_10MS, Arrivals::LeastOutstandingRequests { pool: 1.0 }, 40.0), poisson);
    }
}

#[test]
fn round_robin_over_two_targets_is_the_exact_erlang_2_queue() {
    // Every other arrival of a Poisson stream, μ = 100/s, λ = 50/s per target: an arrival finds
    // the worker busy with σ = (3 − √5)/2 and the sojourn is exponential of rate μ(1 − σ).
    let sigma = (3.0 - 5f64.sqrt()) / 2.0;
    let turn = Arrivals::RoundRobin { turn: 2.0 };
    let r = routed(target(1.0, FIFO1, 30.0), EXP_10MS, turn, 50.0);
    assert!(close(r.mean_response, 0.01 / (1.0 - sigma), 1e-9), "{}", r.mean_response);
    assert!(close(r.quantile(0.99), 100f64.ln() * 0.01 / (1.0 - sigma), 1e-6), "{}", r.quantile(0.99));
    // Processor sharing has the same number in the task, hence the same mean.
    let ps = routed(target(1.0, PS, 30.0), EXP_10MS, turn, 50.0);
    assert!(close(ps.mean_response, 0.01 / (1.0 - sigma), 1e-9));
    // Half a vCPU at the same load: a single server of rate 50/s, still exact.
    let half = routed(target(0.5, FIFO1, 30.0), EXP_10MS, turn, 25.0);
    assert!(close(half.mean_response, 0.02 / (1.0 - sigma), 1e-9), "{}", half.mean_response);
    // More targets in turn wait less, all below Poisson's 20 ms.
    let means: Vec<f64> = [1.0, 2.0, 10.0, 100.0]
        .map(|k| routed(target(1.0, PS, 30.0), EXP_10MS, Arrivals::RoundRobin { turn: k }, 50.0).mean_response)
        .to_vec();
    assert!(means.windows(2).all(|w| w[1] < w[0]), "{means:?}");
}

#[test]
fn least_outstanding_requests_pools_the_targets() {
    // Ten one-worker targets at 90 %: one M/M/10 queue, E[T] = s + C(10, 9)·s/(10(1 − 0.9)).
    let pool = Arrivals::LeastOutstandingRequests { pool: 10.0 };
    let r = routed(target(1.0, FIFO1, 30.0), EXP_10MS, pool, 90.0);
    let want = 0.01 + erlang_c(10, 9.0) * 0.01 / (10.0 * 0.1);
    assert!(close(r.mean_response, want, 1e-9), "{} vs {want}", r.mean_response);
    // Per target the throughput and CPU are its own: 90 % busy.
    assert!(close(r.utilization, 0.9, 1e-9));
    assert!(r.mean_response < one_step(target(1.0, FIFO1, 30.0), EXP_10MS, 90.0).mean_response / 3.0);
}

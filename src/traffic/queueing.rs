//! The `fluid` fidelity: what a task did during a time step `dt`, from queueing formulas instead of
//! one event per request, so that days of heavy traffic simulate in milliseconds.
//!
//! # The model
//!
//! With `c` effective servers and exponential service of mean `s`, the number of requests in a task
//! is a birth–death chain with departure rate `min(n, c) / s`, whatever the concurrency model:
//! `n` requests in service each progress at `min(1, vcpus / n)`, so together at `min(n, vcpus)`.
//! Hence `c = vcpus` for processor sharing and `c = min(count, vcpus)` for workers, and the
//! capacity is `c / s` requests per second. `c` may be fractional (0.25 vCPU, 1.5 vCPU): with
//! `m = ⌊c⌋`, the chain has rates `n / s` up to `m` and `c / s` above, and its stationary law is
//!
//! ```text
//! a = λs, ρ = a / c, B = Erlang B(m, a),  P = P(N ≥ m) = B / (1 − ρ(1 − B))
//! E[T] = E[N] / λ = s(1 − P) + (m / c)·s·P + P·s / (c(1 − ρ))
//! ```
//!
//! For integer `c`, `P` is Erlang C and `E[T] = s + C·s / (c(1 − ρ))`: M/M/c. Processor sharing
//! (a symmetric queue) is insensitive to the service distribution, so this mean is exact for any
//! service time. With workers, the requests beyond `count` wait first in, first out:
//! `P(wait) = P·ρ^(count − m)` and `E[Wq] = P(wait)·s / (c(1 − ρ))`; for non-exponential service
//! the wait is scaled by the Allen–Cunneen factor `(1 + scv) / 2` (Poisson arrivals; exact for
//! M/G/1 by Pollaczek–Khinchine, typically within 10 % for M/G/c).
//!
//! Overload (`λ ≥ c / s`, or a backlog carried from earlier steps) is a fluid queue: the task
//! serves `c / s` per second, the rest joins the backlog, and a request at the back waits
//! `backlog / capacity`; requests that would wait past the timeout time out, and with a bounded
//! worker queue the excess arrivals are rejected first.

use super::server::Concurrency;

/// A request's CPU time at one full vCPU, in seconds: its mean and squared coefficient of
/// variation (1 for exponential; `exp(σ²) − 1` for a log-normal of shape σ; 0 for constant).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceTime {
    pub mean: f64,
    pub scv: f64,
}

/// One task as the fluid model sees it. `timeout` is the client's (the load balancer's) timeout
/// in seconds; a non-positive or non-finite timeout means none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FluidTarget {
    pub vcpus: f64,
    pub concurrency: Concurrency,
    pub timeout: f64,
}

/// Requests accepted but not yet served because the task was overloaded, carried between steps.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backlog(pub f64);

/// What a task did during one step. Counts are (fractional) requests; times are seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FluidStep {
    pub arrived: f64,
    pub completed: f64,
    pub timed_out: f64,
    pub rejected: f64,
    /// Mean response time of the requests served; zero when none were.
    pub mean_response: f64,
    /// Average requests in the task over the step (Little's law).
    pub in_flight: f64,
    pub cpu_seconds: f64,
    /// CPU used over CPU available, 0..=1.
    pub utilization: f64,
    response: Response,
}

impl FluidStep {
    /// The `p`-quantile of the response time, in seconds; monotone in `p`. `p` outside (0, 1) is
    /// clamped (`p ≤ 0` gives the shortest response, `p ≥ 1` the 1 − 10⁻¹² quantile).
    pub fn quantile(&self, p: f64) -> f64 {
        self.response.quantile(p)
    }

    fn nothing(arrived: f64) -> Self {
        FluidStep {
            arrived,
            completed: 0.0,
            timed_out: 0.0,
            rejected: 0.0,
            mean_response: 0.0,
            in_flight: 0.0,
            cpu_seconds: 0.0,
            utilization: 0.0,
            response: Response::ZERO,
        }
    }
}

/// Erlang C probability of waiting: M/M/`servers` with `offered_load` = λ·s erlangs. One when
/// the load reaches the servers (everybody waits), zero without load.
pub fn erlang_c(servers: u32, offered_load: f64) -> f64 {
    let c = f64::from(servers);
    if offered_load.is_nan() || offered_load >= c {
        return 1.0;
    }
    prob_at_least_m(servers, offered_load.max(0.0), offered_load.max(0.0) / c)
}

/// Advances one task by `dt` seconds at arrival rate `lambda` (requests per second), updating the
/// carried `backlog`. Non-finite or negative rates count as no arrivals; a non-positive `dt`
/// does nothing.
pub fn step(target: &FluidTarget, service: ServiceTime, lambda: f64, dt: f64, backlog: &mut Backlog) -> FluidStep {
    let lambda = if lambda.is_finite() && lambda > 0.0 { lambda } else { 0.0 };
    if !(dt.is_finite() && dt > 0.0) {
        return FluidStep::nothing(0.0);
    }
    let station = Station::new(target, service);
    let arrived = lambda * dt;
    let carried = backlog.0.max(0.0);
    if station.s.is_nan() || station.s <= 0.0 {
        // Requests without work are served the instant they arrive.
        backlog.0 = 0.0;
        return FluidStep { completed: arrived + carried, ..FluidStep::nothing(arrived) };
    }
    if station.c <= 0.0 {
        // No worker or no CPU: new requests are refused, the carried ones are never served.
        backlog.0 = 0.0;
        return FluidStep { rejected: arrived, timed_out: carried, ..FluidStep::nothing(arrived) };
    }
    if carried > EMPTY_BACKLOG || lambda >= station.capacity() {
        station.overloaded(arrived, dt, backlog)
    } else if arrived > 0.0 {
        backlog.0 = 0.0;
        station.steady(lambda, dt)
    } else {
        backlog.0 = 0.0;
        FluidStep::nothing(0.0)
    }
}

/// A backlog below this many requests is empty: the fluid queue drains to it exactly, and a
/// rounding crumb must not keep a target in the overloaded regime.
const EMPTY_BACKLOG: f64 = 1e-9;

/// A target's numbers, resolved once per step.
struct Station {
    /// Mean service time at one vCPU, seconds.
    s: f64,
    scv: f64,
    vcpus: f64,
    /// Effective servers: `vcpus` for processor sharing, `min(count, vcpus)` for workers.
    c: f64,
    workers: Option<u32>,
    queue: Option<u32>,
    timeout: Option<f64>,
}

impl Station {
    fn new(target: &FluidTarget, service: ServiceTime) -> Self {
        let vcpus = target.vcpus.max(0.0); // NaN becomes 0, so `c` below is never NaN
        let (c, workers, queue) = match target.concurrency {
            Concurrency::ProcessorSharing => (vcpus, None, None),
            Concurrency::Workers { count, queue } => (vcpus.min(f64::from(count)), Some(count), queue),
        };
        let timeout = (target.timeout.is_finite() && target.timeout > 0.0).then_some(target.timeout);
        Station { s: service.mean, scv: service.scv.max(0.0), vcpus, c, workers, queue, timeout }
    }

    /// Requests per second the task completes when saturated.
    fn capacity(&self) -> f64 {
        self.c / self.s
    }

    /// Time in service when saturated: `n` in service (the workers, or at least one request and
    /// at least one per vCPU under processor sharing) drained at the capacity.
    fn saturated_service(&self) -> f64 {
        let in_service = self.workers.map_or(self.vcpus.max(1.0), f64::from);
        in_service / self.capacity()
    }

    /// Stationary regime (`λ < capacity`, no backlog): the chain's formulas in the module docs.
    fn steady(&self, lambda: f64, dt: f64) -> FluidStep {
        let a = lambda * self.s;
        let rho = a / self.c;
        let m = self.c.floor();
        let p = prob_at_least_m(m as u32, a, rho);
        // Mean time a geometric-tail request adds: s / (c(1 − ρ)).
        let tail_time = self.s / (self.c * (1.0 - rho));
        let mm_mean = self.s * (1.0 - p) + (m / self.c) * self.s * p + p * tail_time;
        let beyond = |n: f64| p * rho.powf(n - m); // P(N ≥ n) for n ≥ m
        let wait_prob = self.workers.map_or(0.0, |k| beyond(f64::from(k)));
        let mm_wait = wait_prob * tail_time;
        let wait = mm_wait * (1.0 + self.scv) / 2.0; // Allen–Cunneen
        let response = Response::new(0.0, mm_mean - mm_wait, wait_prob, wait);
        let mean = response.mean();
        // A bounded queue refuses arrivals that find it full: the infinite queue's P(N ≥ count + q).
        let blocking = match (self.workers, self.queue) {
            (Some(k), Some(q)) => beyond(f64::from(k) + f64::from(q)),
            _ => 0.0,
        };
        let arrived = lambda * dt;
        let admitted = arrived * (1.0 - blocking);
        let timed_out = self.timeout.map_or(0.0, |t| admitted * response.survival(t));
        let flows = Flows { arrived, completed: admitted - timed_out, timed_out, rejected: arrived - admitted };
        self.finish(flows, dt, mean, admitted / dt, response)
    }

    /// Fluid overload: serve at capacity, reject beyond a bounded queue, time out beyond what the
    /// timeout lets wait, carry the rest.
    fn overloaded(&self, arrived: f64, dt: f64, backlog: &mut Backlog) -> FluidStep {
        let cap = self.capacity();
        let carried = backlog.0.max(0.0);
        let supply = carried + arrived;
        let served = supply.min(cap * dt);
        let mut rest = supply - served;
        let rejected = match self.queue {
            Some(q) => (rest - f64::from(q)).clamp(0.0, arrived),
            None => 0.0,
        };
        rest -= rejected;
        let in_service = self.saturated_service();
        let holdable = self.timeout.map_or(f64::INFINITY, |t| cap * (t - in_service).max(0.0));
        let timed_out = (rest - holdable).max(0.0);
        backlog.0 = if rest - timed_out > EMPTY_BACKLOG { rest - timed_out } else { 0.0 };
        let wait = (carried + backlog.0) / 2.0 / cap;
        let response = Response::new(wait, in_service, 0.0, 0.0);
        let flows = Flows { arrived, completed: served, timed_out, rejected };
        self.finish(flows, dt, response.mean(), served / dt, response)
    }

    /// Derives CPU, utilization and in-flight from the flows: the served requests' work, and
    /// Little's law over the requests that went through.
    fn finish(&self, flows: Flows, dt: f64, mean: f64, through_rate: f64, response: Response) -> FluidStep {
        let cpu_seconds = flows.completed * self.s;
        FluidStep {
            arrived: flows.arrived,
            completed: flows.completed,
            timed_out: flows.timed_out,
            rejected: flows.rejected,
            mean_response: mean,
            in_flight: through_rate * mean,
            cpu_seconds,
            utilization: (cpu_seconds / (self.vcpus * dt)).min(1.0),
            response,
        }
    }
}

/// Where a step's requests went.
struct Flows {
    arrived: f64,
    completed: f64,
    timed_out: f64,
    rejected: f64,
}

/// `P(N ≥ m)` in the chain with `m = ⌊c⌋` full-speed servers, offered load `a` and tail ratio
/// `ρ = a / c < 1`: `B / (1 − ρ(1 − B))` with `B` = Erlang B(m, a) by its stable recursion.
fn prob_at_least_m(m: u32, a: f64, rho: f64) -> f64 {
    let b = (1..=m).fold(1.0, |b, n| a * b / (f64::from(n) + a * b));
    b / (1.0 - rho * (1.0 - b))
}

/// The response-time law: `shift + S + W`, where `S` (time in service) is exponential with mean
/// `service`, and with probability `wait_prob` the request first waits an exponential time of
/// mean `wait_given`. Exact for M/M/c FIFO (hence M/M/1: exponential of rate μ − λ); for
/// processor sharing and workers sharing vCPUs the time in service is approximated by an
/// exponential of the right mean; in overload `shift` is the deterministic fluid wait.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Response {
    shift: f64,
    service: f64,
    wait_prob: f64,
    wait_given: f64,
}

/// Relative difference of two rates below which the hypoexponential uses its equal-rates limit,
/// where the general formula would cancel catastrophically.
const SAME_RATE: f64 = 1e-6;
/// The highest quantile computed: the survival function is not resolved below this.
const MAX_P: f64 = 1.0 - 1e-12;
/// Halvings of the quantile bracket: 64 reach the resolution of an f64.
const BISECTIONS: u32 = 64;

impl Response {
    const ZERO: Response = Response { shift: 0.0, service: 0.0, wait_prob: 0.0, wait_given: 0.0 };

    /// From the mean wait over all requests (`wait`), not only those that wait.
    fn new(shift: f64, service: f64, wait_prob: f64, wait: f64) -> Self {
        let wait_given = if wait_prob > 0.0 { wait / wait_prob } else { 0.0 };
        Response { shift, service, wait_prob, wait_given }
    }

    fn mean(&self) -> f64 {
        self.shift + self.service + self.wait_prob * self.wait_given
    }

    /// `P(T > t)`.
    fn survival(&self, t: f64) -> f64 {
        let u = t - self.shift;
        if u < 0.0 {
            return 1.0;
        }
        let served = exp_tail(self.service, u);
        let waited = sum_of_exp_tail(self.service, self.wait_given, u);
        (1.0 - self.wait_prob) * served + self.wait_prob * waited
    }

    fn quantile(&self, p: f64) -> f64 {
        let scale = self.service + self.wait_given;
        if !(p > 0.0 && scale > 0.0 && scale.is_finite()) {
            return self.shift;
        }
        let target = 1.0 - p.min(MAX_P);
        let mut hi = scale;
        while self.survival(self.shift + hi) > target {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..BISECTIONS {
            let mid = 0.5 * (lo + hi);
            if self.survival(self.shift + mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.shift + hi
    }
}

/// `P(X > u)` for X exponential of the given mean (a zero mean is the constant 0), `u ≥ 0`.
fn exp_tail(mean: f64, u: f64) -> f64 {
    if mean > 0.0 {
        (-u / mean).exp()
    } else if u > 0.0 {
        0.0
    } else {
        1.0
    }
}

/// `P(X + Y > u)` for independent exponentials of means `m1`, `m2` (hypoexponential).
fn sum_of_exp_tail(m1: f64, m2: f64, u: f64) -> f64 {
    if !(m1 > 0.0 && m2 > 0.0) {
        return exp_tail(m1.max(m2), u);
    }
    let (r1, r2) = (1.0 / m1, 1.0 / m2);
    if (r1 - r2).abs() <= SAME_RATE * r1.max(r2) {
        // Erlang-2 limit: (1 + r·u)·e^(−r·u).
        return (1.0 + r1 * u) * (-r1 * u).exp();
    }
    (r2 * (-r1 * u).exp() - r1 * (-r2 * u).exp()) / (r2 - r1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIFO1: Concurrency = Concurrency::Workers { count: 1, queue: None };
    const PS: Concurrency = Concurrency::ProcessorSharing;
    const EXP_10MS: ServiceTime = ServiceTime { mean: 0.01, scv: 1.0 };

    fn target(vcpus: f64, concurrency: Concurrency, timeout: f64) -> FluidTarget {
        FluidTarget { vcpus, concurrency, timeout }
    }

    fn one_step(t: FluidTarget, service: ServiceTime, lambda: f64) -> FluidStep {
        step(&t, service, lambda, 1.0, &mut Backlog::default())
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
        // Processor sharing on one vCPU: the same mean; its tail is the exponential approximation.
        let ps = one_step(target(1.0, PS, 30.0), EXP_10MS, 50.0);
        assert!(close(ps.mean_response, 0.020, 1e-12));
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
        // λ = 90/s, μ = 100/s: T ~ Exp(rate 10/s). Timeout 0.3 s: P(T > 0.3) = e^−3 = 4.98 %.
        let r = one_step(target(1.0, FIFO1, 0.3), EXP_10MS, 90.0);
        assert!(close(r.timed_out, 90.0 * (-3f64).exp(), 1e-9), "{}", r.timed_out);
        assert!(close(r.completed + r.timed_out, 90.0, 1e-12));
    }

    #[test]
    fn overload_grows_the_backlog_until_the_timeout_cuts_it() {
        // Capacity 100/s, λ = 150/s: 50 more per second queue up. Holdable: 100 × (2 s − 10 ms) = 199.
        let t = target(1.0, FIFO1, 2.0);
        let mut backlog = Backlog::default();
        let first = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
        assert!(close(first.completed, 100.0, 1e-12) && close(backlog.0, 50.0, 1e-12));
        // Average backlog (0 + 50)/2 = 25 waits 0.25 s, then 10 ms of service.
        assert!(close(first.mean_response, 0.26, 1e-12));
        assert!(close(first.quantile(0.5), 0.25 + 0.01 * 2f64.ln(), 1e-9));
        for expect in [100.0, 150.0] {
            step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
            assert!(close(backlog.0, expect, 1e-12));
        }
        // 150 + 150 − 100 = 200 > 199: one request times out.
        let fourth = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
        assert!(close(fourth.timed_out, 1.0, 1e-9) && close(backlog.0, 199.0, 1e-12));
        assert!(close(fourth.utilization, 1.0, 1e-12));
    }

    #[test]
    fn a_full_worker_queue_rejects_the_excess() {
        // 50 left over, room for 20: 30 rejected.
        let t = target(1.0, Concurrency::Workers { count: 1, queue: Some(20) }, 2.0);
        let mut backlog = Backlog::default();
        let r = step(&t, EXP_10MS, 150.0, 1.0, &mut backlog);
        assert!(close(r.rejected, 30.0, 1e-12) && close(backlog.0, 20.0, 1e-12));
    }

    #[test]
    fn a_backlog_drains_without_arrivals() {
        // Capacity 100/s: 150 queued drain in 1.5 s.
        let t = target(1.0, FIFO1, 30.0);
        let mut backlog = Backlog(150.0);
        assert!(close(step(&t, EXP_10MS, 0.0, 1.0, &mut backlog).completed, 100.0, 1e-12));
        assert!(close(step(&t, EXP_10MS, 0.0, 1.0, &mut backlog).completed, 50.0, 1e-12));
        assert_eq!(backlog, Backlog(0.0));
        assert_eq!(step(&t, EXP_10MS, 0.0, 1.0, &mut backlog), FluidStep::nothing(0.0));
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
            step(&t, EXP_10MS, 10.0, 0.0, &mut Backlog::default()),
            step(&no_workers, EXP_10MS, 10.0, 1.0, &mut Backlog(5.0)),
            step(&t, ServiceTime { mean: 0.0, scv: 1.0 }, 10.0, 1.0, &mut Backlog::default()),
        ];
        for r in odd {
            let all =
                [r.completed, r.timed_out, r.rejected, r.mean_response, r.in_flight, r.utilization, r.quantile(0.9)];
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
}

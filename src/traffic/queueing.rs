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
//! # Many targets: what the routing algorithm does to a target's arrivals
//!
//! The formulas above take each target's arrivals as Poisson, true of a random split (weighted
//! random) and of one target. [`routed_step`] takes their shape from the group's algorithm (see
//! [`routed_arrivals`]): under round robin, each of `k` targets gets every `k`-th request
//! (Erlang-`k` gaps), and the tail above the first state at full rate, `n₀ = ⌈c⌉`, becomes
//! geometric of ratio `σ` (GI/M/c's, `σ < ρ`) instead of `ρ`, Poisson's `P(N ≥ n₀)` kept:
//!
//! ```text
//! E[T] = E[T]_Poisson − P(N ≥ n₀)·(s / (cρ))·(ρ − σ) / ((1 − ρ)(1 − σ))
//! P(an arrival waits for a worker) = P(N ≥ n₀)·σ^(count + 1 − n₀) / ρ,  E[W | W > 0] = s / (c(1 − σ))
//! ```
//!
//! exact for `c ≤ 1` (GI/M/1: `E[T] = s / (c(1 − σ))`), and the Allen–Cunneen factor becomes
//! `(1/k + scv) / (1/k + 1)`. Under least outstanding requests the node's `n` targets queue as
//! one M/M/(n·c) pool (workers and queue slots pooled alike), per-target throughput unchanged.
//! Mean and p99 against the request fidelity: README, "Load balancers and traffic".
//!
//! When requests share the vCPUs (processor sharing, or more workers than vCPUs), the time in
//! service is not exponential: M/M/1 processor sharing's sojourn has squared coefficient of
//! variation `(2 + ρ)/(2 − ρ)` (ρ = the chance an arrival finds the vCPU taken; `σ` under round
//! robin, Erlang C for a pool), matched by a balanced-means hyperexponential of the same mean.
//!
//! # From one step to the next: the pointwise stationary fluid flow
//!
//! A step does not jump to the stationary law: near full load the queue takes minutes to fill
//! (an M/M/1 at ρ = 0.98 relaxes over ~`s / (1 − √ρ)²`, about 12 minutes at s = 24 ms), and
//! beyond it there is no stationary law at all. Each task carries `x`, the mean number of
//! requests in it, from step to step, and evolves it by the *pointwise stationary fluid flow
//! approximation* (Wang, Kumar and Lee, 1996):
//!
//! ```text
//! dx/dt = λ(1 − B(r))(1 − S_τ(r)) − (c / s)·r,    x = L(r)
//! ```
//!
//! where `r` is the utilization the chain above would need to hold `x` on average (`L(r)` its
//! mean number in the system, increasing from 0 to ∞ as `r` goes from 0 to 1), `(c / s)·r` the
//! rate requests finish, `B(r)` the share of arrivals a bounded worker queue refuses and
//! `S_τ(r)` the share that would wait past the timeout `τ`. One backward-Euler step solves
//! `L(r₁) = x₀ + dt·(inflow(r₁) − (c / s)·r₁)` for `r₁` (the right side falls as `r₁` rises,
//! `L` rises: one root; safeguarded Newton in `−ln(1 − r₁)`). It is stable for any step, has the stationary law as its
//! fixed point below capacity (`r = ρ`), and grows the queue by `(λ − c / s)·dt` a step beyond
//! it, so counts, latencies and errors move continuously and monotonically with the load
//! through ρ = 1 (there used to be two regimes, and a cliff between them). The step's
//! response-time law is the chain's at `r₁`, and its timed-out requests are those of its tail
//! beyond `τ`. CPU is the finished requests' work: work a timed-out request did before it was
//! dropped is not counted.
//!
//! # I/O wait
//!
//! A request that first waits `w` seconds without CPU (mean `io_wait`) is in the task for `w`
//! more: the response law is shifted by `w` (its mean is exact, its shape approximate), and by
//! Little's law so is the mean number in the task. With workers, a request holds its worker for
//! `w + s`, so of `count` busy workers only `count·s / (w + s)` are on the CPU at a time: that is
//! the effective worker count in `c` and in the queue's thresholds, and the capacity becomes
//! `min(vcpus / s, count / (w + s))`, Little's law for busy workers.

use std::cell::Cell;

use super::response_time::Response;
use super::routed_arrivals::{self, Arrivals, IdleRoot};
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
    /// Mean seconds a request waits without CPU before its work (see the module docs).
    pub io_wait: f64,
}

/// What a task carries between steps: the mean number of requests in it (waiting or in
/// service), the fluid model's state `x`, and where its next root-finding starts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backlog {
    pub requests: f64,
    /// Round robin's last busy-chance root (the load moves little from a step to the next).
    idle: Option<IdleRoot>,
}

impl Backlog {
    pub fn new(requests: f64) -> Self {
        Backlog { requests, idle: None }
    }
}

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
    /// The mean requests in the task under the step's load held forever (its stationary law);
    /// infinite at or above capacity, where the queue has none.
    pub stationary: f64,
    response: Response,
    /// The share of the admitted requests whose response would come after the timeout.
    timing_out: f64,
}

impl FluidStep {
    /// The `p`-quantile of the response time, in seconds; monotone in `p`. `p` outside (0, 1) is
    /// clamped (`p ≤ 0` gives the shortest response, `p ≥ 1` the 1 − 10⁻¹² quantile).
    pub fn quantile(&self, p: f64) -> f64 {
        self.response.quantile(p)
    }

    /// The `p`-quantile of the response time of the requests *answered* (those that did not
    /// time out): the law conditioned on finishing before the timeout.
    pub fn answered_quantile(&self, p: f64) -> f64 {
        self.response.quantile(p * (1.0 - self.timing_out))
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
            stationary: 0.0,
            response: Response::ZERO,
            timing_out: 0.0,
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
/// carried `backlog` (the requests in the task). Non-finite or negative rates count as no
/// arrivals; a non-positive `dt` does nothing.
pub fn step(target: &FluidTarget, service: ServiceTime, lambda: f64, dt: f64, backlog: &mut Backlog) -> FluidStep {
    routed_step(target, service, Arrivals::Poisson, lambda, dt, backlog)
}

/// [`step`] for a target whose arrivals the routing algorithm shaped as `arrivals` (see
/// [`routed_arrivals`]): Poisson gives `step` itself.
pub fn routed_step(
    target: &FluidTarget,
    service: ServiceTime,
    arrivals: Arrivals,
    lambda: f64,
    dt: f64,
    backlog: &mut Backlog,
) -> FluidStep {
    let lambda = if lambda.is_finite() && lambda > 0.0 { lambda } else { 0.0 };
    if !(dt.is_finite() && dt > 0.0) {
        return FluidStep::nothing(0.0);
    }
    let station = Station::new(target, service, arrivals.normalized(), backlog.idle);
    let arrived = lambda * dt;
    let carried = if backlog.requests.is_finite() { backlog.requests.max(0.0) } else { 0.0 };
    if station.s.is_nan() || station.s <= 0.0 {
        // Requests without work are served the instant they arrive.
        backlog.requests = 0.0;
        return FluidStep { completed: arrived + carried, ..FluidStep::nothing(arrived) };
    }
    if station.c <= 0.0 {
        // No worker or no CPU: new requests are refused, the carried ones are never served.
        backlog.requests = 0.0;
        return FluidStep { rejected: arrived, timed_out: carried, ..FluidStep::nothing(arrived) };
    }
    if arrived <= 0.0 && carried <= EMPTY_BACKLOG {
        backlog.requests = 0.0;
        return FluidStep::nothing(0.0);
    }
    station.flow(lambda, dt, carried, backlog)
}

/// A backlog below this many requests is empty: an idle task drains to it, and a rounding crumb
/// must not keep it computing.
const EMPTY_BACKLOG: f64 = 1e-9;

/// The root of [`Station::flow`] is sought in `y = −ln(1 − r)` within `[0, MAX_LOG_IDLE]` (37:
/// `1 − r` down to 10⁻¹⁶, below an f64's resolution of 1), to this relative precision, in at
/// most this many Newton or bisection steps (a bisection alone needs about 60; Newton from the
/// load's utilization a handful).
const MAX_LOG_IDLE: f64 = 37.0;
const ROOT_TOLERANCE: f64 = 1e-13;
const ROOT_ITERATIONS: u32 = 100;

/// A target's numbers, resolved once per step.
struct Station {
    /// Mean service time at one vCPU, seconds.
    s: f64,
    scv: f64,
    vcpus: f64,
    /// Effective servers: `vcpus` for processor sharing, `min(count, vcpus)` for workers (`count`
    /// the workers on the CPU when all are busy, see the module docs on I/O wait).
    c: f64,
    workers: Option<f64>,
    /// Mean I/O wait, seconds.
    io_wait: f64,
    queue: Option<u32>,
    timeout: Option<f64>,
    arrivals: Arrivals,
    /// Round robin's last busy-chance root, where the next root-finding for it starts.
    idle: Cell<Option<IdleRoot>>,
}

/// The chain's stationary law at utilization `r` (of the `c` effective servers), before the
/// sharing of vCPUs (see [`Station::chain`]).
#[derive(Clone, Copy)]
struct Chain {
    in_task: f64,
    blocking: f64,
    response: Response,
    /// The chance an arrival shares the vCPUs once the queue is stationary (0: it never does).
    sharing: f64,
}

/// The chain's stationary law at utilization `r` (of the `c` effective servers).
struct AtUtilization {
    /// Mean requests in the task.
    in_task: f64,
    /// The share of arrivals a full worker queue refuses.
    blocking: f64,
    /// The share of admitted requests that would wait past the timeout.
    timing_out: f64,
    response: Response,
}

impl Station {
    fn new(target: &FluidTarget, service: ServiceTime, arrivals: Arrivals, idle: Option<IdleRoot>) -> Self {
        let vcpus = target.vcpus.max(0.0); // NaN becomes 0, so `c` below is never NaN
        let io_wait = if target.io_wait.is_finite() { target.io_wait.max(0.0) } else { 0.0 };
        let (c, workers, queue) = match target.concurrency {
            Concurrency::ProcessorSharing => (vcpus, None, None),
            Concurrency::Workers { count, queue } => {
                let on_cpu = if io_wait > 0.0 {
                    f64::from(count) * service.mean / (io_wait + service.mean)
                } else {
                    f64::from(count)
                };
                (vcpus.min(on_cpu), Some(on_cpu), queue)
            }
        };
        let timeout = (target.timeout.is_finite() && target.timeout > 0.0).then_some(target.timeout);
        let idle = Cell::new(idle);
        Station {
            s: service.mean,
            scv: service.scv.max(0.0),
            vcpus,
            c,
            workers,
            io_wait,
            queue,
            timeout,
            arrivals,
            idle,
        }
    }

    /// Requests per second the task completes when saturated.
    fn capacity(&self) -> f64 {
        self.c / self.s
    }

    /// The stationary chain at utilization `r < 1`: the formulas in the module docs, before the
    /// sharing of vCPUs shapes the time in service (which keeps its mean, so `in_task` is final).
    fn chain(&self, r: f64) -> Chain {
        let rho = r.clamp(0.0, 1.0 - f64::EPSILON);
        // Least outstanding requests: the node's targets queue as one pool of their servers.
        let pool = match self.arrivals {
            Arrivals::LeastOutstandingRequests { pool } => pool,
            _ => 1.0,
        };
        let c = self.c * pool;
        let a = rho * c;
        let m = c.floor();
        let p = prob_at_least_m(m as u32, a, rho);
        // Mean time a geometric-tail request adds: s / (c(1 − ρ)).
        let tail_time = self.s / (c * (1.0 - rho));
        let mm_mean = self.s * (1.0 - p) + (m / c) * self.s * p + p * tail_time;
        // P(an arrival finds ≥ n requests) = coef·ratio^(n − base), for n ≥ base; and the
        // arrivals' squared coefficient of variation.
        let n0 = c.ceil().max(1.0);
        let (mean, (coef, ratio, base), wait_time, ca2) = match self.arrivals {
            Arrivals::RoundRobin { turn } if rho > 0.0 => {
                // GI/M/c: the tail from the first state at full rate, n0, is geometric of ratio
                // σ < ρ; Poisson's P(N ≥ n0) is kept (exact for c ≤ 1).
                let root = routed_arrivals::round_robin_idle_near(rho, turn, self.idle.get());
                self.idle.set(Some(root));
                let idle = root.idle;
                let q0 = p * rho.powf(n0 - m);
                let fewer = q0 * self.s / (c * rho) * (rho - (1.0 - idle)) / ((1.0 - rho) * idle);
                // An arrival finds n ≥ n0 − 1 with the probability the time average has n + 1, over ρ.
                (mm_mean - fewer, (q0 / rho, 1.0 - idle, n0 - 1.0), self.s / (c * idle), 1.0 / turn)
            }
            _ => (mm_mean, (p, rho, m), tail_time, 1.0),
        };
        let beyond = |n: f64| coef * ratio.powf(n - base);
        let wait_prob = self.workers.map_or(0.0, |k| beyond(k * pool));
        let mm_wait = wait_prob * wait_time;
        // Allen–Cunneen: (1 + scv) / 2 for Poisson arrivals; relative to GI/M/c otherwise.
        let wait = mm_wait * (ca2 + self.scv) / (ca2 + 1.0);
        // Requests share the vCPUs when an arrival finds the first state at full rate taken and
        // more requests than that may be in service.
        let sharing = self.workers.is_none_or(|k| k * pool > n0);
        let response = Response::new(self.io_wait, mean - mm_wait, wait_prob, wait);
        // A bounded queue refuses arrivals that find it full: the infinite queue's P(N ≥ count + q).
        let blocking = match (self.workers, self.queue) {
            (Some(k), Some(q)) => beyond((k + f64::from(q)) * pool).min(1.0),
            _ => 0.0,
        };
        // Little: the chain's throughput ρ·c/s times its mean response time.
        let in_task = rho * self.capacity() * response.mean();
        Chain { in_task, blocking, response, sharing: if sharing { beyond(n0) } else { 0.0 } }
    }

    /// The chain at `r` with its sharing and timeouts: `settled` (0..=1) is how far the task has
    /// filled towards its load's stationary backlog: the heavier tail of shared vCPUs is a
    /// stationary queue's, and grows in with it.
    fn at(&self, r: f64, settled: f64) -> AtUtilization {
        self.settle(self.chain(r), settled)
    }

    fn settle(&self, chain: Chain, settled: f64) -> AtUtilization {
        let Chain { in_task, blocking, response, sharing } = chain;
        let response = if sharing > 0.0 { response.shared(settled * sharing) } else { response };
        let timing_out = self.timeout.map_or(0.0, |t| response.survival(t));
        AtUtilization { in_task, blocking, timing_out, response }
    }

    /// One backward-Euler step of the fluid flow from `backlog` (see the module docs).
    fn flow(&self, lambda: f64, dt: f64, x0: f64, backlog: &mut Backlog) -> FluidStep {
        let cap = self.capacity();
        // Solved in y = −ln(1 − r), where L grows about linearly, by Newton's method from the
        // load's own utilization (the fixed point below capacity), kept inside a bracket that
        // every evaluation narrows, with a bisection whenever Newton would leave it.
        let r_of = |y: f64| -(-y).exp_m1();
        let guess = if lambda < cap {
            lambda / cap
        } else {
            let x = x0 + dt * (lambda - cap);
            x / (1.0 + x)
        };
        let (mut lo, mut hi) = (0.0f64, MAX_LOG_IDLE);
        let mut y = (-(-guess.clamp(0.0, 1.0)).ln_1p()).clamp(lo, hi);
        // A task filling from empty or overloaded holds requests slowed alike by a backlog that
        // moves little while they are in it (processor sharing's time ∝ the request's own work:
        // exponential); the stationary queue's fluctuations give its heavier tail. Below
        // capacity the first guess is the load's own utilization, whose chain this computes.
        let stationary = (lambda < cap).then(|| (y, self.chain(r_of(y))));
        let settled = match stationary {
            Some((_, chain)) if chain.in_task > 0.0 => (x0 / chain.in_task).min(1.0),
            Some(_) => 1.0,
            None => 0.0,
        };
        // g(r) = L(r) − x0 − dt·(inflow(r) − cap·r): increasing in r, negative at 0.
        let g = |law: &AtUtilization, r: f64| {
            let inflow = lambda * (1.0 - law.blocking) * (1.0 - law.timing_out);
            law.in_task - x0 - dt * (inflow - cap * r)
        };
        let value = |y: f64| {
            let r = r_of(y);
            let law = match stationary {
                Some((at, chain)) if at == y => self.settle(chain, settled),
                _ => self.at(r, settled),
            };
            (g(&law, r), law)
        };
        let (mut gy, mut law) = value(y);
        // The last Newton slope: once its step from `y` is within the tolerance, `y` is the root.
        let mut last_slope = f64::NAN;
        for _ in 0..ROOT_ITERATIONS {
            if gy < 0.0 {
                lo = y;
            } else {
                hi = y;
            }
            let tolerance = ROOT_TOLERANCE * (1.0 + y);
            if gy == 0.0 || hi - lo <= tolerance || (last_slope > 0.0 && (gy / last_slope).abs() <= tolerance) {
                break;
            }
            let h = 1e-7 * (1.0 + y);
            let slope = (value(y + h).0 - gy) / h;
            let newton = y - gy / slope;
            let next = if slope > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
            last_slope = slope;
            y = next;
            (gy, law) = value(y);
        }
        let arrived = lambda * dt;
        // Shares of a far tail (10⁻⁵³ of a request) are none: a step either fails some requests
        // or none.
        let crumb = |n: f64| if n > EMPTY_BACKLOG { n } else { 0.0 };
        let rejected = crumb(arrived * law.blocking);
        let admitted = arrived - rejected;
        let timed_out = crumb(admitted * law.timing_out);
        // What leaves is what the queue cannot hold: the flows balance the requests exactly.
        let completed = (x0 + admitted - timed_out - law.in_task).max(0.0);
        backlog.requests = if law.in_task > EMPTY_BACKLOG { law.in_task } else { 0.0 };
        backlog.idle = self.idle.get();
        let cpu_seconds = completed * self.s;
        FluidStep {
            arrived,
            completed,
            timed_out,
            rejected,
            mean_response: if completed > 0.0 { law.response.answered_mean(self.timeout) } else { 0.0 },
            in_flight: law.in_task,
            cpu_seconds,
            utilization: (cpu_seconds / (self.vcpus * dt)).min(1.0),
            stationary: stationary.map_or(f64::INFINITY, |(_, chain)| chain.in_task),
            response: law.response,
            timing_out: law.timing_out,
        }
    }
}

/// `P(N ≥ m)` in the chain with `m = ⌊c⌋` full-speed servers, offered load `a` and tail ratio
/// `ρ = a / c < 1`: `B / (1 − ρ(1 − B))` with `B` = Erlang B(m, a) by its stable recursion.
fn prob_at_least_m(m: u32, a: f64, rho: f64) -> f64 {
    let b = (1..=m).fold(1.0, |b, n| a * b / (f64::from(n) + a * b));
    b / (1.0 - rho * (1.0 - b))
}

#[cfg(test)]
#[path = "queueing_tests.rs"]
mod tests;

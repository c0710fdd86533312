//! Engine overhead against a bare binary heap.
//!
//! A synthetic event mix shaped like a simulation: `n` entities (the cluster size), each with a
//! timer that re-arms itself after an exponential delay; 10% of timer firings schedule a
//! follow-up event (a task becoming healthy, say), and 10% of follow-ups are cancelled before
//! they fire by a cancel event that bumps the entity's generation, so the follow-up arrives
//! stale and is dropped by the handler.
//!
//! The same pattern runs twice, from the same seed with the same draws in the same order:
//! (a) through `ecsim::engine::Scheduler` and a `Model`, and (b) through a
//! `BinaryHeap<Reverse<(time, seq, payload)>>` loop written inline. Both pop events in the same
//! `(time, seq)` order, so they make identical decisions; the only difference is the engine's
//! abstraction (its `Phase` key, the `Model` trait, the `Scheduler` bookkeeping). Each run checks
//! that both saw exactly the same events.
//!
//! After criterion's report, in benchmark mode, `main` also times both variants interleaved in
//! this process (alternating repetitions, median of each) and prints their ratio, which criterion
//! does not.

mod common;

use common::{benchmark_mode, median};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ecsim::engine::{Generation, Model, RngStreams, Scheduler, SimDuration, SimTime, StreamRng};
use rand::RngExt;
use rand_distr::{Distribution, Exp};

/// Cluster sizes.
const SIZES: [u32; 2] = [1_000, 10_000];
/// Roughly how many timer firings one run handles, whatever the size (the horizon scales).
const TIMER_EVENTS_PER_RUN: u64 = 300_000;
/// Mean timer period of an entity, in simulated seconds.
const TIMER_MEAN_SECS: f64 = 10.0;
/// Mean delay of a follow-up after its timer, in simulated seconds.
const FOLLOW_UP_MEAN_SECS: f64 = 30.0;
/// Share of timer firings that schedule a follow-up.
const FOLLOW_UP_SHARE: f64 = 0.10;
/// Share of follow-ups cancelled before they fire.
const CANCEL_SHARE: f64 = 0.10;
const SEED: u64 = 0x00EC_5100;
/// Interleaved repetitions of each variant for the printed ratio.
const RATIO_REPS: usize = 9;

/// One workload: `entities` timers simulated for `horizon`.
#[derive(Clone, Copy)]
struct Workload {
    entities: u32,
    horizon: SimTime,
}

impl Workload {
    fn new(entities: u32) -> Self {
        let secs = TIMER_EVENTS_PER_RUN as f64 * TIMER_MEAN_SECS / f64::from(entities);
        Workload { entities, horizon: SimTime::from_micros((secs * 1e6) as u64) }
    }
}

/// What a run did; both variants must agree on all of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Summary {
    /// Events popped and handed to the handler, stale ones included.
    events: u64,
    timers: u64,
    follow_ups_done: u64,
    follow_ups_stale: u64,
    cancels: u64,
    /// A hash of every live follow-up's (time, entity), to catch a divergence in order.
    checksum: u64,
}

impl Summary {
    fn follow_up_done(&mut self, now_us: u64, entity: u32) {
        self.follow_ups_done += 1;
        self.checksum =
            self.checksum.rotate_left(5).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now_us ^ u64::from(entity) << 40;
    }
}

/// The random draws of the workload, shared by both variants so they draw identically.
struct Draws {
    rng: StreamRng,
    exp: Exp<f64>,
}

/// What a timer firing decided.
struct TimerOutcome {
    rearm_us: u64,
    /// The follow-up's delay, and if it is to be cancelled, the cancel's delay (earlier).
    follow_up: Option<(u64, Option<u64>)>,
}

impl Draws {
    fn new() -> Self {
        let exp = Exp::new(1.0).expect("rate 1 is valid");
        Draws { rng: RngStreams::new(SEED).stream(1, 0), exp }
    }

    fn delay_us(&mut self, mean_secs: f64) -> u64 {
        SimDuration::from_secs_f64(self.exp.sample(&mut self.rng) * mean_secs).as_micros()
    }

    fn initial_timer_us(&mut self) -> u64 {
        self.delay_us(TIMER_MEAN_SECS)
    }

    fn timer(&mut self) -> TimerOutcome {
        let rearm_us = self.delay_us(TIMER_MEAN_SECS);
        let follow_up = if self.rng.random::<f64>() < FOLLOW_UP_SHARE {
            let delay = self.delay_us(FOLLOW_UP_MEAN_SECS);
            // A cancel strictly before the follow-up (or at the same instant, after it, when the
            // follow-up is immediate: then it is too late and the follow-up goes through).
            let cancel = (self.rng.random::<f64>() < CANCEL_SHARE).then(|| self.rng.random_range(0..delay.max(1)));
            Some((delay, cancel))
        } else {
            None
        };
        TimerOutcome { rearm_us, follow_up }
    }
}

/// The events of the workload, as the engine variant carries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Timer(u32),
    FollowUp(u32, Generation),
    Cancel(u32),
}

// ---------------------------------------------------------------------------------------------
// (a) Through the engine.

struct EngineModel {
    generations: Vec<Generation>,
    draws: Draws,
    summary: Summary,
}

impl Model for EngineModel {
    type Event = Ev;

    fn handle(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
        self.summary.events += 1;
        match event {
            Ev::Timer(e) => {
                self.summary.timers += 1;
                let outcome = self.draws.timer();
                sched.after(SimDuration::from_micros(outcome.rearm_us), Ev::Timer(e));
                if let Some((delay, cancel)) = outcome.follow_up {
                    let stamp = self.generations[e as usize];
                    sched.after(SimDuration::from_micros(delay), Ev::FollowUp(e, stamp));
                    if let Some(cancel) = cancel {
                        sched.after(SimDuration::from_micros(cancel), Ev::Cancel(e));
                    }
                }
            }
            Ev::FollowUp(e, stamp) => {
                if self.generations[e as usize].is_current(stamp) {
                    self.summary.follow_up_done(sched.now().as_micros(), e);
                } else {
                    self.summary.follow_ups_stale += 1;
                }
            }
            Ev::Cancel(e) => {
                self.summary.cancels += 1;
                self.generations[e as usize].bump();
            }
        }
    }
}

fn run_engine(w: Workload) -> Summary {
    let mut model = EngineModel {
        generations: vec![Generation::default(); w.entities as usize],
        draws: Draws::new(),
        summary: Summary::default(),
    };
    let mut sched = Scheduler::default();
    for e in 0..w.entities {
        sched.at(SimTime::from_micros(model.draws.initial_timer_us()), Ev::Timer(e));
    }
    let stats = sched.run_until(&mut model, w.horizon);
    assert_eq!(stats.events, model.summary.events, "the engine's own count disagrees");
    model.summary
}

// ---------------------------------------------------------------------------------------------
// (b) The same, on a bare heap.

/// `(time in µs, seq, (kind, entity, generation))`; kind 0 is a timer, 1 a follow-up, 2 a cancel.
/// The payload is as big as `Ev` (12 bytes); `seq` is unique, so payloads are never compared.
type BareEntry = Reverse<(u64, u64, (u8, u32, u32))>;

fn run_bare(w: Workload) -> Summary {
    let horizon = w.horizon.as_micros();
    let mut generations = vec![0u32; w.entities as usize];
    let mut draws = Draws::new();
    let mut summary = Summary::default();
    let mut heap: BinaryHeap<BareEntry> = BinaryHeap::new();
    let mut seq = 0u64;
    for e in 0..w.entities {
        heap.push(Reverse((draws.initial_timer_us(), seq, (0, e, 0))));
        seq += 1;
    }
    while let Some(&Reverse((now, _, _))) = heap.peek() {
        if now > horizon {
            break;
        }
        let Some(Reverse((now, _, (kind, e, stamp)))) = heap.pop() else {
            break;
        };
        summary.events += 1;
        match kind {
            0 => {
                summary.timers += 1;
                let outcome = draws.timer();
                heap.push(Reverse((now + outcome.rearm_us, seq, (0, e, 0))));
                seq += 1;
                if let Some((delay, cancel)) = outcome.follow_up {
                    heap.push(Reverse((now + delay, seq, (1, e, generations[e as usize]))));
                    seq += 1;
                    if let Some(cancel) = cancel {
                        heap.push(Reverse((now + cancel, seq, (2, e, 0))));
                        seq += 1;
                    }
                }
            }
            1 => {
                if generations[e as usize] == stamp {
                    summary.follow_up_done(now, e);
                } else {
                    summary.follow_ups_stale += 1;
                }
            }
            _ => {
                summary.cancels += 1;
                generations[e as usize] = generations[e as usize].wrapping_add(1);
            }
        }
    }
    summary
}

/// Runs both variants once and checks they did the same thing; returns the shared summary.
fn checked_summary(w: Workload) -> Summary {
    let (engine, bare) = (run_engine(w), run_bare(w));
    assert_eq!(engine, bare, "the two variants diverged: the comparison would be meaningless");
    let follow_ups = engine.follow_ups_done + engine.follow_ups_stale;
    let stale_share = engine.follow_ups_stale as f64 / follow_ups as f64;
    assert!((0.05..0.20).contains(&stale_share), "{stale_share:.3} of follow-ups stale, not ~10%");
    engine
}

fn bench_sizes(c: &mut Criterion) {
    for &n in &SIZES {
        let w = Workload::new(n);
        let summary = checked_summary(w);
        let mut group = c.benchmark_group(format!("engine overhead/{n} entities"));
        group
            .throughput(Throughput::Elements(summary.events))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(7));
        group.bench_function(BenchmarkId::from_parameter("engine"), |b| b.iter(|| black_box(run_engine(black_box(w)))));
        group
            .bench_function(BenchmarkId::from_parameter("bare heap"), |b| b.iter(|| black_box(run_bare(black_box(w)))));
        group.finish();
    }
}

/// Times both variants alternately in this process and prints their throughputs and ratio.
#[allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; no simulation reads it")]
fn print_ratios() {
    for &n in &SIZES {
        let w = Workload::new(n);
        let expected = checked_summary(w);
        let (mut engine, mut bare) = (Vec::new(), Vec::new());
        for rep in 0..RATIO_REPS {
            // Alternate which goes first, so neither always runs on a warmer cache.
            let order: [bool; 2] = if rep % 2 == 0 { [true, false] } else { [false, true] };
            for is_engine in order {
                let start = Instant::now();
                let summary = if is_engine { run_engine(black_box(w)) } else { run_bare(black_box(w)) };
                let secs = start.elapsed().as_secs_f64();
                assert_eq!(summary, expected, "a variant changed its behaviour between runs");
                let rate = summary.events as f64 / secs;
                if is_engine {
                    engine.push(rate)
                } else {
                    bare.push(rate)
                }
            }
        }
        let (engine, bare) = (median(engine), median(bare));
        println!(
            "engine overhead, {n} entities: engine {:.1} M events/s, bare heap {:.1} M events/s, \
             ratio {:.2}x (bare/engine); {} events per run ({} stale follow-ups dropped)",
            engine / 1e6,
            bare / 1e6,
            bare / engine,
            expected.events,
            expected.follow_ups_stale,
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_sizes(&mut criterion);
    criterion.final_summary();
    if benchmark_mode() {
        print_ratios();
    }
}

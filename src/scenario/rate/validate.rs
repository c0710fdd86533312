//! `rate:` — a traffic source's load pattern, checked parameter by parameter and built into a
//! [`Rate`]. Paths follow the YAML: `traffic[0].rate.sum[1].ramp.end`.

use crate::scenario::path::Path;
use sha2::{Digest, Sha256};

use super::schema::{
    RawClip, RawDiurnal, RawNoise, RawRamp, RawRate, RawSpike, RawStep, RawTrace, RawWeekly, TaggedRate, TraceLoad,
    TraceRows,
};
use super::trace_file::{is_calendar_time, parse_time, show_time, TIME_HINT};
use crate::engine::{SimDuration, SimTime};
use crate::scenario::validate::checker::Checker;
use crate::scenario::values::Scalar;
use crate::traffic::rate::{
    infer_step, Diurnal, Noise, Ramp, Rate, Spike, Step, Trace, TraceError, TraceSpec, TraceValues, Weekday, Weekly,
};

/// Far above any real service (ALB's documented scale is in the hundreds of thousands per second),
/// and low enough that sums and products of rates stay finite.
const MAX_RPS: f64 = 1e9;
/// CloudWatch's standard metric period.
const DEFAULT_NOISE_EVERY: SimDuration = SimDuration::from_secs(60);
const DAY: SimDuration = SimDuration::from_secs(86_400);

/// Checks `raw` (at `path`, e.g. `traffic[0].rate`) and builds its rate, on the clock of the
/// scenario's `start_time:` (its time of day at time 0). A trace whose file could not be read
/// gives `None` without a new problem: `load_traces` reported it.
pub(crate) fn check(c: &mut Checker, path: &Path, raw: &RawRate) -> Option<Rate> {
    let time_of_day = c.calendar.time_of_day();
    build(c, path, raw).map(|rate| rate.on_clock(time_of_day))
}

/// [`check`] without the clock, for a rate and the rates it nests.
fn build(c: &mut Checker, path: &Path, raw: &RawRate) -> Option<Rate> {
    let tagged = match raw {
        RawRate::Number(v) => return rps(c, path, *v).map(Rate::constant),
        RawRate::Tagged(tagged) => tagged.as_ref(),
    };
    match tagged {
        TaggedRate::Constant(v) => rps(c, &path.field("constant"), *v).map(Rate::constant),
        TaggedRate::Step(s) => step(c, &path.field("step"), s),
        TaggedRate::Ramp(r) => ramp(c, &path.field("ramp"), r),
        TaggedRate::Spike(s) => spike(c, &path.field("spike"), s),
        TaggedRate::Diurnal(d) => diurnal(c, &path.field("diurnal"), d),
        TaggedRate::Weekly(w) => weekly(c, &path.field("weekly"), w),
        TaggedRate::Noise(n) => noise(c, &path.field("noise"), n),
        TaggedRate::Sum(parts) => all(c, &path.field("sum"), parts).map(Rate::sum),
        TaggedRate::Product(parts) => all(c, &path.field("product"), parts).map(Rate::product),
        TaggedRate::Clip(clip) => self::clip(c, &path.field("clip"), clip),
        TaggedRate::Trace(t) => trace(c, &path.field("trace"), t),
    }
}

/// Requests per second: a finite number >= 0.
fn rps(c: &mut Checker, path: &Path, v: f64) -> Option<f64> {
    if !(0.0..=MAX_RPS).contains(&v) {
        // The same patterns describe a service's `load:` and the scenario's `custom_metrics:`.
        let hint = if path.as_str().starts_with("custom_metrics") {
            "a custom metric's value is a number >= 0 in the metric's own unit, e.g. `50`"
        } else if path.as_str().contains(".load.") {
            "a load is the service's total demand: CPU units (1024 = one vCPU busy) or MiB, e.g. `512`"
        } else {
            "a rate is in requests per second, e.g. `200` or `12.5`"
        };
        c.error(path, &format!("{v} is out of range: must be between 0 and {MAX_RPS:e}"), Some(hint));
        return None;
    }
    Some(v)
}

/// An instant of the run, written as a duration since its start.
fn instant(c: &mut Checker, path: &Path, raw: &Scalar) -> Option<SimTime> {
    c.duration(path, raw).map(|d| SimTime::ZERO + d)
}

/// An optional duration, zero when absent.
fn or_zero(c: &mut Checker, path: &Path, raw: Option<&Scalar>) -> Option<SimDuration> {
    raw.map_or(Some(SimDuration::ZERO), |r| c.duration(path, r))
}

fn step(c: &mut Checker, path: &Path, raw: &RawStep) -> Option<Rate> {
    let before = rps(c, &path.field("before"), raw.before);
    let after = rps(c, &path.field("after"), raw.after);
    let at = instant(c, &path.field("at"), &raw.at);
    Some(Rate::from(Step { before: before?, after: after?, at: at? }))
}

fn ramp(c: &mut Checker, path: &Path, raw: &RawRamp) -> Option<Rate> {
    let from = rps(c, &path.field("from"), raw.from);
    let to = rps(c, &path.field("to"), raw.to);
    let (start, end) = (instant(c, &path.field("start"), &raw.start)?, instant(c, &path.field("end"), &raw.end)?);
    if end <= start {
        let message = format!("the ramp must end after it starts: end ({}) <= start ({})", raw.end, raw.start);
        c.error(&path.field("end"), &message, Some("for an instant change, use `step`"));
        return None;
    }
    Some(Rate::from(Ramp { from: from?, to: to?, start, end }))
}

fn spike(c: &mut Checker, path: &Path, raw: &RawSpike) -> Option<Rate> {
    let base = rps(c, &path.field("base"), raw.base);
    let peak = rps(c, &path.field("peak"), raw.peak);
    let at = instant(c, &path.field("at"), &raw.at);
    let rise = or_zero(c, &path.field("rise"), raw.rise.as_ref());
    let hold = or_zero(c, &path.field("hold"), raw.hold.as_ref());
    let fall = or_zero(c, &path.field("fall"), raw.fall.as_ref());
    let (rise, hold, fall) = (rise?, hold?, fall?);
    if (rise + hold + fall).is_zero() {
        let hint = "give it a duration, e.g. `rise: 5m, hold: 10m, fall: 5m`";
        c.error(path, "a spike needs a width: `rise`, `hold` and `fall` are all 0s", Some(hint));
        return None;
    }
    Some(Rate::from(Spike { base: base?, peak: peak?, at: at?, rise, hold, fall }))
}

fn diurnal(c: &mut Checker, path: &Path, raw: &RawDiurnal) -> Option<Rate> {
    let low = rps(c, &path.field("low"), raw.low);
    let high = rps(c, &path.field("high"), raw.high);
    let peak_at = c.duration(&path.field("peak_at"), &raw.peak_at).filter(|p| {
        let in_day = *p < DAY;
        if !in_day {
            let message = format!("`{}` is not a time of day: must be below 24h", raw.peak_at);
            c.error(&path.field("peak_at"), &message, Some("the time past midnight of the peak, e.g. `14h`"));
        }
        in_day
    });
    let (low, high) = (low?, high?);
    if low > high {
        c.error(path, &format!("low ({low}) must be <= high ({high})"), Some("swap the two values"));
        return None;
    }
    Some(Rate::from(Diurnal { low, high, peak_at: peak_at? }))
}

fn weekly(c: &mut Checker, path: &Path, raw: &RawWeekly) -> Option<Rate> {
    let weekday = build(c, &path.field("weekday"), &raw.weekday);
    let weekend = build(c, &path.field("weekend"), &raw.weekend);
    let first_day = match (c.calendar.weekday_from_monday().map(Weekday::from_monday), raw.first_day) {
        (Some(calendar), Some(written)) if calendar != written => {
            let start = c.calendar.start_text().unwrap_or_default();
            let message =
                format!("`first_day: {}` disagrees with `start_time: {start}`, a {}", written.name(), calendar.name());
            let hint = "leave `first_day` out: with a `start_time`, the calendar gives the day of the week";
            c.error(&path.field("first_day"), &message, Some(hint));
            return None;
        }
        (Some(calendar), _) => calendar,
        (None, written) => written.unwrap_or_default(),
    };
    Some(Rate::from(Weekly { weekday: weekday?, weekend: weekend?, first_day }))
}

fn noise(c: &mut Checker, path: &Path, raw: &RawNoise) -> Option<Rate> {
    let of = build(c, &path.field("of"), &raw.of);
    let relative = Some(raw.relative).filter(|r| (0.0..=1.0).contains(r));
    if relative.is_none() {
        let message = format!("{} is out of range: must be between 0 and 1", raw.relative);
        let hint = "the standard deviation as a fraction of the rate, e.g. `0.1` for 10%";
        c.error(&path.field("relative"), &message, Some(hint));
    }
    let every_path = path.field("every");
    let every = raw
        .every
        .as_ref()
        .map_or(Some(DEFAULT_NOISE_EVERY), |e| c.duration(&every_path, e).filter(|d| c.positive(&every_path, *d)));
    Some(Rate::from(Noise { of: of?, relative: relative?, every: every?, stream: noise_stream(path) }))
}

/// The noise's random stream, from its place in the scenario: it stays the same when other
/// sources or noises are added or removed, so variants of a scenario share their noise (common
/// random numbers), and two noises of one scenario never share a stream.
fn noise_stream(path: &Path) -> u64 {
    let digest = Sha256::digest(format!("ecsim rate noise {path}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// Every rate of a `sum` or `product`.
fn all(c: &mut Checker, path: &Path, parts: &[RawRate]) -> Option<Vec<Rate>> {
    if parts.is_empty() {
        c.error(
            path,
            "needs at least one rate",
            Some("e.g. `[ 100, { diurnal: { low: 50, high: 500, peak_at: 14h } } ]`"),
        );
        return None;
    }
    let built: Vec<Option<Rate>> = parts.iter().enumerate().map(|(i, p)| build(c, &path.index(i), p)).collect();
    built.into_iter().collect()
}

fn clip(c: &mut Checker, path: &Path, raw: &RawClip) -> Option<Rate> {
    let of = build(c, &path.field("of"), &raw.of);
    let min = rps(c, &path.field("min"), raw.min.unwrap_or(0.0));
    let max = match raw.max {
        Some(m) => Some(Some(rps(c, &path.field("max"), m)?)),
        None => Some(None),
    };
    let (min, max) = (min?, max?);
    if let Some(max) = max.filter(|m| min > *m) {
        c.error(path, &format!("min ({min}) must be <= max ({max})"), Some("swap the two values"));
        return None;
    }
    Some(Rate::clip(of?, min, max))
}

fn trace(c: &mut Checker, path: &Path, raw: &RawTrace) -> Option<Rate> {
    let spec = trace_spec(c, path, raw);
    let rows = match &raw.loaded {
        TraceLoad::Read(rows) => rows,
        TraceLoad::Failed => return None,
        TraceLoad::NotRead => {
            let hint = "this is a bug in ecsim: `trace_file::load_traces` must run before validation";
            c.error(&path.field("file"), &format!("`{}` was not read", raw.file), Some(hint));
            return None;
        }
    };
    let (mut spec, step) = spec?;
    spec.start = match (spec.start, c.calendar.start_unix_micros()) {
        (None, Some(start)) if rows.samples.first().is_some_and(|s| is_calendar_time(s.time)) => Some(start),
        (start, _) => start,
    };
    spec.step = match step.or_else(|| infer_step(&rows.samples)) {
        Some(step) => step,
        None => {
            let message = format!("`{}` has one sample, so its step cannot be inferred", rows.file);
            c.error(&path.field("step"), &message, Some("give the period of a sample, e.g. `step: 1m`"));
            return None;
        }
    };
    if raw.start.is_none() && spec.start.is_some() {
        covers_start_time(c, path, rows, &spec)?;
    }
    let played = Trace::from_samples(&rows.samples, &spec).map_err(|e| trace_error(c, path, rows, &spec, e)).ok()?;
    window(c, path, rows, &spec)?;
    Some(Rate::from(played))
}

/// A timestamped trace played from the scenario's `start_time:` (`spec.start`) must have a
/// sample period that holds it.
fn covers_start_time(c: &mut Checker, path: &Path, rows: &TraceRows, spec: &TraceSpec) -> Option<()> {
    let (first, last, start) = (rows.samples.first()?.time, rows.samples.last()?.time, spec.start?);
    let end = last.saturating_add(i64::try_from(spec.step.as_micros()).unwrap_or(i64::MAX));
    if (first..end).contains(&start) {
        return Some(());
    }
    let message = format!(
        "`{}` does not cover `start_time: {}`: its first sample is at {}, its last at {} (ending {})",
        rows.file,
        show_time(start),
        show_time(first),
        show_time(last),
        show_time(end)
    );
    let hint = "give a `start_time:` within the file's span, or a `start:` (a time of the file) to play it from";
    c.error(&path.field("file"), &message, Some(hint));
    None
}

/// What part of the file plays during the run: none is an error; a trace that outlasts the run
/// (without `loop`) is cut there, and a note says by how much.
fn window(c: &mut Checker, path: &Path, rows: &TraceRows, spec: &TraceSpec) -> Option<()> {
    let (Some(first), Some(last), Some(run_end)) = (rows.samples.first(), rows.samples.last(), c.run_end) else {
        return Some(());
    };
    let step = i64::try_from(spec.step.as_micros()).unwrap_or(i64::MAX);
    let origin = spec.start.unwrap_or(first.time);
    let shift = spec.shift.as_micros();
    let run = run_end.as_micros();
    let file = &rows.file;
    // When the file's first sample plays, in simulated µs (before 0 when `start:` skips it).
    let first_plays = i128::from(first.time) - i128::from(origin) + i128::from(shift);
    let length = last.time.saturating_add(step).saturating_sub(origin).max(0).unsigned_abs();
    let span = format!(
        "`{file}` spans {} to {} ({})",
        show_time(first.time),
        show_time(last.time.saturating_add(step)),
        SimDuration::from_micros(last.time.saturating_add(step).saturating_sub(first.time).max(0).unsigned_abs())
    );
    if shift >= run {
        let message = format!(
            "the trace starts playing at {} (`shift:`), when the run is over ({run_end}): it plays nothing",
            spec.shift
        );
        c.error(&path.field("shift"), &message, Some(&format!("use a shift shorter than the run; {span}")));
        return None;
    }
    if first_plays >= i128::from(run) {
        let at = SimDuration::from_micros(u64::try_from(first_plays).unwrap_or(u64::MAX));
        let message = format!(
            "the first sample of `{file}` plays at {at}, when the run is over ({run_end}): the trace plays nothing"
        );
        let hint =
            format!("use a `start:` within the file's span, or leave it out to play from the first sample; {span}");
        c.error(&path.field("start"), &message, Some(&hint));
        return None;
    }
    let ends = shift.saturating_add(length);
    if !spec.looping && ends > run {
        let cut = SimDuration::from_micros(ends - run);
        let played = SimDuration::from_micros(run - shift);
        let message = format!(
            "`{file}` plays {played} of its {}; the last {cut} are past the end of the run ({run_end}) and do not play",
            SimDuration::from_micros(length)
        );
        c.note(path, &message);
    }
    Some(())
}

/// The playback options; the step is `None` when the file's is to be inferred.
fn trace_spec(c: &mut Checker, path: &Path, raw: &RawTrace) -> Option<(TraceSpec, Option<SimDuration>)> {
    let step_path = path.field("step");
    let step = match &raw.step {
        Some(s) => Some(Some(c.duration(&step_path, s).filter(|d| c.positive(&step_path, *d))?)),
        None => Some(None),
    };
    let start = match &raw.start {
        Some(s) => Some(Some(parse_time(&s.0).or_else(|| {
            c.error(&path.field("start"), &format!("`{s}` is not a time"), Some(TIME_HINT));
            None
        })?)),
        None => Some(None),
    };
    let scale = Some(raw.scale.unwrap_or(1.0)).filter(|s| s.is_finite() && *s > 0.0 && *s <= MAX_RPS);
    if scale.is_none() {
        let hint = "a factor for every rate, e.g. `1.5` for 50% more traffic";
        c.error(
            &path.field("scale"),
            &format!("{} is out of range: must be > 0", raw.scale.unwrap_or(0.0)),
            Some(hint),
        );
    }
    let shift = or_zero(c, &path.field("shift"), raw.shift.as_ref());
    let spec = TraceSpec {
        start: start?,
        step: SimDuration::ZERO,
        values: raw.values.unwrap_or(default_values(path)),
        missing: raw.missing.unwrap_or_default(),
        scale: scale?,
        shift: shift?,
        looping: raw.looping.unwrap_or(false),
    };
    Some((spec, step?))
}

/// A traffic source's trace counts requests (CloudWatch's `Sum` of `RequestCount`); a `load:` or
/// a custom metric is a level (a CPU %, a queue depth), played as it is.
fn default_values(path: &Path) -> TraceValues {
    if path.as_str().starts_with("custom_metrics") || path.as_str().contains(".load.") {
        TraceValues::Rate
    } else {
        TraceValues::Count
    }
}

/// A playback problem, located at the option that causes it and the lines it concerns.
fn trace_error(c: &mut Checker, path: &Path, rows: &TraceRows, spec: &TraceSpec, e: TraceError) {
    let file = &rows.file;
    let line = |i: usize| rows.lines.get(i).copied().unwrap_or(0);
    match e {
        TraceError::StepTooLong { index, gap } => {
            let message = format!(
                "the step ({}) is longer than the {gap} between {}s {} and {} of `{file}`",
                spec.step,
                rows.position,
                line(index),
                line(index + 1)
            );
            c.error(&path.field("step"), &message, Some(&format!("samples cannot overlap: use `step: {gap}` or less")));
        }
        TraceError::StartAfterEnd => {
            let (first, last) = (rows.samples[0].time, rows.samples[rows.samples.len() - 1].time);
            let end = last.saturating_add(i64::try_from(spec.step.as_micros()).unwrap_or(i64::MAX));
            let message = format!(
                "`start: {}` is after the last sample of `{file}` ends: the trace plays nothing (the file spans {} to {}, {})",
                show_time(spec.start.unwrap_or(first)),
                show_time(first),
                show_time(end),
                SimDuration::from_micros(end.saturating_sub(first).max(0).unsigned_abs())
            );
            let hint = "use a time within the file's span, or leave `start:` out to play from its first sample";
            c.error(&path.field("start"), &message, Some(hint));
        }
        TraceError::Empty | TraceError::ZeroStep | TraceError::Unordered { .. } => {
            c.error(path, &format!("`{file}` cannot be played back ({e:?})"), None);
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;

//! From runs to answers: per-variant statistics of every measure, paired differences against the
//! baseline, the objective's answer and Pareto front, notes on precision, and the over-time bands.
//!
//! Everything here is a function of the runs' rows as runs.csv holds them (values already rounded
//! as written), taken in plan order, so a merged set of shards gives exactly the unsharded answer.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::experiment::{Constraint, Experiment, Objective};
use super::measures::{RunMeasures, MEASURES};
use super::stats::{self, Describe, Paired};

/// One run as a sweep keeps it: one row of runs.csv and its over-time series.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    pub index: usize,
    pub variant: usize,
    pub seed: u64,
    /// Its measures, or why it failed.
    pub result: Result<RunMeasures, String>,
}

/// A variant's statistics.
#[derive(Clone, Debug)]
pub struct VariantStats {
    pub name: String,
    pub runs: usize,
    pub failed: usize,
    /// By measure, over the seeds where it is defined.
    pub measures: Vec<Option<Describe>>,
    /// By measure, against the baseline over the seeds where both are defined; `None` for the
    /// baseline itself.
    pub paired: Vec<Option<Paired>>,
    /// Per metrics sample: (seconds, 10th percentile, median, 90th percentile) across seeds.
    pub band: Vec<(f64, f64, f64, f64)>,
}

/// Whether a variant meets the objective's constraints, and how sure that is.
#[derive(Clone, Debug, PartialEq)]
pub struct Feasibility {
    pub variant: usize,
    /// Every constraint holds for the variant's mean.
    pub meets: bool,
    /// The smallest one-sided confidence, over the constraints, that the true mean meets it.
    pub confidence: Option<f64>,
    /// Seeds on which every constraint held, of those measured.
    pub seeds_meeting: (usize, usize),
}

/// The objective's answer.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The variant with the smallest mean of the minimised measure among those that meet every
    /// constraint (ties to the earlier variant).
    pub best: Option<usize>,
    pub feasibility: Vec<Feasibility>,
    /// Variants on the Pareto front of (minimised measure, latency measure) means, by the first.
    pub pareto: Vec<usize>,
}

/// Everything a sweep reports.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub variants: Vec<VariantStats>,
    pub answer: Option<Answer>,
    pub notes: Vec<String>,
}

/// The values of `measure` for variant `v`, by seed order, `None` where undefined or failed.
fn column(rows: &[&RunRow], measure: usize) -> Vec<Option<f64>> {
    rows.iter().map(|r| r.result.as_ref().ok().and_then(|m| m.values[measure])).collect()
}

fn defined(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().flatten().copied().collect()
}

/// What a comparison needs to know of the experiment besides its runs (an experiment file gives
/// it; so do folders compared side by side).
#[derive(Clone, Debug)]
pub struct Setup {
    pub variants: Vec<String>,
    pub baseline: usize,
    pub confidence: f64,
    pub seeds: usize,
    pub objective: Option<Objective>,
    pub half_widths: Vec<(usize, f64)>,
}

impl Setup {
    pub fn of(experiment: &Experiment) -> Setup {
        Setup {
            variants: experiment.variants.iter().map(|v| v.name.clone()).collect(),
            baseline: experiment.baseline,
            confidence: experiment.confidence,
            seeds: experiment.seeds.len(),
            objective: experiment.objective.clone(),
            half_widths: experiment.half_widths.clone(),
        }
    }
}

/// Compares the runs of an experiment set up as `experiment` (all of them, in plan order).
pub fn compare(experiment: &Setup, rows: &[RunRow]) -> Comparison {
    // One pass over the runs, in plan order within each variant.
    let mut by_variant: Vec<Vec<&RunRow>> = vec![Vec::new(); experiment.variants.len()];
    for r in rows {
        if let Some(runs) = by_variant.get_mut(r.variant) {
            runs.push(r);
        }
    }
    let confidence = experiment.confidence;
    // The baseline's runs by seed, for pairing (a lookup per run, not a scan).
    let base_by_seed: BTreeMap<u64, &RunRow> =
        by_variant.get(experiment.baseline).into_iter().flatten().map(|r| (r.seed, *r)).collect();
    // Each variant's statistics are its own: computed in parallel, collected in variant order.
    let variants: Vec<VariantStats> = experiment
        .variants
        .par_iter()
        .enumerate()
        .map(|(v, name)| {
            let mine = &by_variant[v];
            let measures =
                (0..MEASURES.len()).map(|m| stats::describe(&defined(&column(mine, m)), confidence)).collect();
            let paired = (0..MEASURES.len())
                .map(|m| {
                    if v == experiment.baseline {
                        return None;
                    }
                    let (a, b): (Vec<f64>, Vec<f64>) = pairs(mine, &base_by_seed, m).into_iter().unzip();
                    stats::paired(&a, &b, confidence)
                })
                .collect();
            VariantStats {
                name: name.clone(),
                runs: mine.len(),
                failed: mine.iter().filter(|r| r.result.is_err()).count(),
                measures,
                paired,
                band: band(mine),
            }
        })
        .collect();
    let answer = experiment.objective.as_ref().map(|o| {
        let feasibility: Vec<Feasibility> =
            (0..variants.len()).map(|v| feasibility(v, &by_variant[v], &variants[v], &o.constraints)).collect();
        let mean = |v: usize, m: usize| variants[v].measures[m].as_ref().map(|d| d.mean);
        let best = feasibility
            .iter()
            .filter(|f| f.meets)
            .filter_map(|f| mean(f.variant, o.minimize).map(|x| (x, f.variant)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, v)| v);
        let candidates: Vec<(usize, (f64, f64))> =
            (0..variants.len()).filter_map(|v| Some((v, (mean(v, o.minimize)?, mean(v, o.against)?)))).collect();
        let points: Vec<(f64, f64)> = candidates.iter().map(|c| c.1).collect();
        let pareto = stats::pareto_front(&points).into_iter().map(|i| candidates[i].0).collect();
        Answer { best, feasibility, pareto }
    });
    let notes = notes(experiment, &variants);
    Comparison { variants, answer, notes }
}

/// (variant, baseline) values of `measure` on the seeds both measured.
fn pairs(mine: &[&RunRow], base: &BTreeMap<u64, &RunRow>, measure: usize) -> Vec<(f64, f64)> {
    mine.iter()
        .filter_map(|r| {
            let b = base.get(&r.seed)?;
            let value = |row: &RunRow| row.result.as_ref().ok().and_then(|m| m.values[measure]);
            Some((value(r)?, value(b)?))
        })
        .collect()
}

fn feasibility(v: usize, rows: &[&RunRow], stats_: &VariantStats, constraints: &[Constraint]) -> Feasibility {
    let meets = constraints.iter().all(|c| stats_.measures[c.measure].as_ref().is_some_and(|d| c.holds(d.mean)));
    let confidence = constraints
        .iter()
        .map(|c| match &stats_.measures[c.measure] {
            // No spread (one seed, or every seed alike): the mean meets the bound or it does not,
            // strict bounds included.
            Some(d) if d.sd.is_none_or(|sd| sd == 0.0) => Some(if c.holds(d.mean) { 1.0 } else { 0.0 }),
            _ => stats::confidence_mean_meets(&defined(&column(rows, c.measure)), c.bound, c.at_most),
        })
        .try_fold(1.0_f64, |m, c| c.map(|c| m.min(c)));
    let measured: Vec<&&RunRow> = rows.iter().filter(|r| r.result.is_ok()).collect();
    let meeting = measured
        .iter()
        .filter(|r| {
            let values = r.result.as_ref().map(|m| &m.values);
            constraints.iter().all(|c| values.is_ok_and(|vals| vals[c.measure].is_some_and(|x| c.holds(x))))
        })
        .count();
    Feasibility {
        variant: v,
        meets,
        confidence: if constraints.is_empty() { Some(1.0) } else { confidence },
        seeds_meeting: (meeting, measured.len()),
    }
}

/// The median and 10–90% band across seeds at each metrics sample.
fn band(rows: &[&RunRow]) -> Vec<(f64, f64, f64, f64)> {
    let series: Vec<&Vec<(f64, Option<f64>)>> =
        rows.iter().filter_map(|r| r.result.as_ref().ok().map(|m| &m.series)).collect();
    let Some(first) = series.first() else { return Vec::new() };
    let mut values = Vec::with_capacity(series.len());
    (0..first.len())
        .filter_map(|i| {
            values.clear();
            values.extend(series.iter().filter_map(|s| s.get(i).and_then(|p| p.1)));
            let [p10, median, p90] = stats::quantiles(&values, [0.1, 0.5, 0.9])?;
            Some((first[i].0, p10, median, p90))
        })
        .collect()
}

/// Where the seeds are too few: intervals that cannot be drawn, half-widths wider than asked.
fn notes(experiment: &Setup, variants: &[VariantStats]) -> Vec<String> {
    let mut notes = Vec::new();
    let pct = experiment.confidence * 100.0;
    if experiment.seeds < 2 {
        notes.push(format!(
            "one seed per variant: no confidence interval can be computed; give `seeds: 10` or more to compare variants at {pct:.0}%"
        ));
    }
    for &(m, wanted) in &experiment.half_widths {
        let measure = &MEASURES[m];
        for v in variants {
            let Some(d) = &v.measures[m] else { continue };
            let (Some((lo, hi)), Some(sd)) = (d.ci, d.sd) else { continue };
            let half = (hi - lo) / 2.0;
            if half > wanted {
                let need = stats::seeds_needed(sd, wanted, experiment.confidence)
                    .map_or("more seeds than ecsim counts (100,000)".to_string(), |n| format!("about {n} seeds"));
                notes.push(format!(
                    "{}: the {pct:.0}% interval of {} is ±{}{} with {} seeds; ±{}{} needs {need}",
                    v.name,
                    measure.name,
                    trim(half, measure.decimals),
                    measure.unit.suffix(),
                    d.n,
                    trim(wanted, measure.decimals),
                    measure.unit.suffix()
                ));
            }
        }
    }
    for v in variants.iter().filter(|v| v.failed > 0) {
        notes.push(format!("{}: {} of {} runs failed and are left out (see summary.json)", v.name, v.failed, v.runs));
    }
    notes
}

/// `x` with `decimals` decimals, trailing zeros removed.
pub fn trim(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

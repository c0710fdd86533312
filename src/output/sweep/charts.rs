//! A sweep's charts, PNG and SVG: each headline measure's spread per variant (`measure-<name>`),
//! the objective's measure against its latency measure with the Pareto front (`pareto`), and the
//! followed metric over time, the median across seeds in a 10–90% band (`over-time`).

use super::super::chart::{self, time_unit, Band, Bands, Distribution, Drawable, Pareto, ParetoPoint};
use super::super::{OutputError, RunFolder};
use super::comparison::headline;
use crate::sweep::aggregate::{Comparison, RunRow, Setup};
use crate::sweep::experiment::Experiment;
use crate::sweep::measures::{measure_index, MEASURES};

/// One chart of the folder.
enum Figure {
    Distribution(Distribution),
    Pareto(Pareto),
    Bands(Bands),
}

fn write(folder: &RunFolder, name: &str, figure: &impl Drawable) -> Result<(), OutputError> {
    chart::write_png(figure, &folder.file(&format!("{name}.png")))?;
    chart::write_svg(figure, &folder.file(&format!("{name}.svg")))?;
    Ok(())
}

/// Draws every figure, in parallel (each is its own pair of files, so the order they are drawn in
/// changes nothing); the first error in figure order is returned.
fn write_figures(folder: &RunFolder, figures: Vec<(String, Figure)>) -> Result<(), OutputError> {
    use rayon::prelude::*;
    let results: Vec<Result<(), OutputError>> = figures
        .par_iter()
        .map(|(name, figure)| match figure {
            Figure::Distribution(f) => write(folder, name, f),
            Figure::Pareto(f) => write(folder, name, f),
            Figure::Bands(f) => write(folder, name, f),
        })
        .collect();
    results.into_iter().collect()
}

fn label(m: usize) -> String {
    let def = &MEASURES[m];
    format!("{} ({})", def.name, def.unit.suffix().trim()).replace(" ()", "")
}

/// A threshold to draw on measure `m`: the objective's bound on it, else an SLO's p99.
fn threshold(e: &Experiment, setup: &Setup, m: usize) -> Option<(String, f64)> {
    let bound = setup
        .objective
        .as_ref()
        .and_then(|o| o.constraints.iter().find(|c| c.measure == m))
        .map(|c| (format!("{} {}", MEASURES[m].name, c.text), c.bound));
    bound.or_else(|| {
        (Some(m) == measure_index("p99"))
            .then(|| {
                e.slos.iter().find_map(|s| s.p99.map(|p| (format!("SLO p99 {p} ({})", s.service), p.as_secs_f64())))
            })
            .flatten()
    })
}

pub fn write_all(
    folder: &RunFolder,
    e: &Experiment,
    setup: &Setup,
    c: &Comparison,
    rows: &[RunRow],
) -> Result<(), OutputError> {
    let mut figures = Vec::new();
    for m in headline(setup, c) {
        // Each run's value to its variant, in one pass.
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); c.variants.len()];
        for r in rows {
            if let (Some(x), Some(of)) = (r.result.as_ref().ok().and_then(|x| x.values[m]), values.get_mut(r.variant)) {
                of.push(x);
            }
        }
        let variants = c.variants.iter().map(|s| s.name.clone()).zip(values).collect();
        let figure = Distribution {
            title: format!("{}: {} per variant, one point per seed", e.name, MEASURES[m].name),
            y_label: label(m),
            variants,
            threshold: threshold(e, setup, m),
        };
        figures.push((format!("measure-{}", MEASURES[m].name), Figure::Distribution(figure)));
    }
    let (x, y) = match &setup.objective {
        Some(o) => (o.minimize, o.against),
        None => (measure_index("cost_per_day").unwrap_or(0), measure_index("p99").unwrap_or(0)),
    };
    let answer = c.answer.as_ref();
    let points: Vec<ParetoPoint> = c
        .variants
        .iter()
        .enumerate()
        .filter_map(|(v, s)| {
            let (dx, dy) = (s.measures[x].as_ref()?, s.measures[y].as_ref()?);
            Some(ParetoPoint {
                label: s.name.clone(),
                x: dx.mean,
                y: dy.mean,
                x_ci: dx.ci,
                y_ci: dy.ci,
                on_front: answer.is_some_and(|a| a.pareto.contains(&v)),
                feasible: answer.is_none_or(|a| a.feasibility[v].meets),
            })
        })
        .collect();
    if !points.is_empty() {
        let figure = Pareto {
            title: format!(
                "{}: {} against {} (means, {:.0}% CIs)",
                e.name,
                MEASURES[x].name,
                MEASURES[y].name,
                setup.confidence * 100.0
            ),
            x_label: label(x),
            y_label: label(y),
            points,
            threshold: threshold(e, setup, y),
        };
        figures.push(("pareto".to_string(), Figure::Pareto(figure)));
    }
    if let Some((metric, service)) = &e.over_time {
        let duration = e.variants.iter().map(|v| v.scenario.duration).max().unwrap_or_default();
        let (unit, per) = time_unit(duration);
        let bands = c
            .variants
            .iter()
            .map(|v| Band {
                label: v.name.clone(),
                points: thin(&v.band).into_iter().map(|(t, lo, mid, hi)| (t / per, lo, mid, hi)).collect(),
            })
            .collect();
        let figure = Bands {
            title: format!("{}: {metric} of {service}, median across seeds and 10-90% band", e.name),
            x_label: format!("simulated time ({unit})"),
            y_label: metric.clone(),
            bands,
        };
        figures.push(("over-time".to_string(), Figure::Bands(figure)));
    }
    write_figures(folder, figures)
}

/// The most points a band is drawn with; over-time.csv keeps them all.
const BAND_POINTS: usize = 600;

/// A band with at most [`BAND_POINTS`] points for drawing: consecutive samples grouped, each
/// group drawn at its first time with its lowest 10th percentile, its highest 90th (so no extreme
/// is lost) and its middle sample's median.
fn thin(band: &[(f64, f64, f64, f64)]) -> Vec<(f64, f64, f64, f64)> {
    let per = band.len().div_ceil(BAND_POINTS).max(1);
    band.chunks(per)
        .map(|group| {
            let lo = group.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = group.iter().map(|p| p.3).fold(f64::NEG_INFINITY, f64::max);
            (group[0].0, lo, group[group.len() / 2].2, hi)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_extremes_and_at_most_the_drawn_points() {
        let band: Vec<_> = (0..1_801).map(|i| (f64::from(i), -f64::from(i % 7), 0.0, f64::from(i % 11))).collect();
        let thinned = thin(&band);
        assert!(thinned.len() <= BAND_POINTS);
        assert_eq!(thinned.iter().map(|p| p.1).fold(0.0, f64::min), -6.0);
        assert_eq!(thinned.iter().map(|p| p.3).fold(0.0, f64::max), 10.0);
        assert_eq!(thin(&band[..10]).len(), 10, "short bands are drawn as they are");
    }
}

//! comparison.md: the table a person pastes into a design review (variants as rows, the headline
//! measures with their confidence intervals, the paired differences, the objective's answer), and
//! the same tables printed in the terminal. Columns are padded so the Markdown reads as text too.

use std::fmt::Write as _;

use crate::sweep::aggregate::{trim, Comparison, Setup};
use crate::sweep::measures::{measure_index, MEASURES};

/// The measures the tables show: the objective's, then the usual headline ones, each once and
/// only if some variant has it.
pub(super) fn headline(setup: &Setup, comparison: &Comparison) -> Vec<usize> {
    let mut wanted: Vec<usize> = Vec::new();
    if let Some(o) = &setup.objective {
        wanted.push(o.minimize);
        wanted.extend(o.constraints.iter().map(|c| c.measure));
        wanted.push(o.against);
    }
    for name in
        ["cost_per_day", "p99", "error_rate", "slo_breach_minutes", "tasks_mean", "instances_mean", "recovery_max"]
    {
        wanted.extend(measure_index(name));
    }
    let mut out = Vec::new();
    for m in wanted {
        if !out.contains(&m) && comparison.variants.iter().any(|v| v.measures[m].is_some()) {
            out.push(m);
        }
    }
    out
}

/// A Markdown table with padded columns.
fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].chars().count(), 3]).max().unwrap_or(3))
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(header);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn signed(x: f64, decimals: usize) -> String {
    let s = trim(x, decimals);
    if x > 0.0 && !s.starts_with('-') {
        format!("+{s}")
    } else {
        s
    }
}

/// The tables, as Markdown.
pub fn markdown(title: &str, setup: &Setup, comparison: &Comparison, context: &str) -> String {
    let shown = headline(setup, comparison);
    let pct = setup.confidence * 100.0;
    let mut out = format!("# {title}\n\n{context}\n\n");
    let header: Vec<String> = std::iter::once("variant".to_string())
        .chain(shown.iter().map(|&m| format!("{}{}", MEASURES[m].name, MEASURES[m].unit.suffix())))
        .collect();

    let _ = writeln!(out, "## Measures: mean [{pct:.0}% CI]\n");
    let rows: Vec<Vec<String>> = comparison
        .variants
        .iter()
        .map(|v| {
            std::iter::once(v.name.clone())
                .chain(shown.iter().map(|&m| {
                    let d = MEASURES[m].decimals;
                    v.measures[m].as_ref().map_or("-".into(), |s| match s.ci {
                        Some((lo, hi)) => format!("{} [{}, {}]", trim(s.mean, d), trim(lo, d), trim(hi, d)),
                        None => trim(s.mean, d),
                    })
                }))
                .collect()
        })
        .collect();
    out.push_str(&table(&header, &rows));

    if comparison.variants.len() > 1 {
        let baseline = &setup.variants[setup.baseline];
        let _ = writeln!(
            out,
            "\n## Against `{baseline}`: variant − baseline, paired by seed, [{pct:.0}% CI] (×ratio of means); * the interval excludes 0\n"
        );
        let rows: Vec<Vec<String>> = comparison
            .variants
            .iter()
            .filter(|v| v.name != *baseline)
            .map(|v| {
                std::iter::once(v.name.clone())
                    .chain(shown.iter().map(|&m| {
                        let d = MEASURES[m].decimals;
                        v.paired[m].as_ref().map_or("-".into(), |p| {
                            let ci = p
                                .ci
                                .map_or(String::new(), |(lo, hi)| format!(" [{}, {}]", signed(lo, d), signed(hi, d)));
                            let ratio = p.ratio.map_or(String::new(), |r| format!(" (×{})", trim(r, 3)));
                            let star = if p.excludes_zero { " *" } else { "" };
                            format!("{}{ci}{ratio}{star}", signed(p.mean_diff, d))
                        })
                    }))
                    .collect()
            })
            .collect();
        out.push_str(&table(&header, &rows));
    }

    if let (Some(o), Some(answer)) = (&setup.objective, &comparison.answer) {
        let m = &MEASURES[o.minimize];
        let constraints: Vec<String> =
            o.constraints.iter().map(|c| format!("{} {}", MEASURES[c.measure].name, c.text)).collect();
        let subject =
            if constraints.is_empty() { String::new() } else { format!(" subject to {}", constraints.join(", ")) };
        let _ = writeln!(out, "\n## Objective: minimize {}{subject}\n", m.name);
        match answer.best {
            Some(b) => {
                let v = &comparison.variants[b];
                let f = &answer.feasibility[b];
                let mean = v.measures[o.minimize].as_ref().map_or("-".into(), |d| trim(d.mean, m.decimals));
                let sure = f.confidence.map_or(String::new(), |c| {
                    format!("; confidence that its means meet every constraint {:.1}% (one-sided t)", c * 100.0)
                });
                let _ = writeln!(
                    out,
                    "**{}** is the best variant that meets every constraint: {} {mean}{}{sure}; met on {} of {} seeds.\n",
                    v.name, m.name, m.unit.suffix(), f.seeds_meeting.0, f.seeds_meeting.1
                );
            }
            None => {
                let _ = writeln!(out, "No variant meets every constraint on its mean.\n");
            }
        }
        let header: Vec<String> =
            ["variant", "meets", "confidence", "seeds meeting", "Pareto front"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<String>> = answer
            .feasibility
            .iter()
            .map(|f| {
                vec![
                    comparison.variants[f.variant].name.clone(),
                    if f.meets { "yes" } else { "no" }.into(),
                    f.confidence.map_or("-".into(), |c| format!("{:.1}%", c * 100.0)),
                    format!("{} of {}", f.seeds_meeting.0, f.seeds_meeting.1),
                    if answer.pareto.contains(&f.variant) { "yes" } else { "" }.into(),
                ]
            })
            .collect();
        out.push_str(&table(&header, &rows));
        let _ = writeln!(
            out,
            "\nThe Pareto front: variants whose mean {} and mean {} no other variant beats in both.",
            m.name, MEASURES[o.against].name
        );
    }
    if !comparison.notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for n in &comparison.notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    out
}

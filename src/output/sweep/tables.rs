//! A sweep's CSV files: runs.csv (a row per run, every measure), variants.csv (a row per variant
//! and measure), over-time.csv (the followed metric's band per variant), and a shard's series.csv
//! (every run's followed metric). runs.csv and series.csv are also read back, to merge shards and
//! compare folders: they hold exactly what the statistics are computed from.

use std::fmt::Write as _;
use std::path::Path;

use crate::sweep::aggregate::{Comparison, RunRow};
use crate::sweep::measures::{RunMeasures, MEASURES};

use super::super::OutputError;

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> OutputError + '_ {
    move |source| OutputError::Csv { path: path.to_path_buf(), source }
}

fn cell(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(String::new, |x| format!("{x:.decimals$}"))
}

/// Writes runs.csv: `variant,seed,<measures>,error`, in plan order.
pub fn write_runs(path: &Path, names: &[String], rows: &[RunRow]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    let header = ["variant", "seed"].into_iter().chain(MEASURES.iter().map(|m| m.name)).chain(["error"]);
    w.write_record(header).map_err(csv_error(path))?;
    for r in rows {
        let mut record = vec![names[r.variant].clone(), r.seed.to_string()];
        match &r.result {
            Ok(m) => {
                record.extend(m.values.iter().zip(&MEASURES).map(|(v, def)| cell(*v, def.decimals)));
                record.push(String::new());
            }
            Err(e) => {
                record.extend(MEASURES.iter().map(|_| String::new()));
                record.push(e.clone());
            }
        }
        w.write_record(&record).map_err(csv_error(path))?;
    }
    w.flush().map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// Writes a shard's series.csv: `variant,seed,time_s,<metric>` at every metrics sample of every
/// run, each number in its shortest form that reads back to the same `f64`.
pub fn write_series(path: &Path, metric: &str, names: &[String], rows: &[RunRow]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    w.write_record(["variant", "seed", "time_s", metric]).map_err(csv_error(path))?;
    for r in rows {
        let Ok(m) = &r.result else { continue };
        for (t, v) in &m.series {
            let value = v.map_or_else(String::new, |v| v.to_string());
            w.write_record([names[r.variant].as_str(), &r.seed.to_string(), &t.to_string(), &value])
                .map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// Writes over-time.csv: `variant,time_s,p10,median,p90` of the followed metric across seeds.
pub fn write_bands(path: &Path, metric: &str, comparison: &Comparison) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    let header = [
        "variant".to_string(),
        "time_s".into(),
        format!("{metric}_p10"),
        format!("{metric}_median"),
        format!("{metric}_p90"),
    ];
    w.write_record(&header).map_err(csv_error(path))?;
    // One buffer for every number: a day at 10 s is 8,640 rows a variant.
    let mut buf = String::new();
    for v in &comparison.variants {
        for &(t, lo, mid, hi) in &v.band {
            w.write_field(&v.name).map_err(csv_error(path))?;
            buf.clear();
            // Sample times are whole milliseconds of at most years: `{t:.3}`, by integers.
            let ms = (t * 1e3).round() as u64;
            let _ = write!(buf, "{}.{:03}", ms / 1000, ms % 1000);
            w.write_field(&buf).map_err(csv_error(path))?;
            for x in [lo, mid, hi] {
                buf.clear();
                micros(x, &mut buf);
                w.write_field(&buf).map_err(csv_error(path))?;
            }
            w.write_record(None::<&[u8]>).map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// `x` to 6 decimals without trailing zeros (`0.25`, `3`, `-0.000125`), by integer arithmetic:
/// float formatting at a fixed precision costs a few thousand instructions a number, which for a
/// day of bands was most of what a sweep spends besides its runs. Numbers too large for whole
/// micro-units fall back to the formatter.
fn micros(x: f64, out: &mut String) {
    const LIMIT: f64 = 9.0e12;
    if !(x.is_finite() && x.abs() < LIMIT) {
        let _ = write!(out, "{x:.6}");
        if out.contains('.') {
            let kept = out.trim_end_matches('0').trim_end_matches('.').len();
            out.truncate(kept);
        }
        return;
    }
    // |x| < 9e12, so |x| × 1e6 < 9e18 fits an i64.
    let n = (x * 1e6).round() as i64;
    if n < 0 {
        out.push('-');
    }
    let (whole, mut frac) = (n.unsigned_abs() / 1_000_000, n.unsigned_abs() % 1_000_000);
    let _ = write!(out, "{whole}");
    if frac != 0 {
        let mut digits = 6;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let _ = write!(out, ".{frac:0digits$}");
    }
}

/// Writes variants.csv: per variant and measure, the statistics and the paired difference from
/// the baseline.
pub fn write_variants(path: &Path, comparison: &Comparison) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(csv_error(path))?;
    let header = [
        "variant",
        "measure",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "median",
        "min",
        "max",
        "diff_n",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "ratio",
        "differs",
    ];
    w.write_record(header).map_err(csv_error(path))?;
    for v in &comparison.variants {
        for (m, def) in MEASURES.iter().enumerate() {
            let Some(d) = &v.measures[m] else { continue };
            let f = |x: Option<f64>| cell(x, def.decimals + 2);
            let p = v.paired[m].as_ref();
            let record = [
                v.name.clone(),
                def.name.to_string(),
                d.n.to_string(),
                f(Some(d.mean)),
                f(d.sd),
                f(d.ci.map(|c| c.0)),
                f(d.ci.map(|c| c.1)),
                f(Some(d.median)),
                f(Some(d.min)),
                f(Some(d.max)),
                p.map_or_else(String::new, |p| p.n.to_string()),
                f(p.map(|p| p.mean_diff)),
                f(p.and_then(|p| p.ci.map(|c| c.0))),
                f(p.and_then(|p| p.ci.map(|c| c.1))),
                cell(p.and_then(|p| p.ratio), 4),
                p.map_or_else(String::new, |p| p.excludes_zero.to_string()),
            ];
            w.write_record(&record).map_err(csv_error(path))?;
        }
    }
    w.flush().map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// Why a folder's tables could not be read back.
fn bad(path: &Path, message: String) -> OutputError {
    OutputError::Io { path: path.to_path_buf(), source: std::io::Error::new(std::io::ErrorKind::InvalidData, message) }
}

/// Reads runs.csv and series.csv of a sweep (or shard) folder: (variant name, seed, result).
/// One run read back: its variant's name, its seed, its measures or why it failed.
pub type ReadRun = (String, u64, Result<RunMeasures, String>);

pub fn read_runs(folder: &Path) -> Result<Vec<ReadRun>, OutputError> {
    let path = folder.join("runs.csv");
    let mut r = csv::Reader::from_path(&path).map_err(csv_error(&path))?;
    let headers = r.headers().map_err(csv_error(&path))?.clone();
    let expected: Vec<&str> =
        ["variant", "seed"].into_iter().chain(MEASURES.iter().map(|m| m.name)).chain(["error"]).collect();
    if headers.iter().collect::<Vec<_>>() != expected {
        return Err(bad(&path, "its columns are not this version's runs.csv columns".into()));
    }
    let mut out = Vec::new();
    for (i, record) in r.records().enumerate() {
        let record = record.map_err(csv_error(&path))?;
        let line = i + 2;
        let seed = record[1]
            .parse::<u64>()
            .map_err(|_| bad(&path, format!("line {line}: seed `{}` is not a number", &record[1])))?;
        let error = &record[expected.len() - 1];
        let result = if error.is_empty() {
            let values = (0..MEASURES.len())
                .map(|m| {
                    let text = &record[2 + m];
                    if text.is_empty() {
                        Ok(None)
                    } else {
                        text.parse::<f64>()
                            .map(Some)
                            .map_err(|_| bad(&path, format!("line {line}: `{text}` is not a number")))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(RunMeasures { values, series: Vec::new() })
        } else {
            Err(error.to_string())
        };
        out.push((record[0].to_string(), seed, result));
    }
    let series_path = folder.join("series.csv");
    if series_path.exists() {
        let mut r = csv::Reader::from_path(&series_path).map_err(csv_error(&series_path))?;
        let at: std::collections::BTreeMap<(String, u64), usize> =
            out.iter().enumerate().map(|(i, (v, s, _))| ((v.clone(), *s), i)).collect();
        for record in r.records() {
            let record = record.map_err(csv_error(&series_path))?;
            let seed: u64 =
                record[1].parse().map_err(|_| bad(&series_path, format!("seed `{}` is not a number", &record[1])))?;
            let t: f64 =
                record[2].parse().map_err(|_| bad(&series_path, format!("time `{}` is not a number", &record[2])))?;
            let value = if record[3].is_empty() { None } else { record[3].parse().ok() };
            if let Some((_, _, Ok(m))) = at.get(&(record[0].to_string(), seed)).and_then(|&i| out.get_mut(i)) {
                m.series.push((t, value));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_write_six_decimals_without_trailing_zeros() {
        let write = |x: f64| {
            let mut s = String::new();
            micros(x, &mut s);
            s
        };
        assert_eq!(write(0.25), "0.25");
        assert_eq!(write(3.0), "3");
        assert_eq!(write(-0.000125), "-0.000125");
        assert_eq!(write(0.154_495_4), "0.154495");
        assert_eq!(write(2.000_000_6), "2.000001");
        assert_eq!(write(1e13), "10000000000000");
        assert_eq!(write(0.0000004), "0");
    }
}

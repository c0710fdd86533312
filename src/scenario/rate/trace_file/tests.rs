use super::*;
use crate::scenario::path::Path;
use crate::scenario::rate::schema::{RawRate, RawTrace, TaggedRate, TraceLoad, TraceRows};
use crate::traffic::rate::Sample;

/// A CloudWatch console export of an ALB's RequestCount: quoted fields, extra columns, newest
/// first, an empty cell (14:02) and a period without a row (14:04).
const CLOUDWATCH: &str = "\u{feff}\"Timestamp\",\"Sum\",\"SampleCount\",\"Unit\"
\"2024-03-05T14:05:00+00:00\",\"900\",\"3\",\"Count\"
\"2024-03-05T14:03:00+00:00\",\"1200\",\"4\",\"Count\"
\"2024-03-05T14:02:00+00:00\",\"\",\"\",\"Count\"
\"2024-03-05T14:01:00+00:00\",\"600.5\",\"2\",\"Count\"
\"2024-03-05T14:00:00+00:00\",\"300\",\"1\",\"Count\"
";

const T0: i64 = 1_709_647_200_000_000; // 2024-03-05T14:00:00Z in µs
const MIN: i64 = 60_000_000;

pub(super) fn trace(yaml: &str) -> RawTrace {
    serde_yaml::from_str(yaml).unwrap()
}

fn parse(text: &str, spec: &str) -> Result<TraceRows, Vec<Diagnostic>> {
    parse_trace(
        &mut text.as_bytes(),
        "traces/alb.csv",
        &trace(spec),
        &Path::root("traffic").index(0).field("rate").field("trace"),
    )
}

#[test]
fn reads_a_cloudwatch_export_sorted_by_time_with_its_lines() {
    let rows = parse(CLOUDWATCH, "{ file: traces/alb.csv, time_column: Timestamp, value_column: Sum }").unwrap();
    let times: Vec<i64> = rows.samples.iter().map(|s| (s.time - T0) / MIN).collect();
    assert_eq!(times, [0, 1, 2, 3, 5]);
    let values: Vec<Option<f64>> = rows.samples.iter().map(|s| s.value).collect();
    assert_eq!(values, [Some(300.0), Some(600.5), None, Some(1200.0), Some(900.0)]);
    // The header is line 1 and the newest row line 2.
    assert_eq!(rows.lines, [6, 5, 4, 3, 2]);
}

#[test]
fn the_first_two_columns_are_the_default() {
    let rows = parse("offset,rps\n0,10\n60,20\n", "{ file: t.csv }").unwrap();
    assert_eq!(rows.samples[1], Sample { time: MIN, value: Some(20.0) });
}

#[test]
fn timestamps_with_offsets_become_utc() {
    for text in [
        "2024-03-05 14:00:00",
        "2024-03-05T14:00:00Z",
        "2024-03-05T14:00:00.000Z",
        "2024-03-05T14:00:00+00:00",
        "2024-03-05T15:00:00+01:00",
        "2024-03-05T19:30:00+0530",
        "2024-03-05T09:00:00-05:00",
        "2024-03-05 14:00:00 UTC",
        "2024-03-05 14:00",
    ] {
        assert_eq!(parse_time(text), Some(T0), "{text}");
    }
    assert_eq!(parse_time("2024-03-05"), Some(T0 - 14 * 60 * MIN));
    assert_eq!(parse_time("3600"), Some(60 * MIN));
    assert_eq!(parse_time("1h"), Some(60 * MIN));
    assert_eq!(parse_time("1.5"), Some(1_500_000));
    for bad in ["", "yesterday", "2024-13-05 14:00:00", "2024-03-05T14:00:00+1:00", "05/03/2024 14:00"] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

#[test]
fn bad_cells_are_reported_with_file_and_line() {
    let text = "Timestamp,Sum\n2024-03-05 14:00:00,10\nnoon,20\n2024-03-05 14:02:00,-3\n2024-03-05 14:00:00,4\n";
    let problems = parse(text, "{ file: t.csv }").unwrap_err();
    let found: Vec<(Option<&str>, Option<usize>, &str)> =
        problems.iter().map(|d| (d.file.as_deref(), d.line, d.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (Some("traces/alb.csv"), Some(3), "`noon` in column `Timestamp` is not a time"),
            (Some("traces/alb.csv"), Some(4), "`-3` in column `Sum` is not a number >= 0"),
            (Some("traces/alb.csv"), Some(5), "the same time as line 2"),
        ]
    );
    assert!(problems.iter().all(|d| d.path == "traffic[0].rate.trace" && d.hint.is_some()));
}

#[test]
fn an_unknown_column_suggests_the_nearest() {
    let problems = parse(CLOUDWATCH, "{ file: t.csv, time_column: timestamp, value_column: Summ }").unwrap_err();
    assert_eq!(problems[0].path, "traffic[0].rate.trace.time_column");
    assert_eq!(problems[0].message, "`traces/alb.csv` has no column `timestamp`");
    assert_eq!(problems[0].hint.as_deref(), Some("did you mean `Timestamp`?"));
    assert_eq!(problems[1].hint.as_deref(), Some("did you mean `Sum`?"));
}

#[test]
fn an_empty_or_one_column_file_is_an_error() {
    assert_eq!(parse("Timestamp,Sum\n", "{ file: t.csv }").unwrap_err()[0].message, "`traces/alb.csv` has no samples");
    let one = parse("Timestamp\n2024-03-05 14:00:00\n", "{ file: t.csv }").unwrap_err();
    assert_eq!(one[0].line, Some(1));
    assert!(one[0].message.contains("1 column(s)"));
}

#[test]
fn many_problems_are_capped() {
    let text: String = std::iter::once("a,b\n".to_string()).chain((0..30).map(|i| format!("x{i},1\n"))).collect();
    let problems = parse(&text, "{ file: t.csv }").unwrap_err();
    assert_eq!(problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(problems[MAX_PROBLEMS].message, "and 20 more problem(s) in `traces/alb.csv`");
}

#[test]
fn load_traces_reads_nested_files_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("traces")).unwrap();
    std::fs::write(dir.path().join("traces/alb.csv"), CLOUDWATCH).unwrap();
    let yaml = "{ sum: [ 5, { clip: { of: { trace: { file: traces/alb.csv, value_column: Sum } }, max: 9 } },
                { trace: { file: traces/missing.csv } } ] }";
    let mut raw: RawRate = serde_yaml::from_str(yaml).unwrap();
    let (mut problems, mut files) = (Vec::new(), Vec::new());
    load_traces(&mut raw, &Path::root("traffic").index(0).field("rate"), dir.path(), &mut problems, &mut files);
    // The file read is recorded with the hash of its bytes; the missing one is not.
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].path.as_str(), files[0].sha256.len()), ("traces/alb.csv", 64));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "traffic[0].rate.sum[2].trace.file");
    assert!(problems[0].message.ends_with("missing.csv`: no such file"), "{}", problems[0].message);
    let RawRate::Tagged(sum) = &raw else { panic!() };
    let TaggedRate::Sum(parts) = sum.as_ref() else { panic!() };
    let RawRate::Tagged(clip) = &parts[1] else { panic!() };
    let TaggedRate::Clip(clip) = clip.as_ref() else { panic!() };
    let RawRate::Tagged(found) = &clip.of else { panic!() };
    assert!(
        matches!(found.as_ref(), TaggedRate::Trace(t) if matches!(&t.loaded, TraceLoad::Read(r) if r.samples.len() == 5))
    );
    let RawRate::Tagged(missing) = &parts[2] else { panic!() };
    assert!(matches!(missing.as_ref(), TaggedRate::Trace(t) if matches!(t.loaded, TraceLoad::Failed)));
}

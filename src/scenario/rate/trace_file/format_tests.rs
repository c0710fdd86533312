//! The formats beyond a CSV with a header: header-less files, one count per line at `step:`,
//! CloudWatch JSON, and compressed files read as streams.

use std::io::Write;

use sha2::Digest;

use super::tests::trace;
use super::*;
use crate::scenario::rate::schema::{RawRate, RawTrace, TraceRows};

const T0: i64 = 1_709_647_200_000_000; // 2024-03-05T14:00:00Z in µs
const SEC: i64 = 1_000_000;

fn at() -> Path {
    Path::root("traffic").field("sources").index(0).field("rate").field("trace")
}

fn parse(text: &str, spec: &str) -> Result<TraceRows, Vec<Diagnostic>> {
    parse_trace(&mut text.as_bytes(), "nasa.txt", &trace(spec), &at())
}

fn times_and_values(rows: &TraceRows) -> Vec<(i64, Option<f64>)> {
    rows.samples.iter().map(|s| (s.time, s.value)).collect()
}

#[test]
fn one_count_per_line_plays_at_the_step() {
    let rows = parse("5\n7\n0\n9\n", "{ file: nasa.txt, step: 1s }").unwrap();
    assert_eq!(times_and_values(&rows), [(0, Some(5.0)), (SEC, Some(7.0)), (2 * SEC, Some(0.0)), (3 * SEC, Some(9.0))]);
    assert_eq!(rows.lines, [1, 2, 3, 4]);
    // With a header naming the one column, too.
    let rows = parse("requests\n5\n7\n", "{ file: nasa.txt, step: 1m }").unwrap();
    assert_eq!(times_and_values(&rows), [(0, Some(5.0)), (60 * SEC, Some(7.0))]);
    assert_eq!(rows.lines, [2, 3]);
    // Without a step there are no times: said at `step`, with what to write.
    let problems = parse("5\n7\n", "{ file: nasa.txt }").unwrap_err();
    assert_eq!(problems[0].path, "traffic.sources[0].rate.trace.step");
    assert_eq!(problems[0].message, "`nasa.txt` has one number per line and no times");
    assert!(problems[0].hint.as_deref().unwrap().contains("step: 1s"));
    // A bad line is named.
    let problems = parse("5\nx\n7\n-1\n", "{ file: nasa.txt, step: 1s }").unwrap_err();
    let found: Vec<(Option<usize>, &str)> = problems.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(
        found,
        [(Some(2), "`x` in column 1 is not a number >= 0"), (Some(4), "`-1` in column 1 is not a number >= 0")]
    );
}

#[test]
fn a_file_without_a_header_row_is_read_from_its_first_line() {
    let rows =
        parse("2024-03-05 14:00:00,10\n2024-03-05 14:01:00,\n2024-03-05 14:02:00,30\n", "{ file: t.csv }").unwrap();
    assert_eq!(times_and_values(&rows), [(T0, Some(10.0)), (T0 + 60 * SEC, None), (T0 + 120 * SEC, Some(30.0))]);
    assert_eq!(rows.lines, [1, 2, 3]);
    let rows = parse("0,1\n60,2\n", "{ file: t.csv }").unwrap();
    assert_eq!(times_and_values(&rows), [(0, Some(1.0)), (60 * SEC, Some(2.0))]);
    // Rows in no order are sorted, each keeping its line.
    let rows = parse("60,2\n0,1\n120,3\n", "{ file: t.csv }").unwrap();
    assert_eq!(times_and_values(&rows), [(0, Some(1.0)), (60 * SEC, Some(2.0)), (120 * SEC, Some(3.0))]);
    assert_eq!(rows.lines, [2, 1, 3]);
    // Columns cannot be named in a file whose first line is data.
    let problems = parse("0,1\n60,2\n", "{ file: t.csv, value_column: Sum }").unwrap_err();
    assert_eq!(problems[0].path, "traffic.sources[0].rate.trace.value_column");
    assert!(problems[0].message.contains("has no header row"), "{}", problems[0].message);
    let problems = parse("0,1\n60,2,3\nnoon,4\n", "{ file: t.csv }").unwrap_err();
    let found: Vec<(Option<usize>, &str)> = problems.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(
        found,
        [(Some(2), "this row has 3 cell(s); the first row has 2"), (Some(3), "`noon` in column 1 is not a time")]
    );
}

const METRIC_DATA: &str = r#"{
    "MetricDataResults": [
        {
            "Id": "requests",
            "Label": "RequestCount",
            "Timestamps": ["2024-03-05T14:02:00+00:00", "2024-03-05T14:01:00+00:00", "2024-03-05T14:00:00+00:00"],
            "Values": [30.0, 20.0, 10.0],
            "StatusCode": "Complete"
        }
    ],
    "Messages": []
}"#;

#[test]
fn get_metric_data_output_plays_oldest_first() {
    let rows = parse(METRIC_DATA, "{ file: m.json }").unwrap();
    let expected = [(T0, Some(10.0)), (T0 + 60 * SEC, Some(20.0)), (T0 + 120 * SEC, Some(30.0))];
    assert_eq!(times_and_values(&rows), expected);
    assert_eq!((rows.lines.as_slice(), rows.position), (&[3, 2, 1][..], "datapoint"));
    // Several results: `id:` picks one, and naming none lists them.
    let two = METRIC_DATA.replace("\"Messages\": []", "\"Other\": 1").replace(
        "    ],\n    \"Other\"",
        "    ,{ \"Id\": \"errors\", \"Timestamps\": [\"2024-03-05T14:00:00Z\"], \"Values\": [1] }],\n    \"Other\"",
    );
    let problems = parse(&two, "{ file: m.json }").unwrap_err();
    assert_eq!(problems[0].path, "traffic.sources[0].rate.trace.id");
    assert_eq!(problems[0].message, "`nasa.txt` has 2 results (ids `requests`, `errors`)");
    let rows = parse(&two, "{ file: m.json, id: errors }").unwrap();
    assert_eq!(times_and_values(&rows), [(T0, Some(1.0))]);
    let problems = parse(&two, "{ file: m.json, id: request }").unwrap_err();
    assert_eq!(problems[0].hint.as_deref(), Some("did you mean `requests`?"));
}

const STATISTICS: &str = r#"{
    "Label": "CPUUtilization",
    "Datapoints": [
        { "Timestamp": "2024-03-05T14:05:00Z", "Average": 41.5, "Maximum": 80.0, "Unit": "Percent" },
        { "Timestamp": "2024-03-05T14:00:00Z", "Average": 20.0, "Maximum": 35.0, "Unit": "Percent" }
    ]
}"#;

#[test]
fn get_metric_statistics_output_plays_the_statistic_named_or_the_only_one() {
    let problems = parse(STATISTICS, "{ file: s.json }").unwrap_err();
    assert_eq!(problems[0].path, "traffic.sources[0].rate.trace.statistic");
    assert_eq!(problems[0].message, "`nasa.txt` has several statistics: `Average`, `Maximum`");
    let rows = parse(STATISTICS, "{ file: s.json, statistic: Maximum }").unwrap();
    assert_eq!(times_and_values(&rows), [(T0, Some(35.0)), (T0 + 300 * SEC, Some(80.0))]);
    let problems = parse(STATISTICS, "{ file: s.json, statistic: Sum }").unwrap_err();
    assert_eq!(problems[0].message, "`nasa.txt` has no statistic `Sum`; it has `Average`, `Maximum`");
    let one = STATISTICS.replace(", \"Maximum\": 80.0", "").replace(", \"Maximum\": 35.0", "");
    let rows = parse(&one, "{ file: s.json }").unwrap();
    assert_eq!(times_and_values(&rows), [(T0, Some(20.0)), (T0 + 300 * SEC, Some(41.5))]);
    // Other JSON, or broken JSON, says what was expected.
    let problems = parse("{ \"items\": [] }", "{ file: s.json }").unwrap_err();
    assert_eq!(problems[0].message, "`nasa.txt` is JSON, but not CloudWatch output");
    let problems = parse("{ \"Datapoints\": [\n{ \"Timestamp\": 3 ", "{ file: s.json }").unwrap_err();
    assert!(problems[0].message.starts_with("not readable JSON"), "{}", problems[0].message);
    assert_eq!(problems[0].line, Some(2));
    let bad = one.replace("\"2024-03-05T14:00:00Z\"", "\"noon\"");
    let problems = parse(&bad, "{ file: s.json }").unwrap_err();
    assert_eq!(problems[0].message, "datapoint 2: `noon` is not a time");
}

/// A CSV trace of `rows` one-second rows with a wide label column; its total of requests.
fn write_csv(out: &mut impl Write, rows: u64) -> f64 {
    let mut total = 0.0;
    writeln!(out, "Timestamp,Sum,Label").unwrap();
    for i in 0..rows {
        let count = (i * 7919) % 1000;
        total += count as f64;
        writeln!(out, "{i},{count},\"RequestCount of app/web/50dc6c495c0c9188 in us-east-1, per second\"").unwrap();
    }
    total
}

fn load(dir: &std::path::Path, file: &str) -> (Result<TraceRows, Vec<Diagnostic>>, Vec<crate::scenario::TraceFile>) {
    let mut raw: RawRate = serde_yaml::from_str(&format!("{{ trace: {{ file: {file} }} }}")).unwrap();
    let (mut problems, mut files) = (Vec::new(), Vec::new());
    load_traces(
        &mut raw,
        &Path::root("traffic").field("sources").index(0).field("rate"),
        dir,
        &mut problems,
        &mut files,
    );
    let RawRate::Tagged(tagged) = raw else { panic!() };
    let TaggedRate::Trace(RawTrace { loaded, .. }) = *tagged else { panic!() };
    match loaded {
        TraceLoad::Read(rows) => (Ok(rows), files),
        _ => (Err(problems), files),
    }
}

#[test]
fn a_compressed_trace_is_read_as_a_stream_with_its_exact_total() {
    let dir = tempfile::tempdir().unwrap();
    // 300 000 rows: about 27 MB of text.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let total = write_csv(&mut gz, 300_000);
    let bytes = gz.finish().unwrap();
    std::fs::write(dir.path().join("alb.csv.gz"), &bytes).unwrap();
    let (rows, files) = load(dir.path(), "alb.csv.gz");
    let rows = rows.unwrap();
    assert_eq!(rows.samples.len(), 300_000);
    assert_eq!(rows.samples.iter().filter_map(|s| s.value).sum::<f64>(), total);
    assert_eq!(rows.lines[299_999], 300_001);
    let sha256: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(files[0].sha256, sha256);
    // bzip2 and zstd, whatever the file is called.
    let mut small = Vec::new();
    let total = write_csv(&mut small, 1_000);
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(&small).unwrap();
    std::fs::write(dir.path().join("a.csv"), bz.finish().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        ruzstd::encoding::compress_to_vec(&small[..], ruzstd::encoding::CompressionLevel::Fastest),
    )
    .unwrap();
    for name in ["a.csv", "b.txt"] {
        let rows = load(dir.path(), name).0.unwrap();
        assert_eq!(rows.samples.iter().filter_map(|s| s.value).sum::<f64>(), total, "{name}");
    }
    // A file cut short is an error, not a shorter trace.
    std::fs::write(dir.path().join("cut.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let problems = load(dir.path(), "cut.gz").0.unwrap_err();
    assert!(problems[0].message.contains("`cut.gz` is damaged"), "{problems:?}");
}

/// Peak resident memory of the process since the last reset, in bytes (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// The issue's case: a 500 MB compressed trace read in well under 100 MB. Run alone, in release:
/// `cargo test --release --lib big_compressed -- --ignored --nocapture`.
#[test]
#[ignore = "writes and reads a 500 MB file: about 20 s in release"]
fn a_big_compressed_trace_is_read_in_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv.gz");
    let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    // Rows of a time, a count and a 1 KB pseudo-random label (which compresses little), so that
    // the file is large for its number of samples.
    let (mut total, mut rows, mut state) = (0.0, 0u64, 0x2545_f491_4f6c_dd1du64);
    let mut label = vec![b'a'; 1000];
    writeln!(gz, "Timestamp,Sum,Label").unwrap();
    while gz.get_ref().get_ref().metadata().unwrap().len() < 500_000_000 {
        for _ in 0..100 {
            for b in label.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = b'a' + (state % 26) as u8;
            }
            let count = (rows * 7919) % 1000;
            total += count as f64;
            writeln!(gz, "{rows},{count},{}", std::str::from_utf8(&label).unwrap()).unwrap();
            rows += 1;
        }
    }
    gz.finish().unwrap().flush().unwrap();
    let compressed = std::fs::metadata(&path).unwrap().len();
    // Reset the peak (Linux: writing 5 to clear_refs resets VmHWM) so that only the read counts.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_rss();
    let (read, _) = load(dir.path(), "big.csv.gz");
    let read = read.unwrap();
    let peak = peak_rss();
    assert_eq!(read.samples.len() as u64, rows);
    assert_eq!(read.samples.iter().filter_map(|s| s.value).sum::<f64>(), total);
    eprintln!("{compressed} bytes compressed, {rows} rows: peak RSS {before:?} before, {peak:?} while reading");
    if let Some(peak) = peak {
        assert!(peak < 100_000_000, "peak RSS {peak} bytes");
    }
}

//! What the benches share: whether criterion runs in benchmark mode, and a median.

/// Criterion's benchmark mode, as its own argument parsing decides it: `cargo bench` passes
/// `--bench`; `cargo test --benches` does not, and then every benchmark runs once as a test.
pub fn benchmark_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !args.iter().any(|a| a.starts_with("--profile-time"))
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

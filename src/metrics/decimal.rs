//! Writing a number with a fixed count of decimals, exactly as `format!("{x:.d$}")` writes it,
//! but fast: the standard library's exact formatting falls back to big-number arithmetic
//! (Dragon4) for most values at 6 decimals, which was a tenth of a large run writing
//! metrics.csv.
//!
//! Contract: [`write_fixed`] appends the same bytes as `write!(out, "{x:.decimals$}")` for every
//! `f64` and every count of decimals. Where the scaled value `|x|·10^d` is below 2⁴⁰ (its
//! rounding error under 2⁻¹³) and not within 10⁻³ of a tie, the exact value rounds to the same
//! integer as the computed one, which is written with integer formatting; anything else (ties,
//! huge values, NaN, infinities, more than 9 decimals) goes to the standard library.

use std::fmt::Write;

const POW10: [u64; 10] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
/// Below this, a scaled value's rounding error is under 2⁻¹³.
const EXACT_BELOW: f64 = (1u64 << 40) as f64;
/// How far from a tie the scaled value must be for its rounding to be the exact value's.
const TIE_MARGIN: f64 = 1e-3;

/// Appends `x` with `decimals` decimals (see the module docs).
pub fn write_fixed(x: f64, decimals: usize, out: &mut String) {
    if let Some(&scale) = POW10.get(decimals) {
        let y = x.abs() * scale as f64;
        if y < EXACT_BELOW && (y - y.floor() - 0.5).abs() > TIE_MARGIN {
            let n = y.round() as u64;
            if x.is_sign_negative() {
                out.push('-');
            }
            let (whole, part) = (n / scale, n % scale);
            let written = if decimals == 0 { write!(out, "{whole}") } else { write!(out, "{whole}.{part:0decimals$}") };
            written.expect("writing to a String cannot fail");
            return;
        }
    }
    write!(out, "{x:.decimals$}").expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn standard(x: f64, d: usize) -> String {
        format!("{x:.d$}")
    }

    fn fast(x: f64, d: usize) -> String {
        let mut s = String::new();
        write_fixed(x, d, &mut s);
        s
    }

    #[test]
    fn ties_signs_and_edges_are_written_as_the_standard_library_writes_them() {
        let cases = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            1.005,
            2.675,
            0.045,
            -0.0004,
            -0.0006,
            1e-7,
            123456.789,
            9.9999995,
            0.9999996,
            1e12,
            1e15,
            1.0995e12,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4503599627370497.0,
        ];
        for x in cases {
            for d in 0..12 {
                assert_eq!(fast(x, d), standard(x, d), "{x:e} at {d} decimals");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn any_float_at_any_decimals_is_written_as_the_standard_library_writes_it(
            bits in any::<u64>(), mantissa in -1e7f64..1e7, d in 0usize..11,
        ) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(fast(x, d), standard(x, d));
            prop_assert_eq!(fast(mantissa, d), standard(mantissa, d));
            // Values on a decimal grid, where ties and near-ties live.
            let grid = (mantissa * 1e3).round() / 1e6;
            prop_assert_eq!(fast(grid, d), standard(grid, d));
        }
    }
}

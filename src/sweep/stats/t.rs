//! Student's t quantiles and CDF for the sweep statistics, from statrs, made total.
//!
//! statrs' `StudentsT` (available without its default features) is exact where a sweep lives, a
//! few to a thousand seeds, but it panics on some arguments, and its quantile drifts past a
//! thousand degrees of freedom and stops returning past about 10⁸. These wrappers keep to where it is right and
//! fall back on statrs' own CDF and normal distribution beyond, so every caller gets a finite
//! answer or `None`, never a panic or a hang.

use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

use super::finite;

/// Up to this many degrees of freedom statrs' t `inverse_cdf` is accurate (its CDF at the answer
/// is p to 10⁻¹²). Beyond, it drifts (by 10⁻⁸ at 10⁴, 7·10⁻⁶ at 10⁵, 0.06 at 10⁷ for p = 0.9) and
/// from about 10⁸ it never returns, so [`quantile`] solves the CDF instead.
const INVERSE_CDF_MAX_DF: f64 = 1e3;

/// Beyond this many degrees of freedom statrs' t CDF goes wrong (0.926 instead of 0.975 at 10¹⁵),
/// while the t distribution is the standard normal to within 2·10⁻⁸: its CDF is used instead
/// (statrs' `StudentsT` with infinite freedom).
const CDF_MAX_DF: f64 = 1e7;

/// Newton steps of [`quantile`] beyond [`INVERSE_CDF_MAX_DF`]. The normal quantile it starts
/// from is within 10⁻³ of the answer there, and the error squares at each step; a fixed count
/// keeps the result independent of any tolerance test.
const NEWTON_STEPS: usize = 4;

/// Quantile `p` of the standard t distribution with `df` degrees of freedom (a whole number,
/// n − 1); `None` unless 0 < p < 1 and df ≥ 1.
///
/// statrs is only asked for upper quantiles (p ≥ 0.5; lower ones by symmetry), where 1 − p is at
/// least 2⁻⁵³: its `inverse_cdf` panics on p outside [0, 1] and, for p = 10⁻³⁰⁰, inside its
/// incomplete beta function. Up to [`INVERSE_CDF_MAX_DF`] the answer is statrs' `inverse_cdf`;
/// beyond, Newton's method on statrs' t CDF and density from statrs' normal quantile. The upper
/// tail's CDF is concave, so the steps climb to the root from the normal quantile below it
/// without overshooting.
pub(super) fn quantile(p: f64, df: f64) -> Option<f64> {
    let (upper, sign) = if p < 0.5 { (1.0 - p, -1.0) } else { (p, 1.0) };
    if !(upper < 1.0 && df >= 1.0) {
        return None;
    }
    let quantile = if df <= INVERSE_CDF_MAX_DF {
        StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(upper)
    } else {
        let t = distribution(df)?;
        let mut x = Normal::new(0.0, 1.0).ok()?.inverse_cdf(upper);
        for _ in 0..NEWTON_STEPS {
            let step = (t.cdf(x) - upper) / t.pdf(x);
            if !step.is_finite() {
                break;
            }
            x -= step;
        }
        x
    };
    finite(sign * quantile)
}

/// CDF at `x` of the standard t distribution with `df` degrees of freedom; `None` when `x` is NaN
/// (statrs' incomplete beta function panics on it) or df is not positive.
pub(super) fn cdf(x: f64, df: f64) -> Option<f64> {
    if x.is_nan() {
        return None;
    }
    finite(distribution(df)?.cdf(x))
}

/// The standard t distribution with `df` degrees of freedom, the normal beyond [`CDF_MAX_DF`].
fn distribution(df: f64) -> Option<StudentsT> {
    let freedom = if df > CDF_MAX_DF { f64::INFINITY } else { df };
    StudentsT::new(0.0, 1.0, freedom).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|actual − expected| ≤ tol`, with both in the failure message.
    fn close(actual: f64, expected: f64, tol: f64) {
        assert!((actual - expected).abs() <= tol, "{actual} is not within {tol} of {expected}");
    }

    #[test]
    fn t_quantiles_match_the_textbook_at_any_df() {
        // Published two-sided 95% critical values: t(0.975, 3) = 3.182446, t(0.975, 7) = 2.364624,
        // t(0.975, 16) = 2.119905, t(0.975, 17) = 2.109816, t(0.975, 1000) = 1.962339 and, on the
        // other side of INVERSE_CDF_MAX_DF, t(0.975, 1001) = 1.962337. For larger df,
        // t ≈ z + (z³ + z)/(4·df) with z = 1.959964, i.e. 1.959988 at df 99 999 and
        // 1.959966 at 10⁶ (statrs' own inverse gives 1.959848 there); at 10⁸ and beyond, z itself.
        let textbook = [
            (3.0, 3.182446),
            (7.0, 2.364624),
            (16.0, 2.119905),
            (17.0, 2.109816),
            (1e3, 1.962339),
            (1e3 + 1.0, 1.962337),
            (1e4, 1.960201),
            (1e4 + 1.0, 1.960201),
            (99_999.0, 1.959988),
            (1e6, 1.959966),
            (1e8, 1.959964),
            (1e300, 1.959964),
        ];
        for (df, t) in textbook {
            close(quantile(0.975, df).unwrap(), t, 1e-6);
        }
        // t(0.9, 10⁷) = 1.281552 (z = 1.281552): statrs' inverse gives 1.220829.
        close(quantile(0.9, 1e7).unwrap(), 1.281552, 1e-6);
    }

    #[test]
    fn t_quantile_and_cdf_are_inverse_and_total() {
        let dfs = [1.0, 2.0, 7.0, 100.0, 1e3, 1e3 + 1.0, 1e4, 1e5, 1e6, 1e7, 1e8, 1e12, 1e300, f64::INFINITY];
        for df in dfs {
            for p in [0.1, 0.5, 0.9, 0.975, 0.995] {
                let q = quantile(p, df).unwrap();
                close(cdf(q, df).unwrap(), p, 1e-9);
            }
            // Extreme tails: no panic, no hang, no infinity (`None` when the tail is too thin).
            for p in [1e-300, 1e-12, 1.0 - 1e-9, 1.0 - f64::EPSILON / 2.0] {
                assert!(quantile(p, df).is_none_or(f64::is_finite), "df {df} p {p}");
            }
            assert_eq!((quantile(0.0, df), quantile(1.0, df), quantile(f64::NAN, df)), (None, None, None));
            assert_eq!(cdf(f64::NAN, df), None);
            assert_eq!((cdf(f64::INFINITY, df), cdf(f64::NEG_INFINITY, df)), (Some(1.0), Some(0.0)));
        }
        assert_eq!((quantile(0.9, 0.5), quantile(0.9, f64::NAN), cdf(1.0, -1.0)), (None, None, None));
    }

    #[test]
    fn statrs_inverse_cdf_is_finite_wherever_it_is_used() {
        // `quantile` hands statrs every whole df up to INVERSE_CDF_MAX_DF and p from 0.5 to the
        // largest f64 below 1 (1 − 2⁻⁵³); a statrs upgrade that panicked or overflowed there fails here.
        let ps: Vec<f64> = (1..=53).map(|k| 1.0 - 2_f64.powi(-k)).chain([0.5, 0.5 + f64::EPSILON / 2.0, 0.6]).collect();
        for df in 1..=INVERSE_CDF_MAX_DF as u32 {
            for &p in &ps {
                assert!(quantile(p, f64::from(df)).is_some(), "df {df} p {p}");
            }
        }
    }
}

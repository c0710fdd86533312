//! `pricing:`: overrides of the catalog's prices (aws-behaviour.md §2.4, §3.2).

use crate::catalog::fargate::FargatePrices;
use std::collections::BTreeMap;

use crate::catalog::InstanceType;
use crate::metrics::Pricing;
use crate::scenario::diagnostics::instance_type_hint;
use crate::scenario::path::Path;
use crate::scenario::schema::{RawFargatePrices, RawPricing};

use super::checker::Checker;

/// `root.instance_types`: a value per catalog instance type, by name, each checked by `value`
/// (which reports its own problems); an unknown name is reported with the closest known one.
/// Prices and speeds are overridden this way.
pub(super) fn instance_type_overrides(
    c: &mut Checker,
    root: &Path,
    raw: &BTreeMap<String, f64>,
    mut value: impl FnMut(&mut Checker, &Path, &InstanceType, f64) -> Option<f64>,
) -> BTreeMap<&'static str, f64> {
    let mut overrides = BTreeMap::new();
    for (name, &raw_value) in raw {
        let path = root.field("instance_types").key(name);
        let Some(itype) = c.instance_type(name) else {
            if c.rejected_instance_types.contains(name) {
                continue;
            }
            c.error(&path, &format!("unknown instance type `{name}`"), Some(&instance_type_hint(name)));
            continue;
        };
        if let Some(v) = value(c, &path, itype, raw_value) {
            overrides.insert(itype.name, v);
        }
    }
    overrides
}

/// The catalog's prices with the scenario's overrides applied. A bad value is reported and the
/// catalog's price kept in its place (the scenario is rejected anyway).
pub fn check(c: &mut Checker, raw: Option<&RawPricing>) -> Pricing {
    let mut pricing = Pricing::default();
    let Some(raw) = raw else { return pricing };
    let root = Path::root("pricing");
    pricing.instance_types = instance_type_overrides(c, &root, &raw.instance_types, |c, path, itype, usd| {
        let hint = format!("USD per instance-hour; the catalog's price for {} is {}", itype.name, itype.price_per_hour);
        price(c, path, usd, &hint)
    });
    if let Some(f) = &raw.fargate {
        pricing.fargate = fargate(c, &root.field("fargate"), f, pricing.fargate, "Linux/x86_64");
    }
    if let Some(f) = &raw.fargate_arm {
        pricing.fargate_arm = fargate(c, &root.field("fargate_arm"), f, pricing.fargate_arm, "Linux/ARM64");
    }
    if let Some(d) = raw.fargate_spot_discount {
        let path = &root.field("fargate_spot_discount");
        pricing.fargate_spot_discount = discount(c, path, d, "Fargate's", pricing.fargate_spot_discount);
    }
    if let Some(d) = raw.ec2_spot_discount {
        let path = &root.field("ec2_spot_discount");
        pricing.ec2_spot_discount = discount(c, path, d, "an EC2 instance's on-demand", pricing.ec2_spot_discount);
    }
    pricing
}

/// A Spot discount: a fraction in [0, 1) taken off `what` price; a bad one is reported and the
/// default kept.
fn discount(c: &mut Checker, path: &Path, value: f64, what: &str, default: f64) -> f64 {
    // Written so that NaN fails too.
    if (0.0..1.0).contains(&value) {
        return value;
    }
    c.error(
        path,
        &format!("{value} is out of range: must be at least 0 and below 1"),
        Some(&format!(
            "the fraction taken off {what} price: 0.65 makes Spot cost 35 % of on-demand (default {default})"
        )),
    );
    default
}

/// Fargate prices of one architecture: each given price replaces the catalog's.
fn fargate(c: &mut Checker, path: &Path, raw: &RawFargatePrices, catalog: FargatePrices, os: &str) -> FargatePrices {
    let mut prices = catalog;
    if let Some(usd) = raw.vcpu_hour {
        let hint = format!("USD per vCPU-hour; the catalog's {os} price is {}", catalog.vcpu_hour);
        prices.vcpu_hour = price(c, &path.field("vcpu_hour"), usd, &hint).unwrap_or(catalog.vcpu_hour);
    }
    if let Some(usd) = raw.gb_hour {
        let hint = format!("USD per GB-hour; the catalog's {os} price is {}", catalog.gb_hour);
        prices.gb_hour = price(c, &path.field("gb_hour"), usd, &hint).unwrap_or(catalog.gb_hour);
    }
    prices
}

/// A price: finite and above zero (a free or negative price is surely a typo, and would make
/// every cost comparison meaningless).
pub(super) fn price(c: &mut Checker, path: &Path, usd: f64, hint: &str) -> Option<f64> {
    if usd.is_finite() && usd > 0.0 && usd <= MAX_PRICE {
        Some(usd)
    } else {
        let message = format!("{usd} is not a price: must be a number greater than 0 and at most {MAX_PRICE}");
        c.error(path, &message, Some(hint));
        None
    }
}

/// USD per hour (or per vCPU- or GB-hour) above which a price is surely a typo, and a day's
/// costs would no longer be exact in a float: the dearest EC2 instances cost about 100.
const MAX_PRICE: f64 = 10_000.0;

//! Raw scalar values that validation interprets: durations (`250ms`, `90s`, `5m`, `2h`), random
//! durations (a duration or `{ lognormal: { median: 20ms, sigma: 0.5 } }`) and AWS's
//! CPU/memory strings (`1024`, `"1 vCPU"`, `"2 GB"`). They keep the author's text so that an
//! error can quote it; parsing into typed values happens once, in validation.

use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A YAML scalar exactly as written (numbers keep their source form).
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar(pub String);

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar value such as `90s` or `1024`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_owned()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
}

/// Written back as it would be typed: a number unquoted when the text is one, otherwise a string.
impl Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Ok(n) = self.0.parse::<i64>() {
            return s.serialize_i64(n);
        }
        match self.0.parse::<f64>() {
            Ok(x) if x.is_finite() && x.to_string() == self.0 => s.serialize_f64(x),
            _ => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A random duration: a plain duration (constant) or one tagged distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum RawDistribution {
    Constant(Scalar),
    Tagged(TaggedDistribution),
}

/// The distributions a scenario can name.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum TaggedDistribution {
    Constant(Scalar),
    Uniform { min: Scalar, max: Scalar },
    Exponential { mean: Scalar },
    Normal { mean: Scalar, std_dev: Scalar },
    Lognormal { median: Scalar, sigma: f64 },
}

struct DistributionVisitor;

impl<'de> Visitor<'de> for DistributionVisitor {
    type Value = RawDistribution;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration such as `2s`, or a distribution such as `{ uniform: { min: 1s, max: 3s } }`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDistribution, E> {
        ScalarVisitor.visit_str(v).map(RawDistribution::Constant)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDistribution, E> {
        ScalarVisitor.visit_u64(v).map(RawDistribution::Constant)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDistribution, E> {
        ScalarVisitor.visit_i64(v).map(RawDistribution::Constant)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDistribution, E> {
        ScalarVisitor.visit_f64(v).map(RawDistribution::Constant)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDistribution, A::Error> {
        TaggedDistribution::deserialize(MapAccessDeserializer::new(map)).map(RawDistribution::Tagged)
    }
}

impl Serialize for RawDistribution {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawDistribution::Constant(c) => c.serialize(s),
            RawDistribution::Tagged(t) => t.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RawDistribution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistributionVisitor)
    }
}

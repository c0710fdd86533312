//! Where a value is in the scenario document, as diagnostics print it and the source map finds
//! it: `services.web.desired_count`, `faults[0].at`, `traffic.sources[1].rate.sum[0]`.
//!
//! Paths are built step by step from a root, never typed out: `.field("at")` for a field of the
//! schema, `.key(name)` for an entry of a map the author names (a service, a target group),
//! `.index(i)` for an item of a list. A key is written as it is, dots and all
//! (`services.api.v2`): that is how the source map spells it.

use std::fmt;

/// A place in the scenario document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(String);

impl Path {
    /// A top-level field: `services`, `duration`.
    pub fn root(field: &str) -> Path {
        Path(field.to_string())
    }

    /// A field of the schema under this place: `services.web` → `services.web.desired_count`.
    pub fn field(&self, name: &str) -> Path {
        Path(format!("{}.{name}", self.0))
    }

    /// An entry of a map the author names: `services` → `services.web`.
    pub fn key(&self, key: &str) -> Path {
        self.field(key)
    }

    /// An item of a list: `faults` → `faults[2]`.
    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Path> for String {
    fn from(path: Path) -> String {
        path.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_the_document_nests() {
        let services = Path::root("services");
        assert_eq!(services.key("web").field("desired_count").to_string(), "services.web.desired_count");
        assert_eq!(Path::root("faults").index(0).field("at").to_string(), "faults[0].at");
        assert_eq!(services.key("api.v2").as_str(), "services.api.v2");
        let rate = Path::root("traffic").field("sources").index(1).field("rate").field("sum").index(0);
        assert_eq!(rate.as_str(), "traffic.sources[1].rate.sum[0]");
    }
}

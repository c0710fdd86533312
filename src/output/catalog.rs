//! `ecsim catalog`: what the simulator knows about instance types and Fargate sizes, as a table for
//! people or as csv/json for spreadsheets and scripts.
//!
//! Every figure comes from [`crate::catalog`]; this module only lays it out. Each section is one
//! list of columns (a stable snake_case key for csv/json, a short title for the table) and one row
//! of cells per entry, so the three formats cannot disagree: a price is formatted once, with fixed
//! decimals, and json parses that same text back into its number.

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::catalog::fargate::{self, FARGATE_ARM, FARGATE_MINIMUM_BILLED_SECONDS, FARGATE_SPOT_DISCOUNT, FARGATE_X86};
use crate::catalog::{
    instance_type, instance_type_names, EC2_PRICES_AS_OF, FARGATE_PRICES_AS_OF, FARGATE_SPEED, REFERENCE_GHZ,
};

/// Which part of the catalog to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogSection {
    /// EC2 instance types, in catalog order.
    Instances,
    /// Fargate Linux task sizes, ascending by (cpu, memory).
    Fargate,
}

/// How to print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogFormat {
    /// Aligned columns for a terminal, headed by where the prices come from.
    Table,
    /// One header row of stable column names, then one row per entry.
    Csv,
    /// An array of objects keyed by the csv column names; prices are numbers.
    Json,
}

/// Asking for something the format cannot hold.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("csv holds one table: ask for `instances` or `fargate`, e.g. `ecsim catalog instances --format csv`")]
    CsvNeedsSection,
}

/// Decimals of prices per hour and per day.
const HOURLY_DECIMALS: usize = 4;
const DAILY_DECIMALS: usize = 2;
/// Decimals of per-vCPU speeds (the catalog's are rounded to two).
const SPEED_DECIMALS: usize = 2;

/// Where the prices come from and what is assumed: the table's header, and what the command
/// prints on stderr beside csv/json so the data itself stays machine-readable.
pub fn catalog_notes() -> String {
    let discount = FARGATE_SPOT_DISCOUNT * 100.0;
    format!(
        "Prices: USD, us-east-1, Linux on-demand. EC2 prices {EC2_PRICES_AS_OF}; Fargate prices {FARGATE_PRICES_AS_OF}.\n\
         Fargate Spot = x86 on-demand x (1 - {FARGATE_SPOT_DISCOUNT:.2}): the {discount:.0}% discount is an assumption \
         (AWS says \"up to {discount:.0}%\" and Spot prices vary).\n"
    )
}

/// The catalog in `format`: one section, or both if `section` is None. Both sections only fit the
/// table (headed by [`catalog_notes`]) and json (an object `{"instances": [...], "fargate": [...]}`);
/// csv holds one table, so it needs a section.
pub fn catalog_text(section: Option<CatalogSection>, format: CatalogFormat) -> Result<String, CatalogError> {
    let sections = match section {
        Some(section) => vec![sheet(section)],
        None => vec![sheet(CatalogSection::Instances), sheet(CatalogSection::Fargate)],
    };
    Ok(match (format, section) {
        (CatalogFormat::Table, _) => {
            let mut out = catalog_notes();
            for sheet in &sections {
                out.push('\n');
                out.push_str(&sheet.table());
            }
            out
        }
        (CatalogFormat::Csv, Some(_)) => sections.iter().map(Sheet::csv).collect(),
        (CatalogFormat::Csv, None) => return Err(CatalogError::CsvNeedsSection),
        (CatalogFormat::Json, Some(_)) => json_text(&sections[0]),
        (CatalogFormat::Json, None) => json_text(&Sections(&sections)),
    })
}

fn json_text(value: &impl Serialize) -> String {
    // Strings and finite numbers under string keys: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Both sections as one json object, `{"instances": [...], "fargate": [...]}`.
struct Sections<'a>(&'a [Sheet]);

impl Serialize for Sections<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for sheet in self.0 {
            map.serialize_entry(sheet.key, sheet)?;
        }
        map.end()
    }
}

/// A section is an array of objects; serialised directly (not through `serde_json::Value`, which
/// sorts keys) so every object's keys come in column order, like the csv header.
impl Serialize for Sheet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.rows.len()))?;
        for row in &self.rows {
            seq.serialize_element(&JsonRow { columns: self.columns, cells: row })?;
        }
        seq.end()
    }
}

struct JsonRow<'a> {
    columns: &'a [Column],
    cells: &'a [Cell],
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (column, cell) in self.columns.iter().zip(self.cells) {
            map.serialize_entry(column.key, &cell.json())?;
        }
        map.end()
    }
}

/// One cell, typed so each format can print it its own way.
enum Cell {
    Text(String),
    Int(u32),
    /// A binary fraction (units / 1024), which prints exactly: "0.25", "8".
    Exact(f64),
    /// A price, printed with this many decimals everywhere.
    Fixed(f64, usize),
    /// Does not apply: "–" in the table, empty in csv, null in json.
    Absent,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Exact(x) => x.to_string(),
            Cell::Fixed(x, decimals) => format!("{x:.decimals$}"),
            Cell::Absent => String::new(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(text) => text.clone().into(),
            Cell::Int(n) => (*n).into(),
            Cell::Exact(x) => (*x).into(),
            // The same decimal the table and csv show, as a number.
            Cell::Fixed(x, _) => self.text().parse::<f64>().unwrap_or(*x).into(),
            Cell::Absent => serde_json::Value::Null,
        }
    }
}

struct Column {
    /// csv header and json key: stable, snake_case.
    key: &'static str,
    /// Table header: short.
    title: &'static str,
}

const fn col(key: &'static str, title: &'static str) -> Column {
    Column { key, title }
}

static INSTANCE_COLUMNS: &[Column] = &[
    col("type", "type"),
    col("architecture", "arch"),
    col("vcpus", "vCPU"),
    col("speed", "speed"),
    col("memory_gib", "GiB"),
    col("registered_cpu_units", "CPU units"),
    col("registered_memory_mib", "memory MiB"),
    col("max_enis", "ENIs"),
    col("awsvpc_tasks", "awsvpc"),
    col("awsvpc_tasks_trunk", "trunk"),
    col("price_per_hour_usd", "$/hour"),
    col("price_per_day_usd", "$/day"),
];

static FARGATE_COLUMNS: &[Column] = &[
    col("cpu_units", "CPU units"),
    col("memory_mib", "memory MiB"),
    col("vcpus", "vCPU"),
    col("memory_gb", "GB"),
    col("price_per_hour_x86_usd", "x86 $/hour"),
    col("price_per_hour_arm64_usd", "ARM $/hour"),
    col("price_per_hour_spot_x86_usd", "Spot $/hour"),
];

/// One section: its rows under its columns, plus what the table says above them.
struct Sheet {
    /// The section's key in the combined json object.
    key: &'static str,
    heading: String,
    columns: &'static [Column],
    rows: Vec<Vec<Cell>>,
}

fn sheet(section: CatalogSection) -> Sheet {
    match section {
        CatalogSection::Instances => instances_sheet(),
        CatalogSection::Fargate => fargate_sheet(),
    }
}

fn units(n: u32) -> f64 {
    f64::from(n) / 1024.0
}

fn instances_sheet() -> Sheet {
    let rows: Vec<Vec<Cell>> = instance_type_names()
        .filter_map(instance_type)
        .map(|t| {
            vec![
                Cell::Text(t.name.to_string()),
                Cell::Text(t.architecture.as_str().to_string()),
                Cell::Int(t.vcpus),
                Cell::Fixed(t.speed, SPEED_DECIMALS),
                Cell::Exact(units(t.memory_mib)),
                Cell::Int(t.registered_cpu()),
                Cell::Int(t.registered_memory_mib(0)),
                Cell::Int(t.max_enis),
                Cell::Int(t.awsvpc_task_limit(false)),
                t.trunk_task_limit.map_or(Cell::Absent, |_| Cell::Int(t.awsvpc_task_limit(true))),
                Cell::Fixed(t.price_per_hour, HOURLY_DECIMALS),
                Cell::Fixed(t.price_per_hour * 24.0, DAILY_DECIMALS),
            ]
        })
        .collect();
    Sheet {
        key: "instances",
        heading: format!(
            "EC2 instance types ({}). CPU units and memory MiB are what ECS registers (ECS_RESERVED_MEMORY=0);\n\
             awsvpc / trunk: awsvpc-mode tasks per instance without / with ENI trunking (– = cannot trunk).\n\
             speed: per-vCPU speed, m5 = 1.00; ecsim's default = all-core turbo GHz / {REFERENCE_GHZ} x a per-core factor.\n",
            rows.len()
        ),
        columns: INSTANCE_COLUMNS,
        rows,
    }
}

fn fargate_sheet() -> Sheet {
    let rows: Vec<Vec<Cell>> = fargate::cpu_options()
        .iter()
        .flat_map(|&cpu| fargate::memory_options(cpu).unwrap_or_default().into_iter().map(move |memory| (cpu, memory)))
        .map(|(cpu, memory)| {
            let x86 = FARGATE_X86.hourly_price(cpu, memory);
            vec![
                Cell::Int(cpu),
                Cell::Int(memory),
                Cell::Exact(units(cpu)),
                Cell::Exact(units(memory)),
                Cell::Fixed(x86, HOURLY_DECIMALS),
                Cell::Fixed(FARGATE_ARM.hourly_price(cpu, memory), HOURLY_DECIMALS),
                Cell::Fixed(x86 * (1.0 - FARGATE_SPOT_DISCOUNT), HOURLY_DECIMALS),
            ]
        })
        .collect();
    Sheet {
        key: "fargate",
        heading: format!(
            "Fargate task sizes ({}), Linux; 1 GB = 1024 MiB. Billed per second, {FARGATE_MINIMUM_BILLED_SECONDS} s minimum.\n\
             Per-vCPU speed {FARGATE_SPEED:.2} (ecsim's default: AWS does not say which processor).\n",
            rows.len()
        ),
        columns: FARGATE_COLUMNS,
        rows,
    }
}

impl Sheet {
    /// The heading, then aligned columns: text left, numbers right, two spaces apart.
    fn table(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| if matches!(c, Cell::Absent) { "–".to_string() } else { c.text() }).collect())
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells.iter().map(|r| r[i].chars().count()).chain([c.title.chars().count()]).max().unwrap_or(0)
            })
            .collect();
        // A column is left-aligned if it holds text (judged on the first row; columns are uniform).
        let left: Vec<bool> = match self.rows.first() {
            Some(row) => row.iter().map(|c| matches!(c, Cell::Text(_))).collect(),
            None => vec![true; self.columns.len()],
        };
        let line = |fields: &mut dyn Iterator<Item = &str>| {
            let mut out = String::new();
            for (i, field) in fields.enumerate() {
                let sep = if i == 0 { "" } else { "  " };
                let width = widths[i];
                let _ = if left[i] { write!(out, "{sep}{field:<width$}") } else { write!(out, "{sep}{field:>width$}") };
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
            out
        };
        let mut out = self.heading.clone();
        out.push_str(&line(&mut self.columns.iter().map(|c| c.title)));
        for row in &cells {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
        }
        out
    }

    /// A header row of column keys, then the rows (RFC 4180, `\n` line ends).
    fn csv(&self) -> String {
        let mut out = self.columns.iter().map(|c| csv_field(c.key)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&row.iter().map(|c| csv_field(&c.text())).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        out
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(section: Option<CatalogSection>, format: CatalogFormat) -> String {
        catalog_text(section, format).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn table_rows_are_aligned_and_exact() {
        let table = text(Some(CatalogSection::Instances), CatalogFormat::Table);
        assert!(table.starts_with("Prices: USD, us-east-1, Linux on-demand."), "{table}");
        let m5 = table.lines().find(|l| l.starts_with("m5.large ")).unwrap_or_default();
        let fields: Vec<&str> = m5.split_whitespace().collect();
        assert_eq!(fields, ["m5.large", "x86_64", "2", "1.00", "8", "2048", "7985", "3", "2", "10", "0.0960", "2.30"]);
        let t3 = table.lines().find(|l| l.starts_with("t3.nano ")).unwrap_or_default();
        assert!(t3.contains(" 1      –  0.0052"), "{t3}");
        // Every data line has the header's length: right-aligned columns end together.
        let header = table.lines().find(|l| l.starts_with("type ")).unwrap_or_default();
        let width = |l: &str| l.chars().count();
        let rows: Vec<&str> = table.lines().filter(|l| l.contains("x86_64") || l.contains("arm64")).collect();
        assert_eq!(rows.len(), 70);
        assert!(rows.iter().all(|l| width(l) == width(header)), "{table}");
    }

    #[test]
    fn fargate_prices() {
        let csv = text(Some(CatalogSection::Fargate), CatalogFormat::Csv);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "cpu_units,memory_mib,vcpus,memory_gb,price_per_hour_x86_usd,price_per_hour_arm64_usd,price_per_hour_spot_x86_usd"
            )
        );
        // 0.25 * 0.04048 + 0.5 * 0.004445 = 0.0123425; ARM 0.25 * 0.03238 + 0.5 * 0.00356 = 0.009875;
        // Spot 0.0123425 * 0.3 = 0.00370275.
        assert_eq!(lines.next(), Some("256,512,0.25,0.5,0.0123,0.0099,0.0037"));
        assert_eq!(lines.last(), Some("16384,122880,16,120,1.1811,0.9453,0.3543"));
        assert_eq!(csv.lines().count(), 1 + 74);
    }

    #[test]
    fn json_numbers_match_the_text() {
        let json: serde_json::Value =
            serde_json::from_str(&text(None, CatalogFormat::Json)).unwrap_or(serde_json::Value::Null);
        let m5 = &json["instances"][18];
        assert_eq!(m5["type"], "m5.large");
        assert_eq!(m5["price_per_hour_usd"], 0.096);
        assert_eq!(m5["speed"], 1.0);
        assert_eq!(json["instances"][31]["type"], "m6g.large");
        assert_eq!(json["instances"][31]["speed"], 0.81);
        assert_eq!(m5["price_per_day_usd"], 2.3);
        assert_eq!(json["instances"][0]["awsvpc_tasks_trunk"], serde_json::Value::Null);
        assert_eq!(json["fargate"][0]["price_per_hour_x86_usd"], 0.0123);
    }

    #[test]
    fn json_keys_come_in_column_order() {
        let json = text(Some(CatalogSection::Fargate), CatalogFormat::Json);
        let first_object = json.split('}').next().unwrap_or_default();
        let positions: Vec<usize> =
            FARGATE_COLUMNS.iter().filter_map(|c| first_object.find(&format!("\"{}\":", c.key))).collect();
        assert_eq!(positions.len(), FARGATE_COLUMNS.len(), "{first_object}");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first_object}");
    }

    #[test]
    fn csv_needs_a_section() {
        assert!(matches!(catalog_text(None, CatalogFormat::Csv), Err(CatalogError::CsvNeedsSection)));
    }

    #[test]
    fn csv_quotes_when_needed() {
        assert_eq!(csv_field("m5.large"), "m5.large");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}

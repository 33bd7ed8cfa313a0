//! Records to NOF metric values: polars lazy queries over the month partitions, run on the
//! streaming engine, so memory stays bounded whatever the number of rows.
//!
//! One pass per dataset groups every record by month, organisation, the first check it fails
//! (0 when none) and its kind (department type, ambulance category), counting records and the
//! two conditional sums the metrics need. Groups that failed a check, or whose organisation is
//! not a trust in the register, are quarantined; only then does a second pass over the files
//! with bad records list each one with its file, row, column, value and reason.
//!
//! Definitions (NHS England's, as the acute NOF file's OF0013 and OF0014 use them):
//! - A&E: time in department is `departure_ts - arrival_ts`. Within 4 hours means at most
//!   4:00:00 (all department types, OF0013); over 12 hours means more than 12:00:00, of type 1
//!   attendances (OF0014). A record belongs to the London civil month of its arrival.
//! - RTT: the wait is `snapshot_date - clock_start` in days; within 18 weeks means at most 126
//!   days (OF0023), over 52 weeks more than 364 days (OF0003).
//! - Ambulance: response time `arrival_ts - call_ts`; the category mean over incidents with an
//!   arrival (OF8011, OF0017, OF8013, OF8014 for categories 1–4), by the month of the call.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use league_ingest::{Resolution, RowError, Rule, TrustRegister};
use league_model::TrustCode;

use crate::calendar::{bounds_days, bounds_us, show_days, show_us};
use crate::layout::{ColumnType, Extract, Month, Partition, partitions};
use crate::{RecordsError, SYNTHETIC_KEY};

/// How a metric's months make its quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Counts add up over the three months.
    Sum,
    /// The quarter's latest month (a month-end snapshot).
    LatestMonth,
}

/// What a metric's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `100 * numerator / denominator`.
    Percent,
    /// `numerator / denominator / 60`: numerator in seconds, value in minutes.
    MeanMinutes,
}

/// A metric the records yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    /// NOF metric id of the raw value.
    pub id: &'static str,
    /// Where it comes from.
    pub dataset: Extract,
    /// How months make a quarter.
    pub fold: Fold,
    /// Value unit.
    pub unit: Unit,
}

const fn m(id: &'static str, dataset: Extract, fold: Fold, unit: Unit) -> MetricDef {
    MetricDef {
        id,
        dataset,
        fold,
        unit,
    }
}

/// Every metric the records yield, in output order.
pub const METRICS: [MetricDef; 8] = [
    m("OF0013", Extract::Ae, Fold::Sum, Unit::Percent),
    m("OF0014", Extract::Ae, Fold::Sum, Unit::Percent),
    m("OF0023", Extract::Rtt, Fold::LatestMonth, Unit::Percent),
    m("OF0003", Extract::Rtt, Fold::LatestMonth, Unit::Percent),
    m("OF8011", Extract::Ambulance, Fold::Sum, Unit::MeanMinutes),
    m("OF0017", Extract::Ambulance, Fold::Sum, Unit::MeanMinutes),
    m("OF8013", Extract::Ambulance, Fold::Sum, Unit::MeanMinutes),
    m("OF8014", Extract::Ambulance, Fold::Sum, Unit::MeanMinutes),
];

/// One metric's exact counts for a trust and month.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cell {
    /// Records meeting the metric's condition (for a mean: the seconds summed).
    pub numerator: f64,
    /// Records the metric is over.
    pub denominator: u64,
}

/// What one dataset's records gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractStats {
    /// The dataset.
    pub dataset: Option<Extract>,
    /// `DIR/<dataset>`.
    pub dir: String,
    /// Month partitions read, in order.
    pub months: Vec<Month>,
    /// Parquet files read.
    pub files: usize,
    /// Records read.
    pub records: u64,
    /// Records by month.
    pub records_by_month: BTreeMap<Month, u64>,
    /// Records quarantined.
    pub quarantined: u64,
    /// Records quarantined, per rule.
    pub by_rule: BTreeMap<Rule, u64>,
    /// Records under a predecessor's code credited to its successor.
    pub remapped: u64,
    /// Records that passed every check, by the trust they are credited to and month.
    pub accepted: BTreeMap<(TrustCode, Month), u64>,
    /// Whether any file carries the `synthetic` marker.
    pub synthetic: bool,
}

/// Everything the records gave.
#[derive(Debug, Clone, Default)]
pub struct Aggregation {
    /// Per dataset present, in [`Extract::ALL`] order.
    pub stats: Vec<ExtractStats>,
    /// Exact counts by (metric id, trust, month).
    pub cells: BTreeMap<(&'static str, TrustCode, Month), Cell>,
    /// Every quarantined record, in file and row order.
    pub findings: Vec<RowError>,
}

impl Aggregation {
    /// The stats of a dataset, if it was present.
    pub fn stats(&self, d: Extract) -> Option<&ExtractStats> {
        self.stats.iter().find(|s| s.dataset == Some(d))
    }
}

// The first check a record fails, in the order they are tried.
const OK: i32 = 0;
const MISSING: i32 = 1;
const RANGE: i32 = 2;
const OUTSIDE: i32 = 3;
const ORDER: i32 = 4;

const US: i64 = 1_000_000;

/// The row index column of the detail pass (a name no layout uses).
const ROW: &str = "__league_row";

/// Reads every dataset under `dir` and aggregates it.
pub fn aggregate(dir: &Path, register: &TrustRegister) -> Result<Aggregation, RecordsError> {
    if !dir.is_dir() {
        return Err(RecordsError::Layout {
            file: dir.display().to_string(),
            reason: "not a directory of record extracts".into(),
        });
    }
    let mut agg = Aggregation::default();
    for d in Extract::ALL {
        let parts = partitions(dir, d)?;
        if parts.is_empty() {
            continue;
        }
        aggregate_dataset(dir, d, &parts, register, &mut agg)?;
    }
    if agg.stats.is_empty() {
        return Err(RecordsError::Layout {
            file: dir.display().to_string(),
            reason: "holds none of ae/, rtt/, ambulance/ (month-partitioned Parquet)".into(),
        });
    }
    Ok(agg)
}

/// A file's row count and whether it is marked synthetic, from its footer; checks its columns.
fn inspect(path: &Path, d: Extract) -> Result<(u64, bool), RecordsError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let name = path.display().to_string();
    let f = File::open(path).map_err(|source| RecordsError::Io {
        path: name.clone(),
        source,
    })?;
    let reader = SerializedFileReader::new(f).map_err(|e| RecordsError::Layout {
        file: name.clone(),
        reason: format!("not a readable Parquet file: {e}"),
    })?;
    let meta = reader.metadata().file_metadata();
    let rows = u64::try_from(meta.num_rows()).unwrap_or(0);
    let synthetic = meta.key_value_metadata().is_some_and(|kv| {
        kv.iter()
            .any(|k| k.key == SYNTHETIC_KEY && k.value.as_deref() == Some("true"))
    });
    let schema = LazyFrame::scan_parquet(PlRefPath::new(name.as_str()), ScanArgsParquet::default())
        .and_then(|mut lf| lf.collect_schema())
        .map_err(|e| RecordsError::Layout {
            file: name.clone(),
            reason: format!("cannot read the schema: {e}"),
        })?;
    for c in d.columns() {
        let Some(dtype) = schema.get(c.name) else {
            return Err(RecordsError::Column {
                file: name,
                column: c.name.into(),
                reason: format!("missing (the {d} layout needs it: data/schema/records/{d}.toml)"),
            });
        };
        let ok = match c.kind {
            ColumnType::String => matches!(dtype, DataType::String),
            ColumnType::Integer => dtype.is_integer(),
            ColumnType::Boolean => matches!(dtype, DataType::Boolean),
            ColumnType::Date => matches!(dtype, DataType::Date),
            ColumnType::TimestampUtc => matches!(
                dtype,
                DataType::Datetime(TimeUnit::Microseconds, Some(tz)) if tz.as_str() == "UTC"
            ),
        };
        if !ok {
            return Err(RecordsError::Column {
                file: name,
                column: c.name.into(),
                reason: format!("type {dtype}; the layout says {}", c.kind.name()),
            });
        }
    }
    Ok((rows, synthetic))
}

/// Which pass over the records a query serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The totals: counts and sums by trust and month.
    Totals,
    /// The detail of the bad records: their row numbers and the first null column.
    Detail,
}

/// The per-record columns a dataset's query needs: `org_code`, `reason`, `kind`, `a`, `b`, and
/// (for the detail pass) `start`, `end` as plain integers and `null_col`, the index in
/// [`required`] of the first null column (-1 if none).
fn checked(lf: LazyFrame, d: Extract, month: Month, pass: Pass) -> LazyFrame {
    let keep_row = |mut cols: Vec<Expr>| {
        if pass == Pass::Detail {
            let first_null = required(d)
                .iter()
                .enumerate()
                .rev()
                .fold(lit(-1i32), |rest, (i, c)| {
                    when(col(*c).is_null()).then(lit(i as i32)).otherwise(rest)
                });
            cols.insert(0, col(ROW));
            cols.push(first_null.alias("null_col"));
        }
        cols
    };
    let i64c = |n: &str| col(n).cast(DataType::Int64);
    let missing = || {
        required(d)
            .iter()
            .map(|c| col(*c).is_null())
            .reduce(|a, b| a.or(b))
            .expect("columns")
    };
    match d {
        Extract::Ae => {
            let (m0, m1) = bounds_us(month);
            let (arr, dep, kind) = (
                i64c("arrival_ts"),
                i64c("departure_ts"),
                col("department_type").cast(DataType::Int32),
            );
            let reason = when(missing())
                .then(lit(MISSING))
                .when(kind.clone().lt(lit(1)).or(kind.clone().gt(lit(4))))
                .then(lit(RANGE))
                .when(arr.clone().lt(lit(m0)).or(arr.clone().gt_eq(lit(m1))))
                .then(lit(OUTSIDE))
                .when(dep.clone().lt(arr.clone()))
                .then(lit(ORDER))
                .otherwise(lit(OK));
            let dur = dep.clone() - arr.clone();
            lf.select(keep_row(vec![
                col("org_code"),
                reason.alias("reason"),
                kind.alias("kind"),
                dur.clone().lt_eq(lit(4 * 3600 * US)).alias("a"),
                dur.gt(lit(12 * 3600 * US)).alias("b"),
                arr.alias("start"),
                dep.alias("end"),
            ]))
        }
        Extract::Rtt => {
            let (d0, d1) = bounds_days(month);
            let (start, snap) = (
                col("clock_start").cast(DataType::Int32),
                col("snapshot_date").cast(DataType::Int32),
            );
            let reason = when(missing())
                .then(lit(MISSING))
                .when(snap.clone().lt(lit(d0)).or(snap.clone().gt_eq(lit(d1))))
                .then(lit(OUTSIDE))
                .when(start.clone().gt(snap.clone()))
                .then(lit(ORDER))
                .otherwise(lit(OK));
            let wait = snap.clone() - start.clone();
            lf.select(keep_row(vec![
                col("org_code"),
                reason.alias("reason"),
                // The snapshot date: a trust-month with two snapshots would count twice.
                snap.clone().alias("kind"),
                wait.clone().lt_eq(lit(126)).alias("a"),
                wait.gt(lit(364)).alias("b"),
                start.cast(DataType::Int64).alias("start"),
                snap.cast(DataType::Int64).alias("end"),
            ]))
        }
        Extract::Ambulance => {
            let (m0, m1) = bounds_us(month);
            let (call, arr, kind) = (
                i64c("call_ts"),
                i64c("arrival_ts"),
                col("category").cast(DataType::Int32),
            );
            let reason = when(missing())
                .then(lit(MISSING))
                .when(
                    kind.clone()
                        .is_null()
                        .or(kind.clone().lt(lit(1)))
                        .or(kind.clone().gt(lit(4))),
                )
                .then(lit(RANGE))
                .when(call.clone().lt(lit(m0)).or(call.clone().gt_eq(lit(m1))))
                .then(lit(OUTSIDE))
                .when(arr.clone().lt(call.clone()))
                .then(lit(ORDER))
                .otherwise(lit(OK));
            lf.select(keep_row(vec![
                col("org_code"),
                reason.alias("reason"),
                kind.alias("kind"),
                arr.clone().is_not_null().alias("a"),
                // Summed as floats: exact below 2^53 microseconds, and never wrapping.
                (arr.clone() - call.clone())
                    .cast(DataType::Float64)
                    .alias("b"),
                call.alias("start"),
                arr.alias("end"),
            ]))
        }
    }
}

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(
        PlRefPath::new(path.display().to_string()),
        ScanArgsParquet::default(),
    )
}

/// One group of the first pass.
struct Group {
    month: Month,
    org: Option<String>,
    reason: i32,
    kind: Option<i32>,
    n: u64,
    a: f64,
    b: f64,
}

/// The first pass: one streaming query per file (each bounded by its file, whatever the
/// engine holds), one file per rayon worker at a time (one worker per core, so memory is
/// bounded by that many files; the overlap fills each query's serial start and tail), partial
/// groups merged here in file order (so float sums add up in the same order on every run). Returns the groups, sorted, and the records each
/// file gave (to compare with its footer).
fn first_pass(d: Extract, parts: &[Partition]) -> Result<(Vec<Group>, Vec<u64>), RecordsError> {
    use rayon::prelude::*;
    type Key = (Month, Option<String>, i32, Option<i32>);
    let files: Vec<(Month, &std::path::PathBuf)> = parts
        .iter()
        .flat_map(|p| p.files.iter().map(move |f| (p.month, f)))
        .collect();
    let frames: Vec<Result<DataFrame, RecordsError>> = files
        .par_iter()
        .map(|(month, f)| {
            let name = f.display().to_string();
            let lf = scan(f).map_err(RecordsError::polars(format!("scan {name}")))?;
            Ok(checked(lf, d, *month, Pass::Totals)
                .group_by([col("org_code"), col("reason"), col("kind")])
                .agg([
                    len().alias("n"),
                    col("a").sum().cast(DataType::Float64).alias("a"),
                    col("b").sum().cast(DataType::Float64).alias("b"),
                ])
                .collect_with_engine(Engine::Streaming)
                .map_err(RecordsError::polars(format!(
                    "aggregate the records of {name}"
                )))?
                .unwrap_single())
        })
        .collect();
    let mut merged: BTreeMap<Key, (u64, f64, f64)> = BTreeMap::new();
    let mut per_file = Vec::with_capacity(files.len());
    for ((month, f), df) in files.iter().zip(frames) {
        let df = df?;
        let err = RecordsError::polars(format!("read the aggregate of {}", f.display()));
        let mut read = || -> PolarsResult<u64> {
            let org = df.column("org_code")?.str()?;
            let reason = df.column("reason")?.i32()?;
            let kind = df.column("kind")?.i32()?;
            let n = df.column("n")?.cast(&DataType::UInt64)?;
            let n = n.u64()?;
            let a = df.column("a")?.f64()?;
            let b = df.column("b")?.f64()?;
            let mut total = 0;
            for i in 0..df.height() {
                let key = (
                    *month,
                    org.get(i).map(str::to_owned),
                    reason.get(i).unwrap_or(MISSING),
                    kind.get(i),
                );
                let e = merged.entry(key).or_default();
                let rows = n.get(i).unwrap_or(0);
                e.0 += rows;
                e.1 += a.get(i).unwrap_or(0.0);
                e.2 += b.get(i).unwrap_or(0.0);
                total += rows;
            }
            Ok(total)
        };
        per_file.push(read().map_err(err)?);
    }
    let groups = merged
        .into_iter()
        .map(|((month, org, reason, kind), (n, a, b))| Group {
            month,
            org,
            reason,
            kind,
            n,
            a,
            b,
        })
        .collect();
    Ok((groups, per_file))
}

/// What a code is in a month.
#[derive(Debug, Clone)]
enum Org {
    Trust(TrustCode, bool),
    Bad(Rule, String),
}

fn resolve(register: &TrustRegister, raw: &str, month: Month) -> Org {
    let code = match TrustCode::parse(raw) {
        Ok(c) => c,
        Err(e) => return Org::Bad(Rule::InvalidCode, e.to_string()),
    };
    match register.resolve(&code, month) {
        Resolution::Trust(_) => Org::Trust(code, false),
        Resolution::Successor { to, .. } => Org::Trust(to.code.clone(), true),
        Resolution::Closed(e) => Org::Bad(
            Rule::ClosedOrg,
            league_ingest::closed_reason(&code, e, month),
        ),
        Resolution::Unknown => Org::Bad(
            Rule::UnknownOrg,
            "unknown organisation code: not in the trust register".into(),
        ),
    }
}

fn reason_rule(d: Extract, reason: i32) -> (Rule, &'static str, &'static str) {
    match (d, reason) {
        (_, MISSING) => (Rule::MissingValue, "", "a required value is null"),
        (Extract::Ae, RANGE) => (
            Rule::ValueRange,
            "department_type",
            "department type must be 1 to 4",
        ),
        (_, RANGE) => (Rule::ValueRange, "category", "category must be 1 to 4"),
        (Extract::Ae, OUTSIDE) => (
            Rule::OutsidePeriod,
            "arrival_ts",
            "arrival is outside the partition's month (London time)",
        ),
        (Extract::Rtt, OUTSIDE) => (
            Rule::OutsidePeriod,
            "snapshot_date",
            "snapshot date is outside the partition's month",
        ),
        (_, OUTSIDE) => (
            Rule::OutsidePeriod,
            "call_ts",
            "call is outside the partition's month (London time)",
        ),
        (Extract::Ae, _) => (Rule::TimeOrder, "departure_ts", "departure before arrival"),
        (Extract::Rtt, _) => (
            Rule::TimeOrder,
            "clock_start",
            "clock start after the snapshot date",
        ),
        (_, _) => (Rule::TimeOrder, "arrival_ts", "arrival before the call"),
    }
}

fn aggregate_dataset(
    dir: &Path,
    d: Extract,
    parts: &[Partition],
    register: &TrustRegister,
    agg: &mut Aggregation,
) -> Result<(), RecordsError> {
    let mut stats = ExtractStats {
        dataset: Some(d),
        dir: dir.join(d.name()).display().to_string(),
        months: parts.iter().map(|p| p.month).collect(),
        ..ExtractStats::default()
    };
    let mut footers = Vec::new();
    for p in parts {
        for f in &p.files {
            let (rows, synthetic) = inspect(f, d)?;
            stats.files += 1;
            stats.records += rows;
            *stats.records_by_month.entry(p.month).or_default() += rows;
            stats.synthetic |= synthetic;
            footers.push((f, rows));
        }
    }
    let (groups, per_file) = first_pass(d, parts)?;
    for ((f, footer), read) in footers.iter().zip(&per_file) {
        if footer != read {
            return Err(RecordsError::Layout {
                file: f.display().to_string(),
                reason: format!("its footer counts {footer} records but {read} could be read"),
            });
        }
    }
    let mut orgs: BTreeMap<(String, Month), Org> = BTreeMap::new();
    let mut bad_orgs: BTreeMap<Month, BTreeMap<String, (Rule, String)>> = BTreeMap::new();
    // RTT: a trust's waiting list in a month is its latest snapshot there; the records of an
    // earlier snapshot of the same trust and month are quarantined, not counted twice.
    let mut latest: BTreeMap<(TrustCode, Month), i32> = BTreeMap::new();
    if d == Extract::Rtt {
        for g in groups.iter().filter(|g| g.reason == OK) {
            let raw = g.org.clone().unwrap_or_default();
            let org = orgs
                .entry((raw.clone(), g.month))
                .or_insert_with(|| resolve(register, &raw, g.month));
            if let (Org::Trust(code, _), Some(k)) = (org, g.kind) {
                let e = latest.entry((code.clone(), g.month)).or_insert(k);
                *e = (*e).max(k);
            }
        }
    }
    let mut stale: BTreeMap<Month, BTreeMap<String, i32>> = BTreeMap::new();
    let mut any_bad = false;
    let mut counted = 0u64;
    for g in &groups {
        counted += g.n;
        if g.reason != OK {
            let (rule, _, _) = reason_rule(d, g.reason);
            stats.quarantined += g.n;
            *stats.by_rule.entry(rule).or_default() += g.n;
            any_bad = true;
            continue;
        }
        let raw = g.org.clone().unwrap_or_default();
        let org = orgs
            .entry((raw.clone(), g.month))
            .or_insert_with(|| resolve(register, &raw, g.month))
            .clone();
        let code = match org {
            Org::Trust(code, remapped) => {
                let last = latest.get(&(code.clone(), g.month)).copied();
                if let (Some(last), Some(k)) = (last, g.kind)
                    && k < last
                {
                    stats.quarantined += g.n;
                    *stats.by_rule.entry(Rule::DuplicateKey).or_default() += g.n;
                    stale.entry(g.month).or_default().insert(raw, last);
                    any_bad = true;
                    continue;
                }
                if remapped {
                    stats.remapped += g.n;
                }
                code
            }
            Org::Bad(rule, why) => {
                stats.quarantined += g.n;
                *stats.by_rule.entry(rule).or_default() += g.n;
                bad_orgs
                    .entry(g.month)
                    .or_default()
                    .insert(raw, (rule, why));
                any_bad = true;
                continue;
            }
        };
        *stats.accepted.entry((code.clone(), g.month)).or_default() += g.n;
        add_cells(d, g, code, &mut agg.cells);
    }
    debug_assert_eq!(counted, stats.records, "every record is in one group");
    if any_bad {
        let found = detail_pass(d, parts, &bad_orgs, &stale, &mut agg.findings)?;
        if found != stats.quarantined {
            return Err(RecordsError::Request(format!(
                "internal: {} {d} records failed a check but {found} were listed",
                stats.quarantined
            )));
        }
    }
    agg.stats.push(stats);
    Ok(())
}

fn add_cells(
    d: Extract,
    g: &Group,
    code: TrustCode,
    cells: &mut BTreeMap<(&'static str, TrustCode, Month), Cell>,
) {
    let mut add = |id: &'static str, num: f64, den: u64| {
        let c = cells.entry((id, code.clone(), g.month)).or_default();
        c.numerator += num;
        c.denominator += den;
    };
    match d {
        Extract::Ae => {
            add("OF0013", g.a, g.n);
            if g.kind == Some(1) {
                add("OF0014", g.b, g.n);
            }
        }
        Extract::Rtt => {
            add("OF0023", g.a, g.n);
            add("OF0003", g.b, g.n);
        }
        Extract::Ambulance => {
            let id = match g.kind {
                Some(1) => "OF8011",
                Some(2) => "OF0017",
                Some(3) => "OF8013",
                Some(4) => "OF8014",
                _ => unreachable!("categories outside 1-4 are quarantined"),
            };
            // b is the sum of response times in microseconds over incidents with an arrival.
            add(id, g.b / US as f64, g.a as u64);
        }
    }
}

/// Lists every quarantined record of the dataset; returns how many. `stale` holds, by month
/// and code, the latest RTT snapshot date where a trust-month has more than one.
fn detail_pass(
    d: Extract,
    parts: &[Partition],
    bad_orgs: &BTreeMap<Month, BTreeMap<String, (Rule, String)>>,
    stale: &BTreeMap<Month, BTreeMap<String, i32>>,
    findings: &mut Vec<RowError>,
) -> Result<u64, RecordsError> {
    let mut found = 0;
    for p in parts {
        let orgs = bad_orgs.get(&p.month);
        let stale = stale.get(&p.month);
        for f in &p.files {
            let name = f.display().to_string();
            let lf = scan(f).map_err(RecordsError::polars(format!("scan {name}")))?;
            let keep = bad_records(orgs, stale);
            let df = checked(lf.with_row_index(ROW, Some(1)), d, p.month, Pass::Detail)
                .select([
                    col(ROW),
                    col("org_code"),
                    col("reason"),
                    col("kind"),
                    col("start"),
                    col("end"),
                    col("null_col"),
                ])
                .filter(keep)
                .collect_with_engine(Engine::Streaming)
                .map_err(RecordsError::polars(format!(
                    "list the bad records of {name}"
                )))?
                .unwrap_single();
            let err = RecordsError::polars(format!("read the bad records of {name}"));
            let read = || -> PolarsResult<Vec<RowError>> {
                let row = df.column(ROW)?.cast(&DataType::UInt64)?;
                let row = row.u64()?;
                let org = df.column("org_code")?.str()?;
                let reason = df.column("reason")?.i32()?;
                let kind = df.column("kind")?.i32()?;
                let start = df.column("start")?.i64()?;
                let end = df.column("end")?.i64()?;
                let null_col = df.column("null_col")?.i32()?;
                let required = required(d);
                let mut out = Vec::with_capacity(df.height());
                for i in 0..df.height() {
                    let line = row.get(i).unwrap_or(0);
                    let r = reason.get(i).unwrap_or(MISSING);
                    let code = org.get(i).unwrap_or("");
                    let show = |v: Option<i64>| match (d, v) {
                        (_, None) => "null".to_owned(),
                        (Extract::Rtt, Some(x)) => show_days(x as i32),
                        (_, Some(x)) => show_us(x),
                    };
                    let superseded = stale.and_then(|s| s.get(code)).copied();
                    let (rule, column, value, reason) = if r == OK
                        && let Some(last) = superseded
                        && orgs.is_none_or(|o| !o.contains_key(code))
                    {
                        let snap = kind.get(i).map_or("null".into(), show_days);
                        (
                            Rule::DuplicateKey,
                            "snapshot_date".to_owned(),
                            snap,
                            format!(
                                "a second waiting-list snapshot of the trust in the month; \
                                 the month's latest, {}, counts",
                                show_days(last)
                            ),
                        )
                    } else if r == OK {
                        let (rule, why) = orgs
                            .and_then(|o| o.get(code))
                            .cloned()
                            .unwrap_or((Rule::UnknownOrg, String::new()));
                        (rule, "org_code".to_owned(), code.to_owned(), why)
                    } else {
                        let (rule, column, why) = reason_rule(d, r);
                        let value = match r {
                            MISSING => "null".to_owned(),
                            RANGE => kind.get(i).map_or("null".into(), |k| k.to_string()),
                            OUTSIDE => show(if d == Extract::Rtt {
                                end.get(i)
                            } else {
                                start.get(i)
                            }),
                            _ => format!("{} to {}", show(start.get(i)), show(end.get(i))),
                        };
                        let column = if r == MISSING {
                            let i = null_col.get(i).and_then(|i| usize::try_from(i).ok());
                            i.and_then(|i| required.get(i))
                                .map_or_else(|| required.join(","), |c| (*c).to_owned())
                        } else {
                            column.to_owned()
                        };
                        (rule, column, value, why.to_owned())
                    };
                    out.push(RowError::new(
                        name.clone(),
                        line,
                        column,
                        &value,
                        rule,
                        reason,
                    ));
                }
                Ok(out)
            };
            let rows = read().map_err(err)?;
            found += rows.len() as u64;
            findings.extend(rows);
        }
    }
    Ok(found)
}

/// Which records a detail pass lists: those with a reason, those of a trust the register
/// refuses, and a trust's waiting-list snapshots older than its latest in the month.
fn bad_records(
    orgs: Option<&BTreeMap<String, (Rule, String)>>,
    stale: Option<&BTreeMap<String, i32>>,
) -> Expr {
    let mut keep = col("reason").neq(lit(OK));
    for code in orgs.into_iter().flat_map(|o| o.keys()) {
        keep = keep.or(col("org_code").eq(lit(code.as_str())));
    }
    for (code, last) in stale.into_iter().flatten() {
        keep = keep.or(col("org_code")
            .eq(lit(code.as_str()))
            .and(col("reason").eq(lit(OK)))
            .and(col("kind").lt(lit(*last))));
    }
    keep
}

/// The columns a dataset's records must not have null: its layout's non-nullable columns, in
/// the layout's order (the first null one is the column a quarantined record names).
fn required(d: Extract) -> Vec<&'static str> {
    d.columns()
        .iter()
        .filter(|c| !c.nullable)
        .map(|c| c.name)
        .collect()
}

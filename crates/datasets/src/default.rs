//! The embedded default national dataset: one complete quarter for every trust in every peer
//! group, built from the real sources by a recipe (`data/default/recipe.toml`).
//!
//! For each peer group the recipe says where trusts and values come from:
//! - `nof_peer_groups`: trusts and every value exactly as NHS England published them in its
//!   NOF data files (provenance `published`);
//! - the other peer groups: trusts from the register, and for each configured metric the real
//!   value for the quarter (`real`), else a real value from a stated other period
//!   (`real_other_period`), else nothing: the metric is not scored for that trust, as NHS
//!   England does for missing data (spec §4). No value is ever invented for a real trust; seeded
//!   synthetic data for made-up trusts is in [`crate::synthetic`], for tests and benchmarks.
//!
//! The output is a long-format CSV that the `long` adapter reads; the same recipe and sources
//! always give the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;

use league_model::{
    Methodology, Observation, Provenance, Quarter, ReportingPeriod, TrustCode, TrustInQuarter,
};

use league_ingest::{Ingested, TrustRegister};

/// The recipe file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The quarter to build ("Q1 2025/26").
    pub quarter: String,
    /// NHS England's NOF data files, relative to the data directory.
    pub nof_data: Vec<String>,
    /// Peer groups taken from the NOF files as published.
    pub nof_peer_groups: Vec<String>,
    /// Source files, relative to the data directory.
    pub sources: Vec<String>,
    /// Metrics built for the other peer groups.
    #[serde(rename = "metric")]
    pub metrics: Vec<RecipeMetric>,
    /// The monthly counts behind the funnel plots and SPC charts.
    pub counts: CountsRecipe,
}

/// Where the monthly counts come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsRecipe {
    /// Monthly publications, relative to the data directory; where two give the same trust,
    /// measure and month, the first listed is kept and the two are compared.
    pub sources: Vec<String>,
}

/// A month two sources give differently: trust, measure, month, the kept source, the other.
pub type Differed = (String, String, (u16, u8), String, String);

/// The built counts and how the overlapping sources compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuiltCounts {
    /// One per trust, measure and month, by trust, measure, month.
    pub counts: Vec<league_model::MonthlyCount>,
    /// Months given by two sources with the same counts.
    pub agreed: u64,
    /// Months given by two sources with different counts (the first source's kept), as
    /// (trust, measure, month, first source, other source).
    pub differed: Vec<Differed>,
    /// Months after the recipe quarter's last month, left out (as of the quarter).
    pub after_quarter: u64,
}

/// The monthly counts of the configured measures up to the recipe quarter's last month, the
/// first source listed winning a month two give (compared, and the differences listed).
pub fn build_counts(recipe: &Recipe, sources: &[Ingested], m: &Methodology) -> BuiltCounts {
    let quarter: Quarter = recipe
        .quarter
        .parse()
        .expect("checked when the recipe was read");
    let last = quarter.months()[2];
    let measures: BTreeSet<&str> = m
        .statistics
        .measures
        .iter()
        .map(|x| x.id.as_str())
        .collect();
    let mut out = BuiltCounts::default();
    let mut kept: BTreeMap<(TrustCode, String, (u16, u8)), league_model::MonthlyCount> =
        BTreeMap::new();
    for s in sources {
        for c in s
            .counts
            .iter()
            .filter(|c| measures.contains(c.metric_id.as_str()))
        {
            if c.month > last {
                out.after_quarter += 1;
                continue;
            }
            let key = (c.trust.clone(), c.metric_id.clone(), c.month);
            match kept.get(&key) {
                None => {
                    kept.insert(key, c.clone());
                }
                Some(first)
                    if first.numerator == c.numerator && first.denominator == c.denominator =>
                {
                    out.agreed += 1;
                }
                Some(first) => out.differed.push((
                    c.trust.to_string(),
                    c.metric_id.clone(),
                    c.month,
                    format!("{}:{}", first.source.file, first.source.line),
                    format!("{}:{}", c.source.file, c.source.line),
                )),
            }
        }
    }
    out.counts = kept.into_values().collect();
    out
}

/// The counts as the `counts` format (`league_ingest::COUNTS_FORMAT`), trust names from the
/// register; the same counts always give the same bytes.
pub fn counts_csv(counts: &[league_model::MonthlyCount], register: &TrustRegister) -> String {
    let mut s = league_ingest::COUNTS_FORMAT.join(",");
    s.push('\n');
    for c in counts {
        let name = register
            .get(&c.trust)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let file = c.source.file.rsplit('/').next().unwrap_or(&c.source.file);
        let _ = writeln!(
            s,
            "{}-{:02},{},{},{},{},{},{}:{},{}",
            c.month.0,
            c.month.1,
            c.trust,
            c.metric_id,
            c.numerator,
            c.denominator,
            c.provenance.label(),
            csv_field(file),
            c.source.line,
            csv_field(&name)
        );
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// How one metric is built.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeMetric {
    /// Metric id as observed (OF0xxx raw value, OF8xxx project raw value, OF1067 score…).
    pub id: String,
    /// Peer groups that get it.
    pub peer_groups: Vec<String>,
    /// Quarters whose real values may stand in when the quarter has none.
    #[serde(default)]
    pub other_periods: Vec<String>,
}

/// Why a recipe cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct RecipeError {
    /// File.
    pub file: String,
    /// What is wrong, naming the key.
    pub problem: String,
}

impl Recipe {
    /// Parses and checks a recipe against the methodology.
    pub fn from_toml(file: &str, text: &str, m: &Methodology) -> Result<Self, RecipeError> {
        let bad = |problem: String| RecipeError {
            file: file.to_owned(),
            problem,
        };
        let r: Recipe = toml::from_str(text).map_err(|e| bad(e.to_string().trim().to_owned()))?;
        r.quarter
            .parse::<Quarter>()
            .map_err(|e| bad(format!("quarter: {e}")))?;
        let groups: BTreeSet<&str> = m.peer_groups.iter().map(|g| g.id.as_str()).collect();
        let known = m.known_ids();
        for g in &r.nof_peer_groups {
            if !groups.contains(g.as_str()) {
                return Err(bad(format!("nof_peer_groups: unknown peer group `{g}`")));
            }
        }
        for x in &r.metrics {
            let key = format!("metric[{}]", x.id);
            if !known.contains(x.id.as_str()) {
                return Err(bad(format!("{key}: not a metric of the methodology")));
            }
            for g in &x.peer_groups {
                if !groups.contains(g.as_str()) {
                    return Err(bad(format!("{key}.peer_groups: unknown peer group `{g}`")));
                }
            }
            for q in &x.other_periods {
                let other = q
                    .parse::<Quarter>()
                    .map_err(|e| bad(format!("{key}.other_periods: {e}")))?;
                let quarter: Quarter = r.quarter.parse().expect("checked above");
                let (cut_off, _) = m.cut_off(quarter);
                if other.end_date() > cut_off {
                    return Err(bad(format!(
                        "{key}.other_periods: {other} ends after {quarter}'s data cut-off ({cut_off}); a quarter uses only values that existed by then"
                    )));
                }
            }
        }
        Ok(r)
    }
}

/// One row of the built dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRow {
    /// The trust and its details.
    pub trust: TrustInQuarter,
    /// Metric id.
    pub metric_id: String,
    /// Value.
    pub value: f64,
    /// The period the value covers.
    pub reporting_date: String,
    /// Where it comes from.
    pub provenance: Provenance,
    /// Source file and line.
    pub source: String,
}

/// Builds the dataset. `nof` are the NOF files read by their adapter; `sources` the other files.
pub fn build_default(
    recipe: &Recipe,
    nof: &[Ingested],
    sources: &[Ingested],
    register: &TrustRegister,
    m: &Methodology,
) -> Vec<DatasetRow> {
    let quarter: Quarter = recipe.quarter.parse().expect("validated recipe");
    let mut rows = Vec::new();
    let file_name = |o: &Observation| {
        let f = o
            .source
            .file
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_owned();
        format!("{f}:{}", o.source.line)
    };

    // NHS England's published peer groups, as published.
    let nof_trusts: BTreeMap<TrustCode, TrustInQuarter> = nof
        .iter()
        .filter_map(|f| f.trusts.get(&quarter))
        .flat_map(|ts| ts.iter().map(|(c, t)| (c.clone(), t.clone())))
        .collect();
    for o in nof
        .iter()
        .flat_map(|f| &f.observations)
        .filter(|o| o.quarter == quarter)
    {
        let Some(t) = nof_trusts.get(&o.trust) else {
            continue;
        };
        if recipe.nof_peer_groups.contains(&t.peer_group) {
            rows.push(DatasetRow {
                trust: t.clone(),
                metric_id: o.metric_id.clone(),
                value: o.value,
                reporting_date: o.reporting_date.clone(),
                provenance: Provenance::Published,
                source: file_name(o),
            });
        }
    }

    // The other peer groups: every trust the register places in them in the quarter.
    let last_month = quarter.months()[2];
    let mut trusts: BTreeMap<TrustCode, TrustInQuarter> = BTreeMap::new();
    for e in register.entries() {
        let exists = matches!(
            register.resolve(&e.code, last_month),
            league_ingest::Resolution::Trust(_)
        ) && (e.current || e.successor.is_some());
        if !exists || nof_trusts.contains_key(&e.code) {
            continue;
        }
        if let Some(t) = league_ingest::trust_from_register(&e.code, register, m)
            && !recipe.nof_peer_groups.contains(&t.peer_group)
        {
            trusts.insert(e.code.clone(), t);
        }
    }

    // Real values by (metric, quarter, trust), first source wins.
    let mut real: BTreeMap<(&str, Quarter, &TrustCode), &Observation> = BTreeMap::new();
    for s in sources {
        for o in &s.observations {
            real.entry((o.metric_id.as_str(), o.quarter, &o.trust))
                .or_insert(o);
        }
    }
    for x in &recipe.metrics {
        let other: Vec<Quarter> = x
            .other_periods
            .iter()
            .map(|q| q.parse().expect("validated recipe"))
            .collect();
        for (code, t) in trusts
            .iter()
            .filter(|(_, t)| x.peer_groups.contains(&t.peer_group))
        {
            // A value whose own period ends after the quarter's cut-off is never taken.
            let found = std::iter::once(quarter)
                .chain(other.iter().copied())
                .find_map(|q| real.get(&(x.id.as_str(), q, code)).map(|o| (q, *o)))
                .filter(|(_, o)| {
                    ReportingPeriod::parse(&o.reporting_date, o.quarter)
                        .is_ok_and(|p| !m.after_cut_off(&o.metric_id, &p, quarter))
                });
            // No real value: no row. The metric is not scored for the trust.
            let Some((q, o)) = found else { continue };
            rows.push(DatasetRow {
                trust: t.clone(),
                metric_id: x.id.clone(),
                value: o.value,
                reporting_date: o.reporting_date.clone(),
                provenance: if q == quarter {
                    Provenance::Real
                } else {
                    Provenance::RealOtherPeriod
                },
                source: file_name(o),
            });
        }
    }
    rows.sort_by(|a, b| {
        (&a.trust.peer_group, &a.trust.code, &a.metric_id).cmp(&(
            &b.trust.peer_group,
            &b.trust.code,
            &b.metric_id,
        ))
    });
    rows
}

/// Writes the rows as long-format CSV text (LF line ends, values in shortest round-trip form).
pub fn dataset_csv(quarter: &str, rows: &[DatasetRow]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(league_ingest::LONG_FORMAT)
        .expect("in memory");
    for r in rows {
        let mut value = String::new();
        write!(value, "{}", r.value).expect("in memory");
        w.write_record([
            quarter,
            r.trust.code.as_str(),
            &r.metric_id,
            &value,
            "",
            "",
            &r.reporting_date,
            r.provenance.label(),
            &r.source,
            &r.trust.name,
            &r.trust.region,
            &r.trust.peer_group,
            &r.trust.subtype,
        ])
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

//! The rows of a NOF data file, either layout: each checked row's trust, metric and value
//! read, checked and kept as an observation or quarantined; then a metric published in two
//! units keeps the configured one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use league_model::{
    Dataset, Methodology, Observation, Quarter, SourceRef, TrustCode, TrustInQuarter,
};

use super::layout::{RowQuarter, file_quarter};
use super::{COLUMNS, NofReadSummary, SUPPRESSED};
use crate::Rule;
use crate::csvfile::{Checked, CsvFile};
use crate::{IngestError, RowError, TrustRegister};

/// Reads a NOF data file, returning the accepted rows and every row failure (sorted by line)
/// without failing on them: the caller quarantines or rejects.
pub(crate) fn read_nof_lenient(
    file: &CsvFile,
    methodology: &Methodology,
    register: &TrustRegister,
    quarter: Option<Quarter>,
) -> Result<(Dataset, NofReadSummary, Vec<RowError>), IngestError> {
    let mut reader = NofReader::new(file, methodology, register, quarter)?;
    for record in file.checked_rows()? {
        reader.summary.rows_read += 1;
        match record {
            Checked::Row { line, fields } => reader.row(line, &fields),
            Checked::Bad(e) => reader.errors.push(e),
        }
    }
    reader.finish()
}

/// The columns of the file, by index.
struct Columns {
    region: usize,
    trust_type: usize,
    subtype: usize,
    code: usize,
    name: usize,
    metric: usize,
    date: usize,
    units: usize,
    value: usize,
    rank: Option<usize>,
    quarter: RowQuarter,
}

/// One row's identity, once its quarter, trust, peer group and metric are known.
struct Identity<'r> {
    quarter: Quarter,
    code: TrustCode,
    peer_group: String,
    metric_id: &'r str,
}

/// A file being read: what the methodology says about its metrics, and what the rows so far
/// gave.
struct NofReader<'a> {
    file: &'a CsvFile,
    file_name: Arc<str>,
    methodology: &'a Methodology,
    register: &'a TrustRegister,
    cols: Columns,
    known: BTreeSet<&'a str>,
    derived: BTreeSet<&'a str>,
    flags: [&'a str; 2],
    unit_of: HashMap<&'a str, &'a str>,
    applies: HashMap<&'a str, &'a [String]>,
    summary: NofReadSummary,
    errors: Vec<RowError>,
    dataset: Dataset,
    first_line: HashMap<(Quarter, TrustCode, String, String), u64>,
    trust_line: HashMap<(Quarter, TrustCode), u64>,
    rows: Vec<(Observation, String)>,
}

impl<'a> NofReader<'a> {
    fn new(
        file: &'a CsvFile,
        methodology: &'a Methodology,
        register: &'a TrustRegister,
        quarter: Option<Quarter>,
    ) -> Result<Self, IngestError> {
        let mut rdr = file.reader();
        let [
            region,
            trust_type,
            subtype,
            code,
            name,
            metric,
            date,
            units,
            value,
        ] = file.columns(&mut rdr, COLUMNS)?;
        let header = file.header()?;
        let optional = |name: &str| header.iter().position(|h| h == name);
        let mut summary = NofReadSummary::default();
        let row_quarter = match optional("Quarter") {
            Some(i) => RowQuarter::Column(i),
            None => {
                let (q, source) = file_quarter(file, date, quarter)?;
                summary.quarter_source = source;
                RowQuarter::File(q)
            }
        };
        let cols = Columns {
            region,
            trust_type,
            subtype,
            code,
            name,
            metric,
            date,
            units,
            value,
            rank: optional("Rank"),
            quarter: row_quarter,
        };
        Ok(Self {
            file,
            file_name: Arc::from(file.name.as_str()),
            methodology,
            register,
            cols,
            known: methodology.known_ids(),
            derived: methodology.derived_ids(),
            flags: [
                methodology.financial_override.flag_id.as_str(),
                methodology.segment5.flag_id.as_str(),
            ],
            unit_of: methodology
                .metrics
                .iter()
                .filter_map(|m| m.value_id.as_deref().map(|v| (v, m.unit.as_str())))
                .collect(),
            applies: methodology
                .metrics
                .iter()
                .flat_map(|m| {
                    std::iter::once(m.id.as_str())
                        .chain(m.value_id.as_deref())
                        .map(move |id| (id, m.peer_groups.as_slice()))
                })
                .collect(),
            summary,
            errors: Vec::new(),
            dataset: Dataset::default(),
            first_line: HashMap::new(),
            trust_line: HashMap::new(),
            rows: Vec::new(),
        })
    }

    /// Quarantines a value of this file's row `line`.
    fn bad(&mut self, line: u64, rule: Rule, column: &str, value: &str, reason: String) {
        self.errors.push(RowError::new(
            &self.file.name,
            line,
            column,
            value,
            rule,
            reason,
        ));
    }

    /// One checked row.
    fn row(&mut self, line: u64, rec: &csv::StringRecord) {
        let Some(id) = self.identity(line, rec) else {
            return;
        };
        self.record_trust(line, rec, &id);
        if self.derived.contains(id.metric_id) {
            self.summary.derived_set_aside += 1;
            return;
        }
        if let Some(groups) = self.applies.get(id.metric_id)
            && !groups.contains(&id.peer_group)
        {
            self.summary.not_applicable += 1;
            tracing::warn!(file = %self.file.name, line, metric = id.metric_id, trust = %id.code,
                    "metric does not apply to peer group {} in the methodology; row set aside", id.peer_group);
            return;
        }
        let units = rec[self.cols.units].trim().to_owned();
        let key = (
            id.quarter,
            id.code.clone(),
            id.metric_id.to_owned(),
            units.clone(),
        );
        if let Some(first) = self.first_line.get(&key) {
            let first = *first;
            self.bad(
                line,
                Rule::DuplicateKey,
                "Quarter,Trust_code,Metric_ID,Units",
                &format!("{},{},{},{units}", id.quarter, id.code, id.metric_id),
                format!("duplicate row for this trust, metric and quarter (first on line {first})"),
            );
            return;
        }
        self.first_line.insert(key, line);
        if let Some(obs) = self.observation(line, rec, id, &units) {
            self.rows.push((obs, units));
        }
    }

    /// The row's quarter, trust, peer group and metric; every one that cannot be read is
    /// quarantined, and the row goes no further.
    fn identity<'r>(&mut self, line: u64, rec: &'r csv::StringRecord) -> Option<Identity<'r>> {
        let field = |i: usize| rec[i].trim();
        let quarter = match self.cols.quarter {
            RowQuarter::File(q) => Some(q),
            RowQuarter::Column(i) => match field(i).parse::<Quarter>() {
                Ok(q) => Some(q),
                Err(e) => {
                    self.bad(
                        line,
                        Rule::BadPeriod,
                        "Quarter",
                        field(i),
                        e.reason.to_owned(),
                    );
                    None
                }
            },
        };
        let code = self.trust_code(line, field(self.cols.code));
        let peer_group = self.peer_group(line, field(self.cols.trust_type));
        let metric_id = field(self.cols.metric);
        if !self.known.contains(metric_id) {
            self.bad(
                line,
                Rule::UnknownMetric,
                "Metric_ID",
                metric_id,
                "unknown metric id: not in the methodology configuration".into(),
            );
            return None;
        }
        Some(Identity {
            quarter: quarter?,
            code: code?,
            peer_group: peer_group?,
            metric_id,
        })
    }

    /// A trust code the register holds.
    fn trust_code(&mut self, line: u64, text: &str) -> Option<TrustCode> {
        match TrustCode::parse(text) {
            Ok(c) if self.register.get(&c).is_some() => Some(c),
            Ok(_) => {
                self.bad(
                    line,
                    Rule::UnknownOrg,
                    "Trust_code",
                    text,
                    "unknown trust code: not in the trust register".into(),
                );
                None
            }
            Err(e) => {
                self.bad(line, Rule::InvalidCode, "Trust_code", text, e.to_string());
                None
            }
        }
    }

    /// The peer group a `Trust_type` label names.
    fn peer_group(&mut self, line: u64, label: &str) -> Option<String> {
        if let Some(g) = self.methodology.peer_group_by_label(label) {
            return Some(g.id.clone());
        }
        let labels: Vec<&str> = self
            .methodology
            .peer_groups
            .iter()
            .map(|p| p.label.as_str())
            .collect();
        self.bad(
            line,
            Rule::UnknownLabel,
            "Trust_type",
            label,
            format!("unknown trust type; expected one of: {}", labels.join(", ")),
        );
        None
    }

    /// The trust's details for the quarter from its first row; a later row that states them
    /// differently is quarantined as inconsistent.
    fn record_trust(&mut self, line: u64, rec: &csv::StringRecord, id: &Identity<'_>) {
        let field = |i: usize| rec[i].trim();
        let trust = TrustInQuarter {
            code: id.code.clone(),
            name: field(self.cols.name).to_owned(),
            region: crate::assemble::region_name(field(self.cols.region)),
            peer_group: id.peer_group.clone(),
            subtype: field(self.cols.subtype).to_owned(),
        };
        let key = (id.quarter, id.code.clone());
        let first = match self
            .dataset
            .trusts
            .entry(id.quarter)
            .or_default()
            .entry(id.code.clone())
        {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(trust);
                self.trust_line.insert(key, line);
                return;
            }
            std::collections::btree_map::Entry::Occupied(o) => o.get().clone(),
        };
        let first_at = self.trust_line[&key];
        for (column, a, b) in [
            ("Trust_name", &first.name, &trust.name),
            ("Region", &first.region, &trust.region),
            ("Trust_type", &first.peer_group, &trust.peer_group),
            ("Trust_subtype", &first.subtype, &trust.subtype),
        ] {
            if a != b {
                let shown = if column == "Trust_type" {
                    field(self.cols.trust_type)
                } else {
                    b.as_str()
                };
                self.bad(
                    line,
                    Rule::Inconsistent,
                    column,
                    shown,
                    format!("differs from line {first_at} for the same trust and quarter ({a:?})"),
                );
            }
        }
    }

    /// The row's value as an observation: a suppressed value or a score of 0 counts as no
    /// value; one that is not a finite number, a flag other than 0 or 1, a score outside 1
    /// to 4, an implausible percentage or a bad rank is quarantined.
    fn observation(
        &mut self,
        line: u64,
        rec: &csv::StringRecord,
        id: Identity<'_>,
        units: &str,
    ) -> Option<Observation> {
        let field = |i: usize| rec[i].trim();
        let raw = field(self.cols.value);
        if SUPPRESSED.contains(&raw) {
            self.summary.no_value += 1;
            return None;
        }
        let value = match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            Ok(_) => {
                self.bad(
                    line,
                    Rule::NotFinite,
                    "Value",
                    raw,
                    "not a finite number".into(),
                );
                return None;
            }
            Err(_) => {
                self.bad(
                    line,
                    Rule::NotANumber,
                    "Value",
                    raw,
                    "not a finite number".into(),
                );
                return None;
            }
        };
        let metric_id = id.metric_id;
        let is_flag = self.flags.contains(&metric_id);
        let is_score = metric_id.starts_with("OF1") || metric_id.starts_with("OF9");
        let out_of_range = if is_flag && value != 0.0 && value != 1.0 {
            Some((Rule::ValueRange, "a flag must be 0 or 1"))
        } else if is_score && !is_flag && value == 0.0 {
            self.summary.no_value += 1; // spec §4: a score of 0 means not scored
            return None;
        } else if is_score && !is_flag && !(1.0..=4.0).contains(&value) {
            Some((
                Rule::ValueRange,
                "a metric score must be between 1 and 4 (or 0 for not scored)",
            ))
        } else if units.contains('%') && !is_score && !(-1000.0..=1000.0).contains(&value) {
            Some((Rule::PercentRange, "implausible percentage"))
        } else {
            None
        };
        if let Some((rule, reason)) = out_of_range {
            self.bad(line, rule, "Value", raw, reason.into());
            return None;
        }
        let published_rank = match self.cols.rank.map(field).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => match r.parse::<f64>() {
                Ok(x) if x >= 1.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) => Some(x as u32),
                _ => {
                    self.bad(
                        line,
                        Rule::NotANumber,
                        "Rank",
                        r,
                        "a rank must be a whole number of at least 1".into(),
                    );
                    return None;
                }
            },
        };
        Some(Observation {
            quarter: id.quarter,
            trust: id.code,
            metric_id: metric_id.to_owned(),
            value,
            reporting_date: field(self.cols.date).to_owned(),
            provenance: league_model::Provenance::Published,
            source: SourceRef {
                file: self.file_name.clone(),
                line,
            },
            published_rank,
        })
    }

    /// A metric published in two units (a count beside a rate) keeps the configured unit;
    /// then the dataset, the counts and every failure, sorted by line.
    fn finish(mut self) -> Result<(Dataset, NofReadSummary, Vec<RowError>), IngestError> {
        let mut units_seen: BTreeMap<(Quarter, TrustCode, String), BTreeSet<String>> =
            BTreeMap::new();
        for (o, u) in &self.rows {
            units_seen
                .entry((o.quarter, o.trust.clone(), o.metric_id.clone()))
                .or_default()
                .insert(u.clone());
        }
        for (o, u) in std::mem::take(&mut self.rows) {
            let seen = &units_seen[&(o.quarter, o.trust.clone(), o.metric_id.clone())];
            if seen.len() > 1 {
                let wanted = self.unit_of.get(o.metric_id.as_str()).copied();
                if !wanted.is_some_and(|w| seen.contains(w)) {
                    self.errors.push(RowError::new(
                        &self.file.name,
                        o.source.line,
                        "Units",
                        &u,
                        Rule::UnknownLabel,
                        format!(
                            "the metric appears in several units ({}) and none is the configured unit {:?}",
                            seen.iter().cloned().collect::<Vec<_>>().join(", "),
                            wanted.unwrap_or("")
                        ),
                    ));
                    continue;
                }
                if Some(u.as_str()) != wanted {
                    self.summary.other_unit += 1;
                    continue;
                }
            }
            self.summary.accepted += 1;
            self.dataset.observations.push(o);
        }
        if self.summary.rows_read == 0 {
            return Err(IngestError::Empty {
                file: self.file.name.clone(),
            });
        }
        self.errors.sort_by_key(|e| e.line);
        Ok((self.dataset, self.summary, self.errors))
    }
}

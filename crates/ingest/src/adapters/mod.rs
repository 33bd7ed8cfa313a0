//! Source adapters: each turns one kind of NHS England publication into NOF metric values.
//!
//! Every adapter is a [`Format`], recognised from its header (or named with `--format`), and
//! reads a file into an [`Ingested`]: the observations it accepted, the rows it quarantined
//! (each with file, line, column, value, rule and reason) and the rows it excluded by a stated
//! rule (counted per rule in the [`SourceSummary`]). A bad row never stops the others from being
//! checked and never vanishes.

mod ae;
mod ae_provider;
mod ae_typed;
mod ambsys;
mod cancer;
mod counts;
mod long;
mod nof_data;
mod nof_summary;
pub(crate) mod row;
mod rtt;
mod snapshot;
mod staff_survey;

pub use counts::COUNTS_FORMAT;
pub use long::LONG_FORMAT;

use std::collections::BTreeMap;
use std::path::Path;

use league_model::{Methodology, Observation, Quarter, TrustCode, TrustInQuarter};

use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, RowError, Rule, TrustRegister};

pub use row::month_label;
pub(crate) use row::{RowCheck, Table};

/// The formats `league validate` and the pipeline recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// NHS England's NOF data CSV (long, one row per trust, quarter and metric).
    NofData,
    /// The plain long format: period, org_code, metric_id, value, numerator, denominator.
    Long,
    /// NHS England's monthly A&E attendances and emergency admissions, by provider.
    AeMonthly,
    /// The "Provider Level Data" sheet of NHS England's monthly A&E spreadsheet (month in the
    /// file name).
    AeProvider,
    /// Monthly counts behind the statistics beside the ranks (`league build-dataset` writes
    /// them for the default data).
    Counts,
    /// The older A&E extract: one row per provider, month and department type.
    AeTyped,
    /// A one-row-per-trust NOF quarter summary with acute raw values.
    NofSummary,
    /// Cancer waiting times provider extract, aggregated by standard.
    CancerCwt,
    /// The compiled monthly acute panel (RTT columns).
    RttPanel,
    /// AmbSYS ambulance response times.
    Ambsys,
    /// NHS Staff Survey People Promise and theme scores.
    StaffSurvey,
    /// The multi-metric trust snapshot (sickness, finance, CQC ratings).
    Snapshot,
}

impl Format {
    /// Every format, in the order detection tries them (most specific first).
    pub const ALL: [Format; 12] = [
        Format::NofData,
        Format::NofSummary,
        Format::AeMonthly,
        Format::AeProvider,
        Format::Counts,
        Format::AeTyped,
        Format::CancerCwt,
        Format::RttPanel,
        Format::Ambsys,
        Format::StaffSurvey,
        Format::Snapshot,
        Format::Long,
    ];

    /// The name used with `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::NofData => "nof-data",
            Format::Long => "long",
            Format::AeMonthly => "ae-monthly",
            Format::AeProvider => "ae-provider",
            Format::Counts => "counts",
            Format::AeTyped => "ae-typed",
            Format::NofSummary => "nof-summary",
            Format::CancerCwt => "cancer-cwt",
            Format::RttPanel => "rtt-panel",
            Format::Ambsys => "ambsys",
            Format::StaffSurvey => "staff-survey",
            Format::Snapshot => "snapshot",
        }
    }

    /// The format with a name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// One line on what the format is and which metrics it yields.
    pub fn description(self) -> &'static str {
        match self {
            Format::NofData => "NHS England NOF data CSV: every OF metric as published",
            Format::Long => {
                "long format: any configured metric id by period (quarter or YYYY-MM) and org"
            }
            Format::AeMonthly => {
                "A&E monthly by provider: 4-hour % all types (OF0013), 12-hour DTA waits per 100 emergency admissions (OF8003)"
            }
            Format::AeTyped => "A&E by provider, month and type: 4-hour % all types (OF0013)",
            Format::AeProvider => {
                "A&E provider-level sheet, month in the file name (April-2025-AE.csv): 4-hour % (OF0013), 12-hour DTA waits per 100 admissions (OF8003)"
            }
            Format::Counts => {
                "monthly counts: month, org_code, metric_id, numerator, denominator (funnel plots and SPC charts)"
            }
            Format::NofSummary => {
                "NOF quarter summary: acute raw values (cancer, infections, staff survey, finance, productivity, deficit flag)"
            }
            Format::CancerCwt => {
                "cancer waiting times by provider: 28-day FDS % (OF0010), 62-day % (OF0011)"
            }
            Format::RttPanel => {
                "acute monthly panel: RTT % within 18 weeks (OF0023), % over 52 weeks (OF0003)"
            }
            Format::Ambsys => {
                "AmbSYS: Category 2 mean minutes (OF0017), % conveyed to ED (OF0028); C1, C3, C4 means for context (OF8011, OF8013, OF8014)"
            }
            Format::StaffSurvey => {
                "NHS Staff Survey: raising concerns (OF0061), staff engagement (OF0084)"
            }
            Format::Snapshot => {
                "trust snapshot: sickness (OF0082), plan variance (OF0081), deficit flag (OF5004), CQC safe (OF1067)"
            }
        }
    }

    /// The columns a file must have to be read as this format.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            Format::NofData => &nof_data::COLUMNS,
            Format::Long => long::COLUMNS,
            Format::AeMonthly => &ae::COLUMNS,
            Format::AeProvider => &ae_provider::COLUMNS,
            Format::Counts => counts::COLUMNS,
            Format::AeTyped => &ae_typed::COLUMNS,
            Format::NofSummary => &nof_summary::COLUMNS,
            Format::CancerCwt => &cancer::COLUMNS,
            Format::RttPanel => &rtt::COLUMNS,
            Format::Ambsys => &ambsys::COLUMNS,
            Format::StaffSurvey => &staff_survey::COLUMNS,
            Format::Snapshot => &snapshot::COLUMNS,
        }
    }

    /// The first format whose required columns the header has.
    pub fn detect(header: &[String]) -> Option<Format> {
        Format::ALL.into_iter().find(|f| {
            f.required_columns()
                .iter()
                .all(|c| header.iter().any(|h| h == c))
        })
    }

    fn read(self, file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
        match self {
            Format::NofData => nof_data::read(file, ctx, out),
            Format::Long => long::read(file, ctx, out),
            Format::AeMonthly => ae::read(file, ctx, out),
            Format::AeProvider => ae_provider::read(file, ctx, out),
            Format::Counts => counts::read(file, ctx, out),
            Format::AeTyped => ae_typed::read(file, ctx, out),
            Format::NofSummary => nof_summary::read(file, ctx, out),
            Format::CancerCwt => cancer::read(file, ctx, out),
            Format::RttPanel => rtt::read(file, ctx, out),
            Format::Ambsys => ambsys::read(file, ctx, out),
            Format::StaffSurvey => staff_survey::read(file, ctx, out),
            Format::Snapshot => snapshot::read(file, ctx, out),
        }
    }
}

/// What every adapter needs: the register, the methodology and the plausible period range.
pub struct Context<'a> {
    /// Known trust codes.
    pub register: &'a TrustRegister,
    /// Metric ids, units and mappings.
    pub methodology: &'a Methodology,
    /// Earliest and latest plausible month, `(year, month)`.
    pub periods: ((u16, u8), (u16, u8)),
    /// What one file may cost.
    pub limits: &'a crate::Limits,
}

/// Counts for one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceSummary {
    /// The file as given.
    pub file: String,
    /// The format it was read as.
    pub format: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows quarantined (a row with several failures counts once).
    pub quarantined: u64,
    /// Rows quarantined, per rule (a row with several failures counts under each).
    pub by_rule: BTreeMap<Rule, u64>,
    /// Rows left out by a stated rule, per exclusion.
    pub excluded: BTreeMap<Exclusion, u64>,
    /// Rows under a predecessor code credited to the successor trust.
    pub remapped: u64,
    /// Observations produced.
    pub observations: u64,
    /// Values a plausibility check queries: kept and scored as published, marked in documents.
    pub queried: u64,
}

impl SourceSummary {
    /// Rows neither quarantined nor excluded.
    pub fn accepted(&self) -> u64 {
        self.rows_read - self.quarantined - self.excluded.values().sum::<u64>()
    }
}

/// One file read by an adapter.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    /// Counts.
    pub summary: SourceSummary,
    /// Accepted values, in file order then key order.
    pub observations: Vec<Observation>,
    /// Trust details the file itself states (NOF data files); others come from the register.
    pub trusts: BTreeMap<Quarter, BTreeMap<TrustCode, TrustInQuarter>>,
    /// Every failure, one per failing cell.
    pub findings: Vec<RowError>,
    /// Monthly counts behind the statistics beside the ranks (the monthly publications'
    /// adapters and the counts format), in key order.
    pub counts: Vec<league_model::MonthlyCount>,
}

impl Ingested {
    pub(crate) fn exclude(&mut self, why: Exclusion) {
        *self.summary.excluded.entry(why).or_default() += 1;
    }

    pub(crate) fn quarantine(&mut self, mut errors: Vec<RowError>) {
        if errors.is_empty() {
            return;
        }
        // A value echoed into messages and the quarantine file is cut to a readable length.
        for e in &mut errors {
            e.value = crate::truncate_for_message(&e.value, crate::ECHO_CHARS);
        }
        self.summary.quarantined += 1;
        let mut rules: Vec<Rule> = errors.iter().map(|e| e.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        for r in rules {
            *self.summary.by_rule.entry(r).or_default() += 1;
        }
        self.findings.extend(errors);
    }
}

/// Reads one file, recognising its format from the header unless `format` is given.
pub fn ingest_file(
    path: &Path,
    format: Option<Format>,
    ctx: &Context,
) -> Result<Ingested, IngestError> {
    ingest_csv(CsvFile::open(path, ctx.limits)?, format, ctx)
}

/// As [`ingest_file`], from bytes in memory (`name` is used in messages).
pub fn ingest_bytes(
    name: &str,
    bytes: Vec<u8>,
    format: Option<Format>,
    ctx: &Context,
) -> Result<Ingested, IngestError> {
    ingest_csv(CsvFile::from_bytes(name, bytes, ctx.limits)?, format, ctx)
}

fn ingest_csv(
    file: CsvFile,
    format: Option<Format>,
    ctx: &Context,
) -> Result<Ingested, IngestError> {
    let header = file.header_names()?;
    let format = match format {
        Some(f) => f,
        None => Format::detect(&header).ok_or_else(|| IngestError::UnknownFormat {
            file: file.name.clone(),
            found: header.clone(),
        })?,
    };
    let mut out = Ingested {
        summary: SourceSummary {
            file: file.name.clone(),
            format: format.name().to_owned(),
            ..SourceSummary::default()
        },
        ..Ingested::default()
    };
    format.read(&file, ctx, &mut out)?;
    if out.summary.rows_read == 0 {
        return Err(IngestError::Empty { file: file.name });
    }
    out.findings.sort_by_key(|e| e.line);
    out.counts
        .sort_by(|a, b| (&a.trust, &a.metric_id, a.month).cmp(&(&b.trust, &b.metric_id, b.month)));
    out.summary.observations = out.observations.len() as u64;
    Ok(out)
}

/// What to do with a code that is not in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// The file lists non-trust providers too: leave them out, counted as `not_a_trust`.
    Exclude,
    /// Every row should be a trust: quarantine it.
    Quarantine,
}

/// A resolved organisation: the trust the row's data belongs to.
pub(crate) enum Org {
    Trust(TrustCode),
    Excluded(Exclusion),
    Bad,
}

/// The row's trust and period when every check passed. `None` otherwise; a row whose only
/// problem is a provider outside the register's trusts is counted as excluded on the way.
pub(crate) fn accepted<P>(
    row: &RowCheck,
    out: &mut Ingested,
    org: Org,
    period: Option<P>,
) -> Option<(TrustCode, P)> {
    match org {
        Org::Excluded(why) if !row.failed() => {
            out.exclude(why);
            None
        }
        Org::Trust(code) if !row.failed() => Some((code, period?)),
        _ => None,
    }
}

/// For values that cannot be added up (scores, rates, ratings): a successor's own row wins over
/// rows its predecessors reported, which are counted as `superseded_by_successor`. Each pending
/// row is (trust credited, whether the row is under the trust's own code, line, values).
pub(crate) fn own_rows_win<T>(
    pending: Vec<(TrustCode, bool, u64, T)>,
    out: &mut Ingested,
) -> Vec<(TrustCode, u64, T)> {
    let owned: std::collections::BTreeSet<TrustCode> = pending
        .iter()
        .filter(|p| p.1)
        .map(|p| p.0.clone())
        .collect();
    let mut kept = Vec::with_capacity(pending.len());
    for (code, own, line, values) in pending {
        if !own && owned.contains(&code) {
            out.exclude(Exclusion::Superseded);
        } else {
            kept.push((code, line, values));
        }
    }
    kept
}

/// Resolves a code for a period ending in `month`, applying the register's merger rule.
pub(crate) fn resolve_org(
    row: &mut RowCheck,
    column: &str,
    ctx: &Context,
    month: Option<(u16, u8)>,
    unknown: Unknown,
    remapped: &mut u64,
) -> Org {
    use crate::register::Resolution;
    let raw = row.text(column).to_owned();
    if raw.is_empty() {
        row.fail(Rule::MissingValue, column, &raw, "no organisation code");
        return Org::Bad;
    }
    let code = match TrustCode::parse(&raw) {
        Ok(c) => c,
        Err(e) => {
            if unknown == Unknown::Exclude && raw.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Org::Excluded(Exclusion::NotATrust);
            }
            row.fail(Rule::InvalidCode, column, &raw, &e.to_string());
            return Org::Bad;
        }
    };
    let Some(month) = month else {
        return Org::Bad; // the period failed and was reported
    };
    match ctx.register.resolve(&code, month) {
        Resolution::Trust(_) => Org::Trust(code),
        Resolution::Successor { to, .. } => {
            *remapped += 1;
            Org::Trust(to.code.clone())
        }
        Resolution::Closed(e) => {
            row.fail(
                Rule::ClosedOrg,
                column,
                &raw,
                &crate::register::closed_reason(&code, e, month),
            );
            Org::Bad
        }
        Resolution::Unknown => match unknown {
            Unknown::Exclude => Org::Excluded(Exclusion::NotATrust),
            Unknown::Quarantine => {
                row.fail(
                    Rule::UnknownOrg,
                    column,
                    &raw,
                    "unknown organisation code: not in the trust register",
                );
                Org::Bad
            }
        },
    }
}

#[cfg(test)]
mod tests;

//! The national pack as plain tables: what every renderer (Excel, PDF, CSV, Parquet) draws from,
//! so the figures cannot disagree between them.

use std::collections::BTreeMap;

use serde::Deserialize;

use league_model::{LeagueTable, Methodology, MetricScore, MetricStatus, Quarter, ScoreRun};

/// Publication details that are not in the data (`data/publication.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Title of the release.
    pub title: String,
    /// The organisation publishing (the document author).
    pub organisation: String,
    /// Contact for questions.
    pub contact: String,
    /// Release date, `YYYY-MM-DD` (fixed, so reruns are byte-identical).
    pub release_date: String,
    /// Next update, free text ("Next quarter's tables: February 2027").
    pub next_update: String,
    /// Where the release is published.
    pub release_url: String,
    /// Document language (BCP 47).
    pub language: String,
}

impl Publication {
    /// Parses the publication file; the error names the problem.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let p: Publication = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let d = &p.release_date;
        let ok = d.len() == 10
            && d.as_bytes()[4] == b'-'
            && d.as_bytes()[7] == b'-'
            && d[..4].parse::<u16>().is_ok()
            && d[5..7].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
            && d[8..].parse::<u8>().is_ok_and(|x| (1..=31).contains(&x));
        if !ok {
            return Err(format!("release_date: {d:?} is not YYYY-MM-DD"));
        }
        Ok(p)
    }

    /// (year, month, day) of the release date.
    pub fn release_ymd(&self) -> (u16, u8, u8) {
        let d = &self.release_date;
        (
            d[..4].parse().expect("validated"),
            d[5..7].parse().expect("validated"),
            d[8..].parse().expect("validated"),
        )
    }

    /// "23 November 2026".
    pub fn release_long(&self) -> String {
        let (y, m, d) = self.release_ymd();
        format!("{d} {} {y}", MONTHS[usize::from(m) - 1])
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "April to June 2025" for a quarter (the Analysis Function's date style, never "Q1").
pub fn quarter_months(q: Quarter) -> String {
    let [a, _, c] = q.months();
    if a.0 == c.0 {
        format!(
            "{} to {} {}",
            MONTHS[usize::from(a.1) - 1],
            MONTHS[usize::from(c.1) - 1],
            c.0
        )
    } else {
        format!(
            "{} {} to {} {}",
            MONTHS[usize::from(a.1) - 1],
            a.0,
            MONTHS[usize::from(c.1) - 1],
            c.0
        )
    }
}

/// The Analysis Function's shorthand used in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shorthand {
    /// `[x]` not available.
    NotAvailable,
    /// `[z]` not applicable.
    NotApplicable,
}

impl Shorthand {
    /// The marker.
    pub fn marker(self) -> &'static str {
        match self {
            Shorthand::NotAvailable => "[x]",
            Shorthand::NotApplicable => "[z]",
        }
    }

    /// What it means.
    pub fn meaning(self) -> &'static str {
        match self {
            Shorthand::NotAvailable => "not available: the trust has no value for this item",
            Shorthand::NotApplicable => "not applicable: the item does not apply to this row",
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from data or labels.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number shown to a fixed number of decimal places (the column's).
    Num(f64),
    /// A missing value, shown by its shorthand.
    Missing(Shorthand),
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// Whole numbers.
    Integer,
    /// Decimals with this many places.
    Decimal(u8),
}

/// A column and its dictionary entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header as shown (units in round brackets).
    pub header: String,
    /// Machine-readable name (snake case), used in CSV, Parquet and the dictionary.
    pub key: String,
    /// Type.
    pub kind: Kind,
    /// Unit ("" for none).
    pub unit: String,
    /// What the column means.
    pub meaning: String,
}

fn col(header: &str, key: &str, kind: Kind, unit: &str, meaning: &str) -> Column {
    Column {
        header: header.to_owned(),
        key: key.to_owned(),
        kind,
        unit: unit.to_owned(),
        meaning: meaning.to_owned(),
    }
}

/// The trust code column, identical in every table that has one.
fn trust_code_column() -> Column {
    col(
        "Trust code",
        "trust_code",
        Kind::Text,
        "",
        "ODS organisation code.",
    )
}

/// The trust name column, identical in every table that has one.
fn trust_name_column() -> Column {
    col("Trust name", "trust_name", Kind::Text, "", "Trust name.")
}

/// One table of the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackTable {
    /// File stem and Excel table name (`league_acute`): letters, digits and underscores.
    pub id: String,
    /// Worksheet name (at most 31 characters).
    pub sheet: String,
    /// Title (A1 of its sheet, caption in the PDF).
    pub title: String,
    /// One sentence on what it shows.
    pub description: String,
    /// Lines every rendering shows with the table (above it in the workbook, under its heading
    /// in the PDF, in the dictionary): what its figures rest on.
    pub notes: Vec<String>,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl PackTable {
    /// The shorthand markers used in the table.
    pub fn shorthand(&self) -> Vec<Shorthand> {
        let mut s: Vec<Shorthand> = self
            .rows
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Cell::Missing(s) => Some(*s),
                _ => None,
            })
            .collect();
        s.sort();
        s.dedup();
        s
    }
}

/// Segment counts for one peer group (the segment chart's data).
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentCounts {
    /// Peer group id.
    pub peer_group: String,
    /// Peer group label ("Acute trust").
    pub label: String,
    /// Trusts in segments 1 to 5 (final segment).
    pub counts: [u32; 5],
    /// Trusts moved to a worse segment by the financial override.
    pub capped: u32,
}

/// A change of league position since the previous quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// Peer group label.
    pub group: String,
    /// Trust code.
    pub code: String,
    /// Trust name.
    pub name: String,
    /// Rank in the previous quarter.
    pub before: u32,
    /// Rank now.
    pub now: u32,
    /// True when the likely ranges of rank do not overlap.
    pub significant: bool,
}

/// The whole pack for one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalPack {
    /// The quarter.
    pub quarter: Quarter,
    /// The previous quarter, when the run holds it.
    pub previous: Option<Quarter>,
    /// Methodology name and configuration version.
    pub methodology: String,
    /// League tables by peer group (in the methodology's order).
    pub league: Vec<PackTable>,
    /// League tables as scored, for the PDF and charts.
    pub league_source: Vec<LeagueTable>,
    /// One ranking per scored metric.
    pub metrics: Vec<PackTable>,
    /// Movement since the previous quarter, per peer group (empty without one).
    pub movement: Vec<PackTable>,
    /// Segment counts per peer group.
    pub segments: Vec<SegmentCounts>,
    /// Largest movements in each direction, per peer group.
    pub largest_moves: Vec<Movement>,
    /// Scored values resting on synthetic inputs, and on real inputs from another period.
    pub synthetic_values: u32,
    /// See `synthetic_values`.
    pub other_period_values: u32,
    /// Where each peer group's averaged scores come from.
    pub provenance: Vec<GroupProvenance>,
    /// What each league table's averages rest on, in league-table order.
    pub basis: Vec<Basis>,
}

/// Averaged scores of one peer group by where their inputs come from, and trusts without a
/// real deficit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProvenance {
    /// Peer group id.
    pub peer_group: String,
    /// Peer group label ("Acute trust").
    pub label: String,
    /// As NHS England published them.
    pub published: u32,
    /// Computed from real publications for the quarter.
    pub real: u32,
    /// Real, but for another period.
    pub other_period: u32,
    /// Generated by this project (tests and benchmarks only).
    pub synthetic: u32,
    /// Trusts whose deficit status no real source gives.
    pub deficit_not_known: u32,
    /// Trusts whose deficit status comes from a publication for another period.
    pub deficit_other_period: u32,
}

fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl GroupProvenance {
    /// One plain-English sentence: what this peer group's averages rest on.
    pub fn sentence(&self) -> String {
        let total = self.published + self.real + self.other_period + self.synthetic;
        let mut parts = Vec::new();
        for (n, what) in [
            (self.published, "as NHS England published them"),
            (
                self.real,
                "computed here from the public statistics NHS England uses for the quarter",
            ),
            (
                self.other_period,
                "from real publications for another period",
            ),
            (
                self.synthetic,
                "synthetic, generated by this project: not real figures for any trust",
            ),
        ] {
            if n > 0 {
                parts.push(format!("{} {what}", thousands(n)));
            }
        }
        let mut s = format!(
            "{}s: the averages rest on {} metric scores, {}.",
            self.label,
            thousands(total),
            parts.join(", ")
        );
        if self.deficit_other_period > 0 {
            s.push_str(&format!(
                " The deficit status of {} comes from a real publication for another period.",
                self.deficit_other_period
            ));
        }
        if self.deficit_not_known > 0 {
            s.push_str(&format!(
                " No real source gives the deficit status of {} of them: it shows as \"Not known\" and the financial override is not applied.",
                self.deficit_not_known
            ));
        }
        s
    }
}

impl NationalPack {
    /// The caveat every rendering opens with.
    pub fn caveat(&self) -> String {
        let mut s =
            "This release reproduces NHS England's method; it is not NHS England's publication."
                .to_owned();
        if self.synthetic_values > 0 {
            s.push_str(&format!(
                " {} scored values rest on synthetic inputs generated by this project: they are not real figures for any trust.",
                thousands(self.synthetic_values)
            ));
        }
        if self.other_period_values > 0 {
            s.push_str(&format!(
                " {} scored values rest on real inputs from another period.",
                thousands(self.other_period_values)
            ));
        }
        s.push_str(" Where no real value exists for a trust and metric, the metric is not scored for that trust; each league table lists the metrics its averages rest on.");
        s
    }
}

impl NationalPack {
    /// Every table, in workbook order.
    pub fn tables(&self) -> impl Iterator<Item = &PackTable> {
        self.league
            .iter()
            .chain(self.movement.iter())
            .chain(self.metrics.iter())
    }
}

fn num_or_x(v: Option<f64>) -> Cell {
    v.map_or(Cell::Missing(Shorthand::NotAvailable), Cell::Num)
}

fn yes_no(b: bool) -> Cell {
    Cell::Text(if b { "Yes" } else { "No" }.to_owned())
}

/// What a league table's averages rest on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Peer group id.
    pub peer_group: String,
    /// Trusts in the table.
    pub trusts: usize,
    /// Fewest and most metric scores in one trust's average.
    pub per_trust: (u32, u32),
    /// Each metric in the averages, in the methodology's order: id, name, trusts with it.
    pub metrics: Vec<(String, String, u32)>,
}

impl Basis {
    fn of(t: &LeagueTable, m: &Methodology) -> Self {
        let mut count: BTreeMap<&str, u32> = BTreeMap::new();
        for id in t.rows.iter().flat_map(|r| &r.metrics) {
            *count.entry(id.as_str()).or_default() += 1;
        }
        let metrics = m
            .metrics
            .iter()
            .filter_map(|x| {
                count
                    .get(x.id.as_str())
                    .map(|&n| (x.id.clone(), x.name.clone(), n))
            })
            .collect();
        let scored = t.rows.iter().map(|r| r.metrics_scored);
        Basis {
            peer_group: t.peer_group.clone(),
            trusts: t.rows.len(),
            per_trust: (scored.clone().min().unwrap_or(0), scored.max().unwrap_or(0)),
            metrics,
        }
    }

    /// One sentence: how many metrics, and how many per trust.
    pub fn summary(&self) -> String {
        format!(
            "The averages in this table rest on {} metrics, {} to {} per trust.",
            self.metrics.len(),
            self.per_trust.0,
            self.per_trust.1
        )
    }

    /// The summary and every metric with the number of trusts that have it.
    pub fn sentence(&self) -> String {
        let parts: Vec<String> = self
            .metrics
            .iter()
            .map(|(id, name, n)| format!("{name} ({id}, {n} of {})", self.trusts))
            .collect();
        format!(
            "{} Metric (id, trusts with it): {}.",
            self.summary(),
            parts.join("; ")
        )
    }
}

/// Builds the pack for `quarter` from a scoring run.
pub fn build_pack(run: &ScoreRun, m: &Methodology, quarter: Quarter) -> NationalPack {
    let tables: Vec<&LeagueTable> = run.tables.iter().filter(|t| t.quarter == quarter).collect();
    let previous_q = quarter.previous();
    let previous: BTreeMap<(&str, &str), &league_model::LeagueRow> = run
        .tables
        .iter()
        .filter(|t| t.quarter == previous_q)
        .flat_map(|t| {
            t.rows
                .iter()
                .map(move |r| ((t.peer_group.as_str(), r.trust.code.as_str()), r))
        })
        .collect();
    let has_previous = !previous.is_empty();

    let mut league = Vec::new();
    let mut basis = Vec::new();
    let mut movement = Vec::new();
    let mut segments = Vec::new();
    let mut largest_moves = Vec::new();
    for t in &tables {
        let group = m
            .peer_group(&t.peer_group)
            .expect("tables are for configured peer groups");
        let short = group.id.clone();
        let mut columns = vec![
            col(
                "Rank",
                "rank",
                Kind::Integer,
                "",
                "League position within the peer group: segment first, then average score to 2 dp; equal positions share the best rank.",
            ),
            col(
                "Rank, likely range from",
                "rank_likely_from",
                Kind::Integer,
                "",
                "Lower end of the likely range of rank (2.5th percentile of the seeded bootstrap).",
            ),
            col(
                "Rank, likely range to",
                "rank_likely_to",
                Kind::Integer,
                "",
                "Upper end of the likely range of rank (97.5th percentile).",
            ),
            trust_code_column(),
            trust_name_column(),
            col("Region", "region", Kind::Text, "", "NHS England region."),
            col(
                "Segment",
                "segment",
                Kind::Integer,
                "",
                "Delivery segment 1 (best) to 4 after the financial override.",
            ),
            col(
                "Recovery support programme (segment 5)",
                "segment_5",
                Kind::Text,
                "",
                "Yes when the trust is in the Recovery Support Programme (final segment 5; rank unchanged).",
            ),
            col(
                "In financial deficit",
                "financial_deficit",
                Kind::Text,
                "",
                "Yes when the trust is in deficit or receives deficit support: its segment is capped at 3. Not known when no real source gives the trust's deficit status: the cap is then not applied.",
            ),
            col(
                "Average metric score",
                "average_score",
                Kind::Decimal(2),
                "score 1 to 4",
                "Weighted mean of the trust's metric scores (1 best, 4 worst).",
            ),
            col(
                "Average score, likely range from",
                "average_likely_from",
                Kind::Decimal(2),
                "score 1 to 4",
                "Lower end of the likely range of the average score.",
            ),
            col(
                "Average score, likely range to",
                "average_likely_to",
                Kind::Decimal(2),
                "score 1 to 4",
                "Upper end of the likely range of the average score.",
            ),
        ];
        for d in &m.domains {
            columns.push(col(
                &format!("{} domain score", d.name),
                &format!("domain_{}", d.id),
                Kind::Decimal(2),
                "score 1 to 4",
                &format!(
                    "Mean of the trust's {} metric scores ({}).",
                    d.name.to_lowercase(),
                    d.score_id
                ),
            ));
        }
        columns.extend([
            col("Metrics scored", "metrics_scored", Kind::Integer, "count", "Number of metric scores in the average."),
            col("Metrics in average", "metrics_in_average", Kind::Text, "", "The metric scores the average rests on, by NHS England metric id (OF1xxx), separated by semicolons."),
            col("Metrics with synthetic inputs", "synthetic_metrics", Kind::Integer, "count", "Scores in the average whose input was generated by this project, not published (see Notes)."),
            col("Metrics with inputs from another period", "other_period_metrics", Kind::Integer, "count", "Scores in the average whose real input covers another period (see Notes)."),
        ]);
        let rows: Vec<Vec<Cell>> = t
            .rows
            .iter()
            .map(|r| {
                let mut v = vec![
                    Cell::Int(i64::from(r.rank)),
                    Cell::Int(r.rank_range.low as i64),
                    Cell::Int(r.rank_range.high as i64),
                    Cell::Text(r.trust.code.to_string()),
                    Cell::Text(r.trust.name.clone()),
                    Cell::Text(r.trust.region.clone()),
                    Cell::Int(i64::from(r.segment)),
                    yes_no(r.final_segment == m.segment5.segment),
                    Cell::Text(r.deficit_label().to_owned()),
                    Cell::Num(r.average),
                    Cell::Num(r.average_range.low),
                    Cell::Num(r.average_range.high),
                ];
                for d in &m.domains {
                    v.push(num_or_x(
                        r.domains.iter().find(|x| x.domain == d.id).map(|x| x.score),
                    ));
                }
                v.extend([
                    Cell::Int(i64::from(r.metrics_scored)),
                    Cell::Text(r.metrics.join("; ")),
                    Cell::Int(i64::from(r.synthetic_metrics)),
                    Cell::Int(i64::from(r.other_period_metrics)),
                ]);
                v
            })
            .collect();
        let table_basis = Basis::of(t, m);
        league.push(PackTable {
            id: format!("league_{short}"),
            sheet: truncate_sheet(&format!("League {}", group.short_label)),
            title: format!(
                "League table: {}s, {} ({}), England",
                group.label.to_lowercase(),
                quarter,
                quarter_months(quarter)
            ),
            description: format!(
                "Every {} in league order with segment, average score, likely ranges and domain scores.",
                group.label.to_lowercase()
            ),
            notes: vec![table_basis.sentence()],
            columns,
            rows,
        });
        basis.push(table_basis);

        let mut counts = [0u32; 5];
        for r in &t.rows {
            counts[usize::from(r.final_segment.clamp(1, 5)) - 1] += 1;
        }
        segments.push(SegmentCounts {
            peer_group: t.peer_group.clone(),
            label: group.label.clone(),
            counts,
            capped: t
                .rows
                .iter()
                .filter(|r| r.segment > r.unadjusted_segment)
                .count() as u32,
        });

        if has_previous {
            let mut rows = Vec::new();
            let mut moves = Vec::new();
            for r in &t.rows {
                let Some(p) = previous.get(&(t.peer_group.as_str(), r.trust.code.as_str())) else {
                    continue;
                };
                let significant =
                    r.rank_range.high < p.rank_range.low || r.rank_range.low > p.rank_range.high;
                rows.push(vec![
                    Cell::Text(r.trust.code.to_string()),
                    Cell::Text(r.trust.name.clone()),
                    Cell::Int(i64::from(p.rank)),
                    Cell::Int(i64::from(r.rank)),
                    Cell::Int(i64::from(p.rank) - i64::from(r.rank)),
                    Cell::Int(i64::from(p.segment)),
                    Cell::Int(i64::from(r.segment)),
                    Cell::Num(p.average),
                    Cell::Num(r.average),
                    yes_no(significant),
                ]);
                moves.push(Movement {
                    group: group.label.clone(),
                    code: r.trust.code.to_string(),
                    name: r.trust.name.clone(),
                    before: p.rank,
                    now: r.rank,
                    significant,
                });
            }
            // The largest rise and fall (ties broken by trust code, for stable output).
            moves.sort_by_key(|x| (i64::from(x.now) - i64::from(x.before), x.code.clone()));
            if let Some(up) = moves.first().filter(|x| x.now < x.before) {
                largest_moves.push(up.clone());
            }
            if let Some(down) = moves.iter().rev().find(|x| x.now > x.before) {
                largest_moves.push(down.clone());
            }
            movement.push(PackTable {
                id: format!("movement_{short}"),
                notes: Vec::new(),
                sheet: truncate_sheet(&format!("Movement {}", group.short_label)),
                title: format!(
                    "Movement since {}: {}s, England",
                    previous_q,
                    group.label.to_lowercase()
                ),
                description: format!(
                    "Rank, segment and average score of each {} in {} and {}.",
                    group.label.to_lowercase(),
                    previous_q,
                    quarter
                ),
                columns: vec![
                    trust_code_column(),
                    trust_name_column(),
                    col(
                        &format!("Rank {previous_q}"),
                        "rank_previous",
                        Kind::Integer,
                        "",
                        "League rank in the previous quarter.",
                    ),
                    col(
                        &format!("Rank {quarter}"),
                        "rank_now",
                        Kind::Integer,
                        "",
                        "League rank in this quarter.",
                    ),
                    col(
                        "Places gained",
                        "places_gained",
                        Kind::Integer,
                        "places",
                        "Previous rank minus current rank: positive is a rise.",
                    ),
                    col(
                        &format!("Segment {previous_q}"),
                        "segment_previous",
                        Kind::Integer,
                        "",
                        "Segment in the previous quarter.",
                    ),
                    col(
                        &format!("Segment {quarter}"),
                        "segment_now",
                        Kind::Integer,
                        "",
                        "Segment in this quarter.",
                    ),
                    col(
                        &format!("Average score {previous_q}"),
                        "average_previous",
                        Kind::Decimal(2),
                        "score 1 to 4",
                        "Average metric score in the previous quarter.",
                    ),
                    col(
                        &format!("Average score {quarter}"),
                        "average_now",
                        Kind::Decimal(2),
                        "score 1 to 4",
                        "Average metric score in this quarter.",
                    ),
                    col(
                        "Significant change",
                        "significant",
                        Kind::Text,
                        "",
                        "Yes when the two quarters' likely ranges of rank do not overlap.",
                    ),
                ],
                rows,
            });
        }
    }

    let metrics = metric_tables(run, m, quarter, &tables);
    let in_quarter = run
        .metric_scores
        .iter()
        .filter(|s| s.quarter == quarter && s.in_average);
    // Each trust's table, to count its averaged scores by provenance.
    let table_of: BTreeMap<&str, usize> = tables
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.rows.iter().map(move |r| (r.trust.code.as_str(), i)))
        .collect();
    let mut provenance: Vec<GroupProvenance> = tables
        .iter()
        .map(|t| GroupProvenance {
            peer_group: t.peer_group.clone(),
            label: t.peer_group_label.clone(),
            published: 0,
            real: 0,
            other_period: 0,
            synthetic: 0,
            deficit_not_known: t.rows.iter().filter(|r| r.in_deficit.is_none()).count() as u32,
            deficit_other_period: t
                .rows
                .iter()
                .filter(|r| r.deficit_provenance == Some(league_model::Provenance::RealOtherPeriod))
                .count() as u32,
        })
        .collect();
    for s in in_quarter {
        // A trust without a league row (no scored metric) has no table.
        let Some(&i) = table_of.get(s.trust.as_str()) else {
            continue;
        };
        let p = &mut provenance[i];
        match s.data_provenance {
            league_model::Provenance::Published => p.published += 1,
            league_model::Provenance::Real => p.real += 1,
            league_model::Provenance::RealOtherPeriod => p.other_period += 1,
            league_model::Provenance::Synthetic => p.synthetic += 1,
        }
    }
    let synthetic_values = provenance.iter().map(|p| p.synthetic).sum();
    let other_period_values = provenance.iter().map(|p| p.other_period).sum();
    NationalPack {
        quarter,
        previous: has_previous.then_some(previous_q),
        methodology: format!(
            "{} {} (configuration {})",
            m.framework.name, m.framework.year, m.framework.config_version
        ),
        league,
        league_source: tables.into_iter().cloned().collect(),
        metrics,
        movement,
        segments,
        largest_moves,
        synthetic_values,
        other_period_values,
        provenance,
        basis,
    }
}

fn metric_tables(
    run: &ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> Vec<PackTable> {
    let trust_of: BTreeMap<&str, &league_model::TrustInQuarter> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (r.trust.code.as_str(), &r.trust)))
        .collect();
    let label_of: BTreeMap<&str, &str> = m
        .peer_groups
        .iter()
        .map(|g| (g.id.as_str(), g.label.as_str()))
        .collect();
    let mut by_metric: BTreeMap<&str, Vec<&MetricScore>> = BTreeMap::new();
    for s in run.metric_scores.iter().filter(|s| s.quarter == quarter) {
        if trust_of.contains_key(s.trust.as_str()) {
            by_metric.entry(s.metric_id.as_str()).or_default().push(s);
        }
    }
    let mut out = Vec::new();
    for metric in m
        .metrics
        .iter()
        .filter(|x| x.status == MetricStatus::Scored)
    {
        let Some(scores) = by_metric.get(metric.id.as_str()) else {
            continue;
        };
        let unit = if metric.unit == "%" {
            "per cent".to_owned()
        } else {
            metric.unit.clone()
        };
        let mut rows: Vec<(String, u32, String, Vec<Cell>)> = scores
            .iter()
            .map(|s| {
                let t = trust_of[s.trust.as_str()];
                let group = label_of.get(t.peer_group.as_str()).copied().unwrap_or("");
                let rank = s.value_rank.unwrap_or(s.score_rank);
                let q = s.peer_quartiles;
                (
                    group.to_owned(),
                    rank,
                    t.code.to_string(),
                    vec![
                        Cell::Text(group.to_owned()),
                        Cell::Int(i64::from(rank)),
                        Cell::Text(t.code.to_string()),
                        Cell::Text(t.name.clone()),
                        num_or_x(s.value),
                        Cell::Num(s.score_rounded),
                        num_or_x(q.map(|q| q[1])),
                        num_or_x(q.map(|q| q[0])),
                        num_or_x(q.map(|q| q[2])),
                        Cell::Text(s.data_provenance.label().to_owned()),
                    ],
                )
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
        let unit_header = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        out.push(PackTable {
            notes: Vec::new(),
            id: format!("metric_{}", metric.id.to_lowercase()),
            sheet: truncate_sheet(&format!("Metric {}", metric.id)),
            title: format!("{} ({}), {}, England", metric.name, metric.id, quarter),
            description: format!(
                "Each trust's value, score and rank within its peer group for {}.",
                metric.name
            ),
            columns: vec![
                col("Peer group", "peer_group", Kind::Text, "", "League-table peer group."),
                col("Rank in peer group", "rank", Kind::Integer, "", "Rank of the value within the peer group (best first; by score where no value is published)."),
                trust_code_column(),
                trust_name_column(),
                col(&format!("Value{unit_header}"), "value", Kind::Decimal(2), &unit, &format!("The metric's value ({}).", metric.value_id.as_deref().unwrap_or("score only"))),
                col("Score", "score", Kind::Decimal(2), "score 1 to 4", "The metric score, 1 (best) to 4."),
                col(&format!("Peer group median{unit_header}"), "peer_median", Kind::Decimal(2), &unit, "Median value in the trust's peer group."),
                col(&format!("Peer group lower quartile{unit_header}"), "peer_lower_quartile", Kind::Decimal(2), &unit, "Lower quartile of values in the peer group."),
                col(&format!("Peer group upper quartile{unit_header}"), "peer_upper_quartile", Kind::Decimal(2), &unit, "Upper quartile of values in the peer group."),
                col("Data provenance", "data_provenance", Kind::Text, "", "published, real, real_other_period or synthetic: where the input comes from."),
            ],
            rows: rows.into_iter().map(|r| r.3).collect(),
        });
    }
    out
}

/// Excel's worksheet-name limit is 31 characters.
fn truncate_sheet(s: &str) -> String {
    s.chars().take(31).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_sentences_name_only_what_is_there() {
        let g = GroupProvenance {
            peer_group: "ambulance".into(),
            label: "Ambulance trust".into(),
            published: 0,
            real: 40,
            other_period: 3,
            synthetic: 0,
            deficit_not_known: 9,
            deficit_other_period: 1,
        };
        assert_eq!(
            g.sentence(),
            "Ambulance trusts: the averages rest on 43 metric scores, 40 computed here from the public statistics NHS England uses for the quarter, 3 from real publications for another period. The deficit status of 1 comes from a real publication for another period. No real source gives the deficit status of 9 of them: it shows as \"Not known\" and the financial override is not applied."
        );
        let s = GroupProvenance {
            peer_group: "acute".into(),
            label: "Acute trust".into(),
            published: 2495,
            real: 0,
            other_period: 0,
            synthetic: 1234567,
            deficit_not_known: 0,
            deficit_other_period: 0,
        };
        assert!(s.sentence().contains(
            "1,237,062 metric scores, 2,495 as NHS England published them, 1,234,567 synthetic"
        ));
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn quarters_are_written_as_months() {
        let q = |s: &str| s.parse::<Quarter>().expect("quarter");
        assert_eq!(quarter_months(q("Q1 2025/26")), "April to June 2025");
        assert_eq!(quarter_months(q("Q4 2025/26")), "January to March 2026");
    }

    #[test]
    fn publication_dates_are_checked() {
        let text = |d: &str| {
            format!(
                "title = \"t\"\norganisation = \"o\"\ncontact = \"c\"\nrelease_date = \"{d}\"\nnext_update = \"n\"\nrelease_url = \"u\"\nlanguage = \"en-GB\"\n"
            )
        };
        let p = Publication::from_toml(&text("2026-11-23")).expect("valid");
        assert_eq!(p.release_long(), "23 November 2026");
        assert!(Publication::from_toml(&text("23/11/2026")).is_err());
        assert!(Publication::from_toml(&text("2026-13-01")).is_err());
    }
}

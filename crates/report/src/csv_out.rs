//! League-table and metric-score CSVs in NHS England's layouts (NOF 2025/26 spec §3).

use std::path::Path;

use league_model::number::{format_nhse, round_dp};
use league_model::{
    LeagueRow, LeagueTable, Methodology, MetricScore, Provenance, Quarter, ScoreProvenance,
    ScoreRun,
};

use crate::ReportError;

/// The six columns that open both of NHS England's layouts: quarter and the trust's details.
const TRUST_COLUMNS: [&str; 6] = [
    "Quarter",
    "Region",
    "Trust_type",
    "Trust_subtype",
    "Trust_code",
    "Trust_name",
];

/// NHS England's league-table columns, in order, then this project's.
pub const LEAGUE_TABLE_COLUMNS: [&str; 22] = [
    TRUST_COLUMNS[0],
    TRUST_COLUMNS[1],
    TRUST_COLUMNS[2],
    TRUST_COLUMNS[3],
    TRUST_COLUMNS[4],
    TRUST_COLUMNS[5],
    "Average_score",
    "Likely_range_of_average_score",
    "Segment",
    "Trust_in_financial_deficit",
    "Rank",
    "Likely_range_of_rank",
    // Not in NHS England's layout: "Yes" when the trust is in the Recovery Support Programme
    // (segment 5; Segment keeps the 1 to 4 the league order uses), the segment before the
    // financial override, what the average rests on (how many metric scores, and which, as
    // score ids separated by ";"), and how many of them rest on synthetic inputs or on real
    // inputs from another period (always 0 for NHS England's own data).
    "Recovery_support_programme",
    "Segment_before_override",
    "Metrics_scored",
    "Metrics_in_average",
    "Synthetic_metrics",
    "Other_period_metrics",
    // Segment chances: the share of bootstrap replicates (whole per cent, summing to 100) in
    // which the trust's resampled average gives segments 1 to 4 after the override, from the
    // same replicates as the likely ranges.
    "Segment_chance_1",
    "Segment_chance_2",
    "Segment_chance_3",
    "Segment_chance_4",
];

/// NHS England's data-file columns, in order, then this project's.
pub const METRIC_SCORE_COLUMNS: [&str; 20] = [
    TRUST_COLUMNS[0],
    TRUST_COLUMNS[1],
    TRUST_COLUMNS[2],
    TRUST_COLUMNS[3],
    TRUST_COLUMNS[4],
    TRUST_COLUMNS[5],
    "Domain",
    "Sub-domain",
    "Metric_ID",
    "Metric_description",
    "Reporting_date",
    "Units",
    "Value",
    "Median_value",
    "Lower_quartile",
    "Upper_quartile",
    "Rank",
    // Not in NHS England's layout: published, real, real_other_period or synthetic (the least
    // direct input behind the row); for a metric score, whether the score in the average is
    // NHS England's published one or computed here, and the score this project computed from
    // the raw value where it could (to 2 dp), which verifies a published one.
    "Data_provenance",
    "Score_source",
    "Computed_score",
];

/// Each trust's intervention status (`intervention-status.csv`), in league order.
pub const INTERVENTION_COLUMNS: [&str; 8] = [
    "Quarter",
    "Trust_code",
    "Trust_name",
    "Intervention_status",
    "Status_id",
    // The condition that held, in plain English, and the figures that show it (";"-separated).
    "Rule",
    "Evidence",
    // More severe statuses the input could not assess, with why (";"-separated).
    "Not_assessed",
];

fn intervention_rows<'a>(
    t: &'a LeagueTable,
    run: &'a ScoreRun,
) -> impl Iterator<Item = Vec<String>> + 'a {
    t.rows.iter().filter_map(move |r| {
        let s = run
            .interventions
            .iter()
            .find(|s| s.quarter == t.quarter && s.trust == r.trust.code)?;
        Some(vec![
            t.quarter.to_string(),
            r.trust.code.to_string(),
            text(&r.trust.name),
            text(&s.label),
            s.id.clone(),
            text(&s.rule),
            text(&s.evidence.join("; ")),
            text(&s.not_assessed.join("; ")),
        ])
    })
}

/// Directory name for a quarter: "2025-26-Q3".
pub fn quarter_slug(q: Quarter) -> String {
    format!("{}-{:02}-Q{}", q.fy_start, (q.fy_start + 1) % 100, q.q)
}

/// Writes `<dir>/<quarter>/<peer group>/{league-table,metric-scores}.csv` for every table.
pub fn write_tables(
    dir: &Path,
    run: &ScoreRun,
    m: &Methodology,
) -> Result<Vec<std::path::PathBuf>, ReportError> {
    let mut written = Vec::new();
    for t in &run.tables {
        let sub = dir.join(quarter_slug(t.quarter)).join(&t.peer_group);
        std::fs::create_dir_all(&sub).map_err(|e| ReportError::io(&sub, e))?;
        let p = sub.join("league-table.csv");
        write_csv(
            &p,
            &LEAGUE_TABLE_COLUMNS,
            t.rows.iter().map(|r| league_row(t, r)),
        )?;
        written.push(p);
        let p = sub.join("metric-scores.csv");
        write_csv(&p, &METRIC_SCORE_COLUMNS, metric_rows(t, run, m))?;
        written.push(p);
        let p = sub.join("intervention-status.csv");
        write_csv(&p, &INTERVENTION_COLUMNS, intervention_rows(t, run))?;
        written.push(p);
    }
    Ok(written)
}

fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let io = |e: csv::Error| ReportError::io(path, std::io::Error::other(e));
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(path)
        .map_err(io)?;
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(&r).map_err(io)?;
    }
    w.flush().map_err(|e| ReportError::io(path, e))?;
    let f = std::fs::File::open(path).map_err(|e| ReportError::io(path, e))?;
    f.sync_all().map_err(|e| ReportError::io(path, e))
}

use league_model::text::escape_formula as text;

fn trust_columns(t: &LeagueTable, r: &LeagueRow) -> Vec<String> {
    vec![
        t.quarter.to_string(),
        text(&r.trust.region),
        text(&t.peer_group_label),
        text(&r.trust.subtype),
        r.trust.code.to_string(),
        text(&r.trust.name),
    ]
}

fn league_row(t: &LeagueTable, r: &LeagueRow) -> Vec<String> {
    let mut v = trust_columns(t, r);
    v.extend([
        format_nhse(r.average, 2),
        // A range is this project's figure: both ends at the published 2 dp ("1.00 to 2.35").
        format!(
            "{:.2} to {:.2}",
            round_dp(r.average_range.low, 2),
            round_dp(r.average_range.high, 2)
        ),
        r.segment.to_string(),
        r.deficit_label().to_owned(),
        r.rank.to_string(),
        format!("{} to {}", r.rank_range.low, r.rank_range.high),
        r.programme_label().to_owned(),
        r.unadjusted_segment.to_string(),
        r.metrics_scored.to_string(),
        r.metrics.join(";"),
        r.synthetic_metrics.to_string(),
        r.other_period_metrics.to_string(),
    ]);
    v.extend((0..4).map(|i| {
        r.segment_chances
            .map_or_else(|| "[x]".to_owned(), |c| c[i].to_string())
    }));
    v
}

fn metric_rows<'a>(
    t: &'a LeagueTable,
    run: &'a ScoreRun,
    m: &'a Methodology,
) -> impl Iterator<Item = Vec<String>> + 'a {
    t.rows.iter().flat_map(move |r| {
        let scores: Vec<&MetricScore> = run
            .metric_scores
            .iter()
            .filter(|s| s.quarter == t.quarter && s.trust == r.trust.code)
            .collect();
        // Derived rows rest on every averaged input.
        let derived = scores
            .iter()
            .filter(|s| s.in_average)
            .map(|s| s.data_provenance)
            .max()
            .unwrap_or_default();
        let mut lines = metric_lines(&scores, m);
        lines.extend(domain_lines(t, r, m, derived));
        lines.extend(summary_lines(t, r, m, derived));
        lines
            .into_iter()
            .map(|l| l.columns(t, r))
            .collect::<Vec<_>>()
    })
}

/// One row of metric-scores.csv after the trust's own columns.
struct ScoreLine<'s> {
    domain: &'s str,
    sub: String,
    id: &'s str,
    desc: String,
    units: &'s str,
    value: String,
    spread: [String; 3],
    rank: Option<u32>,
    provenance: Provenance,
    date: String,
    /// Score source (published or computed) and the computed score, for a metric's score.
    score: [String; 2],
}

impl ScoreLine<'_> {
    fn columns(self, t: &LeagueTable, r: &LeagueRow) -> Vec<String> {
        let mut v = trust_columns(t, r);
        let [median, lq, uq] = self.spread;
        let [source, computed] = self.score;
        v.extend([
            self.domain.to_owned(),
            self.sub,
            self.id.to_owned(),
            self.desc,
            self.date,
            self.units.to_owned(),
            self.value,
            median,
            lq,
            uq,
            self.rank.map(|x| x.to_string()).unwrap_or_default(),
            self.provenance.label().to_owned(),
            source,
            computed,
        ]);
        v
    }
}

/// Each metric: its raw value with the peer group's median and quartiles (NHS England's
/// OF0xxx rows), then the score in the average (OF1xxx), published or computed.
fn metric_lines<'s>(scores: &[&'s MetricScore], m: &'s Methodology) -> Vec<ScoreLine<'s>> {
    let mut out = Vec::new();
    for s in scores {
        let metric = m
            .metric(&s.metric_id)
            .expect("scores carry configured metric ids");
        let domain = m
            .domains
            .iter()
            .find(|d| d.id == metric.domain)
            .expect("validated domain");
        if let (Some(value_id), Some(value)) = (&metric.value_id, s.value) {
            out.push(ScoreLine {
                domain: &domain.name,
                sub: metric.sub_domain.clone(),
                id: value_id,
                desc: metric.name.clone(),
                units: &metric.unit,
                value: format_nhse(value, 2),
                spread: s.peer_spread.map_or_else(Default::default, |q| {
                    [q.median, q.lower_quartile, q.upper_quartile].map(|x| format_nhse(x, 2))
                }),
                rank: s.value_rank,
                provenance: s.data_provenance,
                date: s.reporting_date.clone(),
                score: Default::default(),
            });
        }
        let source = match s.provenance {
            ScoreProvenance::Published => "published",
            ScoreProvenance::Computed => "computed",
        };
        out.push(ScoreLine {
            domain: &domain.name,
            sub: metric.sub_domain.clone(),
            id: &metric.id,
            desc: metric.name.clone(),
            units: "score",
            value: format_nhse(s.score, 2),
            spread: Default::default(),
            rank: Some(s.score_rank),
            provenance: s.data_provenance,
            date: s.reporting_date.clone(),
            score: [
                source.to_owned(),
                s.computed.map(|c| format_nhse(c, 2)).unwrap_or_default(),
            ],
        });
    }
    out
}

/// Each domain's score and segment (derived rows).
fn domain_lines<'s>(
    t: &LeagueTable,
    r: &LeagueRow,
    m: &'s Methodology,
    derived: Provenance,
) -> Vec<ScoreLine<'s>> {
    let mut out = Vec::new();
    for d in &r.domains {
        let domain = m
            .domains
            .iter()
            .find(|x| x.id == d.domain)
            .expect("validated domain");
        let score_name = format!("{} domain score", domain.name);
        let seg_name = format!("{} domain segment", domain.name);
        out.push(ScoreLine {
            domain: &domain.name,
            sub: score_name.clone(),
            id: &domain.score_id,
            desc: score_name,
            units: "score",
            value: format_nhse(d.score, 2),
            spread: Default::default(),
            rank: Some(d.rank),
            provenance: derived,
            date: t.quarter.to_string(),
            score: Default::default(),
        });
        out.push(ScoreLine {
            domain: &domain.name,
            sub: seg_name.clone(),
            id: &domain.segment_id,
            desc: seg_name,
            units: "segment",
            value: format_nhse(f64::from(d.segment), 1),
            spread: Default::default(),
            rank: None,
            provenance: derived,
            date: t.quarter.to_string(),
            score: Default::default(),
        });
    }
    out
}

/// The trust's summary rows: segments, average, and the financial override and final segment
/// where their statuses are known (NHS England's files carry 0 or 1; a final segment whose
/// programme status is not known could be 5).
fn summary_lines<'s>(
    t: &LeagueTable,
    r: &LeagueRow,
    m: &'s Methodology,
    derived: Provenance,
) -> Vec<ScoreLine<'s>> {
    let o = &m.outputs;
    let summary =
        |id: &'s str, desc: &str, units: &'s str, value: String, rank: Option<u32>| ScoreLine {
            domain: "Summary",
            sub: "Summary".to_owned(),
            id,
            desc: desc.to_owned(),
            units,
            value,
            spread: Default::default(),
            rank,
            provenance: derived,
            date: t.quarter.to_string(),
            score: Default::default(),
        };
    let segment = |s: u8| format_nhse(f64::from(s), 1);
    let mut out = vec![
        summary(
            &o.adjusted_segment,
            "Adjusted segment",
            "segment",
            segment(r.segment),
            Some(r.rank),
        ),
        summary(
            &o.average,
            "Average metric score",
            "score",
            format_nhse(r.average, 2),
            Some(r.average_rank),
        ),
        summary(
            &o.unadjusted_segment,
            "Unadjusted segment",
            "segment",
            segment(r.unadjusted_segment),
            None,
        ),
    ];
    if let Some(in_deficit) = r.in_deficit {
        let flag = if in_deficit { "1.0" } else { "0.0" };
        out.push(summary(
            &m.financial_override.flag_id,
            "Financial override",
            "flag",
            flag.to_owned(),
            None,
        ));
    }
    if r.in_recovery_support_programme.is_some() {
        out.push(summary(
            &o.final_segment,
            "Final segment score override",
            "segment",
            segment(r.final_segment),
            None,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_escaped() {
        assert_eq!(text("=HYPERLINK(\"x\",\"y\")"), "'=HYPERLINK(\"x\",\"y\")");
        assert_eq!(text("-1"), "'-1");
        assert_eq!(text("North West"), "North West");
    }

    #[test]
    fn quarter_slugs_sort_chronologically() {
        let q: Quarter = "Q3 2025/26".parse().expect("quarter");
        assert_eq!(quarter_slug(q), "2025-26-Q3");
    }
}

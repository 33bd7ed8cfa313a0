//! A multi-metric trust snapshot (compiled from ESR, finance returns and CQC ratings), one row
//! per trust at a `data_month`:
//! - OF0082 sickness absence % (`sickness_rate_overall_3m_avg`, the three months to
//!   `data_month`): the quarter ending in `data_month`;
//! - OF0081 year-to-date variance to plan, % of turnover (`fin_var_pct_turnover`) and OF5004
//!   deficit flag (`fin_in_deficit`): the finance figures lag one quarter, so the quarter
//!   before `data_month`'s;
//! - OF1067 CQC "safe" rating (`rating_safe`), scored by the methodology's mapping, for the
//!   quarter of `data_month` (the rating in force then).

use std::collections::BTreeMap;

use league_model::{Quarter, Scoring};

use super::row::{Kind, month_label};
use super::{Context, Ingested, Table, Unknown, accepted, own_rows_win, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

pub(super) const COLUMNS: [&str; 7] = [
    "org_code",
    "org_name",
    "data_month",
    "sickness_rate_overall_3m_avg",
    "fin_var_pct_turnover",
    "fin_in_deficit",
    "rating_safe",
];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let ratings: BTreeMap<String, f64> = ctx
        .methodology
        .metric("OF1067")
        .and_then(|m| match &m.scoring {
            Scoring::Mapping { categories } => Some(categories.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    let mut pending = Vec::new();
    table.each(out, |row, out| {
        let month = row.month("data_month", ctx);
        row.label("org_name");
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            month,
            Unknown::Quarantine,
            &mut remapped,
        );
        let sickness = row.number("sickness_rate_overall_3m_avg", Kind::Percent);
        let variance = row.number("fin_var_pct_turnover", Kind::Range(-100.0, 100.0));
        let deficit = row.number("fin_in_deficit", Kind::Range(0.0, 1.0));
        if let Ok(Some(d)) = deficit
            && d != 0.0
            && d != 1.0
        {
            row.fail(
                Rule::ValueRange,
                "fin_in_deficit",
                &d.to_string(),
                "a flag must be 0 or 1",
            );
        }
        let rating = row.label("rating_safe");
        let safe = if rating.is_empty() || rating == "Not rated" {
            None
        } else if let Some(s) = ratings.get(rating) {
            Some(*s)
        } else {
            let known: Vec<&str> = ratings.keys().map(String::as_str).collect();
            row.fail(
                Rule::UnknownLabel,
                "rating_safe",
                rating,
                &format!("unknown CQC rating; expected one of: {}", known.join(", ")),
            );
            None
        };
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        if !row.first(
            &mut seen,
            row.text("org_code").to_owned(),
            "org_code",
            row.text("org_code"),
            out,
        ) {
            return;
        }
        let q = Quarter::of_month(month.0, month.1).expect("validated month");
        let values = [
            (
                "OF0082",
                q,
                sickness.ok().flatten(),
                format!("3 months to {}", month_label(month)),
            ),
            (
                "OF0081",
                q.previous(),
                variance.ok().flatten(),
                q.previous().to_string(),
            ),
            (
                "OF5004",
                q.previous(),
                deficit.ok().flatten(),
                q.previous().to_string(),
            ),
            ("OF1067", q, safe, month_label(month)),
        ];
        let own = code.as_str() == row.text("org_code");
        pending.push((code, own, row.line, values));
    })?;
    out.summary.remapped += remapped;
    for (code, line, values) in own_rows_win(pending, out) {
        let mut any = false;
        for (id, quarter, v, date) in values {
            if let Some(v) = v {
                any = true;
                out.observations
                    .push(table.observation(quarter, code.clone(), id, v, date, line));
            }
        }
        if !any {
            out.exclude(Exclusion::Suppressed);
        }
    }
    Ok(())
}

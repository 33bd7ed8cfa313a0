//! NHS Staff Survey detailed results by organisation (People Promise elements and themes).
//! - OF0061 raising concerns = the "We each have a voice that counts: raising concerns"
//!   sub-score (`pp3_2_score`);
//! - OF0084 staff engagement = the theme score (`staff_engagement_score`).
//!
//! Both are 0–10. A survey run in the autumn of year Y is published in March of Y+1 and used
//! by the NOF for every quarter of financial year (Y+1)/(Y+2): NHS England's Q1–Q3 2025/26
//! files give Reporting_date 2024 for these metrics. The survey year is read from the file
//! name (`nss2024…`). Organisations that are not trusts (ICBs, CSUs) are excluded as
//! `not_a_trust`.

use std::collections::BTreeMap;

use league_model::Quarter;

use super::row::Kind;
use super::{Context, Ingested, Table, Unknown, accepted, own_rows_win, resolve_org};
use crate::IngestError;
use crate::csvfile::CsvFile;

pub(super) const COLUMNS: [&str; 5] = [
    "org_code",
    "org_name",
    "benchmark_group",
    "pp3_2_score",
    "staff_engagement_score",
];

const METRICS: [(&str, &str); 2] = [
    ("pp3_2_score", "OF0061"),
    ("staff_engagement_score", "OF0084"),
];

/// The survey year in a file name like `nss2024_people_promise.csv`.
pub(crate) fn survey_year(name: &str) -> Option<u16> {
    let base = std::path::Path::new(name)
        .file_name()?
        .to_str()?
        .to_ascii_lowercase();
    let at = base.find("nss")? + 3;
    let digits: String = base[at..].chars().take(4).collect();
    digits.parse().ok().filter(|y| (2000..=2100).contains(y))
}

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let year = survey_year(&file.name).ok_or_else(|| IngestError::Unusable {
        file: file.name.clone(),
        problem: "cannot tell the survey year: name the file like nss2024_….csv".into(),
    })?;
    let quarters: Vec<Quarter> = (1..=4).filter_map(|q| Quarter::new(year + 1, q)).collect();
    // The register is consulted as at the end of the survey's financial year of use.
    let as_at = (year + 2, 3);
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    let mut pending = Vec::new();
    table.each(out, |row, out| {
        row.label("org_name");
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            Some(as_at),
            Unknown::Exclude,
            &mut remapped,
        );
        let values: Vec<(&str, Option<f64>)> = METRICS
            .iter()
            .map(|(col, id)| (*id, row.number(col, Kind::Range(0.0, 10.0)).ok().flatten()))
            .collect();
        let Some((code, ())) = accepted(row, out, org, Some(())) else {
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
        let own = code.as_str() == row.text("org_code");
        pending.push((code, own, row.line, values));
    })?;
    out.summary.remapped += remapped;
    for (code, line, values) in own_rows_win(pending, out) {
        for (id, v) in values {
            let Some(v) = v else { continue };
            for &q in &quarters {
                out.observations.push(table.observation(
                    q,
                    code.clone(),
                    id,
                    v,
                    year.to_string(),
                    line,
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::survey_year;

    #[test]
    fn survey_year_comes_from_the_file_name() {
        assert_eq!(
            survey_year("data/sources/nss2024_people_promise.csv"),
            Some(2024)
        );
        assert_eq!(survey_year("NSS2023.csv"), Some(2023));
        assert_eq!(survey_year("staff_survey.csv"), None);
    }
}

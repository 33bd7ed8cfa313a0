//! The board capability assessment adapter (`--board-assessment FILE`): one row per trust,
//! quarter and area, `trust_code,quarter,area,rating`, where `area` is an id from the
//! methodology's `[intervention.board_capability]` or `overall`, and `rating` one of its ratings
//! (any case). A rating is never guessed or defaulted: any bad row refuses the whole file, every
//! bad row listed with its line, column, value and reason.

use std::collections::BTreeMap;
use std::path::Path;

use league_model::{BoardAssessment, Methodology, Quarter, TrustCode};

use crate::csvfile::{Checked, CsvFile};
use crate::{IngestError, Limits, RowError, Rule};

/// Columns of the file.
pub const BOARD_COLUMNS: [&str; 4] = ["trust_code", "quarter", "area", "rating"];

/// Reads a board capability assessment file.
pub fn read_board_assessments(
    path: &Path,
    limits: &Limits,
    m: &Methodology,
) -> Result<Vec<BoardAssessment>, IngestError> {
    let file = CsvFile::open(path, limits)?;
    parse(&file, m)
}

/// Reads a board capability assessment from bytes named `name` in messages.
pub fn read_board_assessment_bytes(
    name: &str,
    bytes: Vec<u8>,
    limits: &Limits,
    m: &Methodology,
) -> Result<Vec<BoardAssessment>, IngestError> {
    parse(&CsvFile::from_bytes(name, bytes, limits)?, m)
}

fn parse(file: &CsvFile, m: &Methodology) -> Result<Vec<BoardAssessment>, IngestError> {
    let bc = &m.intervention.board_capability;
    let mut rdr = file.reader();
    let [code_i, quarter_i, area_i, rating_i] = file.columns(&mut rdr, BOARD_COLUMNS)?;
    let mut errors = Vec::new();
    let mut by_key: BTreeMap<(Quarter, TrustCode), BTreeMap<String, (u64, String)>> =
        BTreeMap::new();
    let records = file.checked_rows()?;
    if records.is_empty() {
        return Err(IngestError::Empty {
            file: file.name.clone(),
        });
    }
    for record in records {
        let (line, rec) = match record {
            Checked::Row { line, fields } => (line, fields),
            Checked::Bad(e) => {
                errors.push(e);
                continue;
            }
        };
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let code = match TrustCode::parse(field(code_i)) {
            Ok(c) => c,
            Err(e) => {
                errors.push(RowError::new(
                    &file.name,
                    line,
                    "trust_code",
                    field(code_i),
                    Rule::InvalidCode,
                    e.to_string(),
                ));
                continue;
            }
        };
        let quarter = match field(quarter_i).parse::<Quarter>() {
            Ok(q) => q,
            Err(e) => {
                errors.push(RowError::new(
                    &file.name,
                    line,
                    "quarter",
                    field(quarter_i),
                    Rule::BadPeriod,
                    e.to_string(),
                ));
                continue;
            }
        };
        let area = field(area_i);
        if area != "overall" && !bc.areas.iter().any(|a| a.id == area) {
            errors.push(RowError::new(
                &file.name,
                line,
                "area",
                area,
                Rule::UnknownLabel,
                format!(
                    "not an area of the assessment; use overall or one of {}",
                    bc.areas
                        .iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            continue;
        }
        let Some(rating) = bc
            .ratings
            .iter()
            .find(|r| r.eq_ignore_ascii_case(field(rating_i)))
        else {
            errors.push(RowError::new(
                &file.name,
                line,
                "rating",
                field(rating_i),
                Rule::UnknownLabel,
                format!("not a rating; use one of {}", bc.ratings.join(", ")),
            ));
            continue;
        };
        let areas = by_key.entry((quarter, code)).or_default();
        if let Some((first, _)) = areas.get(area) {
            errors.push(RowError::new(
                &file.name,
                line,
                "trust_code,quarter,area",
                &format!("{},{},{area}", field(code_i), field(quarter_i)),
                Rule::DuplicateKey,
                format!("this trust, quarter and area are already rated on line {first}"),
            ));
            continue;
        }
        areas.insert(area.to_owned(), (line, rating.clone()));
    }
    if !errors.is_empty() {
        return Err(IngestError::Rows(errors));
    }
    Ok(by_key
        .into_iter()
        .map(|((quarter, trust), mut rated)| BoardAssessment {
            quarter,
            trust,
            overall: rated.remove("overall").map(|(_, r)| r),
            areas: bc
                .areas
                .iter()
                .filter_map(|a| rated.get(&a.id).map(|(_, r)| (a.id.clone(), r.clone())))
                .collect(),
            source: file.name.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<BoardAssessment>, IngestError> {
        read_board_assessment_bytes(
            "board.csv",
            text.as_bytes().to_vec(),
            &Limits::default(),
            &crate::test_support::methodology(),
        )
    }

    #[test]
    fn ratings_are_read_per_trust_and_quarter_in_area_order() {
        // Made-up trusts (ZZ1, ZZ2): never a rating on a real trust.
        let a = read(
            "trust_code,quarter,area,rating\nZZ1,2025-26-Q1,quality_of_care,low\nZZ1,2025-26-Q1,overall,Low\nZZ1,2025-26-Q1,strategy_leadership_planning,Medium\nZZ2,2025-26-Q1,overall,High\n",
        )
        .expect("valid");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].trust.as_str(), "ZZ1");
        assert_eq!(a[0].overall.as_deref(), Some("Low"));
        assert_eq!(
            a[0].areas,
            vec![
                ("strategy_leadership_planning".into(), "Medium".into()),
                ("quality_of_care".into(), "Low".into())
            ]
        );
        assert!(a[1].areas.is_empty());
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_kept() {
        let err = read(
            "trust_code,quarter,area,rating\nZZ1,2025-26-Q1,quality,Low\nZZ1,2025-26-Q1,overall,Good\nzz!,2025-26-Q1,overall,Low\nZZ2,2025-26-Q9,overall,Low\nZZ3,2025-26-Q1,overall,Low\nZZ3,2025-26-Q1,overall,High\n",
        )
        .expect_err("bad rows");
        let IngestError::Rows(rows) = &err else {
            panic!("{err}");
        };
        let got: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "area"),
                (3, "rating"),
                (4, "trust_code"),
                (5, "quarter"),
                (7, "trust_code,quarter,area")
            ]
        );
        assert!(
            err.to_string()
                .contains("board.csv:3: column rating: value \"Good\""),
            "{err}"
        );
    }

    #[test]
    fn a_header_without_the_columns_is_refused() {
        let err = read("trust,rating\nZZ1,Low\n").expect_err("missing columns");
        assert!(
            err.to_string()
                .contains("missing column(s) trust_code, quarter, area"),
            "{err}"
        );
    }
}

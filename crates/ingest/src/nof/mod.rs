//! NHS England's NOF data CSV (NOF 2025/26 spec §3, "Common CSV schema").
//!
//! Columns used: Quarter, Region, Trust_type, Trust_subtype, Trust_code, Trust_name, Metric_ID,
//! Reporting_date, Units, Value. The other published columns (Domain, Sub-domain,
//! Metric_description, Median_value, Lower_quartile, Upper_quartile, Rank) describe or derive
//! from these and are not needed to score.

use std::path::Path;

use league_model::{Dataset, Methodology, Quarter};

use crate::csvfile::CsvFile;
use crate::{IngestError, TrustRegister};

/// Values NHS England and the statistical conventions use for a withheld or absent figure.
const SUPPRESSED: [&str; 6] = ["", "*", "-", "[c]", "[x]", "[z]"];

/// Where the quarter of a NOF data file's rows came from. NHS England's Q1 2025/26 files have
/// no `Quarter` column; later files have one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuarterSource {
    /// The file's own `Quarter` column.
    #[default]
    Column,
    /// No `Quarter` column: the quarter given with `--quarter`.
    Option,
    /// No `Quarter` column: the one quarter its `Reporting_date` values name ("Q1 2025/26").
    ReportingDate,
}

impl QuarterSource {
    /// How a log line or message says it.
    pub fn describe(self) -> &'static str {
        match self {
            QuarterSource::Column => "the file's Quarter column",
            QuarterSource::Option => "--quarter (the file has no Quarter column)",
            QuarterSource::ReportingDate => {
                "its Reporting_date values (the file has no Quarter column)"
            }
        }
    }
}

/// What reading a NOF data file did with its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NofReadSummary {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows accepted as observations.
    pub accepted: u64,
    /// Derived outputs (domain results, average, segments) set aside: the engine computes them.
    pub derived_set_aside: u64,
    /// Rows with a blank or suppressed value, or a score of 0 ("not scored", spec §4).
    pub no_value: u64,
    /// Rows for a metric the methodology does not apply to the trust's peer group.
    pub not_applicable: u64,
    /// Rows in a second unit (e.g. a count beside the configured rate) set aside.
    pub other_unit: u64,
    /// Where the rows' quarter came from.
    pub quarter_source: QuarterSource,
}

/// The columns every published layout has. `Quarter` (absent from the Q1 2025/26 layout) and
/// `Rank` are read when present; Domain, Sub-domain, Metric_description, Median_value,
/// Lower_quartile and Upper_quartile describe or derive from these and are not needed to score.
pub(crate) const COLUMNS: [&str; 9] = [
    "Region",
    "Trust_type",
    "Trust_subtype",
    "Trust_code",
    "Trust_name",
    "Metric_ID",
    "Reporting_date",
    "Units",
    "Value",
];

/// Reads a NOF data CSV. Every row is checked; all failures are returned together. `quarter`
/// is the quarter of a file without a `Quarter` column (`--quarter`); without it, the quarter
/// comes from the file's `Reporting_date` values.
pub fn read_nof_data(
    path: &Path,
    methodology: &Methodology,
    register: &TrustRegister,
    quarter: Option<Quarter>,
    limits: &crate::Limits,
) -> Result<(Dataset, NofReadSummary), IngestError> {
    read_nof_file(CsvFile::open(path, limits)?, methodology, register, quarter)
}

/// As [`read_nof_data`], from bytes already in memory (`name` is used in messages).
pub fn read_nof_bytes(
    name: &str,
    bytes: Vec<u8>,
    methodology: &Methodology,
    register: &TrustRegister,
    quarter: Option<Quarter>,
    limits: &crate::Limits,
) -> Result<(Dataset, NofReadSummary), IngestError> {
    read_nof_file(
        CsvFile::from_bytes(name, bytes, limits)?,
        methodology,
        register,
        quarter,
    )
}

fn read_nof_file(
    file: CsvFile,
    methodology: &Methodology,
    register: &TrustRegister,
    quarter: Option<Quarter>,
) -> Result<(Dataset, NofReadSummary), IngestError> {
    let (dataset, summary, errors) = read_nof_lenient(&file, methodology, register, quarter)?;
    if errors.is_empty() {
        Ok((dataset, summary))
    } else {
        Err(IngestError::Rows(errors))
    }
}

mod layout;
mod reader;

pub(crate) use reader::read_nof_lenient;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::RowError;
    use crate::test_support::{root, setup};
    use league_model::TrustCode;

    const HEADER: &str = "Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Domain,Sub-domain,Metric_ID,Metric_description,Reporting_date,Units,Value,Median_value,Lower_quartile,Upper_quartile,Rank";

    fn row(code: &str, metric: &str, units: &str, value: &str) -> String {
        format!(
            "Q1 2025/26,North West,Mental health and community trust,Community,{code},\"Some Trust, NHS\",D,S,{metric},desc,2024,{units},{value},,,,"
        )
    }

    fn read(lines: &[String]) -> Result<(Dataset, NofReadSummary), IngestError> {
        read_text(format!("\u{feff}{HEADER}\r\n{}\r\n", lines.join("\r\n")))
    }

    /// Reads a whole file's text with the shipped methodology and register.
    fn read_text(text: String) -> Result<(Dataset, NofReadSummary), IngestError> {
        let (m, reg) = setup();
        read_nof_bytes(
            "in.csv",
            text.into_bytes(),
            &m,
            &reg,
            None,
            &crate::Limits::default(),
        )
    }

    fn row_errors(lines: &[String]) -> Vec<RowError> {
        match read(lines) {
            Err(IngestError::Rows(r)) => r,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_real_file_and_sets_derived_outputs_aside() {
        let (m, reg) = setup();
        let (ds, s) = read_nof_data(
            &root().join("data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"),
            &m,
            &reg,
            None,
            &crate::Limits::default(),
        )
        .expect("the published file reads cleanly");
        assert_eq!(s.rows_read, 6639);
        assert_eq!(ds.trusts.len(), 3);
        assert!(ds.trusts.values().all(|t| t.len() == 61));
        assert!(s.derived_set_aside > 0);
        assert!(
            !ds.observations
                .iter()
                .any(|o| m.derived_ids().contains(o.metric_id.as_str()))
        );
        assert_eq!(
            s.accepted + s.derived_set_aside + s.no_value + s.not_applicable + s.other_unit,
            s.rows_read
        );
    }

    const Q1_HEADER: &str = "Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Domain,Sub-domain,Metric_ID,Metric_description,Reporting_date,Units,Value,Median_value,Lower_quartile,Upper_quartile,Rank";

    /// A file in NHS England's Q1 2025/26 layout (no Quarter column), one row per reporting date.
    fn q1_layout(
        dates: &[&str],
        quarter: Option<&str>,
    ) -> Result<(Dataset, NofReadSummary), IngestError> {
        let (m, reg) = setup();
        let rows: Vec<String> = dates
            .iter()
            .zip(["OF0061", "OF0084", "OF0082"])
            .map(|(d, id)| {
                format!("North West,Acute trust,Acute - Teaching,R0A,Manchester University NHS Foundation Trust,D,S,{id},desc,{d},percent,6.5,,,,7.0")
            })
            .collect();
        let text = format!("\u{feff}{Q1_HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let q = quarter.map(|q| q.parse::<Quarter>().expect("quarter"));
        read_nof_bytes(
            "q1.csv",
            text.into_bytes(),
            &m,
            &reg,
            q,
            &crate::Limits::default(),
        )
    }

    #[test]
    fn the_q1_layout_takes_its_quarter_from_reporting_date_or_the_option() {
        let (ds, s) = q1_layout(&["Jun-25", "Q1 2025/26", "2024"], None).expect("reads");
        assert_eq!(s.quarter_source, QuarterSource::ReportingDate);
        assert_eq!(
            ds.quarters().map(|q| q.to_string()).collect::<Vec<_>>(),
            ["Q1 2025/26"]
        );
        assert_eq!(ds.observations[0].published_rank, Some(7));
        let (ds, s) = q1_layout(&["Jun-25", "2024"], Some("Q1 2025/26")).expect("reads");
        assert_eq!(s.quarter_source, QuarterSource::Option);
        assert!(
            ds.observations
                .iter()
                .all(|o| o.quarter.to_string() == "Q1 2025/26")
        );
    }

    #[test]
    fn the_q1_layout_without_a_quarter_is_refused_with_the_reason() {
        let problem = |r: Result<(Dataset, NofReadSummary), IngestError>| match r {
            Err(IngestError::Unusable { file, problem }) => {
                assert_eq!(file, "q1.csv");
                problem
            }
            other => panic!("expected an unusable-file error, got {other:?}"),
        };
        assert!(problem(q1_layout(&["Jun-25", "2024"], None)).contains("give --quarter"));
        assert!(
            problem(q1_layout(&["Q1 2025/26", "Q2 2025/26"], None))
                .contains("several quarters (Q1 2025/26, Q2 2025/26)")
        );
        assert!(
            problem(q1_layout(&["Q1 2025/26"], Some("Q2 2025/26")))
                .contains("name Q1 2025/26, not --quarter Q2 2025/26")
        );
    }

    #[test]
    fn acute_mental_health_and_ambulance_rows_read_alike() {
        let line = |t: &str, sub: &str, code: &str, id: &str, v: &str| {
            format!(
                "Q1 2025/26,South West,{t},{sub},{code},A trust,D,S,{id},desc,Q1 2025/26,mins,{v},,,,3.0"
            )
        };
        let (ds, s) = read(&[
            line("Ambulance trust", "Ambulance", "RYF", "OF0017", "36.15"),
            line("Acute trust", "Acute - Large", "R1F", "OF0017", "25.33"),
            line(
                "Mental health and community trust",
                "Community",
                "RY2",
                "OF0061",
                "6.5",
            ),
        ])
        .expect("every trust type reads");
        assert_eq!(s.accepted, 3);
        let groups: Vec<&str> = ds
            .trusts
            .values()
            .flat_map(|t| t.values())
            .map(|t| t.peer_group.as_str())
            .collect();
        assert_eq!(groups, ["acute", "mh_community", "ambulance"]);
        assert!(ds.observations.iter().all(|o| o.published_rank == Some(3)));
    }

    #[test]
    fn a_rank_that_is_not_a_whole_number_is_reported() {
        let line = row("RY2", "OF0061", "out of 10", "6.5").replace(",,,,", ",,,,1.5");
        let errs = row_errors(&[line]);
        assert_eq!((errs[0].line, errs[0].column.as_str()), (2, "Rank"));
    }

    #[test]
    fn bom_crlf_and_quoted_fields_are_accepted() {
        let (ds, s) = read(&[row("RY2", "OF0061", "out of 10", "6.5")]).expect("valid");
        assert_eq!(s.accepted, 1);
        let t = &ds.trusts.values().next().expect("one quarter")
            [&TrustCode::parse("RY2").expect("code")];
        assert_eq!(t.name, "Some Trust, NHS");
        assert_eq!(ds.observations[0].source.line, 2);
    }

    #[test]
    fn every_bad_row_is_reported_with_line_column_and_reason() {
        let errs = row_errors(&[
            row("RY2", "OF0061", "out of 10", "six"),
            row("RY2", "OF0999", "x", "1"),
            row("ZZZ", "OF0061", "out of 10", "6.1"),
            row("RY2", "OF0084", "out of 10", "7"),
            row("RY2", "OF0084", "out of 10", "7.1"),
            row("../../x", "OF0061", "out of 10", "6"),
        ]);
        let got: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "Value"),
                (3, "Metric_ID"),
                (4, "Trust_code"),
                (6, "Quarter,Trust_code,Metric_ID,Units"),
                (7, "Trust_code")
            ]
        );
        assert!(errs[0].reason.contains("not a finite number"));
        assert!(errs[2].reason.contains("unknown trust code"));
        assert!(errs[3].reason.contains("first on line 5"));
    }

    #[test]
    fn missing_column_is_named() {
        let text =
            HEADER.replace(",Value,", ",Valeu,") + "\n" + &row("RY2", "OF0061", "out of 10", "6");
        match read_text(text) {
            Err(IngestError::MissingColumns { missing, .. }) => assert_eq!(missing, ["Value"]),
            other => panic!("expected missing column, got {other:?}"),
        }
    }

    #[test]
    fn non_utf8_and_empty_files_are_rejected() {
        let (m, reg) = setup();
        let mut bytes = format!("{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"Q1 2025/26,\xff\xfe\n");
        assert!(matches!(
            read_nof_bytes("in.csv", bytes, &m, &reg, None, &crate::Limits::default()),
            Err(IngestError::Encoding { line: 2, .. })
        ));
        assert!(matches!(
            read_nof_bytes(
                "in.csv",
                Vec::new(),
                &m,
                &reg,
                None,
                &crate::Limits::default()
            ),
            Err(IngestError::Empty { .. })
        ));
        assert!(matches!(
            read_nof_bytes(
                "in.csv",
                format!("{HEADER}\n").into_bytes(),
                &m,
                &reg,
                None,
                &crate::Limits::default()
            ),
            Err(IngestError::Empty { .. })
        ));
    }

    #[test]
    fn blank_suppressed_and_zero_scores_are_counted_not_used() {
        let (ds, s) = read(&[
            row("RY2", "OF0061", "out of 10", ""),
            row("RY2", "OF0084", "out of 10", "[c]"),
            row("RY2", "OF1082", "score", "0.0"),
        ])
        .expect("blank, suppressed and zero-score rows are not errors");
        assert!(ds.observations.is_empty());
        assert_eq!((s.rows_read, s.no_value, s.accepted), (3, 3, 0));
    }

    #[test]
    fn out_of_range_scores_and_flags_are_rejected() {
        let errs = row_errors(&[
            row("RY2", "OF1061", "score", "4.5"),
            row("RY2", "OF5004", "flag", "2"),
        ]);
        assert_eq!(errs.len(), 2);
        assert!(errs[0].reason.contains("between 1 and 4"));
        assert!(errs[1].reason.contains("0 or 1"));
    }

    #[test]
    fn inconsistent_trust_details_are_rejected() {
        let mut second = row("RY2", "OF0084", "out of 10", "7");
        second = second.replace("North West", "London");
        let errs = row_errors(&[row("RY2", "OF0061", "out of 10", "6"), second]);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].column, "Region");
        assert!(errs[0].reason.contains("line 2"));
    }

    #[test]
    fn a_second_unit_is_set_aside_when_the_configured_unit_is_present() {
        let acute = |units: &str, v: &str| {
            format!(
                "Q3 2025/26,London,Acute trust,Acute - Teaching,RJ1,GSTT,D,S,OF0048,desc,Q3,{units},{v},,,,"
            )
        };
        let (ds, s) = read(&[acute("rate", "10.5"), acute("count", "40")]).expect("valid");
        assert_eq!((s.accepted, s.other_unit), (1, 1));
        assert_eq!(ds.observations[0].value, 10.5);
    }
}

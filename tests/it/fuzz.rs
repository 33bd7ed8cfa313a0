//! Property tests: random bytes as an input file, and random Unicode in a trust's name, through
//! `league validate` and `league report`. Whatever the input, the run ends with a success or a
//! classified error (bad input 3, configuration 4, I/O 5, validation 6), never an internal
//! error (10), a panic or a signal.

use proptest::prelude::*;

use crate::util::{data_with_thresholds, root};

/// Exit codes a run may end with on any input.
const CLASSIFIED: [i32; 5] = [0, 3, 4, 5, 6];

fn run(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .current_dir(root())
        .env("RUST_LOG", "error")
        .output()
        .expect("league runs")
}

fn assert_classified(what: &str, o: &std::process::Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{what}: panic\n{err}");
    let code = o.status.code();
    assert!(
        code.is_some_and(|c| CLASSIFIED.contains(&c)),
        "{what}: exit {code:?}\n{err}"
    );
}

/// A data directory that tolerates missing trusts and quarantined rows, so small inputs reach
/// scoring and the renderers (where a name the fonts cannot draw would once have been an
/// internal error).
fn tolerant_data() -> tempfile::TempDir {
    data_with_thresholds(&[
        ("max_missing = 0", "max_missing = 500"),
        ("fail_percent = 5.0", "fail_percent = 100.0"),
    ])
}

const HEADER: &str =
    "period,org_code,metric_id,value,numerator,denominator,org_name,region,peer_group,subtype";

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_crash_validate_or_report(bytes in proptest::collection::vec(any::<u8>(), 0..2_000), csv_like in any::<bool>()) {
        let data = tolerant_data();
        let dir = tempfile::tempdir().expect("tempdir");
        // Half the cases start with a real header, so the bytes reach the row checks.
        let mut content = if csv_like { format!("{HEADER}\n").into_bytes() } else { Vec::new() };
        content.extend(&bytes);
        let input = dir.path().join("random.csv");
        std::fs::write(&input, &content).expect("write");
        let path = input.to_str().expect("utf8");
        assert_classified("validate", &run(data.path(), &["validate", path]));
        let out = dir.path().join("out");
        assert_classified(
            "report",
            &run(data.path(), &["report", "--input", path, "--replicates", "100", "--out", out.to_str().expect("utf8")]),
        );
    }

    #[test]
    fn any_unicode_name_is_rendered_or_refused_never_an_internal_error(name in "\\PC{1,40}|.{1,40}") {
        let data = tolerant_data();
        let dir = tempfile::tempdir().expect("tempdir");
        let rows = [
            format!("Q1 2025/26,RX8,OF0084,6.0,,,{},North East and Yorkshire,ambulance,Ambulance", quoted(&name)),
            "Q1 2025/26,RYD,OF0084,6.1,,,South East Coast Ambulance Service NHS Foundation Trust,South East,ambulance,Ambulance".to_owned(),
            "Q1 2025/26,RRU,OF0084,6.2,,,London Ambulance Service NHS Trust,London,ambulance,Ambulance".to_owned(),
        ];
        let input = dir.path().join("names.csv");
        std::fs::write(&input, format!("{HEADER}\n{}\n", rows.join("\n"))).expect("write");
        let out = dir.path().join("out");
        let o = run(data.path(), &["report", "--input", input.to_str().expect("utf8"), "--replicates", "100", "--out", out.to_str().expect("utf8")]);
        assert_classified("report", &o);
    }
}

#[test]
fn welsh_accented_and_typographic_names_render_in_every_output() {
    let data = tolerant_data();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = run(
        data.path(),
        &[
            "report",
            "--input",
            "tests/corpus/long_welsh_accents_valid.csv",
            "--replicates",
            "100",
            "--out",
            out.to_str().expect("utf8"),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = std::fs::read_to_string(
        out.join("current/2025-26-Q1/national/tables/league_ambulance.csv"),
    )
    .expect("league table");
    assert!(
        csv.contains("Gwasanaeth Ambiwlans Cymru – Ŵyn’s “Hôpital” Trust"),
        "{csv}"
    );
    assert!(
        out.join("current/2025-26-Q1/national/league-tables.pdf")
            .exists()
    );
}

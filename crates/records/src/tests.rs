//! Aggregation checked against hand-built extracts, and generation checked against the real
//! figures it is calibrated to.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use league_ingest::{Rule, TrustRegister};
use league_model::TrustCode;

use crate::aggregate::Cell;
use crate::calendar::{bounds_us, days};
use crate::calibrate::{
    AE_SOURCE, AMBULANCE_SOURCE, Calibration, OVER_12H_SOURCE, RTT_SOURCE, Source,
};
use crate::generate::{GenerateSpec, generate};
use crate::layout::{Extract, partition_name};
use crate::output::{Grain, metric_values};
use crate::{RecordsError, aggregate};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path)
}

pub(crate) fn register() -> TrustRegister {
    TrustRegister::load(
        &data("reference/trusts_reference.csv"),
        Some(&data("reference/ods_etr_trusts.csv")),
    )
    .expect("register")
}

const S: i64 = 1_000_000;
const H: i64 = 3_600 * S;

fn ts(name: &str, v: Vec<Option<i64>>) -> Column {
    Int64Chunked::from_iter_options(name.into(), v.into_iter())
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_column()
}

fn write(dir: &Path, d: Extract, month: (u16, u8), mut df: DataFrame) -> PathBuf {
    let p = dir.join(d.name()).join(partition_name(month));
    std::fs::create_dir_all(&p).expect("dir");
    let f = p.join("part-00000.parquet");
    ParquetWriter::new(std::fs::File::create(&f).expect("file"))
        .finish(&mut df)
        .expect("parquet");
    f
}

fn cell(agg: &crate::Aggregation, id: &str, code: &str, month: (u16, u8)) -> Cell {
    *agg.cells
        .iter()
        .find(|((i, c, m), _)| *i == id && c.as_str() == code && *m == month)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("no {id} cell for {code}"))
}

/// A cell of `numerator` records out of `denominator`.
fn counts(numerator: f64, denominator: u64) -> Cell {
    Cell {
        numerator,
        denominator,
    }
}

/// The hand-built A&E extract: 20 attendances in April 2025, each chosen for a boundary.
fn ae_extract(dir: &Path) -> PathBuf {
    let (m0, _) = bounds_us((2025, 4)); // 2025-03-31T23:00:00Z: midnight BST
    let t = m0 + 10 * H; // 10:00 BST on 1 April
    // (org, type, arrival, minutes in department or None for a null departure)
    let rows: Vec<(&str, i64, i64, Option<i64>)> = vec![
        ("R0A", 1, t, Some(H)),                // 1 within 4 h
        ("R0A", 1, t, Some(4 * H)),            // 2 exactly 4:00:00: within
        ("R0A", 1, t, Some(4 * H + S)),        // 3 4:00:01: over 4 h
        ("R0A", 1, t, Some(12 * H)),           // 4 exactly 12:00:00: not over 12 h
        ("R0A", 1, t, Some(12 * H + S)),       // 5 12:00:01: over 12 h
        ("R0A", 1, t, Some(13 * H)),           // 6 over 12 h
        ("R0A", 3, t, Some(30 * 60 * S)),      // 7 type 3 within
        ("R0A", 3, t, Some(5 * H)),            // 8 type 3 over 4 h
        ("R0A", 2, t, Some(2 * H)),            // 9 type 2 within
        ("R0A", 1, t, Some(-S)),               // 10 departure before arrival
        ("R0A", 1, m0 - 30 * 60 * S, Some(H)), // 11 23:30 BST on 31 March: outside April
        ("R0A", 1, m0, Some(3 * H)),           // 12 00:00 BST on 1 April: inside, within
        ("R0A", 5, t, Some(H)),                // 13 no department type 5
        ("ZZZ", 1, t, Some(H)),                // 14 not in the register
        ("R0A", 1, t, None),                   // 15 no departure
        ("RRK", 1, t, Some(H)),                // 16 within
        ("RRK", 1, t, Some(4 * H - S)),        // 17 3:59:59 within
        ("RRK", 1, t, Some(4 * H)),            // 18 exactly 4:00:00 within
        ("RRK", 1, t, Some(4 * H + S)),        // 19 over 4 h
        ("RRK", 1, t, Some(20 * H)),           // 20 over 12 h
    ];
    let df = DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "org_code".into(),
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "site_code".into(),
                rows.iter()
                    .map(|r| format!("{}01", r.0))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "department_type".into(),
                rows.iter().map(|r| r.1 as i32).collect::<Vec<_>>(),
            ),
            ts("arrival_ts", rows.iter().map(|r| Some(r.2)).collect()),
            ts(
                "departure_ts",
                rows.iter().map(|r| r.3.map(|d| r.2 + d)).collect(),
            ),
            Column::new("admitted".into(), vec![false; rows.len()]),
        ],
    )
    .expect("frame");
    write(dir, Extract::Ae, (2025, 4), df)
}

#[test]
fn each_metric_is_exact_on_a_hand_built_extract_and_bad_records_are_quarantined() {
    let dir = tempfile::tempdir().expect("tmp");
    let ae = ae_extract(dir.path());

    // RTT at 30 April 2025: waits of 126, 127, 364 and 365 days, and a clock start after it.
    let snap = days(2025, 4, 30);
    let waits = [126, 127, 364, 365, -1];
    let rtt = write(
        dir.path(),
        Extract::Rtt,
        (2025, 4),
        DataFrame::new(
            5,
            vec![
                Column::new("org_code".into(), vec!["R0A"; 5]),
                Column::new("specialty".into(), vec!["general_surgery"; 5]),
                Int32Chunked::from_vec(
                    "clock_start".into(),
                    waits.iter().map(|w| snap - w).collect(),
                )
                .into_date()
                .into_column(),
                Int32Chunked::from_vec("snapshot_date".into(), vec![snap; 5])
                    .into_date()
                    .into_column(),
            ],
        )
        .expect("frame"),
    );

    // Ambulance: two category 2 responses of 10 and 21 minutes, one without an arrival, one
    // arrival before its call, one category 1 of 7 minutes.
    let call = bounds_us((2025, 4)).0 + 5 * H;
    let amb = write(
        dir.path(),
        Extract::Ambulance,
        (2025, 4),
        DataFrame::new(
            5,
            vec![
                Column::new("org_code".into(), vec!["RX9"; 5]),
                Column::new("category".into(), vec![2i32, 2, 2, 2, 1]),
                ts("call_ts", vec![Some(call); 5]),
                ts(
                    "arrival_ts",
                    vec![
                        Some(call + 600 * S),
                        Some(call + 1260 * S),
                        None,
                        Some(call - S),
                        Some(call + 420 * S),
                    ],
                ),
            ],
        )
        .expect("frame"),
    );

    let agg = aggregate(dir.path(), &register()).expect("aggregate");
    let apr = (2025, 4);
    // R0A: rows 1-9 and 12 are valid; within 4 h: 1, 2, 7, 9, 12.
    assert_eq!(cell(&agg, "OF0013", "R0A", apr), counts(5.0, 10));
    // R0A type 1: rows 1-6 and 12; over 12 h: 5 and 6 (not 4, at exactly 12:00:00).
    assert_eq!(cell(&agg, "OF0014", "R0A", apr), counts(2.0, 7));
    assert_eq!(cell(&agg, "OF0013", "RRK", apr), counts(3.0, 5));
    assert_eq!(cell(&agg, "OF0014", "RRK", apr), counts(1.0, 5));
    // RTT: within 18 weeks: 126 only; over 52 weeks: 365 only.
    assert_eq!(cell(&agg, "OF0023", "R0A", apr), counts(1.0, 4));
    assert_eq!(cell(&agg, "OF0003", "R0A", apr), counts(1.0, 4));
    // Category 2: (600 + 1260) seconds over the two with an arrival: 15.5 minutes.
    let c2 = cell(&agg, "OF0017", "RX9", apr);
    assert_eq!((c2.numerator, c2.denominator), (1860.0, 2));
    assert_eq!(cell(&agg, "OF8011", "RX9", apr), counts(420.0, 1));

    let ae_stats = agg.stats(Extract::Ae).expect("ae");
    assert_eq!((ae_stats.records, ae_stats.quarantined), (20, 5));
    assert!(
        !ae_stats.synthetic,
        "hand-built files carry no synthetic marker"
    );
    let got: Vec<(String, u64, &str, Rule)> = agg
        .findings
        .iter()
        .map(|f| (f.file.clone(), f.line, f.column.as_str(), f.rule))
        .collect();
    let (ae, rtt, amb) = (
        ae.display().to_string(),
        rtt.display().to_string(),
        amb.display().to_string(),
    );
    assert_eq!(
        got,
        vec![
            (ae.clone(), 10, "departure_ts", Rule::TimeOrder),
            (ae.clone(), 11, "arrival_ts", Rule::OutsidePeriod),
            (ae.clone(), 13, "department_type", Rule::ValueRange),
            (ae.clone(), 14, "org_code", Rule::UnknownOrg),
            (ae.clone(), 15, "departure_ts", Rule::MissingValue),
            (rtt, 5, "clock_start", Rule::TimeOrder),
            (amb, 4, "arrival_ts", Rule::TimeOrder),
        ]
    );
    let f = &agg.findings[0];
    assert_eq!(f.value, "2025-04-01T09:00:00Z to 2025-04-01T08:59:59Z");
    assert_eq!(f.reason, "departure before arrival");
    assert_eq!(agg.findings[1].value, "2025-03-31T22:30:00Z");

    // Every count here is 1-7 or rounds, so the disclosure rule holds values back: R0A's
    // OF0013 of 5 in 10 has a suppressed numerator and is withheld; none is published.
    let monthly = metric_values(&agg, Grain::Month);
    assert!(monthly.rows.is_empty(), "{:?}", monthly.rows);
    assert_eq!(monthly.suppressed, 8);
    // April alone is no complete quarter: nothing at quarter grain, and every record that
    // passed the checks is counted as in an incomplete quarter (the quarantined ones are not
    // counted twice).
    let q = metric_values(&agg, Grain::Quarter);
    assert!(q.rows.is_empty());
    assert_eq!(q.incomplete.get(&Extract::Ae), Some(&15));
    assert_eq!(q.incomplete.get(&Extract::Rtt), Some(&4));
}

#[test]
fn a_second_rtt_snapshot_in_a_month_is_quarantined_not_counted_twice() {
    let dir = tempfile::tempdir().expect("tmp");
    let (end, mid) = (days(2025, 4, 30), days(2025, 4, 15));
    // (org, snapshot, wait in days or None for a null clock start)
    let rows: Vec<(&str, i32, Option<i32>)> = vec![
        ("R0A", end, Some(10)),  // 1 counted: within 18 weeks
        ("R0A", end, Some(200)), // 2 counted
        ("R0A", mid, Some(10)),  // 3 an earlier snapshot of R0A in April
        ("R0A", mid, Some(400)), // 4 an earlier snapshot of R0A in April
        ("R0A", end, None),      // 5 no clock start
        ("RRK", mid, Some(10)),  // 6 RRK's only snapshot: counted
    ];
    let f = write(
        dir.path(),
        Extract::Rtt,
        (2025, 4),
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "org_code".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Column::new("specialty".into(), vec!["general_surgery"; rows.len()]),
                Int32Chunked::from_iter_options(
                    "clock_start".into(),
                    rows.iter().map(|r| r.2.map(|w| r.1 - w)),
                )
                .into_date()
                .into_column(),
                Int32Chunked::from_vec("snapshot_date".into(), rows.iter().map(|r| r.1).collect())
                    .into_date()
                    .into_column(),
            ],
        )
        .expect("frame"),
    );
    let agg = aggregate(dir.path(), &register()).expect("aggregate");
    let apr = (2025, 4);
    assert_eq!(cell(&agg, "OF0023", "R0A", apr), counts(1.0, 2));
    assert_eq!(cell(&agg, "OF0003", "R0A", apr), counts(0.0, 2));
    assert_eq!(cell(&agg, "OF0023", "RRK", apr), counts(1.0, 1));
    let stats = agg.stats(Extract::Rtt).expect("rtt");
    assert_eq!((stats.records, stats.quarantined), (6, 3));
    assert_eq!(stats.by_rule.get(&Rule::DuplicateKey), Some(&2));
    let name = f.display().to_string();
    let got: Vec<(&str, u64, &str, &str, Rule)> = agg
        .findings
        .iter()
        .map(|x| {
            (
                x.file.as_str(),
                x.line,
                x.column.as_str(),
                x.value.as_str(),
                x.rule,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                name.as_str(),
                3,
                "snapshot_date",
                "2025-04-15",
                Rule::DuplicateKey
            ),
            (
                name.as_str(),
                4,
                "snapshot_date",
                "2025-04-15",
                Rule::DuplicateKey
            ),
            (name.as_str(), 5, "clock_start", "null", Rule::MissingValue),
        ]
    );
    assert!(
        agg.findings[0].reason.contains("2025-04-30"),
        "{}",
        agg.findings[0].reason
    );
}

#[test]
fn a_file_without_a_layout_column_or_with_the_wrong_type_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = write(
        dir.path(),
        Extract::Rtt,
        (2025, 4),
        df!("org_code" => ["R0A"], "specialty" => ["x"], "clock_start" => ["2025-01-01"], "snapshot_date" => ["2025-04-30"])
            .expect("frame"),
    );
    let e = aggregate(dir.path(), &register()).expect_err("strings for dates");
    assert!(
        matches!(e, RecordsError::Column { ref column, .. } if column == "clock_start"),
        "{e}"
    );
    assert!(e.to_string().contains(&f.display().to_string()), "{e}");
    assert!(e.to_string().contains("the layout says date"), "{e}");
    assert!(e.is_bad_input());

    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        Extract::Rtt,
        (2025, 4),
        df!("org_code" => ["R0A"]).expect("frame"),
    );
    let e = aggregate(dir.path(), &register()).expect_err("missing columns");
    assert!(e.to_string().contains("column specialty: missing"), "{e}");

    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("ae/2025-04")).expect("dir");
    let e = aggregate(dir.path(), &register()).expect_err("not a partition");
    assert!(
        e.to_string()
            .contains("expected a directory named month=YYYY-MM"),
        "{e}"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("ae/month=2025-04");
    std::fs::create_dir_all(&p).expect("dir");
    std::fs::write(p.join("x.parquet"), b"not parquet").expect("write");
    let e = aggregate(dir.path(), &register()).expect_err("not parquet");
    assert!(e.to_string().contains("not a readable Parquet file"), "{e}");
}

fn calibration(register: &TrustRegister) -> Calibration {
    let src = |p: &str| Source {
        name: format!("data/{p}"),
        bytes: std::fs::read(data(p)).expect("source"),
    };
    Calibration::read(
        &src(AE_SOURCE),
        &src(RTT_SOURCE),
        &src(AMBULANCE_SOURCE),
        &src(OVER_12H_SOURCE),
        register,
    )
    .expect("calibration")
}

/// Acceptance: a generated year's monthly aggregates match, within 0.5 percentage points, the
/// real monthly 4-hour figure of each trust they were calibrated to.
#[test]
fn a_generated_year_lands_on_the_real_monthly_figures_it_was_calibrated_to() {
    let register = register();
    let cal = calibration(&register);
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("records");
    let spec = GenerateSpec {
        year: 2025,
        scale: 0.02,
        seed: 7,
        datasets: Extract::ALL.to_vec(),
        trusts: None,
        rows_per_file: 100_000,
    };
    let summary = generate(&cal, &register, &spec, &out).expect("generate");
    assert_eq!(summary.datasets.len(), 3);
    assert!(summary.datasets.iter().all(|d| d.1 == 12), "{summary:?}");
    let agg = aggregate(&out, &register).expect("aggregate");
    assert!(
        agg.findings.is_empty(),
        "generated records pass every check: {:?}",
        &agg.findings[..agg.findings.len().min(5)]
    );
    assert!(
        agg.stats.iter().all(|s| s.synthetic),
        "every file is marked synthetic"
    );

    let (mut checked, mut small) = (0, 0);
    for month in crate::generate::year_months(2025) {
        let src = Calibration::source_month(&cal.ae, month).expect("calibrated");
        for ((code, m), real) in cal.ae.iter().filter(|((_, m), _)| *m == src) {
            let _ = m;
            let real_pct = 100.0
                * (1.0
                    - real.over_4h.iter().sum::<u64>() as f64
                        / real.attendances.iter().sum::<u64>() as f64);
            let Some(c) = agg
                .cells
                .get(&("OF0013", code.clone(), month))
                .filter(|c| c.denominator >= 100)
            else {
                small += 1;
                continue;
            };
            let got = 100.0 * c.numerator / c.denominator as f64;
            assert!(
                (got - real_pct).abs() <= 0.5,
                "{code} {month:?}: {got:.2}% generated, {real_pct:.2}% real"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 1_400 && checked > 5 * small,
        "{checked} checked, {small} too small"
    );

    // RTT within 18 weeks and the category 2 mean land on theirs too.
    for ((_, code, month), c) in agg.cells.iter().filter(|((id, _, _), _)| *id == "OF0023") {
        let _ = code;
        if c.denominator < 100 {
            continue;
        }
        let real = &cal.rtt[&(
            code.clone(),
            Calibration::source_month(&cal.rtt, *month).expect("m"),
        )];
        let want = 100.0 * real.within_18w as f64 / real.waiting as f64;
        let got = 100.0 * c.numerator / c.denominator as f64;
        assert!(
            (got - want).abs() <= 0.5,
            "{code} {month:?}: RTT {got:.2} vs {want:.2}"
        );
    }
    let mut ambulance = 0;
    for ((_, code, month), c) in agg.cells.iter().filter(|((id, _, _), _)| *id == "OF0017") {
        let real = &cal.ambulance[&(
            code.clone(),
            Calibration::source_month(&cal.ambulance, *month).expect("m"),
        )];
        let got = c.numerator / c.denominator as f64;
        assert!(
            (got - real.mean_s[1]).abs() <= 0.5,
            "{code} {month:?}: C2 {got} vs {}",
            real.mean_s[1]
        );
        ambulance += 1;
    }
    assert!(ambulance >= 100, "{ambulance} ambulance trust-months");

    // Quarterly values carry the synthetic label.
    let q = metric_values(&agg, Grain::Quarter);
    assert!(!q.rows.is_empty());
    assert!(q.rows.iter().all(|r| r.provenance == "synthetic"));
    assert!(q.rows.iter().any(|r| r.period == "Q4 2025/26"));
}

#[test]
fn generation_is_reproducible_and_never_writes_over_an_extract() {
    let register = register();
    let cal = calibration(&register);
    let dir = tempfile::tempdir().expect("tmp");
    let spec = GenerateSpec {
        year: 2025,
        scale: 0.01,
        seed: 11,
        datasets: vec![Extract::Ae],
        trusts: Some(
            [TrustCode::parse("R0A").expect("code")]
                .into_iter()
                .collect(),
        ),
        rows_per_file: 100,
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    generate(&cal, &register, &spec, &a).expect("a");
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| generate(&cal, &register, &spec, &b))
        .expect("b");
    let files = |root: &Path| {
        let mut v = Vec::new();
        for p in crate::layout::partitions(root, Extract::Ae).expect("parts") {
            for f in p.files {
                v.push((
                    f.strip_prefix(root).expect("under").to_path_buf(),
                    std::fs::read(&f).expect("read"),
                ));
            }
        }
        v
    };
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.len() > 24, "split into files of at most 100 records");
    assert_eq!(fa, fb, "same seed, same bytes, whatever the thread count");
    let e = generate(&cal, &register, &spec, &a).expect_err("exists");
    assert!(
        e.to_string().contains("already exists and is not empty"),
        "{e}"
    );
    assert!(!dir.path().read_dir().expect("dir").any(|e| {
        e.expect("entry")
            .file_name()
            .to_string_lossy()
            .contains("partial")
    }));
}

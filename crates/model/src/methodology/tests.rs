//! The methodology's loading and validation tests.

use super::*;

const SHIPPED: &str = include_str!("../../../../data/methodology/nof-2025-26.toml");

#[test]
fn a_quarters_cut_off_is_configured_or_follows_the_default_lag() {
    let m = load(SHIPPED).expect("valid");
    let q = |s: &str| s.parse::<Quarter>().expect("valid");
    assert_eq!(
        m.cut_off(q("Q1 2025/26")),
        ("2025-09-09".parse().expect("valid"), true)
    );
    assert_eq!(
        m.cut_off(q("Q3 2025/26")),
        ("2026-03-12".parse().expect("valid"), false)
    );
    let p = |l: &str| ReportingPeriod::parse(l, q("Q1 2025/26")).expect("valid");
    // A plan for the year exists before the year: NHS England's own Q1 values stand.
    assert!(!m.after_cut_off("OF0079", &p("2025/26"), q("Q1 2025/26")));
    // An outturn for the same year does not.
    assert!(m.after_cut_off("OF0081", &p("2025/26"), q("Q1 2025/26")));
    assert!(m.after_cut_off("OF0082", &p("3 months to Mar-26"), q("Q1 2025/26")));
    assert!(m.after_cut_off("OF5004", &p("Q3 2025/26"), q("Q1 2025/26")));
    assert!(!m.after_cut_off("OF0082", &p("Q4 2024-25"), q("Q1 2025/26")));
    // Data for the quarter's own months that appeared before the cut-off stand.
    assert!(!m.after_cut_off("OF0013", &p("Jul-25"), q("Q1 2025/26")));
    assert!(!m.after_cut_off(
        "OF1067",
        &p("Latest published if awarded post August 2023"),
        q("Q1 2025/26")
    ));
    // A combined score's label joins its inputs' periods; each is judged as an input.
    let q1 = q("Q1 2025/26");
    assert_eq!(
        m.label_after_cut_off("OF1080", "Q1 2025/26; 2025/26; Month 3 2025", q1),
        Ok(None)
    );
    assert_eq!(
        m.label_after_cut_off("OF1080", "Q1 2025/26; Q3 2025/26", q1),
        Ok(Some("Q3 2025/26".to_owned()))
    );
    assert!(
        m.label_after_cut_off("OF1080", "Q1 2025/26; 2025-06-31", q1)
            .is_err()
    );
}

#[test]
fn cut_offs_that_cannot_hold_are_refused() {
    for (from, to, key) in [
        (
            "date = \"2025-09-09\"",
            "date = \"2025-09-31\"",
            "as_of.cut_off[0].date",
        ),
        (
            "date = \"2025-09-09\"",
            "date = \"2025-06-01\"",
            "as_of.cut_off[0].date",
        ),
        (
            "quarter = \"Q2 2025/26\"\ndate",
            "quarter = \"Q1 2025/26\"\ndate",
            "as_of.cut_off[1].quarter",
        ),
    ] {
        assert!(SHIPPED.contains(from), "{from}");
        let e = load(&SHIPPED.replacen(from, to, 1)).expect_err("refused");
        assert!(e.to_string().contains(key), "{e}");
    }
}

#[test]
fn a_plausibility_check_queries_only_the_pair_it_describes_and_names_known_metrics() {
    let m = load(SHIPPED).expect("shipped");
    let c = &m.plausibility[0];
    assert_eq!(
        (c.queried.metric.as_str(), c.given.metric.as_str()),
        ("OF0014", "OF0013")
    );
    assert!(c.queries(0.0, 59.5));
    assert!(
        !c.queries(0.0, 88.5),
        "a specialist trust's 0% beside a high 4-hour share"
    );
    assert!(!c.queries(5.0, 59.5));
    for (from, to, key) in [
        (
            "metric = \"OF0014\", below",
            "metric = \"OF9999\", below",
            "plausibility[0].queried.metric",
        ),
        (
            "{ metric = \"OF0013\", below = 75.0 }",
            "{ metric = \"OF0013\" }",
            "plausibility[0].given",
        ),
        ("margin = 0.02", "margin = 0.7", "improvement.margin"),
    ] {
        assert!(SHIPPED.contains(from), "{from}");
        assert_eq!(invalid_key(&SHIPPED.replacen(from, to, 1)), key);
    }
}

fn load(text: &str) -> Result<Methodology, ConfigError> {
    Methodology::from_toml("test.toml", text)
}

fn invalid_key(text: &str) -> String {
    match load(text) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn shipped_methodology_loads() {
    let m = load(SHIPPED).expect("shipped config is valid");
    assert_eq!(m.peer_groups.len(), 3);
    assert_eq!(m.domains.len(), 5);
    let infections: f64 = ["OF1020", "OF1048", "OF1088"]
        .iter()
        .map(|id| m.metric(id).expect("infection metric").weight)
        .sum();
    assert!(
        (infections - 1.0).abs() < 1e-12,
        "infections together weigh one metric"
    );
    assert!(m.derived_ids().contains("OF5002"));
    assert!(m.known_ids().contains("OF0061"));
    assert!(!m.known_ids().contains("OF0999"));
}

#[test]
fn unknown_keys_are_rejected_with_the_key_named() {
    let text = SHIPPED.replace("cap_segment = 3", "cap_segment = 3\ncap_segmnet = 2");
    match load(&text) {
        Err(ConfigError::Parse { message, .. }) => {
            assert!(message.contains("cap_segmnet"), "{message}")
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn intervention_rules_are_checked_on_load() {
    let m = load(SHIPPED).expect("shipped");
    let ids: Vec<&str> = m
        .intervention
        .statuses
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "recovery_support",
            "leadership_review",
            "turnaround_support",
            "enhanced_support",
            "earned_autonomy",
            "standard_oversight"
        ]
    );
    for (from, to, key) in [
        // The default must come last and test nothing.
        (
            "basis = \"Brief: every other trust",
            "any = [ { segment_at_most = 2 } ]\nbasis = \"Brief: every other trust",
            "standard_oversight",
        ),
        (
            "any = [ { segment_at_least = 3 } ]",
            "any = [ { segment_at_least = 7 } ]",
            "enhanced_support",
        ),
        (
            "any = [ { segment_at_least = 3 } ]",
            "any = [ { quarters = 2 } ]",
            "enhanced_support",
        ),
        (
            "planned_surplus_metric = \"OF0079\"",
            "planned_surplus_metric = \"OF0999\"",
            "planned_surplus_metric",
        ),
    ] {
        assert!(SHIPPED.contains(from), "{from}");
        match load(&SHIPPED.replacen(from, to, 1)) {
            Err(ConfigError::Invalid { key: k, .. }) => assert!(k.contains(key), "{k}"),
            other => panic!("{key}: expected an invalid-config error, got {other:?}"),
        }
    }
}

#[test]
fn unknown_domain_is_named() {
    let text = SHIPPED.replacen("domain = \"patient_safety\"", "domain = \"safety\"", 1);
    assert_eq!(invalid_key(&text), "metric[OF1061].domain");
}

#[test]
fn domain_cut_points_name_a_known_domain_in_order() {
    let text = SHIPPED.replacen("access = [1.935,", "acess = [1.935,", 1);
    assert_eq!(
        invalid_key(&text),
        "segmentation.published_cut_points[Q1 2025/26].domains.acess"
    );
    let text = SHIPPED.replacen("access = [1.935, 2.365,", "access = [2.365, 1.935,", 1);
    assert_eq!(
        invalid_key(&text),
        "segmentation.published_cut_points[Q1 2025/26].domains.access"
    );
}

#[test]
fn as_published_exceptions_name_known_metrics() {
    let text = SHIPPED.replacen("metrics = [\"OF1003\",", "metrics = [\"OF1999\",", 1);
    assert_eq!(
        invalid_key(&text),
        "rounding.as_published[Q1 2025/26].metrics"
    );
    let m = load(SHIPPED).expect("shipped config");
    assert!(m.averaged_as_published("Q1 2025/26", "OF1016"));
    assert!(!m.averaged_as_published("Q2 2025/26", "OF1016"));
    assert!(!m.averaged_as_published("Q1 2025/26", "OF1082"));
}

#[test]
fn non_positive_weight_is_rejected() {
    let text = SHIPPED.replacen("weight = 0.3333333333333333", "weight = 0.0", 1);
    assert_eq!(invalid_key(&text), "metric[OF1020].weight");
}

#[test]
fn unordered_thresholds_are_rejected() {
    let text = SHIPPED.replace(
        "cut_points = [2.055, 2.325, 2.605]",
        "cut_points = [2.325, 2.055, 2.605]",
    );
    assert_eq!(
        invalid_key(&text),
        "segmentation.published_cut_points[Q1 2025/26]"
    );
    let text = SHIPPED.replacen(
        "{ score = 2.0, threshold = -1.0, strict = true }",
        "{ score = 2.0, threshold = 1.0, strict = true }",
        1,
    );
    assert_eq!(invalid_key(&text), "metric[OF1079].scoring");
}

#[test]
fn matrix_inputs_must_be_components() {
    let text = SHIPPED.replacen("row = \"OF1079\"", "row = \"OF1061\"", 1);
    assert_eq!(invalid_key(&text), "metric[OF1080].scoring");
}

#[test]
fn pool_must_cover_the_metric_peer_groups() {
    let text = SHIPPED.replacen(
        "peer_groups = [\"acute\", \"mh_community\", \"ambulance\"]\nevidence = \"inferred\"\nnote = \"Sickness",
        "peer_groups = [\"acute\"]\nevidence = \"inferred\"\nnote = \"Sickness",
        1,
    );
    assert_eq!(invalid_key(&text), "metric[OF1082].pool");
}

#[test]
fn direction_decides_better() {
    assert!(Direction::HigherIsBetter.better(2.0, 1.0));
    assert!(Direction::LowerIsBetter.better(1.0, 2.0));
    assert!(!Direction::LowerIsBetter.better(1.0, 1.0));
}

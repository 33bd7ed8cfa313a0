//! Intervention status: each trust with an average takes the first configured status whose rule
//! holds (`[intervention]` in the methodology). A rule the input cannot assess, because the
//! history, the deficit status, the programme status or the planned deficit is missing, is
//! reported as not assessed, never guessed, and the next status is tried. Leadership capability
//! enters through the board capability assessment (NOF §1.5), an input of its own: a condition
//! on it is not assessed for a trust without one.

use std::collections::BTreeMap;

use league_model::{
    BoardAssessment, InterventionCondition, InterventionStatus, Methodology, PriorResult, Quarter,
    ScoreRun, TrustCode,
};

/// What one condition came to for one trust.
enum Outcome {
    /// It holds, shown by these figures.
    Holds(Vec<String>),
    /// It does not hold.
    Fails,
    /// The input cannot say, and why.
    NotAssessed(String),
}

/// A trust's result in one quarter, as the conditions test it.
struct QuarterResult {
    segment: u8,
    in_recovery_support_programme: Option<bool>,
    in_deficit: Option<bool>,
    /// The earlier release it comes from, when it is not this run's.
    release: Option<String>,
}

/// What the conditions are tested against: each trust's result and planned surplus or deficit
/// by quarter (this run's, then earlier releases' for quarters the run does not hold), and the
/// board capability assessments supplied.
struct Facts<'a> {
    rows: BTreeMap<(Quarter, &'a TrustCode), QuarterResult>,
    planned: BTreeMap<(Quarter, &'a TrustCode), f64>,
    boards: BTreeMap<(Quarter, &'a TrustCode), &'a BoardAssessment>,
}

/// The status of every trust with an average, in the run's table order. `prior` gives earlier
/// quarters' results from the history store; a quarter the run holds is never taken from it.
pub fn intervention_statuses(
    run: &ScoreRun,
    m: &Methodology,
    boards: &[BoardAssessment],
    prior: &[PriorResult],
) -> Vec<InterventionStatus> {
    let mut rows: BTreeMap<(Quarter, &TrustCode), QuarterResult> = run
        .tables
        .iter()
        .flat_map(|t| {
            t.rows.iter().map(move |r| {
                (
                    (t.quarter, &r.trust.code),
                    QuarterResult {
                        segment: r.segment,
                        in_recovery_support_programme: r.in_recovery_support_programme,
                        in_deficit: r.in_deficit,
                        release: None,
                    },
                )
            })
        })
        .collect();
    let mut planned: BTreeMap<(Quarter, &TrustCode), f64> = run
        .metric_scores
        .iter()
        .filter(|s| {
            m.metric(&s.metric_id).and_then(|x| x.value_id.as_deref())
                == Some(m.intervention.planned_surplus_metric.as_str())
        })
        .filter_map(|s| s.value.map(|v| ((s.quarter, &s.trust), v)))
        .collect();
    let held: std::collections::BTreeSet<Quarter> = run.tables.iter().map(|t| t.quarter).collect();
    for p in prior.iter().filter(|p| !held.contains(&p.quarter)) {
        rows.entry((p.quarter, &p.trust)).or_insert(QuarterResult {
            segment: p.segment,
            in_recovery_support_programme: p.in_recovery_support_programme,
            in_deficit: p.in_deficit,
            release: Some(p.release.clone()),
        });
        if let Some(v) = p.planned_surplus {
            planned.entry((p.quarter, &p.trust)).or_insert(v);
        }
    }
    let facts = Facts {
        rows,
        planned,
        boards: boards.iter().map(|b| ((b.quarter, &b.trust), b)).collect(),
    };
    let mut out = Vec::new();
    for t in &run.tables {
        for r in &t.rows {
            out.push(status_of(t.quarter, &r.trust.code, m, &facts));
        }
    }
    out
}

fn status_of(
    quarter: Quarter,
    trust: &TrustCode,
    m: &Methodology,
    facts: &Facts,
) -> InterventionStatus {
    let mut not_assessed = Vec::new();
    for rule in &m.intervention.statuses {
        let mut unknown = Vec::new();
        let held = rule
            .any
            .iter()
            .find_map(|c| match assess(c, quarter, trust, m, facts) {
                Outcome::Holds(evidence) => Some((describe(c, m), evidence)),
                Outcome::Fails => None,
                Outcome::NotAssessed(why) => {
                    // "Leadership review (segment 4 or worse, ...)", but not "Recovery Support
                    // Programme (in the Recovery Support Programme)".
                    let condition = describe(c, m);
                    let said = condition
                        .to_lowercase()
                        .contains(&rule.label.to_lowercase());
                    unknown.push(if said {
                        format!("{}: {why}", rule.label)
                    } else {
                        format!("{} ({condition}): {why}", rule.label)
                    });
                    None
                }
            });
        // The default status (no conditions) always applies, with no rule or evidence.
        let applies = held.or_else(|| rule.any.is_empty().then(|| (String::new(), Vec::new())));
        match applies {
            Some((condition, evidence)) => {
                return InterventionStatus {
                    quarter,
                    trust: trust.clone(),
                    id: rule.id.clone(),
                    label: rule.label.clone(),
                    rule: condition,
                    evidence,
                    not_assessed,
                };
            }
            None => not_assessed.extend(unknown),
        }
    }
    unreachable!("the methodology's last status has no conditions (validated on load)")
}

/// "in the Recovery Support Programme" or "not in …", as rules and evidence both say it.
fn programme_phrase(in_programme: bool) -> &'static str {
    if in_programme {
        "in the Recovery Support Programme"
    } else {
        "not in the Recovery Support Programme"
    }
}

/// "in financial deficit" or "not in financial deficit".
fn deficit_phrase(in_deficit: bool) -> &'static str {
    if in_deficit {
        "in financial deficit"
    } else {
        "not in financial deficit"
    }
}

/// The condition in plain English: "final segment 4 or worse in each of the last 3 quarters".
fn describe(c: &InterventionCondition, m: &Methodology) -> String {
    let s5 = m.segment5.segment;
    let mut parts = Vec::new();
    match (c.segment_at_least, c.segment_at_most) {
        (Some(a), Some(b)) => parts.push(format!("segment {a} to {b}")),
        (Some(a), None) if a >= s5 => parts.push(format!("segment {s5}")),
        (Some(a), None) => parts.push(format!("segment {a} or worse")),
        (None, Some(1)) => parts.push("segment 1".to_owned()),
        (None, Some(b)) => parts.push(format!("segment {b} or better")),
        (None, None) => {}
    }
    if let Some(p) = c.programme {
        parts.push(programme_phrase(p).to_owned());
    }
    if let Some(d) = c.in_deficit {
        parts.push(deficit_phrase(d).to_owned());
    }
    if let Some(x) = c.planned_deficit_beyond_percent {
        parts.push(format!("a planned deficit beyond {x}% of income"));
    }
    if let Some(r) = &c.capability_at_most {
        let worst = m.intervention.board_capability.ratings.last();
        parts.push(if worst == Some(r) {
            format!("board capability rated {r}")
        } else {
            format!("board capability rated {r} or lower")
        });
    }
    let tests = parts.join(", ");
    if c.quarters > 1 {
        format!("{tests} in each of the last {} quarters", c.quarters)
    } else {
        tests
    }
}

fn assess(
    c: &InterventionCondition,
    quarter: Quarter,
    trust: &TrustCode,
    m: &Methodology,
    facts: &Facts,
) -> Outcome {
    let (rows, planned) = (&facts.rows, &facts.planned);
    // The quarters the condition spans, newest first.
    let mut quarters = vec![quarter];
    while quarters.len() < c.quarters as usize {
        let before = quarters.last().expect("at least this quarter").previous();
        quarters.push(before);
    }
    // Every quarter is read in full: a fact that fails the condition anywhere decides it; what
    // is not known is collected, so the reason given is every gap, not the first one met.
    let mut evidence = Vec::new();
    let mut unknown = Vec::new();
    for q in &quarters {
        let Some(r) = rows.get(&(*q, trust)) else {
            // The framework's first quarter: Q1 of its year ("2025/26").
            let began = m
                .framework
                .year
                .split('/')
                .next()
                .and_then(|y| y.parse::<u16>().ok())
                .and_then(|y| Quarter::new(y, 1));
            unknown.push(match began {
                Some(first) if *q < first => format!(
                    "needs {} quarters of results (the framework's league tables began in {first})",
                    c.quarters
                ),
                _ => format!(
                    "needs {} quarters of results, and no results for {q} are held (neither in this run's data nor in an earlier release)",
                    c.quarters
                ),
            });
            continue;
        };
        // Evidence from an earlier release names it.
        let label = match &r.release {
            Some(id) => format!("{q} (release {id})"),
            None => q.to_string(),
        };
        // The final segment: 5 in the programme, else the segment; with the programme status
        // unknown it is one of the two, and the condition is decided only if both agree.
        let finals = crate::rules::possible_final_segments(
            r.segment,
            r.in_recovery_support_programme,
            m.segment5.segment,
        );
        let programme_unknown =
            || format!("no source gives the trust's Recovery Support Programme status for {label}");
        if let Some(p) = c.programme {
            match r.in_recovery_support_programme {
                Some(x) if x != p => return Outcome::Fails,
                Some(_) => evidence.push(format!("{label}: {}", programme_phrase(p))),
                None => unknown.push(programme_unknown()),
            }
        }
        if c.segment_at_least.is_some() || c.segment_at_most.is_some() {
            let meets = |s: u8| {
                !(c.segment_at_least.is_some_and(|a| s < a)
                    || c.segment_at_most.is_some_and(|b| s > b))
            };
            if finals.iter().all(|&s| !meets(s)) {
                return Outcome::Fails;
            }
            if finals.iter().all(|&s| meets(s)) {
                evidence.push(format!("{label}: segment {}", finals[0]));
            } else if c.programme.is_none() {
                unknown.push(programme_unknown());
            }
        }
        if let Some(d) = c.in_deficit {
            match r.in_deficit {
                None => unknown.push(format!(
                    "no source gives the trust's deficit status for {label}"
                )),
                Some(x) if x != d => return Outcome::Fails,
                Some(x) => evidence.push(format!("{label}: {}", deficit_phrase(x))),
            }
        }
        if let Some(limit) = c.planned_deficit_beyond_percent {
            match planned.get(&(*q, trust)) {
                None => unknown.push(format!(
                    "no source gives the trust's planned surplus or deficit for {label}"
                )),
                Some(v) if *v >= -limit => return Outcome::Fails,
                Some(v) => evidence.push(format!("{label}: planned deficit {:.1}% of income", -v)),
            }
        }
        if let Some(at_most) = &c.capability_at_most {
            let scale = &m.intervention.board_capability.ratings;
            let rank = |r: &str| scale.iter().position(|x| x.eq_ignore_ascii_case(r));
            match facts.boards.get(&(*q, trust)).map(|b| b.overall.as_deref()) {
                None => unknown.push(format!(
                    "no board capability assessment was supplied for {label}"
                )),
                Some(None) => unknown.push(format!(
                    "the board capability assessment for {label} gives no overall view"
                )),
                Some(Some(overall)) if rank(overall) < rank(at_most) => return Outcome::Fails,
                Some(Some(overall)) => {
                    evidence.push(format!("{label}: board capability {overall}"));
                }
            }
        }
    }
    // "A, B and C" (the separator between statuses in the CSV is "; "), each gap once: two
    // quarters before the framework began are one reason.
    let mut seen = std::collections::BTreeSet::new();
    unknown.retain(|u| seen.insert(u.clone()));
    match unknown.split_last() {
        None => Outcome::Holds(evidence),
        Some((last, [])) => Outcome::NotAssessed(last.clone()),
        Some((last, rest)) => Outcome::NotAssessed(format!("{} and {last}", rest.join(", "))),
    }
}

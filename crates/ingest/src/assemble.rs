//! Joins the observations of several sources into one [`Dataset`]: trust details from the
//! sources that state them (NOF files, long files with details) or else from the register,
//! a peer group for every trust, and no (quarter, trust, metric) given twice.

use std::collections::{BTreeMap, HashMap};

use league_model::{Dataset, Methodology, Quarter, ReportingPeriod, TrustCode, TrustInQuarter};

use crate::{Ingested, RowError, Rule, TrustRegister};

/// The joined dataset and what was left out of it.
#[derive(Debug, Clone, Default)]
pub struct Assembled {
    /// Observations with their trusts.
    pub dataset: Dataset,
    /// Values given by two sources: the later is quarantined, naming the first.
    pub conflicts: Vec<RowError>,
    /// Observations left out: trust in no peer group, by code.
    pub no_peer_group: BTreeMap<TrustCode, u64>,
    /// Observations left out: metric not applicable to the trust's peer group, by metric.
    pub not_applicable: BTreeMap<String, u64>,
    /// Observations left out: their reporting period ends after their quarter's cut-off (the
    /// value did not exist when the quarter's tables were due), by metric.
    pub after_cut_off: BTreeMap<String, u64>,
    /// Observations whose reporting period cannot be read: quarantined (rule `bad_period`).
    pub bad_periods: Vec<RowError>,
    /// Observations checked against their quarter's cut-off.
    pub periods_checked: u64,
}

/// NHS England's seven regions, named as the register (and NHS England's other tables) name
/// them. NHS England's acute NOF data file writes "East" and "North East" for two of them; every
/// output uses one name per region, so a region filter works across peer groups (the input's
/// spelling stays in the input).
pub(crate) fn region_name(region: &str) -> String {
    match region.trim() {
        "East" => "East of England".to_owned(),
        "North East" | "North East & Yorkshire" => "North East and Yorkshire".to_owned(),
        other => other.to_owned(),
    }
}

/// The register's trust type as a subtype label ("acute_specialist" → "Acute specialist").
fn subtype_label(t: &str) -> String {
    let mut s = t.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// A monthly count's key: trust, measure, month.
type CountKey = (TrustCode, String, (u16, u8));

/// Joins the sources, in the order given (earlier sources win a conflict). Each value's
/// reporting period is read in the context of its quarter: one that cannot be read is
/// quarantined, one that ends after the quarter's cut-off is left out (`after_cut_off`).
pub fn assemble(sources: &[Ingested], register: &TrustRegister, m: &Methodology) -> Assembled {
    let mut out = Assembled::default();
    let mut stated: BTreeMap<Quarter, BTreeMap<TrustCode, TrustInQuarter>> = BTreeMap::new();
    for s in sources {
        for (q, ts) in &s.trusts {
            let known = stated.entry(*q).or_default();
            for (code, t) in ts {
                known.entry(code.clone()).or_insert_with(|| TrustInQuarter {
                    region: region_name(&t.region),
                    ..t.clone()
                });
            }
        }
    }
    let applies: HashMap<&str, &[String]> = m
        .metrics
        .iter()
        .flat_map(|x| {
            std::iter::once(x.id.as_str())
                .chain(x.value_id.as_deref())
                .map(move |id| (id, x.peer_groups.as_slice()))
        })
        .collect();
    let mut first: HashMap<(Quarter, TrustCode, String), (String, u64)> = HashMap::new();
    for s in sources {
        for o in &s.observations {
            let details = stated
                .get(&o.quarter)
                .and_then(|ts| ts.get(&o.trust))
                .cloned()
                .or_else(|| trust_from_register(&o.trust, register, m));
            let Some(t) = details else {
                *out.no_peer_group.entry(o.trust.clone()).or_default() += 1;
                continue;
            };
            let is_flag =
                o.metric_id == m.financial_override.flag_id || o.metric_id == m.segment5.flag_id;
            if !is_flag
                && let Some(groups) = applies.get(o.metric_id.as_str())
                && !groups.contains(&t.peer_group)
            {
                *out.not_applicable.entry(o.metric_id.clone()).or_default() += 1;
                continue;
            }
            out.periods_checked += 1;
            match ReportingPeriod::parse(&o.reporting_date, o.quarter) {
                Err(e) => {
                    out.bad_periods.push(RowError::new(
                        o.source.file.to_string(),
                        o.source.line,
                        "reporting_date",
                        &o.reporting_date,
                        Rule::BadPeriod,
                        e.reason,
                    ));
                    continue;
                }
                Ok(p) if m.after_cut_off(&o.metric_id, &p, o.quarter) => {
                    *out.after_cut_off.entry(o.metric_id.clone()).or_default() += 1;
                    continue;
                }
                Ok(_) => {}
            }
            let key = (o.quarter, o.trust.clone(), o.metric_id.clone());
            if let Some((file, line)) = first.get(&key) {
                out.conflicts.push(RowError::new(
                    o.source.file.to_string(),
                    o.source.line,
                    "org_code,metric_id,period",
                    &format!("{},{},{}", o.trust, o.metric_id, o.quarter),
                    Rule::DuplicateKey,
                    format!("already given by {file}:{line}"),
                ));
                continue;
            }
            first.insert(key, (o.source.file.to_string(), o.source.line));
            out.dataset
                .trusts
                .entry(o.quarter)
                .or_default()
                .entry(o.trust.clone())
                .or_insert(t);
            out.dataset.observations.push(o.clone());
        }
    }
    // Monthly counts: one per trust, measure and month; a second source's is a conflict, as
    // for values.
    let mut first_count: HashMap<CountKey, (String, u64)> = HashMap::new();
    for s in sources {
        for c in &s.counts {
            let key = (c.trust.clone(), c.metric_id.clone(), c.month);
            if let Some((file, line)) = first_count.get(&key) {
                out.conflicts.push(RowError::new(
                    c.source.file.to_string(),
                    c.source.line,
                    "org_code,metric_id,month",
                    &format!("{},{},{}-{:02}", c.trust, c.metric_id, c.month.0, c.month.1),
                    Rule::DuplicateKey,
                    format!("already given by {file}:{line}"),
                ));
                continue;
            }
            first_count.insert(key, (c.source.file.to_string(), c.source.line));
            out.dataset.counts.push(c.clone());
        }
    }
    out.dataset
        .counts
        .sort_by(|a, b| (&a.trust, &a.metric_id, a.month).cmp(&(&b.trust, &b.metric_id, b.month)));
    out
}

/// A trust's details for a quarter from the register alone (name, region, type, its
/// methodology's peer group), when no source states them; `None` for a code the register does
/// not hold or whose type no peer group takes.
pub fn trust_from_register(
    code: &TrustCode,
    register: &TrustRegister,
    m: &Methodology,
) -> Option<TrustInQuarter> {
    let e = register.get(code)?;
    let ty = register.trust_type(code)?;
    let group = m
        .peer_groups
        .iter()
        .find(|g| g.register_types.iter().any(|t| t == ty))?;
    Some(TrustInQuarter {
        code: code.clone(),
        name: e.name.clone(),
        region: region_name(&e.region),
        peer_group: group.id.clone(),
        subtype: subtype_label(ty),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_nhs_england() {
        assert_eq!(region_name("East"), "East of England");
        assert_eq!(region_name("North East"), "North East and Yorkshire");
        assert_eq!(region_name("East of England"), "East of England");
        assert_eq!(region_name("London"), "London");
        assert_eq!(subtype_label("acute_specialist"), "Acute specialist");
    }
}

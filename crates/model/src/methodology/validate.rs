//! Checks a methodology makes of itself when it is loaded: every id known, every range sane,
//! every rule one the engine implements. The first problem is reported, naming its key.

use std::collections::BTreeSet;

use super::*;

impl Methodology {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        self.validate_checks()?;
        self.validate_cut_offs()?;
        self.validate_metrics()?;
        self.validate_segmentation()?;
        self.validate_statistics()?;
        self.validate_interventions()
    }

    /// The statistics beside the ranks: limits, rule lengths and percentiles that mean something.
    fn validate_statistics(&self) -> Result<(), (String, String)> {
        let err = |k: &str, p: &str| Err((format!("statistics.{k}"), p.to_owned()));
        let s = &self.statistics;
        if !(s.funnel.z.iter().all(|z| z.is_finite() && *z > 0.0) && s.funnel.z[0] < s.funnel.z[1])
        {
            return err("funnel.z", "two positive z values, inner then outer");
        }
        if !(0.0..0.5).contains(&s.funnel.winsorise) {
            return err("funnel.winsorise", "a share of each tail from 0 up to 0.5");
        }
        if s.funnel.minimum_trusts < 3 {
            return err("funnel.minimum_trusts", "a funnel needs at least 3 trusts");
        }
        let spc = &s.spc;
        if !(spc.limit_factor > 0.0 && spc.screen_factor > 0.0) {
            return err("spc", "limit_factor and screen_factor must be positive");
        }
        if !(6..=8).contains(&spc.run_length) {
            return err(
                "spc.run_length",
                "Making Data Count allows runs of 6 to 8 points",
            );
        }
        if !(5..=8).contains(&spc.trend_length) {
            return err("spc.trend_length", "a trend of 5 to 8 points");
        }
        if spc.months < spc.minimum_points {
            return err(
                "spc.months",
                "a chart must be able to hold minimum_points months",
            );
        }
        if spc.minimum_chart_points < 2 || spc.minimum_chart_points > spc.minimum_points {
            return err(
                "spc.minimum_chart_points",
                "at least 2 (a moving range) and no more than minimum_points",
            );
        }
        if spc.minimum_points < 2 {
            return err("spc.minimum_points", "limits need at least 2 points");
        }
        let p = &s.peers;
        if !(0.0 < p.lower_percentile
            && p.lower_percentile < p.upper_percentile
            && p.upper_percentile < 100.0)
        {
            return err("peers", "percentiles strictly inside 0 to 100, lower first");
        }
        let mut seen = BTreeSet::new();
        for x in &s.measures {
            let key = format!("measure[{}]", x.id);
            if !seen.insert(x.id.as_str()) {
                return err(&key, "given twice");
            }
            if let Some(metric) = self
                .metrics
                .iter()
                .find(|m| m.value_id.as_deref() == Some(x.id.as_str()))
                && metric.direction != x.direction
            {
                return err(
                    &format!("{key}.direction"),
                    "differs from the metric with this value id",
                );
            }
            if x.standard.is_some() != x.standard_note.is_some() {
                return err(
                    &key,
                    "a standard needs a standard_note saying where it comes from, and a note a standard",
                );
            }
            for g in &x.peer_groups {
                if !self.peer_groups.iter().any(|p| &p.id == g) {
                    return err(&format!("{key}.peer_groups"), "not a peer group id");
                }
            }
        }
        let t = s.sensitivity.fixed_thresholds;
        if !(t.iter().all(|x| x.is_finite()) && t[0] < t[1] && t[1] < t[2]) {
            return err("sensitivity.fixed_thresholds", "three ascending numbers");
        }
        Ok(())
    }

    /// The plausibility checks, the next-segment margin and the peer statistics.
    fn validate_checks(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let ids = self.known_ids();
        for (i, c) in self.plausibility.iter().enumerate() {
            let key = format!("plausibility[{i}]");
            for (part, v) in [("queried", &c.queried), ("given", &c.given)] {
                if !ids.contains(v.metric.as_str()) {
                    return err(
                        format!("{key}.{part}.metric"),
                        "not a metric id of this methodology",
                    );
                }
                if v.below.is_none() && v.above.is_none() {
                    return err(format!("{key}.{part}"), "needs below or above");
                }
            }
        }
        if !(0.0..0.5).contains(&self.improvement.margin) {
            return err(
                "improvement.margin".into(),
                "a margin in average score from 0 up to 0.5",
            );
        }
        if self.peer_statistics.minimum_values < 2 {
            return err(
                "peer_statistics.minimum_values".into(),
                "a comparison needs at least 2 values",
            );
        }
        Ok(())
    }

    /// Each quarter's data cut-off: one a quarter, after its last day.
    fn validate_cut_offs(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let mut seen = BTreeSet::new();
        for (i, c) in self.as_of.cut_offs.iter().enumerate() {
            let key = format!("as_of.cut_off[{i}]");
            let q: Quarter = match c.quarter.parse() {
                Ok(q) => q,
                Err(_) => {
                    return err(
                        format!("{key}.quarter"),
                        "not a quarter like \"Q1 2025/26\"",
                    );
                }
            };
            if !seen.insert(q) {
                return err(format!("{key}.quarter"), "a quarter has one cut-off");
            }
            match c.date.parse::<Date>() {
                Ok(d) if d > q.end_date() => {}
                Ok(_) => {
                    return err(
                        format!("{key}.date"),
                        "a cut-off falls after the quarter's last day",
                    );
                }
                Err(_) => {
                    return err(
                        format!("{key}.date"),
                        "not a date that exists, written YYYY-MM-DD",
                    );
                }
            }
        }
        Ok(())
    }

    /// Peer groups, domains, pools and metrics: ids unique, every reference known.
    fn validate_metrics(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let groups: BTreeSet<&str> = self.peer_groups.iter().map(|p| p.id.as_str()).collect();
        if groups.len() != self.peer_groups.len() || groups.is_empty() {
            return err(
                "peer_group".into(),
                "peer group ids must be present and unique",
            );
        }
        let domains: BTreeSet<&str> = self.domains.iter().map(|d| d.id.as_str()).collect();
        if domains.len() != self.domains.len() || domains.is_empty() {
            return err("domain".into(), "domain ids must be present and unique");
        }
        let mut pools = BTreeSet::new();
        for p in &self.pools {
            if p.id == "peer_group" || !pools.insert(p.id.as_str()) {
                return err(
                    format!("pool[{}].id", p.id),
                    "pool ids must be unique and not `peer_group`",
                );
            }
            for g in &p.peer_groups {
                if !groups.contains(g.as_str()) {
                    return err(
                        format!("pool[{}].peer_groups", p.id),
                        &format!("unknown peer group `{g}`"),
                    );
                }
            }
        }
        let mut ids = BTreeSet::new();
        for m in &self.metrics {
            let k = |f: &str| format!("metric[{}].{f}", m.id);
            if !is_metric_id(&m.id) || !ids.insert(m.id.as_str()) {
                return err(k("id"), "metric ids must look like OF1234 and be unique");
            }
            if let Some(v) = &m.value_id
                && (!is_metric_id(v) || !ids.insert(v.as_str()))
            {
                return err(
                    k("value_id"),
                    "value ids must look like OF0123 and be unique",
                );
            }
            if !domains.contains(m.domain.as_str()) {
                return err(k("domain"), &format!("unknown domain `{}`", m.domain));
            }
            if m.peer_groups.is_empty() {
                return err(
                    k("peer_groups"),
                    "a metric must apply to at least one peer group",
                );
            }
            for g in &m.peer_groups {
                if !groups.contains(g.as_str()) {
                    return err(k("peer_groups"), &format!("unknown peer group `{g}`"));
                }
            }
            if let PoolRef::Named(p) = &m.pool {
                let Some(pool) = self.pool(p) else {
                    return err(k("pool"), &format!("unknown pool `{p}`"));
                };
                if let Some(g) = m.peer_groups.iter().find(|g| !pool.peer_groups.contains(g)) {
                    return err(
                        k("pool"),
                        &format!("pool `{p}` does not include peer group `{g}`"),
                    );
                }
            }
            if let Some([lo, hi]) = m.valid_range
                && !(lo.is_finite() && hi.is_finite() && lo < hi)
            {
                return err(k("valid_range"), "must be [low, high] with low < high");
            }
            if !(m.weight.is_finite() && m.weight > 0.0) {
                return err(k("weight"), "weights must be positive");
            }
            self.validate_scoring(m).map_err(|p| (k("scoring"), p))?;
        }
        for m in &self.metrics {
            if let Scoring::Matrix { row, column, .. } = &m.scoring {
                for c in [row, column] {
                    match self.metric(c) {
                        Some(x) if x.status == MetricStatus::Component => {}
                        _ => {
                            return err(
                                format!("metric[{}].scoring", m.id),
                                &format!(
                                    "matrix input `{c}` must be a metric with status = \"component\""
                                ),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Rounding, cut-points, the override, the league order and the likely ranges.
    fn validate_segmentation(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        for a in &self.rounding.as_published {
            let key = format!("rounding.as_published[{}]", a.quarter);
            if a.quarter.parse::<crate::Quarter>().is_err() {
                return err(key, "quarter must be like \"Q1 2025/26\"");
            }
            for id in &a.metrics {
                if !self.metrics.iter().any(|m| &m.id == id) {
                    return err(format!("{key}.metrics"), &format!("no such metric `{id}`"));
                }
            }
        }
        let s = &self.segmentation;
        if s.method == SegmentMethod::Thresholds {
            check_cuts(&s.thresholds).map_err(|p| ("segmentation.thresholds".to_owned(), p))?;
        }
        for c in &s.published_cut_points {
            let key = format!("segmentation.published_cut_points[{}]", c.quarter);
            if c.quarter.parse::<crate::Quarter>().is_err() {
                return err(key, "quarter must be like \"Q1 2025/26\"");
            }
            check_cuts(&c.cut_points).map_err(|p| (key.clone(), p))?;
            for (d, cuts) in &c.domains {
                let key = format!("{key}.domains.{d}");
                if !self.domains.iter().any(|x| &x.id == d) {
                    return err(key, "no such domain");
                }
                check_cuts(cuts).map_err(|p| (key, p))?;
            }
        }
        if !(1..=4).contains(&self.financial_override.cap_segment) {
            return err("financial_override.cap_segment".into(), "must be 1 to 4");
        }
        if self.league_table.order != ["segment", "average"]
            || self.league_table.ties != "competition"
        {
            return err(
                "league_table".into(),
                "only order = [\"segment\", \"average\"] with ties = \"competition\" is implemented",
            );
        }
        let l = &self.likely_ranges;
        if l.replicates < 100 {
            return err(
                "likely_ranges.replicates".into(),
                "at least 100 replicates are needed",
            );
        }
        if !(0.0 < l.lower_percentile
            && l.lower_percentile < l.upper_percentile
            && l.upper_percentile < 100.0)
        {
            return err(
                "likely_ranges".into(),
                "percentiles must satisfy 0 < lower < upper < 100",
            );
        }
        if self.rounding.score_dp > 6 || self.rounding.average_dp > 6 {
            return err("rounding".into(), "at most 6 decimal places");
        }
        Ok(())
    }

    fn validate_interventions(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let iv = &self.intervention;
        if !self
            .metrics
            .iter()
            .any(|m| m.value_id.as_deref() == Some(iv.planned_surplus_metric.as_str()))
        {
            return err(
                "intervention.planned_surplus_metric".into(),
                "must be the value id of a configured metric",
            );
        }
        let Some((last, rest)) = iv.statuses.split_last() else {
            return err(
                "intervention.status".into(),
                "at least one status is needed",
            );
        };
        if !last.any.is_empty() {
            return err(
                format!("intervention.status[{}]", last.id),
                "the last status is the default and has no conditions",
            );
        }
        let mut ids = BTreeSet::new();
        for s in &iv.statuses {
            if !ids.insert(s.id.as_str()) {
                return err(format!("intervention.status[{}]", s.id), "duplicate id");
            }
        }
        let bc = &iv.board_capability;
        let mut areas = BTreeSet::new();
        for a in &bc.areas {
            if a.id == "overall" || !areas.insert(a.id.as_str()) {
                return err(
                    format!("intervention.board_capability.areas[{}]", a.id),
                    "area ids must be unique and not \"overall\" (the overall view's id)",
                );
            }
        }
        let mut ratings = BTreeSet::new();
        if bc.areas.is_empty()
            || bc.ratings.is_empty()
            || !bc.ratings.iter().all(|r| ratings.insert(r.to_lowercase()))
        {
            return err(
                "intervention.board_capability".into(),
                "needs at least one area and one rating, ratings unique ignoring case",
            );
        }
        for s in rest {
            if s.any.is_empty() {
                return err(
                    format!("intervention.status[{}].any", s.id),
                    "only the last status may have no conditions",
                );
            }
            for c in &s.any {
                let segments_ok = [c.segment_at_least, c.segment_at_most]
                    .iter()
                    .flatten()
                    .all(|x| (1..=5).contains(x));
                if !segments_ok || c.quarters == 0 || c.tests_nothing() {
                    return err(
                        format!("intervention.status[{}].any", s.id),
                        "each condition tests something, segments are 1 to 5 and quarters at least 1",
                    );
                }
                if let Some(r) = &c.capability_at_most
                    && !iv
                        .board_capability
                        .ratings
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(r))
                {
                    return err(
                        format!("intervention.status[{}].any.capability_at_most", s.id),
                        "must be one of intervention.board_capability.ratings",
                    );
                }
            }
        }
        Ok(())
    }

    fn validate_scoring(&self, m: &Metric) -> Result<(), String> {
        let finite = |x: f64, what: &str| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("{what} must be a finite number"))
            }
        };
        match &m.scoring {
            Scoring::Rank | Scoring::Published => Ok(()),
            Scoring::Standard { standard } => finite(*standard, "standard"),
            Scoring::Floor { floor } => finite(*floor, "floor"),
            Scoring::Bands { bands } => {
                let (last, rest) = bands.split_last().ok_or("bands must not be empty")?;
                if last.threshold.is_some() || rest.iter().any(|b| b.threshold.is_none()) {
                    return Err(
                        "every band but the last needs a threshold; the last has none".into(),
                    );
                }
                let t: Vec<f64> = rest.iter().filter_map(|b| b.threshold).collect();
                let ordered = t.windows(2).all(|w| match m.direction {
                    Direction::HigherIsBetter => w[0] > w[1],
                    Direction::LowerIsBetter => w[0] < w[1],
                });
                if !ordered {
                    return Err("band thresholds must run from best to worst".into());
                }
                bands.iter().try_for_each(|b| score_ok(b.score))
            }
            Scoring::Mapping { categories } => {
                if categories.is_empty() {
                    return Err("mapping needs at least one category".into());
                }
                categories.values().try_for_each(|s| score_ok(*s))
            }
            Scoring::Matrix { table, .. } => {
                if table.len() != 4 || table.iter().any(|r| r.len() != 4) {
                    return Err("matrix table must be 4 rows of 4".into());
                }
                table.iter().flatten().try_for_each(|s| score_ok(*s))
            }
        }
    }
}

fn score_ok(s: f64) -> Result<(), String> {
    if (1.0..=4.0).contains(&s) {
        Ok(())
    } else {
        Err(format!("score {s} is outside 1 to 4"))
    }
}

fn check_cuts(c: &[f64]) -> Result<(), String> {
    if c.len() != 3 {
        return Err(format!("three cut-points are needed, found {}", c.len()));
    }
    if !c.iter().all(|x| x.is_finite()) || !c.windows(2).all(|w| w[0] < w[1]) {
        return Err("cut-points must be finite and strictly ascending".into());
    }
    Ok(())
}

/// `OF` followed by four digits.
pub(crate) fn is_metric_id(s: &str) -> bool {
    s.len() == 6 && s.starts_with("OF") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

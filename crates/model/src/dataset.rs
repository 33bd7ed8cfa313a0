//! What ingestion hands to scoring.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Quarter, TrustCode};

/// Where a value came from, for error messages and audit: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// The input file as given on the command line.
    pub file: Arc<str>,
    /// 1-based line number in that file (the header is line 1).
    pub line: u64,
}

/// A trust as it stood in one quarter's publication. Names, regions and subtypes can change
/// between quarters (North London NHS FT was a care trust in Q1 2025/26 and MH/LD from Q2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustInQuarter {
    /// ODS code.
    pub code: TrustCode,
    /// Trust name as published.
    pub name: String,
    /// NHS England region name as published ("North West").
    pub region: String,
    /// Peer group id from the methodology (`acute`, `mh_community`, `ambulance`).
    pub peer_group: String,
    /// NHS England's trust subtype ("Acute - Teaching", "Community"…); descriptive only.
    pub subtype: String,
}

/// One published or derived number for one trust, metric and quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Quarter of the publication the value belongs to.
    pub quarter: Quarter,
    /// The trust.
    pub trust: TrustCode,
    /// NOF metric id as written in the input ("OF0061" raw value, "OF1061" score, "OF5004" flag).
    pub metric_id: String,
    /// The numeric value.
    pub value: f64,
    /// The period the value covers, as the source states it ("Jun-25", "2024/25").
    pub reporting_date: String,
    /// Where it was read.
    pub source: SourceRef,
}

/// Validated input for one scoring run.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Trusts present in each quarter, keyed by quarter then code (sorted, so iteration is
    /// deterministic).
    pub trusts: BTreeMap<Quarter, BTreeMap<TrustCode, TrustInQuarter>>,
    /// Every observation, in input order.
    pub observations: Vec<Observation>,
}

impl Dataset {
    /// Quarters present, oldest first.
    pub fn quarters(&self) -> impl Iterator<Item = Quarter> + '_ {
        self.trusts.keys().copied()
    }

    /// Keeps only one quarter's trusts and observations.
    pub fn retain_quarter(&mut self, quarter: Quarter) {
        self.trusts.retain(|q, _| *q == quarter);
        self.observations.retain(|o| o.quarter == quarter);
    }
}

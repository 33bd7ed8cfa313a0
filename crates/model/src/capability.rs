//! A board capability assessment (NOF 2025/26 §1.5): one trust's rating in each area and the
//! overall view, for one quarter. NHS England does not publish these; they come from their own
//! input, and a trust without one is "not assessed".

use crate::{Quarter, TrustCode};

/// One trust's board capability assessment for one quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardAssessment {
    /// Quarter.
    pub quarter: Quarter,
    /// Trust.
    pub trust: TrustCode,
    /// (area id, rating) in the methodology's area order, for the areas rated.
    pub areas: Vec<(String, String)>,
    /// The overall view, when given.
    pub overall: Option<String>,
    /// The file it came from.
    pub source: String,
}

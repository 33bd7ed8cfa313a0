//! The NOF scoring engine (NOF 2025/26 §1–§2).
//!
//! [`score`] takes a validated [`league_model::Dataset`] and the [`league_model::Methodology`]
//! and returns a [`league_model::ScoreRun`]: metric scores, averages, domain results, segments
//! with the financial override and segment 5, league ranks within each peer group, and likely
//! ranges of average and rank by bootstrap.
//!
//! - [`rules`]: the method's rules as pure functions (schemes A/B/C, bands, the finance matrix,
//!   weighted means, quartiles, segments, the override). Unit tests live there.
//! - `columnar`: the same rank-based schemes and the averages over whole columns with polars.
//!   It is the only module, and this the only crate, that depends on polars.
//! - `engine`: chooses, per metric and quarter, between computing a score and using NHS
//!   England's published one, then segments and ranks.
//! - `improvement`: what it would take each trust to reach the next segment, by re-scoring its
//!   metrics with better values.
//! - [`bootstrap`]: likely ranges, parallel with rayon and deterministic for a seed whatever the
//!   thread count.

pub mod bootstrap;
mod columnar;
mod engine;
mod intervention;
mod next_segment;
pub mod rules;
pub mod stats;

pub use engine::{MIN_REPLICATES, ScoreError, ScoreOptions, score};

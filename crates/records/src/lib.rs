//! Record-level extracts at national scale: A&E attendances, RTT pathways and ambulance
//! incidents, as month-partitioned Parquet.
//!
//! - [`layout`]: the record layouts and the partitioned directory they live in.
//! - [`calibrate`]: the real monthly volumes and performance (NHS England's A&E, RTT and AmbSYS
//!   publications shipped in `data/sources/`) that synthetic extracts are calibrated to.
//! - [`generate`]: seeded synthetic extracts, calibrated per trust, marked `synthetic` in every
//!   file's Parquet key-value metadata.
//! - [`aggregate`]: polars lazy queries on the streaming engine that turn records into NOF
//!   metric values (A&E 4-hour and 12-hour, RTT 18 and 52 weeks, ambulance category means),
//!   quarantining bad records with file, row, column and reason.
//! - [`output`]: the disclosure rule and the metric-value file in the long format the other
//!   adapters' values share, so aggregates flow through the same validation.
//!
//! **Architecture Invariant:** polars' Parquet and streaming features are compiled for this
//! crate's sake; its API takes paths and plain types and returns plain types.

pub mod aggregate;
mod calendar;
pub mod calibrate;
mod error;
pub mod generate;
pub mod layout;
pub mod output;

pub use aggregate::{Aggregation, ExtractStats, aggregate};
pub use calibrate::Calibration;
pub use error::RecordsError;
pub use generate::{GenerateSpec, GenerateSummary, generate};
pub use layout::{Extract, Month};
pub use output::{Grain, MetricValue, ingest, metric_values, write_metric_values};

/// The Parquet key-value metadata key that marks a generated file; its value is `true`.
pub const SYNTHETIC_KEY: &str = "synthetic";

#[cfg(test)]
mod tests;

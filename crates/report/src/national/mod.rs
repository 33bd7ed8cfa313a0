//! The national pack: one quarter's league tables for England, as an Excel workbook, a tagged
//! PDF, and CSV/Parquet with a column dictionary. [`build_pack`] turns a run into the
//! [`NationalPack`], the only thing the renderers read; [`pdf`] and [`workbook`] lay it out
//! with the engines in [`crate::pdf`] and [`crate::xlsx`].

mod charts;
mod funnel_chart;
pub(crate) mod pack;
pub(crate) mod pdf;
pub(crate) mod workbook;

pub use pack::{
    Basis, ChartPoint, GroupProvenance, MethodFacts, Movement, NationalPack, Note, RankedChart,
    SegmentCounts, TrendSummary, build_pack,
};
pub(crate) use pack::{VERSUS_DP, coverage_label};

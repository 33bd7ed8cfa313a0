//! Statistics beside the ranks: they never change a segment or a rank (NHS England's method stays
//! the reference) but say how far the ranks can be told apart.
//!
//! - [`funnel`]: funnel plot limits for proportions, adjusted for over-dispersion.
//! - [`spc`]: Making Data Count XmR charts, their four rules and two icons.
//! - [`sensitivity`]: every trust's segment under each alternative to the method's choices.
//! - Similar to peers lives in [`crate::bootstrap`], from the likely ranges' replicates.

pub mod counts;
pub mod funnel;
pub mod sensitivity;
pub mod spc;

//! The NOF scoring engine: metric scores, averages, segments, override, league ranks and likely ranges (polars + rayon).

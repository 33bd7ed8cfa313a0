//! Per-trust documents.

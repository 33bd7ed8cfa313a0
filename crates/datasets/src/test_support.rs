//! Shared by the crate's tests: the shipped configuration and register.

use std::path::{Path, PathBuf};

use league_ingest::TrustRegister;
use league_model::Methodology;

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped methodology and trust register (current and historic codes).
pub(crate) fn setup() -> (Methodology, TrustRegister) {
    let text =
        std::fs::read_to_string(root().join("data/methodology/nof-2025-26.toml")).expect("config");
    let m = Methodology::from_toml("nof-2025-26.toml", &text).expect("valid");
    let r = root().join("data/reference");
    let register = TrustRegister::load(
        &r.join("trusts_reference.csv"),
        Some(&r.join("ods_etr_trusts.csv")),
    )
    .expect("register");
    (m, register)
}

//! Shared by the crate's tests: the repository root and the shipped configuration and register.

use std::path::{Path, PathBuf};

use league_model::Methodology;

use crate::TrustRegister;

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped methodology (`data/methodology/nof-2025-26.toml`).
pub(crate) fn methodology() -> Methodology {
    let text =
        std::fs::read_to_string(root().join("data/methodology/nof-2025-26.toml")).expect("config");
    Methodology::from_toml("nof-2025-26.toml", &text).expect("valid")
}

/// The shipped trust register (`data/reference/`), current and historic codes.
pub(crate) fn register() -> TrustRegister {
    let r = root().join("data/reference");
    TrustRegister::load(
        &r.join("trusts_reference.csv"),
        Some(&r.join("ods_etr_trusts.csv")),
    )
    .expect("register")
}

/// Both.
pub(crate) fn setup() -> (Methodology, TrustRegister) {
    (methodology(), register())
}

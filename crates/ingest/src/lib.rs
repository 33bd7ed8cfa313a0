//! Reads NHS England's NOF data CSV and the trust register into validated, typed rows.

//! NHS trust identifiers.

use std::fmt;

/// An ODS organisation code for a trust: 3 to 5 upper-case letters and digits ("RBV", "G6V2S").
///
/// The check is also a safety rule: a code is used in file names, so nothing path-like
/// ("../x") or formula-like ("=cmd") can ever become one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrustCode(String);

/// Why a string is not a trust code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ODS trust code (3 to 5 characters, A-Z and 0-9)")]
pub struct TrustCodeError(pub String);

impl TrustCode {
    /// Validates and wraps a code. Surrounding spaces are trimmed; case is not changed.
    pub fn parse(s: &str) -> Result<Self, TrustCodeError> {
        let t = s.trim();
        let ok = (3..=5).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(TrustCodeError(s.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrustCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes() {
        for c in ["RBV", "R0A", "G6V2S", " RYF "] {
            assert!(TrustCode::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn rejects_paths_formulas_and_lower_case() {
        for c in ["../../x", "=HYP", "rbv", "AB", "ABCDEF", "R B", ""] {
            assert!(TrustCode::parse(c).is_err(), "{c}");
        }
    }
}

//! What the pages are built from: the pack, the trust views, the methodology, the publication
//! and the release's facts, and the names a trust is also known by.

use std::collections::BTreeMap;

use crate::national::NationalPack;
use crate::publication::Publication;
use crate::trust::TrustView;

/// A trust that merged into another, as the register records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predecessor {
    /// Its ODS code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The merger date (YYYY-MM-DD).
    pub merged: String,
}

/// What the site says about the release beyond the run's figures.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFacts {
    /// The run id.
    pub run_id: String,
    /// The release time.
    pub release_at: String,
    /// Each input file and its SHA-256.
    pub inputs: Vec<(String, String)>,
    /// Each trust's predecessors merged into it by the release date (search finds a trust by
    /// a predecessor's name or code).
    pub predecessors: BTreeMap<league_model::TrustCode, Vec<Predecessor>>,
}

/// A file offered for download: path under `site/`, what it is, its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Download {
    pub path: String,
    pub size: u64,
}

/// Everything the pages are built from.
pub(super) struct SiteInput<'a> {
    pub pack: &'a NationalPack,
    pub views: &'a [TrustView<'a>],
    pub methodology: &'a league_model::Methodology,
    pub publication: &'a Publication,
    pub facts: &'a ReleaseFacts,
    pub downloads: &'a [Download],
}

/// The trust page's file name for a code.
pub(super) fn trust_href(code: &str) -> String {
    format!("{code}.html")
}

/// Bytes as a reader wants them: "812 KB", "1.4 MB".
pub(super) fn size_label(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{} KB", (b + 500) / 1_000),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

/// A peer group's page file name.
pub(super) fn group_href(id: &str) -> String {
    format!("{id}.html")
}

/// The other names and codes a trust is known by (for search), and one sentence saying how.
pub(super) fn aliases(
    input: &SiteInput<'_>,
    v: &crate::trust::TrustView<'_>,
) -> (Vec<String>, String) {
    let mut aliases = Vec::new();
    let mut notes = Vec::new();
    if let Some(a) = &v.addressee {
        aliases.push(a.name.clone());
        aliases.push(a.code.as_str().to_owned());
        notes.push(if a.merged {
            format!(
                "Merged into {} ({}) on {}",
                a.name,
                a.code.as_str(),
                a.since.long()
            )
        } else {
            format!("Named {} since {}", a.name, a.since.long())
        });
    }
    for p in input.facts.predecessors.get(&v.code).into_iter().flatten() {
        // The name as this quarter's tables give it, where the predecessor is in them (the
        // register's historic list writes names in capitals).
        let ranked = input.views.iter().find(|o| o.code.as_str() == p.code);
        let name = ranked.map_or_else(|| p.name.clone(), |o| o.name.clone());
        aliases.push(name.clone());
        aliases.push(p.code.clone());
        let when = p
            .merged
            .parse::<league_model::Date>()
            .map_or_else(|_| p.merged.clone(), league_model::Date::long);
        notes.push(if ranked.is_some() {
            format!(
                "{name} ({}) merged into it on {when}; in {} it was ranked separately, so these figures do not include it",
                p.code, v.quarter
            )
        } else {
            format!("{name} ({}) merged into it on {when}", p.code)
        });
    }
    (aliases, notes.join("; "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_a_person_would_say_them() {
        assert_eq!(super::size_label(999), "999 bytes");
        assert_eq!(super::size_label(1_499), "1 KB");
        assert_eq!(super::size_label(812_300), "812 KB");
        assert_eq!(super::size_label(1_400_000), "1.4 MB");
    }
}

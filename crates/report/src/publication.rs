//! Publication details that are not in the data (`data/publication.toml`): title, organisation,
//! contact, release date and address, language. Every document reads them from here.

use serde::Deserialize;

use crate::narrative::MONTHS;

/// Publication details that are not in the data (`data/publication.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Title of the release.
    pub title: String,
    /// The organisation publishing and sending the documents (the document author).
    pub organisation: String,
    /// What the organisation is, said beside its name on every letter ("an independent
    /// reproduction of NHS England's method; not NHS England").
    pub organisation_description: String,
    /// The sender's postal address, one line each (may be empty).
    #[serde(default)]
    pub address: Vec<String>,
    /// Who answers questions, in words ("NHS England's segmentation and league tables page").
    pub contact: String,
    /// Where to reach them: an `https://` address or a `mailto:` address.
    pub contact_url: String,
    /// Release date, `YYYY-MM-DD`: set from the run (the job's or `--release-date`'s date, or
    /// the run's own), never from this file.
    #[serde(skip)]
    pub release_date: String,
    /// Next update, free text that follows "Next update: " ("February 2027").
    pub next_update: String,
    /// Where the release is published: an `https://` address, made a link in every rendering.
    pub release_url: String,
    /// What the address is, as the link's text ("NHS England's official tables").
    pub release_url_text: String,
    /// Document language (BCP 47).
    pub language: String,
    /// What happens next, by intervention status id: what the framework states for a trust
    /// with that status, said in the letter and the workbook.
    pub next_steps: std::collections::BTreeMap<String, String>,
}

impl Publication {
    /// Parses the publication file; the error names the problem.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        if text
            .lines()
            .any(|l| l.trim_start().starts_with("release_date"))
        {
            return Err("release_date: the release date comes from the run (a job's [release] date, --release-date, or the run's date), not from this file".to_owned());
        }
        let p: Publication = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        for (key, url) in [
            ("release_url", &p.release_url),
            ("contact_url", &p.contact_url),
        ] {
            let web = url.starts_with("https://") || url.starts_with("mailto:");
            if !web
                || url.contains(char::is_whitespace)
                || (key == "release_url" && !url.starts_with("https://"))
            {
                return Err(format!(
                    "{key}: {url:?} is not a web address (https://, or mailto: for contact_url; no spaces)"
                ));
            }
        }
        if p.next_update.to_lowercase().starts_with("next update") {
            return Err(
                "next_update: give only the text after \"Next update: \" (the renderings add it)"
                    .to_owned(),
            );
        }
        if p.contact.to_lowercase().contains("issue tracker") {
            return Err("contact: an issue tracker is not a contact for a trust's board; name a person, team or page".to_owned());
        }
        Ok(p)
    }

    /// Checks that every intervention status of the methodology has its next steps, and no
    /// text names a status the methodology does not have.
    pub fn check_against(&self, m: &league_model::Methodology) -> Result<(), String> {
        let ids: Vec<&str> = m
            .intervention
            .statuses
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        if let Some(id) = ids.iter().find(|id| !self.next_steps.contains_key(**id)) {
            return Err(format!(
                "next_steps.{id}: missing (every intervention status needs its next steps)"
            ));
        }
        if let Some(id) = self.next_steps.keys().find(|k| !ids.contains(&k.as_str())) {
            return Err(format!(
                "next_steps.{id}: not an intervention status of the methodology"
            ));
        }
        Ok(())
    }

    /// The publication dated `date` (the run's release date).
    pub fn dated(mut self, date: league_model::Date) -> Self {
        self.release_date = date.to_string();
        self
    }

    /// What happens next for a trust with intervention status `id`.
    pub fn next_step(&self, id: &str) -> &str {
        self.next_steps.get(id).map_or("", String::as_str)
    }

    /// (year, month, day) of the release date.
    pub fn release_ymd(&self) -> (u16, u8, u8) {
        let d = &self.release_date;
        (
            d[..4].parse().expect("validated"),
            d[5..7].parse().expect("validated"),
            d[8..].parse().expect("validated"),
        )
    }

    /// "23 November 2026".
    pub fn release_long(&self) -> String {
        let (y, m, d) = self.release_ymd();
        format!("{d} {} {y}", MONTHS[usize::from(m) - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_details_are_checked_and_the_date_comes_from_the_run() {
        let shipped = include_str!("../../../data/publication.toml");
        let p = Publication::from_toml(shipped)
            .expect("valid")
            .dated(league_model::Date::new(2026, 11, 23).expect("date"));
        assert_eq!(p.release_long(), "23 November 2026");
        let m = league_model::Methodology::from_toml(
            "m",
            include_str!("../../../data/methodology/nof-2025-26.toml"),
        )
        .expect("methodology");
        p.check_against(&m)
            .expect("every status has its next steps");
        let refused = |text: String, why: &str| {
            let e = Publication::from_toml(&text).expect_err(why);
            assert!(e.contains(why), "{e}");
        };
        refused(
            format!("release_date = \"2026-11-23\"\n{shipped}"),
            "comes from the run",
        );
        let url = shipped
            .lines()
            .find(|l| l.starts_with("release_url ="))
            .expect("release_url");
        refused(
            shipped.replace(url, "release_url = \"example.org (ours)\""),
            "release_url",
        );
        let next = shipped
            .lines()
            .find(|l| l.starts_with("next_update ="))
            .expect("next_update");
        refused(
            shipped.replace(next, "next_update = \"Next update: soon\""),
            "next_update",
        );
        let contact = shipped
            .lines()
            .find(|l| l.starts_with("contact ="))
            .expect("contact");
        refused(
            shipped.replace(contact, "contact = \"the project's issue tracker\""),
            "issue tracker",
        );
        let mut missing = p.clone();
        missing.next_steps.remove("earned_autonomy");
        assert!(
            missing
                .check_against(&m)
                .expect_err("missing")
                .contains("earned_autonomy")
        );
    }
}

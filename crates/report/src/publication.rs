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
    /// The organisation publishing (the document author).
    pub organisation: String,
    /// Contact for questions.
    pub contact: String,
    /// Release date, `YYYY-MM-DD` (fixed, so reruns are byte-identical).
    pub release_date: String,
    /// Next update, free text that follows "Next update: " ("February 2027").
    pub next_update: String,
    /// Where the release is published: an `https://` address, made a link in every rendering.
    pub release_url: String,
    /// What the address is, as the link's text ("NHS England's official tables").
    pub release_url_text: String,
    /// Document language (BCP 47).
    pub language: String,
}

impl Publication {
    /// Parses the publication file; the error names the problem.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let p: Publication = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let d = &p.release_date;
        let ok = d.len() == 10
            && d.as_bytes()[4] == b'-'
            && d.as_bytes()[7] == b'-'
            && d[..4].parse::<u16>().is_ok()
            && d[5..7].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
            && d[8..].parse::<u8>().is_ok_and(|x| (1..=31).contains(&x));
        if !ok {
            return Err(format!("release_date: {d:?} is not YYYY-MM-DD"));
        }
        if !p.release_url.starts_with("https://") || p.release_url.contains(char::is_whitespace) {
            return Err(format!(
                "release_url: {:?} is not a web address (https://, no spaces)",
                p.release_url
            ));
        }
        if p.next_update.to_lowercase().starts_with("next update") {
            return Err(
                "next_update: give only the text after \"Next update: \" (the renderings add it)"
                    .to_owned(),
            );
        }
        Ok(p)
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
    fn publication_dates_are_checked() {
        let text = |d: &str| {
            format!(
                "title = \"t\"\norganisation = \"o\"\ncontact = \"c\"\nrelease_date = \"{d}\"\nnext_update = \"n\"\nrelease_url = \"https://example.org/\"\nrelease_url_text = \"the release\"\nlanguage = \"en-GB\"\n"
            )
        };
        let p = Publication::from_toml(&text("2026-11-23")).expect("valid");
        assert_eq!(p.release_long(), "23 November 2026");
        assert!(Publication::from_toml(&text("23/11/2026")).is_err());
        assert!(Publication::from_toml(&text("2026-13-01")).is_err());
        let bad_url = text("2026-11-23").replace("https://example.org/", "example.org (ours)");
        assert!(Publication::from_toml(&bad_url).is_err());
        let doubled = text("2026-11-23").replace("\"n\"", "\"Next update: soon\"");
        assert!(Publication::from_toml(&doubled).is_err());
    }
}

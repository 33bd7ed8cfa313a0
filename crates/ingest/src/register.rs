//! The trust register: which ODS codes are trusts, of what type, and which codes merged into
//! which (`data/reference/`).

use std::collections::BTreeMap;
use std::path::Path;

use league_model::TrustCode;

use crate::csvfile::CsvFile;
use crate::{IngestError, RowError};

/// One trust in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// ODS code.
    pub code: TrustCode,
    /// Name.
    pub name: String,
    /// Register trust type (`acute`, `mental_health`…), known for current trusts only.
    pub trust_type: Option<String>,
    /// True for the current (2026) list; false for codes known only from the historic snapshot.
    pub current: bool,
    /// The trust this code merged into, with the merger date (YYYY-MM-DD).
    pub successor: Option<(TrustCode, String)>,
    /// NHS England region name ("North West"), where the register gives one.
    pub region: String,
    /// ODS close date (YYYYMMDD) for a closed code.
    pub close_date: Option<String>,
    /// Open date (YYYYMMDD), where the register gives one.
    pub open_date: Option<String>,
}

/// What a code in a source means for a period ending in a given month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// A trust that existed then, under this code.
    Trust(&'a RegisterEntry),
    /// A predecessor reported after its merger: the data belongs to the successor.
    Successor {
        /// The predecessor code as written.
        from: TrustCode,
        /// The successor's entry.
        to: &'a RegisterEntry,
    },
    /// The code had closed (or merged) before the period ended.
    Closed(&'a RegisterEntry),
    /// Not in the register.
    Unknown,
}

/// Known trust codes, current and historic.
#[derive(Debug, Clone, Default)]
pub struct TrustRegister {
    entries: BTreeMap<TrustCode, RegisterEntry>,
}

/// Why a code is refused for a month after its trust closed or merged (the quarantine reason).
pub fn closed_reason(code: &TrustCode, entry: &RegisterEntry, (year, month): (u16, u8)) -> String {
    let name = if entry.name.is_empty() {
        code.as_str()
    } else {
        &entry.name
    };
    format!("{name} had closed or merged before {year}-{month:02}")
}

impl TrustRegister {
    /// Loads the current list (`trusts_reference.csv`) and, optionally, the historic ODS
    /// snapshot (`ods_etr_trusts.csv`) whose extra codes are kept as non-current entries.
    pub fn load(current: &Path, historic: Option<&Path>) -> Result<Self, IngestError> {
        let limits = crate::Limits::default();
        let historic = match historic {
            Some(h) => Some(CsvFile::open(h, &limits)?),
            None => None,
        };
        Self::from_csv(CsvFile::open(current, &limits)?, historic)
    }

    /// As [`TrustRegister::load`], from the two files' bytes in memory (the copies compiled
    /// into the binary); each name is used in messages.
    pub fn from_bytes(
        current: (&str, Vec<u8>),
        historic: Option<(&str, Vec<u8>)>,
        limits: &crate::Limits,
    ) -> Result<Self, IngestError> {
        let historic = match historic {
            Some((name, bytes)) => Some(CsvFile::from_bytes(name, bytes, limits)?),
            None => None,
        };
        Self::from_csv(CsvFile::from_bytes(current.0, current.1, limits)?, historic)
    }

    fn from_csv(file: CsvFile, historic: Option<CsvFile>) -> Result<Self, IngestError> {
        let mut reg = TrustRegister::default();
        let mut rdr = file.reader();
        let [code_i, name_i, type_i, pred_i, date_i, region_i] = file.columns(
            &mut rdr,
            [
                "org_code",
                "name",
                "trust_type",
                "predecessor_codes",
                "merger_date",
                "nhs_region_name",
            ],
        )?;
        let open_i = file.header()?.iter().position(|h| h == "open_date");
        let mut errors = Vec::new();
        let mut successors = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| file.malformed(e))?;
            let line = file.line(&rec);
            let Some(code) = parse_code(&file.name, line, "org_code", &rec[code_i], &mut errors)
            else {
                continue;
            };
            for pred in rec[pred_i]
                .split(['|', ';', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                if let Some(p) =
                    parse_code(&file.name, line, "predecessor_codes", pred, &mut errors)
                {
                    successors.push((p, code.clone(), rec[date_i].trim().to_owned()));
                }
            }
            let entry = RegisterEntry {
                code: code.clone(),
                name: rec[name_i].trim().to_owned(),
                trust_type: Some(rec[type_i].trim().to_owned()).filter(|t| !t.is_empty()),
                current: true,
                successor: None,
                region: rec[region_i].trim().to_owned(),
                close_date: None,
                open_date: open_i
                    .and_then(|i| rec.get(i))
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
            };
            if reg.entries.insert(code.clone(), entry).is_some() {
                errors.push(RowError::new(
                    &file.name,
                    line,
                    "org_code",
                    code.as_str(),
                    crate::Rule::DuplicateKey,
                    "duplicate trust code",
                ));
            }
        }
        if let Some(file) = historic {
            let mut rdr = file.reader();
            let [code_i, name_i, region_i, close_i] = file.columns(
                &mut rdr,
                ["org_code", "name", "nhs_region_name", "close_date"],
            )?;
            for rec in rdr.records() {
                let rec = rec.map_err(|e| file.malformed(e))?;
                let line = file.line(&rec);
                let Some(code) =
                    parse_code(&file.name, line, "org_code", &rec[code_i], &mut errors)
                else {
                    continue;
                };
                let close_date = Some(rec[close_i].trim().to_owned()).filter(|d| !d.is_empty());
                let entry = reg
                    .entries
                    .entry(code.clone())
                    .or_insert_with(|| RegisterEntry {
                        code,
                        name: rec[name_i].trim().to_owned(),
                        trust_type: None,
                        current: false,
                        successor: None,
                        region: rec[region_i].trim().to_owned(),
                        close_date: None,
                        open_date: None,
                    });
                if !entry.current {
                    entry.close_date = close_date;
                }
            }
        }
        for (pred, succ, date) in successors {
            let entry = reg
                .entries
                .entry(pred.clone())
                .or_insert_with(|| RegisterEntry {
                    code: pred.clone(),
                    name: String::new(),
                    trust_type: None,
                    current: false,
                    successor: None,
                    region: String::new(),
                    close_date: None,
                    open_date: None,
                });
            entry.successor = Some((succ, date));
        }
        if errors.is_empty() {
            Ok(reg)
        } else {
            Err(IngestError::Rows(errors))
        }
    }

    /// The entry for a code.
    pub fn get(&self, code: &TrustCode) -> Option<&RegisterEntry> {
        self.entries.get(code)
    }

    /// What `code` means for a period whose last month is `(year, month)`.
    ///
    /// The stated rule: a predecessor's data for a period ending before its merger date stays
    /// with the predecessor (it was a trust then); for a period ending on or after the merger
    /// month it belongs to the successor. A code with an ODS close date before the period's
    /// last month, and no successor, is closed.
    pub fn resolve(&self, code: &TrustCode, (year, month): (u16, u8)) -> Resolution<'_> {
        let Some(e) = self.entries.get(code) else {
            return Resolution::Unknown;
        };
        let period = u32::from(year) * 100 + u32::from(month);
        if let Some((succ, date)) = &e.successor
            && let Some(merged) = yyyymm(date)
            && period >= merged
        {
            return match self.entries.get(succ) {
                Some(to) => Resolution::Successor {
                    from: code.clone(),
                    to,
                },
                None => Resolution::Closed(e),
            };
        }
        if let Some(closed) = e.close_date.as_deref().and_then(yyyymm)
            && period > closed
        {
            return Resolution::Closed(e);
        }
        Resolution::Trust(e)
    }

    /// Who `code`'s documents go to on `on`, when the register records a change by then:
    /// its successor, for a trust merged into another on or before `on`; the trust itself
    /// under its register name, for a trust that absorbed another on or before `on` and is
    /// named otherwise in the data (`data_name`). `None`: the trust as the data name it.
    pub fn addressee(
        &self,
        code: &TrustCode,
        data_name: &str,
        on: league_model::Date,
    ) -> Option<league_model::Addressee> {
        let e = self.entries.get(code)?;
        let date = |d: &str| d.parse::<league_model::Date>().ok();
        if let Some((succ, when)) = &e.successor
            && let Some(since) = date(when)
            && since <= on
        {
            let to = self.entries.get(succ)?;
            return Some(league_model::Addressee {
                code: succ.clone(),
                name: to.name.clone(),
                since,
                merged: true,
            });
        }
        let since = self
            .entries
            .values()
            .filter_map(|p| match &p.successor {
                Some((s, when)) if s == code => date(when),
                _ => None,
            })
            .filter(|d| *d <= on)
            .max()?;
        (e.current && !e.name.is_empty() && !e.name.eq_ignore_ascii_case(data_name)).then(|| {
            league_model::Addressee {
                code: code.clone(),
                name: e.name.clone(),
                since,
                merged: false,
            }
        })
    }

    /// The current trusts of these register types that existed in the period ending in `month`
    /// (opened by then, not closed or merged away): the trusts a league table of the period is
    /// expected to hold.
    pub fn expected(&self, types: &[String], month: (u16, u8)) -> Vec<&RegisterEntry> {
        let period = u32::from(month.0) * 100 + u32::from(month.1);
        self.entries
            .values()
            .filter(|e| e.current)
            .filter(|e| e.trust_type.as_ref().is_some_and(|t| types.contains(t)))
            .filter(|e| {
                e.open_date
                    .as_deref()
                    .and_then(yyyymm)
                    .is_none_or(|opened| opened <= period)
            })
            .filter(|e| matches!(self.resolve(&e.code, month), Resolution::Trust(_)))
            .collect()
    }

    /// The register trust type of a code: its own, or for a predecessor its successor's.
    pub fn trust_type(&self, code: &TrustCode) -> Option<&str> {
        let e = self.entries.get(code)?;
        e.trust_type.as_deref().or_else(|| {
            let (succ, _) = e.successor.as_ref()?;
            self.entries.get(succ)?.trust_type.as_deref()
        })
    }

    /// Every entry, by code.
    pub fn entries(&self) -> impl Iterator<Item = &RegisterEntry> {
        self.entries.values()
    }

    /// Number of codes known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no code is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_code(
    file: &str,
    line: u64,
    column: &str,
    value: &str,
    errors: &mut Vec<RowError>,
) -> Option<TrustCode> {
    match TrustCode::parse(value) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(RowError::new(
                file,
                line,
                column,
                value,
                crate::Rule::InvalidCode,
                e.to_string(),
            ));
            None
        }
    }
}

/// `YYYY-MM-DD` or `YYYYMMDD` → `YYYYMM` as a number.
fn yyyymm(date: &str) -> Option<u32> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits[..6].parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_go_to_the_organisation_as_it_stands_on_the_release_date() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/reference");
        let r = TrustRegister::load(
            &data.join("trusts_reference.csv"),
            Some(&data.join("ods_etr_trusts.csv")),
        )
        .expect("register");
        let code = |c: &str| TrustCode::parse(c).expect("code");
        let day = |d: &str| d.parse::<league_model::Date>().expect("date");
        let before = day("2026-03-31");
        let after = day("2026-04-01");
        let rnk = "Tavistock and Portman NHS Foundation Trust";
        assert_eq!(r.addressee(&code("RNK"), rnk, before), None);
        let to = r.addressee(&code("RNK"), rnk, after).expect("merged");
        assert_eq!(
            (to.code.as_str(), to.merged, to.since),
            ("G6V2S", true, after)
        );
        assert_eq!(to.name, "North London NHS Foundation Trust");
        let to = r
            .addressee(
                &code("RY2"),
                "Bridgewater Community Healthcare NHS Foundation Trust",
                after,
            )
            .expect("merged");
        assert_eq!(to.code.as_str(), "RWW");
        // RWW absorbed RY2 and took a new name that day.
        let old = "Warrington and Halton Teaching Hospitals NHS Foundation Trust";
        assert_eq!(r.addressee(&code("RWW"), old, before), None);
        let renamed = r.addressee(&code("RWW"), old, after).expect("renamed");
        assert_eq!(
            (renamed.name.as_str(), renamed.merged),
            ("North Cheshire and Mersey NHS Foundation Trust", false)
        );
        // A trust with no recorded change keeps the data's name.
        assert_eq!(
            r.addressee(
                &code("R0A"),
                "Manchester University NHS Foundation Trust",
                after
            ),
            None
        );
    }

    #[test]
    fn loads_current_and_historic_codes_with_mergers() {
        let reg = crate::test_support::register();
        let code = |c: &str| TrustCode::parse(c).expect("valid");
        let rbv = reg
            .get(&code("RBV"))
            .expect("The Christie is a current trust");
        assert!(rbv.current);
        assert_eq!(rbv.trust_type.as_deref(), Some("acute_specialist"));
        let rnk = reg
            .get(&code("RNK"))
            .expect("Tavistock and Portman is historic");
        assert!(!rnk.current);
        assert_eq!(
            rnk.successor,
            Some((code("G6V2S"), "2026-04-01".to_owned()))
        );
        assert!(
            reg.get(&code("RYV")).is_some(),
            "Cambridgeshire Community Services, from the ODS snapshot"
        );
        assert!(reg.get(&code("ZZZ")).is_none());
        assert!(reg.len() > 202);
    }
}

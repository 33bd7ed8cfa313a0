//! The per-trust documents under `<quarter>/trusts/<code>/`, read back as their readers see
//! them: the letter's text through its fonts, the board workbook's cells.
//!
//! - One letter and one workbook for every trust in the quarter's league tables, and no other
//!   directory.
//! - The letter's segment, rank of N and average equal the trust's league-table.csv row.
//! - The workbook's summary says the same; its metric sheet's scores, values and peer quartiles
//!   equal metric-scores.csv; its peer league table equals the national league table cell for
//!   cell.
//! - The leak scan: no other trust's code or name appears in a letter, or in any workbook sheet
//!   but the peer league table.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use league_model::Methodology;

use super::read::{Grid, NumberForm, Workbook};
use super::{CheckReport, Dictionary, GroupFiles, num, pdf, same_cells};

/// The workbook sheet that may name other trusts.
const PEER_SHEET: &str = "Peer league table";

/// One trust as the league tables give it.
struct Trust {
    code: String,
    name: String,
    group: String,
    rank: String,
    of: usize,
    segment: String,
    average: String,
    /// `Yes`, `No` or `Not known` (Recovery_support_programme).
    programme: String,
    /// `Yes`, `No` or `Not known` (Trust_in_financial_deficit).
    deficit: String,
    /// The letter's comparison with the peer median, as the national league table implies it.
    versus: Option<String>,
    /// Each monthly measure's SPC summary row: (measure id, unit, latest value, last month
    /// YYYY-MM, variation label).
    monthly: Vec<(String, String, f64, String, String)>,
    /// Each monthly measure's months (YYYY-MM) that spc_series.csv marks with a rule.
    special: BTreeMap<String, Vec<String>>,
}

/// Each trust's monthly measures as spc_summary.csv gives them, and the months spc_series.csv
/// marks with a rule.
fn add_monthly(trusts: &mut [Trust], national: &NationalTables<'_>, m: &Methodology) {
    if let Some(spc) = national.csvs.get("spc_summary") {
        for t in trusts.iter_mut() {
            t.monthly = spc
                .rows
                .iter()
                .filter(|r| spc.get(r, "trust_code") == t.code)
                .filter_map(|r| {
                    let id = spc.get(r, "measure_id");
                    let unit = m
                        .statistics
                        .measures
                        .iter()
                        .find(|x| x.id == id)?
                        .unit
                        .clone();
                    Some((
                        id.to_owned(),
                        unit,
                        num(spc.get(r, "latest_value"))?,
                        spc.get(r, "last_month").to_owned(),
                        spc.get(r, "variation").to_owned(),
                    ))
                })
                .collect();
        }
    }
    if let Some(series) = national.csvs.get("spc_series") {
        for r in &series.rows {
            let code = series.get(r, "trust_code");
            if let Some(t) = trusts.iter_mut().find(|t| t.code == code) {
                let months = t
                    .special
                    .entry(series.get(r, "measure_id").to_owned())
                    .or_default();
                if !matches!(series.get(r, "rules"), "" | "none") {
                    months.push(series.get(r, "month").to_owned());
                }
            }
        }
    }
}

/// Checks every trust's documents of quarter `q`.
/// The national tables a trust's documents are checked against: the dictionary and the CSVs
/// read, by table id.
pub(super) struct NationalTables<'a> {
    pub dict: &'a Dictionary,
    pub csvs: &'a BTreeMap<String, Grid>,
}

/// What a trust's metric figures are checked against: the methodology, every trust's rows of
/// metric-scores.csv and how many trusts of each peer group have a value of each metric.
struct Peers<'a> {
    m: &'a Methodology,
    scores: Scores,
    values_in_group: HashMap<(String, String), usize>,
}

/// Every trust of the league tables, as its documents must state it.
fn trusts_of(groups: &BTreeMap<String, GroupFiles>) -> Vec<Trust> {
    groups
        .iter()
        .flat_map(|(g, f)| {
            let l = &f.league;
            l.rows.iter().map(move |r| Trust {
                code: l.get(r, "Trust_code").to_owned(),
                name: l.get(r, "Trust_name").to_owned(),
                group: g.clone(),
                rank: l.get(r, "Rank").to_owned(),
                of: l.rows.len(),
                segment: l.get(r, "Segment").to_owned(),
                average: num(l.get(r, "Average_score"))
                    .map_or(String::new(), |v| format!("{v:.2}")),
                programme: l.get(r, "Recovery_support_programme").to_owned(),
                deficit: l.get(r, "Trust_in_financial_deficit").to_owned(),
                versus: None,
                monthly: Vec::new(),
                special: BTreeMap::new(),
            })
        })
        .collect()
}

/// Values per peer group and metric: peer statistics over fewer than the configured minimum
/// are withheld from trusts' documents ("[u]").
fn values_in_group(groups: &BTreeMap<String, GroupFiles>) -> HashMap<(String, String), usize> {
    let mut values: HashMap<(String, String), usize> = HashMap::new();
    for (g, f) in groups {
        let s = &f.scores;
        for r in &s.rows {
            if !s.get(r, "Value").is_empty() && s.get(r, "Score_source").is_empty() {
                *values
                    .entry((g.clone(), s.get(r, "Metric_ID").to_owned()))
                    .or_default() += 1;
            }
        }
    }
    values
}

pub(super) fn check_trusts(
    dir: &Path,
    q: &str,
    groups: &BTreeMap<String, GroupFiles>,
    national: &NationalTables<'_>,
    m: &Methodology,
    report: &mut CheckReport,
) {
    let root = dir.join(q).join("trusts");
    let mut trusts = trusts_of(groups);
    let interval = format!(
        "{}%",
        m.statistics.peers.upper_percentile - m.statistics.peers.lower_percentile
    );
    add_monthly(&mut trusts, national, m);
    for t in &mut trusts {
        let Some(g) = national.csvs.get(&format!("league_{}", t.group)) else {
            continue;
        };
        let label = m
            .peer_group(&t.group)
            .map_or_else(|| t.group.clone(), |p| p.label.to_lowercase());
        t.versus = g
            .rows
            .iter()
            .find(|r| g.get(r, "trust_code") == t.code)
            .filter(|r| g.get(r, "versus_peer_median") != "[x]")
            .map(|r| {
                format!(
                    "Against the median average of {label}s: {} (the {interval} interval of the difference, {} to {} score points",
                    g.get(r, "versus_peer_median").to_lowercase(),
                    g.get(r, "peer_difference_from"),
                    g.get(r, "peer_difference_to"),
                )
            });
    }
    let listed: HashSet<&str> = trusts.iter().map(|t| t.code.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if !listed.contains(name.as_str()) {
                report.fail(
                    &format!("{q}/trusts/{name}"),
                    "a trust directory for no trust in the league tables".into(),
                );
            }
        }
    } else {
        if made_trust_documents(dir) {
            report.fail(&format!("{q}/trusts"), "missing".into());
        }
        return;
    }
    let names: Vec<(&str, &str)> = trusts
        .iter()
        .map(|t| (t.code.as_str(), t.name.as_str()))
        .collect();
    let peers = Peers {
        m,
        scores: scores_by_trust(groups),
        values_in_group: values_in_group(groups),
    };
    for t in &trusts {
        let letter = format!("{q}/trusts/{}/letter.pdf", t.code);
        let mut own_names = names.clone();
        match pdf::read(&dir.join(&letter)) {
            Ok(pdf::ReadPdf { pages, figures }) => {
                check_letter_charts(report, &letter, &figures, t);
                let text = pages
                    .iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                check_letter(report, &letter, &text, t, m);
                // The documents of a trust merged into another go to the successor's board
                // and name it (the letter's "To:" line, which says so): the one other trust
                // they may name.
                let successor = addressed_to(&text).filter(|(code, name)| {
                    *code != t.code && text.contains(&format!("merged into {name} on"))
                });
                if let Some((code, _)) = &successor {
                    own_names.retain(|(c, _)| c != code);
                    report.count("letters addressed to a merged trust's successor", 1);
                }
                leak_scan(report, &letter, "the letter", &text, t, &own_names);
            }
            Err(e) => report.fail(&letter, e),
        }
        let wb_file = format!("{q}/trusts/{}/board-workbook.xlsx", t.code);
        check_workbook_file(dir, &wb_file, t, &own_names, (national, &peers), report);
    }
}

/// A trust's board workbook: its sheets, and its peer league sheet cell for cell against the
/// national table.
fn check_workbook_file(
    dir: &Path,
    wb_file: &str,
    t: &Trust,
    names: &[(&str, &str)],
    (national, peers): (&NationalTables<'_>, &Peers<'_>),
    report: &mut CheckReport,
) {
    match Workbook::open(&dir.join(wb_file)) {
        Ok(mut book) => {
            check_workbook(report, wb_file, &mut book, t, names, peers);
            let id = format!("league_{}", t.group);
            if let (Some(cols), Some(csv)) = (national.dict.get(&id), national.csvs.get(&id)) {
                let forms: HashMap<String, NumberForm> =
                    cols.iter().map(|c| (c.1.clone(), c.2)).collect();
                match book.table("peer_league", &forms) {
                    Ok(mut g) => {
                        g.header = cols.iter().map(|c| c.0.clone()).collect();
                        let n = same_cells(
                            report,
                            wb_file,
                            &format!("peer league table against {id}.csv"),
                            &g,
                            csv,
                        );
                        report.count(
                            "board workbook peer league cells equal to the national table",
                            n,
                        );
                    }
                    Err(e) => report.fail(wb_file, format!("peer league table: {e}")),
                }
            }
        }
        Err(e) => report.fail(wb_file, format!("cannot be read: {e}")),
    }
}

/// The organisation on the letter's "To:" line: (code, name).
fn addressed_to(text: &str) -> Option<(String, String)> {
    const TO: &str = "To: the Chair and the Chief Executive, ";
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = &text[text.find(TO)? + TO.len()..];
    let close = rest.find(')')?;
    let open = rest[..close].rfind(" (")?;
    Some((rest[open + 2..close].to_owned(), rest[..open].to_owned()))
}

/// "June 2025" for "2025-06".
fn month_words(ym: &str) -> Option<String> {
    let (y, m) = ym.split_once('-')?;
    let m: usize = m.parse().ok()?;
    Some(format!(
        "{} {y}",
        league_model::MONTH_NAMES.get(m.checked_sub(1)?)?
    ))
}

/// "Jun 2025" for "2025-06", as the letters write a month in a table or chart.
fn month_short(ym: &str) -> Option<String> {
    month_words(ym).map(|w| {
        let (name, year) = w.split_once(' ').unwrap_or_default();
        format!("{} {year}", &name[..3.min(name.len())])
    })
}

/// A value as the letters write it to one decimal, within the rounding of one: the shown figure
/// of `v`, `v − 0.05` or `v + 0.05` (a value at a rounding boundary may print either way).
fn shown_near(v: f64, unit: &str) -> [String; 3] {
    [v - 0.05, v, v + 0.05].map(|v| {
        let v = if v.abs() < 0.05 { 0.0 } else { v };
        if unit == "%" {
            format!("{v:.1}%")
        } else {
            format!("{v:.1} {unit}")
        }
    })
}

/// The letter's chart of the monthly measures: one figure whose alternative text gives, for
/// each measure of spc_summary.csv, its latest value and month, the latest month's variation and
/// the months that spc_series.csv marks with a rule (the months the chart rings).
fn check_letter_charts(report: &mut CheckReport, file: &str, figures: &[String], t: &Trust) {
    if t.monthly.is_empty() {
        return;
    }
    let Some(alt) = figures
        .iter()
        .find(|a| a.contains("statistical process control charts"))
    else {
        report.fail(
            file,
            "has no chart of its monthly measures, which spc_summary.csv charts".to_owned(),
        );
        return;
    };
    for (id, unit, latest, month, variation) in &t.monthly {
        let Some(at) = alt.find(&format!("({id}),")) else {
            report.fail(file, format!("its chart of monthly measures has no {id}"));
            continue;
        };
        let part = &alt[at..];
        let part = part[..part.find(". ").unwrap_or(part.len())].trim_end_matches('.');
        let when = month_words(month).unwrap_or_default();
        let special: Vec<String> = t
            .special
            .get(id)
            .map(|m| m.iter().filter_map(|m| month_short(m)).collect())
            .unwrap_or_default();
        let ringed = if special.is_empty() {
            "no month in a special-cause pattern".to_owned()
        } else {
            format!("special-cause months {}", special.join(", "))
        };
        let latest_ok = shown_near(*latest, unit)
            .iter()
            .any(|v| part.contains(&format!("latest {v} in {when}")));
        let variation_ok = part.ends_with(&variation.to_lowercase());
        if latest_ok && variation_ok && part.contains(&ringed) {
            report.count(
                "letter SPC charts equal to spc_summary.csv and spc_series.csv",
                1,
            );
        } else {
            report.fail(
                file,
                format!(
                    "{id}: its chart says \"{part}\", where the tables give {latest} in {month}, {variation:?} and {ringed}"
                ),
            );
        }
    }
}

/// Each monthly measure's row in the letter's table: its latest value (to the letter's one
/// decimal) and month, and the latest month's variation, as spc_summary.csv gives them.
fn check_letter_monthly(report: &mut CheckReport, file: &str, text: &str, t: &Trust) {
    if t.monthly.is_empty() {
        return;
    }
    let Some(start) = text.find("monthly measures to ") else {
        report.fail(
            file,
            "has no table of monthly measures, which spc_summary.csv charts".to_owned(),
        );
        return;
    };
    let table = &text[start..];
    for (id, unit, latest, month, variation) in &t.monthly {
        let Some(at) = table.find(&format!("{id} ")) else {
            report.fail(
                file,
                format!("its monthly measures table has no {id}, charted in spc_summary.csv"),
            );
            continue;
        };
        // The row: from its id to the next row's id (or 400 characters).
        let row = &table[at..];
        let end = t
            .monthly
            .iter()
            .filter(|m| &m.0 != id)
            .filter_map(|m| row.find(&format!("{} ", m.0)))
            .min()
            .unwrap_or(row.len().min(400));
        let row = &row[..end];
        let short = month_short(month).unwrap_or_default();
        let value_ok = shown_near(*latest, unit)
            .iter()
            .any(|shown| row.contains(&format!("{shown} {short}")));
        // One word, as a table cell may wrap between words.
        let word = match variation.as_str() {
            "Special cause: improvement" => "Improvement",
            "Special cause: concern" => "Concern",
            _ => "Common",
        };
        if value_ok && row.contains(word) {
            report.count("letter monthly measures equal to spc_summary.csv", 1);
        } else {
            report.fail(
                file,
                format!("{id}: the letter's row does not say {latest} in {month} with {word:?}, as spc_summary.csv gives"),
            );
        }
    }
}

fn check_letter(report: &mut CheckReport, file: &str, text: &str, t: &Trust, m: &Methodology) {
    // Compared as a reader reads it: any run of white space (a no-break space too) is a space.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    check_letter_monthly(report, file, &text, t);
    // The one phrase for the segment: segment 5 named with the league order it keeps, and
    // provisional where the deficit status (or, in segment 4, the programme) is not known.
    let mut segment = if t.programme == "Yes" {
        format!(
            "Segment {}: Recovery Support Programme (league order as segment {})",
            m.segment5.segment, t.segment
        )
    } else {
        format!("Segment {}", t.segment)
    };
    // Provisional where a status that is not known could move it: the deficit status below the
    // override's cap, the programme in segment 4.
    let cap = m.financial_override.cap_segment;
    let below_cap = t.segment.parse::<u8>().is_ok_and(|s| s < cap);
    let deficit_unknown = t.deficit == "Not known" && below_cap;
    let programme_unknown = t.programme == "Not known" && t.segment == "4";
    segment.push_str(match (deficit_unknown, programme_unknown) {
        (true, true) => {
            ", provisional: deficit status and Recovery Support Programme status not known"
        }
        (true, false) => ", provisional: deficit status not known",
        (false, true) => ", provisional: Recovery Support Programme status not known",
        (false, false) if t.deficit == "Not known" => {
            " (deficit status not known; it cannot change this segment)"
        }
        (false, false) => " (",
    });
    for expected in [
        segment,
        format!("Rank {} of {} ", t.rank, t.of),
        format!("Average metric score {} ", t.average),
    ]
    .into_iter()
    .chain(t.versus.clone())
    {
        if text.contains(&expected) {
            report.count("letter figures equal to the league table", 1);
        } else {
            report.fail(
                file,
                format!(
                    "does not say {expected:?}, as {}'s league-table.csv row gives",
                    t.code
                ),
            );
        }
    }
}

/// The score rows and value rows of metric-scores.csv by (trust, metric id): the Value, and
/// the median and quartiles.
type Scores = HashMap<(String, String), [String; 4]>;

fn scores_by_trust(groups: &BTreeMap<String, GroupFiles>) -> Scores {
    let mut out = Scores::new();
    for f in groups.values() {
        let s = &f.scores;
        for r in &s.rows {
            out.insert(
                (
                    s.get(r, "Trust_code").to_owned(),
                    s.get(r, "Metric_ID").to_owned(),
                ),
                [
                    s.get(r, "Value").to_owned(),
                    s.get(r, "Median_value").to_owned(),
                    s.get(r, "Lower_quartile").to_owned(),
                    s.get(r, "Upper_quartile").to_owned(),
                ],
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn check_workbook(
    report: &mut CheckReport,
    file: &str,
    book: &mut Workbook,
    t: &Trust,
    names: &[(&str, &str)],
    peers: &Peers<'_>,
) {
    for sheet in book.sheet_names() {
        if sheet == PEER_SHEET {
            continue;
        }
        match book.sheet_text(&sheet) {
            Ok(cells) => leak_scan(
                report,
                file,
                &format!("sheet {sheet:?}"),
                &cells.join(" "),
                t,
                names,
            ),
            Err(e) => report.fail(file, format!("{sheet}: {e}")),
        }
    }
    check_summary_sheet(report, file, book, t);
    check_metrics_sheet(report, file, book, t, peers);
}

/// The summary sheet's figures against the league table.
fn check_summary_sheet(report: &mut CheckReport, file: &str, book: &mut Workbook, t: &Trust) {
    // The summary's figures are number cells: read to 2 decimal places, a figure stored as
    // text would keep its own form ("3", not "3.00") and differ.
    let figure_form: HashMap<String, NumberForm> =
        [("Figure".to_owned(), NumberForm::Decimal(2))].into();
    match book.table("summary", &figure_form) {
        Ok(g) => {
            let item = |name: &str| {
                g.rows
                    .iter()
                    .find(|r| g.get(r, "Item") == name)
                    .map(|r| g.get(r, "Figure").to_owned())
            };
            let as_figure = |s: &str| {
                s.parse::<f64>()
                    .map_or_else(|_| s.to_owned(), |v| format!("{v:.2}"))
            };
            for (name, expected) in [
                ("Segment (1 to 4)", as_figure(&t.segment)),
                ("Rank in peer group", as_figure(&t.rank)),
                ("Trusts in peer group", as_figure(&t.of.to_string())),
                ("Average metric score", as_figure(&t.average)),
            ] {
                if item(name).as_deref() == Some(expected.as_str()) {
                    report.count("board workbook figures equal to the league table", 1);
                } else {
                    report.fail(
                        file,
                        format!(
                            "summary {name:?} is {:?} but the league table gives {expected:?} (a number cell)",
                            item(name)
                        ),
                    );
                }
            }
        }
        Err(e) => report.fail(file, format!("summary: {e}")),
    }
}

/// The metrics sheet's figures against metric-scores.csv; peer statistics withheld ("[u]")
/// exactly where too few trusts have a value.
fn check_metrics_sheet(
    report: &mut CheckReport,
    file: &str,
    book: &mut Workbook,
    t: &Trust,
    peers: &Peers<'_>,
) {
    let (m, scores, values_in_group) = (peers.m, &peers.scores, &peers.values_in_group);
    let forms: HashMap<String, NumberForm> = [
        ("Value", NumberForm::Decimal(2)),
        ("Score", NumberForm::Decimal(2)),
        ("Peer median", NumberForm::Decimal(2)),
        ("Peer lower quartile", NumberForm::Decimal(2)),
        ("Peer upper quartile", NumberForm::Decimal(2)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    match book.table("metrics", &forms) {
        Ok(g) => {
            for r in &g.rows {
                let id = g.get(r, "Metric id");
                let key = |metric: &str| (t.code.clone(), metric.to_owned());
                let close = |shown: &str, csv: &str| match (num(shown), num(csv)) {
                    (Some(a), Some(b)) => (a - b).abs() <= 0.005 + 1e-9,
                    (None, None) => true,
                    _ => false,
                };
                let score = scores.get(&key(id)).map(|s| s[0].as_str()).unwrap_or("");
                let mut pairs = vec![("score", g.get(r, "Score"), score)];
                let value_row = m
                    .metric(id)
                    .and_then(|x| x.value_id.as_deref())
                    .and_then(|v| scores.get(&key(v)));
                let value_id = m.metric(id).and_then(|x| x.value_id.clone());
                let too_few = value_id.as_ref().is_some_and(|v| {
                    let n = values_in_group
                        .get(&(t.group.clone(), v.clone()))
                        .copied()
                        .unwrap_or(0);
                    n > 0 && n < m.peer_statistics.minimum_values
                });
                for col in ["Peer median", "Peer lower quartile", "Peer upper quartile"] {
                    if (g.get(r, col) == "[u]") != too_few {
                        report.fail(
                            file,
                            format!(
                                "metrics {id}: {col} {:?}, but {} trusts of the peer group have a value (peer statistics need {})",
                                g.get(r, col),
                                value_id
                                    .as_ref()
                                    .and_then(|v| values_in_group.get(&(t.group.clone(), v.clone())))
                                    .unwrap_or(&0),
                                m.peer_statistics.minimum_values
                            ),
                        );
                    }
                }
                if let Some(v) = value_row {
                    pairs.push(("value", g.get(r, "Value"), v[0].as_str()));
                }
                if let Some(v) = value_row.filter(|_| !too_few) {
                    pairs.extend([
                        ("peer median", g.get(r, "Peer median"), v[1].as_str()),
                        (
                            "peer lower quartile",
                            g.get(r, "Peer lower quartile"),
                            v[2].as_str(),
                        ),
                        (
                            "peer upper quartile",
                            g.get(r, "Peer upper quartile"),
                            v[3].as_str(),
                        ),
                    ]);
                }
                for (what, shown, csv) in pairs {
                    if close(shown, csv) {
                        report.count(
                            "board workbook metric figures equal to metric-scores.csv",
                            1,
                        );
                    } else {
                        report.fail(
                            file,
                            format!(
                                "metrics {id}: {what} {shown:?} but metric-scores.csv gives {csv:?}"
                            ),
                        );
                    }
                }
            }
        }
        Err(e) => report.fail(file, format!("metrics: {e}")),
    }
}

/// Fails for every other trust whose code (as a word) or name appears in `text`.
fn leak_scan(
    report: &mut CheckReport,
    file: &str,
    place: &str,
    text: &str,
    own: &Trust,
    names: &[(&str, &str)],
) {
    let spaced = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let words_of = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let without_own = spaced(text).replace(&spaced(&own.name), " ");
    let words: HashSet<String> = words_of(&without_own).into_iter().collect();
    let mut found = Vec::new();
    for (code, name) in names.iter().filter(|(c, _)| *c != own.code) {
        if words.contains(*code) {
            found.push(format!("code {code}"));
        }
        // A name can only be there if every word of it is; a name with no letters or digits
        // cannot be told from punctuation, so only its code is scanned for.
        let name_words = words_of(name);
        let possible = !name_words.is_empty() && name_words.iter().all(|w| words.contains(w));
        if possible && without_own.contains(&spaced(name)) {
            found.push(format!("{name:?}"));
        }
    }
    report.count("documents scanned for other trusts", 1);
    if !found.is_empty() {
        report.fail(
            file,
            format!(
                "{place} names another trust: {} (only the peer league table may)",
                found.join(", ")
            ),
        );
    }
}

/// Whether the run made trusts' documents: the manifest's `outputs_made` says so, and without
/// a manifest (or that field) they are expected.
fn made_trust_documents(dir: &Path) -> bool {
    let made = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|m| m["outputs_made"].as_array().cloned());
    made.is_none_or(|v| v.iter().any(|o| o == "trust-documents"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust() -> Trust {
        Trust {
            code: "ZZ1".into(),
            name: "Synthetic Test Trust".into(),
            group: "acute".into(),
            rank: "1".into(),
            of: 3,
            segment: "1".into(),
            average: "1.50".into(),
            programme: "No".into(),
            deficit: "No".into(),
            versus: None,
            monthly: vec![(
                "OF0013".into(),
                "%".into(),
                80.44,
                "2025-06".into(),
                "Common cause variation".into(),
            )],
            special: [("OF0013".to_owned(), vec!["2024-08".to_owned()])].into(),
        }
    }

    fn alt(body: &str) -> Vec<String> {
        vec![format!(
            "Small statistical process control charts of 1 monthly measures for Synthetic Test Trust. {body}."
        )]
    }

    const GOOD: &str = "A&E within 4 hours (OF0013), Aug 2024 to Jun 2025: latest 80.4% in June 2025, mean 76.0%, process limits 70.1% to 82.0% (trial limits); special-cause months Aug 2024; common cause variation";

    #[test]
    fn a_letter_chart_is_read_against_the_summary_and_the_series() {
        let mut r = CheckReport::default();
        check_letter_charts(&mut r, "l.pdf", &alt(GOOD), &trust());
        assert!(r.passed(), "{:?}", r.findings);
        assert_eq!(
            r.checked["letter SPC charts equal to spc_summary.csv and spc_series.csv"],
            1
        );
        for (from, to) in [
            ("latest 80.4%", "latest 81.4%"),
            (
                "special-cause months Aug 2024",
                "no month in a special-cause pattern",
            ),
            ("common cause variation", "special cause: concern"),
            ("(OF0013)", "(OF0010)"),
        ] {
            let mut r = CheckReport::default();
            check_letter_charts(&mut r, "l.pdf", &alt(&GOOD.replace(from, to)), &trust());
            assert_eq!(r.findings.len(), 1, "{to}: {:?}", r.findings);
        }
        let mut r = CheckReport::default();
        check_letter_charts(&mut r, "l.pdf", &[], &trust());
        assert!(
            r.findings[0].problem.contains("has no chart"),
            "{:?}",
            r.findings
        );
    }
}

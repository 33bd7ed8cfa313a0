//! The national pack re-derived from the peer groups' CSVs: the workbook's sheets, the
//! movement between quarters, the key findings and the PDF's table rows.

use super::*;

pub(crate) fn check_national(
    dir: &Path,
    q: &str,
    groups: &BTreeMap<String, GroupFiles>,
    m: &Methodology,
    report: &mut CheckReport,
) {
    let nat = format!("{q}/national");
    let dict_file = format!("{nat}/dictionary.json");
    let dict = match dictionary(&dir.join(&dict_file)) {
        Ok(d) => d,
        Err(e) => {
            report.fail(&dict_file, format!("cannot be read: {e}"));
            return;
        }
    };
    let xlsx_file = format!("{nat}/league-tables.xlsx");
    let mut book = match read::Workbook::open(&dir.join(&xlsx_file)) {
        Ok(b) => Some(b),
        Err(e) => {
            report.fail(&xlsx_file, format!("cannot be read: {e}"));
            None
        }
    };
    let csvs = check_tables(dir, &nat, &dict, book.as_mut(), report);
    let (mut expected_findings, pdf_rows) = check_league(q, &nat, groups, &csvs, m, report);
    if let Some(f) = statistics::check_statistics(&nat, &csvs, m, report) {
        expected_findings.push(f);
    }
    // Movement tables: every quarter's segment, segment before the override and rank equal to
    // that quarter's league-table.csv.
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("movement_")) {
        check_movement(dir, &format!("{nat}/tables/{id}.csv"), id, t, report);
    }

    check_metric_tables(&nat, groups, &csvs, report);
    // Key findings in the workbook's Cover and in the PDF.
    if let Some(book) = book.as_mut() {
        match book.sheet_text("Cover") {
            Ok(cells) => check_findings(
                report,
                &xlsx_file,
                "the key findings on the Cover",
                &cells.join(" "),
                &expected_findings,
            ),
            Err(e) => report.fail(&xlsx_file, format!("Cover: {e}")),
        }
    }
    let pdf_file = format!("{nat}/league-tables.pdf");
    match pdf::lines(&dir.join(&pdf_file)) {
        Ok(pages) => {
            let all: Vec<&String> = pages.iter().flatten().collect();
            let text = all.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" ");
            check_findings(
                report,
                &pdf_file,
                "the key findings",
                &text,
                &expected_findings,
            );
            check_pdf_rows(report, &pdf_file, &all, &pdf_rows);
        }
        Err(e) => report.fail(&pdf_file, e),
    }
    trusts::check_trusts(
        dir,
        q,
        groups,
        &trusts::NationalTables {
            dict: &dict,
            csvs: &csvs,
        },
        m,
        report,
    );
}

/// Each national table: its CSV's columns as the dictionary says, its Parquet and workbook
/// table cell for cell equal to the CSV. Returns the CSVs read, by table id.
fn check_tables(
    dir: &Path,
    nat: &str,
    dict: &Dictionary,
    mut book: Option<&mut read::Workbook>,
    report: &mut CheckReport,
) -> BTreeMap<String, Grid> {
    let xlsx_file = format!("{nat}/league-tables.xlsx");
    let mut csvs: BTreeMap<String, Grid> = BTreeMap::new();
    for (id, cols) in dict {
        let csv_file = format!("{nat}/tables/{id}.csv");
        let Some(csv) = read_csv(dir, &csv_file, report) else {
            continue;
        };
        let names: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
        if csv.header != names {
            report.fail(&csv_file, "columns differ from dictionary.json".to_owned());
            continue;
        }
        let forms: HashMap<String, NumberForm> = cols.iter().map(|c| (c.0.clone(), c.2)).collect();
        let pq_file = format!("{nat}/tables/{id}.parquet");
        match read::parquet(&dir.join(&pq_file), &forms) {
            Ok(pq) if pq.header == names => {
                let n = same_cells(report, &pq_file, "Parquet against CSV", &pq, &csv);
                report.count("cells equal in CSV and Parquet", n);
            }
            Ok(_) => report.fail(&pq_file, "columns differ from dictionary.json".to_owned()),
            Err(e) => report.fail(&pq_file, format!("cannot be read: {e}")),
        }
        if let Some(book) = book.as_deref_mut() {
            let by_header: HashMap<String, NumberForm> =
                cols.iter().map(|c| (c.1.clone(), c.2)).collect();
            match book.table(id, &by_header) {
                Ok(mut t) => {
                    let headers: Vec<String> = cols.iter().map(|c| c.1.clone()).collect();
                    if t.header != headers {
                        report.fail(
                            &xlsx_file,
                            format!("table {id}: headers differ from dictionary.json"),
                        );
                    } else {
                        t.header = names.clone();
                        let n = same_cells(
                            report,
                            &xlsx_file,
                            &format!("table {id} against {id}.csv"),
                            &t,
                            &csv,
                        );
                        report.count("cells equal in CSV and workbook", n);
                    }
                }
                Err(e) => report.fail(&xlsx_file, format!("table {id}: {e}")),
            }
        }
        csvs.insert(id.clone(), csv);
    }

    csvs
}

/// The national league tables against the NHS England-layout ones; returns the key findings
/// the tables imply and each trust's row as the PDF must print it.
fn check_league(
    q: &str,
    nat: &str,
    groups: &BTreeMap<String, GroupFiles>,
    csvs: &BTreeMap<String, Grid>,
    m: &Methodology,
    report: &mut CheckReport,
) -> (Vec<String>, BTreeMap<String, [String; 5]>) {
    let mut expected_findings = Vec::new();
    let mut pdf_rows: BTreeMap<String, [String; 5]> = BTreeMap::new();
    for (g, files) in groups {
        let id = format!("league_{g}");
        let Some(nat_t) = csvs.get(&id) else {
            report.fail(&format!("{nat}/tables/{id}.csv"), "missing".to_owned());
            continue;
        };
        let file = format!("{nat}/tables/{id}.csv");
        let l = &files.league;
        let by_code: HashMap<&str, &Vec<String>> = nat_t
            .rows
            .iter()
            .map(|r| (nat_t.get(r, "trust_code"), r))
            .collect();
        if by_code.len() != l.rows.len() || nat_t.rows.len() != l.rows.len() {
            report.fail(
                &file,
                format!(
                    "{} trusts against {} in {q}/{g}/league-table.csv",
                    nat_t.rows.len(),
                    l.rows.len()
                ),
            );
        }
        let mut counts = [0u32; 4];
        let mut finals = [0u32; 4];
        let (mut rsp, mut capped, mut not_known) = (0u32, 0u32, 0u32);
        for r in &l.rows {
            let code = l.get(r, "Trust_code");
            let ours = [
                l.get(r, "Rank").to_owned(),
                l.get(r, "Segment").to_owned(),
                l.get(r, "Segment_before_override").to_owned(),
                l.get(r, "Recovery_support_programme").to_owned(),
                num(l.get(r, "Average_score")).map_or(String::new(), |v| format!("{v:.2}")),
            ];
            if let Some(seg) = num(&ours[1]).filter(|s| (1.0..=4.0).contains(s)) {
                counts[seg as usize - 1] += 1;
                if ours[3] != "Yes" {
                    finals[seg as usize - 1] += 1;
                }
            }
            rsp += u32::from(ours[3] == "Yes");
            not_known += u32::from(ours[3] == "Not known");
            capped += u32::from(num(&ours[1]) > num(&ours[2]));
            match by_code.get(code) {
                Some(n) => {
                    let theirs = [
                        nat_t.get(n, "rank").to_owned(),
                        nat_t.get(n, "segment").to_owned(),
                        nat_t.get(n, "segment_before_override").to_owned(),
                        nat_t.get(n, "recovery_support_programme").to_owned(),
                        nat_t.get(n, "average_score").to_owned(),
                    ];
                    if theirs != ours {
                        report.fail(
                            &file,
                            format!("{code}: rank, segment, segment before override, segment 5, average {theirs:?} but league-table.csv gives {ours:?}"),
                        );
                    }
                }
                None => report.fail(&file, format!("{code} is missing")),
            }
            report.count("trusts with one rank, segment and average across files", 1);
            pdf_rows.insert(code.to_owned(), ours);
        }
        let label = l
            .rows
            .first()
            .map(|r| l.get(r, "Trust_type").to_owned())
            .unwrap_or_default();
        let s5 = m.segment5.segment;
        let programme = if not_known == 0 {
            format!("{rsp} of them in the Recovery Support Programme (segment {s5})")
        } else {
            format!(
                "{rsp} of them known to be in the Recovery Support Programme (segment {s5}) and {not_known} whose status the input does not give"
            )
        };
        // NHS England's final segment: 5 in the programme, else the league-order segment.
        let finals = if not_known == 0 {
            format!(
                " NHS England's final segments, with segment 5 for the Recovery Support Programme: {} in segment 1, {} in segment 2, {} in segment 3, {} in segment 4 and {rsp} in segment 5.",
                finals[0], finals[1], finals[2], finals[3]
            )
        } else {
            format!(
                " NHS England's final segments (segment 5 for the Recovery Support Programme) cannot be counted: the programme status of {not_known} is not known."
            )
        };
        expected_findings.push(format!(
            "{label}s ({}): {} in segment 1, {} in segment 2, {} in segment 3 and {} in segment 4; {programme}. The financial override moved {capped} to a worse segment.{finals}",
            l.rows.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
        ));
    }

    (expected_findings, pdf_rows)
}

/// Metric tables: quartiles from their own values; scores equal to metric-scores.csv.
fn check_metric_tables(
    nat: &str,
    groups: &BTreeMap<String, GroupFiles>,
    csvs: &BTreeMap<String, Grid>,
    report: &mut CheckReport,
) {
    let mut score_of: HashMap<(String, String), String> = HashMap::new();
    for files in groups.values() {
        let s = &files.scores;
        for r in &s.rows {
            if !s.get(r, "Score_source").is_empty() {
                score_of.insert(
                    (
                        s.get(r, "Trust_code").to_owned(),
                        s.get(r, "Metric_ID").to_owned(),
                    ),
                    s.get(r, "Value").to_owned(),
                );
            }
        }
    }
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("metric_")) {
        let file = format!("{nat}/tables/{id}.csv");
        let metric = id.trim_start_matches("metric_").to_uppercase();
        let mut by_group: BTreeMap<&str, Vec<&Vec<String>>> = BTreeMap::new();
        for r in &t.rows {
            by_group.entry(t.get(r, "peer_group")).or_default().push(r);
            let code = t.get(r, "trust_code").to_owned();
            let shown = num(t.get(r, "score"));
            let expected = score_of
                .get(&(code.clone(), metric.clone()))
                .and_then(|v| num(v));
            if shown.is_none()
                || expected.is_none()
                || (shown.unwrap_or(0.0) - expected.unwrap_or(0.0)).abs() > 1e-9
            {
                report.fail(
                    &file,
                    format!(
                        "{code}: score {:?} but metric-scores.csv gives {:?}",
                        t.get(r, "score"),
                        expected
                    ),
                );
            }
            report.count("metric scores equal across files", 1);
        }
        for (group, rows) in by_group {
            // A trust with no value (NHS England published its score only, or its value was
            // quarantined) shows no peer spread: the pack model's rule for a missing value.
            // Every trust with a value shows its group's spread.
            let (rows, blank): (Vec<_>, Vec<_>) = rows
                .into_iter()
                .partition(|r| num(t.get(r, "value")).is_some());
            for r in blank {
                let spread = ["peer_median", "peer_lower_quartile", "peer_upper_quartile"];
                if let Some(c) = spread.iter().find(|c| num(t.get(r, c)).is_some()) {
                    report.fail(
                        &file,
                        format!(
                            "{}: {c} shown as {:?} for a trust with no value",
                            t.get(r, "trust_code"),
                            t.get(r, c)
                        ),
                    );
                }
            }
            let values: Vec<f64> = rows.iter().filter_map(|r| num(t.get(r, "value"))).collect();
            if values.is_empty() {
                continue;
            }
            check_spread(
                report,
                &file,
                &format!("{group}s"),
                rows.iter().map(|r| {
                    [
                        t.get(r, "peer_median"),
                        t.get(r, "peer_lower_quartile"),
                        t.get(r, "peer_upper_quartile"),
                    ]
                }),
                spread(values),
            );
        }
    }
}

/// A movement table's per-quarter columns (`segment_2025_26_q1`, `before_override_…`,
/// `rank_…`) against the league table of that quarter (`2025-26-Q1/<group>/league-table.csv`).
pub(crate) fn check_movement(dir: &Path, file: &str, id: &str, t: &Grid, report: &mut CheckReport) {
    let group = id.trim_start_matches("movement_");
    const FIELDS: [&str; 3] = ["Segment", "Segment_before_override", "Rank"];
    let mut leagues: BTreeMap<String, Result<HashMap<String, [String; 3]>, String>> =
        BTreeMap::new();
    for (c, name) in t.header.iter().enumerate() {
        let (field, key) = if let Some(k) = name.strip_prefix("segment_") {
            ("Segment", k)
        } else if let Some(k) = name.strip_prefix("before_override_") {
            ("Segment_before_override", k)
        } else if let Some(k) = name.strip_prefix("rank_") {
            ("Rank", k)
        } else {
            continue;
        };
        // "2025_26_q1" names the quarter directory "2025-26-Q1".
        let Some((years, q)) = key.rsplit_once("_q") else {
            continue;
        };
        let slug = format!("{}-Q{q}", years.replace('_', "-"));
        let league = leagues.entry(slug.clone()).or_insert_with(|| {
            match read::csv(&dir.join(&slug).join(group).join("league-table.csv")) {
                Ok(g) => Ok(g
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            g.get(r, "Trust_code").to_owned(),
                            FIELDS.map(|f| g.get(r, f).to_owned()),
                        )
                    })
                    .collect()),
                // A quarter the run does not hold: the earlier release's figures, as the run
                // read them from the history store.
                Err(_) => earlier_league(dir, &slug, group),
            }
        });
        let league = match league {
            Ok(l) => l,
            Err(why) => {
                report.fail(file, format!("{name}: {why}"));
                continue;
            }
        };
        let at = FIELDS
            .iter()
            .position(|f| *f == field)
            .expect("known field");
        for r in &t.rows {
            let code = t.get(r, "trust_code");
            let shown = &r[c];
            let expected = league.get(code).map_or("", |x| x[at].as_str());
            if shown != expected {
                report.fail(
                    file,
                    format!("{code}: {name} is {shown:?} but {slug}/{group}/league-table.csv gives {expected:?}"),
                );
            }
            report.count("movement figures equal to each quarter's league table", 1);
        }
    }
}

/// An earlier quarter's league figures (segment, segment before override, rank by trust) for
/// `group`, from the history file the manifest lists for the quarter (`history_inputs`). The
/// file is found under the nearest ancestor of `dir` that holds it (the output root) and must
/// still have the SHA-256 the manifest gives.
pub(crate) fn earlier_league(
    dir: &Path,
    slug: &str,
    group: &str,
) -> Result<HashMap<String, [String; 3]>, String> {
    let none = || {
        format!(
            "no {slug}/{group}/league-table.csv, nor a history file for {slug}, to compare with"
        )
    };
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(none)?;
    let prefix = format!("history/league/quarter={slug}/");
    let entry = manifest["history_inputs"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|h| h["path"].as_str().is_some_and(|p| p.starts_with(&prefix)))
        })
        .ok_or_else(none)?;
    let rel = entry["path"].as_str().unwrap_or_default();
    if rel.split('/').any(|part| part == ".." || part.is_empty()) || rel.contains('\\') {
        return Err(format!("{rel}: not a plain path under the output root"));
    }
    let path = dir
        .ancestors()
        .map(|a| a.join(rel))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("{rel} (listed in the manifest) is not in any directory above the release")
        })?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{rel}: {e}"))?;
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if Some(hex.as_str()) != entry["sha256"].as_str() {
        return Err(format!(
            "{rel} has changed since the run read it (SHA-256 differs)"
        ));
    }
    let g = read::parquet(&path, &HashMap::new()).map_err(|e| format!("{rel}: {e}"))?;
    Ok(g.rows
        .iter()
        .filter(|r| g.get(r, "peer_group") == group)
        .map(|r| {
            (
                g.get(r, "trust_code").to_owned(),
                [
                    g.get(r, "segment").to_owned(),
                    g.get(r, "segment_before_override").to_owned(),
                    g.get(r, "rank").to_owned(),
                ],
            )
        })
        .collect())
}

/// Each expected key-finding sentence (counts from the tables) must be in `text`.
pub(crate) fn check_findings(
    report: &mut CheckReport,
    file: &str,
    what: &str,
    text: &str,
    expected: &[String],
) {
    for f in expected {
        if !text.contains(f.as_str()) {
            report.fail(
                file,
                format!("{what} do not say what the tables count: {f:?}"),
            );
        }
    }
    report.count(
        "key-finding counts equal to the tables",
        expected.len() as u64,
    );
}

/// Every trust's league row in the PDF: rank, then "from to to", code, name, segment, segment
/// before the override, segment 5, deficit, average, "from to to".
pub(crate) fn check_pdf_rows(
    report: &mut CheckReport,
    file: &str,
    lines: &[&String],
    expected: &BTreeMap<String, [String; 5]>,
) {
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(last_to) = f.iter().rposition(|w| *w == "to") else {
            continue;
        };
        if f.len() < 12 || f[2] != "to" || last_to < 10 || f[0].parse::<u32>().is_err() {
            continue;
        }
        let Some(ours) = expected.get(f[4]) else {
            continue;
        };
        *seen.entry(f[4]).or_default() += 1;
        // From the right: average, then the deficit and programme flags ("Yes", "No", or "Not
        // known", whose second word may have wrapped to the next line), then the two segments.
        let avg = last_to - 2;
        let flag = |end: usize| -> (String, usize) {
            if f[end] == "known" && end > 0 && f[end - 1] == "Not" {
                ("Not known".to_owned(), end - 1)
            } else if f[end] == "Not" {
                ("Not known".to_owned(), end)
            } else {
                (f[end].to_owned(), end)
            }
        };
        let (_, deficit_at) = flag(avg - 1);
        let (programme, programme_at) = flag(deficit_at - 1);
        let shown = [
            f[0].to_owned(),
            f[programme_at - 2].to_owned(),
            f[programme_at - 1].to_owned(),
            programme,
            f[avg].to_owned(),
        ];
        if &shown != ours {
            report.fail(
                file,
                format!(
                    "{}: rank, segment, segment before override, segment 5, average {shown:?} but league-table.csv gives {ours:?}",
                    f[4]
                ),
            );
        }
    }
    for code in expected.keys() {
        match seen.get(code.as_str()) {
            Some(1) => report.count("PDF league rows equal to the CSV", 1),
            Some(n) => report.fail(file, format!("{code}: {n} league rows")),
            None => report.fail(file, format!("{code}: no league row")),
        }
    }
}

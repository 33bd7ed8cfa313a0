//! The web edition (`site/`), read back as its readers meet it: the files on disk parsed with
//! an HTML5 parser, `league check` on them and on mutated copies, `league serve` over HTTP,
//! hostile names through a whole run, and Chromium driven by `tests/browser/site.mjs`
//! (axe-core's WCAG 2.2 A and AA rules, keyboard, no JavaScript, network log, figures through
//! the DOM against `league-table.csv` and `metric-scores.csv`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use scraper::{Html, Selector};

use crate::util::{Report, default_report, files_under, league, read_csv, root, stderr};

fn site(run: &Report) -> PathBuf {
    run.out.join("site")
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

fn page(path: &Path) -> Html {
    Html::parse_document(&std::fs::read_to_string(path).expect("page"))
}

/// The trusts with an average, by code, from the NHS England-layout league tables.
fn trusts(run: &Report) -> Vec<String> {
    let mut codes = Vec::new();
    for g in ["acute", "mh_community", "ambulance"] {
        for r in read_csv(&run.out.join(format!("2025-26-Q1/{g}/league-table.csv"))) {
            codes.push(r["Trust_code"].clone());
        }
    }
    codes.sort();
    codes
}

/// Acceptance 1 and 3: the default run writes a page for every trust with an average, a page
/// per peer group and per metric; `league check` reads them back; the site is under 15 MB and
/// no page over 300 KB.
#[test]
fn the_default_run_writes_the_whole_site_and_check_reads_it_back() {
    let run = default_report();
    let site = site(run);
    let codes = trusts(run);
    assert_eq!(codes.len(), 205, "every trust of the default data");
    for code in &codes {
        let p = site.join(format!("trusts/{code}.html"));
        let doc = page(&p);
        let h1: Vec<String> = doc.select(&sel("h1")).map(|h| h.text().collect()).collect();
        assert_eq!(h1.len(), 1, "{code}: one heading");
    }
    for g in ["acute", "mh_community", "ambulance"] {
        let doc = page(&site.join(format!("groups/{g}.html")));
        let rows = doc.select(&sel("#league tbody tr")).count();
        let csv = read_csv(&run.out.join(format!("2025-26-Q1/{g}/league-table.csv")));
        assert_eq!(rows, csv.len(), "{g}: every trust in the table");
        assert!(doc.select(&sel("#league thead th[scope=col]")).count() > 20);
        assert!(doc.select(&sel("#league caption")).next().is_some());
    }
    let metric_tables = std::fs::read_dir(run.out.join("2025-26-Q1/national/tables"))
        .expect("tables")
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("metric_") && n.ends_with(".csv")
        })
        .count();
    let metric_pages = std::fs::read_dir(site.join("metrics"))
        .expect("metrics")
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_name() != "index.html"))
        .count();
    assert_eq!(metric_pages, metric_tables, "a page per metric table");

    let o = league(&["check", run.out.to_str().expect("utf8")]);
    assert!(o.status.success(), "check: {}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    for what in [
        "site figures equal to the CSVs",
        "site links resolved",
        "site downloads equal to the release's files",
        "site pages with a content security policy",
    ] {
        assert!(said.contains(what), "{what} in\n{said}");
    }

    let mut total = 0;
    let mut largest = (0, PathBuf::new());
    for f in files_under(&site) {
        let n = std::fs::metadata(site.join(&f)).expect("size").len();
        total += n;
        if f.extension().is_some_and(|e| e == "html") && n > largest.0 {
            largest = (n, f.clone());
        }
    }
    assert!(total < 15_000_000, "the site is {total} bytes");
    assert!(
        largest.0 < 300_000,
        "{} is {} bytes",
        largest.1.display(),
        largest.0
    );
}

/// Copies the default release and runs `league check` on the copy after `mutate`.
fn check_after(mutate: impl FnOnce(&Path)) -> (bool, String) {
    let run = default_report();
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("release");
    crate::util::copy_dir(&std::fs::canonicalize(&run.out).expect("real"), &copy);
    mutate(&copy);
    let o = league(&["check", copy.to_str().expect("utf8")]);
    (o.status.success(), stderr(&o))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("page");
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Acceptance 1: a mutated figure and a broken link each fail the check, named.
#[test]
fn check_fails_on_a_changed_figure_and_on_a_broken_link() {
    let rank = read_csv(
        &default_report()
            .out
            .join("2025-26-Q1/acute/league-table.csv"),
    )
    .into_iter()
    .find(|r| r["Trust_code"] == "RHW")
    .expect("RHW")["Rank"]
        .clone();
    let wrong = (rank.parse::<u32>().expect("rank") + 1).to_string();
    let (ok, err) = check_after(|d| {
        edit(
            &d.join("site/trusts/RHW.html"),
            &format!("data-key=\"rank\">{rank}<"),
            &format!("data-key=\"rank\">{wrong}<"),
        );
    });
    assert!(!ok);
    assert!(
        err.contains("site/trusts/RHW.html")
            && err.contains(&format!("the page shows \"{wrong}\"")),
        "{err}"
    );

    let (ok, err) = check_after(|d| {
        edit(
            &d.join("site/index.html"),
            "href=\"methodology.html\"",
            "href=\"methodolgy.html\"",
        );
    });
    assert!(!ok);
    assert!(
        err.contains("site/index.html") && err.contains("site/methodolgy.html does not exist"),
        "{err}"
    );

    // A page that fetches from elsewhere fails too.
    let (ok, err) = check_after(|d| {
        edit(
            &d.join("site/data.html"),
            "href=\"assets/site.css\"",
            "href=\"https://cdn.example/site.css\"",
        );
    });
    assert!(!ok);
    assert!(err.contains("points outside the site"), "{err}");
}

/// Every text from an input is escaped: a trust named with markup and quotes shows as that
/// text on every page, and adds no element; invisible bidi controls never reach a page (the
/// input rule quarantines them).
#[test]
fn hostile_names_are_text_on_every_page() {
    let data = root().join("data/default/nof_2025_26_q1_national.csv");
    let hostile = r#"Royal <script>alert("x")</script> & 'Berkshire' </script><b>NHS</b> Trust"#;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut r = csv::Reader::from_path(&data).expect("dataset");
    let header = r.headers().expect("header").clone();
    let (name, code) = (
        header
            .iter()
            .position(|h| h == "org_name")
            .expect("org_name"),
        header
            .iter()
            .position(|h| h == "org_code")
            .expect("org_code"),
    );
    w.write_record(&header).expect("w");
    let mut bidi = 0;
    for rec in r.records() {
        let rec = rec.expect("row");
        let mut v: Vec<String> = rec.iter().map(str::to_owned).collect();
        if v[code] == "RHW" {
            v[name] = hostile.to_owned();
        } else if v[code] == "RTH" && bidi == 0 {
            // One row of another trust with a right-to-left override: quarantined.
            v[name] = "Oxford \u{202E}evil".to_owned();
            bidi += 1;
        }
        w.write_record(&v).expect("w");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("hostile.csv");
    std::fs::write(&input, w.into_inner().expect("csv")).expect("write");
    let out = dir.path().join("reports");
    let counts = root().join("data/default/monthly_counts.csv");
    let o = league(&[
        "report",
        "--replicates",
        "200",
        "--input",
        input.to_str().expect("utf8"),
        "--input",
        counts.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let release = out.join("current");
    let quarantine = std::fs::read_to_string(release.join("quarantine.csv")).expect("quarantine");
    assert!(
        quarantine.contains("U+202E"),
        "the bidi override is quarantined"
    );
    let script = sel("script");
    let mut pages = 0;
    let site = release.join("site");
    for f in files_under(&site) {
        if f.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(site.join(&f)).expect("page");
        assert!(!text.contains('\u{202E}'), "{}", f.display());
        let doc = Html::parse_document(&text);
        // Only the site's own script and the search index, never one from a name.
        for s in doc.select(&script) {
            let v = s.value();
            assert!(
                v.attr("src").is_some_and(|s| s.ends_with("assets/site.js"))
                    || v.attr("type") == Some("application/json"),
                "{}: a script element from input",
                f.display()
            );
            if v.attr("type") == Some("application/json") {
                let json: serde_json::Value =
                    serde_json::from_str(&s.text().collect::<String>()).expect("index parses");
                let names: Vec<&str> = json
                    .as_array()
                    .expect("array")
                    .iter()
                    .filter_map(|t| t["name"].as_str())
                    .collect();
                assert!(names.contains(&hostile), "the index holds the name as text");
            }
        }
        assert_eq!(doc.select(&sel("b")).count(), 0, "{}", f.display());
        pages += 1;
    }
    assert!(pages > 200);
    let rhw = page(&release.join("site/trusts/RHW.html"));
    let h1: String = rhw.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(h1, hostile, "the heading is the name, as text");
    let o = league(&["check", release.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A `league serve` child, stopped when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_league"))
        .args(["serve", dir.to_str().expect("utf8"), "--port", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("league serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address line");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("an address in {line:?}"))
        .to_owned();
    Server { child, base }
}

/// A raw HTTP/1.0 request to the server: (status, body).
fn http(base: &str, method: &str, path: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(s, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// `league serve` answers inside the site only, on loopback, read-only.
#[test]
fn serve_answers_inside_the_site_only() {
    let run = default_report();
    let server = serve(&run.root);
    assert!(server.base.starts_with("http://127.0.0.1:"));
    let (status, body) = http(&server.base, "GET", "/");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>NHS Oversight Framework league tables"));
    let (status, _) = http(&server.base, "GET", "/trusts/RHW.html");
    assert_eq!(status, 200);
    for bad in [
        "/../manifest.json",
        "/%2e%2e/manifest.json",
        "/..%2fmanifest.json",
        "/trusts/../../quarantine.csv",
    ] {
        assert_eq!(http(&server.base, "GET", bad).0, 404, "{bad}");
    }
    assert_eq!(http(&server.base, "POST", "/").0, 405);
    assert_eq!(http(&server.base, "DELETE", "/index.html").0, 405);
}

/// Whether the browser tests can run here: Chromium and the npm packages. `.ci/run` installs
/// both and sets LEAGUE_REQUIRE_BROWSER=1, so in CI a missing one fails instead of skipping.
fn browser_ready() -> bool {
    let ready = Path::new("/usr/bin/chromium").exists()
        && root()
            .join("tests/browser/node_modules/playwright-core")
            .is_dir()
        && root().join("tests/browser/node_modules/axe-core").is_dir();
    if !ready && std::env::var_os("LEAGUE_REQUIRE_BROWSER").is_some() {
        panic!("Chromium or the browser tests' npm packages are missing (see .ci/run)");
    }
    ready
}

/// Acceptance 2: the site in a real browser.
#[test]
fn in_chromium_the_site_is_accessible_keyboard_usable_and_self_contained() {
    if !browser_ready() {
        eprintln!("skipped: no Chromium or npm packages (tests/browser)");
        return;
    }
    let run = default_report();
    let server = serve(&run.root);
    let release = std::fs::canonicalize(&run.out).expect("release");
    let mut args = vec![
        root().join("tests/browser/site.mjs").display().to_string(),
        format!("{}/", server.base.trim_end_matches('/')),
        release.display().to_string(),
    ];
    // Screenshots for docs/ only when asked (LEAGUE_SITE_SCREENSHOTS=docs).
    if let Some(dir) = std::env::var_os("LEAGUE_SITE_SCREENSHOTS") {
        args.push(root().join(dir).display().to_string());
    }
    let o = Command::new("node")
        .args(&args)
        .current_dir(root().join("tests/browser"))
        .output()
        .expect("node runs");
    assert!(
        o.status.success(),
        "the browser script failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON from the script");

    // axe-core, WCAG 2.2 A and AA rule sets, on every page type.
    for (name, a) in r["axe"].as_object().expect("axe") {
        assert_eq!(
            a["violations"],
            serde_json::json!([]),
            "{name}: {}",
            a["violations"]
        );
        assert!(
            a["passes"].as_u64().expect("passes") > 10,
            "{name}: axe ran"
        );
    }
    // No request outside the site, with the script and without.
    for (name, n) in r["network"].as_object().expect("network") {
        for mode in ["script", "noScript"] {
            assert_eq!(n[mode]["outside"], serde_json::json!([]), "{name} {mode}");
            assert_eq!(
                n[mode]["csp"],
                serde_json::json!([]),
                "{name} {mode}: CSP reports"
            );
            assert!(n[mode]["requests"].as_u64().expect("requests") >= 3);
        }
    }
    // Keyboard only: every control reached by Tab, in document order, focus visible.
    for (name, k) in r["keyboard"].as_object().expect("keyboard") {
        assert_eq!(
            k["reached"], k["focusable"],
            "{name}: every control reached: {k}"
        );
        assert_eq!(k["inOrder"], true, "{name}: in order");
        assert_eq!(
            k["invisible"],
            serde_json::json!([]),
            "{name}: focus visible"
        );
    }
    // Without JavaScript: every table, chart and figure is there; no control that needs it.
    let ns = &r["noScript"];
    let acute = read_csv(&run.out.join("2025-26-Q1/acute/league-table.csv")).len();
    assert_eq!(
        ns["group"]["rows"], acute,
        "every acute trust without the script"
    );
    assert_eq!(ns["home"]["charts"], 3, "a segment chart per peer group");
    assert!(ns["trust"]["figures"].as_u64().expect("figures") > 20);
    for p in ["home", "group", "trust"] {
        assert_eq!(
            ns[p]["sortButtons"], 0,
            "{p}: no sort button without the script"
        );
        assert!(
            ns[p]["tables"].as_u64().expect("tables") >= 1,
            "{p}: tables"
        );
    }
    // With it: sorting, filtering, and search by a former name.
    let s = &r["script"];
    assert_eq!(s["ascending"]["sorted"], true);
    assert_eq!(s["ascending"]["ariaSort"], "ascending");
    assert_eq!(s["descending"], "descending");
    assert_eq!(s["filter"]["allMatch"], true, "{}", s["filter"]);
    assert!(s["filter"]["shown"].as_u64().expect("shown") > 0);
    let found: Vec<&str> = s["search"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|x| x["href"].as_str())
        .collect();
    assert!(
        found.contains(&"trusts/RNK.html"),
        "Tavistock finds RNK: {found:?}"
    );
    assert!(
        found.contains(&"trusts/G6V2S.html"),
        "and its successor North London NHS Foundation Trust: {found:?}"
    );
    // At 320 CSS pixels wide no page scrolls sideways (WCAG 1.4.10).
    for (name, width) in r["reflow"].as_object().expect("reflow") {
        assert!(
            width.as_u64().expect("width") <= 320,
            "{name} is {width} px wide at 320"
        );
    }
    // Three trust pages' figures through the DOM equal the NHS England-layout files.
    let f = &r["figures"];
    assert_eq!(f["mismatches"], serde_json::json!([]), "{f}");
    assert!(f["compared"].as_u64().expect("compared") > 60, "{f}");
}

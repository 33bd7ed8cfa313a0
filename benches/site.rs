//! Benchmark: write the whole web edition (release build).
//!
//! `cargo bench --bench site` (or `just bench-site`). Reads and scores the embedded default
//! dataset once, writes the national pack (the site copies its files), then writes `site/` five
//! times, each into a fresh directory, and prints each pass, the median, and the site's size:
//! in all, by kind, and its largest page (targets: under 1 s, under 15 MB, no page over 300 KB).

use std::path::Path;
use std::time::Instant;

mod common;

fn sizes(site: &Path) -> (u64, u64, u64, usize, (u64, String)) {
    let (mut total, mut pages, mut downloads, mut count) = (0, 0, 0, 0);
    let mut largest = (0, String::new());
    let mut stack = vec![site.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let n = e.metadata().expect("size").len();
            total += n;
            let rel = p.strip_prefix(site).expect("under").display().to_string();
            if rel.starts_with("downloads") {
                downloads += n;
            } else if rel.ends_with(".html") {
                pages += n;
                count += 1;
                if n > largest.0 {
                    largest = (n, rel);
                }
            }
        }
    }
    (total, pages, downloads, count, largest)
}

fn main() {
    let common::DefaultRun {
        methodology: m,
        publication,
        run,
    } = common::default_run();
    let packs = league_report::build_packs(&run, &m);
    let context = league_report::DocumentContext {
        publication: &publication,
        boards: &[],
        addressees: &Default::default(),
    };
    let facts = league_report::ReleaseFacts::default();
    let mut times = Vec::new();
    let mut last = None;
    for pass in 1..=5 {
        let dir = tempfile::tempdir().expect("tempdir");
        league_report::write_tables(dir.path(), &run, &m).expect("tables");
        league_report::write_national_packs(dir.path(), &packs, &publication).expect("pack");
        let start = Instant::now();
        let files =
            league_report::write_site(dir.path(), &run, &m, &packs, context, &facts).expect("site");
        let t = start.elapsed();
        println!(
            "pass {pass}: site, {} files: {:.3} s",
            files.len(),
            t.as_secs_f64()
        );
        times.push(t);
        last = Some(sizes(&dir.path().join(league_report::SITE_DIR)));
    }
    times.sort();
    println!("median of 5 passes: {:.3} s", times[2].as_secs_f64());
    let (total, pages, downloads, count, largest) = last.expect("a pass");
    println!(
        "site: {:.1} MB in all; {count} pages, {:.1} MB; downloads {:.1} MB; largest page {} ({} KB)",
        total as f64 / 1e6,
        pages as f64 / 1e6,
        downloads as f64 / 1e6,
        largest.1,
        largest.0 / 1_000
    );
}

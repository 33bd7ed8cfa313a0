//! The architecture's invariants, checked from the source and `cargo metadata` (rust-analyzer's
//! "tidy" habit): ARCHITECTURE.md lists each with the test here that holds it.
//!
//! Every check is a function from the sources (or the metadata) to its findings, so each test
//! runs it twice: on the repository, where it must find nothing, and on the repository with one
//! deliberate breach (`mutated`), where it must find exactly that breach. A check that could not
//! fail would fail its own second half.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::root;

/// One source file: its path under the repository and its text, without its unit tests.
#[derive(Debug, Clone)]
struct Source {
    path: String,
    text: String,
}

/// The production sources of one crate (`crates/<name>/src`): test modules and test-support
/// files left out, since tests may read clocks, unwrap and open files as they like.
fn sources(krate: &str) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("crates").join(krate).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("source directory") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !name.ends_with(".rs") || name == "tests.rs" || name == "test_support.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source");
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            let path = p
                .strip_prefix(root())
                .expect("under the repository")
                .display()
                .to_string();
            out.push(Source { path, text });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The library crates (everything below the command line).
const LIBRARIES: [&str; 8] = [
    "model", "fonts", "ingest", "datasets", "score", "report", "check", "records",
];

fn library_sources() -> Vec<Source> {
    LIBRARIES.iter().flat_map(|k| sources(k)).collect()
}

/// The sources with `line` appended to the file at `path`: one deliberate breach.
fn mutated(mut files: Vec<Source>, path: &str, line: &str) -> Vec<Source> {
    let f = files
        .iter_mut()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is not a source"));
    f.text.push_str(line);
    files
}

/// Lines of `files` containing any of `patterns`, as "path:line: text". A pattern that starts
/// with a letter matches only at the start of a word (`File::open(` is not `CsvFile::open(`).
fn lines_with(files: &[Source], patterns: &[&str], skip: impl Fn(&Source) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !skip(f)) {
        for (i, line) in f.text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if patterns.iter().any(|p| contains_word(code, p)) {
                found.push(format!("{}:{}: {}", f.path, i + 1, line.trim()));
            }
        }
    }
    found
}

fn contains_word(code: &str, pattern: &str) -> bool {
    let word = pattern.starts_with(|c: char| c.is_alphanumeric());
    code.match_indices(pattern).any(|(i, _)| {
        !word
            || !code[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

// ---------------------------------------------------------------------------------------------
// Which crates depend on polars.

/// The workspace members that depend on polars, from `cargo metadata`.
fn polars_users(metadata: &serde_json::Value) -> BTreeSet<String> {
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| {
            p["dependencies"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["name"] == "polars"))
        })
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

fn metadata() -> serde_json::Value {
    let o = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("metadata JSON")
}

#[test]
fn only_scoring_and_records_depend_on_polars() {
    let expected: BTreeSet<String> = ["league-records", "league-score"].map(str::to_owned).into();
    let mut m = metadata();
    assert_eq!(polars_users(&m), expected);
    // Breach: the report crate takes polars.
    let report = m["packages"]
        .as_array_mut()
        .expect("packages")
        .iter_mut()
        .find(|p| p["name"] == "league-report")
        .expect("report crate");
    report["dependencies"]
        .as_array_mut()
        .expect("dependencies")
        .push(serde_json::json!({ "name": "polars" }));
    assert!(polars_users(&m).contains("league-report"));
}

// ---------------------------------------------------------------------------------------------
// No clock or environment read below the command line.

const CLOCK_OR_ENVIRONMENT: [&str; 7] = [
    "::now()",
    "SystemTime",
    "env::var",
    "var_os(",
    "env::args",
    "env::current_dir",
    "Zoned::now",
];

fn clock_or_environment(files: &[Source]) -> Vec<String> {
    lines_with(files, &CLOCK_OR_ENVIRONMENT, |_| false)
}

#[test]
fn no_library_crate_reads_the_clock_or_the_environment() {
    let files = library_sources();
    assert_eq!(clock_or_environment(&files), Vec::<String>::new());
    let breach = mutated(
        files,
        "crates/score/src/engine.rs",
        "\nfn stamp() { let _ = std::time::SystemTime::now(); }\n",
    );
    assert_eq!(clock_or_environment(&breach).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Inputs are read only through the bounded readers.

/// Where the command line and the input crate may open a file: the bounded readers
/// (`read_bounded` and the table readers in ingest, `DataFile::read` in the command line's
/// configuration), the streaming hash, and the output root's own files (`store/`, `fsio.rs`).
const BOUNDED_READERS: [&str; 6] = [
    "crates/ingest/src/csvfile.rs",
    "crates/ingest/src/tabular.rs",
    "crates/cli/src/config/data.rs",
    "crates/cli/src/hash.rs",
    "crates/cli/src/fsio.rs",
    "crates/cli/src/store/",
];

const FILE_READS: [&str; 4] = ["fs::read(", "fs::read_to_string(", "File::open(", "stdin()"];

fn unbounded_reads(files: &[Source]) -> Vec<String> {
    lines_with(files, &FILE_READS, |f| {
        BOUNDED_READERS.iter().any(|r| f.path.starts_with(r))
            // Standard input is read once, within max_file_bytes, here.
            || f.path == "crates/cli/src/pipeline/input.rs"
    })
}

#[test]
fn inputs_are_read_only_through_the_bounded_readers() {
    let files: Vec<Source> = ["cli", "ingest"].iter().flat_map(|k| sources(k)).collect();
    assert_eq!(unbounded_reads(&files), Vec::<String>::new());
    let breach = mutated(
        files,
        "crates/cli/src/commands/report.rs",
        "\nfn slurp(p: &std::path::Path) { let _ = std::fs::read_to_string(p); }\n",
    );
    assert_eq!(unbounded_reads(&breach).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Only `store/` joins a path under the output root.

/// The output root's own names (store/mod.rs): a `.join` of one of them outside `store/` lays
/// out the output root behind the store's back.
const LAYOUT: [&str; 9] = [
    "\"releases",
    "\"current",
    "\"logs",
    "\"history",
    "\"published",
    "\"run-history.jsonl",
    "\"pre-release-access.csv",
    "\"revisions.csv",
    "\".league.lock",
];

fn layout_joins(files: &[Source]) -> Vec<String> {
    let patterns: Vec<String> = LAYOUT
        .iter()
        .flat_map(|name| [format!("join({name}"), format!("join(format!({name}")])
        .collect();
    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
    lines_with(files, &patterns, |f| {
        f.path.starts_with("crates/cli/src/store/")
    })
}

#[test]
fn only_the_store_joins_a_path_under_the_output_root() {
    let files = sources("cli");
    assert_eq!(layout_joins(&files), Vec::<String>::new());
    let breach = mutated(
        files,
        "crates/cli/src/commands/check.rs",
        "\nfn current(out: &std::path::Path) -> std::path::PathBuf { out.join(\"current\") }\n",
    );
    assert_eq!(layout_joins(&breach).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Data flows one way inside the command line.

/// The command line's layers, top first: a module may use only modules of layers below its
/// own (modules within one layer folder use each other freely, one way, as the compiler and
/// the drawing of imports show).
const CLI_LAYERS: [&[&str]; 8] = [
    &["lib"],
    &["commands"],
    &["pipeline"],
    &["records", "records_off"],
    &["store", "quality"],
    &["config"],
    &["args", "fsio", "hash", "clock", "retry", "fault", "logging"],
    &["error"],
];

/// The top-level module a file of the command line belongs to.
fn cli_module(path: &str) -> String {
    let rel = path.trim_start_matches("crates/cli/src/");
    rel.split('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".rs")
        .to_owned()
}

fn layer(module: &str) -> usize {
    CLI_LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("module {module} is in no layer of CLI_LAYERS"))
}

fn upward_uses(files: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let from = cli_module(&f.path);
        for (i, line) in f.text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for (k, _) in code.match_indices("crate::") {
                let to: String = code[k + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if to.is_empty() || to == from || to.chars().next().is_some_and(char::is_uppercase)
                {
                    continue;
                }
                if layer(&to) <= layer(&from) {
                    found.push(format!("{}:{}: {from} uses {to}", f.path, i + 1));
                }
            }
        }
    }
    found
}

#[test]
fn the_command_line_s_modules_use_only_the_layers_below_them() {
    let files = sources("cli");
    assert_eq!(upward_uses(&files), Vec::<String>::new());
    let breach = mutated(
        files,
        "crates/cli/src/store/mod.rs",
        "\nuse crate::pipeline::Session;\n",
    );
    assert_eq!(upward_uses(&breach).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// No unwrap in library crates.

fn unwraps(files: &[Source]) -> Vec<String> {
    lines_with(files, &[".unwrap()"], |_| false)
}

#[test]
fn no_library_crate_unwraps() {
    // Input-derived values are never unwrapped: a library returns a typed error instead. An
    // `expect` states an invariant the code itself establishes, with the reason.
    let files = library_sources();
    assert_eq!(unwraps(&files), Vec::<String>::new());
    let breach = mutated(
        files,
        "crates/ingest/src/limits.rs",
        "\nfn first(v: &[u8]) -> u8 { *v.first().unwrap() }\n",
    );
    assert_eq!(unwraps(&breach).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Every dependency is used.

/// The dependencies a manifest declares under `[dependencies]`, as Rust names.
fn declared(manifest: &str) -> Vec<String> {
    let table: toml::Table = toml::from_str(manifest).expect("Cargo.toml");
    table
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().map(|k| k.replace('-', "_")).collect())
        .unwrap_or_default()
}

/// Dependencies of a crate that none of its sources (library, build script, benches) names.
fn unused_dependencies(manifest: &str, texts: &[String]) -> Vec<String> {
    declared(manifest)
        .into_iter()
        .filter(|dep| {
            !texts
                .iter()
                .any(|t| t.contains(&format!("{dep}::")) || t.contains(&format!("use {dep}")))
        })
        .collect()
}

/// Every Rust file of a crate directory (all of it: tests and benches use dev-dependencies,
/// but a normal dependency named only in tests would be a dev-dependency).
fn crate_texts(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = ["src", "benches", "build.rs"]
        .iter()
        .map(|p| dir.join(p))
        .filter(|p| p.exists())
        .collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).expect("directory") {
                stack.push(e.expect("entry").path());
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&p).expect("source"));
        }
    }
    out
}

#[test]
fn every_dependency_of_every_crate_is_used() {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .map(|e| e.expect("entry").path())
        .collect();
    crates.push(root());
    let mut unused = Vec::new();
    for dir in &crates {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
        let texts = if *dir == root() {
            vec![std::fs::read_to_string(dir.join("src/main.rs")).expect("main")]
        } else {
            crate_texts(dir)
        };
        for dep in unused_dependencies(&manifest, &texts) {
            unused.push(format!("{}: {dep}", dir.display()));
        }
    }
    assert_eq!(unused, Vec::<String>::new());
    // Breach: the check crate declares a dependency it never names.
    let dir = root().join("crates/check");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .expect("manifest")
        .replace(
            "[dependencies]\n",
            "[dependencies]\ntempfile.workspace = true\n",
        );
    assert_eq!(
        unused_dependencies(&manifest, &crate_texts(&dir)),
        ["tempfile"]
    );
}

// ---------------------------------------------------------------------------------------------
// The model crate is plain types; the check never shares a renderer's code.

/// The normal (not dev) dependencies of one workspace member, by name.
fn dependencies_of(metadata: &serde_json::Value, package: &str) -> BTreeSet<String> {
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] == package)
        .flat_map(|p| p["dependencies"].as_array().cloned().unwrap_or_default())
        .filter(|d| d["kind"].is_null())
        .filter_map(|d| d["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_model_has_no_heavy_dependency_and_the_check_none_on_the_renderers() {
    let mut m = metadata();
    let model: BTreeSet<String> = ["serde", "thiserror", "toml"].map(str::to_owned).into();
    assert_eq!(dependencies_of(&m, "league-model"), model);
    assert!(!dependencies_of(&m, "league-check").contains("league-report"));
    // Breach: the check takes the report crate (and would share its mistakes).
    m["packages"]
        .as_array_mut()
        .expect("packages")
        .iter_mut()
        .find(|p| p["name"] == "league-check")
        .expect("check crate")["dependencies"]
        .as_array_mut()
        .expect("dependencies")
        .push(serde_json::json!({ "name": "league-report", "kind": null }));
    assert!(dependencies_of(&m, "league-check").contains("league-report"));
}

// ---------------------------------------------------------------------------------------------
// Functions a reader need not scroll, with few parameters.

/// The longest a production function may be, in lines from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 120;
/// The most parameters a function may take (`self` not counted); more is a struct.
const MAX_PARAMETERS: usize = 6;

/// The name of the function a (trimmed) line defines, if it defines one.
fn defined_fn(code: &str) -> Option<String> {
    let mut rest = code;
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let name: String = rest
        .strip_prefix("fn ")?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Every function of `files`: (file, line, name, lines long, parameters).
fn functions(files: &[Source]) -> Vec<(String, usize, String, usize, usize)> {
    let mut out = Vec::new();
    for f in files {
        let lines: Vec<&str> = f.text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let Some(name) = defined_fn(code) else {
                continue;
            };
            // A one-line function is one line long.
            if line.contains('{') && line.trim_end().ends_with('}') {
                continue;
            }
            // The signature runs to the line that opens the body (or ends a declaration).
            let Some(open) = (i..lines.len()).find(|&k| {
                let t = lines[k].trim_end();
                t.ends_with('{') || t.ends_with(';')
            }) else {
                continue;
            };
            if lines[open].trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            let Some(end) = (open + 1..lines.len()).find(|&k| lines[k] == close) else {
                continue;
            };
            // From the name on: `pub(crate)` has a parenthesis of its own.
            let signature = lines[i..=open].join(" ");
            let signature = signature
                .split_once(&format!("fn {name}"))
                .map_or(signature.as_str(), |(_, rest)| rest);
            out.push((
                f.path.clone(),
                i + 1,
                name,
                end - i + 1,
                parameters(signature),
            ));
        }
    }
    out
}

/// The parameters of a signature (`self` not counted): top-level commas of its argument list.
fn parameters(signature: &str) -> usize {
    let Some(start) = signature.find('(') else {
        return 0;
    };
    let (mut depth, mut parts, mut current) = (0i32, Vec::new(), String::new());
    let mut previous = ' ';
    for c in signature[start + 1..].chars() {
        let arrow = previous == '-' && c == '>';
        previous = c;
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if arrow => {}
            ']' | '}' | '>' => depth -= 1,
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && !p.ends_with("self") && !p.contains("self:"))
        .count()
}

fn long_or_wide(files: &[Source]) -> Vec<String> {
    functions(files)
        .into_iter()
        .filter(|(.., lines, params)| *lines > MAX_FUNCTION_LINES || *params > MAX_PARAMETERS)
        .map(|(path, line, name, lines, params)| {
            format!("{path}:{line}: fn {name}: {lines} lines, {params} parameters")
        })
        .collect()
}

fn all_production_sources() -> Vec<Source> {
    let mut crates: Vec<String> = LIBRARIES.iter().map(|k| (*k).to_owned()).collect();
    crates.push("cli".to_owned());
    crates.iter().flat_map(|k| sources(k)).collect()
}

#[test]
fn no_production_function_is_over_120_lines_or_takes_more_than_6_parameters() {
    let files = all_production_sources();
    let scanned = functions(&files).len();
    assert!(scanned > 500, "the scan finds the functions ({scanned})");
    assert_eq!(long_or_wide(&files), Vec::<String>::new());
    // Breach: a function of 121 lines, and one of seven parameters.
    let body = "    let _ = 1;\n".repeat(119);
    let breach = mutated(
        files,
        "crates/score/src/rules.rs",
        &format!(
            "\npub fn long() {{\n{body}}}\n\nfn wide(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {{\n}}\n"
        ),
    );
    let found = long_or_wide(&breach);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("fn long: 121 lines"), "{found:?}");
    assert!(
        found[1].contains("fn wide: 2 lines, 7 parameters"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// No `bool` parameter called with a literal: `f(x, true)` says nothing at the call; an enum
// (`Weight::Bold`) or two functions (`required`, `optional`) do.

/// The names of the functions that take a `bool` parameter.
fn takes_bool(files: &[Source]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for f in files {
        for (i, line) in f.text.lines().enumerate() {
            let Some(name) = defined_fn(line.trim_start()) else {
                continue;
            };
            let signature: String = f
                .text
                .lines()
                .skip(i)
                .take_while(|l| !l.trim_end().ends_with('{') && !l.trim_end().ends_with(';'))
                .chain(f.text.lines().skip(i).find(|l| {
                    let t = l.trim_end();
                    t.ends_with('{') || t.ends_with(';')
                }))
                .collect::<Vec<_>>()
                .join(" ");
            // The argument list: from the first `(` to its matching `)`.
            let params = signature
                .split_once(&format!("fn {name}("))
                .map_or("", |(_, p)| p);
            let mut depth = 0i32;
            let end = params
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' | '[' | '<' => depth += 1,
                        ')' if depth == 0 => return true,
                        ')' | ']' | '>' => depth -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(params.len(), |(i, _)| i);
            if params[..end]
                .split(',')
                .any(|p| p.trim().ends_with(": bool"))
            {
                names.insert(name);
            }
        }
    }
    names
}

/// Calls of those functions with a literal `true` or `false` argument.
fn bool_literal_calls(files: &[Source]) -> Vec<String> {
    let names = takes_bool(files);
    let mut found = Vec::new();
    for f in files {
        for name in &names {
            let call = format!("{name}(");
            for (at, _) in f.text.match_indices(&call) {
                let before = f.text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                let line_start = f.text[..at].rfind('\n').map_or(0, |i| i + 1);
                if f.text[line_start..at].contains("fn ") {
                    continue;
                }
                let mut depth = 0i32;
                let mut args = vec![String::new()];
                for c in f.text[at + call.len()..].chars() {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' if depth == 0 => break,
                        ')' | ']' | '}' => depth -= 1,
                        ',' if depth == 0 => {
                            args.push(String::new());
                            continue;
                        }
                        _ => {}
                    }
                    if let Some(last) = args.last_mut() {
                        last.push(c);
                    }
                }
                if args.iter().any(|a| matches!(a.trim(), "true" | "false")) {
                    let line = f.text[..at].lines().count();
                    found.push(format!("{}:{line}: {name}(…) with a bool literal", f.path));
                }
            }
        }
    }
    found
}

#[test]
fn no_bool_parameter_is_called_with_a_literal() {
    let files = all_production_sources();
    let bools = takes_bool(&files);
    assert!(
        bools.contains("yes_no"),
        "the scan finds the functions that take a bool ({bools:?})"
    );
    assert_eq!(bool_literal_calls(&files), Vec::<String>::new());
    // Breach: a call that passes `true` to a function taking a bool.
    let breach = mutated(
        files,
        "crates/report/src/table.rs",
        "\nfn flag_cell() -> Cell {\n    yes_no(true)\n}\n",
    );
    assert_eq!(bool_literal_calls(&breach).len(), 1);
}

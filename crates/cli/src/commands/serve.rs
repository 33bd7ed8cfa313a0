//! `league serve [DIR] [--port N]`: a read-only preview of a release's site on 127.0.0.1. It
//! answers GET and HEAD for files under the site directory and nothing else: a path that leaves
//! the site (`..`, an encoded slash or backslash, a symbolic link out) is refused with 404, as
//! is any other method with 405. For previewing, not for publishing.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};
use crate::store::OutputRoot;

/// Runs the server until the process is stopped.
pub(crate) fn command(dir: &Path, port: u16) -> anyhow::Result<()> {
    let root = site_root(dir)?;
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))
        .class(ExitClass::Io)?;
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("127.0.0.1:{port}"), |a| a.to_string());
    // The one line a caller (or a test) waits for: where the site is.
    println!(
        "serving {} at http://{addr}/ (Ctrl+C stops)",
        root.display()
    );
    use std::io::Write as _;
    std::io::stdout().flush().ok();
    for request in server.incoming_requests() {
        let response = answer(&root, request.method(), request.url());
        if let Err(e) = request.respond(response) {
            tracing::debug!(error = %e, "a preview request could not be answered");
        }
    }
    Ok(())
}

/// The site directory of DIR: DIR itself when it holds `index.html`, else the site of the
/// release DIR is or (for an output root) points to as current.
fn site_root(dir: &Path) -> anyhow::Result<PathBuf> {
    let root = if dir.join("index.html").is_file() {
        dir.to_path_buf()
    } else {
        OutputRoot::checked_dir(dir)?.join(league_report::SITE_DIR)
    };
    if !root.join("index.html").is_file() {
        return Err(anyhow::anyhow!(
            "{} holds no site (no index.html); run `league report` with the site output first",
            root.display()
        ))
        .class(ExitClass::BadInput);
    }
    root.canonicalize()
        .with_context(|| format!("cannot read {}", root.display()))
        .class(ExitClass::Io)
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn answer(root: &Path, method: &tiny_http::Method, url: &str) -> Response {
    let head = match method {
        tiny_http::Method::Get => false,
        tiny_http::Method::Head => true,
        _ => return plain(405, "method not allowed: this preview is read-only"),
    };
    let Some(path) = resolve(root, url) else {
        return plain(404, "not found");
    };
    match crate::fsio::read_output(&path) {
        Ok(bytes) => {
            let body = if head { Vec::new() } else { bytes };
            with_headers(tiny_http::Response::from_data(body), content_type(&path))
        }
        Err(_) => plain(404, "not found"),
    }
}

fn plain(status: u16, text: &str) -> Response {
    with_headers(
        tiny_http::Response::from_data(text.as_bytes().to_vec()),
        "text/plain; charset=utf-8",
    )
    .with_status_code(status)
}

fn with_headers(r: Response, content_type: &str) -> Response {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok();
    let mut r = r;
    for h in [
        header("Content-Type", content_type),
        header("Content-Security-Policy", league_report::site::CSP),
        header("X-Content-Type-Options", "nosniff"),
        header("Cache-Control", "no-store"),
    ]
    .into_iter()
    .flatten()
    {
        r = r.with_header(h);
    }
    r
}

/// The file a request URL names under `root`, or `None` when it names none or leaves the site.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let mut out = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => out.push(s),
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    // A symbolic link may point anywhere: the real path must still be under the root.
    let real = out.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// `%XX` escapes decoded; `None` for a malformed escape, a non-UTF-8 result or an encoded `/`
/// (which would hide a `..` segment).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            let byte = u8::from_str_radix(hex, 16).ok()?;
            if byte == b'/' {
                return None;
            }
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().expect("tempdir");
        let root = d.path().join("site");
        std::fs::create_dir_all(root.join("trusts")).expect("mkdir");
        std::fs::write(root.join("index.html"), "home").expect("write");
        std::fs::write(root.join("trusts/RHW.html"), "rhw").expect("write");
        std::fs::write(d.path().join("secret.txt"), "outside").expect("write");
        let root = root.canonicalize().expect("real");
        (d, root)
    }

    #[test]
    fn files_under_the_site_are_served_and_nothing_else() {
        let (_d, root) = site();
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(
            resolve(&root, "/trusts/RHW.html?x=1#top"),
            Some(root.join("trusts/RHW.html"))
        );
        assert_eq!(
            resolve(&root, "/trusts/%52HW.html"),
            Some(root.join("trusts/RHW.html"))
        );
        for bad in [
            "/../secret.txt",
            "/trusts/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/trusts%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/missing.html",
            "/%zz",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_site_is_refused() {
        let (d, root) = site();
        std::os::unix::fs::symlink(d.path().join("secret.txt"), root.join("link.txt"))
            .expect("symlink");
        assert_eq!(resolve(&root, "/link.txt"), None);
    }

    #[test]
    fn only_get_and_head_are_answered() {
        let (_d, root) = site();
        let r = answer(&root, &tiny_http::Method::Post, "/");
        assert_eq!(r.status_code().0, 405);
        assert_eq!(
            answer(&root, &tiny_http::Method::Get, "/").status_code().0,
            200
        );
        assert_eq!(
            answer(&root, &tiny_http::Method::Get, "/../secret.txt")
                .status_code()
                .0,
            404
        );
    }
}

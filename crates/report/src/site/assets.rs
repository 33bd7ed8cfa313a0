//! The site's static files, embedded in the binary: NHS.UK frontend's compiled stylesheet (made
//! self-contained), its icons, our few extra rules and the script that adds sorting, filtering
//! and search.

/// NHS.UK frontend 10.6.1's stylesheet as the npm package ships it.
const NHSUK_CSS: &str = include_str!("../../assets/nhsuk-frontend/nhsuk-frontend-10.6.1.min.css");
/// Its licence, written beside it.
const NHSUK_LICENSE: &str = include_str!("../../assets/nhsuk-frontend/LICENSE");

/// The icons the stylesheet refers to, by file name.
const ICONS: [(&str, &str); 4] = [
    (
        "nhsuk-icon-arrow-down.svg",
        include_str!("../../assets/nhsuk-frontend/nhsuk-icon-arrow-down.svg"),
    ),
    (
        "nhsuk-icon-arrow-up-down.svg",
        include_str!("../../assets/nhsuk-frontend/nhsuk-icon-arrow-up-down.svg"),
    ),
    (
        "nhsuk-icon-arrow-up.svg",
        include_str!("../../assets/nhsuk-frontend/nhsuk-icon-arrow-up.svg"),
    ),
    (
        "nhsuk-icon-cross.svg",
        include_str!("../../assets/nhsuk-frontend/nhsuk-icon-cross.svg"),
    ),
];

/// Our rules on top of NHS.UK's: sort buttons, scrolling table regions, charts.
const SITE_CSS: &str = include_str!("../../assets/site/site.css");
/// Sorting, filtering and search, added by progressive enhancement.
const SITE_JS: &str = include_str!("../../assets/site/site.js");

/// The stylesheet with no request outside the site: `@font-face` rules (the web font is served
/// only from assets.nhs.uk) dropped, the icons' absolute URLs made relative to the stylesheet.
pub(super) fn self_contained_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("@font-face{") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // A @font-face block holds no nested braces.
        rest = after.find('}').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out.replace("url(/assets/images/", "url(")
}

/// Every static file: (path under `site/`, bytes).
pub(super) fn files() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        (
            "assets/nhsuk-frontend.min.css".to_owned(),
            self_contained_css(NHSUK_CSS).into_bytes(),
        ),
        (
            "assets/nhsuk-frontend-LICENSE.txt".to_owned(),
            NHSUK_LICENSE.as_bytes().to_vec(),
        ),
        ("assets/site.css".to_owned(), SITE_CSS.as_bytes().to_vec()),
        ("assets/site.js".to_owned(), SITE_JS.as_bytes().to_vec()),
    ];
    for (name, svg) in ICONS {
        v.push((format!("assets/{name}"), svg.as_bytes().to_vec()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_asks_for_nothing_outside_the_site() {
        let css = self_contained_css(NHSUK_CSS);
        assert!(
            NHSUK_CSS.contains("@font-face{"),
            "the vendored file has web fonts"
        );
        assert!(!css.contains("@font-face"));
        assert!(!css.contains("http://") && !css.contains("https://"));
        assert!(!css.contains("url(/"), "no absolute URL is left");
        // Every URL left names an icon written beside the stylesheet.
        for url in css.split("url(").skip(1) {
            let name = &url[..url.find(')').expect("closed")];
            assert!(
                ICONS.iter().any(|(n, _)| *n == name),
                "{name} is not shipped"
            );
        }
        // Only the @font-face blocks went: the rest is unchanged.
        assert!(css.len() > NHSUK_CSS.len() - 2_000);
    }

    #[test]
    fn dropping_font_faces_keeps_what_is_around_them() {
        assert_eq!(
            self_contained_css("a{b:c}@font-face{x:y}d{url(/assets/images/i.svg)}"),
            "a{b:c}d{url(i.svg)}"
        );
    }
}

//! The shared look: the favicon, and the colour tokens of the stylesheet
//! (a dark theme that redefines every one of them, contrast in both themes,
//! no raw colour anywhere else). The pages themselves are checked in a real
//! browser by `crates/quire/tests/browser/pages.mjs`.

use super::site::Site;
use std::collections::BTreeMap;

/// The colour tokens of one `:root { … }` block that starts at `from`.
fn tokens(css: &str, from: usize) -> BTreeMap<String, String> {
    let open = from + css[from..].find('{').expect("a block");
    let close = open + css[open..].find('}').expect("the block's end");
    css[open + 1..close]
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.trim().split_once(':')?;
            let name = name.trim().strip_prefix("--")?;
            Some((name.to_string(), value.trim().to_string()))
        })
        .collect()
}

fn without_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("*/")
            .map_or(rest.len(), |e| start + e + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The light theme's tokens, the dark theme's, and the stylesheet with
/// both blocks taken out.
fn themes(css: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>, String) {
    let css = without_comments(css);
    let light_at = css.find(":root").expect("a :root block");
    let media = css
        .find("@media (prefers-color-scheme: dark)")
        .expect("a dark theme that follows the system setting");
    let dark_at = media + css[media..].find(":root").expect(":root in the dark theme");
    let end_of = |at: usize| at + css[at..].find('}').unwrap() + 1;
    let mut rest = css[..light_at].to_string();
    rest.push_str(&css[end_of(light_at)..media]);
    rest.push_str(&css[end_of(end_of(dark_at))..]);
    (tokens(&css, light_at), tokens(&css, dark_at), rest)
}

fn rgb(hex: &str) -> [f64; 3] {
    let h = hex.trim_start_matches('#');
    let h: String = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    assert_eq!(h.len(), 6, "#{h} is not a #rgb or #rrggbb colour");
    let c = |i: usize| f64::from(u8::from_str_radix(&h[i..i + 2], 16).unwrap()) / 255.0;
    [c(0), c(2), c(4)]
}

fn luminance(hex: &str) -> f64 {
    let lin = |v: f64| {
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb(hex);
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every `#…` colour and `rgb()`/`hsl()` call in `css`.
fn raw_colours(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in css.match_indices('#') {
        let hex: String = css[i + 1..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let next = css[i + 1 + hex.len()..].chars().next();
        if matches!(hex.len(), 3 | 4 | 6 | 8)
            && !next.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            found.push(format!("#{hex}"));
        }
    }
    for f in ["rgb(", "rgba(", "hsl(", "hsla("] {
        for (i, _) in css.match_indices(f) {
            let end = css[i..].find(')').map_or(css.len(), |e| i + e + 1);
            found.push(css[i..end].to_string());
        }
    }
    found
}

quire_testkit::both_backends! {
    async fn the_favicon_is_served_like_every_asset_and_every_page_links_it(db: Db) {
        let site = Site::start(db).await;
        let mut bodies = Vec::new();
        for path in ["/assets/favicon.svg", "/favicon.ico"] {
            let r = site.get(path).await;
            assert_eq!(r.status(), 200, "{path}");
            let h = r.headers();
            assert_eq!(h["content-type"], "image/svg+xml", "{path}");
            assert_eq!(h["cache-control"], "public, max-age=86400", "{path}");
            assert_eq!(h["content-security-policy"], quire_web::CONTENT_SECURITY_POLICY, "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            let body = r.text().await.unwrap();
            assert!(body.starts_with("<svg"), "{path} is an SVG drawing");
            for forbidden in ["<script", "<style", "style=", "href=", "<image"] {
                assert!(!body.contains(forbidden), "{path} holds {forbidden}: it must draw alone");
            }
            bodies.push(body);
        }
        assert_eq!(bodies[0], bodies[1], "one drawing at both addresses");
        site.join("icon").await;
        for path in ["/", "/login", "/register", "/people/icon", "/no/such/page"] {
            let (_, html) = site.get_text(path).await;
            assert!(
                html.contains(r#"<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">"#),
                "{path} does not link the favicon"
            );
        }
    }

    async fn the_dark_theme_redefines_every_colour_and_both_themes_keep_their_contrast(db: Db) {
        let site = Site::start(db).await;
        let (status, css) = site.get_text("/assets/quire.css").await;
        assert_eq!(status, 200);
        let (light, dark, rest) = themes(&css);
        assert!(css.contains("color-scheme: light dark"), "form controls and scrollbars follow the theme");
        let names = |t: &BTreeMap<String, String>| t.keys().cloned().collect::<Vec<_>>();
        let colours: Vec<String> = names(&light).into_iter().filter(|n| light[n].starts_with('#') || light[n].starts_with("rgb")).collect();
        for name in ["ink", "muted", "paper", "surface", "line", "chip", "field", "accent", "accent-ink", "ok", "bad", "ok-soft", "bad-soft", "star", "focus"] {
            assert!(colours.contains(&name.to_string()), "--{name} is missing from the light theme");
        }
        let missing: Vec<&String> = colours.iter().filter(|n| !dark.contains_key(*n)).collect();
        assert!(missing.is_empty(), "the dark theme leaves {missing:?} at their light values");

        // Text at 4.5:1, a control's border and the focus ring at 3:1.
        let text = [("ink", "paper"), ("ink", "surface"), ("ink", "chip"), ("ink", "ok-soft"), ("ink", "bad-soft"),
            ("muted", "paper"), ("muted", "surface"), ("muted", "chip"),
            ("accent", "paper"), ("accent", "surface"), ("accent", "chip"),
            ("ok", "paper"), ("ok", "surface"), ("ok", "ok-soft"),
            ("bad", "paper"), ("bad", "surface"), ("bad", "bad-soft"),
            ("star", "paper"), ("star", "surface"), ("star", "chip"),
            ("accent-ink", "accent")];
        let ui = [("field", "paper"), ("field", "surface"), ("focus", "paper"), ("focus", "surface")];
        let mut low = Vec::new();
        for (theme, t) in [("light", &light), ("dark", &dark)] {
            for (pairs, least) in [(&text[..], 4.5), (&ui[..], 3.0)] {
                for (fg, bg) in pairs {
                    let c = contrast(&t[*fg], &t[*bg]);
                    if c < least {
                        low.push(format!("{theme}: --{fg} on --{bg} is {c:.2}:1, under {least}:1"));
                    }
                }
            }
        }
        assert!(low.is_empty(), "{low:#?}");

        // Colours only through the tokens, so that the dark theme reaches
        // every page.
        let raw = raw_colours(&rest);
        assert!(raw.is_empty(), "raw colours in the stylesheet (web/assets/css/*.css) outside the tokens: {raw:?}");
    }
}

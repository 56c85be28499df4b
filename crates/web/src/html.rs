//! The page frame and HTML text helpers that both pages ([`crate::view`])
//! and error responses ([`crate::error`]) need. It depends on neither, so
//! modules import one way only: view → error → html.

use askama::Template;

/// What the page frame needs: who is signed in.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// The signed-in account's site role (what forms to offer).
    pub role: Option<quire_domain::SiteRole>,
    /// Leave a hole for the account links, filled for each request: the
    /// page is drawn once for every reader (see `books/cache.rs`).
    pub slotted: bool,
}

impl Layout {
    pub fn for_user(user: Option<&quire_storage::users::User>) -> Self {
        Self {
            username: user.map(|u| u.username.clone()),
            display_name: user.map(|u| u.display_name.clone()),
            role: user.map(|u| u.role),
            slotted: false,
        }
    }
}

pub fn render<T: Template>(t: &T) -> Result<String, askama::Error> {
    t.render()
}

/// Text made safe to place in HTML, in an element or an attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}

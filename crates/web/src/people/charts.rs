//! Charts drawn on the server as inline SVG: no script, no `style`
//! attribute (the CSP forbids them), colours from CSS classes in
//! `profile.css`. Every chart carries `role="img"` with a name that says
//! what it shows, and the same figures as a table beside it.

use crate::view::escape;

/// One bar: its short label (under or beside the bar), the label the
/// table shows, and its value.
pub struct Bar {
    pub label: String,
    pub value: i64,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: i64) -> Self {
        Self {
            label: label.into(),
            value,
        }
    }
}

/// A chart ready for the page: its heading, the SVG, and the table.
pub struct Chart {
    pub id: String,
    pub title: String,
    /// The accessible name: what the chart says, in one sentence.
    pub summary: String,
    pub svg: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A short form for axis and bar labels: 12.3k.
fn short(n: i64) -> String {
    if n >= 10_000 {
        format!("{}k", n / 1000)
    } else if n >= 1000 {
        format!("{:.1}k", n as f64 / 1000.0)
    } else {
        n.to_string()
    }
}

const WIDTH: i64 = 360;

/// Vertical bars, one per label (years, months, half stars), with the
/// value over each bar while there is room, and the labels thinned so they
/// never overlap.
pub fn columns(summary: &str, bars: &[Bar]) -> String {
    let height = 190;
    let (left, right, top, bottom) = (8, WIDTH - 8, 18, 160);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as i64;
    let slot = (right - left) as f64 / n as f64;
    let bar_w = (slot * 0.7).max(2.0);
    // Labels of about 4 characters need about 26 units each.
    let every = ((26.0 / slot).ceil() as usize).max(1);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        escape(summary)
    );
    svg.push_str(&format!(
        r#"<line class="chart-axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>"#
    ));
    for (i, b) in bars.iter().enumerate() {
        let x = left as f64 + slot * i as f64 + (slot - bar_w) / 2.0;
        let h = ((bottom - top) as f64 * b.value as f64 / max as f64).round();
        let y = bottom as f64 - h;
        if b.value > 0 {
            svg.push_str(&format!(
                r#"<rect class="chart-bar" x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{h:.1}" rx="2"/>"#
            ));
            if every == 1 {
                svg.push_str(&format!(
                    r#"<text class="chart-val" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
                    x + bar_w / 2.0,
                    y - 4.0,
                    short(b.value)
                ));
            }
        }
        if i % every == 0 || i + 1 == bars.len() && every == 1 {
            svg.push_str(&format!(
                r#"<text class="chart-lbl" x="{:.1}" y="{}" text-anchor="middle" font-size="11">{}</text>"#,
                x + bar_w / 2.0,
                bottom + 16,
                escape(&b.label)
            ));
        }
    }
    if every > 1 {
        // Too many bars to mark each: say the highest at the top.
        svg.push_str(&format!(
            r#"<text class="chart-lbl" x="{left}" y="11" font-size="11">highest {}</text>"#,
            short(max)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one row per label (subjects, formats, lengths, books),
/// the label at the left and the value at the bar's end.
pub fn rows(summary: &str, bars: &[Bar]) -> String {
    let row = 26;
    let height = (bars.len() as i64 * row).max(row) + 4;
    let (label_w, right) = (150, WIDTH - 34);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        escape(summary)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as i64 * row + 4;
        let w = ((right - label_w) as f64 * b.value as f64 / max as f64).max(1.0);
        let label: String = if b.label.chars().count() > 22 {
            b.label.chars().take(21).chain(['…']).collect()
        } else {
            b.label.clone()
        };
        svg.push_str(&format!(
            r#"<text class="chart-lbl" x="{}" y="{}" text-anchor="end" font-size="12">{}</text>"#,
            label_w - 6,
            y + 15,
            escape(&label)
        ));
        svg.push_str(&format!(
            r#"<rect class="chart-bar" x="{label_w}" y="{y}" width="{w:.1}" height="{}" rx="2"/>"#,
            row - 8
        ));
        svg.push_str(&format!(
            r#"<text class="chart-val" x="{:.1}" y="{}" font-size="12">{}</text>"#,
            label_w as f64 + w + 4.0,
            y + 14,
            short(b.value)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_named_and_escape_their_labels() {
        let svg = rows(
            "Subjects: <b>",
            &[Bar::new("a <script>", 3), Bar::new("b & c", 1)],
        );
        assert!(svg.contains(r#"role="img" aria-label="Subjects: &lt;b&gt;""#));
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("style="));
        let svg = columns(
            "Books per year",
            &[Bar::new("2020", 4), Bar::new("2021", 0)],
        );
        assert_eq!(svg.matches("<rect").count(), 1, "an empty year has no bar");
    }
}

//! Charts of the insight page, drawn as SVG on the server: each
//! character's presence through the book, the mood arc and the spread of
//! ratings. Each chart is decorative beside the table the page prints
//! under it (`aria-hidden` here, the table is what a screen reader reads);
//! colours come from the page's CSS classes, so both themes apply.

use crate::html::escape;
use std::fmt::Write;

/// A row of bars per character: mentions in each section, darker for more.
/// `shown` sections are drawn; the rest of the book is a plain band ("past
/// your place").
pub fn presence(rows: &[(String, Vec<u32>)], sections: usize, shown: usize) -> String {
    let label_w = 150.0;
    let width = 720.0;
    let row_h = 26.0;
    let plot_w = width - label_w - 10.0;
    let cell = plot_w / sections.max(1) as f64;
    let height = row_h * rows.len() as f64 + 24.0;
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().take(shown))
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let mut s = format!(
        r#"<svg class="chart presence" viewBox="0 0 {width} {height}" role="img" aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">"#
    );
    for (i, (name, counts)) in rows.iter().enumerate() {
        let y = i as f64 * row_h;
        let _ = write!(
            s,
            r#"<text class="chart-label" x="{x}" y="{ty}" text-anchor="end">{name}</text>"#,
            x = label_w - 8.0,
            ty = y + row_h * 0.65,
            name = escape(name)
        );
        for (j, &n) in counts.iter().enumerate().take(shown) {
            if n == 0 {
                continue;
            }
            let level = (f64::from(n) / f64::from(max)).sqrt().clamp(0.15, 1.0);
            let _ = write!(
                s,
                r#"<rect class="chart-mark" x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" opacity="{level:.2}"/>"#,
                x = label_w + j as f64 * cell,
                y = y + 4.0,
                w = (cell - 0.5).max(0.8),
                h = row_h - 8.0,
            );
        }
    }
    if shown < sections {
        let x = label_w + shown as f64 * cell;
        let _ = write!(
            s,
            r#"<rect class="chart-hidden" x="{x:.2}" y="0" width="{w:.2}" height="{h:.2}"/><text class="chart-note" x="{tx:.2}" y="{ty:.2}" text-anchor="middle">past your place</text>"#,
            w = plot_w - shown as f64 * cell,
            h = height - 24.0,
            tx = x + (plot_w - shown as f64 * cell) / 2.0,
            ty = (height - 24.0) / 2.0,
        );
    }
    let _ = write!(
        s,
        r#"<text class="chart-note" x="{label_w}" y="{y}">Start</text><text class="chart-note" x="{end}" y="{y}" text-anchor="end">End</text></svg>"#,
        y = height - 6.0,
        end = width - 10.0,
    );
    s
}

/// The mood through the book: the smoothed valence per section, as a line
/// over a zero line, up to `shown` sections.
pub fn mood(values: &[f32], sections: usize, shown: usize) -> String {
    let width = 720.0;
    let height = 180.0;
    let pad = 24.0;
    let plot_h = height - 2.0 * pad;
    let step = (width - 2.0 * pad) / (sections.max(2) - 1) as f64;
    let peak = values
        .iter()
        .take(shown)
        .map(|v| f64::from(v.abs()))
        .fold(0.05, f64::max);
    let y_of = |v: f32| pad + plot_h / 2.0 - f64::from(v) / peak * (plot_h / 2.0);
    let mut s = format!(
        r#"<svg class="chart mood" viewBox="0 0 {width} {height}" role="img" aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet"><line class="chart-axis" x1="{pad}" x2="{x2}" y1="{mid}" y2="{mid}"/><text class="chart-note" x="{pad}" y="16">brighter</text><text class="chart-note" x="{pad}" y="{low}">darker</text>"#,
        x2 = width - pad,
        mid = pad + plot_h / 2.0,
        low = height - 6.0,
    );
    let points: Vec<String> = values
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", pad + i as f64 * step, y_of(*v)))
        .collect();
    if points.len() > 1 {
        let _ = write!(
            s,
            r#"<polyline class="chart-line" points="{}"/>"#,
            points.join(" ")
        );
    }
    if shown < sections {
        let x = pad + shown.saturating_sub(1) as f64 * step;
        let _ = write!(
            s,
            r#"<rect class="chart-hidden" x="{x:.1}" y="{pad}" width="{w:.1}" height="{plot_h}"/><text class="chart-note" x="{tx:.1}" y="{ty:.1}" text-anchor="middle">past your place</text>"#,
            w = width - pad - x,
            tx = x + (width - pad - x) / 2.0,
            ty = pad + plot_h / 2.0 - 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// The spread of ratings: one bar per star, five at the top.
pub fn ratings(by_star: &[u64; 5]) -> String {
    let width = 360.0;
    let row_h = 24.0;
    let label_w = 60.0;
    let plot_w = width - label_w - 60.0;
    let max = by_star.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut s = format!(
        r#"<svg class="chart spread" viewBox="0 0 {width} {h}" role="img" aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">"#,
        h = row_h * 5.0
    );
    for (i, star) in (1..=5).rev().enumerate() {
        let n = by_star[star - 1];
        let y = i as f64 * row_h;
        let w = n as f64 / max * plot_w;
        let _ = write!(
            s,
            r#"<text class="chart-label" x="{lx}" y="{ty:.1}" text-anchor="end">{star} ★</text><rect class="chart-mark" x="{label_w}" y="{ry:.1}" width="{w:.1}" height="{rh:.1}"/><text class="chart-note" x="{nx:.1}" y="{ty:.1}">{n}</text>"#,
            lx = label_w - 8.0,
            ty = y + row_h * 0.68,
            ry = y + 4.0,
            rh = row_h - 8.0,
            nx = label_w + w + 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_hidden_sections_are_not_drawn() {
        let rows = vec![("<Ann & Bo>".to_string(), vec![3, 0, 9, 4])];
        let svg = presence(&rows, 4, 2);
        assert!(svg.contains("&lt;Ann &amp; Bo&gt;"));
        assert_eq!(svg.matches("class=\"chart-mark\"").count(), 1, "{svg}");
        assert!(svg.contains("past your place"));
        let all = presence(&rows, 4, 4);
        assert_eq!(all.matches("class=\"chart-mark\"").count(), 3);
        assert!(!all.contains("past your place"));
    }

    #[test]
    fn the_mood_line_stops_at_the_readers_place() {
        let svg = mood(&[0.1, -0.2, 0.3, 0.0], 4, 2);
        let line = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(line.split(' ').count(), 2);
    }
}

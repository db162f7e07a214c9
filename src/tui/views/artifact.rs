//! Artifact (`4`): every artifact path the chain recorded (virtualized:
//! only the visible rows are looked up), each marked `✘ broken` when a rule
//! failed on it or could not consume it, `Δ changed` when its digest
//! changes along the chain, else `✔ same`. Beside it, the selected
//! artifact's digest at each step it passed through, expected against
//! actual digests side by side (two columns where the pane is wide enough,
//! else one above the other) with the first differing character marked, and
//! its provenance path through the chain. Digests, changes, breaks and the
//! path are the graph's provenance query
//! ([`SupplyGraph::provenance`](crate::graph::SupplyGraph::provenance)).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use serde_json::Value;

use super::chain::chain;
use super::common::{draw_pane, empty, field, fit, list, short_digest};
use super::evidence::{artifact_failed, artifact_finding_lines, diff_spans, digest_lines_in};
use super::{Jump, View, ViewId};
use crate::graph::Side;
use crate::graph::query::{Observation, Provenance};
use crate::tui::chain::{Chain, first_difference};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted_fit;
use crate::tui::widgets::untrusted;
use crate::verdict::Subject;

pub struct ArtifactView;

const SIDE_BY_SIDE: u16 = 110;

fn split(body: Rect) -> (Rect, Rect) {
    if body.width >= SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        (l, d)
    } else {
        let [l, d] = Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(body);
        (l, d)
    }
}

fn current(state: &State) -> Option<(&Chain, &str)> {
    let chain = chain(state)?;
    let path = chain.artifact(state.cursor(ViewId::Artifact).selected)?;
    Some((chain, path))
}

/// The sha256 (else the first) digest of an observation.
fn main_digest(o: &Observation) -> Option<(&str, &str)> {
    o.digests
        .iter()
        .find(|(a, _)| a == "sha256")
        .or_else(|| o.digests.first())
        .map(|(a, h)| (a.as_str(), h.as_str()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Broken,
    Changed,
    Same,
}

fn status(state: &State, p: &Provenance, path: &str) -> Status {
    if p.broken() || artifact_failed(state, path) {
        Status::Broken
    } else if p.changes().next().is_some() {
        Status::Changed
    } else {
        Status::Same
    }
}

fn status_span(s: Status, theme: &Theme) -> Span<'static> {
    match s {
        Status::Broken => Span::styled("✘ broken  ", theme.fail),
        Status::Changed => Span::styled("Δ changed ", theme.warn),
        Status::Same => Span::styled("✔ same    ", theme.pass),
    }
}

impl View for ArtifactView {
    fn id(&self) -> ViewId {
        ViewId::Artifact
    }

    fn panes(&self) -> usize {
        2
    }

    fn detail_lines(&self, state: &State) -> usize {
        static THEME: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();
        let theme = THEME.get_or_init(Theme::default);
        let width = split(crate::tui::layout::body(state.size)).1.width.saturating_sub(2);
        // Counted as drawn, wrapped at the pane's width, so the last line can be scrolled to.
        current(state).map_or(0, |(c, p)| {
            Paragraph::new(detail(state, c, p, width as usize, theme))
                .wrap(Wrap { trim: false })
                .line_count(width.max(1))
        })
    }

    fn rows(&self, state: &State) -> usize {
        chain(state).map_or(0, Chain::artifact_count)
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).0.height.saturating_sub(2) as usize
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let chain = chain(state)?;
        let path = chain.artifact(row)?;
        // Enter leads to the rule that failed on it, else the last step it passed.
        let failing = chain.items.iter().find_map(|item| {
            item.rules()
                .find(|(_, r)| {
                    r.failed()
                        && (r.trace.offending.iter().any(|o| o == path)
                            || r.trace.unmatched.iter().any(|u| u.path == path))
                })
                .map(|(s, r)| Subject::Rule {
                    step: item.name.clone(),
                    section: s.section_name().to_owned(),
                    index: r.index,
                    text: r.text(),
                })
        });
        let subject = failing.or_else(|| {
            let last = chain.provenance(path).observations.pop()?;
            Some(Subject::Step { name: last.item_name })
        })?;
        Some(Jump { subject, finding: None })
    }

    fn follow(&self, state: &State, row: usize) -> Option<Subject> {
        Some(Subject::Artifact { path: chain(state)?.artifact(row)?.to_owned() })
    }

    fn accepts(&self, state: &State, subject: &Subject) -> bool {
        matches!(subject, Subject::Artifact { path } if chain(state).and_then(|c| c.artifact_row(path)).is_some())
    }

    fn reveal(&self, state: &mut State, subject: &Subject) {
        let Subject::Artifact { path } = subject else { return };
        let Some((row, len)) = chain(state).and_then(|c| Some((c.artifact_row(path)?, c.artifact_count())))
        else {
            return;
        };
        let height = self.list_height(crate::tui::layout::body(state.size));
        state.cursor_mut(ViewId::Artifact).set(row, len, height);
    }

    fn copy_value(&self, state: &State, _row: usize) -> Option<(String, String)> {
        let (chain, path) = current(state)?;
        let p = chain.provenance(path);
        let (alg, hex) = main_digest(p.observations.last()?)?;
        Some((format!("{alg} digest"), hex.to_owned()))
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let Some(chain) = chain(state) else {
            let inner = draw_pane("Artifacts".into(), true, theme, area, buf);
            empty(state, "in-toto artifacts", theme, inner, buf);
            return;
        };
        let (list_area, detail_area) = split(area);
        let title =
            format!("Artifacts {} · {} flagged", chain.artifact_count(), chain.broken_artifacts().len());
        let inner = draw_pane(title, state.pane == 0, theme, list_area, buf);
        // What the status glyphs mean, on the bottom border.
        let key = " ✔ same digest all along · Δ digest changed · ✘ a rule broke on it ";
        if list_area.height > 2 && list_area.width > 4 {
            let w = (list_area.width - 4).min(key.chars().count() as u16);
            let y = list_area.y + list_area.height - 1;
            Span::styled(key, theme.muted).render(Rect::new(list_area.x + 1, y, w, 1), buf);
        }
        let width = inner.width as usize;
        list(
            inner,
            chain.artifact_count(),
            state.cursor(ViewId::Artifact),
            state.pane == 0,
            theme,
            buf,
            |i| {
                let Some(path) = chain.artifact(i) else { return Line::default() };
                let mut spans = vec![status_span(status(state, &chain.provenance(path), path), theme)];
                spans.extend(untrusted_fit(path, width.saturating_sub(12), false, theme.base, theme));
                Line::from(spans)
            },
        );
        let inner = draw_pane("Digests and provenance".into(), state.pane == 1, theme, detail_area, buf);
        if let Some((chain, path)) = current(state) {
            Paragraph::new(detail(state, chain, path, inner.width as usize, theme))
                .wrap(Wrap { trim: false })
                .scroll((state.detail_scroll, 0))
                .render(inner, buf);
        }
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Materials => "material",
        Side::Products => "product",
    }
}

fn detail(state: &State, chain: &Chain, path: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let prov = chain.provenance(path);
    let st = status(state, &prov, path);
    let mut head = vec![Span::styled(format!("{:<9} ", "Artifact"), theme.muted)];
    head.extend(untrusted(path, theme.title, theme));
    head.push(Span::raw("  "));
    head.push(status_span(st, theme));
    let mut lines = vec![Line::from(head)];
    let obs = &prov.observations;
    lines
        .push(Line::styled(format!("Digests at each step it passed through ({})", alg_of(obs)), theme.title));
    let name_w = obs.iter().map(|o| o.item_name.chars().count()).max().unwrap_or(8).clamp(8, 20);
    let full = width >= 2 + 2 + name_w + 10 + 64 + 2;
    let mut prev: Option<&str> = None;
    for o in obs {
        let hex = main_digest(o).map(|(_, h)| h).unwrap_or_default();
        let diff = prev.and_then(|p| first_difference(p, hex));
        let (mark, style) = match (&prev, diff) {
            (None, _) => ("·", theme.muted),
            (Some(_), None) => ("=", theme.pass),
            (Some(_), Some(_)) => ("Δ", theme.warn),
        };
        let mut spans = vec![Span::styled(format!("  {mark} "), style)];
        spans.extend(untrusted_fit(&o.item_name, name_w, true, theme.base, theme));
        spans.push(Span::styled(format!(" {} ", fit(side_word(o.side), 9)), theme.muted));
        if full {
            spans.extend(diff_spans(hex, diff, theme));
        } else {
            spans.extend(untrusted(&short_digest(hex, 16), theme.base, theme));
            if let Some(at) = diff {
                spans.push(Span::styled(format!("  Δ at character {}", at + 1), theme.warn));
            }
        }
        lines.push(Line::from(spans));
        prev = Some(hex);
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Expected vs actual", theme.title));
    let before = lines.len();
    for item in &chain.items {
        for (s, r) in item.rules() {
            for u in r.trace.unmatched.iter().filter(|u| u.path == path) {
                let text = format!(
                    "{} {} ← {} of {}: {} ({})",
                    item.name,
                    s.section_name(),
                    u.dest_path,
                    u.dest_step,
                    r.text(),
                    u.reason
                );
                lines.push(field("Rule", &text, theme.fail, theme));
                let expected = u.dest_hashes.as_ref().unwrap_or(&Value::Null);
                let labels = if u.dest_path == u.path {
                    (format!("Expected: {}", u.dest_step), format!("Actual: {}", item.name))
                } else {
                    (
                        format!("Expected: {}'s {}", u.dest_step, u.dest_path),
                        format!("Actual: {}'s {}", item.name, u.path),
                    )
                };
                if let Some(columns) = side_by_side(&labels, expected, &u.hashes, width, theme) {
                    lines.extend(columns);
                    continue;
                }
                lines.push(field(
                    "Expected",
                    &format!("the {} recorded by {}", u.dest_path, u.dest_step),
                    theme.muted,
                    theme,
                ));
                lines.push(field(
                    "Actual",
                    &format!("the {} seen by {}", u.path, item.name),
                    theme.muted,
                    theme,
                ));
                lines.extend(digest_lines_in(expected, &u.hashes, width, theme));
            }
        }
    }
    // Comparisons outside the chain (the bridge's product binding).
    lines.extend(artifact_finding_lines(state, path, width, theme));
    if lines.len() == before {
        lines.push(Line::styled(
            match st {
                Status::Same => "✔ the same digest everywhere it was recorded",
                _ => "no MATCH rule compared it (changes above are steps modifying it)",
            },
            theme.muted,
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(provenance_path(&prov, theme));
    lines
}

fn alg_of(obs: &[Observation]) -> String {
    obs.first().and_then(main_digest).map_or("no digest", |(a, _)| a).to_owned()
}

/// clone ─▶ update-version (modified) ─▶ ✘ package: the items of the
/// provenance in chain order, each with what it did to the artifact.
fn provenance_path(prov: &Provenance, theme: &Theme) -> Vec<Line<'static>> {
    let mut spans = vec![Span::styled(format!("{:<9} ", "Path"), theme.muted)];
    // Observations come in chain order, an item's materials before its products.
    let items: Vec<&[Observation]> = prov.observations.chunk_by(|a, b| a.item == b.item).collect();
    for (n, seen) in items.iter().enumerate() {
        let Some(first) = seen.first() else { continue };
        if n > 0 {
            spans.push(Span::styled(" ─▶ ", theme.muted));
        }
        let broken = seen.iter().any(|o| o.broken);
        if broken {
            spans.push(Span::styled("✘ ", theme.fail));
        }
        spans.extend(untrusted(&first.item_name, if broken { theme.fail } else { theme.base }, theme));
        let digest_on =
            |side: Side| seen.iter().find(|o| o.side == side).and_then(main_digest).map(|(_, h)| h);
        let (m, p) = (digest_on(Side::Materials), digest_on(Side::Products));
        let note = match (m, p) {
            (Some(a), Some(b)) if a != b => " (modified)",
            (None, Some(_)) => " (created)",
            (Some(_), None) => " (consumed)",
            _ => "",
        };
        spans.push(Span::styled(note, theme.muted));
    }
    if items.is_empty() {
        spans.push(Span::styled("not recorded by any step", theme.muted));
    }
    vec![Line::from(spans)]
}

/// Expected and actual digests in two columns (`│` between), each digest
/// whole when the columns are wide enough, else in rows of 32 or more
/// characters, the first differing character marked in the actual column
/// with a caret below. `None` when even 32-character columns do not fit
/// (the caller stacks them instead).
pub fn side_by_side(
    labels: &(String, String),
    expected: &Value,
    actual: &Value,
    width: usize,
    theme: &Theme,
) -> Option<Vec<Line<'static>>> {
    const MIN_CHUNK: usize = 32;
    let col = width.saturating_sub(3) / 2;
    if col < MIN_CHUNK {
        return None;
    }
    let as_map = |v: &Value| -> Vec<(String, String)> {
        match v {
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (exp, act) = (as_map(expected), as_map(actual));
    if exp.is_empty() || act.is_empty() {
        return None;
    }
    let mut algs: Vec<&String> = exp.iter().map(|(k, _)| k).collect();
    algs.extend(act.iter().map(|(k, _)| k).filter(|k| !exp.iter().any(|(e, _)| e == *k)));
    let sep = || Span::styled(" │ ", theme.muted);
    let mut lines = Vec::new();
    for alg in algs {
        let e = exp.iter().find(|(k, _)| k == alg).map(|(_, v)| v.as_str()).unwrap_or("");
        let a = act.iter().find(|(k, _)| k == alg).map(|(_, v)| v.as_str()).unwrap_or("");
        let diff = first_difference(e, a);
        let mut title = vec![Span::styled(format!("{:<9} ", "Digest"), theme.muted)];
        title.extend(untrusted(alg, theme.base, theme));
        title.push(match diff {
            None => Span::styled("  ✔ match", theme.pass),
            Some(at) => Span::styled(format!("  ✘ differs at character {}", at + 1), theme.fail),
        });
        lines.push(Line::from(title));
        let mut head = untrusted_fit(&labels.0, col, true, theme.muted, theme);
        head.push(sep());
        head.extend(untrusted_fit(&labels.1, col, false, theme.muted, theme));
        lines.push(Line::from(head));
        let longest = e.chars().count().max(a.chars().count());
        let chunk = if longest <= col { longest.max(1) } else { (col / 8 * 8).max(MIN_CHUNK) };
        let (ec, ac): (Vec<char>, Vec<char>) = (e.chars().collect(), a.chars().collect());
        let rows = longest.div_ceil(chunk).max(1);
        for r in 0..rows {
            let range = r * chunk..(r + 1) * chunk;
            let piece = |v: &[char]| -> String {
                v.get(range.start.min(v.len())..range.end.min(v.len())).unwrap_or_default().iter().collect()
            };
            let mut spans = untrusted_fit(&piece(&ec), col, true, theme.base, theme);
            spans.push(sep());
            let local = diff.filter(|d| range.contains(d)).map(|d| d - range.start);
            let shown = piece(&ac);
            if shown.is_empty() && local.is_some() {
                spans.push(Span::styled("∅", theme.hash_mismatch));
            } else {
                let style_all = if diff.is_none() { theme.hash_match } else { theme.base };
                match local {
                    Some(_) => spans.extend(diff_spans(&shown, local, theme)),
                    None => spans.extend(untrusted(&shown, style_all, theme)),
                }
            }
            lines.push(Line::from(spans));
            if let Some(at) = local {
                lines.push(Line::styled(format!("{}   {}^", " ".repeat(col), " ".repeat(at)), theme.fail));
            }
        }
    }
    Some(lines)
}

//! Step (`3`): an attestation's Statement (`views/statement.rs`), else one step or inspection — the expected command against the
//! recorded one, the functionaries' links and whether they counted towards
//! the threshold k-of-n and agree (the verifier's threshold-agreement
//! finding, with both digests of each artifact they disagree on), then one list of every rule (materials, then
//! products) followed by the materials and products tables. The selected
//! rule's trace — the queue before and after, what it consumed, what it
//! failed on, and each unmatched artifact with both digests — shows beside
//! the list; `]`/`[` step from rule to rule, `m`/`p` jump to the tables
//! (only the visible rows are looked up: a 100,000-artifact link scrolls as
//! fast as a small one). Enter on an artifact opens it in the Artifact view.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use serde_json::Value;

use super::chain::{chain, selected_item, status_span};
use super::common::{command_text, draw_pane, empty, field, list, short_digest};
use super::evidence::{
    artifact_disagreement, differing, digest_lines_in, disagreements, findings_about, step_findings_lines,
};
use super::{Jump, View, ViewId, statement};
use crate::intoto::LinkStatus;
use crate::intoto::engine::{RuleOutcome, RuleResult, SectionResult};
use crate::intoto::rule::ArtifactType;
use crate::tui::action::ViewAction;
use crate::tui::chain::{Item, ItemKind, main_digest};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted_fit;
use crate::tui::widgets::untrusted;
use crate::verdict::{Finding, LinkDisagreement, Signer, Subject};

pub struct StepView;

const SIDE_BY_SIDE: u16 = 110;
/// Entries of a queue or consumed list shown before "… (N in all)".
const SHOWN: usize = 5;

fn header_height(body: Rect) -> u16 {
    if body.height >= 30 { 6 } else { 4 }
}

/// Short bodies get the compact trace (fewer, denser lines).
fn compact(body: Rect) -> bool {
    body.height < 30
}

struct Areas {
    header: Rect,
    list: Rect,
    detail: Rect,
}

fn split(body: Rect) -> Areas {
    let [header, rest] =
        Layout::vertical([Constraint::Length(header_height(body)), Constraint::Min(4)]).areas(body);
    let [list, detail] = if compact(body) && body.width < SIDE_BY_SIDE {
        // Short screens (80×24): a few list rows, the rest for the trace, so
        // a failed rule's digests show without scrolling.
        Layout::vertical([Constraint::Length(6), Constraint::Min(4)]).areas(rest)
    } else if body.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(rest)
    };
    Areas { header, list, detail }
}

/// The item shown: the selection's, else the Chain view's cursor.
pub fn current(state: &State) -> Option<(usize, &Item)> {
    let chain = chain(state)?;
    let index = state.selection.as_ref().and_then(|s| chain.find(s)).or_else(|| selected_item(state))?;
    Some((index, chain.items.get(index)?))
}

/// One row of the list.
enum Row<'a> {
    Heading(&'static str, usize),
    Rule(&'a SectionResult, &'a RuleResult),
    Artifact(ArtifactType, &'a str),
}

fn len(item: &Item) -> usize {
    3 + item.rule_count() + item.material_paths.len() + item.product_paths.len()
}

/// Where the materials and products headings are.
pub fn bounds(item: &Item) -> (usize, usize) {
    let materials = 1 + item.rule_count();
    (materials, materials + 1 + item.material_paths.len())
}

fn row(item: &Item, i: usize) -> Option<Row<'_>> {
    let rules = item.rule_count();
    let (m, p) = bounds(item);
    if i == 0 {
        Some(Row::Heading("Rules", rules))
    } else if i <= rules {
        item.rules().nth(i - 1).map(|(s, r)| Row::Rule(s, r))
    } else if i == m {
        Some(Row::Heading("Materials", item.material_paths.len()))
    } else if i < p {
        item.material_paths.get(i - m - 1).map(|p| Row::Artifact(ArtifactType::Materials, p))
    } else if i == p {
        Some(Row::Heading("Products", item.product_paths.len()))
    } else {
        item.product_paths.get(i - p - 1).map(|p| Row::Artifact(ArtifactType::Products, p))
    }
}

fn side_word(side: ArtifactType) -> &'static str {
    match side {
        ArtifactType::Materials => "material",
        ArtifactType::Products => "product",
    }
}

/// The rule's verdict as glyph and word.
fn rule_status(r: &RuleResult) -> (&'static str, String) {
    match &r.outcome {
        RuleOutcome::Ok if !r.trace.unmatched.is_empty() => ("⚠", "consumed nothing it matched".into()),
        RuleOutcome::Ok => ("✔", format!("ok, consumed {}", r.trace.consumed_count)),
        RuleOutcome::Disallowed(a) => ("✘", format!("disallowed {} artifact(s)", a.len())),
        RuleOutcome::RequireMissing(p) => ("✘", format!("required {p} is missing")),
        RuleOutcome::Malformed(e) => ("✘", format!("malformed: {e}")),
    }
}

impl View for StepView {
    fn id(&self) -> ViewId {
        ViewId::Step
    }

    fn panes(&self) -> usize {
        2
    }

    fn detail_lines(&self, state: &State) -> usize {
        if statement::of(state).is_some() {
            return 0;
        }
        static THEME: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();
        let theme = THEME.get_or_init(Theme::default);
        let body = crate::tui::layout::body(state.size);
        let width = split(body).detail.width.saturating_sub(2);
        // Counted as drawn, wrapped at the pane's width, so the last line can be scrolled to.
        current(state).map_or(0, |(_, item)| {
            Paragraph::new(detail(state, item, width as usize, compact(body), theme))
                .wrap(Wrap { trim: false })
                .line_count(width.max(1))
        })
    }

    fn rows(&self, state: &State) -> usize {
        if let Some(st) = statement::of(state) {
            return statement::len(st);
        }
        current(state).map_or(0, |(_, item)| len(item))
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).list.height.saturating_sub(2) as usize
    }

    fn drill(&self, state: &State, i: usize) -> Option<Jump> {
        if let Some(st) = statement::of(state) {
            return statement::drill(state, st, i);
        }
        let (_, item) = current(state)?;
        let path = match row(item, i)? {
            Row::Artifact(_, p) => p.to_owned(),
            Row::Rule(_, r) => r
                .trace
                .unmatched
                .first()
                .map(|u| u.path.clone())
                .or_else(|| r.trace.offending.first().cloned())?,
            Row::Heading(..) => return None,
        };
        Some(Jump { subject: Subject::Artifact { path }, finding: None })
    }

    fn accepts(&self, state: &State, subject: &Subject) -> bool {
        matches!(
            subject,
            Subject::Step { .. } | Subject::Inspection { .. } | Subject::Rule { .. } | Subject::Link { .. }
        ) && chain(state).and_then(|c| c.find(subject)).is_some()
    }

    fn reveal(&self, state: &mut State, subject: &Subject) {
        let Some((_, item)) = current(state) else { return };
        let target = match subject {
            Subject::Rule { section, index, .. } => item
                .rules()
                .position(|(s, r)| s.section_name() == section && r.index == *index)
                .map(|p| p + 1),
            _ => item.rules().position(|(_, r)| r.failed()).map(|p| p + 1),
        };
        let n = len(item);
        let height = self.list_height(crate::tui::layout::body(state.size));
        state.cursor_mut(ViewId::Step).set(target.unwrap_or(0), n, height);
    }

    fn act(&self, state: &mut State, action: ViewAction) {
        if statement::of(state).is_some() {
            return;
        }
        let Some((_, item)) = current(state) else { return };
        let at = state.cursor(ViewId::Step).selected;
        let rules = item.rule_count();
        let (m, p) = bounds(item);
        let is_rule = (1..=rules).contains(&at);
        let target = match action {
            ViewAction::NextRule if rules > 0 => Some(if is_rule && at < rules { at + 1 } else { 1 }),
            ViewAction::PrevRule if rules > 0 => Some(if is_rule && at > 1 { at - 1 } else { rules }),
            ViewAction::Materials => Some(m),
            ViewAction::Products => Some(p),
            _ => None,
        };
        let Some(target) = target else { return };
        let n = len(item);
        let height = self.list_height(crate::tui::layout::body(state.size));
        state.cursor_mut(ViewId::Step).set(target, n, height);
        state.pane = 0;
        state.detail_scroll = 0;
    }

    fn copy_value(&self, state: &State, i: usize) -> Option<(String, String)> {
        if let Some(st) = statement::of(state) {
            return statement::copy_value(st, i);
        }
        let (_, item) = current(state)?;
        match row(item, i)? {
            Row::Artifact(side, p) => {
                let (alg, hex) = main_digest(item.digest(side, p)?)?;
                Some((format!("{alg} digest"), hex.into_owned()))
            }
            Row::Rule(_, r) => {
                let actual = r.trace.unmatched.first().and_then(|u| {
                    u.hashes
                        .as_object()?
                        .iter()
                        .find_map(|(a, h)| Some((format!("{a} digest"), h.as_str()?.to_owned())))
                });
                Some(actual.unwrap_or_else(|| ("rule".to_owned(), r.text())))
            }
            Row::Heading(..) => Some((item.kind.word().to_owned(), item.name.clone())),
        }
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        if let Some(st) = statement::of(state) {
            statement::render(state, st, theme, area, buf);
            return;
        }
        let Some((_, item)) = current(state) else {
            let inner = draw_pane("Step".into(), true, theme, area, buf);
            empty(state, "in-toto steps", theme, inner, buf);
            return;
        };
        let a = split(area);
        let about = findings_about(state, item);
        let owners = state.model.as_ref().and_then(|m| m.chain.as_ref()).map(|c| &c.owners);
        let mut head = header(item, &about, owners, a.header.height as usize, theme);
        if let Some(why) = state.model.as_ref().and_then(|m| m.unverified.as_ref()) {
            // Second, under the status: whatever the step shows rests on a layout that did not verify.
            let mut spans = vec![Span::styled(format!("{:<9} ", "Layout"), theme.muted)];
            spans.push(Span::styled("⚠ unverified: ", theme.warn));
            spans.extend(untrusted(why, theme.warn, theme));
            head.insert(1.min(head.len()), Line::from(spans));
            head.truncate(a.header.height as usize);
        }
        Paragraph::new(head).wrap(Wrap { trim: true }).render(a.header, buf);
        let title = format!(
            "{} rules · {} materials · {} products",
            item.rule_count(),
            item.material_paths.len(),
            item.product_paths.len()
        );
        let inner = draw_pane(title, state.pane == 0, theme, a.list, buf);
        let cursor = state.cursor(ViewId::Step);
        let width = inner.width as usize;
        let disagreements = disagreements(&about);
        list(inner, len(item), cursor, state.pane == 0, theme, buf, |i| {
            list_row(item, i, width, &disagreements, theme)
        });
        let inner = draw_pane("Trace".into(), state.pane == 1, theme, a.detail, buf);
        Paragraph::new(detail(state, item, inner.width as usize, compact(area), theme))
            .wrap(Wrap { trim: false })
            .scroll((state.detail_scroll, 0))
            .render(inner, buf);
    }
}

/// The threshold line: k of n links counted, and whether the counted links
/// agree (python in-toto's threshold constraints), as the verifier found.
fn threshold_span(item: &Item, about: &[&Finding], theme: &Theme) -> Span<'static> {
    let counted = format!(
        "threshold {}: {} of {} functionaries' links counted",
        item.threshold,
        item.verified.len(),
        item.pubkeys.len()
    );
    let short = (item.verified.len() as i64) < item.threshold;
    let disagree: usize = disagreements(about).iter().map(|d| d.artifacts_count).sum();
    match (short, disagree) {
        (true, _) => Span::styled(format!("  ✘ {counted}"), theme.fail),
        (false, 0) => Span::styled(format!("  ✔ {counted}"), theme.pass),
        // Short, so that it fits at 80 columns beside the step's name.
        (false, n) => Span::styled(
            format!(
                "  ✘ threshold {}: {} links, which disagree on {n} artifact(s)",
                item.threshold,
                item.verified.len()
            ),
            theme.fail,
        ),
    }
}

fn header(
    item: &Item,
    about: &[&Finding],
    owners: Option<&crate::verdict::Owners>,
    height: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut head =
        vec![status_span(item.status, theme), Span::styled(format!("{} ", item.kind.word()), theme.muted)];
    head.extend(untrusted(&item.display_name(), theme.title, theme));
    match item.kind {
        ItemKind::Step => head.push(threshold_span(item, about, theme)),
        ItemKind::Inspection => {
            if let Some(ran) = &item.ran {
                head.push(Span::styled(format!("  {ran}"), theme.muted));
            }
        }
    }
    let expected = command_text(&item.command);
    let mut lines = vec![Line::from(head)];
    let label = if item.kind == ItemKind::Inspection { "Runs" } else { "Expected" };
    lines.push(field(label, &expected, theme.base, theme));
    if item.kind == ItemKind::Step {
        let recorded = item.recorded_command().map(|c| command_text(c));
        let mut spans = vec![Span::styled(format!("{:<9} ", "Recorded"), theme.muted)];
        match &recorded {
            Some(r) => {
                spans.extend(untrusted(r, theme.base, theme));
                let (w, style) =
                    if *r == expected { ("  ✔ same", theme.pass) } else { ("  ⚠ differs", theme.warn) };
                spans.push(Span::styled(w, style));
            }
            None => spans.push(Span::styled("– no link recorded a command", theme.muted)),
        }
        lines.push(Line::from(spans));
    }
    if let Some(why) = &item.not_evaluated {
        lines.push(field("Rules", &format!("not evaluated: {why}"), theme.warn, theme));
    }
    for link in &item.links {
        if lines.len() >= height {
            break;
        }
        let (g, word, style) = match &link.status {
            LinkStatus::Verified => ("✔", "counted".to_owned(), theme.pass),
            LinkStatus::Missing => ("✘", "missing".to_owned(), theme.fail),
            LinkStatus::Unauthorized => ("✘", "no layout key".to_owned(), theme.fail),
            LinkStatus::BadSignature(e) => ("✘", format!("bad signature: {e}"), theme.fail),
            LinkStatus::Malformed(e) => ("✘", format!("malformed: {e}"), theme.fail),
        };
        let mut used = if item.used_link.as_deref() == Some(link.keyid.as_str()) {
            " · used by the rules".to_owned()
        } else {
            String::new()
        };
        for d in disagreements(about) {
            let this = |s: &crate::verdict::DigestSource| matches!(&s.signed_by, Some(Signer::Key { keyid }) if *keyid == link.keyid);
            if this(&d.expected) {
                used.push_str(" · expected (first link)");
            } else if this(&d.actual) {
                used.push_str(" · ✘ disagrees with the first link");
            }
        }
        let mut spans = vec![
            Span::styled(format!("{:<9} ", "Link"), theme.muted),
            Span::styled(format!("{g} {word} "), style),
        ];
        spans.push(Span::styled(format!("key {} ", short_digest(&link.keyid, 8)), theme.muted));
        if let Some(name) = owners.and_then(|o| o.get(&link.keyid)) {
            spans.extend(untrusted(name, theme.base, theme));
            spans.push(Span::raw(" "));
        }
        let file = std::path::Path::new(&link.path).file_name().map(|f| f.to_string_lossy().into_owned());
        spans.extend(untrusted(&file.unwrap_or_else(|| link.path.clone()), theme.base, theme));
        spans.push(Span::styled(used, theme.muted));
        lines.push(Line::from(spans));
    }
    lines.truncate(height);
    lines
}

fn list_row(
    item: &Item,
    i: usize,
    width: usize,
    disagreements: &[&LinkDisagreement],
    theme: &Theme,
) -> Line<'static> {
    match row(item, i) {
        Some(Row::Heading(h, n)) => Line::from(Span::styled(format!("── {h} ({n})"), theme.title)),
        Some(Row::Rule(s, r)) => {
            let (g, _) = rule_status(r);
            let style = match g {
                "✔" => theme.pass,
                "⚠" => theme.warn,
                _ => theme.fail,
            };
            let side = if s.side == ArtifactType::Materials { "m" } else { "p" };
            let mut spans =
                vec![Span::styled(format!("{g} "), style), Span::styled(format!("{side} "), theme.muted)];
            spans.extend(untrusted_fit(&r.text(), width.saturating_sub(6), false, theme.base, theme));
            Line::from(spans)
        }
        Some(Row::Artifact(side, path)) => {
            let digest = item
                .digest(side, path)
                .and_then(main_digest)
                .map(|(_, h)| short_digest(&h, 12))
                .unwrap_or_default();
            let differs = differing(disagreements, side, path).is_some();
            let path_w = width.saturating_sub(if differs { 19 } else { 17 }).max(8);
            let mut spans = if differs { vec![Span::styled("✘ ", theme.fail)] } else { Vec::new() };
            spans.extend(untrusted_fit(path, path_w, true, theme.base, theme));
            spans.push(Span::styled(format!(" {digest}"), theme.muted));
            Line::from(spans)
        }
        None => Line::default(),
    }
}

fn list_text(items: &[String], total: usize) -> String {
    let mut s = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if total > SHOWN.min(items.len()) {
        s.push_str(&format!(", … ({total} in all)"));
    }
    if total == 0 {
        s = "nothing".to_owned();
    }
    s
}

fn detail(state: &State, item: &Item, width: usize, compact: bool, theme: &Theme) -> Vec<Line<'static>> {
    let about = findings_about(state, item);
    match row(item, state.cursor(ViewId::Step).selected) {
        Some(Row::Rule(s, r)) => rule_lines(s, r, width, compact, theme),
        Some(Row::Artifact(side, path)) => {
            let mut lines = artifact_lines(item, side, path, theme);
            if let Some((d, a)) = differing(&disagreements(&about), side, path) {
                lines.extend(artifact_disagreement(d, a, width, theme));
            }
            lines
        }
        Some(Row::Heading(..)) | None => {
            let mut lines = step_findings_lines(&about, width, theme);
            if let Some(out) = chain(state).and_then(|c| c.inspection_output(item)) {
                lines.extend(output_lines(out, theme));
            }
            lines.push(Line::styled(
                "Select a rule to see its trace (]/[ step through the rules),",
                theme.muted,
            ));
            lines.push(Line::styled(
                "or an artifact to see its digest (Enter opens it in Artifact).",
                theme.muted,
            ));
            lines
        }
    }
}

/// Lines of one stream of an inspection's output shown before "… N more".
const OUTPUT_LINES: usize = 40;

/// What an inspection printed (bounded when captured, bounded again here,
/// every line through the sanitizer).
fn output_lines(out: &crate::tui::chain::InspectionOutput, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let total = text.lines().count();
        if total == 0 {
            lines.push(Line::styled(format!("Output ({name}): nothing"), theme.muted));
            continue;
        }
        lines.push(Line::styled(format!("Output ({name}, {total} line(s))"), theme.title));
        for l in text.lines().take(OUTPUT_LINES) {
            let mut spans = vec![Span::styled("  ", theme.muted)];
            spans.extend(untrusted(l, theme.base, theme));
            lines.push(Line::from(spans));
        }
        if total > OUTPUT_LINES {
            lines.push(Line::styled(format!("  … {} more line(s)", total - OUTPUT_LINES), theme.muted));
        }
    }
    lines
}

/// A rule and its trace; `compact` puts the rule and its outcome on one
/// line and the queue before, consumed and after on another.
pub fn rule_lines(
    s: &SectionResult,
    r: &RuleResult,
    width: usize,
    compact: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let (g, word) = rule_status(r);
    let style = match g {
        "✔" => theme.pass,
        "⚠" => theme.warn,
        _ => theme.fail,
    };
    let mut head = vec![Span::styled(format!("{:<9} ", "Rule"), theme.muted)];
    head.extend(untrusted(&r.text(), theme.title, theme));
    head.push(Span::styled(format!("  {}[{}]", s.section_name(), r.index), theme.muted));
    let t = &r.trace;
    let mut lines = if compact {
        head.push(Span::styled(format!("  {g} {word}"), style));
        let queue = format!(
            "{} before → {} consumed → {} after: {}",
            t.queue_before_count,
            t.consumed_count,
            t.queue_after_count,
            list_text(&t.queue_after, t.queue_after_count)
        );
        vec![Line::from(head), field("Queue", &queue, theme.base, theme)]
    } else {
        vec![
            Line::from(head),
            Line::from(vec![
                Span::styled(format!("{:<9} ", "Outcome"), theme.muted),
                Span::styled(format!("{g} {word}"), style),
            ]),
            field(
                "Before",
                &format!(
                    "{} queued: {}",
                    t.queue_before_count,
                    list_text(&t.queue_before, t.queue_before_count)
                ),
                theme.base,
                theme,
            ),
            field(
                "Consumed",
                &format!("{}: {}", t.consumed_count, list_text(&t.consumed, t.consumed_count)),
                theme.base,
                theme,
            ),
            field(
                "After",
                &format!(
                    "{} queued: {}",
                    t.queue_after_count,
                    list_text(&t.queue_after, t.queue_after_count)
                ),
                theme.base,
                theme,
            ),
        ]
    };
    if !t.offending.is_empty() {
        lines.push(field("Offending", &list_text(&t.offending, t.offending.len()), theme.fail, theme));
    }
    // A DISALLOW fails on what earlier MATCH rules left in the queue: show
    // their unmatched artifacts with both digests too.
    let earlier = s.rules.iter().take_while(|x| x.index != r.index).flat_map(|x| x.trace.unmatched.iter());
    let inherited: Vec<_> = earlier.filter(|u| t.offending.contains(&u.path)).collect();
    for u in t.unmatched.iter().chain(inherited) {
        let dest = if u.dest_path == u.path { String::new() } else { format!(" {}", u.dest_path) };
        let text = format!("{} vs {}'s{dest} ({})", u.path, u.dest_step, u.reason);
        lines.push(field("Unmatched", &text, theme.fail, theme));
        lines.extend(digest_lines_in(
            u.dest_hashes.as_ref().unwrap_or(&Value::Null),
            &u.hashes,
            width,
            theme,
        ));
    }
    lines
}

fn artifact_lines(item: &Item, side: ArtifactType, path: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("Artifact", path, theme.title, theme),
        field("Recorded", &format!("as a {} of {}", side_word(side), item.name), theme.base, theme),
    ];
    if let Some(d) = item.digest(side, path) {
        for (alg, hex) in d.iter() {
            lines.push(field(alg, &hex, theme.hash_match, theme));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9} ", ""), theme.muted),
        Span::styled("Enter", theme.key),
        Span::styled(" opens it in Artifact: its digest at every step, provenance", theme.muted),
    ]));
    lines
}

//! Chain (`2`): the layout's steps and inspections as a lane list — one row
//! each, in layout order, with status (glyph and word), artifact counts and
//! the items it takes artifacts from (a broken flow marked `✘`); only the
//! visible rows are drawn, so it scales to any number of items. Beside it,
//! for small layouts, the graph's layered drawing of the artifact flows
//! (MATCH rules), broken flows drawn dashed with `✘`; `z` narrows it to the
//! selected item's neighbourhood (always so beyond [`GRAPH_MAX`] items).
//! `f` (failures only) keeps the items that failed or take a broken flow,
//! and only the broken flows. Enter opens the selected item in the Step
//! view. Everything shown is read from the chain's
//! [`SupplyGraph`](crate::graph::SupplyGraph).

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::common::{draw_pane, empty, fit, list};
use super::{Jump, View, ViewId};
use crate::graph::draw::{DOWN, Grid, GridCell, GridEdge, GridNode, LEFT, Orientation, RIGHT, UP, route};
use crate::tui::action::ViewAction;
use crate::tui::chain::{Chain, Item, ItemStatus};
use crate::tui::session::UnitStatus;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::status::unit_status;
use crate::tui::widgets::text::untrusted_fit;
use crate::verdict::Subject;

pub struct ChainView;

/// Beyond this many items the graph shows only a neighbourhood.
pub const GRAPH_MAX: usize = 40;
const SIDE_BY_SIDE: u16 = 110;

pub fn chain(state: &State) -> Option<&Chain> {
    state.model.as_ref().and_then(|m| m.chain.as_deref())
}

/// How many rows the list has: every item, or under `f` the failing ones.
fn row_count(state: &State, chain: &Chain) -> usize {
    if state.filters.failures_only { chain.failing().len() } else { chain.items.len() }
}

/// The item (index into [`Chain::items`]) shown at `row`.
pub fn item_at(state: &State, chain: &Chain, row: usize) -> Option<usize> {
    if state.filters.failures_only {
        chain.failing().get(row).copied()
    } else {
        (row < chain.items.len()).then_some(row)
    }
}

/// The item under the Chain view's cursor.
pub fn selected_item(state: &State) -> Option<usize> {
    item_at(state, chain(state)?, state.cursor(ViewId::Chain).selected)
}

fn row_item<'a>(state: &State, chain: &'a Chain, row: usize) -> Option<&'a Item> {
    chain.items.get(item_at(state, chain, row)?)
}

fn split(body: Rect) -> (Rect, Rect) {
    if body.width >= SIDE_BY_SIDE {
        let [l, g] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        (l, g)
    } else {
        let [l, g] = Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
        (l, g)
    }
}

pub fn status_style(status: ItemStatus, theme: &Theme) -> Style {
    match status {
        ItemStatus::Pass => theme.pass,
        ItemStatus::Warn => theme.warn,
        ItemStatus::Skipped => theme.muted,
        ItemStatus::Fail => theme.fail,
    }
}

/// "✔ pass   " (glyph and word, padded).
pub fn status_span(status: ItemStatus, theme: &Theme) -> Span<'static> {
    let (glyph, word) = status.glyph_word();
    Span::styled(format!("{glyph} {word:<8}"), status_style(status, theme))
}

impl View for ChainView {
    fn id(&self) -> ViewId {
        ViewId::Chain
    }

    fn panes(&self) -> usize {
        2
    }

    /// The graph pane scrolls (pans) down as far as the drawing goes.
    fn detail_lines(&self, state: &State) -> usize {
        graph_extent(state).map_or(0, |(_, h, _, view_h)| h.saturating_sub(view_h) + 1)
    }

    fn rows(&self, state: &State) -> usize {
        chain(state).map_or(0, |c| row_count(state, c))
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).0.height.saturating_sub(2) as usize
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let item = row_item(state, chain(state)?, row)?;
        Some(Jump { subject: Subject::Step { name: item.name.clone() }, finding: None })
    }

    fn follow(&self, state: &State, row: usize) -> Option<Subject> {
        let item = row_item(state, chain(state)?, row)?;
        Some(Subject::Step { name: item.name.clone() })
    }

    fn act(&self, state: &mut State, action: ViewAction) {
        const STEP: u16 = 8;
        match action {
            ViewAction::ToggleFocus => state.focus = !state.focus,
            ViewAction::PanLeft => state.graph_pan.0 = state.graph_pan.0.saturating_sub(STEP),
            ViewAction::PanRight => {
                let max = graph_extent(state).map_or(0, |(w, _, view_w, _)| w.saturating_sub(view_w));
                state.graph_pan.0 =
                    state.graph_pan.0.saturating_add(STEP).min(max.min(u16::MAX as usize) as u16);
            }
            _ => {}
        }
    }

    fn copy_value(&self, state: &State, row: usize) -> Option<(String, String)> {
        let item = row_item(state, chain(state)?, row)?;
        Some((item.kind.word().to_owned(), item.name.clone()))
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let (list_area, graph_area) = split(area);
        let Some(chain) = chain(state) else {
            if state.model.is_none() && !state.units.is_empty() {
                render_units(state, theme, area, buf);
                return;
            }
            let inner = draw_pane("Chain".into(), true, theme, area, buf);
            empty(state, "in-toto supply chain", theme, inner, buf);
            return;
        };
        render_list(state, chain, theme, list_area, buf);
        render_graph(state, chain, theme, graph_area, buf);
    }
}

fn render_list(state: &State, chain: &Chain, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let failed = chain.items.iter().filter(|i| i.status == ItemStatus::Fail).count();
    let rows = row_count(state, chain);
    let title = if state.filters.failures_only {
        format!("Chain · failures only: {rows} of {} items · {}", chain.items.len(), chain.layout)
    } else {
        format!("Chain {} · {} items, {} failed", chain.layout, chain.items.len(), failed)
    };
    let title = match state.model.as_ref().and_then(|m| m.unverified.as_ref()) {
        Some(_) => format!("UNVERIFIED {title}"),
        None => title,
    };
    let title = crate::sanitize::sanitize(&title).into_owned();
    let inner = draw_pane(title, state.pane == 0, theme, area, buf);
    // What the row glyphs mean, on the bottom border.
    let key = " m materials · p products · ⇠ takes artifacts from · ✘ broken flow ";
    if area.height > 2 && area.width > 4 {
        let w = (area.width - 4).min(key.chars().count() as u16);
        Span::styled(key, theme.muted).render(Rect::new(area.x + 1, area.y + area.height - 1, w, 1), buf);
    }
    if rows == 0 && state.filters.failures_only {
        let text = "✔ no item failed, no flow broken (f: all)";
        Line::styled(text, theme.pass)
            .render(Rect::new(inner.x, inner.y, inner.width, 1.min(inner.height)), buf);
        return;
    }
    let name_w = chain.items.iter().map(|i| i.display_name().chars().count()).max().unwrap_or(8).clamp(8, 24);
    let cursor = state.cursor(ViewId::Chain);
    list(inner, rows, cursor, state.pane == 0, theme, buf, |row| {
        item_at(state, chain, row)
            .and_then(|i| Some((i, chain.items.get(i)?)))
            .map_or_else(Line::default, |(i, item)| {
                lane_row(state, chain, i, item, name_w, inner.width, theme)
            })
    });
}

/// Before the first result of an engine run: every unit of the plan with
/// its state, as they go pending → running → pass/fail.
fn render_units(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let title = match state.progress {
        Some((done, total)) => format!("Chain · verifying: {done}/{total} units done"),
        None => "Chain · verifying".to_owned(),
    };
    let inner = draw_pane(title, true, theme, area, buf);
    let units: Vec<(&String, &UnitStatus)> = state.units.iter().collect();
    let cursor = crate::tui::state::Cursor::default();
    list(inner, units.len(), cursor, false, theme, buf, |i| {
        let Some((unit, status)) = units.get(i) else { return Line::default() };
        let (glyph, word, style) = unit_status(**status, theme);
        let mut spans = vec![Span::styled(format!("{glyph} {word:<8}"), style)];
        spans.extend(untrusted_fit(unit, inner.width.saturating_sub(10) as usize, false, theme.base, theme));
        Line::from(spans)
    });
}

/// While a run streams in: where the engine units of `item` stand
/// (`threshold:<step>`, `rules:<step>/…`), if any is still pending or running.
pub fn live_status(state: &State, item: &Item) -> Option<UnitStatus> {
    if !state.busy() || state.units.is_empty() || !item.scope.is_empty() {
        return None;
    }
    let threshold = format!("threshold:{}", item.name);
    let rules = format!("rules:{}/", item.name);
    let mut out = None;
    for (unit, status) in state.units.range(threshold.clone()..) {
        if unit != &threshold {
            break;
        }
        out = Some(*status);
    }
    for (unit, status) in state.units.range(rules.clone()..) {
        if !unit.starts_with(&rules) {
            break;
        }
        out = match (out, *status) {
            (Some(UnitStatus::Running), _) | (_, UnitStatus::Running) => Some(UnitStatus::Running),
            (Some(UnitStatus::Pending), _) | (_, UnitStatus::Pending) => Some(UnitStatus::Pending),
            (o, s) => o.or(Some(s)),
        };
    }
    out.filter(|s| matches!(s, UnitStatus::Pending | UnitStatus::Running))
}

fn lane_row(
    state: &State,
    chain: &Chain,
    index: usize,
    item: &Item,
    name_w: usize,
    width: u16,
    theme: &Theme,
) -> Line<'static> {
    let status = match live_status(state, item) {
        Some(live) => {
            let (glyph, word, style) = unit_status(live, theme);
            Span::styled(format!("{glyph} {word:<8}"), style)
        }
        None => status_span(item.status, theme),
    };
    let mut spans = vec![status, Span::styled(fit(item.kind.word(), 11), theme.muted)];
    spans.extend(untrusted_fit(&item.display_name(), name_w, true, theme.base, theme));
    let counts = format!(" {:>3}m {:>3}p", item.material_paths.len(), item.product_paths.len());
    spans.push(Span::styled(counts, theme.muted));
    let used = 1 + 9 + 11 + name_w + 10;
    let mut room = (width as usize).saturating_sub(used + 1);
    let mut sources: Vec<(usize, bool)> = Vec::new();
    let only_broken = state.filters.failures_only;
    for f in chain.flows.iter().filter(|f| f.to == index && (f.broken || !only_broken)) {
        match sources.iter_mut().find(|(s, _)| *s == f.from) {
            Some(s) => s.1 |= f.broken,
            None => sources.push((f.from, f.broken)),
        }
    }
    if !sources.is_empty() && room > 4 {
        spans.push(Span::styled(" ⇠", theme.muted));
        room -= 2;
        for (from, broken) in sources {
            let Some(src) = chain.items.get(from) else { continue };
            let text = if broken { format!(" ✘{}", src.name) } else { format!(" {}", src.name) };
            let w = text.chars().count();
            if w > room {
                spans.push(Span::styled(" …", theme.muted));
                break;
            }
            room -= w;
            let style = if broken { theme.fail } else { theme.base };
            spans.extend(crate::tui::widgets::untrusted(&text, style, theme));
        }
    }
    Line::from(spans)
}

/// The items the graph shows: all of a small chain, else (or with `z`) the
/// selected item and its neighbours; under `f` only the failing items and
/// the sources of their broken flows.
fn shown(state: &State, chain: &Chain) -> (BTreeSet<usize>, bool) {
    let selected = selected_item(state);
    let focus = state.focus || chain.items.len() > GRAPH_MAX;
    let mut nodes: BTreeSet<usize> = match (focus, selected) {
        (true, Some(s)) => chain.neighbours(s),
        (true, None) => BTreeSet::new(),
        (false, _) => (0..chain.items.len()).collect(),
    };
    if state.filters.failures_only {
        let failing: BTreeSet<usize> = chain.failing().iter().copied().collect();
        let sources: BTreeSet<usize> =
            chain.flows.iter().filter(|f| f.broken && failing.contains(&f.to)).map(|f| f.from).collect();
        nodes.retain(|n| failing.contains(n) || sources.contains(n));
    }
    (nodes, focus)
}

/// The edges the graph shows, one per pair of items: broken when any MATCH
/// rule between them broke, else held when any was evaluated, else not
/// evaluated (its weight orders them where they share a cell).
fn graph_edges(chain: &Chain, only_broken: bool) -> Vec<(usize, usize, Flowed)> {
    let mut out: Vec<(usize, usize, Flowed)> = Vec::new();
    for f in chain.flows.iter().filter(|f| f.broken || !only_broken) {
        let kind = if f.broken {
            Flowed::Broken
        } else if f.evaluated {
            Flowed::Held
        } else {
            Flowed::NotEvaluated
        };
        match out.iter_mut().find(|(a, b, _)| *a == f.from && *b == f.to) {
            Some(e) => e.2 = e.2.max(kind),
            None => out.push((f.from, f.to, kind)),
        }
    }
    out
}

/// How a flow between two items ended, lightest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flowed {
    NotEvaluated = 1,
    Held = 2,
    Broken = 3,
}

impl Flowed {
    fn of(weight: u8) -> Self {
        match weight {
            3 => Flowed::Broken,
            2 => Flowed::Held,
            _ => Flowed::NotEvaluated,
        }
    }
}

/// The drawing of the shown items, and which item each node is.
pub struct GraphDrawing {
    pub grid: Grid,
    pub items: Vec<usize>,
    pub labels: Vec<String>,
    pub orientation: Orientation,
}

fn node_label(chain: &Chain, n: usize) -> String {
    let Some(item) = chain.items.get(n) else { return String::new() };
    let name = crate::tui::widgets::text::truncate(&crate::sanitize::sanitize(&item.name), 18);
    format!("[{} {name}]", item.status.glyph_word().0)
}

/// Lays the shown items out left to right when that fits `room` (columns,
/// rows), else top down when that fits, else whichever needs less panning.
pub fn draw_graph(
    chain: &Chain,
    nodes: &BTreeSet<usize>,
    only_broken: bool,
    room: (usize, usize),
) -> GraphDrawing {
    let items: Vec<usize> = nodes.iter().copied().collect();
    let labels: Vec<String> = items.iter().map(|&n| node_label(chain, n)).collect();
    let grid_nodes: Vec<GridNode> = items
        .iter()
        .zip(&labels)
        .map(|(&n, l)| GridNode {
            layer: chain.layers.get(n).copied().unwrap_or(0),
            lane: chain.lanes.get(n).copied().unwrap_or(0),
            width: l.chars().count(),
        })
        .collect();
    let edges: Vec<GridEdge> = graph_edges(chain, only_broken)
        .into_iter()
        .filter_map(|(a, b, kind)| {
            let from = items.iter().position(|&i| i == a)?;
            let to = items.iter().position(|&i| i == b)?;
            Some(GridEdge { from, to, weight: kind as u8 })
        })
        .collect();
    let lr = route(&grid_nodes, &edges, Orientation::LeftRight);
    let fits = |g: &Grid| g.width <= room.0 && g.height <= room.1;
    let overflow =
        |g: &Grid| g.width.saturating_sub(room.0) * room.1.max(1) + g.height.saturating_sub(room.1) * room.0;
    let (grid, orientation) = if fits(&lr) {
        (lr, Orientation::LeftRight)
    } else {
        let td = route(&grid_nodes, &edges, Orientation::TopDown);
        if fits(&td) || overflow(&td) < overflow(&lr) {
            (td, Orientation::TopDown)
        } else {
            (lr, Orientation::LeftRight)
        }
    };
    GraphDrawing { grid, items, labels, orientation }
}

/// The glyph of a routed cell.
fn cell_glyph(c: &GridCell, orientation: Orientation) -> Option<char> {
    if c.arrow {
        return Some(if orientation == Orientation::LeftRight { '▶' } else { '▼' });
    }
    let kind = Flowed::of(c.weight);
    let (h, v) = match kind {
        Flowed::Broken => ('╌', '╎'),
        Flowed::Held => ('─', '│'),
        Flowed::NotEvaluated => ('┄', '┆'),
    };
    Some(match c.mask {
        0 => return None,
        m if m & (UP | DOWN) == 0 => h,
        m if m & (LEFT | RIGHT) == 0 => v,
        m if m == DOWN | RIGHT => '╭',
        m if m == DOWN | LEFT => '╮',
        m if m == UP | RIGHT => '╰',
        m if m == UP | LEFT => '╯',
        m if m == UP | DOWN | RIGHT => '├',
        m if m == UP | DOWN | LEFT => '┤',
        m if m == LEFT | RIGHT | DOWN => '┬',
        m if m == LEFT | RIGHT | UP => '┴',
        _ => '┼',
    })
}

/// The legend of everything the graph draws, as lines fitting `width`.
fn legend(theme: &Theme, width: usize, orientation: Orientation) -> Vec<Line<'static>> {
    let arrow = if orientation == Orientation::LeftRight { "▶" } else { "▼" };
    let entries: Vec<Vec<Span<'static>>> = vec![
        vec![
            Span::styled("[✔ step]", theme.muted),
            Span::styled(" item ✔ pass ✘ fail ⚠ warn – skipped", theme.muted),
        ],
        vec![Span::styled(format!("─{arrow}"), theme.muted), Span::styled(" MATCH flow", theme.muted)],
        vec![Span::styled(format!("┄{arrow}"), theme.muted), Span::styled(" not evaluated", theme.muted)],
        vec![
            Span::styled(format!("╌✘{arrow}"), theme.fail),
            Span::styled(" broken: a MATCH rule could not consume", theme.muted),
        ],
    ];
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for e in entries {
        let w: usize = e.iter().map(|s| s.content.chars().count()).sum::<usize>() + 2;
        if used > 0 && used + w > width {
            lines.push(Line::from(std::mem::take(&mut cur)));
            used = 0;
        }
        used += w;
        cur.extend(e);
        cur.push(Span::raw("  "));
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

/// Where the graph pane is drawn in a Chain body (for panning bounds).
pub fn graph_area(body: Rect) -> Rect {
    split(body).1
}

/// The pan that keeps the selected node in view (the list has focus).
fn follow_pan(d: &GraphDrawing, selected: Option<usize>, view: (usize, usize)) -> (usize, usize) {
    let Some(k) = selected.and_then(|s| d.items.iter().position(|&i| i == s)) else { return (0, 0) };
    let (x, y) = d.grid.nodes[k];
    let w = d.labels[k].chars().count();
    ((x + w).saturating_sub(view.0), (y + 1).saturating_sub(view.1))
}

/// The graph's size and view for `state` (rows and columns the pan may take).
pub fn graph_extent(state: &State) -> Option<(usize, usize, usize, usize)> {
    let chain = chain(state)?;
    let area = graph_area(crate::tui::layout::body(state.size));
    let (nodes, _) = shown(state, chain);
    let (inner_w, view_h) = room(area.width.saturating_sub(2), area.height.saturating_sub(2));
    let d = draw_graph(chain, &nodes, state.filters.failures_only, (inner_w, view_h));
    Some((d.grid.width, d.grid.height, inner_w, view_h))
}

/// Columns and rows left for the drawing in a graph pane's inner area (the
/// legend takes the bottom lines).
fn room(width: u16, height: u16) -> (usize, usize) {
    let theme = Theme::default();
    let w = width as usize;
    let legend_h =
        legend(&theme, w, Orientation::TopDown).len().max(legend(&theme, w, Orientation::LeftRight).len());
    (w, (height as usize).saturating_sub(legend_h).max(1))
}

fn render_graph(state: &State, chain: &Chain, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (nodes, focused) = shown(state, chain);
    let title =
        if focused { "Flows · neighbourhood (z: all)" } else { "Flows · layered (z: neighbourhood)" };
    let title =
        if state.pane == 1 { format!("{title} · h/l j/k pan") } else { format!("{title} · Tab: pan") };
    let inner = draw_pane(title, state.pane == 1, theme, area, buf);
    if inner.height < 2 {
        return;
    }
    let (w, view_h) = room(inner.width, inner.height);
    let d = draw_graph(chain, &nodes, state.filters.failures_only, (w, view_h));
    let lines = legend(theme, w, d.orientation);
    for (k, line) in lines.iter().enumerate() {
        let y = inner.y + inner.height - lines.len() as u16 + k as u16;
        line.clone().render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
    let selected = selected_item(state);
    let (dx, dy) = if state.pane == 1 {
        let max_x = d.grid.width.saturating_sub(w);
        let max_y = d.grid.height.saturating_sub(view_h);
        ((state.graph_pan.0 as usize).min(max_x), (state.detail_scroll as usize).min(max_y))
    } else {
        follow_pan(&d, selected, (w, view_h))
    };
    let put = |buf: &mut Buffer, x: usize, y: usize, ch: char, style: Style| {
        if x >= dx && x - dx < w && y >= dy && y - dy < view_h {
            let pos = (inner.x + (x - dx) as u16, inner.y + (y - dy) as u16);
            if let Some(cell) = buf.cell_mut(pos) {
                cell.set_char(ch).set_style(style);
            }
        }
    };
    for y in 0..d.grid.height {
        for x in 0..d.grid.width {
            let Some(c) = d.grid.cell(x, y) else { continue };
            if let Some(ch) = cell_glyph(c, d.orientation) {
                let style = if Flowed::of(c.weight) == Flowed::Broken { theme.fail } else { theme.muted };
                put(buf, x, y, ch, style);
            }
        }
    }
    // A broken flow says so in a word's place too: `╌✘▶`, before its arrowhead.
    for y in 0..d.grid.height {
        for x in 0..d.grid.width {
            let Some(c) = d.grid.cell(x, y).filter(|c| c.arrow && Flowed::of(c.weight) == Flowed::Broken)
            else {
                continue;
            };
            let before = match d.orientation {
                Orientation::LeftRight => x.checked_sub(1).map(|bx| (bx, y)),
                Orientation::TopDown => y.checked_sub(1).map(|by| (x, by)),
            };
            // The run into the arrowhead, not a corner or a junction.
            let straight = |m: u8| match d.orientation {
                Orientation::LeftRight => m != 0 && m & (UP | DOWN) == 0,
                Orientation::TopDown => m != 0 && m & (LEFT | RIGHT) == 0,
            };
            if let Some((bx, by)) = before
                && d.grid.cell(bx, by).is_some_and(|b| straight(b.mask))
            {
                let _ = c;
                put(buf, bx, by, '✘', theme.fail);
            }
        }
    }
    for (k, &n) in d.items.iter().enumerate() {
        let (x, y) = d.grid.nodes[k];
        let style = if Some(n) == selected {
            theme.selection
        } else {
            chain.items.get(n).map_or(theme.base, |i| status_style(i.status, theme))
        };
        for (i, ch) in d.labels[k].chars().enumerate() {
            put(buf, x + i, y, ch, style);
        }
    }
    // What is off-screen, on the bottom border.
    let bottom = area.y + area.height - 1;
    let mut marks: Vec<(u16, &str)> = Vec::new();
    if dx > 0 {
        marks.push((area.x + 1, "◀ more"));
    }
    if dy > 0 {
        marks.push((area.x + area.width / 2 - 8, "▲ more"));
    }
    if d.grid.height > dy + view_h {
        marks.push((area.x + area.width / 2, "▼ more"));
    }
    if d.grid.width > dx + w {
        marks.push((area.x + area.width.saturating_sub(8), "more ▶"));
    }
    for (x, text) in marks {
        Span::styled(text, theme.warn).render(Rect::new(x, bottom, 6, 1), buf);
    }
}

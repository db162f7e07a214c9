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
use crate::tui::action::ViewAction;
use crate::tui::chain::{Chain, Flow, Item, ItemStatus};
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

    fn rows(&self, state: &State) -> usize {
        chain(state).map_or(0, |c| row_count(state, c))
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).0.height.saturating_sub(2) as usize
    }

    fn row_text(&self, state: &State, row: usize) -> String {
        chain(state)
            .and_then(|c| row_item(state, c, row))
            .map(|i| format!("{} {} {}", i.kind.word(), i.display_name(), i.status.word()))
            .unwrap_or_default()
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
        if action == ViewAction::ToggleFocus {
            state.focus = !state.focus;
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
    let title = crate::sanitize::sanitize(&title).into_owned();
    let inner = draw_pane(title, state.pane == 0, theme, area, buf);
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

/// A cell of the graph drawing.
struct Canvas {
    cells: Vec<(usize, usize, String, Style)>,
    width: usize,
    height: usize,
    /// The selected node's right end and row.
    selected: Option<(usize, usize)>,
}

impl Canvas {
    fn put(&mut self, x: usize, y: usize, s: &str, style: Style) {
        self.width = self.width.max(x + s.chars().count());
        self.height = self.height.max(y + 1);
        self.cells.push((x, y, s.to_owned(), style));
    }
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

fn render_graph(state: &State, chain: &Chain, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (nodes, focused) = shown(state, chain);
    let title =
        if focused { "Flows · neighbourhood (z: all)" } else { "Flows · layered (z: neighbourhood)" };
    let inner = draw_pane(title.to_owned(), false, theme, area, buf);
    if inner.height < 2 {
        return;
    }
    let canvas = layout(chain, &nodes, selected_item(state), state.filters.failures_only, theme);
    let legend = Line::from(vec![
        Span::styled("─▶", theme.muted),
        Span::styled(" flow  ", theme.muted),
        Span::styled("┄▶", theme.muted),
        Span::styled(" not evaluated  ", theme.muted),
        Span::styled("╌✘▶", theme.fail),
        Span::styled(" broken: a MATCH rule could not consume", theme.muted),
    ]);
    let legend_y = inner.y + inner.height - 1;
    legend.render(Rect::new(inner.x, legend_y, inner.width, 1), buf);
    let view = Rect::new(inner.x, inner.y, inner.width, inner.height - 1);
    // Pan so the selected node is in view.
    let sel = canvas.selected;
    let dx = sel.map_or(0, |(x, _)| x.saturating_sub(view.width as usize));
    let dy = sel.map_or(0, |(_, y)| (y + 1).saturating_sub(view.height as usize));
    for (x, y, s, style) in &canvas.cells {
        if *y < dy || *y - dy >= view.height as usize {
            continue;
        }
        for (cx, ch) in (*x as isize - dx as isize..).zip(s.chars()) {
            if cx >= 0 && (cx as usize) < view.width as usize {
                let pos = (view.x + cx as u16, view.y + (*y - dy) as u16);
                if let Some(cell) = buf.cell_mut(pos) {
                    cell.set_char(ch).set_style(*style);
                }
            }
        }
    }
    if canvas.width > view.width as usize + dx {
        let more = Rect::new(view.x + view.width.saturating_sub(1), view.y, 1, 1);
        Span::styled("›", theme.muted).render(more, buf);
    }
}

/// Draws an orthogonal polyline through `points` (consecutive points share
/// a row or a column) with a corner at each bend, leaving out the first
/// point when it lies on the source's label (`skip_first`); returns the
/// middle of its longest horizontal run (where a broken flow's `✘` goes).
fn route(
    canvas: &mut Canvas,
    points: &[(usize, usize)],
    skip_first: bool,
    h: &str,
    v: &str,
    style: Style,
) -> (usize, usize) {
    let mut points = points.to_vec();
    points.dedup();
    let first = points.first().copied().filter(|_| skip_first);
    let mut mark = points.first().copied().unwrap_or_default();
    let mut longest = 0;
    let put = |canvas: &mut Canvas, x: usize, y: usize, s: &str| {
        if Some((x, y)) != first {
            canvas.put(x, y, s, style);
        }
    };
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if y0 == y1 {
            for x in x0.min(x1)..=x0.max(x1) {
                put(canvas, x, y0, h);
            }
            if x0.abs_diff(x1) >= longest {
                longest = x0.abs_diff(x1);
                mark = (x0.min(x1) + longest / 2, y0);
            }
        } else {
            for y in y0.min(y1)..=y0.max(y1) {
                put(canvas, x0, y, v);
            }
        }
    }
    for w in points.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        let down_in = b.1 > a.1;
        let up_in = b.1 < a.1;
        let corner = if a.1 == b.1 && c.1 > b.1 || up_in && c.0 < b.0 {
            "╮"
        } else if a.1 == b.1 && c.1 < b.1 || down_in && c.0 < b.0 {
            "╯"
        } else if down_in && c.0 > b.0 {
            "╰"
        } else if up_in && c.0 > b.0 {
            "╭"
        } else {
            continue;
        };
        put(canvas, b.0, b.1, corner);
    }
    mark
}

/// Places `nodes` where the graph's drawing puts them (a column per layer,
/// rows in lane order), draws nodes as `[✔ name]` and flows as orthogonal
/// arrows into the canvas; `only_broken` leaves out the flows that held.
fn layout(
    chain: &Chain,
    nodes: &BTreeSet<usize>,
    selected: Option<usize>,
    only_broken: bool,
    theme: &Theme,
) -> Canvas {
    const GAP: usize = 6;
    let mut layer_ids: Vec<usize> = nodes.iter().filter_map(|n| chain.layers.get(*n).copied()).collect();
    layer_ids.sort_unstable();
    layer_ids.dedup();
    let layer_of = |n: usize| chain.layers.get(n).and_then(|l| layer_ids.binary_search(l).ok()).unwrap_or(0);
    let label = |n: usize| {
        let Some(item) = chain.items.get(n) else { return String::new() };
        let name = crate::tui::widgets::text::truncate(&crate::sanitize::sanitize(&item.name), 18);
        format!("[{} {name}]", item.status.glyph_word().0)
    };
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layer_ids.len()];
    for n in nodes {
        if let Some(col) = columns.get_mut(layer_of(*n)) {
            col.push(*n);
        }
    }
    for col in &mut columns {
        col.sort_by_key(|&n| (chain.lanes.get(n).copied().unwrap_or(0), n));
    }
    let widths: Vec<usize> =
        columns.iter().map(|c| c.iter().map(|n| label(*n).chars().count()).max().unwrap_or(0)).collect();
    let mut xs = Vec::with_capacity(widths.len());
    let mut x = 0;
    for w in &widths {
        xs.push(x);
        x += w + GAP;
    }
    let mut pos = std::collections::BTreeMap::new();
    for (c, col) in columns.iter().enumerate() {
        for (r, n) in col.iter().enumerate() {
            pos.insert(*n, (xs.get(c).copied().unwrap_or(0), r * 2, label(*n).chars().count(), c));
        }
    }
    let mut canvas = Canvas { cells: Vec::new(), width: 0, height: 0, selected: None };
    // Flows not evaluated first, broken ones last: where two cross, the
    // one that says more stays visible.
    let mut flows: Vec<&Flow> = chain.flows.iter().filter(|f| f.broken || !only_broken).collect();
    flows.sort_by_key(|f| (f.broken, f.evaluated));
    for f in flows {
        let (Some(&(fx, fy, fw, fc)), Some(&(tx, ty, _, tc))) = (pos.get(&f.from), pos.get(&f.to)) else {
            continue;
        };
        if tx <= fx + fw + 2 {
            continue;
        }
        let (h, v, style) = match (f.broken, f.evaluated) {
            (true, _) => ("╌", "╎", theme.fail),
            (false, true) => ("─", "│", theme.muted),
            (false, false) => ("┄", "┆", theme.muted),
        };
        let x0 = fx + fw;
        let xm = tx.saturating_sub(3).max(x0);
        // A flow past other columns leaves its source from below and runs
        // under the nodes of the columns it passes, on the free row beneath
        // the deepest of them (and beneath its source), not through them.
        let deepest = columns.get(fc + 1..tc).unwrap_or_default().iter().map(Vec::len).max().unwrap_or(0);
        let (points, from_below) = if deepest == 0 {
            (vec![(x0, fy), (xm, fy), (xm, ty), (tx - 2, ty)], false)
        } else {
            let bus = (deepest * 2 - 1).max(fy + 1);
            let sx = x0.saturating_sub(1);
            (vec![(sx, fy), (sx, bus), (xm, bus), (xm, ty), (tx - 2, ty)], true)
        };
        let mark = route(&mut canvas, &points, from_below, h, v, style);
        canvas.put(tx - 1, ty, "▶", style);
        if f.broken {
            canvas.put(mark.0, mark.1, "✘", theme.fail);
        }
    }
    for (n, (x, y, w, _)) in &pos {
        if Some(*n) == selected {
            canvas.selected = Some((x + w, *y));
        }
        let style = if Some(*n) == selected {
            theme.selection
        } else {
            chain.items.get(*n).map_or(theme.base, |i| status_style(i.status, theme))
        };
        canvas.put(*x, *y, &label(*n), style);
    }
    canvas
}

//! `update(&mut State, Action) -> Vec<Effect>`: the only place the state
//! changes (the Elm loop of DESIGN §2). No I/O, no clocks, no threads:
//! effects describe the work and the runtime does it.

use std::path::PathBuf;

use super::action::{Action, Effect, InputAction, Notice, ViewAction};
use super::chain::{Chain, ItemKind};
use super::layout;
use super::search;
use super::session::{Message, UnitEvent};
use super::state::{Confirm, Crumb, Filters, InputKind, InputLine, Run, State};
use super::views::{self, Jump, ViewId};
use crate::report::text::verdict_label;
use crate::sanitize::sanitize;
use crate::verdict::Severity;

/// Applies one action; returns the work to do.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if is_user_action(&action) {
        state.notice = None;
    }
    match action {
        Action::Quit => state.quit = true,
        Action::Up => move_by(state, -1),
        Action::Down => move_by(state, 1),
        Action::PageUp => move_by(state, -page(state)),
        Action::PageDown => move_by(state, page(state)),
        Action::Top => move_by(state, isize::MIN / 2),
        Action::Bottom => move_by(state, isize::MAX / 2),
        Action::Drill => drill(state),
        Action::Back => back(state),
        Action::NextPane => cycle_pane(state, 1),
        Action::PrevPane => cycle_pane(state, -1),
        Action::ShowView(view) => show_view(state, view),
        Action::ToggleHelp => state.help = if state.help.is_some() { None } else { Some(0) },
        Action::JumpFirstFailure => jump_first_failure(state),
        Action::StartSearch => open_input(state, InputKind::Search, String::new()),
        Action::NextMatch => search_step(state, 1, false),
        Action::PrevMatch => search_step(state, -1, false),
        Action::ToggleFailuresOnly => {
            state.filters.failures_only = !state.filters.failures_only;
            let word = if state.filters.failures_only { "failures only" } else { "all findings" };
            state.notice = Some(Notice::info(format!("showing {word}")));
            clamp_cursors(state);
        }
        Action::CycleSeverity => cycle_severity(state),
        Action::CycleCategory => cycle_category(state),
        Action::Copy => return copy(state),
        Action::StartExport => start_export(state),
        Action::Reverify => return vec![start_run(state)],
        Action::StartSetTime => start_set_time(state),
        Action::ToggleWatch => return toggle_watch(state),
        Action::NextScenario => return switch_scenario(state, 1),
        Action::PrevScenario => return switch_scenario(state, -1),
        Action::AskRunInspections => ask_run_inspections(state),
        Action::Confirm => return confirm(state),
        Action::CancelConfirm => {
            if state.confirm.take().is_some() {
                state.notice = Some(Notice::info("nothing was run"));
            }
        }
        Action::View(ViewAction::PanLeft | ViewAction::PanRight) if state.pane == 0 => {
            if action == Action::View(ViewAction::PanLeft) { back(state) } else { drill(state) }
        }
        Action::View(action) => {
            views::get(state.view).act(state, action);
            follow(state);
        }
        Action::Input(input) => return edit_input(state, input),
        Action::Session(message) => apply_message(state, message),
        Action::Notify(notice) => state.notice = Some(notice),
        Action::Resize(w, h) => {
            state.size = (w, h);
            clamp_cursors(state);
        }
        Action::Tick => {
            if state.busy() {
                state.spinner = state.spinner.wrapping_add(1);
            }
        }
        Action::Lesson(action) => return super::lesson::update(state, action),
    }
    Vec::new()
}

fn is_user_action(action: &Action) -> bool {
    !matches!(
        action,
        Action::Session(_) | Action::Notify(_) | Action::Resize(..) | Action::Tick | Action::Input(_)
    )
}

/// Starts a new verification run; older runs' results will be dropped.
pub fn start_run(state: &mut State) -> Effect {
    state.generation += 1;
    state.run = Run::Verifying;
    state.units.clear();
    state.progress = None;
    Effect::Verify { generation: state.generation, at: state.at }
}

fn apply_message(state: &mut State, message: Message) {
    if message.generation() != state.generation {
        tracing::debug!(
            generation = message.generation(),
            current = state.generation,
            "dropping stale result"
        );
        return;
    }
    match message {
        Message::Started { .. } => state.run = Run::Verifying,
        Message::Unit { event: UnitEvent::Status { unit, status }, .. } => {
            state.units.insert(unit, status);
        }
        Message::Unit { event: UnitEvent::Progress { done, total }, .. } => {
            state.progress = Some((done, total))
        }
        Message::Loaded { model, .. } => {
            let model = *model;
            tracing::info!(
                verdict = verdict_label(model.doc.verdict),
                findings = model.doc.findings.len(),
                "loaded"
            );
            state.model = Some(model);
            state.search_index = None;
            state.hits = None;
            state.run = Run::Done;
            clamp_cursors(state);
        }
        Message::Failed { error, .. } => {
            tracing::warn!(%error, "verification failed to run");
            state.notice = Some(Notice::error(error.clone()));
            state.run = Run::Failed(error);
        }
    }
}

fn page(state: &State) -> isize {
    let body = layout::body(state.size);
    let h =
        if state.help.is_some() { body.height as usize } else { views::get(state.view).list_height(body) };
    h.saturating_sub(1).max(1) as isize
}

fn move_by(state: &mut State, delta: isize) {
    let body = layout::body(state.size);
    let step = delta.clamp(-10_000, 10_000) as i16;
    if let Some(scroll) = state.help.as_mut() {
        let max = state.help_lines.saturating_sub(body.height.saturating_sub(2) as usize);
        *scroll = scroll.saturating_add_signed(step).min(max.min(u16::MAX as usize) as u16);
        return;
    }
    if state.pane > 0 {
        let max = views::get(state.view).detail_lines(state).saturating_sub(1);
        state.detail_scroll =
            state.detail_scroll.saturating_add_signed(step).min(max.min(u16::MAX as usize) as u16);
        return;
    }
    let view = views::get(state.view);
    let len = view.rows(state);
    let height = view.list_height(layout::body(state.size));
    state.cursor_mut(view.id()).step(delta, len, height);
    state.detail_scroll = 0;
    follow(state);
}

/// The shared selection follows the cursor of views that select subjects.
fn follow(state: &mut State) {
    let view = views::get(state.view);
    if let Some(subject) = view.follow(state, state.cursor(state.view).selected) {
        state.selection = Some(subject);
    }
}

fn clamp_cursors(state: &mut State) {
    state.refilter();
    let body = layout::body(state.size);
    for id in ViewId::ALL {
        let view = views::get(*id);
        let len = view.rows(state);
        let height = view.list_height(body);
        let cursor = state.cursor_mut(*id);
        let selected = cursor.selected;
        cursor.set(selected, len, height);
    }
}

fn select_row(state: &mut State, view: ViewId, row: usize) {
    let v = views::get(view);
    let len = v.rows(state);
    let height = v.list_height(layout::body(state.size));
    state.cursor_mut(view).set(row, len, height);
}

fn drill(state: &mut State) {
    if state.pane > 0 {
        return;
    }
    let view = views::get(state.view);
    let row = state.cursor(state.view).selected;
    if let Some(jump) = view.drill(state, row) {
        navigate(state, jump);
    }
}

/// Goes to a subject: the view that accepts it, else the Findings detail.
pub fn navigate(state: &mut State, jump: Jump) {
    state.breadcrumb.push(Crumb { view: state.view, pane: state.pane, selection: state.selection.clone() });
    state.selection = Some(jump.subject.clone());
    state.detail_scroll = 0;
    if let Some(target) = views::view_for(state, &jump.subject) {
        state.view = target;
        state.pane = 0;
        views::get(target).reveal(state, &jump.subject);
        return;
    }
    state.view = ViewId::Findings;
    if let Some(index) = jump.finding {
        if state.findings().get(index).is_some_and(|f| !state.filters.admits(f)) {
            state.filters = Filters::default();
            state.refilter();
        }
        if let Some(row) = state.visible_findings().iter().position(|i| *i == index) {
            select_row(state, ViewId::Findings, row);
        }
    }
    state.pane = 1;
}

fn back(state: &mut State) {
    if let Some(crumb) = state.breadcrumb.pop() {
        state.view = crumb.view;
        state.pane = crumb.pane;
        state.selection = crumb.selection;
        state.detail_scroll = 0;
    } else if state.pane > 0 {
        state.pane = 0;
    } else if state.selection.is_some() {
        state.selection = None;
    }
}

fn cycle_pane(state: &mut State, delta: isize) {
    let panes = views::get(state.view).panes().max(1);
    state.pane = (state.pane as isize + delta).rem_euclid(panes as isize) as usize;
    state.detail_scroll = 0;
    state.graph_pan = (0, 0);
}

fn show_view(state: &mut State, view: ViewId) {
    state.breadcrumb.clear();
    state.view = view;
    state.pane = 0;
    state.detail_scroll = 0;
}

fn jump_first_failure(state: &mut State) {
    let Some(model) = &state.model else {
        state.notice = Some(Notice::info("no result yet: verification is still running"));
        return;
    };
    let first = model.first_failure().and_then(|i| Some((i, model.doc.findings.get(i)?.subject.clone())));
    match first {
        Some((index, subject)) => navigate(state, Jump { subject, finding: Some(index) }),
        None => state.notice = Some(Notice::info("no failures: the verdict is ✔ PASS")),
    }
}

fn open_input(state: &mut State, kind: InputKind, text: String) {
    state.help = None;
    state.input = Some(InputLine { kind, text });
}

fn edit_input(state: &mut State, input: InputAction) -> Vec<Effect> {
    let Some(line) = state.input.as_mut() else { return Vec::new() };
    match input {
        InputAction::Insert(c) => {
            if line.text.chars().count() < 512 {
                line.text.push(c);
            }
        }
        InputAction::DeleteBack => {
            line.text.pop();
        }
        InputAction::Cancel => state.input = None,
        InputAction::Submit => {
            let line = state.input.take();
            if let Some(InputLine { kind, text }) = line {
                return submit(state, kind, text.trim().to_owned());
            }
        }
    }
    Vec::new()
}

fn submit(state: &mut State, kind: InputKind, text: String) -> Vec<Effect> {
    match kind {
        InputKind::Search if text.is_empty() => state.search = None,
        InputKind::Search => {
            state.search = Some(text);
            search_step(state, 0, true);
        }
        InputKind::Time if text.is_empty() || text.eq_ignore_ascii_case("now") => {
            state.at = None;
            state.notice = Some(Notice::info("evaluating at the current time"));
            return vec![start_run(state)];
        }
        InputKind::Time => match crate::meta::time::parse(&text) {
            Ok(t) => {
                state.at = Some(t.at);
                let shown = crate::meta::time::format(t.at);
                state.notice = Some(Notice::info(format!("evaluating at {shown}")));
                return vec![start_run(state)];
            }
            Err(e) => state.notice = Some(Notice::error(e.to_string())),
        },
        InputKind::ExportDir => {
            let dir = if text.is_empty() { PathBuf::from(".") } else { PathBuf::from(text) };
            state.export_dir = dir.clone();
            return vec![Effect::Export { dir }];
        }
    }
    Vec::new()
}

/// Searches every view (the index of [`super::search`]) and shows the first
/// hit at or after where the user is (`inclusive`), or moves to the next
/// (`dir` 1) or previous (-1) hit, switching view when the hit is in another.
fn search_step(state: &mut State, dir: isize, inclusive: bool) {
    let Some(query) = state.search.clone() else {
        state.notice = Some(Notice::info("no search yet: press / to search"));
        return;
    };
    let shown = sanitize(&query).into_owned();
    if state.model.is_none() {
        state.notice = Some(Notice::info("no result yet: verification is still running"));
        return;
    }
    let stale = state.hits.as_ref().is_none_or(|h| h.query != query);
    if stale || inclusive {
        let places = search::index(state).find(&query);
        if places.is_empty() {
            state.hits = None;
            state.notice = Some(Notice::error(format!("no match for \"{shown}\" in any view")));
            return;
        }
        let here = here(state);
        let first = places.iter().position(|p| order(*p) >= here).unwrap_or(0);
        state.hits = Some(search::Hits { query: query.clone(), places, current: first });
    } else if let Some(h) = state.hits.as_mut() {
        let n = h.places.len() as isize;
        h.current = (h.current as isize + dir).rem_euclid(n) as usize;
    }
    let Some(h) = state.hits.clone() else { return };
    let Some(place) = h.places.get(h.current).copied() else { return };
    let cleared = reveal_place(state, place);
    let also = if cleared { "; f (failures only) turned off to show it" } else { "" };
    state.notice = Some(Notice::info(format!(
        "\"{shown}\": match {} of {} in {} (n/N for next/previous){also}",
        h.current + 1,
        h.places.len(),
        place.view().title()
    )));
}

/// Where the user is, in the order hits are sorted by.
fn here(state: &State) -> (usize, usize, usize) {
    let view = ViewId::ALL.iter().position(|v| *v == state.view).unwrap_or(0);
    let row = state.cursor(state.view).selected;
    match state.view {
        ViewId::Step => {
            let item = views::step::current(state).map_or(0, |(i, _)| i);
            (view, item, row)
        }
        ViewId::Chain => (view, views::chain::selected_item(state).unwrap_or(0), 0),
        ViewId::Findings => (view, state.visible_findings().get(row).copied().unwrap_or(0), 0),
        _ => (view, row, 0),
    }
}

fn order(place: search::Place) -> (usize, usize, usize) {
    use search::Place as P;
    let view = ViewId::ALL.iter().position(|v| *v == place.view()).unwrap_or(0);
    match place {
        P::Step { item, row } => (view, item, row),
        P::Overview(r) | P::Chain(r) | P::Artifact(r) | P::Trust(r) | P::Findings(r) | P::Targets(r) => {
            (view, r, 0)
        }
    }
}

/// Shows a hit selected in its view; returns whether `f` had to be turned
/// off for its row to be listed.
fn reveal_place(state: &mut State, place: search::Place) -> bool {
    use search::Place as P;
    let view = place.view();
    if view != state.view {
        state.breadcrumb.push(Crumb {
            view: state.view,
            pane: state.pane,
            selection: state.selection.clone(),
        });
    }
    state.view = view;
    state.pane = 0;
    state.detail_scroll = 0;
    let filtered = state.filters.failures_only;
    // Rows of an unfiltered list: the list the hit is in must show them all.
    let needs_all = filtered && !matches!(place, P::Step { .. } | P::Artifact(_) | P::Findings(_));
    let mut cleared = false;
    if needs_all {
        let visible = match place {
            P::Chain(i) => views::chain::chain(state).is_some_and(|c| c.failing().contains(&i)),
            P::Targets(i) => views::targets::targets(state).is_some_and(|t| t.failing().contains(&i)),
            _ => false,
        };
        if !visible {
            state.filters.failures_only = false;
            clamp_cursors(state);
            cleared = true;
        }
    }
    match place {
        P::Overview(row) | P::Artifact(row) | P::Trust(row) => select_row(state, view, row),
        P::Chain(item) => {
            let row = if state.filters.failures_only {
                views::chain::chain(state)
                    .and_then(|c| c.failing().iter().position(|&i| i == item))
                    .unwrap_or(0)
            } else {
                item
            };
            select_row(state, view, row);
        }
        P::Targets(index) => {
            let row = if state.filters.failures_only {
                views::targets::targets(state)
                    .and_then(|t| t.failing().iter().position(|&i| i == index))
                    .unwrap_or(0)
            } else {
                index
            };
            select_row(state, view, row);
        }
        P::Step { item, row } => {
            let name = views::chain::chain(state).and_then(|c| c.items.get(item)).map(|i| i.name.clone());
            if let Some(name) = name {
                state.selection = Some(crate::verdict::Subject::Step { name });
            }
            select_row(state, view, row);
            return cleared;
        }
        P::Findings(index) => {
            if state.findings().get(index).is_some_and(|f| !state.filters.admits(f)) {
                state.filters = Filters::default();
                clamp_cursors(state);
                cleared = filtered;
            }
            if let Some(row) = state.visible_findings().iter().position(|i| *i == index) {
                select_row(state, view, row);
            }
        }
    }
    follow(state);
    cleared
}

fn cycle_severity(state: &mut State) {
    state.filters.severity = match state.filters.severity {
        None => Some(Severity::Error),
        Some(Severity::Error) => Some(Severity::Warning),
        Some(Severity::Warning) => Some(Severity::Info),
        Some(Severity::Info) => None,
    };
    clamp_cursors(state);
}

fn cycle_category(state: &mut State) {
    let categories = state.model.as_ref().map(|m| m.categories.clone()).unwrap_or_default();
    state.filters.category = match &state.filters.category {
        None => categories.first().cloned(),
        Some(c) => categories.iter().skip_while(|x| *x != c).nth(1).cloned(),
    };
    clamp_cursors(state);
}

fn copy(state: &mut State) -> Vec<Effect> {
    let view = views::get(state.view);
    match view.copy_value(state, state.cursor(state.view).selected) {
        Some((label, value)) => {
            let shown = sanitize(&value).into_owned();
            state.notice = Some(Notice::info(format!("copied {label} {shown} (OSC 52)")));
            vec![Effect::Copy { label, value }]
        }
        None => {
            state.notice = Some(Notice::info("nothing to copy here"));
            Vec::new()
        }
    }
}

fn start_export(state: &mut State) {
    if state.model.is_none() {
        state.notice = Some(Notice::info("nothing to export yet: verification is still running"));
        return;
    }
    let dir = state.export_dir.display().to_string();
    open_input(state, InputKind::ExportDir, dir);
}

fn start_set_time(state: &mut State) {
    let current = state.at.or_else(|| state.model.as_ref().map(|m| m.doc.evaluated_at));
    let text = current.map(crate::meta::time::format).unwrap_or_default();
    open_input(state, InputKind::Time, text);
}

fn switch_scenario(state: &mut State, delta: isize) -> Vec<Effect> {
    let n = state.scenarios.len();
    if n < 2 {
        state.notice = Some(Notice::info("no other scenarios here: a/A switch the demo's acts (trailscope)"));
        return Vec::new();
    }
    let next = (state.scenario as isize + delta).rem_euclid(n as isize) as usize;
    vec![Effect::OpenScenario(next)]
}

/// `I`: the inspections the result shows, with the argv each would run
/// (after parameter substitution, as verification recorded it), in a popup
/// that asks first. Nothing runs before `y` (DESIGN §9).
fn ask_run_inspections(state: &mut State) {
    if !state.can_run_inspections {
        state.notice = Some(Notice::info(
            "no inspections to run here: this session runs them already (r runs them again), or it has no in-toto layout",
        ));
        return;
    }
    let Some(model) = &state.model else {
        state.notice = Some(Notice::info("no result yet: verification is still running"));
        return;
    };
    let commands = model.chain.as_ref().map(|c| inspection_commands(c)).unwrap_or_default();
    if commands.is_empty() {
        state.notice = Some(Notice::info("the layout has no inspections: nothing to run"));
        return;
    }
    state.help = None;
    state.input = None;
    state.confirm = Some(Confirm::RunInspections { commands });
}

/// Each inspection of the chain (sublayouts' with their scope) and its argv.
fn inspection_commands(chain: &Chain) -> Vec<(String, Vec<String>)> {
    let inspections = chain.items.iter().filter(|i| i.kind == ItemKind::Inspection);
    inspections
        .map(|i| {
            let name =
                i.scope.iter().chain(std::iter::once(&i.name)).cloned().collect::<Vec<_>>().join(" › ");
            let argv = i.command.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            (name, argv.collect())
        })
        .collect()
}

fn confirm(state: &mut State) -> Vec<Effect> {
    match state.confirm.take() {
        Some(Confirm::RunInspections { commands }) => {
            let n = commands.len();
            state.notice = Some(Notice::info(format!(
                "running {n} inspection(s) in a scratch copy of the work directory, then verifying again"
            )));
            vec![Effect::RunInspections]
        }
        None => Vec::new(),
    }
}

fn toggle_watch(state: &mut State) -> Vec<Effect> {
    if !state.can_watch {
        state.notice = Some(Notice::info("nothing to watch: this input is not on disk"));
        return Vec::new();
    }
    state.watching = !state.watching;
    let word = if state.watching { "watching input files; changes re-verify" } else { "stopped watching" };
    state.notice = Some(Notice::info(word));
    vec![Effect::Watch(state.watching)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::model::Model;
    use crate::verdict::{Document, Kind};
    use time::macros::datetime;

    fn doc(category: &str) -> Box<Model> {
        Box::new(Model::new(Document::new(
            Kind::Tuf,
            datetime!(2030-01-01 0:00 UTC),
            Vec::new(),
            crate::verdict::category::Category::from_id(category).expect("a registered category"),
        )))
    }

    #[test]
    fn results_of_a_superseded_run_are_dropped() {
        let mut state = State::new("t");
        let first = start_run(&mut state);
        let second = start_run(&mut state);
        assert_eq!(first, Effect::Verify { generation: 1, at: None });
        assert_eq!(second, Effect::Verify { generation: 2, at: None });
        update(&mut state, Action::Session(Message::Loaded { generation: 1, model: doc("expired") }));
        assert!(state.model.is_none());
        assert_eq!(state.run, Run::Verifying);
        update(&mut state, Action::Session(Message::Loaded { generation: 2, model: doc("rollback") }));
        assert_eq!(state.model.as_ref().map(|m| m.doc.category.as_str()), Some("rollback"));
        assert_eq!(state.run, Run::Done);
    }

    #[test]
    fn r_starts_a_new_generation_and_keeps_the_old_result_on_screen() {
        let mut state = State::new("t");
        let _ = start_run(&mut state);
        update(&mut state, Action::Session(Message::Loaded { generation: 1, model: doc("ok") }));
        let effects = update(&mut state, Action::Reverify);
        assert_eq!(effects, vec![Effect::Verify { generation: 2, at: None }]);
        assert!(state.model.is_some());
        assert!(state.busy());
    }

    #[test]
    fn esc_closes_the_input_line_before_going_back() {
        let mut state = State::new("t");
        update(&mut state, Action::StartSearch);
        assert!(state.input.is_some());
        update(&mut state, Action::Input(InputAction::Cancel));
        assert!(state.input.is_none());
    }
}

//! Views: one file each (serie's `src/view/`). A view is a pure renderer of
//! [`State`] plus a few questions `update` asks it (how many rows, where
//! Enter leads, what `y` copies). `/` does not ask the views: it searches
//! one index of every view's rows built from the model (`tui::search`); a
//! new view adds its rows there.
//!
//! ## Adding a view
//! 1. Add a variant to [`ViewId`] with its digit (DESIGN §6 numbering:
//!    1 Overview, 2 Chain, 3 Step, 4 Artifact, 5 Trust, 6 Findings, 7 Targets)
//!    and title.
//! 2. Write `views/<name>.rs` with a unit struct implementing [`View`]; return
//!    it from [`get`]. The digit key, the tab and the help entry follow from
//!    `ViewId::ALL`; view-specific keys go in `keymap.rs` under
//!    `Context::View(id)`.
//! 3. Implement [`View::accepts`] and [`View::reveal`] for the subjects the
//!    view shows (steps, rules, artifacts, keys, roles…): Enter on a finding,
//!    and the Overview's jump to the first failure, then land there instead
//!    of the Findings detail pane.

pub mod artifact;
pub mod chain;
pub mod common;
pub mod confirm;
pub mod evidence;
pub mod findings;
pub mod help;
pub mod lesson;
pub mod overview;
pub mod statement;
pub mod step;
pub mod targets;
pub mod trust;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::ViewAction;
use super::state::State;
use super::theme::Theme;
use crate::verdict::Subject;

/// The views, in the order of their digit keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewId {
    Overview,
    Chain,
    Step,
    Artifact,
    Trust,
    Findings,
    Targets,
}

impl ViewId {
    /// Every view there is, in tab order.
    pub const ALL: &'static [ViewId] = &[
        ViewId::Overview,
        ViewId::Chain,
        ViewId::Step,
        ViewId::Artifact,
        ViewId::Trust,
        ViewId::Findings,
        ViewId::Targets,
    ];

    /// The digit key that shows this view.
    pub fn digit(self) -> char {
        match self {
            ViewId::Overview => '1',
            ViewId::Chain => '2',
            ViewId::Step => '3',
            ViewId::Artifact => '4',
            ViewId::Trust => '5',
            ViewId::Findings => '6',
            ViewId::Targets => '7',
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ViewId::Overview => "Overview",
            ViewId::Chain => "Chain",
            ViewId::Step => "Step",
            ViewId::Artifact => "Artifact",
            ViewId::Trust => "Trust",
            ViewId::Findings => "Findings",
            ViewId::Targets => "Targets",
        }
    }

    /// The help text of its digit key.
    pub fn go_desc(self) -> &'static str {
        match self {
            ViewId::Overview => "show the Overview: verdict, counts, expiry",
            ViewId::Chain => "show the Chain: steps and inspections, artifact flows",
            ViewId::Step => "show the Step: commands, rules, traces; a bundle's Statement, provenance",
            ViewId::Artifact => "show the Artifact: digests at each step, provenance",
            ViewId::Trust => "show Trust: TUF roles, keys, functionaries; a bundle's TUF root → CA → log",
            ViewId::Findings => "show the Findings, filterable",
            ViewId::Targets => "show the Targets: TUF targets, their hashes, signing role and lookup",
        }
    }
}

/// Where a drill-in leads: a subject, and the finding that led there.
#[derive(Debug, Clone, PartialEq)]
pub struct Jump {
    pub subject: Subject,
    /// Index into the model's findings.
    pub finding: Option<usize>,
}

/// A screen of the TUI.
pub trait View: Sync {
    fn id(&self) -> ViewId;

    /// How many panes Tab cycles through.
    fn panes(&self) -> usize {
        1
    }

    /// Lines in the detail pane (bounds its scrolling).
    fn detail_lines(&self, _state: &State) -> usize {
        0
    }

    /// Number of selectable rows in the main list.
    fn rows(&self, state: &State) -> usize;

    /// How many list rows fit when the view is drawn in `body`.
    fn list_height(&self, body: Rect) -> usize;

    /// Where Enter on `row` leads.
    fn drill(&self, state: &State, row: usize) -> Option<Jump>;

    /// Whether this view can show `subject` in this state (the jump hook).
    fn accepts(&self, _state: &State, _subject: &Subject) -> bool {
        false
    }

    /// The subject that moving the cursor onto `row` selects, so every view
    /// shares one selection (a step picked in the Chain opens in Step).
    fn follow(&self, _state: &State, _row: usize) -> Option<Subject> {
        None
    }

    /// Selects `subject` in this view; called after `accepts` said yes.
    fn reveal(&self, _state: &mut State, _subject: &Subject) {}

    /// A key of this view's own (keymap `Context::View(id)`).
    fn act(&self, _state: &mut State, _action: ViewAction) {}

    /// What `y` copies from `row`: (what it is, the value).
    fn copy_value(&self, state: &State, row: usize) -> Option<(String, String)>;

    /// Draws the view into `area` of `buf`.
    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer);
}

/// The view behind an id.
pub fn get(id: ViewId) -> &'static dyn View {
    match id {
        ViewId::Overview => &overview::OverviewView,
        ViewId::Chain => &chain::ChainView,
        ViewId::Step => &step::StepView,
        ViewId::Artifact => &artifact::ArtifactView,
        ViewId::Trust => &trust::TrustView,
        ViewId::Findings => &findings::FindingsView,
        ViewId::Targets => &targets::TargetsView,
    }
}

/// The view that shows `subject`, other than the Findings list itself.
pub fn view_for(state: &State, subject: &Subject) -> Option<ViewId> {
    ViewId::ALL.iter().copied().find(|id| *id != ViewId::Findings && get(*id).accepts(state, subject))
}

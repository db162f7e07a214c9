//! The TUI's whole state: the result model, where the user is (view, pane,
//! cursor, breadcrumb, the one shared selection), what is open (help, the
//! input line), filters and the status line. Plain data; `update` changes
//! it, rendering only reads it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use time::OffsetDateTime;

use super::action::Notice;
use super::model::Model;
use super::session::UnitStatus;
use super::views::ViewId;
use crate::verdict::{Finding, Severity, Subject};

/// Where the current verification run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// Waiting for (more) results.
    Verifying,
    /// The latest run finished with a document.
    Done,
    /// The latest run could not produce a document.
    Failed(String),
}

/// A list position: the selected row and the first row shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` rows within `len`, keeping the selection inside a
    /// viewport of `height` rows.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        let target = self.selected.saturating_add_signed(delta);
        self.set(target, len, height);
    }

    pub fn set(&mut self, row: usize, len: usize, height: usize) {
        self.selected = row.min(len.saturating_sub(1));
        self.follow(height);
    }

    /// Scrolls so the selection is visible.
    pub fn follow(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

/// What the input line is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Search,
    Time,
    ExportDir,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::Search => "search: ",
            InputKind::Time => "evaluate at (RFC 3339, empty for now): ",
            InputKind::ExportDir => "export report to directory: ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub kind: InputKind,
    pub text: String,
}

/// A question the TUI asks before doing something (`y` yes, `n`/Esc no).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Run the layout's inspections: each one's name (with its sublayout
    /// scope) and argv after parameter substitution, exactly as they would run.
    RunInspections { commands: Vec<(String, Vec<String>)> },
}

/// Filters of the Findings view (and `f`, shared by all views).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `f`: errors only.
    pub failures_only: bool,
    pub severity: Option<Severity>,
    pub category: Option<String>,
}

impl Filters {
    pub fn admits(&self, f: &Finding) -> bool {
        (!self.failures_only || f.severity == Severity::Error)
            && self.severity.is_none_or(|s| s == f.severity)
            && self.category.as_ref().is_none_or(|c| c.as_str() == f.category.id())
    }

    pub fn is_default(&self) -> bool {
        *self == Filters::default()
    }
}

/// One step of the breadcrumb: where to return to on Esc/Backspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Crumb {
    pub view: ViewId,
    pub pane: usize,
    pub selection: Option<Subject>,
}

/// Everything the TUI knows.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// What is being verified ("demo", a path).
    pub label: String,
    pub run: Run,
    /// The generation of the latest requested run; older messages are dropped.
    pub generation: u64,
    /// The latest result, kept on screen while a re-run is under way.
    pub model: Option<Model>,
    /// Engine units and their status, for the run under way.
    pub units: BTreeMap<String, UnitStatus>,
    pub progress: Option<(u64, u64)>,
    pub view: ViewId,
    /// The focused pane of the current view (Tab cycles).
    pub pane: usize,
    pub cursors: BTreeMap<ViewId, Cursor>,
    /// Scroll of the focused detail pane.
    pub detail_scroll: u16,
    /// The one selection shared by all views: the subject the user drilled into.
    pub selection: Option<Subject>,
    pub breadcrumb: Vec<Crumb>,
    /// Help overlay open, with its scroll.
    pub help: Option<u16>,
    /// Number of lines of the help text (set once from the keymap).
    pub help_lines: usize,
    pub input: Option<InputLine>,
    /// An open confirmation popup.
    pub confirm: Option<Confirm>,
    /// The session can re-verify with the layout's inspections run (`I`).
    pub can_run_inspections: bool,
    /// The last search.
    pub search: Option<String>,
    /// Its hits across every view, and which one is shown (`n`/`N`).
    pub hits: Option<super::search::Hits>,
    /// The search index of the current result (built on the first search).
    pub search_index: Option<std::sync::Arc<super::search::Index>>,
    /// Chain: how far the graph is panned (columns right, rows down).
    pub graph_pan: (u16, u16),
    pub filters: Filters,
    /// Indices of the findings the filters admit; kept current by
    /// [`State::refilter`] whenever the model or the filters change.
    pub visible: Vec<usize>,
    pub notice: Option<Notice>,
    /// The evaluation time chosen with `t` (None: now).
    pub at: Option<OffsetDateTime>,
    pub watching: bool,
    /// Chain: the graph shows only the selected item's neighbourhood.
    pub focus: bool,
    /// Whether the session has files to watch.
    pub can_watch: bool,
    /// Where `e` writes unless the user types another directory.
    pub export_dir: PathBuf,
    /// Spinner frame, advanced by ticks while work runs.
    pub spinner: usize,
    /// The terminal size in cells.
    pub size: (u16, u16),
    /// Scenarios `a`/`A` switch between (the demo's), and the current one.
    pub scenarios: Vec<String>,
    pub scenario: usize,
    /// The scenario's story, shown in the Overview (raw).
    pub story: Option<String>,
    pub quit: bool,
    /// Workshop mode: the lesson pane (`None` outside a workshop).
    pub lesson: Option<super::lesson::LessonPane>,
}

impl State {
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            run: Run::Verifying,
            generation: 0,
            model: None,
            units: BTreeMap::new(),
            progress: None,
            view: ViewId::Overview,
            pane: 0,
            cursors: BTreeMap::new(),
            detail_scroll: 0,
            selection: None,
            breadcrumb: Vec::new(),
            help: None,
            help_lines: 0,
            input: None,
            confirm: None,
            can_run_inspections: false,
            search: None,
            hits: None,
            search_index: None,
            graph_pan: (0, 0),
            filters: Filters::default(),
            visible: Vec::new(),
            notice: None,
            at: None,
            watching: false,
            focus: false,
            can_watch: false,
            export_dir: PathBuf::from("."),
            spinner: 0,
            size: (80, 24),
            scenarios: Vec::new(),
            scenario: 0,
            story: None,
            quit: false,
            lesson: None,
        }
    }

    pub fn cursor(&self, view: ViewId) -> Cursor {
        self.cursors.get(&view).copied().unwrap_or_default()
    }

    pub fn cursor_mut(&mut self, view: ViewId) -> &mut Cursor {
        self.cursors.entry(view).or_default()
    }

    /// The findings of the model, in order.
    pub fn findings(&self) -> &[Finding] {
        self.model.as_ref().map_or(&[], |m| m.doc.findings.as_slice())
    }

    /// Indices of the findings the filters admit.
    pub fn visible_findings(&self) -> &[usize] {
        &self.visible
    }

    /// Recomputes [`State::visible`] after the model or the filters changed.
    pub fn refilter(&mut self) {
        let visible = self
            .findings()
            .iter()
            .enumerate()
            .filter(|(_, f)| self.filters.admits(f))
            .map(|(i, _)| i)
            .collect();
        self.visible = visible;
    }

    /// Whether `I` has something to offer: the session can run the
    /// inspections and the result shows some.
    pub fn offers_inspections(&self) -> bool {
        let chain = self.model.as_ref().and_then(|m| m.chain.as_ref());
        self.can_run_inspections
            && chain.is_some_and(|c| c.items.iter().any(|i| i.kind == super::chain::ItemKind::Inspection))
    }

    /// Whether work is under way (the spinner turns).
    pub fn busy(&self) -> bool {
        self.run == Run::Verifying
    }
}

//! What can happen to the TUI: actions in (from keys, the session, the
//! clock) and effects out (work the runtime does on the state's behalf).
//! Both are plain data, so `update` is a pure function that tests drive.

use std::path::PathBuf;

use time::OffsetDateTime;

use super::session::Message;
use super::views::ViewId;

/// Everything `update` reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: drill into the selection.
    Drill,
    /// Esc / Backspace: close, cancel, or go back along the breadcrumb.
    Back,
    NextPane,
    PrevPane,
    ShowView(ViewId),
    ToggleHelp,
    /// Overview: jump to the first failure.
    JumpFirstFailure,
    StartSearch,
    NextMatch,
    PrevMatch,
    ToggleFailuresOnly,
    CycleSeverity,
    CycleCategory,
    Copy,
    StartExport,
    Reverify,
    StartSetTime,
    ToggleWatch,
    /// The demo: open its next / previous scenario.
    NextScenario,
    PrevScenario,
    /// `I`: show the argv of every inspection and ask before running them.
    AskRunInspections,
    /// The confirmation popup: yes (run) / no (close).
    Confirm,
    CancelConfirm,
    /// A key only one view has (its `View::act`).
    View(ViewAction),
    /// Editing the input line (search, time, export directory).
    Input(InputAction),
    /// A message from the verification session.
    Session(Message),
    /// Something the runtime wants to tell the user (export done, copy sent).
    Notify(Notice),
    /// The terminal's new size in cells.
    Resize(u16, u16),
    /// Spinner frame while work runs.
    Tick,
    /// Workshop mode: a key of the lesson pane (`L`, `b`, `u`, and the
    /// pane's own keys while it has the focus).
    Lesson(super::lesson::LessonAction),
}

/// Keys of one view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewAction {
    /// Chain: show only the selected item's neighbourhood in the graph.
    ToggleFocus,
    /// Step: the next / previous rule (skipping artifact rows).
    NextRule,
    PrevRule,
    /// Step: jump to the materials / products table.
    Materials,
    Products,
    /// Chain, graph pane: pan the graph left / right (in the list pane
    /// these keys go back / drill in, as everywhere).
    PanLeft,
    PanRight,
}

/// Editing keys for the input line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputAction {
    Insert(char),
    DeleteBack,
    Submit,
    Cancel,
}

/// A status-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Error,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { level: NoticeLevel::Info, text: text.into() }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self { level: NoticeLevel::Error, text: text.into() }
    }
}

/// Work `update` asks the runtime to do; results come back as actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start verification generation `generation` (results of older
    /// generations are dropped when they arrive).
    Verify { generation: u64, at: Option<OffsetDateTime> },
    /// Copy to the clipboard (OSC 52).
    Copy { label: String, value: String },
    /// Write the Markdown and JSON report into `dir`.
    Export { dir: PathBuf },
    /// Start or stop watching the session's input files.
    Watch(bool),
    /// Replace the session with scenario `index` of [`crate::tui::state::State::scenarios`].
    OpenScenario(usize),
    /// Replace the session with the same inputs verified with the layout's
    /// inspections run (the user confirmed their argv).
    RunInspections,
    /// Workshop mode: apply or undo a break-it action on the scratch copy.
    Lesson(super::lesson::LessonEffect),
}

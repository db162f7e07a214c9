//! The screen's fixed frame: header (tabs and verdict), breadcrumb, the
//! view's body, the status line and the key bar. A pure function of the
//! terminal area, shared by rendering and by `update` (page sizes).

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the TUI draws in; below it a message says so.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub crumbs: Rect,
    pub body: Rect,
    pub status: Rect,
    pub bar: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [header, crumbs, body, status, bar] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas { header, crumbs, body, status, bar }
}

/// The body of a terminal of `size` cells.
pub fn body(size: (u16, u16)) -> Rect {
    areas(Rect::new(0, 0, size.0, size.1)).body
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

//! Which trust anchor a run started from, for the Overview: the trusted
//! root a TUF client bootstrapped with (its file, its version, and the
//! version trusted after root rotation), the layout in-toto verified and the
//! key ids of the layout keys it was given, or both for a bridge run. A
//! verdict means nothing without saying what it was anchored in: the same
//! repository passes from one root and fails from another.

use std::path::Path;

use crate::bridge::BridgeOutcome;
use crate::tuf::session::Outcome as TufOutcome;

/// The trust anchors of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchor {
    pub root: Option<RootAnchor>,
    pub layout: Option<LayoutAnchor>,
}

/// The trusted root a TUF client started from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootAnchor {
    /// The file, relative to the opened directory when it is below it.
    pub file: String,
    /// The version of that file; `None` when it did not load.
    pub version: Option<u64>,
    /// The root version trusted at the end of the run (after rotations).
    pub trusted: Option<u64>,
}

/// The layout in-toto verified, and the layout keys it was verified with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutAnchor {
    /// A file (relative to the opened directory when below it), or for a
    /// bridge run the TUF target path the layout came from.
    pub file: String,
    /// Whether `file` is a TUF target path (bridge) rather than a local file.
    pub from_tuf: bool,
    pub keyids: Vec<String>,
}

/// `path` relative to `base` when it is below it, else as given.
pub fn shown_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).display().to_string()
}

impl RootAnchor {
    /// The root `file` and the versions the run's trusted set holds: the
    /// first of its root history is the file itself.
    pub fn of_run(file: String, outcome: &TufOutcome) -> Self {
        let set = outcome.trusted.as_ref();
        Self {
            file,
            version: set.and_then(|s| s.root_history().first()).map(|r| r.meta.common.version),
            trusted: set.map(|s| s.root().meta.common.version),
        }
    }
}

impl Anchor {
    /// A TUF run from the trusted root `root_file`.
    pub fn tuf(root_file: String, outcome: &TufOutcome) -> Self {
        Self { root: Some(RootAnchor::of_run(root_file, outcome)), layout: None }
    }

    /// An in-toto run of `layout` with the layout keys `keyids`.
    pub fn intoto(layout: String, keyids: Vec<String>) -> Self {
        Self { root: None, layout: Some(LayoutAnchor { file: layout, from_tuf: false, keyids }) }
    }

    /// A bridge run: the trusted root, and the layout and layout keys TUF
    /// delivered (none when the run stopped before in-toto).
    pub fn bridge(root_file: String, outcome: &BridgeOutcome) -> Self {
        let layout = outcome.trace.layout.clone().map(|file| LayoutAnchor {
            file,
            from_tuf: true,
            keyids: outcome.trace.layout_keys.clone().unwrap_or_default(),
        });
        Self { root: Some(RootAnchor::of_run(root_file, &outcome.tuf)), layout }
    }
}

//! Renderers over one result model: the JSON document of DESIGN §4, the
//! Markdown auditor report, and text for people.

pub mod json;
pub mod markdown;
pub mod text;
pub mod text_bridge;
pub mod text_intoto;
pub mod tuf_text;

pub use json::{Document, Failure, Kind, TargetResult, Verdict};

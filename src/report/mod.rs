//! Renderers over one result model (DESIGN §2, §4): the JSON document, text
//! for people, the Markdown auditor report and SARIF 2.1.0 — plus the table
//! of categories behind `trailscope explain`.

pub mod categories;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;
pub mod text_bridge;
pub mod text_intoto;
pub mod tuf_text;

pub use json::{Document, Failure, Kind, TargetResult, Verdict};

/// What a run was given (files, URLs, options), as labelled raw strings in
/// the order given. The Markdown report lists them; SARIF puts them on the
/// invocation. Not part of the JSON document (schema_version 1), so a
/// re-rendered report (`trailscope report`) has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs(Vec<(String, String)>);

impl Inputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one input.
    pub fn add(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push((label.into(), value.into()));
        self
    }

    /// Adds one input when there is a value.
    pub fn add_opt(&mut self, label: impl Into<String>, value: Option<impl Into<String>>) -> &mut Self {
        if let Some(v) = value {
            self.add(label, v);
        }
        self
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(l, v)| (l.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

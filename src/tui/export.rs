//! `e`: writes the report as Markdown (for people) and JSON (the stable
//! document of DESIGN §4) into a directory, and says where.

use std::io;
use std::path::{Path, PathBuf};

use crate::verdict::Document;

pub const MARKDOWN_FILE: &str = "trailscope-report.md";
pub const JSON_FILE: &str = "trailscope-report.json";

/// Writes both files into `dir` (created if missing); returns their paths.
pub fn write(dir: &Path, doc: &Document) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let md = dir.join(MARKDOWN_FILE);
    let json = dir.join(JSON_FILE);
    std::fs::write(&md, crate::report::markdown::render(doc))?;
    let mut text = doc.to_json_string();
    text.push('\n');
    std::fs::write(&json, text)?;
    Ok(vec![md, json])
}

//! An in-toto outcome's files named for the reader ([`PathNames`]): the
//! layout, links and sublayouts, each inspection's scratch directory, and
//! every finding that names them.

use super::InTotoOutcome;
use super::trace::{LayoutTrace, LinkStatus};
use crate::verdict::paths::PathNames;

impl InTotoOutcome {
    /// Where its inspections ran (their scratch copies of the work directory).
    pub fn scratch_dirs(&self) -> Vec<String> {
        let mut out = Vec::new();
        scratch_dirs(&self.layout, &mut out);
        out
    }

    /// Renames every file it names as `names` does.
    pub fn rename_files(&mut self, names: &PathNames) {
        self.findings.iter_mut().for_each(|f| names.finding(f));
        rename_layout(names, &mut self.layout);
        for file in &mut self.files {
            names.path(&mut file.path);
        }
    }
}

fn rename_layout(names: &PathNames, layout: &mut LayoutTrace) {
    names.path(&mut layout.path);
    for step in &mut layout.steps {
        for link in &mut step.links {
            names.path(&mut link.path);
            if let LinkStatus::Malformed(why) | LinkStatus::BadSignature(why) = &mut link.status {
                names.text(why);
            }
        }
        for sub in &mut step.sublayouts {
            rename_layout(names, sub);
        }
    }
    for run in layout.inspections.iter_mut().filter_map(|i| i.execution.as_mut()) {
        let mut dir = run.dir.display().to_string();
        names.path(&mut dir);
        run.dir = dir.into();
        names.text(&mut run.stdout);
        names.text(&mut run.stderr);
    }
}

/// Where the inspections of `layout` and its sublayouts ran.
fn scratch_dirs(layout: &LayoutTrace, out: &mut Vec<String>) {
    out.extend(
        layout.inspections.iter().filter_map(|i| i.execution.as_ref()).map(|r| r.dir.display().to_string()),
    );
    for sub in layout.steps.iter().flat_map(|s| &s.sublayouts) {
        scratch_dirs(sub, out);
    }
}

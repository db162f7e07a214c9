//! The scratch copy a lesson plays on: the lesson's embedded scenario
//! written to a temporary directory (removed when the copy is dropped),
//! the break-it actions applied to it with an undo record, and
//! verification through the engine — one [`Engine`] per copy, so after an
//! edit only the units downstream of the changed files run again (the
//! others come from its cache). Nothing is ever written outside the copy.

use std::path::{Component, Path, PathBuf};

use time::OffsetDateTime;

use super::breakit::{self, BreakIt, Files};
use super::lesson::Lesson;
use crate::demo::{Kind, ScenarioInputs};
use crate::engine::plans::{intoto as intoto_plan, tuf as tuf_plan};
use crate::engine::{DiskSource, Engine, EngineConfig, Stats};
use crate::verdict::paths::PathNames;
use crate::verdict::{Document, Finding, Severity, Verdict};

/// A verification of the scratch copy.
#[derive(Debug, Clone)]
pub struct Verified {
    pub doc: Document,
    /// Engine units run for this verification, and reused from the cache
    /// (bridge scenarios are verified directly: both zero).
    pub executed: u64,
    pub reused: u64,
}

impl Verified {
    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.doc.findings.iter().filter(|f| f.severity == Severity::Error)
    }

    /// Whether an error finding of `category` is reported.
    pub fn has_error(&self, category: &str) -> bool {
        self.errors().any(|f| f.category.id() == category)
    }
}

/// One applied action: which it was and what it replaced.
#[derive(Debug, Clone)]
struct Applied {
    index: usize,
    /// Each changed file with its content before (`None`: did not exist).
    before: Vec<(String, Option<Vec<u8>>)>,
}

/// A lesson's scenario in a temporary directory.
pub struct Scratch {
    dir: tempfile::TempDir,
    /// The scenario itself: `dir`, or for an attestation scenario (whose
    /// trusted root is its set's, one directory up) `dir/NAME`.
    root: PathBuf,
    kind: Kind,
    inputs: ScenarioInputs,
    skip_inspections: bool,
    engine: Engine,
    /// A changed file is not an input of the loaded plan (the in-toto plan
    /// does not track the work directory, which the inspections' material
    /// rules read): the next verification starts a fresh engine, since the
    /// cache could not know the file changed.
    untracked_change: bool,
    applied: Vec<Applied>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").field("dir", &self.root).field("applied", &self.applied.len()).finish()
    }
}

struct Dir<'a>(&'a Path);

impl Files for Dir<'_> {
    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        let path = inside(self.0, rel)?;
        std::fs::read(&path).map_err(|e| format!("{rel}: {e}"))
    }
}

/// `rel` below `base`, refusing absolute paths and `..` (the lesson files
/// are ours, but nothing may be written outside the copy).
fn inside(base: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if p.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(base.join(p))
    } else {
        Err(format!("{rel} is not a path inside the scenario"))
    }
}

impl Scratch {
    /// Writes the lesson's scenario to a new temporary directory.
    pub fn new(lesson: &Lesson) -> Result<Self, String> {
        let (json, files) = super::scenario_files(&lesson.scenario)?;
        let dir = tempfile::Builder::new()
            .prefix("trailscope-workshop-")
            .tempdir()
            .map_err(|e| format!("cannot create a scratch directory: {e}"))?;
        let kind = Kind::of_scenario(&json);
        let root = match crate::demo::find(&lesson.scenario).filter(|_| kind == Kind::Attestation) {
            // Its set's trusted root goes beside it, where its `scenario.json` names it.
            Some(sc) => {
                sc.materialize(dir.path()).map_err(|e| format!("{}: {e}", dir.path().display()))?;
                sc.materialized(dir.path())
            }
            None => {
                for (rel, bytes) in files {
                    let path = inside(dir.path(), &rel)?;
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                    }
                    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                }
                dir.path().to_path_buf()
            }
        };
        Ok(Self {
            dir,
            root,
            kind,
            inputs: ScenarioInputs::from_json(&json),
            skip_inspections: lesson.skip_inspections,
            engine: Engine::new(EngineConfig::default(), DiskSource::default()),
            untracked_change: false,
            applied: Vec::new(),
        })
    }

    /// The scratch directory (what the TUI opens).
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The scenario's evaluation time.
    pub fn now(&self) -> OffsetDateTime {
        self.inputs.now.unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The indices of the actions applied, oldest first.
    pub fn applied(&self) -> Vec<usize> {
        self.applied.iter().map(|a| a.index).collect()
    }

    /// Applies break-it action `index` of `lesson`; returns the files it changed.
    pub fn apply(&mut self, lesson: &Lesson, index: usize) -> Result<Vec<PathBuf>, String> {
        let action: &BreakIt =
            lesson.breaks.get(index).ok_or_else(|| format!("no break-it action {index}"))?;
        let base = self.root.clone();
        let mut before: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let mut changed = Vec::new();
        for step in &action.steps {
            let rel = step.file();
            let path = inside(&base, rel)?;
            let edited = breakit::edit(step, &Dir(&base));
            let new = match edited {
                Ok(n) => n,
                Err(e) => {
                    self.restore(&before);
                    return Err(e);
                }
            };
            if !before.iter().any(|(r, _)| r == rel) {
                before.push((rel.to_owned(), std::fs::read(&path).ok()));
            }
            let written = match new {
                Some(bytes) => path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, bytes)),
                None => std::fs::remove_file(&path).or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                }),
            };
            if let Err(e) = written {
                self.restore(&before);
                return Err(format!("{rel}: {e}"));
            }
            changed.push(path);
        }
        self.applied.push(Applied { index, before });
        self.note_changes(&changed);
        Ok(changed)
    }

    /// Undoes the last action; returns its index and the files it restored.
    pub fn undo(&mut self) -> Option<(usize, Vec<PathBuf>)> {
        let last = self.applied.pop()?;
        self.restore(&last.before);
        let paths: Vec<PathBuf> = last.before.iter().map(|(rel, _)| self.root.join(rel)).collect();
        self.note_changes(&paths);
        Some((last.index, paths))
    }

    fn note_changes(&mut self, paths: &[PathBuf]) {
        if paths.iter().any(|p| self.engine.dependents_of_file(p).is_empty()) {
            self.untracked_change = true;
        }
    }

    fn restore(&self, before: &[(String, Option<Vec<u8>>)]) {
        for (rel, bytes) in before.iter().rev() {
            let path = self.root.join(rel);
            let _ = match bytes {
                Some(b) => std::fs::write(&path, b),
                None => std::fs::remove_file(&path),
            };
        }
    }

    fn rel(&self, opt: &Option<String>, key: &str) -> Result<PathBuf, String> {
        let rel = opt.as_deref().ok_or_else(|| format!("the scenario names no {key}"))?;
        inside(&self.root, rel)
    }

    /// Verifies the scratch copy as it is now (at the scenario's time).
    pub fn verify(&mut self) -> Result<Verified, String> {
        if std::mem::take(&mut self.untracked_change) {
            self.engine = Engine::new(EngineConfig::default(), DiskSource::default());
        }
        let before = self.engine.stats();
        let doc = match self.kind {
            Kind::InToto => self.verify_intoto()?,
            Kind::Tuf => self.verify_tuf()?,
            Kind::Bridge => return self.verify_bridge(),
            Kind::Attestation => return self.verify_attestation(),
        };
        let after = self.engine.stats();
        Ok(Verified {
            doc: self.relative(doc),
            executed: after.executed - before.executed,
            reused: after.reused - before.reused,
        })
    }

    fn verify_intoto(&self) -> Result<Document, String> {
        let i = &self.inputs;
        let mut keys = Vec::new();
        for rel in &i.layout_keys {
            let bytes = Dir(&self.root).read(rel)?;
            keys.push(crate::crypto::PublicKey::from_file_bytes(&bytes).map_err(|e| format!("{rel}: {e}"))?);
        }
        let mut o = crate::intoto::VerifyOptions::new(self.rel(&i.layout, "layout")?, keys);
        o.link_dir = self.rel(&i.link_dir, "link_dir")?;
        o.workdir = self.rel(&i.workdir, "workdir")?;
        o.params = i.params.clone();
        o.at = self.now();
        o.skip_inspections = self.skip_inspections;
        let built = intoto_plan::plan_in(&o, true, &DiskSource { max_len: o.max_metadata_bytes })
            .map_err(|e| e.to_string())?;
        self.engine.load(built.plan);
        let results = self.engine.wait();
        match results.output(&built.verdict) {
            Some(Ok(outcome)) => Ok(outcome.to_document()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("the in-toto verdict did not run".into()),
        }
    }

    fn verify_tuf(&self) -> Result<Document, String> {
        let i = &self.inputs;
        let opts = tuf_plan::TufOptions {
            root: self.rel(&i.trusted_root, "trusted_root")?,
            metadata: self.rel(&i.metadata_dir, "metadata_dir")?.display().to_string(),
            targets: Some(self.rel(&i.targets_dir, "targets_dir")?.display().to_string()),
            state: i.client_state.as_ref().map(|s| inside(&self.root, s)).transpose()?,
            save_state: false,
            at: self.now(),
            config: crate::tuf::Config::default(),
            target_paths: i.targets.clone(),
            all_roles: false,
        };
        let built = tuf_plan::plan_in(&opts, true, &DiskSource::default()).map_err(|e| e.to_string())?;
        self.engine.load(built.plan);
        let results = self.engine.wait();
        let outcome = results.output(&built.verdict).ok_or("the TUF verdict did not run")?;
        Ok(crate::tuf::report::document(outcome, false))
    }

    fn verify_bridge(&self) -> Result<Verified, String> {
        let i = &self.inputs;
        let root_path = self.rel(&i.trusted_root, "trusted_root")?;
        let root = std::fs::read(&root_path).map_err(|e| format!("{}: {e}", root_path.display()))?;
        let metadata = crate::tuf::DirSource::new(self.rel(&i.metadata_dir, "metadata_dir")?);
        let layout = metadata.source_layout();
        let targets =
            crate::tuf::DirSource::new(self.rel(&i.targets_dir, "targets_dir")?).with_source_layout(layout);
        let target = i.targets.first().ok_or("the scenario names no target")?;
        let mut req = crate::bridge::Request::new(
            root,
            root_path.display().to_string(),
            &metadata,
            &targets,
            target,
            self.now(),
        );
        req.skip_inspections = self.skip_inspections;
        let outcome = crate::bridge::verify(&req);
        Ok(Verified { doc: self.relative(outcome.to_document()), executed: 0, reused: 0 })
    }

    /// The bundle as `open` and `attest verify` verify it: the policy,
    /// artifact and trusted root its `scenario.json` names now (a break-it
    /// action may have replaced it), prepared by `sigstore::prepare`.
    fn verify_attestation(&self) -> Result<Verified, String> {
        let json: serde_json::Value = serde_json::from_slice(&Dir(&self.root).read("scenario.json")?)
            .map_err(|e| format!("scenario.json: {e}"))?;
        let text = |k: &str| json[k].as_str().map(str::to_owned);
        // An attestation scenario names its set's trusted root one level up,
        // which the scratch directory holds too.
        let path = |k: &str| -> Result<Option<PathBuf>, String> {
            let Some(rel) = text(k) else { return Ok(None) };
            match rel.strip_prefix("../") {
                Some(up) => inside(self.dir.path(), up).map(Some),
                None => inside(&self.root, &rel).map(Some),
            }
        };
        let req = crate::sigstore::prepare::Request {
            certificate_identity: text("certificate_identity"),
            certificate_oidc_issuer: text("certificate_oidc_issuer"),
            trusted_root: path("trusted_root")?,
            artifact: path("artifact")?.map(|p| p.display().to_string()),
            ..Default::default()
        };
        let at = self.inputs.now.unwrap_or_else(crate::meta::time::now);
        let p = crate::sigstore::prepare::prepare(&req, at, crate::tuf::Config::default())
            .map_err(|e| e.to_string())?;
        let bundle_rel = text("bundle").ok_or("the scenario names no bundle")?;
        let bundle = Dir(&self.root).read(&bundle_rel)?;
        let opts = p.options();
        let mut doc = crate::sigstore::verify::verify(&bundle, &bundle_rel, &opts);
        doc.inputs = p.files;
        Ok(Verified { doc: self.relative(doc), executed: 0, reused: 0 })
    }

    /// Paths shown relative to the scenario, never the temporary directory
    /// (the same lesson shows the same text on every machine).
    fn relative(&self, mut doc: Document) -> Document {
        // The scenario first: for an attestation it is below the scratch directory.
        for base in [self.root.as_path(), self.dir.path()] {
            let names = PathNames::new(Some(base), Vec::new());
            names.document(&mut doc);
            for i in &mut doc.inputs {
                names.path(&mut i.path);
            }
        }
        doc
    }

    /// The engine's counters (units run and reused so far).
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }
}

/// Whether a verification says what a break-it action expects.
pub fn meets(v: &Verified, expect: &breakit::Expect) -> bool {
    let verdict = match v.doc.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    };
    verdict == expect.verdict && (v.doc.category.id() == expect.category || v.has_error(&expect.category))
}

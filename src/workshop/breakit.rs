//! "Break it": the attacks a lesson lets the learner play, as data in the
//! lesson file. Each is a list of steps on the files of a scratch copy —
//! flip a byte, put another file in place, remove a file, drop a signature,
//! or edit a signed document and re-sign it with the keys the story gives
//! the attacker (the fixtures' deterministic keys, [`crate::crypto::signing`],
//! signed over OLPC canonical JSON, [`crate::meta::canonical`]). Nothing here
//! knows where the scratch copy is; [`super::scratch`] applies the edits.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::crypto::SigningKey;
use crate::crypto::signing::seed_from_label;

/// One attack of a lesson.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakIt {
    /// The menu entry ("replay an old timestamp").
    pub label: String,
    /// What the attacker holds and does (shown in the menu and the pane).
    pub attacker: String,
    /// The lesson's own words on what the new finding means.
    pub explain: String,
    /// What verification must say afterwards.
    pub expect: Expect,
    pub steps: Vec<Step>,
}

/// The verdict a break-it action leads to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `fail` (every attack the lessons play is caught).
    pub verdict: String,
    /// The category of an error finding verification reports afterwards.
    pub category: String,
}

/// One edit of the scratch copy; paths are relative to the scenario.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    /// Flip one bit of the file's middle byte.
    FlipByte { file: String },
    /// Put the content of another file of the scratch copy in place.
    Replace { file: String, with: String },
    /// Put the content of a file of another embedded scenario in place
    /// (`SET/NAME:path`), creating the file if it is new.
    ReplaceEmbedded { file: String, from: String },
    /// Remove the file.
    Remove { file: String },
    /// Remove one signature of a signed-JSON document (default: the last).
    DropSignature {
        file: String,
        #[serde(default)]
        index: Option<usize>,
    },
    /// Edit `signed` (JSON pointers below it → values) and replace the
    /// signatures with the keys named (`ed25519:LABEL` or `p256:LABEL`, the
    /// fixture generator's labels). `base` (default `file`) is the document
    /// edited; the result is written to `file`. A string value
    /// `$sha256:PATH` or `$length:PATH` is the digest or length of a file of
    /// the scratch copy as it is at that point.
    Resign {
        file: String,
        #[serde(default)]
        base: Option<String>,
        #[serde(default)]
        set: BTreeMap<String, toml::Value>,
        keys: Vec<String>,
    },
}

impl BreakIt {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("has no steps".into());
        }
        if crate::verdict::category::Category::from_id(&self.expect.category).is_none() {
            return Err(format!("expects the unknown category \u{2018}{}\u{2019}", self.expect.category));
        }
        for s in &self.steps {
            if let Step::Resign { keys, .. } = s {
                for k in keys {
                    key(k)?;
                }
            }
        }
        Ok(())
    }

    /// The files the action changes (for the undo record).
    pub fn files(&self) -> Vec<&str> {
        self.steps.iter().map(Step::file).collect()
    }
}

impl Step {
    pub fn file(&self) -> &str {
        match self {
            Step::FlipByte { file }
            | Step::Replace { file, .. }
            | Step::ReplaceEmbedded { file, .. }
            | Step::Remove { file }
            | Step::DropSignature { file, .. }
            | Step::Resign { file, .. } => file,
        }
    }
}

/// The fixture key a label names (`ed25519:workshop/online`); the same
/// derivation as the fixture generator's, so the attacker's re-signed
/// metadata is signed by exactly the key the story gives them.
pub fn key(spec: &str) -> Result<SigningKey, String> {
    let (kind, label) =
        spec.split_once(':').ok_or_else(|| format!("key \u{2018}{spec}\u{2019} is not KIND:LABEL"))?;
    let seed = seed_from_label(&format!("fixtures/{label}"));
    match kind {
        "ed25519" => Ok(SigningKey::ed25519_from_seed(&seed)),
        "p256" => Ok(SigningKey::p256_from_seed(&seed)),
        other => Err(format!("key kind \u{2018}{other}\u{2019} is neither ed25519 nor p256")),
    }
}

/// A file of the scratch copy, read by the edits.
pub trait Files {
    fn read(&self, rel: &str) -> Result<Vec<u8>, String>;
}

/// The new content of `step.file()` (`None`: remove it).
pub fn edit(step: &Step, files: &dyn Files) -> Result<Option<Vec<u8>>, String> {
    match step {
        Step::FlipByte { file } => {
            let mut bytes = files.read(file)?;
            let mid = bytes.len() / 2;
            let b = bytes.get_mut(mid).ok_or_else(|| format!("{file} is empty"))?;
            *b ^= 0x01;
            Ok(Some(bytes))
        }
        Step::Replace { with, .. } => files.read(with).map(Some),
        Step::ReplaceEmbedded { from, .. } => super::embedded_file(from).map(Some),
        Step::Remove { .. } => Ok(None),
        Step::DropSignature { file, index } => {
            let mut doc = json(file, &files.read(file)?)?;
            let sigs = doc
                .get_mut("signatures")
                .and_then(Value::as_array_mut)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("{file} has no signature to drop"))?;
            let i = index.unwrap_or(sigs.len() - 1).min(sigs.len() - 1);
            sigs.remove(i);
            Ok(Some(serialize(&doc)?))
        }
        Step::Resign { file, base, set, keys } => {
            let mut doc = json(file, &files.read(base.as_deref().unwrap_or(file))?)?;
            let signed = doc.get_mut("signed").ok_or_else(|| format!("{file} has no signed part"))?;
            for (pointer, value) in set {
                let value = resolve(value, files)?;
                put(signed, pointer, value).map_err(|e| format!("{file}: {e}"))?;
            }
            let msg = crate::meta::canonical::to_vec(signed).map_err(|e| format!("{file}: {e}"))?;
            let mut sigs = Vec::new();
            for k in keys {
                let k = key(k)?;
                sigs.push(serde_json::json!({"keyid": k.keyid(), "sig": k.sign_hex(&msg)}));
            }
            doc["signatures"] = Value::Array(sigs);
            Ok(Some(serialize(&doc)?))
        }
    }
}

fn json(file: &str, bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{file} is not JSON: {e}"))
}

fn serialize(doc: &Value) -> Result<Vec<u8>, String> {
    serde_json::to_vec(doc).map_err(|e| e.to_string())
}

/// A TOML value as JSON, with `$sha256:`/`$length:` computed.
fn resolve(value: &toml::Value, files: &dyn Files) -> Result<Value, String> {
    if let toml::Value::String(s) = value {
        if let Some(path) = s.strip_prefix("$sha256:") {
            return Ok(Value::String(crate::crypto::sha256_hex(&files.read(path)?)));
        }
        if let Some(path) = s.strip_prefix("$length:") {
            return Ok(Value::from(files.read(path)?.len()));
        }
    }
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// Sets the value at a JSON pointer, creating the last member if missing.
fn put(root: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (parent, last) =
        pointer.rsplit_once('/').ok_or_else(|| format!("{pointer} is not a JSON pointer"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let target = if parent.is_empty() { Some(root) } else { root.pointer_mut(parent) };
    match target {
        Some(Value::Object(m)) => {
            m.insert(last, value);
            Ok(())
        }
        _ => Err(format!("{parent} is not an object")),
    }
}

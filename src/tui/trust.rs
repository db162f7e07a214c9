//! The Trust view's rows (DESIGN §6): the TUF role tree root → targets →
//! delegations with keys, thresholds k-of-n and which signatures counted,
//! versions and expiry; the root history with what changed at each rotation;
//! and the in-toto side — layout keys → functionaries → steps. Built once per
//! result from `tuf::inspect::tree` and the [`Chain`]; plain rows of raw
//! (unsanitized) text that the view draws through the sanitizer.

use serde_json::Value;

use super::chain::{Chain, ItemKind};
use crate::verdict::Subject;

/// How a row's status reads (glyph and word; the theme adds colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    Bad,
    Warn,
    Expired,
    None,
}

impl Mark {
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::Ok => "✔",
            Mark::Bad => "✘",
            Mark::Warn => "⚠",
            Mark::Expired => "⧗",
            Mark::None => "·",
        }
    }
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub depth: usize,
    pub mark: Mark,
    /// A short status word after the glyph ("valid", "expired", "2/2").
    pub word: String,
    /// The row's text (raw metadata included: sanitized when drawn).
    pub text: String,
    /// Secondary text, drawn muted.
    pub note: String,
    pub subject: Option<Subject>,
    /// What `y` copies: (what it is, the value).
    pub copy: Option<(String, String)>,
    /// A section heading.
    pub heading: bool,
}

impl Row {
    fn new(depth: usize, mark: Mark, word: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            depth,
            mark,
            word: word.into(),
            text: text.into(),
            note: String::new(),
            subject: None,
            copy: None,
            heading: false,
        }
    }
    fn heading(text: impl Into<String>) -> Self {
        Self { heading: true, ..Self::new(0, Mark::None, "", text) }
    }
    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }
    fn subject(mut self, s: Subject) -> Self {
        self.subject = Some(s);
        self
    }
    fn key(mut self, keyid: &str) -> Self {
        self.copy = Some(("key id".to_owned(), keyid.to_owned()));
        self.subject.get_or_insert(Subject::Key { keyid: keyid.to_owned() });
        self
    }
}

/// Every row of the Trust view.
pub fn rows(tuf: Option<&Value>, chain: Option<&Chain>) -> Vec<Row> {
    let mut out = Vec::new();
    if let Some(tree) = tuf {
        tuf_rows(tree, &mut out);
    }
    if let Some(chain) = chain {
        intoto_rows(chain, &mut out);
    }
    out
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().map(s).collect()).unwrap_or_default()
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

fn expiry(v: &Value) -> (Mark, String, String) {
    let expired = v.get("expired").and_then(Value::as_bool).unwrap_or(false);
    let note = format!("v{} · expires {} ({})", s(&v["version"]), s(&v["expires"]), s(&v["expires_in"]));
    if expired { (Mark::Expired, "expired".into(), note) } else { (Mark::Ok, "valid".into(), note) }
}

/// "2 of 2 signatures counted (threshold 2)" and one row per signature.
fn signature_rows(depth: usize, sigs: &Value, out: &mut Vec<Row>) {
    if sigs.is_null() {
        return;
    }
    let threshold = sigs["threshold"].as_u64().unwrap_or(0);
    let valid = strings(&sigs["valid"]);
    let met = valid.len() as u64 >= threshold;
    let (mark, word) = if met { (Mark::Ok, "met") } else { (Mark::Bad, "not met") };
    out.push(Row::new(
        depth,
        mark,
        word,
        format!("threshold {threshold}: {} signature(s) counted", valid.len()),
    ));
    for c in sigs["checks"].as_array().into_iter().flatten() {
        let keyid = s(&c["keyid"]);
        let ok = c["valid"].as_bool().unwrap_or(false);
        let (mark, word) = if ok { (Mark::Ok, "counted") } else { (Mark::Bad, "not counted") };
        let reason = s(&c["reason"]);
        out.push(
            Row::new(depth + 1, mark, word, format!("signature {}", short(&keyid))).note(reason).key(&keyid),
        );
    }
}

fn tuf_rows(tree: &Value, out: &mut Vec<Row>) {
    out.push(Row::heading("TUF repository"));
    let root = &tree["root"];
    let (mark, word, note) = expiry(root);
    out.push(Row::new(0, mark, word, "root").note(note).subject(Subject::Role { name: "root".into() }));
    signature_rows(1, &root["signatures"], out);
    for k in root["keys"].as_array().into_iter().flatten() {
        out.push(key_row(2, k));
    }
    if let Some(roles) = root["roles"].as_object() {
        for (name, r) in roles {
            let ids = strings(&r["keyids"]);
            let text = format!("role {name}: {} of {} key(s)", s(&r["threshold"]), ids.len());
            let note = ids.iter().map(|i| short(i)).collect::<Vec<_>>().join(" ");
            out.push(
                Row::new(1, Mark::None, "", text).note(note).subject(Subject::Role { name: name.clone() }),
            );
        }
    }
    history_rows(root, out);
    let roles: Vec<&Value> = tree["roles"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    for name in ["timestamp", "snapshot"] {
        if let Some(r) = roles.iter().find(|r| r["name"] == name) {
            role_rows(r, 0, out);
        }
    }
    let mut seen = Vec::new();
    delegated_rows(&roles, "root", "targets", 0, &mut seen, out);
}

fn key_row(depth: usize, k: &Value) -> Row {
    let keyid = s(&k["keyid"]);
    let matches = k["id_matches"].as_bool().unwrap_or(true);
    let usable = k["usable"].as_bool().unwrap_or(true);
    let (mark, word) = match (matches, usable) {
        (true, true) => (Mark::Ok, "id matches"),
        (false, _) => (Mark::Warn, "id differs"),
        (true, false) => (Mark::Bad, "unusable"),
    };
    Row::new(depth, mark, word, format!("key {}", short(&keyid)))
        .note(format!("{}/{}", s(&k["keytype"]), s(&k["scheme"])))
        .key(&keyid)
}

fn history_rows(root: &Value, out: &mut Vec<Row>) {
    let versions = root["versions"].as_array().map(|a| a.len()).unwrap_or(0);
    let history: Vec<&Value> = root["history"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let text = format!("root history: {versions} version(s), {} rotation(s)", history.len());
    out.push(Row::new(1, Mark::None, "", text));
    for h in history {
        let mut changes = Vec::new();
        let added = strings(&h["keys_added"]);
        let removed = strings(&h["keys_removed"]);
        if !added.is_empty() {
            changes.push(format!("+{} key(s)", added.len()));
        }
        if !removed.is_empty() {
            changes.push(format!("−{} key(s)", removed.len()));
        }
        if let Some(roles) = h["roles"].as_object() {
            for (name, r) in roles {
                let t = strings(&r["threshold"]);
                let (a, d) = (strings(&r["keys_added"]).len(), strings(&r["keys_removed"]).len());
                let mut what = format!("{name}: +{a}/−{d} key(s)");
                if let [old, new] = t.as_slice()
                    && old != new
                {
                    what.push_str(&format!(", threshold {old}→{new}"));
                }
                changes.push(what);
            }
        }
        if !h["consistent_snapshot"].is_null() {
            changes.push(format!("consistent_snapshot → {}", s(&h["consistent_snapshot"])));
        }
        if changes.is_empty() {
            changes.push("no key or threshold change".into());
        }
        let text = format!("v{} → v{}: {}", s(&h["from"]), s(&h["to"]), changes.join("; "));
        out.push(Row::new(2, Mark::None, "", text));
        for k in added {
            out.push(Row::new(3, Mark::None, "added", format!("key {}", short(&k))).key(&k));
        }
        for k in removed {
            out.push(Row::new(3, Mark::None, "removed", format!("key {}", short(&k))).key(&k));
        }
    }
}

fn role_rows(r: &Value, depth: usize, out: &mut Vec<Row>) {
    let name = s(&r["name"]);
    let (mark, word, mut note) = expiry(r);
    if r["version"].is_null() {
        out.push(Row::new(depth, Mark::Warn, "not loaded", name.clone()).subject(Subject::Role { name }));
        return;
    }
    if let Some(n) = r["targets"].as_u64() {
        note.push_str(&format!(" · {n} target(s)"));
    }
    let delegator = s(&r["delegator"]);
    if depth > 0 || delegator != "root" {
        note.push_str(&format!(" · delegated by {delegator}"));
    }
    out.push(Row::new(depth, mark, word, name.clone()).note(note).subject(Subject::Role { name }));
    signature_rows(depth + 1, &r["signatures"], out);
}

/// targets and the roles it delegates to, depth first; a role reached
/// twice is shown once with "(also via …)".
fn delegated_rows(
    roles: &[&Value],
    delegator: &str,
    name: &str,
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut Vec<Row>,
) {
    if depth > 16 {
        return;
    }
    if seen.iter().any(|s| s == name) {
        out.push(Row::new(depth, Mark::None, "", name).note(format!("(also via {delegator})")));
        return;
    }
    seen.push(name.to_owned());
    let Some(role) = roles.iter().find(|r| r["name"] == name) else { return };
    role_rows(role, depth, out);
    for d in role["delegations"].as_array().into_iter().flatten() {
        let ids = strings(&d["keyids"]);
        if let Some(bins) = d.get("succinct_roles") {
            let text = format!(
                "→ {} succinct bins {}…{}: {} of {} key(s)",
                s(&bins["bins"]),
                s(&bins["first"]),
                s(&bins["last"]),
                s(&d["threshold"]),
                ids.len()
            );
            out.push(Row::new(depth + 1, Mark::None, "", text));
            continue;
        }
        let child = s(&d["name"]);
        let scope = d
            .get("paths")
            .or_else(|| d.get("path_hash_prefixes"))
            .map(|p| strings(p).join(", "))
            .unwrap_or_default();
        let terminating = if d["terminating"].as_bool().unwrap_or(false) { " · terminating" } else { "" };
        let text = format!("→ {child}: {} of {} key(s)", s(&d["threshold"]), ids.len());
        out.push(Row::new(depth + 1, Mark::None, "", text).note(format!("paths {scope}{terminating}")));
        if roles.iter().any(|r| r["name"] == child.as_str()) {
            delegated_rows(roles, name, &child, depth + 2, seen, out);
        }
    }
    for k in role["delegation_keys"].as_array().into_iter().flatten() {
        out.push(key_row(depth + 1, k));
    }
}

fn intoto_rows(chain: &Chain, out: &mut Vec<Row>) {
    out.push(Row::heading("in-toto layout"));
    let note = chain.expires.as_ref().map(|e| format!("expires {e}")).unwrap_or_default();
    out.push(
        Row::new(0, Mark::None, "", format!("layout {}", chain.layout))
            .note(note)
            .subject(Subject::Layout { path: chain.layout.clone() }),
    );
    for k in &chain.layout_keys {
        out.push(Row::new(1, Mark::Ok, "signed", format!("layout key {}", short(k))).key(k));
    }
    let mut functionaries: Vec<&String> = chain.items.iter().flat_map(|i| i.pubkeys.iter()).collect();
    functionaries.sort();
    functionaries.dedup();
    for f in functionaries {
        out.push(Row::new(1, Mark::None, "", format!("functionary {}", short(f))).key(f));
        for item in chain.items.iter().filter(|i| i.kind == ItemKind::Step && i.pubkeys.contains(f)) {
            let signed = item.verified.contains(f);
            let (mark, word) = if signed { (Mark::Ok, "signed") } else { (Mark::None, "no link") };
            let text = format!("step {}", item.display_name());
            let note = format!("{} of {} needed", item.verified.len(), item.threshold);
            out.push(
                Row::new(2, mark, word, text).note(note).subject(Subject::Step { name: item.name.clone() }),
            );
        }
    }
}

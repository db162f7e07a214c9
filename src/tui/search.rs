//! `/` searches every view at once (DESIGN §6): one index of what each view
//! lists, built from the result model — not from the text a view happens to
//! render — so a digest shown cut to `82f78c…`, a key id shown as its first
//! eight digits, a target path on a row scrolled out of sight, all match.
//! Identifiers (digests, key ids) match by prefix, with or without their
//! `sha256:` algorithm; names, paths, categories and messages match
//! anywhere, case-insensitively.
//!
//! The index is built on the first search of a result (a result nobody
//! searches costs nothing) and kept until the next result arrives. Hits are
//! in tab order, then row order, so `n`/`N` walk from view to view.

use std::sync::Arc;

use super::chain::Chain;
use super::state::State;
use super::views::ViewId;
use crate::report::evidence::search_text;
use crate::report::text::subject_label;

/// Where a hit is: a view and a row of its unfiltered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A row of the expiry timeline.
    Overview(usize),
    /// An item of the chain (index into `Chain::items`).
    Chain(usize),
    /// A row of one item's Step list (rules, materials, products).
    Step { item: usize, row: usize },
    /// A row of the sorted artifact list.
    Artifact(usize),
    /// A row of the Trust tree.
    Trust(usize),
    /// A finding (index into the document's findings).
    Findings(usize),
    /// A row of the Targets list.
    Targets(usize),
}

impl Place {
    pub fn view(self) -> ViewId {
        match self {
            Place::Overview(_) => ViewId::Overview,
            Place::Chain(_) => ViewId::Chain,
            Place::Step { .. } => ViewId::Step,
            Place::Artifact(_) => ViewId::Artifact,
            Place::Trust(_) => ViewId::Trust,
            Place::Findings(_) => ViewId::Findings,
            Place::Targets(_) => ViewId::Targets,
        }
    }
}

/// One searchable row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    place: Place,
    /// Lowercased words, matched anywhere.
    words: String,
    /// Lowercased identifiers (hex digests, key ids), matched by prefix.
    ids: Vec<Box<str>>,
}

/// Every view's rows, in tab order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    entries: Vec<Entry>,
    /// The generation of the result it was built from.
    pub generation: u64,
}

/// The last search and where `n`/`N` stand in its hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    pub query: String,
    pub places: Vec<Place>,
    /// Index into `places` of the hit shown.
    pub current: usize,
}

impl Index {
    /// The index of the state's result.
    pub fn build(state: &State) -> Self {
        let Some(model) = &state.model else { return Index::default() };
        let mut b = Builder { entries: Vec::new(), owners: &model.owners };
        for (row, e) in model.timeline.iter().enumerate() {
            b.push(Place::Overview(row), &[&e.label], &[]);
        }
        if let Some(chain) = model.chain.as_deref() {
            // An attestation's Step view is its Statement, indexed below, not the build's rows.
            chain_entries(&mut b, chain, model.attest.is_none());
        }
        if let Some(st) = model.attest.as_ref().and_then(|a| a.statement.as_ref()) {
            for (row, (text, id)) in super::views::statement::search_rows(st).into_iter().enumerate() {
                b.push(Place::Step { item: 0, row }, &[&text], &[id.as_str()]);
            }
        }
        for (row, r) in model.trust.rows.iter().enumerate() {
            let copy = r.copy.as_ref().map(|(_, v)| v.as_str()).unwrap_or_default();
            let subject = r.subject.as_ref().map(subject_label).unwrap_or_default();
            b.push(Place::Trust(row), &[&r.word, &r.text, &r.note, &subject, copy], &[copy]);
        }
        for (i, f) in model.doc.findings.iter().enumerate() {
            let evidence = search_text(&f.evidence);
            let words =
                [f.severity.word(), f.category.id(), &subject_label(&f.subject), &f.message, &evidence];
            let ids = hex_words(&evidence);
            b.push(Place::Findings(i), &words, &ids.iter().map(String::as_str).collect::<Vec<_>>());
        }
        if let Some(targets) = model.targets.as_deref() {
            for row in 0..targets.len() {
                let Some(t) = targets.row(row) else { continue };
                let hashes: Vec<&str> = t.hashes.iter().map(|(_, h)| h.as_str()).collect();
                let path = t.delegation_path.join(" ");
                b.push(
                    Place::Targets(row),
                    &[&t.path, t.role.as_deref().unwrap_or_default(), &path, t.result.word()],
                    &hashes,
                );
            }
        }
        Index { entries: b.entries, generation: state.generation }
    }

    /// The places matching `query`, in tab and row order.
    pub fn find(&self, query: &str) -> Vec<Place> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        // `sha256:82f78c` finds the digest 82f78c…
        let id = q.rsplit_once(':').map_or(q.as_str(), |(_, h)| h);
        self.entries
            .iter()
            .filter(|e| e.words.contains(&q) || (!id.is_empty() && e.ids.iter().any(|i| i.starts_with(id))))
            .map(|e| e.place)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

struct Builder<'m> {
    entries: Vec<Entry>,
    /// Key holders by key id: a row about a key is found by its holder's name.
    owners: &'m crate::verdict::Owners,
}

impl Builder<'_> {
    fn push(&mut self, place: Place, words: &[&str], ids: &[&str]) {
        let named = ids.iter().filter_map(|i| self.owners.get(*i)).map(String::as_str);
        let words: Vec<&str> = words.iter().copied().chain(named).filter(|w| !w.is_empty()).collect();
        let words = words.join("\n").to_lowercase();
        let ids = ids.iter().filter(|i| !i.is_empty()).map(|i| i.to_lowercase().into_boxed_str()).collect();
        self.entries.push(Entry { place, words, ids });
    }
}

/// Chain items (name, kind, functionary key ids, command), each Step row
/// (rules, artifact paths) and each artifact with every digest it had.
fn chain_entries(b: &mut Builder, chain: &Chain, steps: bool) {
    for (i, item) in chain.items.iter().enumerate() {
        let command = super::views::common::command_text(&item.command);
        let keys: Vec<&str> = item.pubkeys.iter().map(String::as_str).collect();
        let mut words = vec![item.kind.word(), &item.name, item.status.word(), &command];
        words.extend(keys.iter().copied());
        words.extend(item.scope.iter().map(String::as_str));
        b.push(Place::Chain(i), &words, &keys);
    }
    for (i, item) in chain.items.iter().enumerate().filter(|_| steps) {
        for (k, (section, rule)) in item.rules().enumerate() {
            let text = rule.text();
            b.push(Place::Step { item: i, row: k + 1 }, &[section.section_name(), &text], &[]);
        }
        let (m, p) = super::views::step::bounds(item);
        for (j, path) in item.material_paths.iter().enumerate() {
            b.push(Place::Step { item: i, row: m + 1 + j }, &[path], &[]);
        }
        for (j, path) in item.product_paths.iter().enumerate() {
            b.push(Place::Step { item: i, row: p + 1 + j }, &[path], &[]);
        }
    }
    // Digests live in the Artifact view: `/82f78c` lands on the artifact.
    for (row, path) in chain.artifact_paths().enumerate() {
        let prov = chain.provenance(path);
        let mut ids: Vec<&str> =
            prov.observations.iter().flat_map(|o| o.digests.iter().map(|(_, h)| h.as_str())).collect();
        ids.sort_unstable();
        ids.dedup();
        b.push(Place::Artifact(row), &[path], &ids);
    }
}

/// The hex words of a text (digests and key ids in evidence).
fn hex_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_hexdigit()).filter(|w| w.len() >= 8).map(str::to_owned).collect()
}

/// The index for the state's current result, built when missing or stale.
pub fn index(state: &mut State) -> Arc<Index> {
    match &state.search_index {
        Some(ix) if ix.generation == state.generation => ix.clone(),
        _ => {
            let ix = Arc::new(Index::build(state));
            state.search_index = Some(ix.clone());
            ix
        }
    }
}

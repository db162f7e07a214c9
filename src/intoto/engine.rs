//! The artifact rule engine (spec §4.3.3; python `verifylib.verify_item_rules`
//! and the `verify_*_rule` functions): the materials or products of one link
//! form a queue that the rules of one section consume in order. Only
//! DISALLOW (matched something still queued) and REQUIRE (name not queued)
//! fail; everything left at the end is implicitly allowed.
//!
//! Unlike python, evaluation does not stop at the first failing rule: every
//! rule gets a trace, and the first failure is marked so the caller can
//! report the one python would have raised.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::fnmatch::Pattern;
use super::model::{Artifacts, HashDict, Link};
use super::rule::{ArtifactRule, ArtifactType, MatchRule};
use crate::verdict::{RuleTrace, UnmatchedArtifact};

/// How one rule ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleOutcome {
    /// Consumed what it could (possibly nothing); never fails.
    Ok,
    /// DISALLOW matched these queued artifacts (sorted).
    Disallowed(Vec<String>),
    /// REQUIRE did not find its artifact in the queue.
    RequireMissing(String),
    /// The rule does not parse (python raises `FormatError`).
    Malformed(String),
}

/// One evaluated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub index: usize,
    /// The rule as written (after parameter substitution).
    pub elements: Vec<String>,
    pub parsed: Option<ArtifactRule>,
    pub outcome: RuleOutcome,
    pub trace: RuleTrace,
}

impl RuleResult {
    /// Upper-case keyword and the other elements joined by spaces (the
    /// corpus's `expect.rule` form).
    pub fn text(&self) -> String {
        rule_text(&self.elements)
    }

    pub fn failed(&self) -> bool {
        !matches!(self.outcome, RuleOutcome::Ok)
    }
}

/// `elements[0]` upper-cased, then the rest, joined by single spaces.
pub fn rule_text(elements: &[String]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(elements.len());
    for (i, e) in elements.iter().enumerate() {
        parts.push(if i == 0 { e.to_uppercase() } else { e.clone() });
    }
    parts.join(" ")
}

/// The result of one rule section (`expected_materials` or `expected_products`).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionResult {
    pub side: ArtifactType,
    /// All materials and products of the item's link (shared with the link).
    pub materials: Arc<Artifacts>,
    pub products: Arc<Artifacts>,
    pub rules: Vec<RuleResult>,
}

impl SectionResult {
    /// The first failing rule: the one python raises on.
    pub fn first_failure(&self) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.failed())
    }

    /// The section name as the layout spells it.
    pub fn section_name(&self) -> &'static str {
        match self.side {
            ArtifactType::Materials => "expected_materials",
            ArtifactType::Products => "expected_products",
        }
    }
}

/// Evaluates one section of rules of the item whose link is `link`, with
/// `links` being every link MATCH rules may name (python: the reduced chain,
/// plus inspection links for inspection rules).
pub fn verify_item_rules(
    side: ArtifactType,
    rules: &[Vec<String>],
    link: &Link,
    links: &BTreeMap<String, Link>,
) -> SectionResult {
    let source = link.artifacts(side);
    // The queue borrows the link's paths and stays sorted, so consuming is a
    // linear merge and nothing is copied per rule.
    let mut queue: Vec<&str> = source.keys().map(String::as_str).collect();
    let mut results = Vec::with_capacity(rules.len());
    for (index, elements) in rules.iter().enumerate() {
        let (before, before_count) = capped(&queue);
        let mut trace =
            RuleTrace { queue_before: before, queue_before_count: before_count, ..RuleTrace::default() };
        let parsed = ArtifactRule::parse(elements);
        let (outcome, consumed) = match &parsed {
            Err(e) => (RuleOutcome::Malformed(e.to_string()), Vec::new()),
            Ok(rule) => apply(rule, &queue, link, source, links, &mut trace),
        };
        if !consumed.is_empty() {
            queue = without(&queue, &consumed);
        }
        (trace.consumed, trace.consumed_count) = capped(&consumed);
        (trace.queue_after, trace.queue_after_count) = capped(&queue);
        results.push(RuleResult { index, elements: elements.clone(), parsed: parsed.ok(), outcome, trace });
    }
    SectionResult {
        side,
        materials: Arc::clone(&link.materials),
        products: Arc::clone(&link.products),
        rules: results,
    }
}

/// The first entries of a sorted list, as a trace keeps them, and its length.
fn capped(items: &[&str]) -> (Vec<String>, usize) {
    (items.iter().take(RuleTrace::LIST_LIMIT).map(|s| (*s).to_owned()).collect(), items.len())
}

/// `queue` minus `consumed`; both sorted, `consumed` a subset of `queue`.
fn without<'a>(queue: &[&'a str], consumed: &[&str]) -> Vec<&'a str> {
    if consumed.len() == queue.len() {
        // A subset as long as the queue is all of it (typically `MATCH *`).
        return Vec::new();
    }
    let mut out = Vec::with_capacity(queue.len().saturating_sub(consumed.len()));
    let mut gone = consumed.iter().peekable();
    for &a in queue {
        if gone.peek().is_some_and(|&&c| c == a) {
            gone.next();
        } else {
            out.push(a);
        }
    }
    out
}

fn glob<'a>(queue: &[&'a str], pattern: &str) -> Vec<&'a str> {
    let p = Pattern::new(pattern);
    queue.iter().copied().filter(|a| p.matches(a)).collect()
}

/// Looks keys up in an artifact map in ascending order by walking forward
/// from the previous hit instead of searching from the root each time: the
/// queue is sorted, so a whole rule costs one pass over the map. A key that
/// is not ahead of the cursor falls back to an ordinary search.
struct Cursor<'m> {
    map: &'m Artifacts,
    iter: std::iter::Peekable<std::collections::btree_map::Iter<'m, String, HashDict>>,
}

impl<'m> Cursor<'m> {
    fn new(map: &'m Artifacts) -> Self {
        Self { map, iter: map.iter().peekable() }
    }

    fn get(&mut self, key: &str) -> Option<&'m HashDict> {
        while self.iter.peek().is_some_and(|(k, _)| k.as_str() < key) {
            self.iter.next();
        }
        match self.iter.peek() {
            Some((k, v)) if k.as_str() == key => Some(*v),
            _ => self.map.get(key),
        }
    }
}

/// Applies one rule to the queue; returns what it consumed (sorted).
fn apply<'a>(
    rule: &ArtifactRule,
    queue: &[&'a str],
    link: &Link,
    source: &Artifacts,
    links: &BTreeMap<String, Link>,
    trace: &mut RuleTrace,
) -> (RuleOutcome, Vec<&'a str>) {
    let (mut m, mut p) = (Cursor::new(&link.materials), Cursor::new(&link.products));
    let consumed: Vec<&'a str> = match rule {
        ArtifactRule::Create(pat) => {
            glob(queue, pat).into_iter().filter(|a| p.get(a).is_some() && m.get(a).is_none()).collect()
        }
        ArtifactRule::Delete(pat) => {
            glob(queue, pat).into_iter().filter(|a| m.get(a).is_some() && p.get(a).is_none()).collect()
        }
        ArtifactRule::Modify(pat) => glob(queue, pat)
            .into_iter()
            .filter(|a| matches!((m.get(a), p.get(a)), (Some(x), Some(y)) if x != y))
            .collect(),
        ArtifactRule::Allow(pat) => glob(queue, pat),
        ArtifactRule::Disallow(pat) => {
            let hits: Vec<String> = glob(queue, pat).into_iter().map(str::to_owned).collect();
            if hits.is_empty() {
                Vec::new()
            } else {
                trace.offending = hits.clone();
                return (RuleOutcome::Disallowed(hits), Vec::new());
            }
        }
        ArtifactRule::Require(name) => {
            if queue.binary_search(&name.as_str()).is_ok() {
                Vec::new()
            } else {
                trace.offending = vec![name.clone()];
                return (RuleOutcome::RequireMissing(name.clone()), Vec::new());
            }
        }
        ArtifactRule::Match(mr) => verify_match_rule(mr, queue, source, links, trace),
    };
    (RuleOutcome::Ok, consumed)
}

/// `os.path.join(a, b)` for POSIX: `b` absolute replaces `a`; otherwise one
/// `/` between them unless `a` is empty or already ends with `/`.
pub fn path_join(a: &str, b: &str) -> String {
    if b.starts_with('/') || a.is_empty() {
        b.to_owned()
    } else if a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

fn hashes_value(h: &HashDict) -> Value {
    h.to_value()
}

/// `verify_match_rule`: consume queued artifacts (below the optional source
/// prefix, pattern applied to the rest) whose counterpart (below the optional
/// destination prefix) in the destination step has equal hashes.
fn verify_match_rule<'a>(
    rule: &MatchRule,
    queue: &[&'a str],
    source: &Artifacts,
    links: &BTreeMap<String, Link>,
    trace: &mut RuleTrace,
) -> Vec<&'a str> {
    let mut consumed: Vec<&'a str> = Vec::new();
    let mut out_of_order = false;
    let pattern = Pattern::new(&rule.pattern);
    let prefix = path_join(&rule.source_prefix, "");
    let mut dest = links.get(&rule.dest_name).map(|l| Cursor::new(l.artifacts(rule.dest_type)));
    let mut sources = Cursor::new(source);
    for &queued in queue {
        // Artifacts outside the source prefix are not candidates; the
        // pattern applies to the part below it.
        let rel = if rule.source_prefix.is_empty() {
            queued
        } else {
            match queued.strip_prefix(prefix.as_str()) {
                Some(rel) => rel,
                None => continue,
            }
        };
        if !pattern.matches(rel) {
            continue;
        }
        // python indexes the source artifacts with the re-joined path; a path
        // that does not round-trip (e.g. "p//x") would raise there. We skip it.
        let rejoined;
        let full_source = if rule.source_prefix.is_empty() {
            queued
        } else {
            rejoined = path_join(&rule.source_prefix, rel);
            rejoined.as_str()
        };
        let Some(src_hashes) = sources.get(full_source) else { continue };
        let joined;
        let full_dest = if rule.dest_prefix.is_empty() {
            rel
        } else {
            joined = path_join(&rule.dest_prefix, rel);
            joined.as_str()
        };
        let (dest_hashes, reason) = match dest.as_mut() {
            None => (None, "unknown-step"),
            Some(d) => match d.get(full_dest) {
                None => (None, "missing-destination"),
                Some(h) if h == src_hashes => {
                    // python removes the re-joined path from the queue; it is
                    // the queued name itself except for odd paths like "p//x".
                    if full_source == queued {
                        consumed.push(queued);
                    } else if let Ok(i) = queue.binary_search(&full_source)
                        && let Some(&q) = queue.get(i)
                    {
                        consumed.push(q);
                        out_of_order = true;
                    }
                    continue;
                }
                Some(h) => (Some(hashes_value(h)), "hash-mismatch"),
            },
        };
        trace.unmatched.push(UnmatchedArtifact {
            path: full_source.to_owned(),
            hashes: hashes_value(src_hashes),
            dest_step: rule.dest_name.clone(),
            dest_path: full_dest.to_owned(),
            dest_hashes,
            reason: reason.to_owned(),
        });
    }
    // Pushed in queue order (sorted, distinct) unless an odd path was
    // consumed under its re-joined name.
    if out_of_order {
        consumed.sort_unstable();
        consumed.dedup();
    }
    consumed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arts(list: &[(&str, &str)]) -> Artifacts {
        list.iter()
            .map(|(p, h)| (p.to_string(), HashDict::from([("sha256".to_string(), h.to_string())])))
            .collect()
    }

    fn link(m: &[(&str, &str)], p: &[(&str, &str)]) -> Link {
        let mut l = Link::empty(Some("x".into()));
        l.materials = arts(m).into();
        l.products = arts(p).into();
        l
    }

    fn rules(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter().map(|x| x.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn create_modify_delete_consume_from_their_side() {
        let l = link(&[("a", "1"), ("b", "1"), ("d", "1")], &[("a", "2"), ("b", "1"), ("c", "1")]);
        let r = verify_item_rules(
            ArtifactType::Products,
            &rules(&[&["CREATE", "*"], &["MODIFY", "*"], &["DISALLOW", "*"]]),
            &l,
            &BTreeMap::new(),
        );
        assert_eq!(r.rules[0].trace.consumed, vec!["c"]);
        assert_eq!(r.rules[1].trace.consumed, vec!["a"]);
        assert_eq!(r.first_failure().unwrap().outcome, RuleOutcome::Disallowed(vec!["b".into()]));
        let r = verify_item_rules(ArtifactType::Materials, &rules(&[&["DELETE", "*"]]), &l, &BTreeMap::new());
        assert_eq!(r.rules[0].trace.consumed, vec!["d"]);
    }

    #[test]
    fn require_checks_the_remaining_queue() {
        let l = link(&[], &[("a", "1")]);
        let r = verify_item_rules(
            ArtifactType::Products,
            &rules(&[&["ALLOW", "a"], &["REQUIRE", "a"]]),
            &l,
            &BTreeMap::new(),
        );
        assert_eq!(r.first_failure().unwrap().outcome, RuleOutcome::RequireMissing("a".into()));
    }

    #[test]
    fn match_with_prefixes_and_mismatch_trace() {
        let l = link(&[("src/x", "1"), ("src/y", "1"), ("other/z", "1")], &[]);
        let dest = link(&[], &[("lib/x", "1"), ("lib/y", "9")]);
        let links = BTreeMap::from([("build".to_string(), dest)]);
        let r = verify_item_rules(
            ArtifactType::Materials,
            &rules(&[&["MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "IN", "lib", "FROM", "build"]]),
            &l,
            &links,
        );
        let t = &r.rules[0].trace;
        assert_eq!(t.consumed, vec!["src/x"]);
        assert_eq!(t.unmatched.len(), 1);
        assert_eq!(t.unmatched[0].path, "src/y");
        assert_eq!(t.unmatched[0].dest_path, "lib/y");
        assert_eq!(t.unmatched[0].reason, "hash-mismatch");
        assert_eq!(t.queue_after, vec!["other/z", "src/y"]);
    }

    #[test]
    fn match_from_unknown_step_consumes_nothing() {
        let l = link(&[("a", "1")], &[]);
        let r = verify_item_rules(
            ArtifactType::Materials,
            &rules(&[&["MATCH", "*", "WITH", "PRODUCTS", "FROM", "nowhere"]]),
            &l,
            &BTreeMap::new(),
        );
        assert!(r.rules[0].trace.consumed.is_empty());
        assert_eq!(r.rules[0].trace.unmatched[0].reason, "unknown-step");
    }

    #[test]
    fn path_join_is_posix_join() {
        assert_eq!(path_join("a", ""), "a/");
        assert_eq!(path_join("a/", ""), "a/");
        assert_eq!(path_join("a", "b"), "a/b");
        assert_eq!(path_join("a", "/b"), "/b");
    }
}

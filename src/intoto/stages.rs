//! Each check of python in-toto's `verifylib.in_toto_verify` (3.1), once,
//! as a pure function of what it reads (in-toto spec v1.0 §5.2). The
//! headless verdict ([`super::verify_with`]), the engine's detail units and
//! the graph builder all call these, so none of them can disagree with
//! another about a signature, a threshold or a rule.
//!
//! In the reference's order; each function names the python function it
//! follows:
//!
//! 1. [`layout_signature`] — one given key on the layout (`verify_metadata_signatures`)
//! 2. [`expiry`] — `verify_layout_expiration`
//! 3. [`substitute_parameters`] / [`layout_of`] — `substitute_parameters`
//! 4. [`step_link_candidates`] / [`link_candidates`] — `load_links_for_layout`
//! 5. [`link_signature`] (one link) and [`link_threshold`] (one step) —
//!    `verify_link_signature_thresholds`
//! 8. [`threshold_constraints`] (`verify_threshold_constraints`) and
//!    [`reduced_link`] / [`reduce_chain_links`] (`reduce_chain_links`)
//! 9. [`rule_section`] — `verify_item_rules` for one section of a step
//!
//! Stages 6 (sublayouts), 7 (command alignment, warnings only) and 10–11
//! (inspections) need the whole verification context; they stay in
//! [`super::links`] and [`super::checks`].
//!
//! These functions decide; they do not phrase findings. The verdict turns
//! their results into findings, the engine into unit statuses.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;

use super::SignatureForm;
use super::agreement::{self, Differing};
use super::category;
use super::engine::{SectionResult, verify_item_rules};
use super::metadata::{Metadata, SigCheck};
use super::model::{Layout, LayoutKey, Link, Payload, Step};
use super::params::{self, FormatError};
use super::rule::ArtifactType;
use crate::crypto::PublicKey;

// ---------------------------------------------------------------------------
// Stage 1: layout signatures.

/// A key that must verify a (sub)layout.
#[derive(Debug, Clone)]
pub struct VerifierKey {
    /// The id python looks signatures up by (the key dict's `keyid`).
    pub keyid: String,
    pub subkeys: Vec<String>,
    pub key: Result<PublicKey, String>,
    /// Other ids of the same key material (modern/legacy formula), tried
    /// when no signature carries `keyid`.
    pub aliases: Vec<String>,
}

impl VerifierKey {
    /// A key given by the user (`--layout-keys`).
    pub fn given(key: &PublicKey) -> Self {
        let keyid = key.declared_keyid().map(str::to_owned).unwrap_or_else(|| key.keyid());
        let aliases = [key.keyid(), key.legacy_keyid()].into_iter().filter(|a| *a != keyid).collect();
        Self { keyid, subkeys: Vec::new(), key: Ok(key.clone()), aliases }
    }

    /// A functionary key of a layout, delegating a sublayout.
    pub fn from_layout_key(k: &LayoutKey) -> Self {
        Self { keyid: k.keyid.clone(), subkeys: k.subkeys.clone(), key: k.key.clone(), aliases: Vec::new() }
    }
}

/// One key's signature on a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutSignature {
    pub check: SigCheck,
    /// Set when no signature carries the key's id but one under another id
    /// of the same key material verifies (a weakness: python would report
    /// "No signature found").
    pub alias: Option<String>,
    /// The policy `check` is judged by.
    pub form: SignatureForm,
}

impl LayoutSignature {
    /// Whether the signature counts under [`LayoutSignature::form`].
    pub fn is_valid(&self) -> bool {
        self.form.accepts(&self.check)
    }

    /// The reference's message when the key does not verify the layout.
    pub fn error(&self, keyid: &str) -> Option<String> {
        match &self.check {
            SigCheck::Valid { .. } if self.is_valid() => None,
            SigCheck::Valid { .. } => {
                Some(format!("Invalid signature for keyid '{keyid}' ({FORM_ONLY_WRITTEN})"))
            }
            SigCheck::NoSignature => Some(format!("No signature found for key '{keyid}'")),
            SigCheck::Invalid(why) => Some(format!("Invalid signature for keyid '{keyid}' ({why})")),
        }
    }
}

/// Why a signature valid over the document as written does not count by default.
pub const FORM_ONLY_WRITTEN: &str =
    "valid only over the document as written, not over the object python in-toto rebuilds from it";

/// Whether a signature check is valid over the written form only (it counts
/// only under [`SignatureForm::Written`]).
pub fn only_written_form(check: &SigCheck) -> bool {
    matches!(check, SigCheck::Valid { raw: true, normalized: false })
}

/// Stage 1 for one key (python `verify_metadata_signatures`: every given
/// key must have a valid signature; `Metablock.verify_signature` picks the
/// first signature carrying the key's id).
pub fn layout_signature(meta: &Metadata, key: &VerifierKey, form: SignatureForm) -> LayoutSignature {
    let pk = match &key.key {
        Ok(pk) => pk,
        Err(why) => {
            let check = SigCheck::Invalid(format!("the key cannot verify signatures: {why}"));
            return LayoutSignature { check, alias: None, form };
        }
    };
    let check = meta.verify(&key.keyid, &key.subkeys, pk);
    if check == SigCheck::NoSignature {
        for alias in &key.aliases {
            let c = meta.verify(alias, &[], pk);
            if form.accepts(&c) {
                return LayoutSignature { check: c, alias: Some(alias.clone()), form };
            }
        }
    }
    LayoutSignature { check, alias: None, form }
}

// ---------------------------------------------------------------------------
// Stage 2: expiry.

/// Whether a layout has expired at the evaluation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    Valid,
    /// `expires <= at` (python: expired *at* the timestamp).
    Expired {
        expires: String,
    },
    /// No `expires`: python defaults it to one month after loading, so the
    /// layout never expires.
    NoExpiry,
}

/// Stage 2 (python `verify_layout_expiration`: `expires <= now` raises
/// `LayoutExpiredError`).
pub fn expiry(layout: &Layout, at: OffsetDateTime) -> Expiry {
    let Some(expires) = &layout.expires else { return Expiry::NoExpiry };
    // The model checked the spec form, so this parses.
    match crate::meta::time::parse(expires) {
        Ok(t) if t.at <= at => Expiry::Expired { expires: expires.clone() },
        _ => Expiry::Valid,
    }
}

// ---------------------------------------------------------------------------
// Stage 3: parameter substitution.

/// Why one element could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionCause {
    /// python `str.format` raised (`KeyError` for `{UNDEFINED}` or a brace
    /// group in a glob, `ValueError` for a stray brace, `IndexError`).
    Format(FormatError),
    /// An `expected_command`/`run` element that is not a string (python:
    /// `AttributeError`, it has no `format`); python's name of its type.
    NotAString(&'static str),
}

impl fmt::Display for SubstitutionCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(e) => write!(f, "{e}"),
            Self::NotAString(v) => write!(f, "AttributeError: '{v}' object has no attribute 'format'"),
        }
    }
}

/// One element of a step or inspection python's `substitute_parameters`
/// raises on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubstitutionError {
    /// The step or inspection name.
    pub item: String,
    pub is_inspection: bool,
    /// JSON pointer of the element inside the layout payload.
    pub pointer: String,
    pub cause: SubstitutionCause,
}

impl SubstitutionError {
    /// The reference's category: python in-toto raises `str.format`'s own
    /// exception (`KeyError`, `ValueError`, `IndexError`, `AttributeError`,
    /// `TypeError`) from `substitute_parameters`, on an element of the
    /// layout: the layout is not valid for these parameters, which the
    /// corpus vocabulary calls `metadata-invalid` (fixtures/interop/README.md).
    pub fn category(&self) -> crate::verdict::category::Category {
        category::METADATA_INVALID
    }
}

impl fmt::Display for SubstitutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parameter substitution failed for '{}': {}", self.item, self.cause)
    }
}

/// Stage 3 (python `substitute_parameters`): `str.format(**params)` over
/// every rule element, `expected_command` and `run` element, item by item
/// in python's order (each step's materials, products, command; then each
/// inspection's materials, products, run). Python raises on the first
/// failing element; here every one is returned, the first being python's,
/// and each is left as written.
pub fn substitute_parameters(
    layout: &mut Layout,
    p: &BTreeMap<String, String>,
) -> Result<(), Vec<SubstitutionError>> {
    let mut errors = Vec::new();
    for step in &mut layout.steps {
        let mut sub = Substitution { item: &step.name, is_inspection: false, params: p, errors: &mut errors };
        sub.rules(&step.pointer, "expected_materials", &mut step.expected_materials);
        sub.rules(&step.pointer, "expected_products", &mut step.expected_products);
        sub.argv(&format!("{}/expected_command", step.pointer), &mut step.expected_command);
    }
    for insp in &mut layout.inspect {
        let mut sub = Substitution { item: &insp.name, is_inspection: true, params: p, errors: &mut errors };
        sub.rules(&insp.pointer, "expected_materials", &mut insp.expected_materials);
        sub.rules(&insp.pointer, "expected_products", &mut insp.expected_products);
        sub.argv(&format!("{}/run", insp.pointer), &mut insp.run);
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Substitution within one step or inspection.
struct Substitution<'a> {
    item: &'a str,
    is_inspection: bool,
    params: &'a BTreeMap<String, String>,
    errors: &'a mut Vec<SubstitutionError>,
}

impl Substitution<'_> {
    fn fail(&mut self, pointer: String, cause: SubstitutionCause) {
        let item = self.item.to_owned();
        self.errors.push(SubstitutionError { item, is_inspection: self.is_inspection, pointer, cause });
    }

    fn rules(&mut self, pointer: &str, section: &str, rules: &mut [Vec<String>]) {
        for (i, rule) in rules.iter_mut().enumerate() {
            for el in rule.iter_mut() {
                match params::format(el, self.params) {
                    Ok(s) => *el = s,
                    Err(e) => self.fail(format!("{pointer}/{section}/{i}"), SubstitutionCause::Format(e)),
                }
            }
        }
    }

    fn argv(&mut self, pointer: &str, argv: &mut [Value]) {
        for (i, el) in argv.iter_mut().enumerate() {
            let cause = match el {
                Value::String(s) => match params::format(s, self.params) {
                    Ok(n) => {
                        *s = n;
                        continue;
                    }
                    Err(e) => SubstitutionCause::Format(e),
                },
                other => SubstitutionCause::NotAString(python_type(other)),
            };
            self.fail(format!("{pointer}/{i}"), cause);
        }
    }
}

/// python's name of the type `json.load` gives a JSON value.
fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A layout payload after stage 3.
#[derive(Debug, Clone)]
pub struct SubstitutedLayout {
    /// With every element that could be substituted substituted.
    pub layout: Layout,
    /// What python would have raised on (empty when substitution succeeded
    /// or no parameters were given).
    pub errors: Vec<SubstitutionError>,
}

/// The layout payload of `meta` (`None` when it is no layout), after stage
/// 3 when `params` is given.
pub fn layout_of(meta: &Metadata, params: Option<&BTreeMap<String, String>>) -> Option<SubstitutedLayout> {
    let Ok(Payload::Layout(l)) = &meta.payload else { return None };
    let mut layout = (**l).clone();
    let errors = match params {
        Some(p) => substitute_parameters(&mut layout, p).err().unwrap_or_default(),
        None => Vec::new(),
    };
    Some(SubstitutedLayout { layout, errors })
}

// ---------------------------------------------------------------------------
// Stage 4: link files.

/// One link file a step's functionaries could have written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCandidate {
    pub step: String,
    /// The authorized key id (or subkey id) whose prefix names the file.
    pub keyid: String,
    pub path: PathBuf,
}

/// `<step>.<keyid[:8]>.link`.
pub fn link_file_name(step: &str, keyid: &str) -> String {
    let prefix: String = keyid.chars().take(8).collect();
    format!("{step}.{prefix}.link")
}

/// The directory a sublayout delivered as `step`'s link by `keyid` reads its
/// links from (python: `<link_dir>/<step>.<keyid[:8]>`).
pub fn sublayout_link_dir(link_dir: &Path, step: &str, keyid: &str) -> PathBuf {
    let prefix: String = keyid.chars().take(8).collect();
    link_dir.join(format!("{step}.{prefix}"))
}

/// A step name that would make the link path leave the link directory;
/// such a step's links are not read.
pub fn unsafe_step_name(name: &str) -> bool {
    name.contains('\0') || name.starts_with('/') || name.split('/').any(|c| c == "..")
}

/// Stage 4 for one step (python `load_links_for_layout`): the link files
/// looked up for it, one per authorized key id and each of its GPG
/// subkeys, in `pubkeys` order, once each. None for an unsafe step name.
pub fn step_link_candidates(layout: &Layout, step: &Step, link_dir: &Path) -> Vec<LinkCandidate> {
    if unsafe_step_name(&step.name) {
        return Vec::new();
    }
    let mut ids: Vec<&String> = Vec::new();
    for authorized in &step.pubkeys {
        let subkeys = layout.keys.get(authorized).map(|k| k.subkeys.as_slice()).unwrap_or_default();
        for id in std::iter::once(authorized).chain(subkeys) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .map(|keyid| LinkCandidate {
            step: step.name.clone(),
            keyid: keyid.clone(),
            path: link_dir.join(link_file_name(&step.name, keyid)),
        })
        .collect()
}

/// Stage 4 for the whole layout: [`step_link_candidates`] of every step,
/// in step order.
pub fn link_candidates(layout: &Layout, link_dir: &Path) -> Vec<LinkCandidate> {
    layout.steps.iter().flat_map(|step| step_link_candidates(layout, step, link_dir)).collect()
}

/// A stage-4 preliminary check (python raises `LinkNotFoundError`): fewer
/// link files found than the step's threshold.
pub fn enough_link_files(step: &Step, found: usize) -> bool {
    i64::try_from(found).unwrap_or(i64::MAX) >= step.threshold
}

// ---------------------------------------------------------------------------
// Stage 5: link signatures and thresholds.

/// The key that verifies the link filed under `link_keyid` for `step`: the
/// authorized key, the main key of an authorized subkey, or the main key the
/// link's subkey belongs to; `None` when no layout key is authorized for it
/// (python logs "Skipping link" and ignores it).
pub fn verification_key<'a>(layout: &'a Layout, step: &Step, link_keyid: &str) -> Option<&'a LayoutKey> {
    step.pubkeys.iter().find_map(|auth| {
        let key = layout.keys.get(auth);
        if link_keyid == auth {
            if key.is_some() {
                return key;
            }
            // python's `main_keys_for_subkeys` dict: the last main key listing it.
            if let Some(main) = layout.keys.values().rev().find(|k| k.subkeys.iter().any(|s| s == auth)) {
                return Some(main);
            }
        }
        key.filter(|k| k.subkeys.iter().any(|s| s == link_keyid))
    })
}

/// One link's signature by its functionary.
#[derive(Debug, Clone)]
pub enum LinkSignature<'a> {
    /// No layout key is authorized for the link's key id.
    Unauthorized,
    /// Checked with this (main) key, judged by `form`.
    Checked { key: &'a LayoutKey, check: SigCheck, form: SignatureForm },
}

impl<'a> LinkSignature<'a> {
    /// The key that validly signed the link: it counts towards the threshold.
    pub fn valid_key(&self) -> Option<&'a LayoutKey> {
        match self {
            Self::Checked { key, check, form } if form.accepts(check) => Some(key),
            _ => None,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.valid_key().is_some()
    }

    /// Why the link does not count; `None` when it does.
    pub fn reason(&self) -> Option<String> {
        match self {
            Self::Unauthorized => Some("no layout key for this authorized key id".into()),
            Self::Checked { check: SigCheck::Valid { .. }, .. } if self.is_valid() => None,
            Self::Checked { key, check: SigCheck::Valid { .. }, .. } => {
                Some(format!("Invalid signature for keyid '{}' ({FORM_ONLY_WRITTEN})", key.keyid))
            }
            Self::Checked { key, check: SigCheck::NoSignature, .. } => {
                Some(format!("No signature found for key '{}'", key.keyid))
            }
            Self::Checked { check: SigCheck::Invalid(why), .. } => Some(why.clone()),
        }
    }
}

/// Stage 5 for one link (python `verify_link_signature_thresholds`, the
/// loop body): the link filed under `link_keyid` for `step`, checked with
/// its [`verification_key`].
pub fn link_signature<'a>(
    layout: &'a Layout,
    step: &Step,
    link_keyid: &str,
    meta: &Metadata,
    form: SignatureForm,
) -> LinkSignature<'a> {
    let Some(key) = verification_key(layout, step, link_keyid) else { return LinkSignature::Unauthorized };
    let check = match &key.key {
        Ok(pk) => meta.verify(&key.keyid, &key.subkeys, pk),
        Err(why) => SigCheck::Invalid(format!("the functionary key cannot verify signatures: {why}")),
    };
    LinkSignature::Checked { key, check, form }
}

/// A step's threshold against its validly signed links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub needed: i64,
    /// The distinct (main) key ids of the validly signed links.
    pub distinct: BTreeSet<String>,
}

impl Threshold {
    pub fn met(&self) -> bool {
        i64::try_from(self.distinct.len()).unwrap_or(i64::MAX) >= self.needed
    }
}

/// Stage 5 for one step (python: `len(set(used_main_keyids)) <
/// step.threshold` raises `ThresholdVerificationError`): `valid_keyids` are
/// the key ids of [`LinkSignature::valid_key`] of the step's links.
pub fn link_threshold<'k>(step: &Step, valid_keyids: impl IntoIterator<Item = &'k str>) -> Threshold {
    Threshold { needed: step.threshold, distinct: valid_keyids.into_iter().map(str::to_owned).collect() }
}

// ---------------------------------------------------------------------------
// Stage 8: threshold agreement and the reduced chain.

/// Two validly signed links of one step that report different artifacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The key ids the two link files are named after.
    pub first: String,
    pub other: String,
    /// The artifacts whose hashes differ (or that only one lists), with
    /// both digests each.
    pub differing: Differing,
}

/// Stage 8 for one step (python `verify_threshold_constraints`): with a
/// threshold above 1, every link that passed stages 5–6 (`links`, in
/// order, by the key id naming its file) must report the same materials
/// and products as the first. Fewer links than the threshold is stage 5's
/// failure, not reported again.
pub fn threshold_constraints(step: &Step, links: &[(&str, &Link)]) -> Result<(), Disagreement> {
    if step.threshold <= 1 || i64::try_from(links.len()).unwrap_or(i64::MAX) < step.threshold {
        return Ok(());
    }
    let Some((first_id, first)) = links.first() else { return Ok(()) };
    for (other_id, other) in links.iter().skip(1) {
        if first.materials != other.materials || first.products != other.products {
            return Err(Disagreement {
                first: (*first_id).to_owned(),
                other: (*other_id).to_owned(),
                differing: agreement::differing(first, other),
            });
        }
    }
    Ok(())
}

/// python `reduce_chain_links` for one step: the first of its links, in
/// `pubkeys` order, that passed stages 5–6 (`None` entries did not).
pub fn reduced_link<T>(links: impl IntoIterator<Item = Option<T>>) -> Option<T> {
    links.into_iter().flatten().next()
}

/// python `reduce_chain_links`: [`reduced_link`] of every step that has one,
/// by step name (a later step of the same name replaces an earlier one, as
/// in python's dict).
pub fn reduce_chain_links<K, T, L>(chain: impl IntoIterator<Item = (K, L)>) -> BTreeMap<K, T>
where
    K: Ord,
    L: IntoIterator<Item = Option<T>>,
{
    let mut out = BTreeMap::new();
    for (step, links) in chain {
        if let Some(link) = reduced_link(links) {
            out.insert(step, link);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Stage 9: step rules.

/// The rules of one section of a step.
pub fn rules_of(step: &Step, side: ArtifactType) -> &[Vec<String>] {
    match side {
        ArtifactType::Materials => &step.expected_materials,
        ArtifactType::Products => &step.expected_products,
    }
}

/// Stage 9 for one section of a step (python `verify_item_rules`): its
/// rules over `link` (the step's reduced link), MATCH reading `reduced`
/// (the reduced chain). The section fails iff
/// [`SectionResult::first_failure`] is some.
pub fn rule_section(
    step: &Step,
    side: ArtifactType,
    link: &Link,
    reduced: &BTreeMap<String, Link>,
) -> SectionResult {
    verify_item_rules(side, rules_of(step, side), link, reduced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn layout_with_rule(rule: &[&str]) -> Layout {
        let v = serde_json::json!({
            "_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "readme": "",
            "steps": [{"_type": "step", "name": "build", "threshold": 1, "pubkeys": [],
                       "expected_command": ["make", "{PROJECT}"], "expected_materials": [rule],
                       "expected_products": []}],
            "inspect": [{"_type": "inspection", "name": "untar", "run": ["tar", "{PROJECT}.tgz"],
                         "expected_materials": [], "expected_products": []}],
        });
        super::super::model::parse_layout(&v).unwrap()
    }

    #[test]
    fn substitution_of_an_undefined_name_is_pythons_key_error_and_error_other() {
        let mut l = layout_with_rule(&["CREATE", "{UNDEFINED}"]);
        let errors = substitute_parameters(&mut l, &map(&[("PROJECT", "gizmo")])).unwrap_err();
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!((e.item.as_str(), e.pointer.as_str()), ("build", "/steps/0/expected_materials/0"));
        assert_eq!(e.cause, SubstitutionCause::Format(FormatError::Key("UNDEFINED".into())));
        assert_eq!(e.category(), "metadata-invalid");
        assert_eq!(e.to_string(), "parameter substitution failed for 'build': KeyError: 'UNDEFINED'");
        // The other elements are still substituted.
        assert_eq!(l.steps[0].expected_command, vec![Value::from("make"), Value::from("gizmo")]);
        assert_eq!(l.inspect[0].run[1], Value::from("gizmo.tgz"));
    }

    #[test]
    fn substitution_of_a_stray_brace_is_pythons_value_error() {
        let mut l = layout_with_rule(&["ALLOW", "*.py}"]);
        let errors = substitute_parameters(&mut l, &map(&[("PROJECT", "gizmo")])).unwrap_err();
        assert_eq!(
            errors[0].cause,
            SubstitutionCause::Format(FormatError::Value("Single '}' encountered in format string".into()))
        );
        // A brace group in a glob is a KeyError in python, too.
        let mut l = layout_with_rule(&["ALLOW", "*.{py,txt}"]);
        let errors = substitute_parameters(&mut l, &map(&[("PROJECT", "gizmo")])).unwrap_err();
        assert_eq!(errors[0].cause, SubstitutionCause::Format(FormatError::Key("py,txt".into())));
    }

    #[test]
    fn threshold_counts_distinct_keys() {
        let l = layout_with_rule(&["ALLOW", "*"]);
        let mut step = l.steps[0].clone();
        step.threshold = 2;
        assert!(!link_threshold(&step, ["a", "a"]).met());
        assert!(link_threshold(&step, ["a", "b"]).met());
    }

    #[test]
    fn the_reduced_link_is_the_first_that_passed() {
        assert_eq!(reduced_link([None, Some(2), Some(3)]), Some(2));
        let chain = reduce_chain_links([("a", vec![None, Some(1)]), ("b", vec![None])]);
        assert_eq!(chain, BTreeMap::from([("a", 1)]));
    }
}

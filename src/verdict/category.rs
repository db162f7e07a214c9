//! Every category a finding or a verdict can carry, with what it means: the
//! single source of truth behind `trailscope explain`, the SARIF rules and
//! the Markdown report.
//!
//! Three reference vocabularies, verbatim (DESIGN §3): in-toto
//! (`corpus/README.md`), TUF (`corpus/README-tuf.md`) and the bridge's own
//! (`corpus/README-bridge.md`); plus our own kebab-case warning and note
//! categories. A test collects the categories the code can put on a finding
//! (the constants and the literals at every `Finding::…` call site) and
//! checks each one is in [`CATEGORIES`].

use crate::verdict::Severity;

/// Where a category comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vocabulary {
    /// python in-toto's outcomes (corpus/README.md).
    InToto,
    /// python-tuf's outcomes (corpus/README-tuf.md).
    Tuf,
    /// The bridge stages' own outcomes (corpus/README-bridge.md).
    Bridge,
    /// trailscope's warnings and notes: weaknesses the references accept,
    /// and observations.
    Trailscope,
}

impl Vocabulary {
    pub const ALL: [Vocabulary; 4] =
        [Vocabulary::InToto, Vocabulary::Tuf, Vocabulary::Bridge, Vocabulary::Trailscope];

    pub fn title(self) -> &'static str {
        match self {
            Vocabulary::InToto => "in-toto (the vocabulary of python in-toto 3.1, corpus/README.md)",
            Vocabulary::Tuf => "TUF (the vocabulary of python-tuf 7.0 ngclient, corpus/README-tuf.md)",
            Vocabulary::Bridge => "bridge (TUF distributes in-toto; corpus/README-bridge.md)",
            Vocabulary::Trailscope => "trailscope's own warnings and notes (errors under --strict)",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Vocabulary::InToto => "in-toto",
            Vocabulary::Tuf => "tuf",
            Vocabulary::Bridge => "bridge",
            Vocabulary::Trailscope => "trailscope",
        }
    }
}

/// One category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryInfo {
    /// The category, exactly as findings and the JSON document carry it.
    pub id: &'static str,
    pub vocabulary: Vocabulary,
    /// The severity a finding of this category has by default (`None` for
    /// the verdict-only words `pass` and `ok`). Warnings become errors under
    /// `--strict`.
    pub severity: Option<Severity>,
    /// One line: what it means.
    pub summary: &'static str,
    /// Which check produces it (and the reference exception it mirrors).
    pub produced_by: &'static str,
    /// What to look at when you see it.
    pub look_at: &'static str,
}

impl CategoryInfo {
    /// The paragraph `trailscope explain CATEGORY` prints (without wrapping).
    pub fn paragraph(&self) -> String {
        format!("{} {} {}", self.summary, self.produced_by, self.look_at)
    }
}

/// A category: a handle on one entry of the registry below. There is no way
/// to make one from an arbitrary string except [`Category::from_id`], which
/// only finds registered ones, so a finding can only carry a category that
/// `explain`, SARIF and the Markdown report know. It serializes as its id.
#[derive(Clone, Copy)]
pub struct Category(&'static CategoryInfo);

impl Category {
    /// The id, exactly as findings and the JSON document carry it.
    pub fn id(self) -> &'static str {
        self.0.id
    }

    /// Same as [`Category::id`].
    pub fn as_str(self) -> &'static str {
        self.0.id
    }

    pub fn info(self) -> &'static CategoryInfo {
        self.0
    }

    /// The registered category with this id.
    pub fn from_id(id: &str) -> Option<Category> {
        CATEGORIES.iter().copied().find(|c| c.id() == id)
    }
}

// Identity is the id: two constants naming one entry may live at different
// addresses.
impl PartialEq for Category {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Category {}

impl PartialOrd for Category {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Category {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(other.id())
    }
}

impl std::hash::Hash for Category {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

// Read-only, a category is its id: renderers take it wherever they take text.
impl std::ops::Deref for Category {
    type Target = str;
    fn deref(&self) -> &str {
        self.id()
    }
}

impl PartialEq<str> for Category {
    fn eq(&self, other: &str) -> bool {
        self.id() == other
    }
}

impl PartialEq<&str> for Category {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

impl PartialEq<Category> for &str {
    fn eq(&self, other: &Category) -> bool {
        *self == other.id()
    }
}

impl std::fmt::Debug for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Category {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Category::from_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!("{id:?} is not a category this version of trailscope knows"))
        })
    }
}

const E: Option<Severity> = Some(Severity::Error);
const W: Option<Severity> = Some(Severity::Warning);
const I: Option<Severity> = Some(Severity::Info);

macro_rules! cat {
    ($id:literal, $voc:ident, $sev:expr, $summary:literal, $produced:literal, $look:literal $(,)?) => {
        Category(&CategoryInfo {
            id: $id,
            vocabulary: Vocabulary::$voc,
            severity: $sev,
            summary: $summary,
            produced_by: $produced,
            look_at: $look,
        })
    };
}

// Every category, grouped by vocabulary: one constant each, so code names
// a category by a constant the compiler checks, never by a string.

// ---- in-toto (corpus/README.md) ----
pub const PASS: Category = cat!(
    "pass",
    InToto,
    None,
    "The in-toto supply chain verified; warnings may still be present.",
    "It is the verdict category of `trailscope verify` (and of a bridge run) when no finding is an error.",
    "Read the warnings: they name weaknesses python in-toto accepts (run with --strict to make them fail)."
);
pub const LAYOUT_SIGNATURE: Category = cat!(
    "layout-signature",
    InToto,
    E,
    "A given layout key has no signature on the (sub)layout, or an invalid one.",
    "Produced by the first stage of in-toto verification, the layout signature check: every key given with --layout-keys must have a valid signature (python in-toto's SignatureVerificationError).",
    "Look at the layout's `signatures` (key ids, and whether the file was edited after signing) and at the keys you passed: each one must have signed this exact layout."
);
pub const LAYOUT_EXPIRED: Category = cat!(
    "layout-expired",
    InToto,
    E,
    "The (sub)layout's `expires` is at or before the evaluation time.",
    "Produced by the layout expiry check (LayoutExpiredError): `expires <= now` fails, where now is --at or the clock.",
    "Compare the finding's `expires` with `evaluated at`; the project owner must re-sign the layout with a later expiry (or use --at to evaluate at the time of the release)."
);
pub const METADATA_INVALID: Category = cat!(
    "metadata-invalid",
    InToto,
    E,
    "A layout or link file cannot be parsed or is not valid in-toto metadata.",
    "Produced while loading the layout, links or sublayouts, and by a rule that does not parse (FormatError, InvalidMetadata, JSONDecodeError in the reference). `verify` exits 3 when the layout file named on the command line is malformed, 1 for anything else (a link, a sublayout).",
    "Open the file and JSON pointer the finding names: a missing or mistyped member, a rule that is not in the grammar, or bytes that are not JSON."
);
pub const LINK_MISSING: Category = cat!(
    "link-missing",
    InToto,
    E,
    "Fewer link files than the step's threshold exist under authorized key-id file names.",
    "Produced by link loading: links are found as `<step>.<keyid[:8]>.link` for the step's authorized functionary keys only (LinkNotFoundError).",
    "List the link directory: is the link there, named with the first 8 hex digits of an authorized key id? A link signed by an unauthorized key is not even looked for."
);
pub const LINK_THRESHOLD: Category = cat!(
    "link-threshold",
    InToto,
    E,
    "Link files exist, but fewer than the threshold are validly signed by distinct authorized keys.",
    "Produced by the link signature and threshold check (ThresholdVerificationError); the evidence lists every signature, which keys counted and why the others did not.",
    "Read the threshold evidence: needed vs counted, and for each key id whether its signature was invalid, from an unknown key, or a duplicate."
);
pub const LIMIT_EXCEEDED: Category = cat!(
    "limit-exceeded",
    InToto,
    E,
    "An input exceeded a configured bound (metadata file size, artifacts per link, number of links, sublayout depth, delegations, inspection time); exit code 1, or 3 when it is the layout file itself that is not read.",
    "Produced where trailscope reads untrusted metadata (DESIGN §9): the limits are flags such as --max-metadata-bytes, --max-artifacts-per-link, --max-links and --max-delegations.",
    "Check whether the input is hostile or just large; raise the named limit on the command line if the input is trusted."
);
pub const INSPECTION_NOT_RUN: Category = cat!(
    "inspection-not-run",
    InToto,
    E,
    "An inspection of the layout was not run, so the supply chain is not verified; --run-inspections runs it, --skip-inspections accepts a verdict without it.",
    "Ours, not the reference's (python in-toto always runs inspections): produced by in-toto verification without --run-inspections, one per inspection. What can be checked without executing anything is checked: the first inspection's expected_materials against the hashed work directory (a rule that fails there is the real failure and decides the category); the rest is not evaluated. It decides the verdict's category only when no check that was performed failed.",
    "Read the inspection's command in the evidence; if you trust the layout's signers, run again with --run-inspections (the command runs in a scratch copy of --workdir with a time limit), or with --skip-inspections to accept the verdict without it."
);
pub const LINK_DISAGREEMENT: Category = cat!(
    "link-disagreement",
    InToto,
    E,
    "A step with threshold > 1 has valid links that report different materials or products.",
    "Produced by the threshold agreement check (ThresholdVerificationError): every functionary must have recorded the same artifacts.",
    "Compare the links of that step artifact by artifact: one functionary built something else."
);
pub const RULE_DISALLOW: Category = cat!(
    "rule-disallow",
    InToto,
    E,
    "A DISALLOW rule matched an artifact still in the queue (a failed MATCH, CREATE, DELETE or MODIFY shows up this way).",
    "Produced by the artifact rule engine for a step's or inspection's expected_materials/expected_products (RuleVerificationError); the evidence is the rule trace: queue before and after, what was consumed, and for MATCH both hashes of each artifact it could not consume.",
    "Look at the offending artifact: if an earlier MATCH left it unconsumed, compare its hash with the destination step's (a tampered artifact), otherwise it is a file no rule allows."
);
pub const RULE_REQUIRE: Category = cat!(
    "rule-require",
    InToto,
    E,
    "A REQUIRE rule did not find its artifact in the queue.",
    "Produced by the artifact rule engine (RuleVerificationError).",
    "The step's link does not record the required artifact: check the link's materials or products and the rule's pattern."
);
pub const INSPECTION_FAILED: Category = cat!(
    "inspection-failed",
    InToto,
    E,
    "An inspection command exited non-zero.",
    "Produced by the inspection runner, only with --run-inspections (BadReturnValueError); the command runs in a scratch copy of --workdir with a time limit.",
    "Read the command's argv, exit status and output in the evidence, and run it yourself in a copy of the work directory."
);
pub const ERROR_OTHER: Category = cat!(
    "error-other",
    InToto,
    E,
    "Any other failure: an inspection that could not start or timed out, a file that could not be read, a parameter substitution error.",
    "Produced by in-toto verification (and the bridge's in-toto stage) for problems outside the other categories.",
    "The message says what failed; the source names the file."
);

// ---- TUF (corpus/README-tuf.md) ----
pub const OK: Category = cat!(
    "ok",
    Tuf,
    None,
    "TUF refresh succeeded, or the target was found, downloaded and verified.",
    "It is the verdict category of `trailscope tuf verify` when no finding is an error, and the result of each verified target.",
    "Nothing failed; read the warnings (expiry soon, key id weaknesses)."
);
pub const EXPIRED: Category = cat!(
    "expired",
    Tuf,
    E,
    "Root, timestamp, snapshot, targets or a delegated role has `expires <= now`.",
    "Produced by the client workflow's expiry checks (spec §5.3.10, §5.4.4, §5.5.6, §5.6.6; ExpiredMetadataError).",
    "Compare `expires` with `evaluated at`: the repository must publish fresh metadata (or use --at)."
);
pub const SIGNATURE_THRESHOLD: Category = cat!(
    "signature-threshold",
    Tuf,
    E,
    "Fewer than the threshold of valid signatures from keys the delegator authorises.",
    "Produced by signature verification of every role (UnsignedMetadataError): tampered bytes, wrong keys, or a root rotation missing the old or new threshold.",
    "Read the threshold evidence: which key ids signed, which counted, and why the others did not."
);
pub const ROLLBACK: Category = cat!(
    "rollback",
    Tuf,
    E,
    "A version lower than one already trusted.",
    "Produced by the rollback checks against trusted or --state metadata: timestamp version, snapshot version in timestamp, a role version in snapshot, or a removed snapshot entry (BadVersionNumberError/RepositoryError).",
    "Compare the trusted and new versions in the evidence; an attacker may be replaying old metadata."
);
pub const VERSION_MISMATCH: Category = cat!(
    "version-mismatch",
    Tuf,
    E,
    "The file's version is not the one the referring metadata names.",
    "Produced by the version checks: root N+1, snapshot vs timestamp meta, targets/delegated roles vs snapshot meta (BadVersionNumberError).",
    "Compare the version inside the file with the version its referrer lists."
);
pub const LENGTH_MISMATCH: Category = cat!(
    "length-mismatch",
    Tuf,
    E,
    "Metadata or target length differs from the trusted length (or endless data was cut off at the limit).",
    "Produced by bounded downloads and length checks (LengthOrHashMismatchError/DownloadLengthMismatchError).",
    "Compare expected and actual lengths in the evidence; the served file is not the one the metadata describes."
);
pub const HASH_MISMATCH: Category = cat!(
    "hash-mismatch",
    Tuf,
    E,
    "Metadata or target digest differs from the trusted hash.",
    "Produced by hash verification of snapshot, targets roles and target files (LengthOrHashMismatchError).",
    "Compare both digests in the evidence; the served bytes were replaced."
);
pub const MALFORMED: Category = cat!(
    "malformed",
    Tuf,
    E,
    "Not JSON, or JSON that is not valid TUF metadata.",
    "Produced by metadata parsing (DeserializationError). A malformed trusted root makes `tuf verify` exit 3.",
    "Open the file at the JSON pointer the finding names."
);
pub const WRONG_TYPE: Category = cat!(
    "wrong-type",
    Tuf,
    E,
    "`signed._type` is not the expected role type.",
    "Produced by metadata parsing (RepositoryError \"Expected 'x', got 'y'\", or DeserializationError).",
    "The file served under a role's name is another role's metadata."
);
pub const SPEC_VERSION: Category = cat!(
    "spec-version",
    Tuf,
    E,
    "`spec_version` cannot be parsed or its major version is not 1.",
    "Produced by metadata parsing (DeserializationError caused by ValueError).",
    "Look at `signed.spec_version` of the named file."
);
pub const MISSING_FROM_SNAPSHOT: Category = cat!(
    "missing-from-snapshot",
    Tuf,
    E,
    "A delegated role a lookup needs is not listed in snapshot meta.",
    "Produced by the delegation search when loading a role (RepositoryError).",
    "Compare snapshot's `meta` with the delegations of the role's delegator."
);
pub const DOWNLOAD_FAILED: Category = cat!(
    "download-failed",
    Tuf,
    E,
    "A needed file other than the next root is absent on the server.",
    "Produced by the fetcher (DownloadHTTPError 404).",
    "Check the repository layout: consistent-snapshot names (`V.role.json`, `HASH.name`) and the --metadata/--targets locations."
);
pub const NOT_FOUND: Category = cat!(
    "not-found",
    Tuf,
    E,
    "(target) No role consulted by the delegation search lists the target.",
    "Produced by the target lookup (get_targetinfo returned None).",
    "Check the target path and the delegations' path patterns: which roles were visited is in the report."
);
pub const DELEGATION_LIMIT: Category = cat!(
    "delegation-limit",
    Tuf,
    E,
    "(target) Not found because the search stopped after 32 delegated roles with roles left.",
    "Produced by the delegation search's bound (max_delegations).",
    "A delegation graph this large, or cyclic, is suspicious: look at the delegations."
);
pub const REFRESH_FAILED: Category = cat!(
    "refresh-failed",
    Tuf,
    E,
    "(target) Not looked up because refresh failed.",
    "Produced for every requested target when the top-level refresh failed.",
    "Look at the refresh failure, reported first."
);
pub const REPOSITORY_ERROR: Category = cat!(
    "repository-error",
    Tuf,
    E,
    "Any other repository error.",
    "Produced by the client workflow for inconsistencies outside the other categories (RepositoryError).",
    "The message names the check."
);
pub const OTHER: Category = cat!(
    "other",
    Tuf,
    E,
    "Any other failure of the TUF client.",
    "Produced by the client workflow for unexpected problems.",
    "The message says what failed."
);

// ---- bridge (corpus/README-bridge.md) ----
pub const NO_LAYOUT: Category = cat!(
    "no-layout",
    Bridge,
    E,
    "The package's custom[\"in-toto\"] has no `.layout` entry.",
    "Produced by the bridge's custom-metadata stage (NoInTotoRootLayoutFound).",
    "Look at the package target's `custom` in its TUF targets role."
);
pub const MULTIPLE_LAYOUTS: Category = cat!(
    "multiple-layouts",
    Bridge,
    E,
    "The package's custom[\"in-toto\"] lists two or more different `.layout` entries.",
    "Produced by the bridge's custom-metadata stage (MultipleInTotoRootLayouts).",
    "Look at the package target's `custom[\"in-toto\"]`."
);
pub const LAYOUT_TYPE_MISMATCH: Category = cat!(
    "layout-type-mismatch",
    Bridge,
    E,
    "custom[\"root-layout-type\"] of the layout or package target is not \"core\".",
    "Produced by the bridge's custom-metadata stage (IncorrectRootLayoutType).",
    "Look at `custom[\"root-layout-type\"]` of the targets named."
);
pub const NO_LAYOUT_KEYS: Category = cat!(
    "no-layout-keys",
    Bridge,
    E,
    "The layout target lists no `.pub` entry.",
    "Produced by the bridge's custom-metadata stage (NoInTotoRootLayoutPublicKeysFound).",
    "Look at the layout target's `custom[\"in-toto\"]`."
);
pub const NO_LINKS: Category = cat!(
    "no-links",
    Bridge,
    E,
    "The package target lists no `.link` entry.",
    "Produced by the bridge's custom-metadata stage (NoInTotoLinkMetadataFound).",
    "Look at the package target's `custom[\"in-toto\"]`."
);
pub const CUSTOM_INVALID: Category = cat!(
    "custom-invalid",
    Bridge,
    E,
    "`custom` is absent or not an object, or custom[\"in-toto\"] is not a list of strings.",
    "Produced by the bridge's custom-metadata stage (AttributeError in the reference).",
    "Look at the named target's `custom` in its TUF targets role."
);
pub const PRODUCT_MISSING: Category = cat!(
    "product-missing",
    Bridge,
    E,
    "The layout's last step records no product named like the package with a sha256.",
    "Produced by the bridge's product-binding stage (our addition to the reference flow).",
    "Compare the package's basename with the products of the last step's link."
);
pub const PRODUCT_HASH_MISMATCH: Category = cat!(
    "product-hash-mismatch",
    Bridge,
    E,
    "The last step's product has a sha256 different from the TUF target's.",
    "Produced by the bridge's product-binding stage: without it, any package the online TUF key signs would pass a layout that never compares the served file with the build's product.",
    "Compare both digests in the evidence: the served package is not the one the supply chain built."
);

// ---- ours: in-toto weaknesses the reference accepts ----
pub const COMMAND_MISMATCH: Category = cat!(
    "command-mismatch",
    Trailscope,
    W,
    "A link's recorded command differs from the step's expected_command.",
    "Produced by in-toto command alignment; python in-toto only logs a warning.",
    "Compare both commands in the message: the functionary ran something else than the layout expects."
);
pub const LINK_NAME_MISMATCH: Category = cat!(
    "link-name-mismatch",
    Trailscope,
    W,
    "A link's `name` differs from the step it was loaded for.",
    "Produced by in-toto link loading; in-toto binds links to steps by file name only.",
    "A link may have been renamed to stand in for another step."
);
pub const KEYID_MISMATCH: Category = cat!(
    "keyid-mismatch",
    Trailscope,
    W,
    "A key id is not the hash of its key, or a layout lists a key under another id than its keyid member.",
    "Produced by in-toto layout key checks and by TUF key checks (spec §4 says clients must check it; python-tuf, go-tuf and in-toto do not).",
    "Compare the declared and computed key ids in the evidence."
);
pub const RULES_WITHOUT_FINAL_DISALLOW: Category = cat!(
    "rules-without-final-disallow",
    Trailscope,
    W,
    "A rule list does not end with DISALLOW *, so artifacts no rule mentions are allowed.",
    "Produced by the in-toto rule checks for every step and inspection.",
    "Add `DISALLOW *` at the end of the named expected_materials/expected_products."
);
pub const RULE_CONSUMED_NOTHING: Category = cat!(
    "rule-consumed-nothing",
    Trailscope,
    W,
    "A rule matched no artifact in the queue.",
    "Produced by the in-toto rule engine; often a pattern that no longer matches after a rename.",
    "Check the rule's pattern against the link's artifacts (the trace shows the queue)."
);
pub const SUSPICIOUS_PATH: Category = cat!(
    "suspicious-path",
    Trailscope,
    W,
    "A link has artifact paths with control, bidi or zero-width characters.",
    "Produced by the in-toto rule checks; the report shows such characters as visible escapes.",
    "Two names that look the same may differ by an invisible character (Trojan Source)."
);
pub const INSPECTIONS_SKIPPED: Category = cat!(
    "inspections-skipped",
    Trailscope,
    W,
    "The inspections were skipped on request (--skip-inspections): the verdict does not cover them.",
    "Produced by in-toto verification (and the bridge's in-toto stage) with --skip-inspections, one per inspection; never an error, not even under --strict, because it is the user's explicit choice.",
    "Run again with --run-inspections if you trust the layout's commands, to get the verdict the reference (which always runs them) would give."
);
pub const LAYOUT_WITHOUT_EXPIRY: Category = cat!(
    "layout-without-expiry",
    Trailscope,
    W,
    "The layout has no `expires`; python in-toto treats it as never expiring.",
    "Produced by the in-toto expiry check.",
    "Ask the project owner to sign a layout with an expiry."
);
pub const DUPLICATE_FUNCTIONARY_KEY: Category = cat!(
    "duplicate-functionary-key",
    Trailscope,
    W,
    "A step meets its threshold only because one key is listed under several key ids.",
    "Produced by the in-toto link threshold check, which counts distinct key material.",
    "The threshold is weaker than it looks: look at the step's pubkeys."
);
pub const LAYOUT_KEYID_ALIAS: Category = cat!(
    "layout-keyid-alias",
    Trailscope,
    W,
    "The layout is signed under a key's other key id formula (modern vs legacy).",
    "Produced by the in-toto layout signature check; python in-toto looks signatures up by one id only.",
    "Re-sign the layout with the key id the layout key has."
);
pub const SIGNATURE_FORM_DIVERGENCE: Category = cat!(
    "signature-form-divergence",
    Trailscope,
    W,
    "A Metablock signature is valid over only one of the document as written and python in-toto's normal form.",
    "Produced by in-toto signature checks: unknown members may be unsigned, or the reference would reject a signature trailscope accepts.",
    "Look at unknown or defaulted members of the named file."
);
pub const UNSAFE_STEP_NAME: Category = cat!(
    "unsafe-step-name",
    Trailscope,
    W,
    "A step name would read links outside the link directory; its links are not read.",
    "Produced by in-toto link loading (path traversal guard).",
    "The layout names a step with `/`, `..` or similar: a hostile layout."
);
pub const INSPECTION_RUN: Category = cat!(
    "inspection-run",
    Trailscope,
    I,
    "An inspection ran and exited zero.",
    "Produced by the inspection runner with --run-inspections.",
    "The evidence has the argv and where it ran."
);

// ---- ours: TUF ----
pub const NON_CANONICAL_TIME: Category = cat!(
    "non-canonical-time",
    Trailscope,
    W,
    "An `expires` is not in the spec's form YYYY-MM-DDTHH:MM:SSZ.",
    "Produced by the TUF report (python-tuf refuses such times; go-tuf accepts them).",
    "Look at `signed.expires` of the named role."
);
pub const DUPLICATE_KEY_MATERIAL: Category = cat!(
    "duplicate-key-material",
    Trailscope,
    W,
    "Two key ids of a role are the same key; the reference counts it twice towards the threshold.",
    "Produced by TUF signature checks.",
    "The role's threshold is weaker than it looks: look at its keyids."
);
pub const UNTRUSTED_ROLE: Category = cat!(
    "untrusted-role",
    Trailscope,
    I,
    "After a failed refresh, a top-level role the client did not get to trust, read anyway for the audit.",
    "Produced by the TUF report: its version, expiry and signatures are checked against the trusted root and shown, marked not trusted.",
    "Start from the refresh's failure; these figures say what the repository would have offered next."
);
pub const EXPIRES_SOON: Category = cat!(
    "expires-soon",
    Trailscope,
    W,
    "An offline role (root, targets, a delegated role) expires within days.",
    "Produced by the TUF report's expiry timeline.",
    "Plan the re-signing of the named role before it expires."
);
pub const STATE_NOT_SAVED: Category = cat!(
    "state-not-saved",
    Trailscope,
    W,
    "Trusted metadata could not be written into the --state directory.",
    "Produced by the TUF client with --save-state.",
    "Check the directory's permissions and free space; the next run cannot detect rollbacks against this one."
);
pub const LOCAL_METADATA_IGNORED: Category = cat!(
    "local-metadata-ignored",
    Trailscope,
    I,
    "Stored metadata in --state did not verify and was not used.",
    "Produced by the TUF client when reading local state (the reference ignores such files silently).",
    "The stored file may be stale or corrupted; the repository's copy was used."
);
pub const ROLE_REVERIFIED: Category = cat!(
    "role-reverified",
    Trailscope,
    I,
    "A delegated role reached through two delegators was verified again against the second.",
    "Produced by the TUF delegation search.",
    "Nothing to do unless the second check fails."
);

// ---- ours: bridge ----
pub const LAYOUT_NOT_FROM_TOP_LEVEL_TARGETS: Category = cat!(
    "layout-not-from-top-level-targets",
    Trailscope,
    W,
    "A layout or layout key is signed by a delegated role, not by the offline top-level targets role.",
    "Produced by the bridge's TUF stage (ITE-2/ITE-3 prescribe top-level targets).",
    "Whoever holds that role's keys (often an online key) can choose the supply chain's layout."
);
pub const BASENAME_COLLISION: Category = cat!(
    "basename-collision",
    Trailscope,
    W,
    "Two listed files share a basename in the flat verification directory.",
    "Produced by the bridge when it lays out files for in-toto.",
    "Only one of them was used; the reference's choice depends on set order."
);
pub const STAGE_NOT_RUN: Category = cat!(
    "stage-not-run",
    Trailscope,
    I,
    "A bridge stage was not run because an earlier one failed.",
    "Produced by the bridge.",
    "Fix the earlier failure first."
);
pub const TRUSTED_ROOT_FROM_TUF: Category = cat!(
    "trusted-root-from-tuf",
    Trailscope,
    I,
    "Sigstore's trusted_root.json was obtained through TUF: the chain starts at a TUF root trailscope pins.",
    "Produced when attestations are verified without --trusted-root: trailscope's TUF client updates Sigstore's repository (sigstore/root-signing) from the pinned root and downloads the trusted_root.json target.",
    "The evidence lists the root, timestamp, snapshot and targets versions, the role that signed trusted_root.json and its sha256."
);
pub const TRUSTED_ROOT_EMBEDDED: Category = cat!(
    "trusted-root-embedded",
    Trailscope,
    W,
    "Sigstore's trusted root came from the copy embedded in trailscope, not from Sigstore's TUF repository now.",
    "Produced when the repository could not be reached, or with --offline: the embedded repository snapshot is verified with TUF as of its own date.",
    "Keys added or revoked after the snapshot's date are not known: connect to the network, or pass --tuf-metadata with a current copy or --trusted-root with a root you trust."
);
pub const TARGET_VERIFIED: Category = cat!(
    "target-verified",
    Trailscope,
    I,
    "The product binding holds: the last step's product has the TUF target's sha256.",
    "Produced by the bridge's product-binding stage.",
    "Nothing to do."
);

// ---- ours: every face ----
pub const SUSPICIOUS_CHARACTERS: Category = cat!(
    "suspicious-characters",
    Trailscope,
    W,
    "A metadata string holds control, bidi or zero-width characters.",
    "Produced by the terminal UI's sanitizer; reports show such characters as visible escapes (\\x1b, \\u{202e}).",
    "Two names that look the same may differ by an invisible character (Trojan Source, CVE-2021-42574)."
);

/// Every category, in the order `explain --list` prints them.
pub static CATEGORIES: &[Category] = &[
    PASS,
    LAYOUT_SIGNATURE,
    LAYOUT_EXPIRED,
    METADATA_INVALID,
    LINK_MISSING,
    LINK_THRESHOLD,
    LIMIT_EXCEEDED,
    INSPECTION_NOT_RUN,
    LINK_DISAGREEMENT,
    RULE_DISALLOW,
    RULE_REQUIRE,
    INSPECTION_FAILED,
    ERROR_OTHER,
    OK,
    EXPIRED,
    SIGNATURE_THRESHOLD,
    ROLLBACK,
    VERSION_MISMATCH,
    LENGTH_MISMATCH,
    HASH_MISMATCH,
    MALFORMED,
    WRONG_TYPE,
    SPEC_VERSION,
    MISSING_FROM_SNAPSHOT,
    DOWNLOAD_FAILED,
    NOT_FOUND,
    DELEGATION_LIMIT,
    REFRESH_FAILED,
    REPOSITORY_ERROR,
    OTHER,
    NO_LAYOUT,
    MULTIPLE_LAYOUTS,
    LAYOUT_TYPE_MISMATCH,
    NO_LAYOUT_KEYS,
    NO_LINKS,
    CUSTOM_INVALID,
    PRODUCT_MISSING,
    PRODUCT_HASH_MISMATCH,
    COMMAND_MISMATCH,
    LINK_NAME_MISMATCH,
    KEYID_MISMATCH,
    RULES_WITHOUT_FINAL_DISALLOW,
    RULE_CONSUMED_NOTHING,
    SUSPICIOUS_PATH,
    INSPECTIONS_SKIPPED,
    LAYOUT_WITHOUT_EXPIRY,
    DUPLICATE_FUNCTIONARY_KEY,
    LAYOUT_KEYID_ALIAS,
    SIGNATURE_FORM_DIVERGENCE,
    UNSAFE_STEP_NAME,
    INSPECTION_RUN,
    NON_CANONICAL_TIME,
    DUPLICATE_KEY_MATERIAL,
    UNTRUSTED_ROLE,
    EXPIRES_SOON,
    STATE_NOT_SAVED,
    LOCAL_METADATA_IGNORED,
    ROLE_REVERIFIED,
    LAYOUT_NOT_FROM_TOP_LEVEL_TARGETS,
    BASENAME_COLLISION,
    STAGE_NOT_RUN,
    TARGET_VERIFIED,
    TRUSTED_ROOT_FROM_TUF,
    TRUSTED_ROOT_EMBEDDED,
    SUSPICIOUS_CHARACTERS,
];

/// The entry for `id`.
pub fn find(id: &str) -> Option<&'static CategoryInfo> {
    Category::from_id(id).map(Category::info)
}

/// The one-line meaning of `id`, or a placeholder for a category this
/// version does not know (a document from a newer trailscope).
pub fn summary(id: &str) -> &'static str {
    find(id).map_or("(not a category this version of trailscope knows)", |c| c.summary)
}

/// Ids close to `id` (shared words), for "did you mean".
pub fn similar(id: &str) -> Vec<&'static str> {
    let words: Vec<&str> = id.split(['-', '_', ' ']).filter(|w| w.len() > 2).collect();
    CATEGORIES
        .iter()
        .filter(|c| words.iter().any(|w| c.id().contains(&w.to_ascii_lowercase())))
        .map(|c| c.id())
        .collect()
}

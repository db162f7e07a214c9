//! The attacks TUF and in-toto are built to stop (TUF specification §1.5.2,
//! in-toto specification §2), each with what the attacker holds and does,
//! the check that stops it (with its specification section), the categories
//! trailscope reports when it does, and an embedded scenario that shows it.
//! `trailscope explain ATTACK` prints one; `explain --list` lists them.

use super::category::{self as c, Category};

/// One attack.
#[derive(Debug, Clone, Copy)]
pub struct Attack {
    /// The name `explain` takes, kebab-case.
    pub id: &'static str,
    /// Other names people use for it.
    pub aliases: &'static [&'static str],
    pub title: &'static str,
    /// What the attacker holds and what they change.
    pub attacker: &'static str,
    /// Which check stops it, with the specification section.
    pub stopped_by: &'static str,
    /// The categories a run reports when the check stops it.
    pub categories: &'static [Category],
    /// Embedded scenarios that show it (`trailscope demo NAME`, `open --demo NAME`).
    pub scenarios: &'static [&'static str],
    /// What to look at in trailscope.
    pub look_at: &'static str,
}

impl Attack {
    fn answers_to(&self, name: &str) -> bool {
        let name = name.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        self.id == name || self.aliases.contains(&name.as_str())
    }
}

/// Every attack `explain` knows, TUF's first.
pub static ATTACKS: &[Attack] = &[
    Attack {
        id: "arbitrary-package",
        aliases: &["arbitrary-software", "arbitrary-installation", "malicious-mirror", "wrong-software"],
        title: "Arbitrary package (arbitrary software installation)",
        attacker: "A mirror or a man in the middle serves a file of its choice in place of a target, of the same length or not; without the online keys it cannot re-sign the metadata that lists the target.",
        stopped_by: "The client downloads a target only through the delegation search and checks its length and every listed hash against the trusted targets metadata before using it (TUF §5.7.3).",
        categories: &[c::HASH_MISMATCH, c::LENGTH_MISMATCH],
        scenarios: &["arbitrary-package"],
        look_at: "The target's result in the Overview and the TUF report: expected hashes (from the role that lists the target) against the bytes downloaded, and that role in the Trust view.",
    },
    Attack {
        id: "rollback",
        aliases: &["rollback-attack", "replay", "downgrade"],
        title: "Rollback (replaying old metadata)",
        attacker: "A mirror serves older, validly signed metadata (or metadata that lists older target versions) to make the client install software with known vulnerabilities; it needs no key, only old files.",
        stopped_by: "Versions never go down: a new timestamp's version must be at least the trusted one's, and so must the snapshot version it names (TUF §5.4.3); a new snapshot must list every targets role at a version at least the trusted snapshot's (§5.5.5); a new root must be exactly the next version (§5.3.5). The trusted versions come from the client's state directory (`--state`).",
        categories: &[c::ROLLBACK],
        scenarios: &["rollback-timestamp", "rollback-snapshot", "rollback-targets-in-snapshot"],
        look_at: "The finding's versions (trusted against new) and the role in the Trust view: a refused update shows under the role that stays trusted. Without --state there is nothing to roll back from, so give the client's state.",
    },
    Attack {
        id: "freeze",
        aliases: &["indefinite-freeze", "freeze-attack", "stale-metadata"],
        title: "Indefinite freeze",
        attacker: "A mirror keeps serving the metadata of an old publication, all validly signed, so the client never learns of newer releases (and of the fixes in them).",
        stopped_by: "Every top-level role must not be expired at the evaluation time: root after the root updates (TUF §5.3.10), timestamp (§5.4.4), snapshot (§5.5.6), targets (§5.6.5) and each delegated role met on the way. Short timestamp expiries bound how long a freeze can last.",
        categories: &[c::EXPIRED],
        scenarios: &["freeze-expired-timestamp", "expired-snapshot", "expired-targets", "expired-root"],
        look_at: "The expiry timeline on the Overview (and `t` to evaluate at another time); the finding's expires against evaluated_at.",
    },
    Attack {
        id: "mix-and-match",
        aliases: &["mix-and-match-attack", "inconsistent-snapshot"],
        title: "Mix-and-match",
        attacker: "A mirror combines metadata from different publications, each validly signed, so the client sees a combination of targets that never existed together.",
        stopped_by: "The snapshot must have the length, hashes and version the timestamp lists (TUF §5.5.2, §5.5.4), and every targets role the version (and length and hashes, when listed) the snapshot lists (§5.6.2, §5.6.4): one consistent view of the repository.",
        categories: &[c::VERSION_MISMATCH, c::HASH_MISMATCH, c::LENGTH_MISMATCH],
        scenarios: &["mix-and-match"],
        look_at: "The finding's versions (what the snapshot lists against what the file says) and the role in the Trust view.",
    },
    Attack {
        id: "endless-data",
        aliases: &["endless-data-attack", "slow-retrieval"],
        title: "Endless data",
        attacker: "A mirror answers a request with an endless (or very large) stream, to exhaust the client's disk or memory.",
        stopped_by: "Every download has an upper bound: the length the trusted metadata lists for a snapshot, a targets role or a target (TUF §5.5.2, §5.6.2, §5.7.3), a configured limit for root and timestamp (§5 length limits); the client stops reading at the bound.",
        categories: &[c::LENGTH_MISMATCH],
        scenarios: &[],
        look_at: "The finding's lengths (expected against what was read, cut at the limit); `--max-metadata-bytes` sets the limit for files without a listed length. The interop corpus's target-endless-data scenario shows it.",
    },
    Attack {
        id: "key-compromise",
        aliases: &["key-compromise-attack", "compromised-key", "stolen-key", "threshold"],
        title: "Key compromise",
        attacker: "The attacker holds fewer keys of a role than its threshold (one online key, a revoked key) and signs metadata of their own.",
        stopped_by: "Metadata is trusted only when a threshold of distinct keys the delegating role names signed it (TUF §5.3.4, §5.4.2, §5.5.3, §5.6.3, and each delegation); a key the repository revoked (removed from its delegating role) no longer counts.",
        categories: &[c::SIGNATURE_THRESHOLD],
        scenarios: &["threshold-not-met", "key-compromise-revoked-delegation"],
        look_at: "The Trust view: each signature checked, which counted and why not, against k-of-n; the finding's threshold evidence.",
    },
    Attack {
        id: "fast-forward",
        aliases: &["fast-forward-attack"],
        title: "Fast-forward",
        attacker: "An attacker with the timestamp or snapshot key signs metadata with a huge version; once trusted, the client would refuse every honest (lower) version after the key is replaced.",
        stopped_by: "Versions cannot go down (TUF §5.4.3, §5.5.5); the defence is recovery: when a new root rotates the timestamp or snapshot keys, the client deletes its trusted timestamp and snapshot (§5.3.11) and accepts the repository's versions again.",
        categories: &[c::ROLLBACK],
        scenarios: &[],
        look_at: "After a root rotation, the root history in the Trust view; a rollback finding on timestamp or snapshot right after a key rotation means the recovery was not applied. The interop corpus's fast-forward-recovery scenario shows it.",
    },
    Attack {
        id: "package-swap",
        aliases: &["swapped-package", "compromised-distribution", "adversary-swaps-package"],
        title: "Package swap (in-toto)",
        attacker: "An adversary without the functionaries' keys (or with only the online TUF key that publishes packages) replaces the final product after it was built and recorded.",
        stopped_by: "in-toto's artifact rules: the inspection that unpacks the delivered package MATCHes its materials against the products of the step that built it, and `DISALLOW *` rejects what does not match (in-toto §5.2, python's verify_item_rules); when TUF distributes the package, the product binding ties the TUF target's hashes to the last step's product.",
        categories: &[c::RULE_DISALLOW, c::PRODUCT_HASH_MISMATCH],
        scenarios: &["package-swapped", "act3-adversary"],
        look_at: "Enter on the first failure: the rule that failed, the artifact it could not consume and both digests (expected: the product the link recorded; actual: the file delivered).",
    },
    Attack {
        id: "tampering-between-steps",
        aliases: &["tampered-between-steps", "unrecorded-change"],
        title: "Tampering between steps (in-toto)",
        attacker: "Someone changes an artifact after one step recorded it as a product and before the next step used it as a material, outside any functionary's recorded command.",
        stopped_by: "The next step's material rules MATCH its materials against the previous step's products; the changed file does not match and falls through to `DISALLOW *` (in-toto §5.2).",
        categories: &[c::RULE_DISALLOW],
        scenarios: &["tampered-between-steps"],
        look_at: "The Step view of the step that consumed the file: the MATCH rule's trace and the Artifact view's digests at each step, with the first differing character marked.",
    },
    Attack {
        id: "forged-link",
        aliases: &["link-forgery", "unauthorized-functionary"],
        title: "Forged or unauthorized link (in-toto)",
        attacker: "Someone who is not an authorized functionary of a step (or holds fewer of their keys than the step's threshold) writes link metadata for it.",
        stopped_by: "Each step needs at least its threshold of links signed by distinct authorized functionary keys, and those links must agree on their artifacts (in-toto §5.2, python's verify_link_signature_thresholds and verify_threshold_constraints).",
        categories: &[c::LINK_THRESHOLD, c::LINK_DISAGREEMENT],
        scenarios: &[],
        look_at: "The Step view's links against the threshold (which key signed, and why a signature did not count) and the Trust view's functionaries.",
    },
];

/// The attack `name` names (its id or an alias; case, spaces and
/// underscores do not matter).
pub fn find(name: &str) -> Option<&'static Attack> {
    ATTACKS.iter().find(|a| a.answers_to(name))
}

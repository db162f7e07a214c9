//! Threshold signature verification of one role by its delegator (spec §4
//! "signatures", §5.3.4/§5.4.2/§5.5.3/§5.6.3; python-tuf
//! `get_verification_result`), with the detail an auditor wants: which keys
//! counted, and why each other signature or key did not.
//!
//! Counting follows python-tuf by default — one vote per key id listed for
//! the role, each key id at most once (the signatures array has unique key
//! ids, see `metadata::parse`) — and counts by key material under
//! `strict`, so one key listed under two key ids votes once.

use std::collections::BTreeSet;

use super::metadata::{Delegator, Metadata, Prehashed};
use crate::crypto::ed25519_table::Ed25519Table;
use crate::verdict::SignatureCheck;

/// The outcome of checking a role's signatures against its delegator.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerificationResult {
    pub threshold: u64,
    /// Key ids whose signature verified and counted, in the role's order.
    pub signed: Vec<String>,
    /// One entry per authorised key id and per signature by an unlisted key.
    pub checks: Vec<SignatureCheck>,
    /// Counted key ids that share key material with an earlier counted one.
    pub duplicate_material: Vec<(String, String)>,
    /// The number of votes: distinct key ids, or distinct key material under `strict`.
    pub count: u64,
    /// False when the delegator does not delegate this role at all.
    pub role_known: bool,
}

impl VerificationResult {
    pub fn verified(&self) -> bool {
        self.role_known && self.count >= self.threshold
    }

    /// `signed N/T keys` wording as python-tuf prints it.
    pub fn summary(&self, role: &str) -> String {
        format!("{role} was signed by {}/{} keys", self.count, self.threshold)
    }
}

/// Checks the signatures of `md` for role `role` as `delegator` defines it.
pub fn verify_role(delegator: &dyn Delegator, role: &str, md: &Metadata, strict: bool) -> VerificationResult {
    verify_role_over(delegator, role, md, &md.signed_bytes, strict)
}

/// [`verify_role`] with the signed bytes given apart from `md` (the audit
/// checks them where they lie in the file it read).
pub fn verify_role_over(
    delegator: &dyn Delegator,
    role: &str,
    md: &Metadata,
    signed_bytes: &[u8],
    strict: bool,
) -> VerificationResult {
    verify_role_hinted(delegator, role, md, signed_bytes, strict, &[])
}

/// The ed25519 checks that [`verify_role_over`] will make through a key's
/// built table, as `(signature, table, signed bytes)`: their hash and curve
/// work can be done ahead, several roles at once ([`Prehashed::compute`]),
/// and given to [`verify_role_hinted`]. Checks left out are made as usual.
pub fn table_checks<'a>(
    delegator: &'a dyn Delegator,
    role: &str,
    md: &Metadata,
    signed_bytes: &'a [u8],
) -> Vec<([u8; 64], &'a Ed25519Table, &'a [u8])> {
    let Some(role_keys) = delegator.role_keys(role) else { return Vec::new() };
    role_keys
        .keyids
        .iter()
        .filter_map(|keyid| {
            let key = delegator.key(keyid)?;
            let table = key.table.built()?;
            let sig: [u8; 64] =
                md.signatures.iter().find(|s| &s.keyid == keyid)?.sig_bytes().ok()?.try_into().ok()?;
            Some((sig, table, signed_bytes))
        })
        .collect()
}

/// [`verify_role_over`] with digests computed ahead (see [`table_checks`]):
/// the same result, each signature checked on its own.
pub fn verify_role_hinted(
    delegator: &dyn Delegator,
    role: &str,
    md: &Metadata,
    signed_bytes: &[u8],
    strict: bool,
    hints: &[Prehashed<'_>],
) -> VerificationResult {
    let Some(role_keys) = delegator.role_keys(role) else {
        return VerificationResult { role_known: false, ..VerificationResult::default() };
    };
    // Sized exactly: the audit keeps one result per role (tens of
    // thousands), and a vector grown by pushes holds room for four.
    let unlisted = md.signatures.iter().filter(|s| !role_keys.keyids.contains(&s.keyid)).count();
    let mut result = VerificationResult {
        threshold: role_keys.threshold,
        role_known: true,
        signed: Vec::with_capacity(role_keys.keyids.len()),
        checks: Vec::with_capacity(role_keys.keyids.len() + unlisted),
        ..Default::default()
    };
    let mut materials: Vec<(String, String)> = Vec::new();
    for keyid in &role_keys.keyids {
        let Some(key) = delegator.key(keyid) else {
            result.checks.push(check(keyid, false, "no key listed for this key id"));
            continue;
        };
        let Some(sig) = md.signatures.iter().find(|s| &s.keyid == keyid) else {
            result.checks.push(check(keyid, false, "no signature by this key"));
            continue;
        };
        let outcome = sig
            .sig_bytes()
            .map_err(|e| e.message)
            .and_then(|bytes| key.verify_hinted(signed_bytes, &bytes, hints).map_err(|e| e.to_string()));
        match outcome {
            Ok(()) => {
                let material = key.material_id();
                if let Some((first, _)) = materials.iter().find(|(_, m)| *m == material) {
                    result.duplicate_material.push((first.clone(), keyid.clone()));
                }
                materials.push((keyid.clone(), material));
                result.signed.push(keyid.clone());
                result.checks.push(SignatureCheck { keyid: keyid.clone(), valid: true, reason: None });
            }
            Err(why) => result.checks.push(check(keyid, false, &why)),
        }
    }
    for sig in &md.signatures {
        if !role_keys.keyids.contains(&sig.keyid) {
            result.checks.push(check(&sig.keyid, false, "key is not authorised for this role"));
        }
    }
    result.count = if strict {
        materials.iter().map(|(_, m)| m.as_str()).collect::<BTreeSet<_>>().len() as u64
    } else {
        result.signed.len() as u64
    };
    result
}

fn check(keyid: &str, valid: bool, reason: &str) -> SignatureCheck {
    SignatureCheck { keyid: keyid.to_owned(), valid, reason: Some(reason.to_owned()) }
}

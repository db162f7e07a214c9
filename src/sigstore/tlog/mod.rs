//! Transparency-log checks on one bundle entry: the signed entry timestamp
//! (SET), the Merkle inclusion proof, the checkpoint's signature, and the
//! body against the bundle ([`body`]).

pub mod body;
pub mod checkpoint;
pub mod merkle;

use base64::Engine as _;
use serde_json::json;

use super::bundle::TlogEntry;
use super::pki;
use super::trusted_root::LogInstance;
pub use checkpoint::Checkpoint;

/// The bytes a SET signs: RFC 8785 JSON of body (base64), integratedTime,
/// logID (hex) and logIndex (global). Four sorted keys of strings and
/// integers, so serde_json's sorted compact output is already canonical.
pub fn set_payload(entry: &TlogEntry) -> Vec<u8> {
    let v = json!({
        "body": base64::engine::general_purpose::STANDARD.encode(&entry.body),
        "integratedTime": entry.integrated_time.unwrap_or(0),
        "logID": hex::encode(&entry.log_id),
        "logIndex": entry.log_index,
    });
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Checks the SET with the log's key.
pub fn verify_set(entry: &TlogEntry, log: &LogInstance) -> Result<(), String> {
    let set = entry.set.as_deref().ok_or("the entry has no inclusion promise")?;
    if entry.integrated_time.is_none() {
        return Err("the entry has no integrated time to promise".into());
    }
    pki::verify_signature(&log.public_key, &set_payload(entry), set)
        .map_err(|e| format!("the signed entry timestamp does not verify with {}'s key: {e}", log.base_url))
}

/// Checks the inclusion proof: the body's leaf hash leads to the proof's root.
pub fn verify_proof(entry: &TlogEntry) -> Result<(), String> {
    let p = entry.proof.as_ref().ok_or("the entry has no inclusion proof")?;
    let (Ok(index), Ok(size)) = (u64::try_from(p.log_index), u64::try_from(p.tree_size)) else {
        return Err("negative index or tree size".into());
    };
    merkle::verify_inclusion(&merkle::leaf_hash(&entry.body), index, size, &p.hashes, &p.root_hash)
        .map_err(|e| e.to_string())
}

/// Checks the checkpoint: it parses, one signature line verifies with the
/// log's key (hint matching), and it commits to the proof's root and size.
pub fn verify_checkpoint(entry: &TlogEntry, log: &LogInstance) -> Result<Checkpoint, String> {
    let p = entry.proof.as_ref().ok_or("the entry has no inclusion proof")?;
    let text = p.checkpoint.as_deref().ok_or("the inclusion proof has no checkpoint")?;
    let cp = Checkpoint::parse(text).map_err(|e| format!("the checkpoint does not parse: {e}"))?;
    let hints = log.checkpoint_key_hints(&cp.origin);
    let candidates: Vec<_> = cp.signatures.iter().filter(|s| hints.contains(&s.key_hint)).collect();
    if candidates.is_empty() {
        return Err(format!(
            "no signature line has the key hint of {} ({}); lines are from {}",
            log.base_url,
            hints.iter().map(hex::encode).collect::<Vec<_>>().join(" or "),
            cp.signatures
                .iter()
                .map(|s| format!("{} ({})", s.name, hex::encode(s.key_hint)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !candidates
        .iter()
        .any(|s| pki::verify_signature_remembered(&log.public_key, cp.body.as_bytes(), &s.signature).is_ok())
    {
        return Err(format!("no checkpoint signature verifies with {}'s key", log.base_url));
    }
    if cp.root_hash != p.root_hash {
        return Err(format!(
            "the checkpoint's root {} is not the proof's root {}",
            hex::encode(&cp.root_hash),
            hex::encode(&p.root_hash)
        ));
    }
    if i64::try_from(cp.size).ok() != Some(p.tree_size) {
        return Err(format!("the checkpoint's tree size {} is not the proof's {}", cp.size, p.tree_size));
    }
    Ok(cp)
}

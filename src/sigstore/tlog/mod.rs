//! Transparency-log checks on one bundle entry: the signed entry timestamp
//! (SET), the Merkle inclusion proof, the checkpoint's signature, and the
//! body against the bundle ([`body`]).

pub mod body;
pub mod checkpoint;
pub mod merkle;

use base64::Engine as _;

use super::bundle::TlogEntry;
use super::pki;
use super::trusted_root::LogInstance;
pub use checkpoint::Checkpoint;

/// The bytes a SET signs: RFC 8785 JSON of body (base64), integratedTime,
/// logID (hex) and logIndex (global). Four keys in sorted order, whose
/// values are integers or strings of base64 and hex, which JSON never
/// escapes: written out directly, it is already canonical.
pub fn set_payload(entry: &TlogEntry) -> Vec<u8> {
    use std::io::Write as _;
    let body = base64::engine::general_purpose::STANDARD.encode(&entry.body);
    let mut out = Vec::with_capacity(body.len() + 2 * entry.log_id.len() + 96);
    out.extend_from_slice(b"{\"body\":\"");
    out.extend_from_slice(body.as_bytes());
    // Cannot fail: a Vec takes every write.
    let _ = write!(out, "\",\"integratedTime\":{},\"logID\":\"", entry.integrated_time.unwrap_or(0));
    out.extend_from_slice(hex::encode(&entry.log_id).as_bytes());
    let _ = write!(out, "\",\"logIndex\":{}}}", entry.log_index);
    out
}

/// Checks the SET with the log's key.
pub fn verify_set(entry: &TlogEntry, log: &LogInstance) -> Result<(), String> {
    let set = entry.set.as_deref().ok_or("the entry has no inclusion promise")?;
    if entry.integrated_time.is_none() {
        return Err("the entry has no integrated time to promise".into());
    }
    pki::verify_signature_by_root_key(&log.public_key, &set_payload(entry), set)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_payload_is_serde_jsons_sorted_compact_json_of_the_four_members() {
        let entry = |body: &[u8], time: Option<i64>, log_id: &[u8], index: i64| TlogEntry {
            log_index: index,
            log_id: log_id.to_vec(),
            kind: "hashedrekord".into(),
            version: "0.0.1".into(),
            integrated_time: time,
            set: None,
            proof: None,
            body: body.to_vec(),
            pointer: String::new(),
        };
        for e in [
            entry(br#"{"apiVersion":"0.0.1"}"#, Some(1_710_868_586), &[0xc0, 0xd2, 0x3d, 0x6a], 79_245_128),
            entry(b"", None, &[], 0),
            entry(&[0xff; 7], Some(-5), &[0; 32], -1),
            entry(&[0xfb, 0xff], Some(i64::MAX), &[1], i64::MIN),
        ] {
            let by_serde = serde_json::to_vec(&serde_json::json!({
                "body": base64::engine::general_purpose::STANDARD.encode(&e.body),
                "integratedTime": e.integrated_time.unwrap_or(0),
                "logID": hex::encode(&e.log_id),
                "logIndex": e.log_index,
            }))
            .unwrap();
            assert_eq!(String::from_utf8(set_payload(&e)).unwrap(), String::from_utf8(by_serde).unwrap());
        }
    }
}

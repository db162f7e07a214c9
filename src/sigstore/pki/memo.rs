//! Signature checks that repeat across the bundles of one invocation: the
//! trusted root's intermediate signed by its root (every Fulcio leaf's path
//! goes through it) and a log's checkpoint that many entries share. A check
//! is remembered only once it passed, under the SHA-256 of everything it
//! depends on (algorithm, key, message, signature), so a hit is the same
//! check with the same bytes: it cannot turn a failure into a pass. The
//! table is bounded and simply starts over when full.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use sha2::{Digest as _, Sha256};

/// Enough for every certificate of a trusted root and a few thousand
/// checkpoints; 32 bytes an entry.
const CAPACITY: usize = 4096;

static PASSED: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();

fn table() -> &'static Mutex<HashSet<[u8; 32]>> {
    PASSED.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Each part length-prefixed, so no two different checks share a key.
fn key(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Runs `check` unless the same `parts` passed before; remembers a pass.
pub(crate) fn passed_before<E>(parts: &[&[u8]], check: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
    let k = key(parts);
    if table().lock().is_ok_and(|t| t.contains(&k)) {
        return Ok(());
    }
    check()?;
    if let Ok(mut t) = table().lock() {
        if t.len() >= CAPACITY {
            t.clear();
        }
        t.insert(k);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pass_is_remembered_and_only_for_the_same_bytes() {
        let mut runs = 0;
        let mut check = |ok: bool| {
            runs += 1;
            if ok { Ok(()) } else { Err(()) }
        };
        let parts: [&[u8]; 3] = [b"memo-test-key", b"message", b"signature"];
        assert_eq!(passed_before(&parts, || check(false)), Err(()));
        assert_eq!(passed_before(&parts, || check(true)), Ok(()));
        assert_eq!(passed_before(&parts, || check(false)), Ok(()), "the pass was remembered");
        let other: [&[u8]; 3] = [b"memo-test-key", b"message", b"signaturf"];
        assert_eq!(passed_before(&other, || check(false)), Err(()), "other bytes are checked again");
        // Length prefixes: moving a byte from one part to the next is another check.
        let shifted: [&[u8]; 3] = [b"memo-test-key", b"messag", b"esignature"];
        assert_eq!(passed_before(&shifted, || check(false)), Err(()));
        assert_eq!(runs, 4);
    }
}

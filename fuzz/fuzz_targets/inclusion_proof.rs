//! Merkle inclusion proofs: arbitrary indices, sizes and hashes never panic
//! or loop, and a proof never verifies against a root it does not lead to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::sigstore::tlog::merkle::{leaf_hash, verify_inclusion};

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let index = u64::from_le_bytes(data[0..8].try_into().unwrap());
    let size = u64::from_le_bytes(data[8..16].try_into().unwrap());
    let rest = &data[16..];
    let leaf = leaf_hash(rest.get(..8).unwrap_or(rest));
    let proof: Vec<Vec<u8>> = rest.chunks(32).take(70).map(<[u8]>::to_vec).collect();
    let root = [0u8; 32];
    if verify_inclusion(&leaf, index, size, &proof, &root).is_ok() {
        // Reaching an all-zero root would be a SHA-256 preimage.
        panic!("a proof led to the all-zero root");
    }
});

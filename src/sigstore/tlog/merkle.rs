//! Merkle inclusion proofs (RFC 9162 §2.1.3.2): leaf = SHA-256(0x00 ‖ data),
//! node = SHA-256(0x01 ‖ left ‖ right).

use sha2::{Digest as _, Sha256};

pub fn leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofError {
    IndexOutOfRange { index: u64, size: u64 },
    WrongHashCount { expected: usize, actual: usize },
    BadHashLength(usize),
    RootMismatch { computed: [u8; 32] },
}

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is not below tree size {size}")
            }
            Self::WrongHashCount { expected, actual } => {
                write!(f, "the proof has {actual} hashes, a proof for this index and size has {expected}")
            }
            Self::BadHashLength(n) => write!(f, "a proof hash has {n} bytes, not 32"),
            Self::RootMismatch { computed } => {
                write!(f, "the proof leads to root {}, not the root hash given", hex::encode(computed))
            }
        }
    }
}

/// The number of hashes a proof for `index` in a tree of `size` has.
fn proof_length(index: u64, size: u64) -> usize {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    inner + border
}

/// Checks that `leaf` (already hashed) is at `index` of a tree of `size` with root `root`.
pub fn verify_inclusion(
    leaf: &[u8; 32],
    index: u64,
    size: u64,
    proof: &[Vec<u8>],
    root: &[u8],
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = proof_length(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongHashCount { expected, actual: proof.len() });
    }
    if let Some(p) = proof.iter().find(|p| p.len() != 32) {
        return Err(ProofError::BadHashLength(p.len()));
    }
    let mut fnode = index;
    let mut snode = size - 1;
    let mut r = *leaf;
    for p in proof {
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode == 0 && r.as_slice() == root { Ok(()) } else { Err(ProofError::RootMismatch { computed: r }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root of leaves built the RFC 9162 way, and the audit path of one leaf.
    fn tree(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = leaves.len().next_power_of_two() / 2;
        node_hash(&tree(&leaves[..k]), &tree(&leaves[k..]))
    }

    fn path(leaves: &[[u8; 32]], m: usize) -> Vec<Vec<u8>> {
        if leaves.len() == 1 {
            return vec![];
        }
        let k = leaves.len().next_power_of_two() / 2;
        if m < k {
            let mut p = path(&leaves[..k], m);
            p.push(tree(&leaves[k..]).to_vec());
            p
        } else {
            let mut p = path(&leaves[k..], m - k);
            p.push(tree(&leaves[..k]).to_vec());
            p
        }
    }

    #[test]
    fn every_leaf_of_small_trees_verifies_and_tampering_fails() {
        for n in 1..=20usize {
            let leaves: Vec<[u8; 32]> = (0..n).map(|i| leaf_hash(&[i as u8])).collect();
            let root = tree(&leaves);
            for m in 0..n {
                let proof = path(&leaves, m);
                assert_eq!(
                    verify_inclusion(&leaves[m], m as u64, n as u64, &proof, &root),
                    Ok(()),
                    "{m}/{n}"
                );
                if let Some(first) = proof.first() {
                    let mut bad = proof.clone();
                    bad[0] = node_hash(first, first).to_vec();
                    assert!(verify_inclusion(&leaves[m], m as u64, n as u64, &bad, &root).is_err());
                }
                assert!(verify_inclusion(&leaves[m], m as u64 + n as u64, n as u64, &proof, &root).is_err());
            }
        }
    }
}

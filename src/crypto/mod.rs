//! Public keys, signature schemes, key ids and digests.

pub mod built_after;
pub mod digest;
pub mod ecdsa_table;
pub mod ed25519_table;
pub mod keys;
pub mod sha512_multi;
pub mod signing;

pub use digest::{DigestAlg, HashAlg, digest, digest_file, sha256_hex};
pub use keys::{KeyError, KeyIdMatch, MessageVerifier, PublicKey, Scheme, SigError};
pub use signing::SigningKey;

//! Private keys for producing signatures: what the fixture generator and tests
//! use to write real, deterministic metadata. Ed25519 (RFC 8032, deterministic by
//! construction) and ECDSA P-256 (RFC 6979 deterministic nonces, DER-encoded
//! signatures as securesystemslib writes them). Keys come from fixed 32-byte seeds.

use serde_json::{Value, json};
use signature::Signer as _;
use spki::der::pem::{self, LineEnding};

use super::digest::sha256_hex;
use super::keys::PublicKey;

/// A private key that signs, with the securesystemslib view of its public half.
#[derive(Clone)]
pub struct SigningKey {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private material.
        f.debug_struct("SigningKey").field("keyid", &self.keyid()).finish_non_exhaustive()
    }
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32-byte key.
const ED25519_SPKI_PREFIX: [u8; 12] =
    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

impl SigningKey {
    /// An Ed25519 key whose secret is `seed` (RFC 8032 private key bytes).
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        Self { inner: Inner::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed)) }
    }

    /// An ECDSA P-256 key whose scalar is `seed`, or — in the negligible case that
    /// `seed` is zero or not below the group order — the first valid value of
    /// `sha256(seed ‖ counter)`.
    pub fn p256_from_seed(seed: &[u8; 32]) -> Self {
        if let Ok(k) = p256::ecdsa::SigningKey::from_slice(seed) {
            return Self { inner: Inner::P256(k) };
        }
        let mut counter: u32 = 0;
        loop {
            let mut input = seed.to_vec();
            input.extend_from_slice(&counter.to_be_bytes());
            let scalar = super::digest::digest(super::digest::HashAlg::Sha256, &input);
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&scalar) {
                return Self { inner: Inner::P256(k) };
            }
            counter += 1;
        }
    }

    /// `keytype` as securesystemslib writes it.
    pub fn keytype(&self) -> &'static str {
        match self.inner {
            Inner::Ed25519(_) => "ed25519",
            Inner::P256(_) => "ecdsa",
        }
    }

    /// `scheme` as securesystemslib writes it.
    pub fn scheme(&self) -> &'static str {
        match self.inner {
            Inner::Ed25519(_) => "ed25519",
            Inner::P256(_) => "ecdsa-sha2-nistp256",
        }
    }

    /// The public key as PEM SubjectPublicKeyInfo text with a trailing newline.
    pub fn public_key_pem(&self) -> String {
        let der = match &self.inner {
            Inner::Ed25519(k) => {
                let mut der = ED25519_SPKI_PREFIX.to_vec();
                der.extend_from_slice(k.verifying_key().as_bytes());
                der
            }
            Inner::P256(k) => {
                use p256::pkcs8::EncodePublicKey as _;
                k.verifying_key().to_public_key_der().expect("P-256 SPKI encoding cannot fail").into_vec()
            }
        };
        pem::encode_string("PUBLIC KEY", LineEnding::LF, &der).expect("PEM encoding cannot fail")
    }

    /// The public key as a securesystemslib key dict without `keyid`:
    /// ed25519 `public` is 64 hex digits, ecdsa `public` is PEM SPKI text.
    pub fn public_key_dict(&self) -> Value {
        let public = match &self.inner {
            Inner::Ed25519(k) => hex::encode(k.verifying_key().as_bytes()),
            Inner::P256(_) => self.public_key_pem(),
        };
        json!({"keytype": self.keytype(), "scheme": self.scheme(), "keyval": {"public": public}})
    }

    /// The public key dict with its `keyid` member, as in-toto layouts list keys.
    pub fn public_key_dict_with_keyid(&self) -> Value {
        let mut dict = self.public_key_dict();
        dict["keyid"] = Value::String(self.keyid());
        dict
    }

    /// The public half as a verifying key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_dict(&self.public_key_dict()).expect("own key dict is well-formed")
    }

    /// The modern key id: sha256 over the canonical JSON of the key dict.
    pub fn keyid(&self) -> String {
        self.public_key().keyid()
    }

    /// Signs `msg`: 64 raw bytes for Ed25519, a DER-encoded ECDSA signature for P-256.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match &self.inner {
            Inner::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }

    /// Signs `msg` and returns the signature as lower-case hex (TUF and in-toto Metablocks).
    pub fn sign_hex(&self, msg: &[u8]) -> String {
        hex::encode(self.sign(msg))
    }
}

/// A 32-byte seed derived from a label, for reproducible test and fixture keys.
pub fn seed_from_label(label: &str) -> [u8; 32] {
    let hex = sha256_hex(format!("trailscope-seed:{label}").as_bytes());
    let mut seed = [0u8; 32];
    hex::decode_to_slice(hex, &mut seed).expect("sha256 hex is 32 bytes");
    seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_signatures_verify() {
        let key = SigningKey::ed25519_from_seed(&seed_from_label("alice"));
        let sig = key.sign(b"hello");
        assert_eq!(sig.len(), 64);
        let public = key.public_key();
        public.verify(b"hello", &sig).unwrap();
        assert!(public.verify(b"hellO", &sig).is_err());
        assert_eq!(key.public_key_dict()["keyval"]["public"].as_str().unwrap().len(), 64);
        // The PEM form reads back as the same key (same key id).
        let from_pem = PublicKey::from_pem(&key.public_key_pem()).unwrap();
        assert_eq!(from_pem.keyid(), key.keyid());
    }

    #[test]
    fn p256_signatures_verify_and_are_deterministic() {
        let key = SigningKey::p256_from_seed(&seed_from_label("bob"));
        let sig = key.sign(b"hello");
        assert_eq!(sig, key.sign(b"hello"), "RFC 6979 signatures are deterministic");
        let public = key.public_key();
        public.verify(b"hello", &sig).unwrap();
        assert!(public.verify(b"hellO", &sig).is_err());
        let dict = key.public_key_dict();
        assert_eq!(dict["keytype"], "ecdsa");
        assert_eq!(dict["scheme"], "ecdsa-sha2-nistp256");
        let pem = dict["keyval"]["public"].as_str().unwrap();
        assert!(
            pem.starts_with("-----BEGIN PUBLIC KEY-----\n") && pem.ends_with("-----END PUBLIC KEY-----\n")
        );
        let from_pem = PublicKey::from_pem(pem).unwrap();
        assert_eq!(from_pem.keyid(), key.keyid());
    }

    #[test]
    fn out_of_range_p256_seed_still_gives_a_key() {
        let key = SigningKey::p256_from_seed(&[0xff; 32]);
        key.public_key().verify(b"m", &key.sign(b"m")).unwrap();
        let zero = SigningKey::p256_from_seed(&[0; 32]);
        zero.public_key().verify(b"m", &zero.sign(b"m")).unwrap();
    }

    #[test]
    fn keyid_with_dict_member() {
        let key = SigningKey::ed25519_from_seed(&seed_from_label("carl"));
        let dict = key.public_key_dict_with_keyid();
        assert_eq!(dict["keyid"].as_str().unwrap(), key.keyid());
        assert_eq!(PublicKey::from_dict(&dict).unwrap().keyid(), key.keyid());
    }
}

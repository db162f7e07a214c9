//! Public keys as securesystemslib, TUF and in-toto write them, and the
//! signature schemes they name (TUF spec §4 "KEYS", TAP 9; securesystemslib
//! `SSlibKey`). Verification uses RustCrypto only; nothing here is hand-rolled.

use serde_json::{Map, Value, json};
use signature::Verifier as _;
use spki::der::Decode as _;
use spki::der::pem::{self, LineEnding};

use super::digest::HashAlg;
use crate::meta::canonical;

/// What verifies signatures for a key.
#[derive(Debug, Clone)]
enum Material {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(Box<rsa::PublicKey>),
    /// The dict parsed, but no scheme we implement can use it (e.g. `sigstore-oidc`).
    Unsupported(String),
}

/// The signature algorithm a key's `scheme` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Ed25519,
    EcdsaP256,
    EcdsaP384,
    RsaPss(HashAlg),
    RsaPkcs1v15(HashAlg),
}

impl Scheme {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ed25519" => Self::Ed25519,
            "ecdsa-sha2-nistp256" => Self::EcdsaP256,
            "ecdsa-sha2-nistp384" => Self::EcdsaP384,
            "rsassa-pss-sha256" => Self::RsaPss(HashAlg::Sha256),
            "rsassa-pss-sha384" => Self::RsaPss(HashAlg::Sha384),
            "rsassa-pss-sha512" => Self::RsaPss(HashAlg::Sha512),
            "rsa-pkcs1v15-sha256" => Self::RsaPkcs1v15(HashAlg::Sha256),
            "rsa-pkcs1v15-sha384" => Self::RsaPkcs1v15(HashAlg::Sha384),
            "rsa-pkcs1v15-sha512" => Self::RsaPkcs1v15(HashAlg::Sha512),
            _ => return None,
        })
    }
}

/// A key dict that cannot be read at all (not an object, members missing or of the wrong type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key is not a JSON object")]
    NotAnObject,
    #[error("key member \"{0}\" is missing or not a string")]
    Missing(&'static str),
    #[error("not a PEM public key: {0}")]
    Pem(String),
    #[error("unsupported public key algorithm in PEM (OID {0})")]
    UnsupportedAlgorithm(String),
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("signature does not verify")]
    Invalid,
    #[error("signature is malformed: {0}")]
    Malformed(String),
    #[error("key cannot verify signatures: {0}")]
    UnusableKey(String),
}

/// How a declared key id relates to the key's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyIdMatch {
    /// sha256 of the canonical key dict (TUF spec; securesystemslib ≥ 1.0).
    Modern,
    /// The legacy in-toto/securesystemslib < 1.0 formula.
    Legacy,
    /// Neither formula gives the declared id.
    None,
}

/// A public key, keeping the dict exactly as given (unknown members too).
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub keytype: String,
    pub scheme: String,
    /// `keyval.public` as written.
    pub public: String,
    /// The key dict as given, used for key ids.
    pub dict: Value,
    /// Non-spec forms that were accepted (legacy keytype, hex-encoded ECDSA point, …).
    pub quirks: Vec<String>,
    material: Material,
}

impl PublicKey {
    /// Reads a securesystemslib/TUF key dict. Keys of unknown type or scheme
    /// still load (so metadata naming them stays readable) but verify nothing.
    pub fn from_dict(dict: &Value) -> Result<Self, KeyError> {
        let obj = dict.as_object().ok_or(KeyError::NotAnObject)?;
        let keytype = str_member(obj, "keytype")?;
        let scheme = str_member(obj, "scheme")?;
        let public = obj
            .get("keyval")
            .and_then(Value::as_object)
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_str)
            .ok_or(KeyError::Missing("keyval.public"))?
            .to_owned();
        let mut quirks = Vec::new();
        let material = material_for(&keytype, &scheme, &public, &mut quirks);
        Ok(Self { keytype, scheme, public, dict: dict.clone(), quirks, material })
    }

    /// Reads a PEM SubjectPublicKeyInfo file the way securesystemslib's
    /// `SSlibKey.from_pem` does, choosing keytype and default scheme by algorithm.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let (label, der) =
            pem::decode_vec(text.trim().as_bytes()).map_err(|e| KeyError::Pem(e.to_string()))?;
        if label == "RSA PUBLIC KEY" {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            use rsa::pkcs8::EncodePublicKey as _;
            let key = rsa::PublicKey::from_pkcs1_der(&der).map_err(|e| KeyError::Pem(e.to_string()))?;
            let spki = key.to_public_key_der().map_err(|e| KeyError::Pem(e.to_string()))?;
            return Self::from_spki_der(spki.as_bytes());
        }
        if label != "PUBLIC KEY" {
            return Err(KeyError::Pem(format!("expected a \"PUBLIC KEY\" block, found \"{label}\"")));
        }
        Self::from_spki_der(&der)
    }

    fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|e| KeyError::Pem(e.to_string()))?;
        let oid = info.algorithm.oid.to_string();
        let pem_text = || {
            pem::encode_string("PUBLIC KEY", LineEnding::LF, der).map_err(|e| KeyError::Pem(e.to_string()))
        };
        let (keytype, scheme, public) = match oid.as_str() {
            OID_ED25519 => {
                let raw = info.subject_public_key.raw_bytes();
                ("ed25519", "ed25519", hex::encode(raw))
            }
            OID_RSA => ("rsa", "rsassa-pss-sha256", pem_text()?),
            OID_EC => {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<spki::ObjectIdentifier>().ok())
                    .map(|o| o.to_string())
                    .unwrap_or_default();
                match curve.as_str() {
                    OID_P256 => ("ecdsa", "ecdsa-sha2-nistp256", pem_text()?),
                    OID_P384 => ("ecdsa", "ecdsa-sha2-nistp384", pem_text()?),
                    other => return Err(KeyError::UnsupportedAlgorithm(format!("EC curve {other}"))),
                }
            }
            other => return Err(KeyError::UnsupportedAlgorithm(other.to_string())),
        };
        let dict = json!({"keytype": keytype, "scheme": scheme, "keyval": {"public": public}});
        Self::from_dict(&dict)
    }

    /// Reads a key file: a securesystemslib JSON key dict or a PEM public key.
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(bytes).map_err(|_| KeyError::Pem("not UTF-8 text".into()))?;
        if text.trim_start().starts_with('{') {
            let value: Value =
                serde_json::from_str(text).map_err(|e| KeyError::Pem(format!("invalid JSON key: {e}")))?;
            Self::from_dict(&value)
        } else {
            Self::from_pem(text)
        }
    }

    /// The key id the dict declares in a `keyid` member, if any (in-toto layouts).
    pub fn declared_keyid(&self) -> Option<&str> {
        self.dict.get("keyid").and_then(Value::as_str)
    }

    /// sha256 over the canonical JSON of the dict as given, without a `keyid`
    /// member — what TUF (spec §4) and securesystemslib ≥ 1.0 compute.
    pub fn keyid(&self) -> String {
        let mut dict = self.dict.clone();
        if let Value::Object(map) = &mut dict {
            map.remove("keyid");
        }
        keyid_of(&dict)
    }

    /// The legacy in-toto formula: `keyid_hash_algorithms` added and the PEM
    /// without its trailing newline (in-toto ≤ 2.x, in-toto-golang, in-toto-rs).
    pub fn legacy_keyid(&self) -> String {
        let legacy = json!({
            "keyid_hash_algorithms": ["sha256", "sha512"],
            "keytype": self.keytype,
            "keyval": {"public": self.public.trim_end_matches('\n')},
            "scheme": self.scheme,
        });
        keyid_of(&legacy)
    }

    /// securesystemslib's formula: the hash of the key's own members only
    /// (`keytype`, `scheme`, `keyval.public`, and `keyid_hash_algorithms`
    /// when listed), whatever labels the dict also carries.
    pub fn sslib_keyid(&self) -> String {
        let mut dict =
            json!({"keytype": self.keytype, "keyval": {"public": self.public}, "scheme": self.scheme});
        if let Some(algs) = self.dict.get("keyid_hash_algorithms") {
            dict["keyid_hash_algorithms"] = algs.clone();
        }
        keyid_of(&dict)
    }

    /// Which formula, if any, yields `declared`.
    pub fn keyid_match(&self, declared: &str) -> KeyIdMatch {
        if self.keyid() == declared {
            KeyIdMatch::Modern
        } else if self.legacy_keyid() == declared {
            KeyIdMatch::Legacy
        } else {
            KeyIdMatch::None
        }
    }

    /// Whether a scheme we implement can use this key.
    pub fn unusable_reason(&self) -> Option<&str> {
        match &self.material {
            Material::Unsupported(why) => Some(why),
            _ => None,
        }
    }

    /// The ed25519 key, for [`super::ed25519_table::Ed25519Table`] (any
    /// scheme name: [`Self::verify`] checks ed25519 material as ed25519).
    pub fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match &self.material {
            Material::Ed25519(k) => Some(k),
            _ => None,
        }
    }

    /// Verifies `sig` (raw bytes: DER for ECDSA) over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        let scheme = Scheme::from_name(&self.scheme);
        match (&self.material, scheme) {
            (Material::Unsupported(why), _) => Err(SigError::UnusableKey(why.clone())),
            (Material::Ed25519(k), _) => {
                let sig = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| SigError::Malformed(format!("ed25519 signature of {} bytes", sig.len())))?;
                k.verify(msg, &sig).map_err(|_| SigError::Invalid)
            }
            (Material::P256(k), _) => {
                let sig = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SigError::Malformed("not a DER-encoded ECDSA P-256 signature".into()))?;
                k.verify(msg, &sig).map_err(|_| SigError::Invalid)
            }
            (Material::P384(k), _) => {
                let sig = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|_| SigError::Malformed("not a DER-encoded ECDSA P-384 signature".into()))?;
                k.verify(msg, &sig).map_err(|_| SigError::Invalid)
            }
            (Material::Rsa(k), Some(Scheme::RsaPss(alg))) => verify_rsa_pss(k, alg, msg, sig),
            (Material::Rsa(k), Some(Scheme::RsaPkcs1v15(alg))) => verify_rsa_pkcs1(k, alg, msg, sig),
            (Material::Rsa(_), _) => Err(SigError::UnusableKey(format!("scheme {}", self.scheme))),
        }
    }
}

/// A signature check fed the message in pieces ([`PublicKey::message_verifier`]),
/// so a large message need not be held whole. Ed25519 hashes as it goes;
/// the other schemes gather the message and check it at the end.
pub struct MessageVerifier<'k> {
    state: Streamed<'k>,
}

enum Streamed<'k> {
    Ed25519(Box<ed25519_dalek::StreamVerifier>),
    Gathered { key: &'k PublicKey, sig: Vec<u8>, msg: Vec<u8> },
    Failed(SigError),
}

impl MessageVerifier<'_> {
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.state {
            Streamed::Ed25519(v) => v.update(chunk),
            Streamed::Gathered { msg, .. } => msg.extend_from_slice(chunk),
            Streamed::Failed(_) => {}
        }
    }

    /// The outcome [`PublicKey::verify`] gives for the whole message.
    pub fn finish(self) -> Result<(), SigError> {
        match self.state {
            Streamed::Ed25519(v) => v.finalize_and_verify().map_err(|_| SigError::Invalid),
            Streamed::Gathered { key, sig, msg } => key.verify(&msg, &sig),
            Streamed::Failed(e) => Err(e),
        }
    }
}

impl PublicKey {
    /// Starts a check of `sig` over a message given later in pieces.
    pub fn message_verifier(&self, sig: &[u8]) -> MessageVerifier<'_> {
        let state = match (&self.material, Scheme::from_name(&self.scheme)) {
            (Material::Ed25519(k), _) => match ed25519_dalek::Signature::from_slice(sig) {
                Ok(s) => match k.verify_stream(&s) {
                    Ok(v) => Streamed::Ed25519(Box::new(v)),
                    // A scalar out of range: `verify` rejects it the same way.
                    Err(_) => Streamed::Failed(SigError::Invalid),
                },
                Err(_) => {
                    Streamed::Failed(SigError::Malformed(format!("ed25519 signature of {} bytes", sig.len())))
                }
            },
            _ => Streamed::Gathered { key: self, sig: sig.to_vec(), msg: Vec::new() },
        };
        MessageVerifier { state }
    }
}

const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

fn keyid_of(dict: &Value) -> String {
    // Key dicts come from parsed JSON, so they are integers-only unless hostile;
    // a float makes the id unmatchable, which is the right outcome.
    let bytes = canonical::to_vec(dict).unwrap_or_default();
    super::digest::sha256_hex(&bytes)
}

fn str_member(obj: &Map<String, Value>, key: &'static str) -> Result<String, KeyError> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned).ok_or(KeyError::Missing(key))
}

fn material_for(keytype: &str, scheme: &str, public: &str, quirks: &mut Vec<String>) -> Material {
    let Some(parsed_scheme) = Scheme::from_name(scheme) else {
        return Material::Unsupported(format!("unsupported scheme \"{scheme}\""));
    };
    let result = match (keytype, parsed_scheme) {
        ("ed25519", Scheme::Ed25519) => ed25519_material(public),
        ("ecdsa" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384", Scheme::EcdsaP256 | Scheme::EcdsaP384) => {
            if keytype != "ecdsa" {
                quirks.push(format!("legacy keytype \"{keytype}\""));
            }
            ecdsa_material(parsed_scheme, public, quirks)
        }
        ("rsa", Scheme::RsaPss(_) | Scheme::RsaPkcs1v15(_)) => rsa_material(public),
        _ => Err(format!("keytype \"{keytype}\" does not go with scheme \"{scheme}\"")),
    };
    result.unwrap_or_else(Material::Unsupported)
}

fn ed25519_material(public: &str) -> Result<Material, String> {
    let bytes = hex::decode(public).map_err(|_| "ed25519 public key is not hex".to_string())?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| "ed25519 public key is not 32 bytes".to_string())?;
    ed25519_dalek::VerifyingKey::from_bytes(&arr)
        .map(Material::Ed25519)
        .map_err(|_| "ed25519 public key is not a valid point".to_string())
}

fn ecdsa_material(scheme: Scheme, public: &str, quirks: &mut Vec<String>) -> Result<Material, String> {
    let sec1 = if public.trim_start().starts_with("-----BEGIN") {
        let (_, der) = pem::decode_vec(public.trim().as_bytes()).map_err(|e| format!("bad PEM: {e}"))?;
        let info = spki::SubjectPublicKeyInfoRef::from_der(&der).map_err(|e| format!("bad SPKI: {e}"))?;
        info.subject_public_key.raw_bytes().to_vec()
    } else {
        // sigstore roots v1–v4 write the uncompressed SEC1 point as hex.
        quirks.push("ECDSA public key as hex SEC1 point instead of PEM".into());
        hex::decode(public).map_err(|_| "ECDSA public key is neither PEM nor hex".to_string())?
    };
    match scheme {
        Scheme::EcdsaP256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
            .map(Material::P256)
            .map_err(|_| "not a P-256 public key".to_string()),
        _ => p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
            .map(Material::P384)
            .map_err(|_| "not a P-384 public key".to_string()),
    }
}

fn rsa_material(public: &str) -> Result<Material, String> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    let (label, der) = pem::decode_vec(public.trim().as_bytes()).map_err(|e| format!("bad PEM: {e}"))?;
    let key = if label == "RSA PUBLIC KEY" {
        rsa::PublicKey::from_pkcs1_der(&der).map_err(|e| format!("bad RSA key: {e}"))?
    } else {
        let info = spki::SubjectPublicKeyInfoRef::from_der(&der).map_err(|e| format!("bad SPKI: {e}"))?;
        rsa::PublicKey::try_from(info).map_err(|e| format!("bad RSA key: {e}"))?
    };
    Ok(Material::Rsa(Box::new(key)))
}

fn verify_rsa_pss(key: &rsa::PublicKey, alg: HashAlg, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
    let sig = rsa::pss::Signature::try_from(sig).map_err(|e| SigError::Malformed(e.to_string()))?;
    // securesystemslib verifies with salt length AUTO, so any salt length is accepted.
    let result = match alg {
        HashAlg::Sha256 => {
            rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_auto_salt_len(key.clone()).verify(msg, &sig)
        }
        HashAlg::Sha384 => {
            rsa::pss::VerifyingKey::<sha2::Sha384>::new_with_auto_salt_len(key.clone()).verify(msg, &sig)
        }
        HashAlg::Sha512 => {
            rsa::pss::VerifyingKey::<sha2::Sha512>::new_with_auto_salt_len(key.clone()).verify(msg, &sig)
        }
    };
    result.map_err(|_| SigError::Invalid)
}

fn verify_rsa_pkcs1(key: &rsa::PublicKey, alg: HashAlg, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
    let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(|e| SigError::Malformed(e.to_string()))?;
    let result = match alg {
        HashAlg::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.clone()).verify(msg, &sig),
        HashAlg::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key.clone()).verify(msg, &sig),
        HashAlg::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key.clone()).verify(msg, &sig),
    };
    result.map_err(|_| SigError::Invalid)
}

/// The members of a key dict that name its holder, in order of preference:
/// tuf-on-ci's `x-tuf-on-ci-keyowner`, then a plain `keyowner` or `name`
/// label (TUF keys and in-toto functionary keys alike).
pub const OWNER_MEMBERS: [&str; 3] = ["x-tuf-on-ci-keyowner", "keyowner", "name"];

/// Who holds the key `dict` describes, where it says (raw; not empty).
pub fn key_owner(dict: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    OWNER_MEMBERS
        .iter()
        .find_map(|m| dict.get(*m).and_then(serde_json::Value::as_str))
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
}

/// The holder a key file is named after: `keys/alice.pub.json` → `alice`
/// (the name up to its first dot), if it has one.
pub fn owner_of_file(path: &std::path::Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split('.').next().filter(|s| !s.is_empty())?;
    Some(stem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labelled_key_is_named_and_keeps_securesystemslib_s_id() {
        let public = "a".repeat(64);
        let plain = json!({"keytype": "ed25519", "keyval": {"public": public}, "scheme": "ed25519"});
        let mut named = plain.clone();
        named["name"] = json!("bob");
        let key = PublicKey::from_dict(&named).unwrap();
        assert_eq!(key_owner(named.as_object().unwrap()).as_deref(), Some("bob"));
        // The id tuf-on-ci computes covers the label; securesystemslib's does not.
        assert_ne!(key.keyid(), keyid_of(&plain));
        assert_eq!(key.sslib_keyid(), keyid_of(&plain));
        let mut both = named;
        both["x-tuf-on-ci-keyowner"] = json!("@bob");
        assert_eq!(key_owner(both.as_object().unwrap()).as_deref(), Some("@bob"), "tuf-on-ci's member first");
        assert_eq!(owner_of_file(std::path::Path::new("keys/alice.pub.json")).as_deref(), Some("alice"));
        assert_eq!(owner_of_file(std::path::Path::new(".pub")), None);
    }

    #[test]
    fn unknown_scheme_loads_but_cannot_verify() {
        let k = PublicKey::from_dict(
            &json!({"keytype": "sigstore-oidc", "scheme": "Fulcio", "keyval": {"public": "x"}}),
        )
        .unwrap();
        assert!(k.unusable_reason().is_some());
        assert!(matches!(k.verify(b"m", b"s"), Err(SigError::UnusableKey(_))));
    }

    #[test]
    fn a_message_in_pieces_verifies_as_the_whole_message() {
        let msg: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for signer in [
            crate::crypto::SigningKey::ed25519_from_seed(&[7; 32]),
            crate::crypto::SigningKey::p256_from_seed(&[9; 32]),
        ] {
            let key = signer.public_key();
            let sig = signer.sign(&msg);
            let in_pieces = |m: &[u8], s: &[u8]| {
                let mut v = key.message_verifier(s);
                for chunk in m.chunks(65_536) {
                    v.update(chunk);
                }
                v.finish()
            };
            assert_eq!(in_pieces(&msg, &sig), Ok(()));
            assert_eq!(key.verify(&msg, &sig), Ok(()));
            let mut tampered = msg.clone();
            tampered[123_456] ^= 1;
            assert_eq!(in_pieces(&tampered, &sig), Err(SigError::Invalid));
            assert_eq!(in_pieces(&msg[..msg.len() - 1], &sig), key.verify(&msg[..msg.len() - 1], &sig));
            assert!(matches!(in_pieces(&msg, &sig[..10]), Err(SigError::Malformed(_))));
        }
    }

    #[test]
    fn missing_members_are_errors() {
        assert_eq!(PublicKey::from_dict(&json!([])).unwrap_err(), KeyError::NotAnObject);
        assert_eq!(
            PublicKey::from_dict(&json!({"keytype": "ed25519", "scheme": "ed25519"})).unwrap_err(),
            KeyError::Missing("keyval.public")
        );
    }

    #[test]
    fn garbled_keys_and_signatures_do_not_panic() {
        let k = PublicKey::from_dict(
            &json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "zz"}}),
        )
        .unwrap();
        assert!(k.unusable_reason().is_some());
        for pem in
            ["", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----"]
        {
            assert!(PublicKey::from_pem(pem).is_err());
        }
        let ec = PublicKey::from_dict(
            &json!({"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": "04"}}),
        )
        .unwrap();
        assert!(ec.unusable_reason().is_some());
    }
}

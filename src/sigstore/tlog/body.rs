//! The log entry's body against the bundle (CVE-2022-36056): the entry must
//! record this signature, this certificate or key, and this artifact or
//! envelope. Kinds: hashedrekord 0.0.1 and 0.0.2, dsse 0.0.1 and 0.0.2,
//! intoto 0.0.2.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::sigstore::bundle::{Content, decode_base64};

/// An absent member, as `Value::get` on it finds nothing.
static NULL: Value = Value::Null;

/// The supported `(kind, version)` pairs.
pub const SUPPORTED: [(&str, &str); 5] = [
    ("hashedrekord", "0.0.1"),
    ("hashedrekord", "0.0.2"),
    ("dsse", "0.0.1"),
    ("dsse", "0.0.2"),
    ("intoto", "0.0.2"),
];

pub fn is_supported(kind: &str, version: &str) -> bool {
    SUPPORTED.contains(&(kind, version))
}

/// What the bundle says the entry must hold.
pub struct Expected<'a> {
    pub content: &'a Content,
    /// The leaf certificate (DER), or the verifier's key (SPKI DER) for keyed bundles.
    pub verifier_der: Option<&'a [u8]>,
    /// SHA-256 of the artifact, for message signatures.
    pub artifact_sha256: Option<&'a [u8]>,
}

/// One difference between the body and the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub actual: String,
}

fn mismatch(field: &str, expected: impl Into<String>, actual: impl Into<String>) -> Mismatch {
    Mismatch { field: field.into(), expected: expected.into(), actual: actual.into() }
}

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn s<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    get(v, path).and_then(Value::as_str)
}

/// DER of a PEM certificate or public key (the v1 kinds store PEM, base64ed).
fn pem_der(b64_pem: Option<&str>) -> Option<Vec<u8>> {
    let pem_text = decode_base64(b64_pem?)?;
    pem_to_der(std::str::from_utf8(&pem_text).ok()?)
}

/// The first PEM block's DER. Lenient about line lengths and trailing
/// text, as Rekor stores what clients sent (the bytes are compared, not trusted).
pub fn pem_to_der(text: &str) -> Option<Vec<u8>> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start..];
    let body_start = rest.find('\n')? + 1;
    let end = rest.find("-----END ")?;
    let body = rest.get(body_start..end)?;
    let b64: String = if body.is_ascii() {
        // The usual PEM: ASCII, so white space is these bytes (as `char::is_whitespace` has it).
        let kept: Vec<u8> = body.bytes().filter(|b| !matches!(b, b'\t'..=b'\r' | b' ')).collect();
        String::from_utf8(kept).ok()?
    } else {
        body.chars().filter(|c| !c.is_whitespace()).collect()
    };
    decode_base64(&b64)
}

fn short(b: &[u8]) -> String {
    let h = hex::encode(Sha256::digest(b));
    format!("{} bytes, sha256 {}…", b.len(), &h[..16])
}

fn cmp_bytes(out: &mut Vec<Mismatch>, field: &str, expected: Option<&[u8]>, actual: Option<Vec<u8>>) {
    if let Some(e) = expected
        && actual.as_deref() != Some(e)
        && !certificate_with_key(actual.as_deref(), e)
    {
        out.push(mismatch(field, short(e), actual.map_or("absent or unreadable".into(), |a| short(&a))));
    }
}

/// The same verifier written two ways: a certificate on one side and its
/// public key on the other (keyed bundles logged with a certificate, Rekor v2
/// entries that record the key).
fn certificate_with_key(actual: Option<&[u8]>, expected: &[u8]) -> bool {
    fn key_of(der: &[u8]) -> Vec<u8> {
        crate::sigstore::pki::LeafCertificate::parse(der)
            .map_or_else(|_| der.to_vec(), |c| c.spki_der().to_vec())
    }
    actual.is_some_and(|a| key_of(a) == key_of(expected))
}

/// Compares the body with the bundle; `Err` when the body cannot be read.
pub fn check(body: &[u8], kind: &str, version: &str, want: &Expected) -> Result<Vec<Mismatch>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the entry body is not JSON: {e}"))?;
    if s(&v, &["kind"]) != Some(kind) || s(&v, &["apiVersion"]) != Some(version) {
        return Ok(vec![mismatch(
            "kind",
            format!("{kind} {version}"),
            format!("{} {}", s(&v, &["kind"]).unwrap_or("?"), s(&v, &["apiVersion"]).unwrap_or("?")),
        )]);
    }
    let mut out = Vec::new();
    let sig = want.content.signature().unwrap_or_default();
    match (kind, version, want.content) {
        ("hashedrekord", "0.0.1", Content::MessageSignature { .. }) => {
            let spec = v.get("spec").ok_or("the body has no spec")?;
            cmp_bytes(
                &mut out,
                "spec.signature.content",
                Some(sig),
                s(spec, &["signature", "content"]).and_then(decode_base64),
            );
            cmp_bytes(
                &mut out,
                "spec.signature.publicKey.content",
                want.verifier_der,
                pem_der(s(spec, &["signature", "publicKey", "content"])),
            );
            let alg = s(spec, &["data", "hash", "algorithm"]);
            let value = s(spec, &["data", "hash", "value"]).and_then(|h| hex::decode(h).ok());
            if alg != Some("sha256") {
                out.push(mismatch("spec.data.hash.algorithm", "sha256", alg.unwrap_or("absent")));
            }
            cmp_bytes(&mut out, "spec.data.hash.value", want.artifact_sha256, value);
        }
        ("hashedrekord", "0.0.2", _) => {
            let spec =
                get(&v, &["spec", "hashedRekordV002"]).ok_or("the body has no spec.hashedRekordV002")?;
            cmp_bytes(
                &mut out,
                "spec.signature.content",
                Some(sig),
                s(spec, &["signature", "content"]).and_then(decode_base64),
            );
            let verifier = get(spec, &["signature", "verifier"]);
            let der = verifier
                .and_then(|vf| {
                    s(vf, &["x509Certificate", "rawBytes"]).or_else(|| s(vf, &["publicKey", "rawBytes"]))
                })
                .and_then(decode_base64);
            cmp_bytes(&mut out, "spec.signature.verifier", want.verifier_der, der);
            let digest = s(spec, &["data", "digest"]).and_then(decode_base64);
            let expected = match want.content {
                Content::Dsse(d) => Some(Sha256::digest(d.pae()).to_vec()),
                Content::MessageSignature { .. } => want.artifact_sha256.map(<[u8]>::to_vec),
            };
            if s(spec, &["data", "algorithm"]) != Some("SHA2_256") {
                out.push(mismatch(
                    "spec.data.algorithm",
                    "SHA2_256",
                    s(spec, &["data", "algorithm"]).unwrap_or("absent"),
                ));
            }
            cmp_bytes(&mut out, "spec.data.digest", expected.as_deref(), digest);
        }
        ("dsse", "0.0.1", Content::Dsse(d)) => {
            let spec = v.get("spec").ok_or("the body has no spec")?;
            let payload_hash = s(spec, &["payloadHash", "value"]).and_then(|h| hex::decode(h).ok());
            cmp_bytes(&mut out, "spec.payloadHash", Some(&Sha256::digest(&d.payload)), payload_hash);
            let sigs = spec.get("signatures").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            if sigs.len() != d.signatures.len() {
                out.push(mismatch("spec.signatures", d.signatures.len().to_string(), sigs.len().to_string()));
            }
            let first = sigs.first().unwrap_or(&NULL);
            cmp_bytes(
                &mut out,
                "spec.signatures[0].signature",
                Some(sig),
                s(first, &["signature"]).and_then(decode_base64),
            );
            cmp_bytes(
                &mut out,
                "spec.signatures[0].verifier",
                want.verifier_der,
                pem_der(s(first, &["verifier"])),
            );
        }
        ("dsse", "0.0.2", Content::Dsse(d)) => {
            let spec = get(&v, &["spec", "dsseV002"]).ok_or("the body has no spec.dsseV002")?;
            let payload_hash = s(spec, &["payloadHash", "digest"]).and_then(decode_base64);
            cmp_bytes(&mut out, "spec.payloadHash", Some(&Sha256::digest(&d.payload)), payload_hash);
            let sigs = spec.get("signatures").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            if sigs.len() != d.signatures.len() {
                out.push(mismatch("spec.signatures", d.signatures.len().to_string(), sigs.len().to_string()));
            }
            let first = sigs.first().unwrap_or(&NULL);
            cmp_bytes(
                &mut out,
                "spec.signatures[0].content",
                Some(sig),
                s(first, &["content"]).and_then(decode_base64),
            );
            let der = get(first, &["verifier"])
                .and_then(|vf| {
                    s(vf, &["x509Certificate", "rawBytes"]).or_else(|| s(vf, &["publicKey", "rawBytes"]))
                })
                .and_then(decode_base64);
            cmp_bytes(&mut out, "spec.signatures[0].verifier", want.verifier_der, der);
        }
        ("intoto", "0.0.2", Content::Dsse(d)) => {
            let content = get(&v, &["spec", "content"]).ok_or("the body has no spec.content")?;
            let payload_hash = s(content, &["payloadHash", "value"]).and_then(|h| hex::decode(h).ok());
            cmp_bytes(&mut out, "spec.content.payloadHash", Some(&Sha256::digest(&d.payload)), payload_hash);
            let env = content.get("envelope").ok_or("the body has no envelope")?;
            if s(env, &["payloadType"]) != Some(d.payload_type.as_str()) {
                out.push(mismatch(
                    "spec.content.envelope.payloadType",
                    d.payload_type.clone(),
                    s(env, &["payloadType"]).unwrap_or("absent"),
                ));
            }
            if let Some(p) = s(env, &["payload"]) {
                let twice = decode_base64(p).and_then(|b| decode_base64(std::str::from_utf8(&b).ok()?));
                cmp_bytes(&mut out, "spec.content.envelope.payload", Some(&d.payload), twice);
            }
            let sigs = env.get("signatures").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            if sigs.len() != d.signatures.len() {
                out.push(mismatch(
                    "spec.content.envelope.signatures",
                    d.signatures.len().to_string(),
                    sigs.len().to_string(),
                ));
            }
            let first = sigs.first().unwrap_or(&NULL);
            let twice = s(first, &["sig"])
                .and_then(decode_base64)
                .and_then(|b| decode_base64(std::str::from_utf8(&b).ok()?));
            cmp_bytes(&mut out, "spec.content.envelope.signatures[0].sig", Some(sig), twice);
            cmp_bytes(
                &mut out,
                "spec.content.envelope.signatures[0].publicKey",
                want.verifier_der,
                pem_der(s(first, &["publicKey"])),
            );
        }
        (k, ver, c) => {
            let what = match c {
                Content::Dsse(_) => "a DSSE envelope",
                Content::MessageSignature { .. } => "a message signature",
            };
            return Err(format!("a {k} {ver} entry cannot record {what}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_bodies_lose_the_white_space_char_is_whitespace_names() {
        let der = b"any bytes at all, 40 of them: 0123456789";
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
        let (a, b) = b64.split_at(20);
        for sep in ["\n", "\r\n", " \t", "\u{b}\u{c}", "\u{a0}", "\u{2003}\n"] {
            let pem = format!("-----BEGIN CERTIFICATE-----\n{a}{sep}{b}\n-----END CERTIFICATE-----\n");
            assert_eq!(pem_to_der(&pem).as_deref(), Some(&der[..]), "{sep:?}");
        }
        let pem = format!("-----BEGIN CERTIFICATE-----\n{a}\u{e9}{b}\n-----END CERTIFICATE-----\n");
        assert_eq!(pem_to_der(&pem), None);
    }
}

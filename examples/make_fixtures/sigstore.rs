//! A private Sigstore instance — a certificate authority (root and
//! intermediate), a CT log, a Rekor log — with deterministic P-256 keys and
//! fixed times, its `trusted_root.json`, and bundles that carry an in-toto
//! SLSA provenance statement in a DSSE envelope (Rekor `dsse` 0.0.1 entries
//! with SET, inclusion proof and checkpoint). One scenario per check a
//! verifier must make: the pass, and one failure each.
//!
//! No RFC 3161 authority: Rekor v1's SET supplies the signing time, as it
//! does for most public-good bundles; the conformance cases cover timestamps.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use der::asn1::{Ia5String, OctetString, Utf8StringRef};
use der::{Decode, Encode};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::util::{Files, pretty};

const SET: &str = "sigstore-scenarios";
/// When the instance's keys start being valid.
const INSTANCE_START: &str = "2026-01-01T00:00:00Z";
/// The signing event every scenario is about (unix seconds: 2026-06-01T12:00:00Z).
const SIGNED_AT: u64 = 1_780_315_200;
const IDENTITY: &str =
    "https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const REPOSITORY: &str = "https://github.com/trailscope/demo-widget";
const COMMIT: &str = "7c1e5d0a4b9f2e8c3d6a1b0f9e8d7c6b5a4f3e2d";
const REKOR_ORIGIN: &str = "rekor.trailscope.test - 4815162342";
const ARTIFACT: &[u8] = b"demo-widget 1.4.0\nthe release the scenarios attest\n";

fn key(label: &str) -> SigningKey {
    let seed = Sha256::digest(format!("fixtures/sigstore/{label}").as_bytes());
    SigningKey::from_slice(&seed).expect("a SHA-256 digest is a valid P-256 scalar")
}

fn spki_der(key: &SigningKey) -> Vec<u8> {
    key.verifying_key().to_public_key_der().expect("encodes").as_bytes().to_vec()
}

fn sign(key: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: DerSignature = signature::Signer::sign(key, msg);
    sig.as_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn time(unix: u64) -> x509_cert::time::Time {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix);
    x509_cert::time::Time::try_from(at).expect("in range")
}

fn name(text: &str) -> Name {
    text.parse().expect("a valid RFC 4514 name")
}

/// A profile with fixed issuer, subject and extensions: the generator says
/// exactly what each certificate holds.
struct Fixed {
    issuer: Name,
    subject: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Fixed {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn ext(oid: &str, critical: bool, value: impl Encode) -> Extension {
    Extension {
        extn_id: oid.parse().expect("oid"),
        critical,
        extn_value: OctetString::new(value.to_der().expect("encodes")).expect("octets"),
    }
}

fn raw_ext(oid: &str, bytes: &[u8]) -> Extension {
    Extension {
        extn_id: oid.parse().expect("oid"),
        critical: false,
        extn_value: OctetString::new(bytes.to_vec()).expect("octets"),
    }
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    // RFC 7093 method 1: SHA-256 of the subjectPublicKey, truncated to 160 bits.
    let parsed = SubjectPublicKeyInfoOwned::from_der(spki).expect("spki");
    Sha256::digest(parsed.subject_public_key.raw_bytes())[..20].to_vec()
}

fn certificate(
    serial: u8,
    issuer_key: &SigningKey,
    profile: Fixed,
    subject_spki: &[u8],
    validity: (u64, u64),
) -> Vec<u8> {
    let builder = certificate_builder(serial, profile, subject_spki, validity);
    let cert = builder.build::<_, DerSignature>(issuer_key).expect("signs");
    cert.to_der().expect("encodes")
}

fn certificate_builder(
    serial: u8,
    profile: Fixed,
    subject_spki: &[u8],
    validity: (u64, u64),
) -> CertificateBuilder<Fixed> {
    let validity = Validity::new(time(validity.0), time(validity.1));
    let spki = SubjectPublicKeyInfoOwned::from_der(subject_spki).expect("spki");
    CertificateBuilder::new(profile, SerialNumber::new(&[serial]).expect("serial"), validity, spki)
        .expect("builder")
}

/// The private instance: keys, CA certificates, its trusted root.
struct Instance {
    intermediate: SigningKey,
    ct_log: SigningKey,
    rekor: SigningKey,
    root_der: Vec<u8>,
    intermediate_der: Vec<u8>,
}

const CA_VALIDITY: (u64, u64) = (1_767_225_600, 2_082_758_400); // 2026-01-01 … 2036-01-01

impl Instance {
    fn new() -> Self {
        Self::named("", "trailscope test")
    }

    /// Another instance (a staging one) whose keys and names differ from
    /// the production instance's: `prefix` goes before every key label.
    fn named(prefix: &str, cn: &str) -> Self {
        let root = key(&format!("{prefix}ca-root"));
        let intermediate = key(&format!("{prefix}ca-intermediate"));
        let root_name = name(&format!("CN={cn} root,O=trailscope-test"));
        let intermediate_name = name(&format!("CN={cn} intermediate,O=trailscope-test"));
        let root_spki = spki_der(&root);
        let intermediate_spki = spki_der(&intermediate);
        let ca_usage = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
        let root_der = certificate(
            1,
            &root,
            Fixed {
                issuer: root_name.clone(),
                subject: root_name.clone(),
                extensions: vec![
                    ext("2.5.29.15", true, ca_usage),
                    ext("2.5.29.19", true, BasicConstraints { ca: true, path_len_constraint: Some(1) }),
                    ext(
                        "2.5.29.14",
                        false,
                        SubjectKeyIdentifier(OctetString::new(key_id(&root_spki)).unwrap()),
                    ),
                ],
            },
            &root_spki,
            CA_VALIDITY,
        );
        let intermediate_der = certificate(
            2,
            &root,
            Fixed {
                issuer: root_name,
                subject: intermediate_name,
                extensions: vec![
                    ext("2.5.29.15", true, ca_usage),
                    ext("2.5.29.37", false, ExtendedKeyUsage(vec![CODE_SIGNING.parse().unwrap()])),
                    ext("2.5.29.19", true, BasicConstraints { ca: true, path_len_constraint: Some(0) }),
                    ext(
                        "2.5.29.14",
                        false,
                        SubjectKeyIdentifier(OctetString::new(key_id(&intermediate_spki)).unwrap()),
                    ),
                    ext("2.5.29.35", false, authority_key_id(&root_spki)),
                ],
            },
            &intermediate_spki,
            CA_VALIDITY,
        );
        Self {
            intermediate,
            ct_log: key(&format!("{prefix}ct-log")),
            rekor: key(&format!("{prefix}rekor")),
            root_der,
            intermediate_der,
        }
    }

    fn log_id(key: &SigningKey) -> Vec<u8> {
        Sha256::digest(spki_der(key)).to_vec()
    }

    fn trusted_root(&self) -> Value {
        let log = |key: &SigningKey, url: &str| {
            json!({
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(&spki_der(key)),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": INSTANCE_START},
                },
                "logId": {"keyId": b64(&Self::log_id(key))},
            })
        };
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.rekor, "https://rekor.trailscope.test")],
            "certificateAuthorities": [{
                "subject": {"organization": "trailscope-test", "commonName": "trailscope test root"},
                "uri": "https://fulcio.trailscope.test",
                "certChain": {"certificates": [
                    {"rawBytes": b64(&self.intermediate_der)},
                    {"rawBytes": b64(&self.root_der)},
                ]},
                "validFor": {"start": INSTANCE_START},
            }],
            "ctlogs": [log(&self.ct_log, "https://ctfe.trailscope.test")],
            "timestampAuthorities": [],
        })
    }

    /// A Fulcio-style leaf for `identity`, valid `[not_before, not_before + 10 min]`,
    /// with an embedded SCT from the CT log.
    fn leaf(&self, signer: &SigningKey, identity: &str, issuer: &str, not_before: u64) -> Vec<u8> {
        let validity = (not_before, not_before + 600);
        let issuer_name = name("CN=trailscope test intermediate,O=trailscope-test");
        let leaf_spki = spki_der(signer);
        let intermediate_spki = spki_der(&self.intermediate);
        let san = SubjectAltName(vec![GeneralName::UniformResourceIdentifier(
            Ia5String::new(identity).expect("ascii identity"),
        )]);
        let utf8 = |s: &str| Utf8StringRef::new(s).expect("utf8").to_der().expect("encodes");
        let mut extensions = vec![
            ext("2.5.29.15", true, KeyUsage(KeyUsages::DigitalSignature.into())),
            ext("2.5.29.37", false, ExtendedKeyUsage(vec![CODE_SIGNING.parse().unwrap()])),
            ext("2.5.29.14", false, SubjectKeyIdentifier(OctetString::new(key_id(&leaf_spki)).unwrap())),
            ext("2.5.29.35", false, authority_key_id(&intermediate_spki)),
            ext("2.5.29.17", true, san),
            raw_ext("1.3.6.1.4.1.57264.1.1", issuer.as_bytes()),
            raw_ext("1.3.6.1.4.1.57264.1.8", &utf8(issuer)),
            raw_ext("1.3.6.1.4.1.57264.1.9", &utf8(identity)),
            raw_ext("1.3.6.1.4.1.57264.1.11", &utf8("github-hosted")),
            raw_ext("1.3.6.1.4.1.57264.1.12", &utf8(REPOSITORY)),
            raw_ext("1.3.6.1.4.1.57264.1.13", &utf8(COMMIT)),
            raw_ext("1.3.6.1.4.1.57264.1.14", &utf8("refs/tags/v1.4.0")),
            raw_ext("1.3.6.1.4.1.57264.1.20", &utf8("push")),
        ];
        // RFC 6962 §3.2: the SCT signs the TBS certificate without the SCT
        // extension; the final certificate adds it last, so removing it gives
        // those bytes back.
        let profile = |extensions: Vec<Extension>| Fixed {
            issuer: issuer_name.clone(),
            subject: Name::default(),
            extensions,
        };
        let mut precert = certificate_builder(3, profile(extensions.clone()), &leaf_spki, validity);
        let tbs = precert.finalize(&self.intermediate).expect("tbs");
        let sct = self.sct(&tbs, &intermediate_spki, (not_before + 1) * 1000);
        let mut list = Vec::new();
        list.extend_from_slice(&(sct.len() as u16 + 2).to_be_bytes());
        list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        list.extend_from_slice(&sct);
        extensions.push(ext("1.3.6.1.4.1.11129.2.4.2", false, OctetString::new(list).unwrap()));
        certificate(3, &self.intermediate, profile(extensions), &leaf_spki, validity)
    }

    /// One RFC 6962 v1 SCT over a precertificate entry, TLS-encoded.
    fn sct(&self, tbs: &[u8], issuer_spki: &[u8], timestamp_ms: u64) -> Vec<u8> {
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(&Sha256::digest(issuer_spki));
        signed.extend_from_slice(&(tbs.len() as u32).to_be_bytes()[1..]);
        signed.extend_from_slice(tbs);
        signed.extend_from_slice(&0u16.to_be_bytes());
        let sig = sign(&self.ct_log, &signed);
        let mut sct = vec![0u8];
        sct.extend_from_slice(&Self::log_id(&self.ct_log));
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&0u16.to_be_bytes());
        sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
        sct.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        sct.extend_from_slice(&sig);
        sct
    }
}

const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";

fn authority_key_id(issuer_spki: &[u8]) -> AuthorityKeyIdentifier {
    AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(key_id(issuer_spki)).unwrap()),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    }
}

fn pem(der: &[u8]) -> String {
    let body = b64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// RFC 9162 §2.1: leaf and node hashes, the tree head and an inclusion path.
mod merkle {
    use sha2::{Digest, Sha256};

    pub fn leaf(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(data);
        h.finalize().into()
    }

    fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    }

    fn split(n: usize) -> usize {
        let mut k = 1;
        while k << 1 < n {
            k <<= 1;
        }
        k
    }

    pub fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            1 => leaves[0],
            n => {
                let k = split(n);
                node(&root(&leaves[..k]), &root(&leaves[k..]))
            }
        }
    }

    /// The audit path of leaf `m`, leaf to root.
    pub fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        let n = leaves.len();
        if n <= 1 {
            return Vec::new();
        }
        let k = split(n);
        if m < k {
            let mut p = path(m, &leaves[..k]);
            p.push(root(&leaves[k..]));
            p
        } else {
            let mut p = path(m - k, &leaves[k..]);
            p.push(root(&leaves[..k]));
            p
        }
    }
}

/// How a scenario's bundle departs from a correct one.
#[derive(Clone, Copy, PartialEq)]
enum Break {
    None,
    /// The log integrated the entry after the certificate expired.
    LateIntegration,
    /// The log entry's body is another envelope's.
    BodyMismatch,
    /// One hash of the inclusion proof is wrong.
    InclusionProof,
    /// The checkpoint is signed by a key the trusted root does not know.
    CheckpointKey,
    /// Signed, logged and certified by the staging instance, verified
    /// against the production instance's trusted root.
    StagingInstance,
}

fn statement(artifact_name: &str, artifact: &[u8]) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": artifact_name, "digest": {"sha256": hex(&Sha256::digest(artifact))}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {
                    "ref": "refs/tags/v1.4.0",
                    "repository": REPOSITORY,
                    "path": ".github/workflows/release.yml",
                }},
                "internalParameters": {"github": {"event_name": "push", "runner_environment": "github-hosted"}},
                "resolvedDependencies": [{
                    "uri": format!("git+{REPOSITORY}@refs/tags/v1.4.0"),
                    "digest": {"gitCommit": COMMIT},
                }],
            },
            "runDetails": {
                "builder": {"id": "https://github.com/actions/runner/github-hosted"},
                "metadata": {"invocationId": format!("{REPOSITORY}/actions/runs/1001/attempts/1")},
            },
        },
    })
}

fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

fn canonical(v: &Value) -> Vec<u8> {
    // Keys sorted (serde_json's map is a BTreeMap here), no whitespace: Rekor's canonical form.
    serde_json::to_vec(v).expect("serializes")
}

/// A bundle for `artifact` signed by `signer` under `identity`/`issuer`.
fn bundle(inst: &Instance, artifact: &[u8], identity: &str, issuer: &str, brk: Break) -> Value {
    signed_bundle(inst, &key("workflow-signer"), "demo-widget-1.4.0.txt", artifact, (identity, issuer), brk)
}

fn signed_bundle(
    inst: &Instance,
    signer: &SigningKey,
    artifact_name: &str,
    artifact: &[u8],
    (identity, issuer): (&str, &str),
    brk: Break,
) -> Value {
    let leaf = inst.leaf(signer, identity, issuer, SIGNED_AT - 60);
    let payload_type = "application/vnd.in-toto+json";
    let payload = canonical(&statement(artifact_name, artifact));
    let sig = sign(signer, &pae(payload_type, &payload));
    let envelope = json!({
        "payload": b64(&payload),
        "payloadType": payload_type,
        "signatures": [{"sig": b64(&sig)}],
    });
    let logged_payload = if brk == Break::BodyMismatch {
        canonical(&statement(artifact_name, b"another release"))
    } else {
        payload.clone()
    };
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(canonical(&envelope)))},
            "payloadHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(&logged_payload))},
            "signatures": [{"signature": b64(&sig), "verifier": b64(pem(&leaf).as_bytes())}],
        },
    });
    let body = canonical(&body);
    let integrated = if brk == Break::LateIntegration { SIGNED_AT + 1200 } else { SIGNED_AT };
    // The log: three earlier entries, ours, one later.
    let index = 3usize;
    let mut leaves: Vec<[u8; 32]> =
        (0..5).map(|i| merkle::leaf(format!("earlier entry {i}").as_bytes())).collect();
    leaves[index] = merkle::leaf(&body);
    let root_hash = merkle::root(&leaves);
    let mut path = merkle::path(index, &leaves);
    if brk == Break::InclusionProof {
        path[0][0] ^= 0x01;
    }
    let log_id = Instance::log_id(&inst.rekor);
    let set_payload = canonical(&json!({
        "body": b64(&body),
        "integratedTime": integrated,
        "logID": hex(&log_id),
        "logIndex": index,
    }));
    let set = sign(&inst.rekor, &set_payload);
    let note = format!("{REKOR_ORIGIN}\n{}\n{}\n", leaves.len(), b64(&root_hash));
    let impostor = key("rekor-impostor");
    let note_key = if brk == Break::CheckpointKey { &impostor } else { &inst.rekor };
    // The key hint is the signer's own: an unknown key is named, not disguised.
    let mut signed_hint = Instance::log_id(note_key)[..4].to_vec();
    signed_hint.extend_from_slice(&sign(note_key, note.as_bytes()));
    let checkpoint = format!("{note}\n\u{2014} rekor.trailscope.test {}\n", b64(&signed_hint));
    json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(&leaf)},
            "tlogEntries": [{
                "logIndex": index.to_string(),
                "logId": {"keyId": b64(&log_id)},
                "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                "integratedTime": integrated.to_string(),
                "inclusionPromise": {"signedEntryTimestamp": b64(&set)},
                "inclusionProof": {
                    "logIndex": index.to_string(),
                    "rootHash": b64(&root_hash),
                    "treeSize": leaves.len().to_string(),
                    "hashes": path.iter().map(|h| b64(h)).collect::<Vec<_>>(),
                    "checkpoint": {"envelope": checkpoint},
                },
                "canonicalizedBody": b64(&body),
            }],
        },
        "dsseEnvelope": envelope,
    })
}

struct Scenario {
    name: &'static str,
    title: &'static str,
    story: &'static str,
    identity: &'static str,
    issuer: &'static str,
    /// The artifact the verifier is given.
    artifact: &'static [u8],
    brk: Break,
    expected: &'static str,
    /// The verdict's category: the first failure in sigstore-python's order.
    category: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "pass",
        title: "A release attested by its workflow",
        story: "The demo-widget release workflow (GitHub Actions, tag v1.4.0) signed an SLSA v1 provenance statement for demo-widget-1.4.0.txt with a short-lived certificate from the instance's CA; the log integrated the entry and promised it with a SET; the checkpoint commits to it. Every check passes.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::None,
        expected: "pass",
        category: "pass",
    },
    Scenario {
        name: "wrong-identity",
        title: "The policy expects another workflow",
        story: "The bundle is the valid one, but the verifier was told to expect the nightly workflow. The certificate's SAN names release.yml: the identity check fails, and the expected and actual identities are shown side by side.",
        identity: "https://github.com/trailscope/demo-widget/.github/workflows/nightly.yml@refs/heads/main",
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::None,
        expected: "fail",
        category: "identity-mismatch",
    },
    Scenario {
        name: "wrong-issuer",
        title: "The policy expects another OIDC issuer",
        story: "The bundle is valid, but the policy expects an identity issued by GitLab. The certificate's OIDC issuer extensions name GitHub Actions: the issuer check fails.",
        identity: IDENTITY,
        issuer: "https://gitlab.com",
        artifact: ARTIFACT,
        brk: Break::None,
        expected: "fail",
        category: "issuer-mismatch",
    },
    Scenario {
        name: "tampered-artifact",
        title: "The artifact is not the one attested",
        story: "An attacker replaced the release file on the mirror. The attestation is intact and valid, but its subject's sha256 is the original file's: the subject digest check fails, showing the attested and the computed digests.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: b"demo-widget 1.4.0\nthe release the scenarios attest, with a backdoor\n",
        brk: Break::None,
        expected: "fail",
        category: "artifact-mismatch",
    },
    Scenario {
        name: "certificate-expired-at-signing",
        title: "Logged after the certificate expired",
        story: "The log's signed entry timestamp says the entry was integrated 20 minutes after signing, when the 10-minute certificate had already expired: whoever held the key then was no longer vouched for by the CA. The certificate is checked at the verified time, not today.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::LateIntegration,
        expected: "fail",
        category: "certificate-chain",
    },
    Scenario {
        name: "log-body-mismatch",
        title: "The log entry is about another statement",
        story: "The transparency log entry, with a valid SET and inclusion proof, records the payload hash of a different statement than the one in the bundle: a bundle stitched from two signings. The body-consistency check catches it (CVE-2022-36056 class).",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::BodyMismatch,
        expected: "fail",
        category: "tlog-body-mismatch",
    },
    Scenario {
        name: "bad-inclusion-proof",
        title: "An inclusion proof that does not lead to the checkpoint",
        story: "One hash of the inclusion proof was altered: hashing the entry up the path no longer gives the root hash the checkpoint commits to, so nothing shows the entry is in the log.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::InclusionProof,
        expected: "fail",
        category: "inclusion-proof",
    },
    Scenario {
        name: "checkpoint-unknown-key",
        title: "A checkpoint signed by a key the trusted root does not know",
        story: "The checkpoint carries a signature by a key that is not the log's: a forged view of the log. Its key hint matches no transparency log in the trusted root.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::CheckpointKey,
        expected: "fail",
        category: "checkpoint-invalid",
    },
    Scenario {
        name: "staging-bundle-production-root",
        title: "A staging bundle checked against the production root",
        story: "A release signed on the instance's staging deployment (its own CA, CT log and Rekor log) is verified against the production trusted root. Nothing in the bundle is vouched for: its log is unknown, so no signed entry timestamp verifies and the bundle has no verified signing time, the first failure in trailscope's order; sigstore-python 4.5.1 stops on the certificate, which chains to no production CA.",
        identity: IDENTITY,
        issuer: ISSUER,
        artifact: ARTIFACT,
        brk: Break::StagingInstance,
        expected: "fail",
        category: "no-verified-time",
    },
];

pub fn generate(out: &mut Files) {
    let inst = Instance::new();
    let staging = Instance::named("staging-", "trailscope staging");
    out.put(format!("{SET}/trusted_root.json"), pretty(&inst.trusted_root(), 2));
    let mut index = Vec::new();
    for s in SCENARIOS {
        let dir = format!("{SET}/{}", s.name);
        let signing = if s.brk == Break::StagingInstance { &staging } else { &inst };
        out.put(
            format!("{dir}/bundle.sigstore.json"),
            pretty(&bundle(signing, ARTIFACT, IDENTITY, ISSUER, s.brk), 2),
        );
        out.put(format!("{dir}/demo-widget-1.4.0.txt"), s.artifact.to_vec());
        let scenario = json!({
            "name": s.name,
            "title": s.title,
            "story": s.story,
            "bundle": "bundle.sigstore.json",
            "artifact": "demo-widget-1.4.0.txt",
            "trusted_root": "../trusted_root.json",
            "certificate_identity": s.identity,
            "certificate_oidc_issuer": s.issuer,
            "expected": s.expected,
            "category": s.category,
        });
        out.put(format!("{dir}/scenario.json"), pretty(&scenario, 2));
        index.push(json!({"name": s.name, "title": s.title, "expected": s.expected, "category": s.category}));
    }
    out.put(format!("{SET}/index.json"), pretty(&json!({"scenarios": index}), 2));
    out.put(format!("{SET}/README.md"), include_str!("sigstore_README.md").as_bytes().to_vec());
}

/// The benchmark's workload: the instance's trusted root and `n` valid
/// bundles attesting `artifact`, each by its own ephemeral key and
/// certificate, as `n` releases of one workflow would be.
// Used by examples/gen-bundles.rs only; make-fixtures and the tests share this module.
#[allow(dead_code)]
pub fn bench_bundles(n: usize, artifact: &[u8]) -> (Value, Vec<Value>) {
    let inst = Instance::new();
    let bundles = (0..n)
        .map(|i| {
            let signer = key(&format!("bench-signer-{i}"));
            signed_bundle(&inst, &signer, "demo-widget-1.4.0.txt", artifact, (IDENTITY, ISSUER), Break::None)
        })
        .collect();
    (inst.trusted_root(), bundles)
}

/// The identity and issuer the benchmark's bundles are verified against.
#[allow(dead_code)]
pub const BENCH_POLICY: (&str, &str) = (IDENTITY, ISSUER);

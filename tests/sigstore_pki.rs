//! sigstore::pki on real bundles and trusted roots (fixtures/sigstore-pki,
//! copied from sigstore-conformance, sigstore-python, sigstore-rust and the
//! production root-signing repository): each public check passes on the data
//! upstream accepts and fails, naming the check, on the data it rejects.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;
use sha2::Digest as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use trailscope::sigstore::pki::{
    self, CaChain, CtLogKey, LeafCertificate, PkiError, SanValue, Validity, verify_chain, verify_prehashed,
    verify_sct, verify_signature, verify_timestamp,
};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigstore-pki").join(rel)
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
}

/// Standard base64; some upstream bundles wrap it in lines.
fn b64(v: &Value) -> Vec<u8> {
    let text: String = v.as_str().unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

fn time(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap()
}

fn validity(v: &Value) -> Validity {
    Validity { start: v["start"].as_str().map(time), end: v["end"].as_str().map(time) }
}

/// A trusted root's authorities and CT logs, owned, lent out as pki's borrowed views.
struct Root {
    cas: Vec<Authority>,
    tsas: Vec<Authority>,
    ctlogs: Vec<(String, [u8; 32], Vec<u8>, Validity)>,
}

struct Authority {
    name: String,
    certs: Vec<Vec<u8>>,
    valid_for: Validity,
}

fn authorities(list: &Value) -> Vec<Authority> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|a| Authority {
            name: a["uri"].as_str().unwrap_or("unnamed").to_owned(),
            certs: a["certChain"]["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| b64(&c["rawBytes"]))
                .collect(),
            valid_for: validity(&a["validFor"]),
        })
        .collect()
}

impl Root {
    fn load(rel: &str) -> Self {
        let mut v = json(rel);
        // sigstore-python's ClientTrustConfig wraps the root.
        if v.get("trustedRoot").is_some() {
            v = v["trustedRoot"].take();
        }
        let ctlogs = v["ctlogs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                (
                    l["baseUrl"].as_str().unwrap().to_owned(),
                    b64(&l["logId"]["keyId"]).try_into().unwrap(),
                    b64(&l["publicKey"]["rawBytes"]),
                    validity(&l["publicKey"]["validFor"]),
                )
            })
            .collect();
        Root {
            cas: authorities(&v["certificateAuthorities"]),
            tsas: authorities(&v["timestampAuthorities"]),
            ctlogs,
        }
    }

    fn production() -> Self {
        Self::load("roots/production_trusted_root.json")
    }

    fn cas(&self) -> Vec<CaChain<'_>> {
        chains(&self.cas)
    }

    fn tsas(&self) -> Vec<CaChain<'_>> {
        chains(&self.tsas)
    }

    fn ctlogs(&self) -> Vec<CtLogKey<'_>> {
        self.ctlogs
            .iter()
            .map(|(url, id, key, valid_for)| CtLogKey {
                log_id: *id,
                spki_der: key,
                valid_for: *valid_for,
                base_url: url,
            })
            .collect()
    }
}

fn chains(list: &[Authority]) -> Vec<CaChain<'_>> {
    list.iter()
        .map(|a| CaChain {
            name: &a.name,
            certs_der: a.certs.iter().map(Vec::as_slice).collect(),
            valid_for: a.valid_for,
        })
        .collect()
}

/// The parts of a bundle the PKI checks take, read straight from its JSON.
struct Bundle(Value);

impl Bundle {
    fn load(rel: &str) -> Self {
        Bundle(json(rel))
    }

    fn certs(&self) -> Vec<Vec<u8>> {
        let vm = &self.0["verificationMaterial"];
        if let Some(c) = vm.get("certificate") {
            return vec![b64(&c["rawBytes"])];
        }
        vm["x509CertificateChain"]["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| b64(&c["rawBytes"]))
            .collect()
    }

    fn leaf(&self) -> Vec<u8> {
        self.certs().remove(0)
    }

    fn timestamps(&self) -> Vec<Vec<u8>> {
        self.0["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| b64(&t["signedTimestamp"]))
            .collect()
    }

    /// The bytes a timestamp covers: the message signature or the DSSE signature.
    fn signature(&self) -> Vec<u8> {
        match self.0.get("messageSignature") {
            Some(m) => b64(&m["signature"]),
            None => b64(&self.0["dsseEnvelope"]["signatures"][0]["sig"]),
        }
    }

    fn message_digest(&self) -> Vec<u8> {
        b64(&self.0["messageSignature"]["messageDigest"]["digest"])
    }

    fn integrated_time(&self) -> OffsetDateTime {
        let t = self.0["verificationMaterial"]["tlogEntries"][0]["integratedTime"].as_str().unwrap();
        OffsetDateTime::from_unix_timestamp(t.parse().unwrap()).unwrap()
    }
}

fn conformance(case: &str) -> (Bundle, Root) {
    let bundle = Bundle::load(&format!("conformance/{case}/bundle.sigstore.json"));
    let root_rel = format!("conformance/{case}/trusted_root.json");
    let root = if fixture(&root_rel).exists() { Root::load(&root_rel) } else { Root::production() };
    (bundle, root)
}

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

// ---- LeafCertificate ----

#[test]
fn a_fulcio_leaf_reads_its_identity_validity_and_usage() {
    let (bundle, _) = conformance("happy-path-v0.3");
    let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
    let id = leaf.identity();
    assert_eq!(id.sans, vec![SanValue::Uri(BEACON.to_owned())]);
    assert_eq!(id.oidc_issuer.as_deref(), Some("https://token.actions.githubusercontent.com"));
    let claim = |name: &str| id.claims.iter().find(|c| c.name == name).map(|c| c.value.clone());
    assert_eq!(claim("Build Signer URI").as_deref(), Some(BEACON));
    assert_eq!(
        claim("Source Repository URI").as_deref(),
        Some("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon")
    );
    assert_eq!(claim("Issuer (V1)").as_deref(), Some("https://token.actions.githubusercontent.com"));
    assert_eq!(claim("Runner Environment").as_deref(), Some("github-hosted"));
    assert!(id.claims.windows(2).all(|w| w[0].arc < w[1].arc), "claims in OID order");

    let signed = bundle.integrated_time();
    assert!(leaf.not_before() <= signed && signed <= leaf.not_after());
    assert_eq!(
        (leaf.not_after() - leaf.not_before()).whole_minutes(),
        10,
        "Fulcio certificates live ten minutes"
    );
    assert_eq!(leaf.serial_hex(), "68bfedb264131e4db59add54ba4fb0edabc3073e");
    assert_eq!(leaf.issuer_dn(), "CN=sigstore-intermediate,O=sigstore.dev");
    assert!(leaf.check_key_usage().is_ok());
    assert!(!leaf.is_ca());
    // The key the bundle's signature is checked with.
    verify_prehashed(leaf.spki_der(), &bundle.message_digest(), &bundle.signature()).unwrap();
}

#[test]
fn garbage_and_truncated_certificates_are_errors_not_panics() {
    let (bundle, _) = conformance("happy-path-v0.3");
    let der = bundle.leaf();
    for bad in [&b""[..], &b"not a certificate"[..], &der[..der.len() / 2], &der[1..]] {
        let err = LeafCertificate::parse(bad).unwrap_err();
        assert!(matches!(err, PkiError::Malformed { what: "leaf certificate", .. }), "{err}");
        assert!(err.to_string().starts_with("leaf certificate cannot be read: "), "{err}");
    }
}

#[test]
fn key_usage_rejects_a_ca_and_a_timestamping_certificate_as_signing_leaves() {
    let root = Root::production();
    // Fulcio's intermediate: keyCertSign, not digitalSignature.
    let intermediate = LeafCertificate::parse(&root.cas[1].certs[0]).unwrap();
    let err = intermediate.check_key_usage().unwrap_err();
    assert!(matches!(err, PkiError::KeyUsage { check: "key usage", .. }), "{err}");
    assert!(err.to_string().contains("expected digitalSignature, found keyCertSign"), "{err}");
    assert!(intermediate.is_ca());

    // The TSA's leaf signs, but for timeStamping, not codeSigning.
    let tsa_leaf = LeafCertificate::parse(&root.tsas[0].certs[0]).unwrap();
    let err = tsa_leaf.check_key_usage().unwrap_err();
    assert!(
        err.to_string().contains(
            "extended key usage: expected codeSigning (1.3.6.1.5.5.7.3.3), found 1.3.6.1.5.5.7.3.8"
        ),
        "{err}"
    );
}

#[test]
fn a_bundle_chain_ending_in_a_root_shows_the_root_as_a_ca() {
    let (bundle, root) = conformance("bundle-with-root-cert_fail");
    let certs = bundle.certs();
    assert!(certs.len() >= 2);
    assert!(!LeafCertificate::parse(&certs[0]).unwrap().is_ca());
    let last = LeafCertificate::parse(certs.last().unwrap()).unwrap();
    assert!(last.is_ca(), "the bundle carries a CA certificate");
    // Used as the leaf, the root is refused by path validation.
    let err = verify_chain(certs.last().unwrap(), &root.cas(), bundle.integrated_time()).unwrap_err();
    assert!(err.to_string().contains("CA certificate"), "{err}");
}

// ---- verify_chain ----

#[test]
fn a_production_leaf_chains_to_fulcio_at_its_signing_time() {
    let (bundle, root) = conformance("happy-path-v0.3");
    let path = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap();
    assert_eq!(path.ca_name, "https://fulcio.sigstore.dev");
    assert_eq!(path.ca_index, 1, "the current Fulcio CA, not the 2021 one");
    assert_eq!(path.certs_der.len(), 2, "intermediate then root");
    assert_eq!(path.issuer_der(), root.cas[1].certs[0].as_slice());
}

#[test]
fn a_leaf_after_its_ten_minutes_does_not_chain() {
    let (bundle, root) = conformance("happy-path-v0.3");
    let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
    let late = leaf.not_after() + time::Duration::SECOND;
    let err = verify_chain(&bundle.leaf(), &root.cas(), late).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("certificate 68bfedb264131e4db59add54ba4fb0edabc3073e does not chain to a trusted certificate authority valid at 2024-03-19T17:36:27Z"), "{text}");
    assert!(
        text.contains("a certificate expired: notAfter 2024-03-19T17:36:26Z is before 2024-03-19T17:36:27Z"),
        "{text}"
    );
    // notAfter itself is still inside the window (RFC 5280: inclusive).
    assert!(verify_chain(&bundle.leaf(), &root.cas(), leaf.not_after()).is_ok());
}

#[test]
fn a_leaf_signed_before_its_ca_was_valid_is_rejected() {
    let (bundle, root) = conformance("intoto-expired-certificate_fail");
    let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
    // Upstream: "Certificate was issued outside the validity window defined in trusted root":
    // the leaf says 2030, the log says 2023, the CA's only certificate lived 2023–2024.
    let err = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap_err();
    assert!(matches!(err, PkiError::Chain { role: "certificate authority", .. }), "{err}");
    assert!(
        err.to_string().contains(
            "a certificate is not yet valid: notBefore 2030-01-01T00:00:00Z is after 2023-02-01T00:00:00Z"
        ),
        "{err}"
    );
    // At the leaf's own time the root has expired, which webpki does not check of an anchor.
    let err = verify_chain(&bundle.leaf(), &root.cas(), leaf.not_before()).unwrap_err();
    assert!(
        err.to_string().contains("http://localhost:8000: the root certificate O=sigstore.mock,CN=sigstore is valid 2023-01-01T00:00:00Z..2024-01-01T00:00:00Z, not at 2030-01-01T00:00:00Z"),
        "{err}"
    );
}

#[test]
fn a_leaf_does_not_chain_to_another_instance() {
    let (bundle, _) = conformance("happy-path-v0.3");
    let staging = Root::load("sigstore-rust/sct-multi-intermediate/staging_trusted_root.json");
    let err = verify_chain(&bundle.leaf(), &staging.cas(), bundle.integrated_time()).unwrap_err();
    assert!(
        err.to_string().contains(
            "https://fulcio.sigstage.dev: a certificate's signature does not verify with its issuer's key"
        ),
        "{err}"
    );
    let err = verify_chain(&bundle.leaf(), &[], bundle.integrated_time()).unwrap_err();
    assert!(err.to_string().ends_with("the trusted root lists none"), "{err}");
}

#[test]
fn a_timestamping_certificate_does_not_chain_as_a_signing_leaf() {
    let root = Root::production();
    let tsa_leaf = &root.tsas[0].certs[0];
    let at = time("2025-08-01T00:00:00Z");
    let err = verify_chain(tsa_leaf, &root.cas(), at).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("the certificate's extended key usage lacks codeSigning (1.3.6.1.5.5.7.3.3)"),
        "{err}"
    );
}

// ---- verify_sct ----

#[test]
fn the_embedded_sct_verifies_against_the_production_ct_log() {
    let (bundle, root) = conformance("happy-path-v0.3");
    let path = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap();
    let sct = verify_sct(&bundle.leaf(), &path, &root.ctlogs()).unwrap();
    assert_eq!(sct.log_url, "https://ctfe.sigstore.dev/2022");
    assert_eq!(sct.embedded, 1);
    let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
    assert!(leaf.not_before() <= sct.timestamp && sct.timestamp <= leaf.not_after());
}

#[test]
fn an_sct_with_extensions_keeps_them_in_the_signed_bytes() {
    let (bundle, root) = conformance("bundle-with-sct-with-extensions");
    let ts = verify_timestamp(&bundle.timestamps()[0], &bundle.signature(), &root.tsas()).unwrap();
    let path = verify_chain(&bundle.leaf(), &root.cas(), ts.gen_time).unwrap();
    let sct = verify_sct(&bundle.leaf(), &path, &root.ctlogs()).unwrap();
    assert_eq!(sct.log_url, "http://tesseract");
}

#[test]
fn an_sct_with_two_same_named_intermediates_uses_the_issuer_on_the_path() {
    let bundle = Bundle::load("sigstore-rust/sct-multi-intermediate/staging_bundle.sigstore.json");
    let root = Root::load("sigstore-rust/sct-multi-intermediate/staging_trusted_root.json");
    let ts = verify_timestamp(&bundle.timestamps()[0], &bundle.signature(), &root.tsas()).unwrap();
    let path = verify_chain(&bundle.leaf(), &root.cas(), ts.gen_time).unwrap();
    verify_sct(&bundle.leaf(), &path, &root.ctlogs()).unwrap();

    // With the other same-named intermediate as issuer, the issuer key hash differs.
    let ca = &root.cas[path.ca_index];
    let other = ca
        .certs
        .iter()
        .find(|c| c.as_slice() != path.issuer_der() && c.as_slice() != ca.certs.last().unwrap().as_slice());
    if let Some(other) = other {
        let mut wrong = path.clone();
        wrong.certs_der[0] = other.clone();
        let err = verify_sct(&bundle.leaf(), &wrong, &root.ctlogs()).unwrap_err();
        assert!(err.to_string().contains("signature does not verify"), "{err}");
    }
}

#[test]
fn an_sct_from_a_log_the_root_does_not_list_fails() {
    let (bundle, root) = conformance("invalid-ct-key_fail");
    let path = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap();
    let err = verify_sct(&bundle.leaf(), &path, &root.ctlogs()).unwrap_err();
    assert!(matches!(err, PkiError::Sct { .. }), "{err}");
    assert!(err.to_string().contains("which the trusted root does not list"), "{err}");
}

#[test]
fn an_sct_outside_its_log_keys_validity_fails() {
    let (bundle, root) = conformance("happy-path-v0.3");
    let path = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap();
    let mut logs = root.ctlogs();
    for log in &mut logs {
        log.valid_for.end = Some(time("2023-01-01T00:00:00Z"));
    }
    let err = verify_sct(&bundle.leaf(), &path, &logs).unwrap_err();
    assert!(
        err.to_string().contains("outside the log key's validFor 2022-10-20T00:00:00Z..2023-01-01T00:00:00Z"),
        "{err}"
    );
}

#[test]
fn an_sct_checked_with_the_wrong_issuer_fails() {
    let (bundle, root) = conformance("happy-path-v0.3");
    let mut path = verify_chain(&bundle.leaf(), &root.cas(), bundle.integrated_time()).unwrap();
    path.certs_der[0] = root.cas[0].certs[0].clone();
    let err = verify_sct(&bundle.leaf(), &path, &root.ctlogs()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no signed certificate timestamp verifies: SCT from https://ctfe.sigstore.dev/2022: the signature does not verify"
    );
}

#[test]
fn a_certificate_without_scts_says_so() {
    let root = Root::production();
    let tsa_leaf = &root.tsas[0].certs[0];
    let path =
        pki::ChainPath { ca_name: "x".into(), ca_index: 0, certs_der: root.tsas[0].certs[1..].to_vec() };
    let err = verify_sct(tsa_leaf, &path, &root.ctlogs()).unwrap_err();
    assert!(matches!(err, PkiError::NoSct { .. }), "{err}");
}

// ---- verify_timestamp ----

fn timestamp_case(case: &str) -> (Bundle, Root, Result<pki::VerifiedTimestamp, PkiError>) {
    let (bundle, root) = conformance(case);
    let result = verify_timestamp(&bundle.timestamps()[0], &bundle.signature(), &root.tsas());
    (bundle, root, result)
}

#[test]
fn timestamps_with_and_without_embedded_certificates_verify() {
    let (bundle, _, with) = timestamp_case("rekor2-timestamp-with-embedded-cert");
    let with = with.unwrap();
    assert!(with.embedded_cert);
    assert_eq!(with.imprint_hash, "SHA-256");
    assert!(LeafCertificate::parse(&bundle.leaf()).unwrap().valid_at(with.gen_time));
    let (_, _, without) = timestamp_case("rekor2-timestamp-without-embedded-cert");
    assert!(!without.unwrap().embedded_cert);
}

#[test]
fn a_timestamp_from_a_tsa_whose_certificates_expired_since_still_verifies() {
    let (_, _, ts) = timestamp_case("rekor2-timestamp-with-expired-cert-chain");
    let ts = ts.unwrap();
    assert_eq!(ts.gen_time, time("2025-08-07T15:32:26Z"));
}

#[test]
fn a_timestamp_at_the_end_of_its_tsa_window_verifies() {
    let (_, root, ts) = timestamp_case("trust-root-tsa-validity-end-inclusive");
    let ts = ts.unwrap();
    assert_eq!(Some(ts.gen_time), root.tsas[0].valid_for.end, "the closed interval's end");
}

#[test]
fn a_timestamp_over_another_signature_fails_on_its_imprint() {
    let (bundle, _, ts) = timestamp_case("rekor2-timestamp-payload-mismatch_fail");
    let err = ts.unwrap_err();
    let expected = hex::encode(sha2::Sha256::digest(bundle.signature()));
    assert!(
        matches!(&err, PkiError::TimestampImprint { expected: e, .. } if *e == format!("SHA-256:{expected}")),
        "{err}"
    );
    assert!(err.to_string().starts_with("timestamp covers SHA-256:"), "{err}");
}

#[test]
fn timestamps_from_an_untrusted_tsa_fail() {
    let (_, _, with) = timestamp_case("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail");
    let err = with.unwrap_err();
    assert!(matches!(err, PkiError::Chain { role: "timestamp authority", .. }), "{err}");
    let (_, _, without) = timestamp_case("rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail");
    let err = without.unwrap_err();
    assert!(
        err.to_string()
            .contains("the signing certificate is neither in the token nor a timestamp authority's"),
        "{err}"
    );
}

#[test]
fn a_timestamp_outside_its_tsa_window_or_certificate_fails() {
    let (_, _, ts) = timestamp_case("rekor2-timestamp-outside-trust-root-tsa-validity_fail");
    let err = ts.unwrap_err();
    assert!(err.to_string().contains("does not contain 2025-06-12T12:02:20Z"), "{err}");
    // The local TSA's whole chain lived ten minutes; the token came after.
    let (_, _, ts) = timestamp_case("rekor2-timestamp-outside-tsa-cert-validity_fail");
    let err = ts.unwrap_err();
    assert!(
        err.to_string().contains("the root certificate CN=Test TSA Root,O=local is valid 2025-08-07T15:27:08Z..2025-08-07T15:37:08Z, not at 2025-08-07T15:38:32Z"),
        "{err}"
    );
}

#[test]
fn a_valid_timestamp_outside_the_signing_certificate_is_the_callers_to_reject() {
    for case in
        ["rekor2-timestamp-with-incorrect-time_fail", "intoto-tsa-timestamp-outside-cert-validity_fail"]
    {
        let (bundle, _, ts) = timestamp_case(case);
        let ts = ts.unwrap_or_else(|e| panic!("{case}: {e}"));
        let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
        assert!(!leaf.valid_at(ts.gen_time), "{case}: genTime inside the leaf's validity");
    }
}

#[test]
fn sigstore_python_tsa_fixtures_verify() {
    let bundle = Bundle::load("sigstore-python/bundle.txt.sigstore");
    // sigstore-python's TestVerifierWithTimestamp trusts tsa/ca.json.
    let ca = json("sigstore-python/ca.json");
    let tsa = authorities(&Value::Array(vec![ca]));
    let stamps = bundle.timestamps();
    assert_eq!(stamps.len(), 2);
    let ts = verify_timestamp(&stamps[0], &bundle.signature(), &chains(&tsa)).unwrap();
    assert!(LeafCertificate::parse(&bundle.leaf()).unwrap().valid_at(ts.gen_time));
    // The second is a SHA-512 timestamp over "hello", not over this signature;
    // sigstore-python needs only one verified time and passes the bundle.
    let err = verify_timestamp(&stamps[1], &bundle.signature(), &chains(&tsa)).unwrap_err();
    let sha512_hello = hex::encode(sha2::Sha512::digest(b"hello"));
    assert!(
        matches!(&err, PkiError::TimestampImprint { actual, .. } if *actual == format!("SHA-512:{sha512_hello}")),
        "{err}"
    );
    // trust_config.json lists the same TSA from a week later: the timestamps predate it.
    let later = Root::load("sigstore-python/trust_config.json");
    let err = verify_timestamp(&stamps[0], &bundle.signature(), &later.tsas()).unwrap_err();
    assert!(
        err.to_string().contains(
            "validFor 2024-11-07T14:59:40Z..2033-11-05T14:59:40Z does not contain 2024-10-31T10:23:39Z"
        ),
        "{err}"
    );
    // A token without certificates from the staging TSA (sigstore-python #1482,
    // checked against sigstore-python's embedded staging root).
    let token = std::fs::read(fixture("sigstore-python/issue1482-timestamp-with-no-cert")).unwrap();
    let message = std::fs::read(fixture("sigstore-python/issue1482-message")).unwrap();
    let staging = Root::load("roots/staging_trusted_root_python.json");
    let ts = verify_timestamp(&token, &message, &staging.tsas()).unwrap();
    assert_eq!(ts.tsa_name, "https://timestamp.sigstage.dev/api/v1/timestamp");
    assert!(!ts.embedded_cert);
    let err = verify_timestamp(&token, b"another message", &staging.tsas()).unwrap_err();
    assert!(matches!(err, PkiError::TimestampImprint { .. }), "{err}");
    // Production's TSA did not sign it, and the token names its signer only.
    let err = verify_timestamp(&token, &message, &Root::production().tsas()).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("the signing certificate is neither in the token nor a timestamp authority's"),
        "{err}"
    );
}

#[test]
fn a_github_timestamp_and_certificate_verify_against_the_github_root() {
    let bundle = Bundle::load("sigstore-rust/timestamps/github_sha384_bundle.json");
    let root = Root::load("sigstore-rust/timestamps/github_trusted_root.json");
    let ts = verify_timestamp(&bundle.timestamps()[0], &bundle.signature(), &root.tsas()).unwrap();
    assert_eq!(ts.imprint_hash, "SHA-256");
    assert_eq!(ts.tsa_name, "timestamp.githubapp.com");
    // The fixture root holds only the TSA; GitHub's full root has the CAs.
    let github = Root::load("roots/github_trusted_root.json");
    let path = verify_chain(&bundle.leaf(), &github.cas(), ts.gen_time).unwrap();
    assert_eq!(path.ca_name, "fulcio.githubapp.com");
    let err = verify_chain(&bundle.leaf(), &root.cas(), ts.gen_time).unwrap_err();
    assert!(err.to_string().ends_with("the trusted root lists none"), "{err}");
}

#[test]
fn damaged_timestamp_tokens_are_errors_not_panics() {
    let (bundle, root) = conformance("rekor2-timestamp-with-embedded-cert");
    let token = bundle.timestamps().remove(0);
    let sig = bundle.signature();
    for cut in [0, 1, 10, token.len() / 2, token.len() - 1] {
        assert!(verify_timestamp(&token[..cut], &sig, &root.tsas()).is_err());
    }
    // Flipping any byte must not panic; most flips must fail.
    let mut failures = 0;
    for i in (0..token.len()).step_by(7) {
        let mut t = token.clone();
        t[i] ^= 0x01;
        failures += usize::from(verify_timestamp(&t, &sig, &root.tsas()).is_err());
    }
    assert!(failures > token.len() / 7 * 9 / 10, "{failures} flips failed");
}

// ---- verify_signature / verify_prehashed ----

#[test]
fn a_message_signature_verifies_over_the_artifact_and_its_digest() {
    let (bundle, _) = conformance("happy-path-v0.3");
    let artifact = std::fs::read(fixture("conformance/a.txt")).unwrap();
    let leaf = LeafCertificate::parse(&bundle.leaf()).unwrap();
    verify_signature(leaf.spki_der(), &artifact, &bundle.signature()).unwrap();
    assert_eq!(sha2::Sha256::digest(&artifact).to_vec(), bundle.message_digest());
    verify_prehashed(leaf.spki_der(), &bundle.message_digest(), &bundle.signature()).unwrap();

    let err = verify_signature(leaf.spki_der(), b"another artifact", &bundle.signature()).unwrap_err();
    assert_eq!(err.to_string(), "signature: the signature does not verify");
    let err = verify_prehashed(leaf.spki_der(), &[0; 32], &bundle.signature()).unwrap_err();
    assert!(matches!(err, PkiError::BadSignature { .. }), "{err}");
    let err = verify_prehashed(leaf.spki_der(), &[0; 20], &bundle.signature()).unwrap_err();
    assert!(err.to_string().contains("expected 32 (SHA-256) or 48 (SHA-384)"), "{err}");
    let err = verify_signature(leaf.spki_der(), &artifact, b"\x30\x02").unwrap_err();
    assert!(matches!(err, PkiError::Malformed { .. }), "{err}");
}

#[test]
fn a_p384_certificate_signature_verifies_with_its_issuers_key() {
    // Fulcio's intermediate (P-384) signs the leaf with ecdsa-with-SHA384.
    use der::{Decode as _, Encode as _};
    let (bundle, root) = conformance("happy-path-v0.3");
    let leaf = x509_cert::Certificate::from_der(&bundle.leaf()).unwrap();
    let tbs = leaf.tbs_certificate().to_der().unwrap();
    let sig = leaf.signature().raw_bytes();
    let issuer = LeafCertificate::parse(&root.cas[1].certs[0]).unwrap();
    verify_signature(issuer.spki_der(), &tbs, sig).unwrap();
    let err = verify_signature(issuer.spki_der(), &tbs[1..], sig).unwrap_err();
    assert!(matches!(err, PkiError::BadSignature { .. }), "{err}");
}

#[test]
fn an_ed25519_checkpoint_signature_verifies_with_the_rekor_v2_key() {
    // Rekor v2 signs its checkpoints (C2SP signed notes) with Ed25519.
    let (bundle, root_json) = (
        Bundle::load("conformance/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json"),
        json("conformance/rekor2-timestamp-with-embedded-cert/trusted_root.json"),
    );
    let envelope =
        bundle.0["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .unwrap()
            .to_owned();
    let (body, sigs) = envelope.split_once("\n\n").unwrap();
    let note = format!("{body}\n");
    let origin = body.lines().next().unwrap();
    let keys: Vec<Vec<u8>> = root_json["tlogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["publicKey"]["keyDetails"] == "PKIX_ED25519")
        .map(|t| b64(&t["publicKey"]["rawBytes"]))
        .collect();
    let line = sigs.lines().find(|l| l.starts_with(&format!("— {origin} "))).unwrap();
    let sig = base64::engine::general_purpose::STANDARD.decode(line.rsplit(' ').next().unwrap()).unwrap();
    assert!(keys.iter().any(|k| verify_signature(k, note.as_bytes(), &sig[4..]).is_ok()));
    let tampered = note.replacen(origin, "evil.example", 1);
    assert!(keys.iter().all(|k| matches!(
        verify_signature(k, tampered.as_bytes(), &sig[4..]),
        Err(PkiError::BadSignature { .. })
    )));
}

#[test]
fn unsupported_or_broken_keys_are_named() {
    let err = verify_signature(b"\x30\x00", b"m", b"s").unwrap_err();
    assert!(err.to_string().starts_with("public key cannot be read"), "{err}");
    let err = verify_prehashed(b"junk", &[0; 32], b"s").unwrap_err();
    assert!(matches!(err, PkiError::Malformed { .. }), "{err}");
}

// ---- cost ----

/// On-CPU nanoseconds of this thread (Linux schedstat, updated at scheduler
/// ticks: loops must run for many milliseconds), so that a loaded machine does
/// not inflate the figures; wall time where that is missing.
fn cpu_ns() -> u128 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| std::time::UNIX_EPOCH.elapsed().unwrap().as_nanos())
}

fn per_call(n: u32, mut f: impl FnMut()) -> std::time::Duration {
    let start = cpu_ns();
    for _ in 0..n {
        f();
    }
    std::time::Duration::from_nanos(u64::try_from((cpu_ns() - start) / u128::from(n)).unwrap())
}

/// `cargo test --release --test sigstore_pki -- --ignored --nocapture`
#[test]
#[ignore = "timing, not a check"]
fn time_a_p384_chain_and_an_sct() {
    use der::{Decode as _, Encode as _};
    let (bundle, root) = conformance("happy-path-v0.3");
    let (leaf, cas, logs, at) = (bundle.leaf(), root.cas(), root.ctlogs(), bundle.integrated_time());
    let path = verify_chain(&leaf, &cas, at).unwrap();
    let cert = x509_cert::Certificate::from_der(&leaf).unwrap();
    let tbs = cert.tbs_certificate().to_der().unwrap();
    let issuer = LeafCertificate::parse(&root.cas[1].certs[0]).unwrap();
    let n = 200;
    let figures = [
        (
            "verify_chain, production root (leaf and intermediate P-384 signatures)",
            per_call(n, || {
                verify_chain(&leaf, &cas, at).unwrap();
            }),
        ),
        (
            "verify_sct (one P-256 SCT)",
            per_call(n, || {
                verify_sct(&leaf, &path, &logs).unwrap();
            }),
        ),
        (
            "verify_signature, the leaf's P-384 signature alone (RustCrypto p384)",
            per_call(n, || {
                verify_signature(issuer.spki_der(), &tbs, cert.signature().raw_bytes()).unwrap();
            }),
        ),
        (
            "LeafCertificate::parse",
            per_call(n * 100, || {
                std::hint::black_box(LeafCertificate::parse(std::hint::black_box(&leaf)).unwrap());
            }),
        ),
    ];
    for (what, t) in figures {
        println!("{what}: {t:?} CPU per call");
    }
}

// ---- layering ----

/// The module returns typed results: no verdict model, no renderers, no
/// terminal crates, nothing above `crypto` (the bundle verifier builds on it).
#[test]
fn the_pki_module_names_no_other_part_of_the_crate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sigstore/pki");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        seen += 1;
        for forbidden in
            ["crate::verdict", "crate::report", "crate::tui", "crate::cli", "ratatui", "crossterm"]
        {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", path.display());
        }
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            // `crypto` is below: the trusted root's P-256 keys' tables.
            assert!(
                rest.starts_with("sigstore::pki") || rest.starts_with("crypto::"),
                "{} names crate::{}",
                path.display(),
                &rest[..rest.len().min(20)]
            );
        }
    }
    assert!(seen >= 7, "read only {seen} files of {}", dir.display());
}

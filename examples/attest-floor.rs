//! The floor of bench/attest.sh: the time of just the signature checks the
//! bundles of a workload need, with aws-lc (the fastest verifier on this
//! path, the one trailscope ships), nothing else — no parsing, no path building, no document.
//!
//! `attest-floor WORKLOAD_DIR [ROUNDS]` reads `bundles.jsonl`,
//! `trusted_root.json` and `artifact.txt` (the layout gen-bundles writes),
//! extracts per bundle the signatures a verifier cannot skip — the leaf
//! certificate by its issuer, the SCT, the SET, the checkpoint (once per
//! distinct checkpoint, as trailscope remembers it), the DSSE or message
//! signature — and prints the mean per bundle, plus the intermediate→root
//! link a verifier without a cache pays on every bundle. The SCT's signed
//! data needs the precertificate rebuilt; it is stood in for by a signature
//! of a fresh key on the CT log's curve over as many bytes as the leaf's
//! to-be-signed part (the cost of ECDSA verification does not depend on the
//! message beyond hashing it).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use aws_lc_rs::signature::{self as rs, UnparsedPublicKey};
use der::{Decode as _, Encode as _};
use trailscope::crypto::ecdsa_table::{Curve, EcdsaTable};
use trailscope::sigstore::bundle::{Bundle, Content};
use trailscope::sigstore::tlog::{Checkpoint, set_payload};
use trailscope::sigstore::trusted_root::TrustedRoot;

type Alg = &'static rs::EcdsaVerificationAlgorithm;

/// One ECDSA check: algorithm, uncompressed point, message, DER signature,
/// and whether the key is one every bundle shares (the trusted root's).
struct Check {
    alg: Alg,
    point: Vec<u8>,
    message: Vec<u8>,
    sig: Vec<u8>,
    shared_key: bool,
}

impl Check {
    fn verify(&self) -> bool {
        UnparsedPublicKey::new(self.alg, &self.point).verify(&self.message, &self.sig).is_ok()
    }
}

/// The curve of an SPKI, as (point, the algorithm with `sha384` or SHA-256).
fn point_and_alg(spki_der: &[u8], sha384: bool) -> Option<(Vec<u8>, Alg)> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    let point = info.subject_public_key.raw_bytes().to_vec();
    let alg: Alg = match (point.len(), sha384) {
        (65, false) => &rs::ECDSA_P256_SHA256_ASN1,
        (65, true) => &rs::ECDSA_P256_SHA384_ASN1,
        (97, false) => &rs::ECDSA_P384_SHA256_ASN1,
        (97, true) => &rs::ECDSA_P384_SHA384_ASN1,
        _ => return None,
    };
    Some((point, alg))
}

/// The certificate's TBS, signature and whether it is signed with SHA-384.
fn cert_parts(der: &[u8]) -> (Vec<u8>, Vec<u8>, bool, Vec<u8>) {
    let cert = x509_cert::Certificate::from_der(der).expect("certificate");
    let tbs = cert.tbs_certificate().to_der().expect("TBS");
    let sig = cert.signature().raw_bytes().to_vec();
    let sha384 = cert.signature_algorithm().oid.to_string() == "1.2.840.10045.4.3.3";
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().expect("SPKI");
    (tbs, sig, sha384, spki)
}

/// An issuer of `tbs`/`sig` among the trusted root's CA certificates.
fn issuer_check(root: &TrustedRoot, tbs: &[u8], sig: &[u8], sha384: bool) -> Option<Check> {
    root.certificate_authorities.iter().flat_map(|a| a.chain.iter()).find_map(|ca| {
        let (_, _, _, spki) = cert_parts(ca);
        let (point, alg) = point_and_alg(&spki, sha384)?;
        let c = Check { alg, point, message: tbs.to_vec(), sig: sig.to_vec(), shared_key: true };
        c.verify().then_some(c)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: attest-floor WORKLOAD_DIR [ROUNDS]"));
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let root = TrustedRoot::parse(&std::fs::read(dir.join("trusted_root.json")).unwrap()).unwrap();
    let artifact = std::fs::read(dir.join("artifact.txt")).unwrap();
    let lines = std::fs::read(dir.join("bundles.jsonl")).unwrap();
    let ct_key = root.ctlogs.first().and_then(|c| point_and_alg(&c.public_key, false));

    let mut per_bundle: Vec<Check> = Vec::new();
    let mut link: Vec<Check> = Vec::new();
    let mut checkpoints = HashSet::new();
    let mut bundles = 0usize;
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let b = Bundle::parse(line, "floor").expect("bundle");
        bundles += 1;
        let leaf = b.material.leaf().expect("a keyless bundle");
        let (tbs, sig, sha384, leaf_spki) = cert_parts(leaf);
        per_bundle
            .push(issuer_check(&root, &tbs, &sig, sha384).expect("the leaf's issuer in the trusted root"));
        if link.is_empty() {
            // The intermediate by the root: what a cache saves on every bundle.
            for a in &root.certificate_authorities {
                for pair in a.chain.windows(2) {
                    let (tbs, sig, sha384, _) = cert_parts(&pair[0]);
                    let (_, _, _, issuer) = cert_parts(&pair[1]);
                    if let Some((point, alg)) = point_and_alg(&issuer, sha384) {
                        link.push(Check { alg, point, message: tbs, sig, shared_key: true });
                    }
                }
            }
        }
        if let Some((_, alg)) = &ct_key {
            // The stand-in SCT: a fresh P-256 signature over as many bytes.
            use p256::ecdsa::signature::Signer as _;
            let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
            let s: p256::ecdsa::Signature = key.sign(&tbs);
            let spki = p256::pkcs8::EncodePublicKey::to_public_key_der(key.verifying_key()).unwrap();
            let (point, _) = point_and_alg(spki.as_bytes(), false).unwrap();
            let sig = s.to_der().as_bytes().to_vec();
            per_bundle.push(Check { alg, point, message: tbs.clone(), sig, shared_key: true });
        }
        let e = b.tlog_entries.first().expect("a log entry");
        let log = root.tlog(&e.log_id).expect("a known log");
        let (log_point, log_alg) = point_and_alg(&log.public_key, false).expect("an ECDSA log key");
        if let Some(set) = &e.set {
            let (point, message, sig) = (log_point.clone(), set_payload(e), set.clone());
            per_bundle.push(Check { alg: log_alg, point, message, sig, shared_key: true });
        }
        if let Some(text) = e.proof.as_ref().and_then(|p| p.checkpoint.as_ref())
            && checkpoints.insert(text.clone())
        {
            let cp = Checkpoint::parse(text).expect("checkpoint");
            let sig = cp.signatures[0].signature.clone();
            let message = cp.body.into_bytes();
            per_bundle.push(Check { alg: log_alg, point: log_point, message, sig, shared_key: true });
        }
        let (point, _) = point_and_alg(&leaf_spki, false).expect("an ECDSA leaf key");
        let (message, sig) = match &b.content {
            Content::Dsse(d) => (d.pae(), d.signatures[0].1.clone()),
            Content::MessageSignature { signature, .. } => (artifact.clone(), signature.clone()),
        };
        let alg =
            point_and_alg(&leaf_spki, point.len() == 97 && matches!(b.content, Content::Dsse(_))).unwrap().1;
        per_bundle.push(Check { alg, point, message, sig, shared_key: false });
    }
    assert!(per_bundle.iter().all(Check::verify), "every extracted signature verifies");

    // Wall time and CPU time (the machine is shared: CPU time is what the
    // checks cost, wall time what they took among other processes).
    let time_with = |checks: &[Check], verify: &dyn Fn(&Check) -> bool| {
        let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
        for _ in 0..rounds {
            let (start, cpu0) = (Instant::now(), cpu_seconds());
            for c in checks {
                assert!(verify(c));
            }
            wall = wall.min(start.elapsed().as_secs_f64());
            cpu = cpu.min(cpu_seconds() - cpu0);
        }
        (wall, cpu)
    };
    let time = |checks: &[Check]| time_with(checks, &Check::verify);
    let (wall, cpu) = time(&per_bundle);
    // The curve of a check a table can take (P-256/SHA-256, P-384/SHA-384).
    let table_curve = |c: &Check| {
        if *c.alg == rs::ECDSA_P256_SHA256_ASN1 {
            Some(Curve::P256)
        } else if *c.alg == rs::ECDSA_P384_SHA384_ASN1 {
            Some(Curve::P384)
        } else {
            None
        }
    };
    let mut tables: HashMap<Vec<u8>, EcdsaTable> = HashMap::new();
    for c in per_bundle.iter().filter(|c| c.shared_key) {
        if let Some(curve) = table_curve(c) {
            tables
                .entry(c.point.clone())
                .or_insert_with(|| EcdsaTable::new(curve, &c.point).expect("a point"));
        }
    }
    let (_, tabled_cpu) = time_with(&per_bundle, &|c: &Check| match tables.get(&c.point) {
        Some(t) if c.shared_key && table_curve(c) == Some(t.curve()) => t.verify(&c.message, &c.sig),
        _ => c.verify(),
    });
    // One link is too short for the CPU clock: a thousand of them.
    let (_, link_cpu) = time(
        &link
            .iter()
            .cycle()
            .take(1000 * link.len())
            .map(|c| Check {
                alg: c.alg,
                point: c.point.clone(),
                message: c.message.clone(),
                sig: c.sig.clone(),
                shared_key: true,
            })
            .collect::<Vec<_>>(),
    );
    let link_cpu = link_cpu / 1000.0;
    println!(
        "{bundles} bundles, {} signature checks: floor {:.3} ms CPU per bundle ({:.3} ms wall, one core, best of {rounds}); \
         with tables for {} shared keys {:.3} ms CPU; intermediate→root link {:.3} ms CPU (paid per bundle without a cache)",
        per_bundle.len(),
        1000.0 * cpu / bundles as f64,
        1000.0 * wall / bundles as f64,
        tables.len(),
        1000.0 * tabled_cpu / bundles as f64,
        1000.0 * link_cpu,
    );
}

/// This thread's CPU time so far (Linux `/proc/thread-self/schedstat`, ns).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

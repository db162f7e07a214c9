//! X.509 certificates as Fulcio leaves: parsing, identity, key usage, the SCT
//! list and path validation against the certificate itself as a CA — errors,
//! never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::sigstore::pki::{CaChain, ChainPath, LeafCertificate, Validity, verify_chain, verify_sct};

fuzz_target!(|data: &[u8]| {
    if let Ok(leaf) = LeafCertificate::parse(data) {
        let _ = (leaf.not_before(), leaf.not_after(), leaf.serial_hex(), leaf.issuer_dn(), leaf.subject_dn());
        let _ = leaf.identity();
        let _ = leaf.check_key_usage();
        let _ = leaf.is_ca();
        let at = leaf.not_before();
        let ca = CaChain { name: "fuzz", certs_der: vec![data], valid_for: Validity::default() };
        let _ = verify_chain(data, &[ca], at);
        let path = ChainPath { ca_name: "fuzz".into(), ca_index: 0, certs_der: vec![data.to_vec()] };
        let _ = verify_sct(data, &path, &[]);
    }
});

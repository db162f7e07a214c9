//! Sigstore bundles: parsing, the version rules and a whole verification
//! against the production root must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::attest::Policy;
use trailscope::sigstore::bundle::Bundle;
use trailscope::sigstore::trusted_root::TrustedRoot;
use trailscope::sigstore::verify::{Artifact, Options, verify};

const ROOT: &[u8] = include_bytes!("../../fixtures/sigstore/root-signing/targets/trusted_root.json");

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = Bundle::parse(data, "fuzz") {
        let _ = b.structure_problems();
    }
    let _ = trailscope::sigstore::input::bundles_in(data, "fuzz");
    let root = TrustedRoot::parse(ROOT).unwrap();
    let artifact = Artifact::from_bytes("a", b"a".to_vec());
    let opts = Options {
        root: &root,
        root_label: "fuzz",
        policy: &Policy::default(),
        key: None,
        artifact: Some(&artifact),
        evaluated_at: time::OffsetDateTime::UNIX_EPOCH,
    };
    let _ = verify(data, "fuzz", &opts);
});

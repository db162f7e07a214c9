//! Signed-note checkpoints: parsing never panics, and what parses has the
//! three header lines and at least one signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::sigstore::tlog::Checkpoint;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(c) = Checkpoint::parse(text)
    {
        assert!(!c.origin.is_empty());
        assert_eq!(c.root_hash.len(), 32);
        assert!(!c.signatures.is_empty());
    }
});

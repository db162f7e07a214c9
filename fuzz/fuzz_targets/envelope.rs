//! Signed envelopes and DSSE: parsing, signed bytes, PAE and signature decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::meta::Envelope;

fuzz_target!(|data: &[u8]| {
    match Envelope::from_slice(data, "fuzz") {
        Ok(Envelope::Signed(env)) => {
            let _ = env.signed_bytes();
            for s in &env.signatures {
                let _ = s.sig_bytes();
            }
        }
        Ok(Envelope::Dsse(env)) => {
            let _ = env.pae();
            let _ = env.payload_json();
            for s in &env.signatures {
                let _ = s.sig_bytes();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});

//! RFC 3161 timestamp responses: TimeStampResp, CMS SignedData, TSTInfo,
//! signed attributes and the signer lookup — errors, never panics. Byte 0
//! says how many of the following bytes are the signature the token covers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::sigstore::pki::{CaChain, Validity, verify_timestamp};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let (signature, token) = rest.split_at(usize::from(n).min(rest.len()));
    let _ = verify_timestamp(token, signature, &[]);
    // The token's own bytes as an authority's chain exercise the anchor paths.
    let tsa = CaChain { name: "fuzz", certs_der: vec![token], valid_for: Validity::default() };
    let _ = verify_timestamp(token, signature, &[tsa]);
});

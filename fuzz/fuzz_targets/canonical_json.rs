//! Canonical JSON: the streaming canonicalizer must never panic, and must agree
//! with canonicalizing the parsed value whenever serde_json accepts the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::meta::{canonical, stream};

fuzz_target!(|data: &[u8]| {
    let mut streamed = Vec::new();
    let streamed_ok = stream::canonicalize(data, &mut streamed).is_ok();
    let mut member = Vec::new();
    let _ = stream::canonicalize_member(data, "signed", &mut member);
    if let Ok(value) = trailscope::meta::json::parse(data, "fuzz") {
        match canonical::to_vec(&value) {
            Ok(expected) => {
                assert!(streamed_ok, "stream rejected what serde accepted");
                assert_eq!(streamed, expected);
            }
            Err(_) => assert!(!streamed_ok, "stream accepted a non-integer number"),
        }
    }
});

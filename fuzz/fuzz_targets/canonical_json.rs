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
            // serde_json holds an integer outside 64 bits as a float, which has no
            // canonical form; the stream copies such integers as written. Their
            // digits read back from the text give the stream's form exactly, and
            // a number written with a fraction or exponent (`1e19`) stays a float.
            Err(_) if integer_outside_64_bits(&value) => {
                let mut as_written = Vec::new();
                let exact = stream::with_numbers_as_written(data, &mut as_written)
                    .ok()
                    .and_then(|()| canonical::exact_integers(&value, &as_written));
                if let Some(exact) = exact {
                    match canonical::to_vec_exact(&value, &exact) {
                        Ok(bytes) => {
                            assert!(streamed_ok, "stream rejected what the exact digits encode");
                            assert_eq!(streamed, bytes);
                        }
                        Err(_) => assert!(!streamed_ok, "stream accepted a number written as a float"),
                    }
                }
            }
            Err(_) => assert!(!streamed_ok, "stream accepted a non-integer number"),
        }
    }
});

fn integer_outside_64_bits(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64() && n.as_f64().is_some_and(|f| f.fract() == 0.0),
        serde_json::Value::Array(items) => items.iter().any(integer_outside_64_bits),
        serde_json::Value::Object(map) => map.values().any(integer_outside_64_bits),
        _ => false,
    }
}

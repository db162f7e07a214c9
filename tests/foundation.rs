//! Canonical JSON, key ids and malformed-input behaviour of the foundation.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Map, Value};
use trailscope::crypto::{KeyIdMatch, PublicKey};
use trailscope::meta::{Envelope, SignedEnvelope, canonical, json};

fn interop() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop")
}

#[test]
fn canonical_bytes_of_the_go_and_python_test_vector() {
    let path = interop().join("external/in-toto/in-toto+in-toto-golang/test/data/canonical-test.link");
    let env = SignedEnvelope::from_slice(&std::fs::read(path).unwrap(), "canonical-test.link").unwrap();
    let bytes = env.signed_bytes().unwrap();
    // python in-toto 3.1 and in-toto-golang agree on these bytes (corpus README).
    assert!(trailscope::crypto::sha256_hex(&bytes).starts_with("7cbc5568"));
}

#[test]
fn pem_and_json_forms_of_every_corpus_owner_key_have_the_declared_keyid() {
    let mut checked = 0;
    for entry in std::fs::read_dir(interop().join("in-toto")).unwrap().flatten() {
        let scenario = entry.path().join("scenario.json");
        let Ok(text) = std::fs::read_to_string(&scenario) else { continue };
        let doc: Value = serde_json::from_str(&text).unwrap();
        for key in doc["keys"].as_array().unwrap() {
            let declared = key["keyid"].as_str().unwrap();
            let dir = entry.path();
            let from_json =
                PublicKey::from_file_bytes(&std::fs::read(dir.join(key["json"].as_str().unwrap())).unwrap())
                    .unwrap();
            let from_pem =
                PublicKey::from_file_bytes(&std::fs::read(dir.join(key["pem"].as_str().unwrap())).unwrap())
                    .unwrap();
            assert_eq!(from_json.keyid(), declared);
            assert_eq!(from_pem.keyid(), declared, "{}", dir.display());
            assert_eq!(from_json.keyid_match(declared), KeyIdMatch::Modern);
            checked += 1;
        }
    }
    println!("owner keys checked: {checked}");
    assert!(checked >= 43);
}

#[test]
fn legacy_keyid_of_the_python_demo_keys() {
    let dir = interop().join("external/in-toto/in-toto+in-toto/tests/demo_files");
    let alice = PublicKey::from_file_bytes(&std::fs::read(dir.join("alice.pub")).unwrap()).unwrap();
    assert!(alice.legacy_keyid().starts_with("556caebd"));
    assert!(alice.keyid().starts_with("c8ef46bd"));
    assert_eq!(alice.keyid_match(&alice.legacy_keyid()), KeyIdMatch::Legacy);
    assert_eq!(alice.keyid_match("00"), KeyIdMatch::None);
}

#[test]
fn sigstore_v11_online_key_id_does_not_match_its_key() {
    let path = interop().join("external/tuf/sigstore+root-signing/metadata/root_history/11.root.json");
    let env = SignedEnvelope::from_slice(&std::fs::read(path).unwrap(), "11.root.json").unwrap();
    let keys = env.signed["keys"].as_object().unwrap();
    let mismatched: Vec<&str> = keys
        .iter()
        .filter(|(id, dict)| PublicKey::from_dict(dict).unwrap().keyid_match(id) == KeyIdMatch::None)
        .map(|(id, _)| &id[..8])
        .collect();
    assert_eq!(mismatched, ["7247f0db"]);
}

#[test]
fn invalid_utf8_and_floats_are_rejected_with_the_file_named() {
    let err = json::parse(b"{\"signed\": \"\xff\"}", "bad.json").unwrap_err();
    assert!(err.to_string().starts_with("bad.json: not valid UTF-8"), "{err}");
    let env = SignedEnvelope::from_slice(br#"{"signed":{"v":1.0},"signatures":[]}"#, "f.json").unwrap();
    let err = env.signed_bytes().unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.json at /signed/v: 1.0 is not an integer; canonical JSON allows integers only"
    );
}

#[test]
fn truncated_and_garbled_documents_are_errors_not_panics() {
    let good = std::fs::read(interop().join("in-toto/demo-supply-chain/root.layout")).unwrap();
    for cut in (0..good.len()).step_by(97) {
        let _ = Envelope::from_slice(&good[..cut], "cut.layout");
    }
    let mut garbled = good.clone();
    for i in (0..garbled.len()).step_by(13) {
        garbled[i] = garbled[i].wrapping_add(7);
        let _ = Envelope::from_slice(&garbled, "garbled.layout");
    }
    let deep = "[".repeat(10_000);
    let err = json::parse(deep.as_bytes(), "deep.json").unwrap_err();
    assert!(err.to_string().contains("nested deeper"), "{err}");
}

#[test]
fn garbled_keys_and_signatures_fail_cleanly() {
    let path = interop().join("in-toto/keytypes-rsa/keys");
    let pem_file =
        std::fs::read_dir(&path).unwrap().flatten().find(|e| e.path().to_string_lossy().ends_with(".pem"));
    let pem = std::fs::read_to_string(pem_file.unwrap().path()).unwrap();
    for cut in (0..pem.len()).step_by(31) {
        let _ = PublicKey::from_pem(&pem[..cut]);
    }
    let key = PublicKey::from_pem(&pem).unwrap();
    for sig in [&[][..], &[0u8; 3][..], &[0xffu8; 384][..], &[1u8; 1000][..]] {
        assert!(key.verify(b"message", sig).is_err());
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

proptest! {
    #[test]
    fn canonicalization_is_idempotent(v in arb_json()) {
        let once = canonical::to_vec(&v).unwrap();
        // Canonical JSON of strings without control characters is valid JSON; reparse where possible.
        if let Ok(reparsed) = serde_json::from_slice::<Value>(&once) {
            prop_assert_eq!(canonical::to_vec(&reparsed).unwrap(), once);
        }
    }

    #[test]
    fn canonicalization_ignores_member_order(pairs in prop::collection::vec((".{0,6}", any::<i64>()), 0..10)) {
        let forward: Map<String, Value> = pairs.iter().map(|(k, v)| (k.clone(), Value::from(*v))).collect();
        let mut text = String::from("{");
        // Same members written in reverse order into the source text.
        let members: Vec<_> = forward.iter().rev().collect();
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 { text.push(','); }
            text.push_str(&serde_json::to_string(k).unwrap());
            text.push(':');
            text.push_str(&v.to_string());
        }
        text.push('}');
        let reversed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(canonical::to_vec(&Value::Object(forward)).unwrap(), canonical::to_vec(&reversed).unwrap());
    }
}

/// The streaming canonicalizer gives the same bytes as canonicalizing the
/// parsed value, on every signed document of the corpora.
#[test]
fn streaming_canonical_form_equals_value_form_on_every_corpus_document() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&interop(), &mut files);
    let mut compared = 0;
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let Ok(env) = SignedEnvelope::from_slice(&bytes, "x") else { continue };
        let mut streamed = Vec::new();
        let found = trailscope::meta::stream::canonicalize_member(&bytes, "signed", &mut streamed);
        match env.signed_bytes() {
            Ok(expected) => {
                assert_eq!(found, Ok(true), "{}", f.display());
                assert_eq!(streamed, expected, "{}", f.display());
                compared += 1;
            }
            // The tree holds integers outside 64 bits as floats and refuses
            // them; the stream copies them as written (canonical JSON
            // integers are unbounded, as in python). Their digits read back
            // from the text give the same form, unless a number of the same
            // size was written as a float (`1e19`), which both refuse.
            Err(_) if integer_outside_64_bits(&env.signed) => {
                let mut as_written = Vec::new();
                trailscope::meta::stream::member_with_numbers_as_written(&bytes, "signed", &mut as_written)
                    .unwrap();
                let exact = trailscope::meta::canonical::exact_integers(&env.signed, &as_written).unwrap();
                match trailscope::meta::canonical::to_vec_exact(&env.signed, &exact) {
                    Ok(expected) => {
                        assert_eq!(found, Ok(true), "{}", f.display());
                        assert_eq!(streamed, expected, "{}", f.display());
                    }
                    Err(_) => assert!(found.is_err(), "{}", f.display()),
                }
            }
            Err(_) => assert!(found.is_err(), "{}", f.display()),
        }
    }
    println!("streaming canonicalization agrees on {compared} documents");
    assert!(compared > 1000);
}

proptest! {
    #[test]
    fn streaming_equals_value_canonicalization(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
        let mut streamed = Vec::new();
        trailscope::meta::stream::canonicalize(text.as_bytes(), &mut streamed).unwrap();
        prop_assert_eq!(streamed, canonical::to_vec(&v).unwrap());
    }

    /// The chunked form gives the same bytes when it can stream, and it can
    /// whenever the keys are in order (serde_json writes its maps sorted) and
    /// none needs escaping.
    #[test]
    fn chunked_canonicalization_equals_the_buffered_one(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
        let mut buffered = Vec::new();
        trailscope::meta::stream::canonicalize(text.as_bytes(), &mut buffered).unwrap();
        let mut chunks = Vec::new();
        let streamed = trailscope::meta::stream::canonicalize_to(text.as_bytes(), &mut |c: &[u8]| chunks.extend_from_slice(c)).unwrap();
        if streamed {
            prop_assert_eq!(&chunks, &buffered);
        } else {
            prop_assert!(text.contains("\\\"") || text.contains("\\\\"), "in-order text must stream: {}", text);
        }
    }
}

#[test]
fn chunked_canonicalization_of_a_large_document_arrives_in_pieces() {
    let items: Vec<String> =
        (0..20_000).map(|i| format!("\"k{i:06}\": {{\"sha256\": \"{i:064x}\"}}")).collect();
    let doc = format!("{{\"a\": 1, \"items\": {{{}}}, \"z\": [1, 2]}}", items.join(", "));
    let mut buffered = Vec::new();
    trailscope::meta::stream::canonicalize(doc.as_bytes(), &mut buffered).unwrap();
    let (mut pieces, mut joined) = (0, Vec::new());
    let streamed = trailscope::meta::stream::canonicalize_to(doc.as_bytes(), &mut |c: &[u8]| {
        pieces += 1;
        joined.extend_from_slice(c);
    });
    assert_eq!(streamed, Ok(true));
    assert_eq!(joined, buffered);
    assert!(pieces > 10, "{pieces} pieces");
    // One key out of order deep inside: not streamable, and the buffered form sorts it.
    let unsorted = doc.replace("\"k010000\"", "\"k000000x\"");
    let streamed = trailscope::meta::stream::canonicalize_to(unsorted.as_bytes(), &mut |_: &[u8]| {});
    assert_eq!(streamed, Ok(false));
    // A malformed document is an error, not "unsorted".
    assert!(trailscope::meta::stream::canonicalize_to(br#"{"a": [1,]}"#, &mut |_: &[u8]| {}).is_err());
    assert_eq!(
        trailscope::meta::stream::canonicalize_to(br#"{"b": 1, "a": 2}"#, &mut |_: &[u8]| {}),
        Ok(false)
    );
    assert_eq!(
        trailscope::meta::stream::canonicalize_to(br#"{"a": 1, "a": 2}"#, &mut |_: &[u8]| {}),
        Ok(false)
    );
}

/// An integer outside 64 bits and no real float (which the stream refuses).
fn integer_outside_64_bits(v: &serde_json::Value) -> bool {
    fn real_float(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => n.is_f64() && !trailscope::meta::canonical::is_big_integer(n),
            serde_json::Value::Array(items) => items.iter().any(real_float),
            serde_json::Value::Object(map) => map.values().any(real_float),
            _ => false,
        }
    }
    trailscope::meta::canonical::has_big_integer(v) && !real_float(v)
}

/// Fuzz finding: a long integer (tests/regressions/canonical-huge-integer.json)
/// has no `Value` canonical form (serde_json reads it as a float) while the
/// stream accepts it. python accepts integers up to 4300 digits, so the
/// stream copies them exactly, and refuses longer ones as python does.
#[test]
fn regression_long_integers_are_copied_exactly_up_to_pythons_limit() {
    let input = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/canonical-huge-integer.json"),
    )
    .unwrap();
    let mut out = Vec::new();
    trailscope::meta::stream::canonicalize(&input, &mut out).unwrap();
    let digits: String = String::from_utf8_lossy(&input).chars().filter(char::is_ascii_digit).collect();
    assert!(String::from_utf8_lossy(&out).contains(&digits), "{}", String::from_utf8_lossy(&out));
    if let Ok(v) = json::parse(&input, "huge") {
        assert!(canonical::to_vec(&v).is_err());
    }
    for (len, ok) in [(4300, true), (4301, false)] {
        let doc = format!("{{\"n\": -{}}}", "9".repeat(len));
        let mut out = Vec::new();
        let got = trailscope::meta::stream::canonicalize(doc.as_bytes(), &mut out);
        assert_eq!(got.is_ok(), ok, "{len} digits");
        if ok {
            assert_eq!(out, format!("{{\"n\":-{}}}", "9".repeat(len)).into_bytes());
        }
    }
}

/// Fuzz crash (canonical_json, "-0"): the stream read `-0` as python does
/// (the integer 0) but serde_json made it the float -0.0, so the parsed value
/// could not be canonicalized. Both now give `0`; `-0.0` stays a float.
#[test]
fn regression_negative_zero_is_the_integer_zero_in_both_canonicalizers() {
    let input = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/canonical-negative-zero.json"),
    )
    .unwrap();
    for (doc, expected) in [
        (input.as_slice(), Some("0")),
        (br#"{"v": -0, "s": "-0", "a": [-0,-0 ]}"#.as_slice(), Some(r#"{"a":[0,0],"s":"-0","v":0}"#)),
        (br#"{"s": "x\"-0", "v": -0}"#.as_slice(), Some(r#"{"s":"x\"-0","v":0}"#)),
        (b"-0.0".as_slice(), None),
        (b"[-0e1]".as_slice(), None),
    ] {
        let mut streamed = Vec::new();
        let ok = trailscope::meta::stream::canonicalize(doc, &mut streamed).is_ok();
        let value = json::parse(doc, "neg-zero").unwrap();
        let canon = canonical::to_vec(&value);
        match expected {
            Some(e) => {
                assert!(ok);
                assert_eq!(String::from_utf8(streamed).unwrap(), e);
                assert_eq!(String::from_utf8(canon.unwrap()).unwrap(), e);
            }
            None => assert!(!ok && canon.is_err()),
        }
    }
}

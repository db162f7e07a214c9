//! Key parsing (JSON dicts and PEM) and signature verification with arbitrary
//! keys and signatures: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::crypto::PublicKey;

fuzz_target!(|data: &[u8]| {
    let (key_part, sig) = data.split_at(data.len() / 2);
    if let Ok(key) = PublicKey::from_file_bytes(key_part) {
        let _ = key.keyid();
        let _ = key.legacy_keyid();
        let _ = key.verify(b"message", sig);
    }
    if let Ok(text) = std::str::from_utf8(key_part) {
        for keytype in ["ed25519", "ecdsa", "rsa"] {
            for scheme in ["ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "rsassa-pss-sha256", "rsa-pkcs1v15-sha256"] {
                let dict = serde_json::json!({"keytype": keytype, "scheme": scheme, "keyval": {"public": text}});
                if let Ok(key) = PublicKey::from_dict(&dict) {
                    let _ = key.verify(b"message", sig);
                }
            }
        }
    }
});

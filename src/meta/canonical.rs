//! OLPC canonical JSON, byte for byte as securesystemslib's `encode_canonical`
//! and go-securesystemslib's `cjson` produce it (TUF spec §4 "canonical JSON",
//! in-toto Metablock signatures).
//!
//! Object members are sorted by key in code-point order (equal to UTF-8 byte
//! order, which is how `serde_json::Map` — a `BTreeMap` — iterates), there is
//! no whitespace, strings escape only `"` and `\` (control characters and
//! non-ASCII are written raw), and only integers are allowed.

use serde_json::Value;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("at {pointer}: {number} is not an integer; canonical JSON allows integers only")]
    NotAnInteger { pointer: String, number: String },
}

/// Appends the canonical form of `value` to `out` (a buffer the caller may reuse).
pub fn encode_into(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    let mut pointer = String::new();
    encode_at(value, out, &mut pointer)
}

/// The canonical form of `value` as a fresh byte vector.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    encode_into(value, &mut out)?;
    Ok(out)
}

fn encode_at(value: &Value, out: &mut Vec<u8>, pointer: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::NotAnInteger {
                    pointer: display_pointer(pointer),
                    number: n.to_string(),
                });
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => encode_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                encode_at(item, out, pointer)?;
                pointer.truncate(len);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            // serde_json's default Map is ordered by key already; if a feature
            // such as `preserve_order` is unified in, fall back to sorting.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            if !members.windows(2).all(|w| w[0].0 < w[1].0) {
                members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                encode_string(key, out);
                out.push(b':');
                let len = pointer.len();
                pointer.push('/');
                push_pointer_token(pointer, key);
                encode_at(item, out, pointer)?;
                pointer.truncate(len);
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn encode_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s.as_bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `token` to a JSON pointer with RFC 6901 escaping.
pub fn push_pointer_token(pointer: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            _ => pointer.push(c),
        }
    }
}

fn display_pointer(pointer: &str) -> String {
    if pointer.is_empty() { "/".to_string() } else { pointer.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v = json!({"b": [1, 2, {"d": true, "c": null}], "a": "x"});
        assert_eq!(to_vec(&v).unwrap(), br#"{"a":"x","b":[1,2,{"c":null,"d":true}]}"#);
    }

    #[test]
    fn escapes_only_quote_and_backslash() {
        let v = json!("a\"b\\c\nd\u{1}é");
        assert_eq!(to_vec(&v).unwrap(), "\"a\\\"b\\\\c\nd\u{1}é\"".as_bytes());
    }

    #[test]
    fn floats_are_rejected_with_their_location() {
        let v = json!({"signed": {"version": 1.5}});
        let err = to_vec(&v).unwrap_err();
        assert_eq!(
            err,
            CanonicalError::NotAnInteger { pointer: "/signed/version".into(), number: "1.5".into() }
        );
    }

    #[test]
    fn negative_and_large_integers_are_kept() {
        let v = json!([-3, u64::MAX]);
        assert_eq!(to_vec(&v).unwrap(), b"[-3,18446744073709551615]");
    }
}

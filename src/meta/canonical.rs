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
    encode_at(value, out, &mut pointer, None)
}

/// The exact digits of the integers outside 64 bits in a value, by JSON
/// pointer: serde_json holds them as floats (and rounds them), canonical
/// JSON copies them as written.
pub type ExactIntegers = std::collections::BTreeMap<String, String>;

/// The canonical form of `value`, writing the numbers `exact` names with
/// their exact digits.
pub fn to_vec_exact(value: &Value, exact: &ExactIntegers) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    encode_at(value, &mut out, &mut String::new(), Some(exact))?;
    Ok(out)
}

/// Whether serde_json read `n` from an integer outside 64 bits (it holds
/// those as floats; a fraction or exponent that small is a real float).
pub fn is_big_integer(n: &serde_json::Number) -> bool {
    n.as_f64().is_some_and(|f| n.is_f64() && f.is_finite() && f.fract() == 0.0 && f.abs() >= 9.2e18)
}

/// Whether `value` holds an integer outside 64 bits anywhere.
pub fn has_big_integer(value: &Value) -> bool {
    match value {
        Value::Number(n) => is_big_integer(n),
        Value::Array(items) => items.iter().any(has_big_integer),
        Value::Object(map) => map.values().any(has_big_integer),
        _ => false,
    }
}

/// The exact digits of every integer of `value` held as a float, read from
/// `canonical`, the canonical form of the same document made from its text
/// (`stream::canonicalize`, or `stream::member_with_numbers_as_written`
/// when it also holds real floats, which are skipped). Both list their
/// numbers in the same order (members sorted the same way), so the n-th
/// number of one is the n-th of the other. `None` when they do not line up.
pub fn exact_integers(value: &Value, canonical: &[u8]) -> Option<ExactIntegers> {
    let mut tokens = number_tokens(canonical);
    let mut exact = ExactIntegers::new();
    collect_exact(value, &mut String::new(), &mut tokens, &mut exact)?;
    tokens.next().is_none().then_some(exact)
}

fn collect_exact<'c>(
    value: &Value,
    pointer: &mut String,
    tokens: &mut impl Iterator<Item = &'c [u8]>,
    exact: &mut ExactIntegers,
) -> Option<()> {
    match value {
        Value::Number(n) => {
            let token = tokens.next()?;
            if n.is_f64() && token.iter().all(|b| b.is_ascii_digit() || *b == b'-') {
                exact.insert(pointer.clone(), String::from_utf8(token.to_vec()).ok()?);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect_exact(item, pointer, tokens, exact)?;
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            if !members.windows(2).all(|w| w[0].0 < w[1].0) {
                members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            for (key, item) in members {
                let len = pointer.len();
                pointer.push('/');
                push_pointer_token(pointer, key);
                collect_exact(item, pointer, tokens, exact)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Some(())
}

/// The number tokens of canonical JSON, in order (outside strings, which
/// escape only `"` and `\`); fractions and exponents are part of a token.
fn number_tokens(canonical: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let mut in_string = false;
        while let Some(&b) = canonical.get(i) {
            if in_string {
                match b {
                    b'\\' => i += 1,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else if b == b'-' || b.is_ascii_digit() {
                let start = i;
                while canonical
                    .get(i)
                    .is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                {
                    i += 1;
                }
                return canonical.get(start..i);
            }
            i += 1;
        }
        None
    })
}

/// The canonical form of `value` as a fresh byte vector.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    encode_into(value, &mut out)?;
    Ok(out)
}

fn encode_at(
    value: &Value,
    out: &mut Vec<u8>,
    pointer: &mut String,
    exact: Option<&ExactIntegers>,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if n.is_f64() {
                if let Some(digits) = exact.and_then(|e| e.get(pointer.as_str())) {
                    out.extend_from_slice(digits.as_bytes());
                    return Ok(());
                }
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
                encode_at(item, out, pointer, exact)?;
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
                encode_at(item, out, pointer, exact)?;
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
    fn integers_outside_64_bits_are_written_with_their_exact_digits() {
        let text = br#"{"z": [18446744073709551617, {"k\"]": -9223372036854775809}], "a": "1 2", "m": 7}"#;
        let value: Value = serde_json::from_slice(text).unwrap();
        assert!(has_big_integer(&value));
        assert!(to_vec(&value).is_err(), "serde_json holds them as floats");
        let mut canonical = Vec::new();
        crate::meta::stream::canonicalize(text, &mut canonical).unwrap();
        let exact = exact_integers(&value, &canonical).unwrap();
        assert_eq!(exact.len(), 2);
        assert_eq!(exact["/z/0"], "18446744073709551617");
        assert_eq!(to_vec_exact(&value, &exact).unwrap(), canonical);
        // Beside real floats (written as is by the lenient form), only the
        // integer is exact.
        let text = r#"{"x": 0.5, "big": 100000000000000000000, "e": 1e19, "t": [true, false, null]}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let mut lenient = Vec::new();
        let doc = format!(r#"{{"signed": {text}}}"#);
        assert!(
            crate::meta::stream::member_with_numbers_as_written(doc.as_bytes(), "signed", &mut lenient)
                .unwrap()
        );
        let exact = exact_integers(&value, &lenient).unwrap();
        assert_eq!(
            exact.into_iter().collect::<Vec<_>>(),
            [("/big".to_owned(), "100000000000000000000".to_owned())]
        );
        assert!(!has_big_integer(&json!({"f": 0.5, "n": 3})));
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

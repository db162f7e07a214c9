//! Reading JSON documents from untrusted bytes, and typed access to their
//! members with errors that carry the file and pointer.

use serde_json::{Map, Value};

use super::error::{Location, MetaError};

/// Deepest nesting accepted; serde_json itself stops at 128, we say so clearly.
pub const MAX_DEPTH: usize = 128;

/// Parses `bytes` as one JSON document; `file` labels errors.
pub fn parse(bytes: &[u8], file: &str) -> Result<Value, MetaError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        MetaError::new(
            Location::new(file, ""),
            format!("not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })?;
    let normalized = python_numbers(text);
    serde_json::from_str(normalized.as_deref().unwrap_or(text)).map_err(|e| {
        let what = if e.to_string().contains("recursion limit") {
            format!("JSON nested deeper than {MAX_DEPTH} levels")
        } else {
            format!("invalid JSON: {e}")
        };
        MetaError::new(Location::new(file, ""), what)
    })
}

/// Number tokens serde_json reads otherwise than python's `json.loads`,
/// rewritten in place (same length, so error offsets stay right); `None`:
/// nothing to change.
///
/// - `-0`: python reads the integer `0` (and `-0.0`, `-0e0` as floats);
///   serde_json reads all three as the float `-0.0`. So that the parsed
///   value, its canonical form and the streaming canonicalizer agree with
///   python, it becomes ` 0`. (Found by the `canonical_json` fuzz target;
///   tests/regressions/canonical-negative-zero.json.)
/// - A number beyond the largest float: python reads a fraction or exponent
///   (`1e400`) as `inf` and an integer of up to 4300 digits exactly;
///   serde_json refuses both ("number out of range"). It becomes `1e308`
///   (`-1e308`) padded with spaces: a float either way, which is all that
///   decides (a float has no canonical form; a member python drops may hold
///   one). An integer's digits are read again from the text where they
///   matter ([`super::canonical::exact_integers`]). Longer integers stay as
///   they are and fail to parse, as in python.
fn python_numbers(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut edits: Vec<(usize, &[u8], usize)> = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'-' || c.is_ascii_digit() {
            let start = i;
            while b.get(i).is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
                i += 1;
            }
            let token = b.get(start..i).unwrap_or_default();
            if token == b"-0" {
                edits.push((start, b" 0", 0));
            } else if out_of_float_range(token) {
                let negative = token.first() == Some(&b'-');
                let with: &[u8] = if negative { b"-1e308" } else { b"1e308" };
                edits.push((start, with, token.len().saturating_sub(with.len())));
            }
            continue;
        }
        i += 1;
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = b.to_vec();
    for (at, with, pad) in edits {
        let end = at + with.len() + pad;
        if let Some(slot) = out.get_mut(at..end) {
            let (head, tail) = slot.split_at_mut(with.len());
            head.copy_from_slice(with);
            tail.fill(b' ');
        }
    }
    String::from_utf8(out).ok()
}

/// Whether a number token is one python reads (an integer of at most
/// [`super::stream::MAX_INTEGER_DIGITS`] digits, or any float syntax) but
/// beyond what an `f64` holds. Malformed tokens are left to the parser.
fn out_of_float_range(token: &[u8]) -> bool {
    // The shortest: `1e309`, or an integer of 309 digits (the usual short
    // numbers are not parsed here at all).
    if token.len() < 5 || (token.len() < 309 && !token.iter().any(|c| matches!(c, b'e' | b'E'))) {
        return false;
    }
    let digits = token.strip_prefix(b"-").unwrap_or(token);
    if !is_json_number(digits)
        || (digits.iter().all(u8::is_ascii_digit) && digits.len() > super::stream::MAX_INTEGER_DIGITS)
    {
        return false;
    }
    std::str::from_utf8(token).ok().and_then(|t| t.parse::<f64>().ok()).is_some_and(f64::is_infinite)
}

/// RFC 8259's `int [frac] [exp]` (after any minus sign).
fn is_json_number(t: &[u8]) -> bool {
    let run = |t: &[u8], from: usize| from + t.iter().skip(from).take_while(|c| c.is_ascii_digit()).count();
    let int_end = run(t, 0);
    if int_end == 0 || (int_end > 1 && t.first() == Some(&b'0')) {
        return false;
    }
    let mut i = int_end;
    if t.get(i) == Some(&b'.') {
        let end = run(t, i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = run(t, i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == t.len()
}

/// Typed views of one JSON object, failing with the member's location.
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub at: Location,
}

impl<'a> Obj<'a> {
    pub fn new(value: &'a Value, at: Location) -> Result<Self, MetaError> {
        match value {
            Value::Object(map) => Ok(Self { map, at }),
            other => Err(MetaError::new(at, format!("expected an object, found {}", kind(other)))),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    pub fn require(&self, key: &str) -> Result<&'a Value, MetaError> {
        self.map.get(key).ok_or_else(|| MetaError::new(self.at.clone(), format!("missing member \"{key}\"")))
    }

    pub fn str(&self, key: &str) -> Result<&'a str, MetaError> {
        let v = self.require(key)?;
        v.as_str().ok_or_else(|| type_error(self.at.child(key), "a string", v))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, MetaError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| type_error(self.at.child(key), "a string", v)),
        }
    }

    pub fn obj(&self, key: &str) -> Result<Obj<'a>, MetaError> {
        Obj::new(self.require(key)?, self.at.child(key))
    }

    pub fn array(&self, key: &str) -> Result<&'a Vec<Value>, MetaError> {
        let v = self.require(key)?;
        v.as_array().ok_or_else(|| type_error(self.at.child(key), "an array", v))
    }

    /// A non-negative integer member (TUF versions, lengths, thresholds).
    pub fn u64(&self, key: &str) -> Result<u64, MetaError> {
        let v = self.require(key)?;
        v.as_u64().ok_or_else(|| type_error(self.at.child(key), "a non-negative integer", v))
    }

    pub fn i64(&self, key: &str) -> Result<i64, MetaError> {
        let v = self.require(key)?;
        v.as_i64().ok_or_else(|| type_error(self.at.child(key), "an integer", v))
    }

    pub fn bool(&self, key: &str) -> Result<bool, MetaError> {
        let v = self.require(key)?;
        v.as_bool().ok_or_else(|| type_error(self.at.child(key), "a boolean", v))
    }

    /// A list of strings, e.g. key ids or an argv.
    pub fn str_list(&self, key: &str) -> Result<Vec<String>, MetaError> {
        let items = self.array(key)?;
        let at = self.at.child(key);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| v.as_str().map(str::to_owned).ok_or_else(|| type_error(at.index(i), "a string", v)))
            .collect()
    }
}

pub fn type_error(at: Location, expected: &str, found: &Value) -> MetaError {
    MetaError::new(at, format!("expected {expected}, found {}", kind(found)))
}

/// A short name for a JSON value's type, for error messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        // serde_json reads an integer outside 64 bits as a float.
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() >= 9.2e18) => {
            "an integer outside 64 bits"
        }
        Value::Number(n) if n.is_f64() => "a non-integer number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_a_float_read_as_floats_as_python_reads_them() {
        let huge = "9".repeat(400);
        let text =
            format!(r#"{{"a": 1e400, "b": -1.5E+999, "c": {huge}, "d": -0, "s": "1e400", "e": 1e19}}"#);
        let v = parse(text.as_bytes(), "t").unwrap();
        assert_eq!(v["a"].as_f64(), Some(1e308));
        assert_eq!(v["b"].as_f64(), Some(-1e308));
        assert!(v["c"].is_f64());
        assert_eq!(v["d"].as_i64(), Some(0));
        assert_eq!(v["s"], "1e400");
        assert_eq!(v["e"].as_f64(), Some(1e19));
        // Past python's digit limit, and invalid spellings, still fail.
        assert!(parse(format!("[{}]", "9".repeat(4301)).as_bytes(), "t").is_err());
        for bad in ["[1.e400]", "[01e400]", "[1e400.5]", "[--1e400]", "[1e+]"] {
            assert!(parse(bad.as_bytes(), "t").is_err(), "{bad}");
        }
        // Same length: an error after the number keeps its offset.
        let err = parse(b"[1e400, x]", "t").unwrap_err();
        assert!(err.message.contains("column 9"), "{}", err.message);
    }
}

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
    let normalized = negative_zero_as_zero(text);
    serde_json::from_str(normalized.as_deref().unwrap_or(text)).map_err(|e| {
        let what = if e.to_string().contains("recursion limit") {
            format!("JSON nested deeper than {MAX_DEPTH} levels")
        } else {
            format!("invalid JSON: {e}")
        };
        MetaError::new(Location::new(file, ""), what)
    })
}

/// python's `json.loads` reads `-0` as the integer `0` (and `-0.0`, `-0e0`
/// as floats); serde_json reads all three as the float `-0.0`. So that the
/// parsed value, its canonical form and the streaming canonicalizer agree
/// with python, every `-0` number token outside strings becomes ` 0`
/// (same length, so error offsets stay right). `None`: nothing to change.
/// (Found by the `canonical_json` fuzz target; tests/regressions/negative-zero.json.)
fn negative_zero_as_zero(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut hits = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'-'
            && b.get(i + 1) == Some(&b'0')
            && !matches!(b.get(i + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
        {
            hits.push(i);
        }
    }
    if hits.is_empty() {
        return None;
    }
    let mut out = b.to_vec();
    for i in hits {
        if let Some(c) = out.get_mut(i) {
            *c = b' ';
        }
    }
    String::from_utf8(out).ok()
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

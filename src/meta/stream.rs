//! Canonical JSON straight from document bytes, without building a
//! `serde_json::Value`: a validating scanner that re-emits each value in OLPC
//! form (see [`super::canonical`]), sorting only objects whose members are not
//! already in order. This is the hot path for large links (100k artifacts):
//! it allocates no tree, and its output is identical to
//! `canonical::to_vec(&serde_json::from_slice(bytes)?)`.
//!
//! Semantics follow python's `json` + `encode_canonical`, which produced the
//! signatures: the last of duplicate member names wins, `-0` is `0`, and any
//! number with a fraction or exponent is rejected.

use super::json::MAX_DEPTH;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {message}")]
pub struct StreamError {
    pub offset: usize,
    pub message: String,
}

/// Longest integer accepted: python's default `int` conversion limit
/// (`sys.get_int_max_str_digits()`), past which `json.loads` raises.
pub const MAX_INTEGER_DIGITS: usize = 4300;

/// Canonical form of the whole document in `input`, appended to `out`.
pub fn canonicalize(input: &[u8], out: &mut Vec<u8>) -> Result<(), StreamError> {
    let mut p = Parser::new(input);
    p.skip_ws();
    p.value(out, 0)?;
    p.skip_ws();
    p.expect_end()
}

/// Canonical form of the whole document in `input`, handed to `sink` in
/// pieces of about 64 KiB instead of held whole — for hashing large
/// documents. Streaming needs every object's members in order already, as
/// canonical writers emit them: `Ok(false)` means an object must be sorted
/// (unsorted or duplicate keys, or a key with an escaped quote or
/// backslash), and what `sink` received so far must be discarded; use
/// [`canonicalize`] for such a document. Errors are those of
/// [`canonicalize`] for the part read before that point.
pub fn canonicalize_to(input: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<bool, StreamError> {
    let mut p = Parser::new(input);
    p.sink = Some(sink);
    let mut out = Vec::with_capacity(FLUSH_AT + 4096);
    p.skip_ws();
    let result = p.value(&mut out, 0).and_then(|()| {
        p.skip_ws();
        p.expect_end()
    });
    match result {
        Err(_) if p.unsorted => Ok(false),
        Err(e) => Err(e),
        Ok(()) => {
            if let Some(sink) = p.sink.as_mut() {
                sink(&out);
            }
            Ok(true)
        }
    }
}

/// For a document that is an object whose first member is `name`: the
/// bytes of that member's value (validated JSON) and the offset just past
/// the comma that follows it. `None` for any other shape.
pub fn leading_member<'i>(input: &'i [u8], name: &str) -> Option<(&'i [u8], usize)> {
    let mut p = Parser::new(input);
    p.skip_ws();
    p.expect(b'{').ok()?;
    p.skip_ws();
    let mut key = Vec::new();
    p.string_raw(&mut key).ok()?;
    if key != name.as_bytes() {
        return None;
    }
    p.skip_ws();
    p.expect(b':').ok()?;
    p.skip_ws();
    let start = p.pos;
    p.value(&mut Vec::new(), 1).ok()?;
    let value = input.get(start..p.pos)?;
    p.skip_ws();
    p.expect(b',').ok()?;
    Some((value, p.pos))
}

/// From `from` (as [`leading_member`] returns it), a document's last member
/// `name`: its value's canonical form goes to `sink` as with
/// [`canonicalize_to`]. `Ok(false)` when the rest is not exactly that one
/// member closing the document, or the value cannot be streamed (discard
/// what `sink` got).
pub fn last_member_to(
    input: &[u8],
    from: usize,
    name: &str,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<bool, StreamError> {
    let mut p = Parser::new(input);
    p.pos = from;
    p.skip_ws();
    let mut key = Vec::new();
    p.string_raw(&mut key)?;
    if key != name.as_bytes() {
        return Ok(false);
    }
    p.skip_ws();
    p.expect(b':')?;
    p.skip_ws();
    p.sink = Some(sink);
    let mut out = Vec::with_capacity(FLUSH_AT + 4096);
    match p.value(&mut out, 1) {
        Err(_) if p.unsorted => return Ok(false),
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    p.skip_ws();
    if p.next() != Some(b'}') {
        return Ok(false);
    }
    p.skip_ws();
    p.expect_end()?;
    if let Some(sink) = p.sink.as_mut() {
        sink(&out);
    }
    Ok(true)
}

/// The offset just past the JSON value at `from` (after any whitespace),
/// having checked that it is one; `None` if it is not. Fractions and
/// exponents are accepted (python reads them anywhere).
pub fn value_end(input: &[u8], from: usize) -> Option<usize> {
    let mut p = Parser::new(input);
    p.pos = from;
    p.allow_floats = true;
    p.skip_ws();
    p.value(&mut Vec::new(), 1).ok()?;
    Some(p.pos)
}

/// Bytes of canonical output gathered before [`canonicalize_to`] hands them on.
const FLUSH_AT: usize = 64 * 1024;

/// Canonical form of the top-level member `name` (e.g. `"signed"`) appended to
/// `out`; `Ok(false)` when the document is an object without that member.
pub fn canonicalize_member(input: &[u8], name: &str, out: &mut Vec<u8>) -> Result<bool, StreamError> {
    member(input, name, out, false)
}

/// [`canonicalize_member`] with numbers that are not integers copied as
/// written: not canonical JSON, but every number in the canonical order and
/// integers exactly as written (to recover what a float type rounded).
pub fn member_with_numbers_as_written(
    input: &[u8],
    name: &str,
    out: &mut Vec<u8>,
) -> Result<bool, StreamError> {
    member(input, name, out, true)
}

/// [`canonicalize`] of a whole document with numbers that are not integers
/// copied as written, as [`member_with_numbers_as_written`] does for a member.
pub fn with_numbers_as_written(input: &[u8], out: &mut Vec<u8>) -> Result<(), StreamError> {
    let mut p = Parser::new(input);
    p.allow_floats = true;
    p.skip_ws();
    p.value(out, 0)?;
    p.skip_ws();
    p.expect_end()
}

fn member(input: &[u8], name: &str, out: &mut Vec<u8>, floats: bool) -> Result<bool, StreamError> {
    let mut p = Parser::new(input);
    p.skip_ws();
    if p.peek() != Some(b'{') {
        return Err(p.err("expected an object"));
    }
    p.pos += 1;
    let start = out.len();
    let mut found = false;
    let mut sink = Vec::new();
    let mut key = Vec::new();
    p.skip_ws();
    if p.peek() == Some(b'}') {
        p.pos += 1;
    } else {
        loop {
            p.skip_ws();
            key.clear();
            p.string_raw(&mut key)?;
            p.skip_ws();
            p.expect(b':')?;
            p.skip_ws();
            if key == name.as_bytes() {
                // The last duplicate wins, as with python's json.loads.
                out.truncate(start);
                p.allow_floats = floats;
                p.value(out, 1)?;
                p.allow_floats = false;
                found = true;
            } else {
                // Members outside the signed part are only validated; python
                // parses floats there without complaint.
                sink.clear();
                p.allow_floats = true;
                p.value(&mut sink, 1)?;
                p.allow_floats = false;
            }
            p.skip_ws();
            match p.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(p.err("expected ',' or '}' in object")),
            }
        }
    }
    p.skip_ws();
    p.expect_end()?;
    Ok(found)
}

/// Receives canonical output in pieces.
type Sink<'s> = dyn FnMut(&[u8]) + 's;

struct Parser<'a, 's> {
    input: &'a [u8],
    /// Where [`canonicalize_to`] sends finished output; objects are then
    /// never sorted, only checked to be in order.
    sink: Option<&'s mut Sink<'s>>,
    /// Streaming met an object that needs sorting (the error it returned is
    /// not the document's fault).
    unsorted: bool,
    /// Streaming: the previous key of each open object, outermost first
    /// (the output holding them may have been handed on already).
    prev_keys: Vec<Vec<u8>>,
    open_objects: usize,
    pos: usize,
    /// Reused buffer for members of objects that need sorting.
    scratch: Vec<u8>,
    /// Accept fractions and exponents (while skipping unsigned members).
    allow_floats: bool,
    /// Member spans of the objects being read, innermost last (one buffer
    /// for all of them instead of a vector per object).
    members: Vec<(usize, usize, usize)>,
}

impl<'a> Parser<'a, '_> {
    fn new(input: &'a [u8]) -> Self {
        Parser {
            input,
            sink: None,
            unsorted: false,
            prev_keys: Vec::new(),
            open_objects: 0,
            pos: 0,
            scratch: Vec::new(),
            allow_floats: false,
            members: Vec::new(),
        }
    }

    /// Streaming: hands on the output gathered so far once there is enough.
    fn maybe_flush(&mut self, out: &mut Vec<u8>) {
        if out.len() >= FLUSH_AT
            && let Some(sink) = self.sink.as_mut()
        {
            sink(out);
            out.clear();
        }
    }

    fn err(&self, message: &str) -> StreamError {
        StreamError { offset: self.pos, message: message.to_owned() }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Result<(), StreamError> {
        if self.next() == Some(b) {
            Ok(())
        } else {
            self.pos = self.pos.saturating_sub(1);
            Err(self.err(&format!("expected '{}'", b as char)))
        }
    }

    fn expect_end(&self) -> Result<(), StreamError> {
        if self.pos == self.input.len() {
            Ok(())
        } else {
            Err(self.err("trailing characters after the document"))
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &[u8], out: &mut Vec<u8>) -> Result<(), StreamError> {
        if self.input.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            out.extend_from_slice(word);
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), StreamError> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(out, depth),
            Some(b'[') => self.array(out, depth),
            Some(b'"') => {
                out.push(b'"');
                self.string_escaped(out)?;
                out.push(b'"');
                Ok(())
            }
            Some(b't') => self.literal(b"true", out),
            Some(b'f') => self.literal(b"false", out),
            Some(b'n') => self.literal(b"null", out),
            Some(b'-' | b'0'..=b'9') => self.number(out),
            Some(_) => Err(self.err("expected a JSON value")),
            None => Err(self.err("unexpected end of input")),
        }
    }

    fn number(&mut self, out: &mut Vec<u8>) -> Result<(), StreamError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let digits = self.input.get(digits_start..self.pos).unwrap_or_default();
        if digits.is_empty() || (digits.len() > 1 && digits.first() == Some(&b'0')) {
            return Err(StreamError { offset: start, message: "invalid number".into() });
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            if self.allow_floats {
                return self.skip_fraction_and_exponent(out, start);
            }
            return Err(StreamError {
                offset: start,
                message: "not an integer; canonical JSON allows integers only".into(),
            });
        }
        // Canonical JSON integers are unbounded and are copied as written;
        // python's `json.loads` (securesystemslib, python-tuf) refuses
        // integers longer than its 4300-digit conversion limit.
        if digits.len() > MAX_INTEGER_DIGITS {
            return Err(StreamError {
                offset: start,
                message: format!("integer longer than {MAX_INTEGER_DIGITS} digits (python's limit)"),
            });
        }
        if negative && digits != b"0" {
            out.push(b'-');
        }
        out.extend_from_slice(digits);
        Ok(())
    }

    fn skip_fraction_and_exponent(&mut self, out: &mut Vec<u8>, start: usize) -> Result<(), StreamError> {
        let digits = |p: &mut Self| {
            let from = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > from
        };
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(StreamError { offset: start, message: "invalid number".into() });
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(StreamError { offset: start, message: "invalid number".into() });
            }
        }
        out.extend_from_slice(self.input.get(start..self.pos).unwrap_or_default());
        Ok(())
    }

    fn array(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), StreamError> {
        self.pos += 1;
        out.push(b'[');
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            out.push(b']');
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value(out, depth + 1)?;
            self.maybe_flush(out);
            self.skip_ws();
            match self.next() {
                Some(b',') => out.push(b','),
                Some(b']') => break,
                _ => return Err(self.err("expected ',' or ']' in array")),
            }
        }
        out.push(b']');
        Ok(())
    }

    /// Emits members in input order; if their keys are not strictly increasing
    /// (unsorted or duplicated), re-emits them sorted with the last duplicate kept.
    fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), StreamError> {
        self.pos += 1;
        let start = out.len();
        out.push(b'{');
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            out.push(b'}');
            return Ok(());
        }
        if self.sink.is_some() {
            return self.object_in_order(out, depth);
        }
        // (key start, key end, member end) as offsets into `out`; the key span
        // holds the escaped key without quotes, which orders like the raw key
        // except where escapes occur — those objects are sorted on decoded keys below.
        // This object's members are `self.members[base..]`.
        let base = self.members.len();
        let mut ordered = true;
        let mut has_escape_in_key = false;
        loop {
            self.skip_ws();
            if self.members.len() > base {
                out.push(b',');
            }
            out.push(b'"');
            let key_start = out.len();
            self.string_escaped(out)?;
            let key_end = out.len();
            has_escape_in_key |= out.get(key_start..key_end).is_some_and(|k| k.contains(&b'\\'));
            self.member_value(out, depth)?;
            if self.members.len() > base
                && let Some(&(ps, pe, _)) = self.members.last()
            {
                let prev = out.get(ps..pe).unwrap_or_default();
                let cur = out.get(key_start..key_end).unwrap_or_default();
                if prev >= cur {
                    ordered = false;
                }
            }
            self.members.push((key_start, key_end, out.len()));
            self.skip_ws();
            match self.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(self.err("expected ',' or '}' in object")),
            }
        }
        if !ordered || has_escape_in_key {
            let members = self.members.split_off(base);
            self.reorder(out, start, &members);
        } else {
            self.members.truncate(base);
        }
        out.push(b'}');
        Ok(())
    }

    /// After a member's key (its closing quote not yet written): the colon
    /// and the member's value.
    fn member_value(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), StreamError> {
        out.push(b'"');
        self.skip_ws();
        self.expect(b':')?;
        out.push(b':');
        self.skip_ws();
        self.value(out, depth + 1)
    }

    /// Streaming: emits the members (after the `{` already written) while
    /// checking that the keys are strictly increasing; stops with
    /// `self.unsorted` set at the first that is not.
    fn object_in_order(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), StreamError> {
        let level = self.open_objects;
        self.open_objects += 1;
        if self.prev_keys.len() <= level {
            self.prev_keys.resize_with(level + 1, Vec::new);
        }
        let mut first = true;
        loop {
            self.skip_ws();
            if !first {
                out.push(b',');
            }
            out.push(b'"');
            let key_start = out.len();
            self.string_escaped(out)?;
            let key = out.get(key_start..).unwrap_or_default();
            let Some(prev) = self.prev_keys.get_mut(level) else { break };
            // An escaped key sorts by its decoded form: leave it to the sorting path.
            if key.contains(&b'\\') || (!first && prev.as_slice() >= key) {
                self.unsorted = true;
                return Err(self.err("object members not in canonical order"));
            }
            prev.clear();
            prev.extend_from_slice(key);
            first = false;
            self.member_value(out, depth)?;
            self.maybe_flush(out);
            self.skip_ws();
            match self.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(self.err("expected ',' or '}' in object")),
            }
        }
        self.open_objects = level;
        out.push(b'}');
        Ok(())
    }

    /// Rewrites the members written since `start` in key order, last duplicate winning.
    fn reorder(&mut self, out: &mut Vec<u8>, start: usize, members: &[(usize, usize, usize)]) {
        let decoded = |span: &[u8]| unescape_canonical(span);
        let mut order: Vec<(Vec<u8>, usize)> = members
            .iter()
            .enumerate()
            .map(|(i, &(ks, ke, _))| (decoded(out.get(ks..ke).unwrap_or_default()), i))
            .collect();
        // Stable sort by key, then keep the last of each run of equal keys.
        order.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<usize> = Vec::with_capacity(order.len());
        for (j, (key, i)) in order.iter().enumerate() {
            let next_same = order.get(j + 1).is_some_and(|(k, _)| k == key);
            if !next_same {
                kept.push(*i);
            }
        }
        self.scratch.clear();
        self.scratch.push(b'{');
        for (n, &i) in kept.iter().enumerate() {
            let Some(&(ks, _, end)) = members.get(i) else { continue };
            if n > 0 {
                self.scratch.push(b',');
            }
            // A member's bytes run from its opening quote (ks - 1) to its end.
            self.scratch.extend_from_slice(out.get(ks.saturating_sub(1)..end).unwrap_or_default());
        }
        out.truncate(start);
        out.extend_from_slice(&self.scratch);
    }

    /// Reads a JSON string and writes its canonical body (no quotes): decoded,
    /// with only `"` and `\` escaped.
    fn string_escaped(&mut self, out: &mut Vec<u8>) -> Result<(), StreamError> {
        self.string_with(out, true)
    }

    /// Reads a JSON string and writes its decoded bytes.
    fn string_raw(&mut self, out: &mut Vec<u8>) -> Result<(), StreamError> {
        self.string_with(out, false)
    }

    fn string_with(&mut self, out: &mut Vec<u8>, escape: bool) -> Result<(), StreamError> {
        if self.next() != Some(b'"') {
            self.pos = self.pos.saturating_sub(1);
            return Err(self.err("expected a string"));
        }
        loop {
            // Copy the run of plain bytes in one go.
            let run_start = self.pos;
            let (len, ascii) = plain_run(self.input.get(run_start..).unwrap_or_default());
            self.pos += len;
            let run = self.input.get(run_start..self.pos).unwrap_or_default();
            if !ascii && std::str::from_utf8(run).is_err() {
                return Err(StreamError { offset: run_start, message: "string is not valid UTF-8".into() });
            }
            out.extend_from_slice(run);
            match self.next() {
                Some(b'"') => return Ok(()),
                Some(b'\\') => self.escape(out, escape)?,
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>, escape: bool) -> Result<(), StreamError> {
        let c = match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape()?,
            _ => return Err(self.err("invalid escape in string")),
        };
        if escape && (c == '"' || c == '\\') {
            out.push(b'\\');
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, StreamError> {
        let digits =
            self.input.get(self.pos..self.pos + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(text, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, StreamError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.input.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.err("invalid surrogate pair"));
                }
            }
            return Err(self.err("lone surrogate in \\u escape"));
        }
        char::from_u32(first).ok_or_else(|| self.err("lone surrogate in \\u escape"))
    }
}

/// Length of the leading run of string bytes that need no attention (not
/// `"`, `\\` or a control character), and whether the run is all ASCII.
/// Eight bytes at a time while they are plain ASCII.
fn plain_run(bytes: &[u8]) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        // Any byte that is a quote, a backslash, below 0x20 or above 0x7f.
        let special = has_zero(v ^ (ONES * u64::from(b'"')))
            | has_zero(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v & HIGH)
            | (v & HIGH);
        if special != 0 {
            break;
        }
        i += 8;
    }
    let mut ascii = true;
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        ascii &= b < 0x80;
        i += 1;
    }
    (i, ascii)
}

/// Undoes the canonical escaping of a key (`\"` and `\\`) for ordering.
fn unescape_canonical(span: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(span.len());
    let mut iter = span.iter();
    while let Some(&b) = iter.next() {
        if b == b'\\' {
            if let Some(&n) = iter.next() {
                out.push(n);
            }
        } else {
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Result<String, StreamError> {
        let mut out = Vec::new();
        canonicalize(s.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn sorts_only_what_needs_sorting() {
        assert_eq!(canon(r#" { "b" : 1 , "a" : [ true , null ] } "#).unwrap(), r#"{"a":[true,null],"b":1}"#);
        assert_eq!(canon(r#"{"a":{"d":1,"c":2},"b":"x"}"#).unwrap(), r#"{"a":{"c":2,"d":1},"b":"x"}"#);
    }

    #[test]
    fn last_duplicate_wins() {
        assert_eq!(canon(r#"{"a":1,"b":2,"a":3}"#).unwrap(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn escapes_are_decoded_then_reescaped() {
        assert_eq!(canon(r#""a\nb\u00e9\"\\\/\ud83d\ude00""#).unwrap(), "\"a\nbé\\\"\\\\/😀\"");
    }

    #[test]
    fn floats_and_garbage_are_rejected() {
        assert!(canon("1.5").is_err());
        assert!(canon("1e3").is_err());
        assert!(canon("01").is_err());
        assert!(canon("{").is_err());
        assert!(canon(r#"{"a" 1}"#).is_err());
        assert!(canon("[1,]").is_err());
        assert!(canon(r#""\ud800""#).is_err());
        assert!(canon("[] x").is_err());
        assert_eq!(canon("-0").unwrap(), "0");
        assert!(canon(&"1".repeat(10_000)).unwrap_err().message.contains("4300 digits"));
        assert_eq!(
            canon("[18446744073709551616,-99999999999999999999]").unwrap(),
            "[18446744073709551616,-99999999999999999999]"
        );
        assert_eq!(
            canon("[-9223372036854775808,18446744073709551615]").unwrap(),
            "[-9223372036854775808,18446744073709551615]"
        );
    }

    #[test]
    fn member_extraction() {
        let mut out = Vec::new();
        let found =
            canonicalize_member(br#"{"signatures":[{"x":1.5}],"signed":{"b":1,"a":2}}"#, "signed", &mut out);
        // Floats elsewhere in the document do not matter for the signed bytes.
        assert!(found.unwrap());
        assert_eq!(out, br#"{"a":2,"b":1}"#);
    }

    #[test]
    fn long_runs_agree_with_the_value_path() {
        // JSON text inside a string: escapes, raw non-ASCII, plain ASCII.
        let specials = [r#"\""#, r"\\", r"\n", r"\u0001", "é", "😀", r"\u00e9", "/", "~", "\u{7f}"];
        for len in 0..24 {
            for special in specials {
                for pos in [0, len / 2, len] {
                    let mut body = "a".repeat(len);
                    body.insert_str(pos, special);
                    body.push_str(&"b".repeat(len));
                    let text = format!(r#"{{"{body}":"{body}","k":["{body}"]}}"#);
                    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                    let expected = super::super::canonical::to_vec(&value).unwrap();
                    assert_eq!(canon(&text).unwrap().into_bytes(), expected, "{text}");
                }
            }
        }
        // Invalid UTF-8 anywhere in a long run is refused.
        for pos in [0, 3, 8, 9, 17] {
            let mut bytes = br#"{"a":"0123456789abcdefghij"}"#.to_vec();
            bytes[6 + pos] = 0xff;
            assert!(canonicalize(&bytes, &mut Vec::new()).is_err());
            bytes[6 + pos] = 0x01;
            assert!(canonicalize(&bytes, &mut Vec::new()).is_err());
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "[".repeat(100_000);
        assert!(canon(&deep).unwrap_err().message.contains("nested deeper"));
    }
}

//! The one sanitizer for untrusted text (DESIGN §6 "Untrusted text", §9
//! "never print raw control characters").
//!
//! Every string that comes from metadata — paths, key ids, step names,
//! commands, messages that quote them — goes through here before it reaches a
//! widget or a human-readable report. Control characters (C0, DEL, C1), bidi
//! controls (U+202A–202E, U+2066–2069, U+200E/F, U+061C), zero-width and other
//! invisible characters become visible escapes (`\x1b`, `\u{202e}`), so two
//! names that differ only by an invisible character never look the same
//! (Trojan Source, CVE-2021-42574). The caller learns whether anything was
//! escaped and records a `suspicious-characters` finding.
//!
//! It lives at the crate root (not in `tui/`) because the text and Markdown
//! reports need it too and may not depend on the terminal face (DESIGN §2).
//! JSON output keeps raw strings; serde_json escaping is enough there.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Why a character is escaped; used to word the finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// C0 controls, DEL and C1 controls (ESC among them).
    Control,
    /// Bidi embeddings, overrides, isolates and marks.
    Bidi,
    /// Zero-width and other invisible formatting characters.
    Invisible,
}

impl Class {
    pub fn describe(self) -> &'static str {
        match self {
            Class::Control => "control character",
            Class::Bidi => "bidi control",
            Class::Invisible => "invisible character",
        }
    }
}

/// Classifies a character that must not reach the screen as itself.
pub fn classify(c: char) -> Option<Class> {
    match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(Class::Control),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => {
            Some(Class::Bidi)
        }
        '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{206a}'..='\u{206f}'
        | '\u{feff}'
        | '\u{ad}'
        | '\u{34f}'
        | '\u{180e}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}' => Some(Class::Invisible),
        _ => None,
    }
}

/// The visible escape for a character: `\x1b` for ASCII controls, `\u{202e}`
/// for everything else.
pub fn escape(c: char) -> String {
    let mut s = String::new();
    push_escape(&mut s, c);
    s
}

fn push_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    if n < 0x80 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// True when `s` holds anything [`sanitize`] would escape.
pub fn is_suspicious(s: &str) -> bool {
    s.chars().any(|c| classify(c).is_some())
}

/// The text with every suspicious character replaced by its visible escape;
/// borrowed unchanged when there is nothing to escape.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !is_suspicious(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for piece in segments(s) {
        match piece {
            Segment::Text(t) => out.push_str(t),
            Segment::Escape(c) => push_escape(&mut out, c),
        }
    }
    Cow::Owned(out)
}

/// The result of sanitizing, with what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    pub text: String,
    /// Whether anything was escaped.
    pub escaped: bool,
    /// The classes found, in order of first appearance, without repeats.
    pub classes: Vec<Class>,
    /// The distinct escaped characters, in order of first appearance.
    pub chars: Vec<char>,
}

/// Sanitizes and reports what was escaped, so the caller can record a finding.
pub fn inspect(s: &str) -> Sanitized {
    let mut classes = Vec::new();
    let mut chars = Vec::new();
    for c in s.chars() {
        if let Some(class) = classify(c) {
            if !classes.contains(&class) {
                classes.push(class);
            }
            if !chars.contains(&c) {
                chars.push(c);
            }
        }
    }
    Sanitized { text: sanitize(s).into_owned(), escaped: !chars.is_empty(), classes, chars }
}

impl Sanitized {
    /// "a bidi control (U+202E) and a control character (U+001B)".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for class in &self.classes {
            let codes: Vec<String> = self
                .chars
                .iter()
                .filter(|c| classify(**c) == Some(*class))
                .map(|c| format!("U+{:04X}", u32::from(*c)))
                .collect();
            parts.push(format!("{} ({})", class.describe(), codes.join(", ")));
        }
        match parts.len() {
            0 => String::new(),
            1 => parts.remove(0),
            _ => {
                let last = parts.pop().unwrap_or_default();
                format!("{} and {}", parts.join(", "), last)
            }
        }
    }
}

/// A piece of sanitized text: plain text, or one character to show escaped
/// (widgets style escapes as `suspicious`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Escape(char),
}

impl Segment<'_> {
    /// The text to show for this piece.
    pub fn shown(&self) -> Cow<'_, str> {
        match self {
            Segment::Text(t) => Cow::Borrowed(t),
            Segment::Escape(c) => Cow::Owned(escape(*c)),
        }
    }
}

/// Splits `s` into runs of plain text and single characters to escape.
pub fn segments(s: &str) -> impl Iterator<Item = Segment<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let mut chars = rest.char_indices();
        let (_, first) = chars.next()?;
        if classify(first).is_some() {
            rest = &rest[first.len_utf8()..];
            return Some(Segment::Escape(first));
        }
        let end = chars.find(|(_, c)| classify(*c).is_some()).map_or(rest.len(), |(i, _)| i);
        let (text, tail) = rest.split_at(end);
        rest = tail;
        Some(Segment::Text(text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(sanitize("src/main.rs"), Cow::Borrowed("src/main.rs")));
        assert!(!inspect("päckage-ü.tar.gz").escaped);
    }

    #[test]
    fn bidi_override_and_escape_sequence_become_visible() {
        let s = inspect("ab\u{202e}cd\u{1b}[31m.tar.gz");
        assert_eq!(s.text, "ab\\u{202e}cd\\x1b[31m.tar.gz");
        assert!(s.escaped);
        assert_eq!(s.describe(), "bidi control (U+202E) and control character (U+001B)");
    }

    #[test]
    fn zero_width_and_c1_controls_are_escaped() {
        assert_eq!(sanitize("p\u{200b}q\u{85}r\u{feff}"), "p\\u{200b}q\\u{85}r\\u{feff}");
        assert_eq!(sanitize("a\u{2066}b\u{200f}c\u{61c}"), "a\\u{2066}b\\u{200f}c\\u{61c}");
        assert_eq!(sanitize("tab\there\nnl"), "tab\\x09here\\x0anl");
    }

    #[test]
    fn segments_split_text_and_escapes() {
        let parts: Vec<_> = segments("\u{202e}ab\u{1b}").collect();
        assert_eq!(parts, vec![Segment::Escape('\u{202e}'), Segment::Text("ab"), Segment::Escape('\u{1b}')]);
        assert_eq!(segments("").count(), 0);
    }
}

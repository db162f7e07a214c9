//! Parameter substitution: python's `str.format(**params)` as python in-toto
//! applies it (`verifylib.substitute_parameters`) to every rule element,
//! every `expected_command` element and every inspection `run` element.
//!
//! Supported exactly: literal text with `{{`/`}}` escapes, `{name}` keyword
//! fields, `[index]` into the (string) value, conversions `!s`/`!r`/`!a`,
//! and string format specs (`[[fill]align][width][.precision][s]`, nested
//! `{}` inside the spec). The errors are python's: an unknown name is a
//! `KeyError`, positional fields are an `IndexError`, malformed braces a
//! `ValueError`. Attribute access (`{x.upper}`) would print a python object
//! representation; it is reported as unsupported instead.

use std::collections::BTreeMap;

/// A substitution failure, named after the python exception it mirrors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("KeyError: '{0}'")]
    Key(String),
    #[error("IndexError: Replacement index {0} out of range for positional args tuple")]
    Index(usize),
    #[error("ValueError: {0}")]
    Value(String),
    #[error("unsupported format field '{0}' (attribute access)")]
    Unsupported(String),
}

/// Checks parameter names like python's `_check_parameter_dict`
/// (`^[a-zA-Z0-9_-]+$`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `template.format(**params)`.
pub fn format(template: &str, params: &BTreeMap<String, String>) -> Result<String, FormatError> {
    format_depth(template, params, 2)
}

fn format_depth(template: &str, params: &BTreeMap<String, String>, depth: u8) -> Result<String, FormatError> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::with_capacity(template.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => return Err(FormatError::Value("Single '}' encountered in format string".into())),
            '{' => {
                if depth == 0 {
                    return Err(FormatError::Value("Max string recursion exceeded".into()));
                }
                // Find the matching '}' allowing one level of nesting in the spec.
                let mut level = 1usize;
                let mut j = i + 1;
                while let Some(&d) = chars.get(j) {
                    match d {
                        '{' => level += 1,
                        '}' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    let msg = if level > 1 || chars.get(i + 1).is_none() {
                        "Single '{' encountered in format string"
                    } else {
                        "expected '}' before end of string"
                    };
                    return Err(FormatError::Value(msg.into()));
                }
                let field: String = chars.get(i + 1..j).unwrap_or(&[]).iter().collect();
                out.push_str(&replace_field(&field, params, depth)?);
                i = j + 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn replace_field(field: &str, params: &BTreeMap<String, String>, depth: u8) -> Result<String, FormatError> {
    // Split "name!conv:spec": the name ends at the first '!' or ':' outside brackets.
    let mut name_end = field.len();
    let mut in_bracket = false;
    for (idx, c) in field.char_indices() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            '!' | ':' if !in_bracket => {
                name_end = idx;
                break;
            }
            _ => {}
        }
    }
    let name = field.get(..name_end).unwrap_or("");
    let rest = field.get(name_end..).unwrap_or("");
    let (conversion, spec) = if let Some(after) = rest.strip_prefix('!') {
        let mut cs = after.chars();
        let conv = cs.next();
        let tail: String = cs.collect();
        let spec = if tail.is_empty() {
            String::new()
        } else if let Some(s) = tail.strip_prefix(':') {
            s.to_owned()
        } else {
            return Err(FormatError::Value("expected ':' after conversion specifier".into()));
        };
        match conv {
            Some(c @ ('s' | 'r' | 'a')) => (Some(c), spec),
            Some(c) => return Err(FormatError::Value(format!("Unknown conversion specifier {c}"))),
            None => {
                return Err(FormatError::Value(
                    "end of string while looking for conversion specifier".into(),
                ));
            }
        }
    } else {
        (None, rest.strip_prefix(':').unwrap_or("").to_owned())
    };
    let value = lookup(name, params)?;
    let value = match conversion {
        Some('r') => py_repr(&value, false),
        Some('a') => py_repr(&value, true),
        _ => value,
    };
    let spec = format_depth(&spec, params, depth.saturating_sub(1))?;
    apply_spec(&value, &spec)
}

fn lookup(name: &str, params: &BTreeMap<String, String>) -> Result<String, FormatError> {
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let head = name.get(..first_end).unwrap_or("");
    let mut rest = name.get(first_end..).unwrap_or("");
    let mut value = if head.is_empty() {
        return Err(FormatError::Index(0));
    } else if let Ok(n) = head.parse::<usize>() {
        return Err(FormatError::Index(n));
    } else {
        params.get(head).cloned().ok_or_else(|| FormatError::Key(head.to_owned()))?
    };
    while !rest.is_empty() {
        if rest.starts_with('.') {
            return Err(FormatError::Unsupported(name.to_owned()));
        }
        let Some(inner) = rest.strip_prefix('[') else {
            return Err(FormatError::Value(
                "Only '.' or '[' may follow ']' in format field specifier".into(),
            ));
        };
        let Some(close) = inner.find(']') else {
            return Err(FormatError::Value("Missing ']' in format string".into()));
        };
        let key = inner.get(..close).unwrap_or("");
        rest = inner.get(close + 1..).unwrap_or("");
        let Ok(idx) = key.parse::<usize>() else {
            return Err(FormatError::Value(format!("string indices must be integers, not 'str' ({key})")));
        };
        value = match value.chars().nth(idx) {
            Some(c) => c.to_string(),
            None => return Err(FormatError::Value("IndexError: string index out of range".into())),
        };
    }
    Ok(value)
}

/// Applies a python format spec to a string value.
fn apply_spec(value: &str, spec: &str) -> Result<String, FormatError> {
    if spec.is_empty() {
        return Ok(value.to_owned());
    }
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut fill = ' ';
    let mut align = '<';
    let is_align = |c: Option<&char>| matches!(c, Some('<' | '>' | '^' | '='));
    if is_align(chars.get(1)) {
        fill = chars.first().copied().unwrap_or(' ');
        align = chars.get(1).copied().unwrap_or('<');
        i = 2;
    } else if is_align(chars.first()) {
        align = chars.first().copied().unwrap_or('<');
        i = 1;
    }
    if matches!(chars.get(i), Some('+' | '-' | ' ')) {
        return Err(FormatError::Value("Sign not allowed in string format specifier".into()));
    }
    if chars.get(i) == Some(&'#') {
        return Err(FormatError::Value("Alternate form (#) not allowed in string format specifier".into()));
    }
    if chars.get(i) == Some(&'0') {
        if fill == ' ' && i == 0 {
            fill = '0';
            align = '=';
        }
        i += 1;
    }
    let width = take_number(&chars, &mut i);
    if matches!(chars.get(i), Some(',' | '_')) {
        return Err(FormatError::Value("Cannot specify ',' with 's'.".into()));
    }
    let mut precision = None;
    if chars.get(i) == Some(&'.') {
        i += 1;
        let p = take_number(&chars, &mut i);
        if p.is_none() {
            return Err(FormatError::Value("Format specifier missing precision".into()));
        }
        precision = p;
    }
    match chars.get(i) {
        None => {}
        Some('s') if i + 1 == chars.len() => {}
        Some(_) if i + 1 < chars.len() => {
            return Err(FormatError::Value("Invalid format specifier".into()));
        }
        Some(t) => {
            return Err(FormatError::Value(format!("Unknown format code '{t}' for object of type 'str'")));
        }
    }
    if align == '=' {
        return Err(FormatError::Value("'=' alignment not allowed in string format specifier".into()));
    }
    let mut text: Vec<char> = value.chars().collect();
    if let Some(p) = precision {
        text.truncate(p);
    }
    let width = width.unwrap_or(0);
    let pad = width.saturating_sub(text.len());
    let (left, right) = match align {
        '>' => (pad, 0),
        '^' => (pad / 2, pad - pad / 2),
        _ => (0, pad),
    };
    let mut out = String::new();
    out.extend(std::iter::repeat_n(fill, left));
    out.extend(text);
    out.extend(std::iter::repeat_n(fill, right));
    Ok(out)
}

fn take_number(chars: &[char], i: &mut usize) -> Option<usize> {
    let start = *i;
    let mut n: usize = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize);
        *i += 1;
    }
    // Bound widths so a hostile spec cannot allocate gigabytes.
    (*i > start).then_some(n.min(1 << 16))
}

/// python `repr(str)` (`ascii(str)` when `ascii_only`).
fn py_repr(s: &str, ascii_only: bool) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if ascii_only && !c.is_ascii() => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn substitutes_named_fields_and_escapes() {
        let params = p(&[("PROJECT", "gizmo")]);
        assert_eq!(format("{PROJECT}.tar.gz", &params).unwrap(), "gizmo.tar.gz");
        assert_eq!(format("{{literal}} {PROJECT}", &params).unwrap(), "{literal} gizmo");
        assert_eq!(format("no fields", &params).unwrap(), "no fields");
    }

    #[test]
    fn errors_follow_python() {
        let params = p(&[("a", "x")]);
        assert_eq!(format("{b}", &params), Err(FormatError::Key("b".into())));
        assert_eq!(format("*.{py,txt}", &params), Err(FormatError::Key("py,txt".into())));
        assert_eq!(format("{}", &params), Err(FormatError::Index(0)));
        assert_eq!(format("{0}", &params), Err(FormatError::Index(0)));
        assert!(matches!(format("a}b", &params), Err(FormatError::Value(_))));
        assert!(matches!(format("a{b", &params), Err(FormatError::Value(_))));
        assert!(matches!(format("{a!x}", &params), Err(FormatError::Value(_))));
        assert!(matches!(format("{a:+}", &params), Err(FormatError::Value(_))));
        assert!(matches!(format("{a:d}", &params), Err(FormatError::Value(_))));
    }

    #[test]
    fn format_specs_and_conversions() {
        let params = p(&[("a", "xy"), ("w", "5")]);
        assert_eq!(format("{a:>4}", &params).unwrap(), "  xy");
        assert_eq!(format("{a:*^6}", &params).unwrap(), "**xy**");
        assert_eq!(format("{a:.1}", &params).unwrap(), "x");
        assert_eq!(format("{a:{w}}", &params).unwrap(), "xy   ");
        assert_eq!(format("{a!r}", &params).unwrap(), "'xy'");
        assert_eq!(format("{a[1]}", &params).unwrap(), "y");
    }

    #[test]
    fn parameter_names_are_checked() {
        assert!(valid_name("wheel_name-1"));
        assert!(!valid_name("a b"));
        assert!(!valid_name(""));
    }
}

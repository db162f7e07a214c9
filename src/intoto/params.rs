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
    /// An unknown field name (the text is python's `repr` of the name).
    #[error("KeyError: {}", py_repr(.0, false))]
    Key(String),
    #[error("IndexError: Replacement index {0} out of range for positional args tuple")]
    Index(usize),
    /// `{name[i]}` past the end of the value.
    #[error("IndexError: string index out of range")]
    StrIndex,
    #[error("ValueError: {0}")]
    Value(String),
    #[error("TypeError: {0}")]
    Type(String),
    #[error("AttributeError: {0}")]
    Attribute(String),
    /// `{name.attr}` naming a real `str` attribute: python would print the
    /// representation of a method object, which has an address in it.
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
    let chars: Vec<char> = template.chars().collect();
    let mut auto = AutoNumber::Init;
    build_string(&chars, params, 2, &mut auto)
}

/// python's automatic field numbering state (`{}` against `{0}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AutoNumber {
    Init,
    Auto(usize),
    Manual,
}

/// CPython `build_string`/`do_markup` (Objects/stringlib/unicode_format.h):
/// literal text and fields in order, each field looked up and rendered
/// before the rest of the string is read, so the first error python meets
/// is the one returned.
fn build_string(
    chars: &[char],
    params: &BTreeMap<String, String>,
    depth: u8,
    auto: &mut AutoNumber,
) -> Result<String, FormatError> {
    if depth == 0 {
        return Err(FormatError::Value("Max string recursion exceeded".into()));
    }
    let mut out = String::with_capacity(chars.len());
    let mut pos = 0;
    while pos < chars.len() {
        // Literal text up to the next brace.
        let mut c = '\0';
        let mut markup = false;
        while let Some(&d) = chars.get(pos) {
            pos += 1;
            if d == '{' || d == '}' {
                c = d;
                markup = true;
                break;
            }
            out.push(d);
        }
        if !markup {
            break;
        }
        let at_end = pos >= chars.len();
        if c == '}' && (at_end || chars.get(pos) != Some(&'}')) {
            return Err(FormatError::Value("Single '}' encountered in format string".into()));
        }
        if at_end && c == '{' {
            return Err(FormatError::Value("Single '{' encountered in format string".into()));
        }
        if chars.get(pos) == Some(&c) {
            // An escaped brace.
            out.push(c);
            pos += 1;
            continue;
        }
        let field = parse_field(chars, &mut pos)?;
        out.push_str(&render(&field, chars, params, depth, auto)?);
    }
    Ok(out)
}

/// One `{name!conversion:spec}` field, as indices into the template.
struct Field {
    name: std::ops::Range<usize>,
    conversion: Option<char>,
    spec: std::ops::Range<usize>,
    spec_needs_expanding: bool,
}

/// CPython `parse_field`, from just after the opening brace.
fn parse_field(chars: &[char], pos: &mut usize) -> Result<Field, FormatError> {
    let start = *pos;
    let mut c = '\0';
    while let Some(&d) = chars.get(*pos) {
        *pos += 1;
        c = d;
        match d {
            '{' => return Err(FormatError::Value("unexpected '{' in field name".into())),
            '[' => {
                while chars.get(*pos).is_some_and(|&e| e != ']') {
                    *pos += 1;
                }
                continue;
            }
            '}' | ':' | '!' => break,
            _ => continue,
        }
    }
    let name = start..pos.saturating_sub(1).max(start);
    if c != '!' && c != ':' {
        if c != '}' || *pos > chars.len() {
            return Err(FormatError::Value("expected '}' before end of string".into()));
        }
        return Ok(Field { name, conversion: None, spec: 0..0, spec_needs_expanding: false });
    }
    let mut conversion = None;
    if c == '!' {
        let Some(&conv) = chars.get(*pos) else {
            return Err(FormatError::Value("end of string while looking for conversion specifier".into()));
        };
        *pos += 1;
        conversion = Some(conv);
        if let Some(&next) = chars.get(*pos) {
            *pos += 1;
            if next == '}' {
                return Ok(Field { name, conversion, spec: 0..0, spec_needs_expanding: false });
            }
            if next != ':' {
                return Err(FormatError::Value("expected ':' after conversion specifier".into()));
            }
        }
    }
    let spec_start = *pos;
    let mut count = 1usize;
    let mut expanding = false;
    while let Some(&d) = chars.get(*pos) {
        *pos += 1;
        match d {
            '{' => {
                expanding = true;
                count += 1;
            }
            '}' => {
                count -= 1;
                if count == 0 {
                    return Ok(Field {
                        name,
                        conversion,
                        spec: spec_start..*pos - 1,
                        spec_needs_expanding: expanding,
                    });
                }
            }
            _ => {}
        }
    }
    Err(FormatError::Value("unmatched '{' in format spec".into()))
}

/// CPython `output_markup`: look the field up, convert, expand the spec, render.
fn render(
    field: &Field,
    chars: &[char],
    params: &BTreeMap<String, String>,
    depth: u8,
    auto: &mut AutoNumber,
) -> Result<String, FormatError> {
    let name: String = chars.get(field.name.clone()).unwrap_or(&[]).iter().collect();
    let value = lookup(&name, params, auto)?;
    let value = match field.conversion {
        None | Some('s') => value,
        Some('r') => py_repr(&value, false),
        Some('a') => py_repr(&value, true),
        Some(c) if (c as u32) > 32 && (c as u32) < 127 => {
            return Err(FormatError::Value(format!("Unknown conversion specifier {c}")));
        }
        Some(c) => return Err(FormatError::Value(format!("Unknown conversion specifier \\x{:x}", c as u32))),
    };
    let spec_chars = chars.get(field.spec.clone()).unwrap_or(&[]);
    let spec = if field.spec_needs_expanding {
        build_string(spec_chars, params, depth - 1, auto)?
    } else {
        spec_chars.iter().collect()
    };
    apply_spec(&value, &spec)
}

/// python `str` attributes: `{name.attr}` on one of these yields a method
/// object; on anything else python raises `AttributeError`.
const STR_ATTRIBUTES: &[&str] = &[
    "capitalize",
    "casefold",
    "center",
    "count",
    "encode",
    "endswith",
    "expandtabs",
    "find",
    "format",
    "format_map",
    "index",
    "isalnum",
    "isalpha",
    "isascii",
    "isdecimal",
    "isdigit",
    "isidentifier",
    "islower",
    "isnumeric",
    "isprintable",
    "isspace",
    "istitle",
    "isupper",
    "join",
    "ljust",
    "lower",
    "lstrip",
    "maketrans",
    "partition",
    "removeprefix",
    "removesuffix",
    "replace",
    "rfind",
    "rindex",
    "rjust",
    "rpartition",
    "rsplit",
    "rstrip",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "translate",
    "upper",
    "zfill",
];

/// CPython `get_integer`: a decimal field name, `None` when it is not one.
fn integer(text: &str) -> Result<Option<usize>, FormatError> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    text.parse::<usize>()
        .map(Some)
        .map_err(|_| FormatError::Value("Too many decimal digits in format string".into()))
}

/// CPython `get_field_object` with only keyword arguments, all strings.
fn lookup(
    name: &str,
    params: &BTreeMap<String, String>,
    auto: &mut AutoNumber,
) -> Result<String, FormatError> {
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let head = name.get(..first_end).unwrap_or("");
    let mut rest: Vec<char> = name.get(first_end..).unwrap_or("").chars().collect();
    let index = integer(head)?;
    if head.is_empty() || index.is_some() {
        // Numbering: positional fields exist only as an IndexError here
        // (there are no positional arguments), after the mode checks.
        let n = match (*auto, head.is_empty()) {
            (AutoNumber::Init, true) | (AutoNumber::Auto(_), true) => {
                let n = match *auto {
                    AutoNumber::Auto(n) => n,
                    _ => 0,
                };
                *auto = AutoNumber::Auto(n + 1);
                n
            }
            (AutoNumber::Init, false) | (AutoNumber::Manual, false) => {
                *auto = AutoNumber::Manual;
                index.unwrap_or(0)
            }
            (AutoNumber::Manual, true) => {
                return Err(FormatError::Value(
                    "cannot switch from manual field specification to automatic field numbering".into(),
                ));
            }
            (AutoNumber::Auto(_), false) => {
                return Err(FormatError::Value(
                    "cannot switch from automatic field numbering to manual field specification".into(),
                ));
            }
        };
        return Err(FormatError::Index(n));
    }
    let mut value = params.get(head).cloned().ok_or_else(|| FormatError::Key(head.to_owned()))?;
    // CPython `FieldNameIterator_next` over the rest.
    let mut i = 0;
    while let Some(&c) = rest.get(i) {
        i += 1;
        let start = i;
        let attribute = match c {
            '.' => {
                while rest.get(i).is_some_and(|&d| d != '.' && d != '[') {
                    i += 1;
                }
                true
            }
            '[' => {
                while rest.get(i).is_some_and(|&d| d != ']') {
                    i += 1;
                }
                if rest.get(i).is_none() {
                    return Err(FormatError::Value("Missing ']' in format string".into()));
                }
                i += 1;
                false
            }
            _ => {
                return Err(FormatError::Value(
                    "Only '.' or '[' may follow ']' in format field specifier".into(),
                ));
            }
        };
        let end = if attribute { i } else { i - 1 };
        let part: String = rest.get(start..end).unwrap_or(&[]).iter().collect();
        if part.is_empty() {
            return Err(FormatError::Value("Empty attribute in format string".into()));
        }
        if attribute {
            if STR_ATTRIBUTES.contains(&part.as_str()) || part.starts_with("__") {
                return Err(FormatError::Unsupported(name.to_owned()));
            }
            return Err(FormatError::Attribute(format!(
                "'str' object has no attribute {}",
                py_repr(&part, false)
            )));
        }
        value = match integer(&part)? {
            Some(idx) => value.chars().nth(idx).map(String::from).ok_or(FormatError::StrIndex)?,
            None => return Err(FormatError::Type("string indices must be integers, not 'str'".into())),
        };
    }
    rest.clear();
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

    /// Each template against python 3's `str.format(a="xy", w="5")`: the
    /// result, or the exception as `Type: message`.
    #[test]
    fn templates_format_or_fail_exactly_as_python() {
        let params = p(&[("a", "xy"), ("w", "5")]);
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("{UNDEFINED}", Err("KeyError: 'UNDEFINED'")),
            ("a}b", Err("ValueError: Single '}' encountered in format string")),
            ("a{b", Err("ValueError: expected '}' before end of string")),
            ("{a{b}", Err("ValueError: unexpected '{' in field name")),
            ("{a[}", Err("ValueError: expected '}' before end of string")),
            ("{a.b}", Err("AttributeError: 'str' object has no attribute 'b'")),
            ("{0}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("{}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("{a!x}", Err("ValueError: Unknown conversion specifier x")),
            ("{a:>q}", Err("ValueError: Unknown format code 'q' for object of type 'str'")),
            ("{a{}}", Err("ValueError: unexpected '{' in field name")),
            ("{a}", Ok("xy")),
            ("{}{0}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("{a}{}{0}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("{UNDEF}}", Err("KeyError: 'UNDEF'")),
            ("}{UNDEF}", Err("ValueError: Single '}' encountered in format string")),
            ("{a[0]}", Ok("x")),
            ("{a[9]}", Err("IndexError: string index out of range")),
            ("{a[x]}", Err("TypeError: string indices must be integers, not 'str'")),
            ("{a]x}", Err("KeyError: 'a]x'")),
            ("{a[0]x}", Err("ValueError: Only '.' or '[' may follow ']' in format field specifier")),
            ("{a.}", Err("ValueError: Empty attribute in format string")),
            ("{a!}", Err("ValueError: unmatched '{' in format spec")),
            ("{a!r", Err("ValueError: unmatched '{' in format spec")),
            ("{a:{b}}", Err("KeyError: 'b'")),
            ("{a:{w}}", Ok("xy   ")),
            ("{a:{w:{w}}}", Err("ValueError: Max string recursion exceeded")),
            ("x{{y}}z{a!r:>6}", Ok("x{y}z  'xy'")),
            ("{a:", Err("ValueError: unmatched '{' in format spec")),
            ("{", Err("ValueError: Single '{' encountered in format string")),
            ("}", Err("ValueError: Single '}' encountered in format string")),
            ("{ab", Err("ValueError: expected '}' before end of string")),
            ("{'q'}", Err("KeyError: \"'q'\"")),
            ("{0[0]}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("*.{py,txt}", Err("KeyError: 'py,txt'")),
            ("{a!r}}", Err("ValueError: Single '}' encountered in format string")),
            ("{a:{}}", Err("IndexError: Replacement index 0 out of range for positional args tuple")),
            ("{a:*^7.1}", Ok("***x***")),
            ("{a!a}", Ok("'xy'")),
        ];
        for (template, want) in cases {
            let got = format(template, &params).map_err(|e| e.to_string());
            assert_eq!(got.as_deref().map_err(String::as_str), *want, "{template}");
        }
        // A real str attribute would print a method object: not reproduced.
        assert!(matches!(format("{a.upper}", &params), Err(FormatError::Unsupported(_))));
    }

    #[test]
    fn parameter_names_are_checked() {
        assert!(valid_name("wheel_name-1"));
        assert!(!valid_name("a b"));
        assert!(!valid_name(""));
    }
}

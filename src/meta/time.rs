//! Metadata times: RFC 3339, as the TUF and in-toto specifications write
//! them (`YYYY-MM-DDTHH:MM:SSZ`), and leniently the forms seen in real roots
//! (fractional seconds, numeric offsets) — with a record that the form was
//! not the spec's, so the caller can turn it into a finding.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A parsed metadata time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaTime {
    pub at: OffsetDateTime,
    /// True when written exactly `YYYY-MM-DDTHH:MM:SSZ`.
    pub spec_form: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\" is not an RFC 3339 date-time")]
pub struct TimeError {
    pub text: String,
}

/// Parses a metadata time, accepting any RFC 3339 form.
pub fn parse(text: &str) -> Result<MetaTime, TimeError> {
    let err = || TimeError { text: text.chars().take(64).collect() };
    // The `time` parser accepts lower-case `t`/`z`; RFC 3339 allows them, the specs do not.
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| err())?;
    Ok(MetaTime { at, spec_form: is_spec_form(text) })
}

/// `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$` — the only form python-tuf and
/// python in-toto accept.
pub fn is_spec_form(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Formats a time in the spec form (UTC, whole seconds).
pub fn format(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// Now, truncated to whole seconds (metadata times have no fractions).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_form_is_recognised() {
        let t = parse("2030-01-01T00:00:00Z").unwrap();
        assert!(t.spec_form);
        assert_eq!(format(t.at), "2030-01-01T00:00:00Z");
    }

    #[test]
    fn sigstore_v1_forms_parse_but_are_flagged() {
        let a = parse("2021-12-18T13:28:12.99008-06:00").unwrap();
        assert!(!a.spec_form);
        assert_eq!(format(a.at), "2021-12-18T19:28:12Z");
        let b = parse("2022-05-11T19:09:02.663975009Z").unwrap();
        assert!(!b.spec_form);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("tomorrow").is_err());
        assert!(parse("2030-13-01T00:00:00Z").is_err());
        assert!(parse("").is_err());
    }
}

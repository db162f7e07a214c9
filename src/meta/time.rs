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
    let (year, month, day) = utc.to_calendar_date();
    let (hour, minute, second) = utc.to_hms();
    // Years of four digits written digit by digit: an attestation document
    // holds seven times, and `format!` with six padded fields took ~2,600
    // instructions a time (0.36% of verifying a generated bundle).
    match u16::try_from(year) {
        Ok(year) if year <= 9999 => {
            let mut text = *b"0000-00-00T00:00:00Z";
            let fields = [(0, 4, year), (5, 2, u8::from(month).into()), (8, 2, day.into())];
            let times = [(11, 2, hour.into()), (14, 2, minute.into()), (17, 2, second.into())];
            for (start, width, mut n) in fields.into_iter().chain(times) {
                for digit in text[start..start + width].iter_mut().rev() {
                    *digit = b'0' + (n % 10) as u8;
                    n /= 10;
                }
            }
            text.iter().copied().map(char::from).collect()
        }
        _ => format_any(utc),
    }
}

/// [`format`] for any year `time` holds (±999,999 with its large-dates feature).
fn format_any(utc: OffsetDateTime) -> String {
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

    /// The digits written by hand are `format!`'s, across the years the
    /// fast path takes, its edges and the times of day.
    #[test]
    fn format_writes_what_format_any_writes() {
        let mut at = time::macros::datetime!(0000-01-01 00:00:00 UTC) - time::Duration::days(400);
        let step = time::Duration::seconds(86_400 * 97 + 3_671 * 7 + 13);
        let mut checked = 0;
        loop {
            assert_eq!(format(at), format_any(at), "{at}");
            checked += 1;
            match at.checked_add(step) {
                Some(next) => at = next,
                None => break,
            }
        }
        assert!(checked > 10_000);
        let edges = [
            time::macros::datetime!(0000-01-01 00:00:00 UTC),
            time::macros::datetime!(9999-12-31 23:59:59 UTC),
            time::macros::datetime!(2026-06-01 11:59:09 UTC),
            time::macros::datetime!(2024-02-29 12:34:56.789 +05:30),
        ];
        for at in edges {
            assert_eq!(format(at), format_any(at.to_offset(time::UtcOffset::UTC)), "{at}");
        }
        assert_eq!(format(edges[3]), "2024-02-29T07:04:56Z");
        assert_eq!(format(edges[0] - time::Duration::SECOND), "-001-12-31T23:59:59Z");
    }

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

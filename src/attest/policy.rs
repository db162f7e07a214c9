//! What the verifier requires of a signer and an attestation: the
//! certificate identity (exact or an anchored regular expression), the OIDC
//! issuer, and for provenance the source repository, ref, builder and
//! predicate type.

use regex::Regex;

#[derive(Debug, Clone)]
pub enum IdentityRule {
    Exact(String),
    Regexp(Regex),
}

impl IdentityRule {
    /// An anchored expression (`^(?:RE)$`), as cosign and sigstore-go match.
    pub fn regexp(re: &str) -> Result<Self, String> {
        Regex::new(&format!("^(?:{re})$"))
            .map(Self::Regexp)
            .map_err(|e| format!("invalid identity regexp: {e}"))
    }

    pub fn matches(&self, san: &str) -> bool {
        match self {
            Self::Exact(e) => e == san,
            Self::Regexp(r) => r.is_match(san),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Exact(e) => e.clone(),
            Self::Regexp(r) => {
                let s = r.as_str();
                format!("matching {}", s.strip_prefix("^(?:").and_then(|s| s.strip_suffix(")$")).unwrap_or(s))
            }
        }
    }
}

/// The policy `attest verify` applies.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub identity: Option<IdentityRule>,
    /// Exact, or an anchored expression (an absent issuer is matched as the empty string).
    pub issuer: Option<IdentityRule>,
    pub source_repository: Option<String>,
    pub source_ref: Option<String>,
    pub builder_id: Option<String>,
    pub predicate_type: Option<String>,
}

/// Repository URLs compare without a scheme, `git+` or a trailing `.git`/`/`.
pub fn same_repository(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        let s = s.strip_prefix("git+").unwrap_or(s);
        let s = s.split_once("://").map_or(s, |(_, r)| r);
        s.trim_end_matches('/').trim_end_matches(".git").to_ascii_lowercase()
    }
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexps_are_anchored() {
        let r = IdentityRule::regexp("https://github.com/o/.*").unwrap();
        assert!(r.matches("https://github.com/o/r/.github/workflows/a.yml@refs/heads/main"));
        assert!(!r.matches("evil https://github.com/o/r"));
        assert!(same_repository("https://github.com/O/r.git", "github.com/o/r"));
    }
}

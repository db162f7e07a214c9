//! The artifact rule grammar (in-toto spec §4.3.3; python `rulelib.unpack_rule`).
//!
//! ```text
//! CREATE|DELETE|MODIFY|ALLOW|DISALLOW|REQUIRE <pattern>
//! MATCH <pattern> [IN <source-prefix>] WITH (MATERIALS|PRODUCTS) [IN <dest-prefix>] FROM <step>
//! ```
//! Keywords are case-insensitive; patterns, prefixes and step names keep
//! their case. The destination step is not checked to exist.

use std::fmt;

/// Which artifact set of a link a MATCH rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactType {
    Materials,
    Products,
}

impl ArtifactType {
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactType::Materials => "materials",
            ArtifactType::Products => "products",
        }
    }
}

/// A parsed artifact rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactRule {
    Create(String),
    Delete(String),
    Modify(String),
    Allow(String),
    Disallow(String),
    Require(String),
    Match(MatchRule),
}

/// `MATCH <pattern> [IN <source_prefix>] WITH <dest_type> [IN <dest_prefix>] FROM <dest_name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRule {
    pub pattern: String,
    /// Empty when absent, like python.
    pub source_prefix: String,
    pub dest_type: ArtifactType,
    /// Empty when absent, like python.
    pub dest_prefix: String,
    pub dest_name: String,
}

/// Why a rule could not be parsed; the texts follow python's `FormatError`s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "wrong rule format: rules must start with one of CREATE, DELETE, MODIFY, ALLOW, DISALLOW, REQUIRE, MATCH and give a pattern as second element; got {0}"
    )]
    UnknownType(String),
    #[error("wrong rule format: generic rules have the form <TYPE> <pattern>; got {0}")]
    Generic(String),
    #[error(
        "wrong rule format: match rules have the form MATCH <pattern> [IN <source-path-prefix>] WITH (MATERIALS|PRODUCTS) [IN <destination-path-prefix>] FROM <step>; got {0}"
    )]
    Match(String),
    #[error(
        "wrong rule format: match rules need MATERIALS or PRODUCTS (case insensitive) as destination; got {0}"
    )]
    DestType(String),
}

/// Renders a rule list element-wise like python's `repr` of a list, for messages.
fn show(rule: &[String]) -> String {
    let parts: Vec<String> = rule.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", parts.join(", "))
}

impl ArtifactRule {
    /// Parses one rule (`unpack_rule`).
    pub fn parse(rule: &[String]) -> Result<Self, RuleError> {
        let lower: Vec<String> = rule.iter().map(|s| s.to_lowercase()).collect();
        let kw = |i: usize| lower.get(i).map(String::as_str).unwrap_or("");
        let el = |i: usize| rule.get(i).cloned().unwrap_or_default();
        if rule.len() < 2 {
            return Err(RuleError::UnknownType(show(rule)));
        }
        let pattern = el(1);
        let generic = |make: fn(String) -> ArtifactRule| {
            if rule.len() == 2 { Ok(make(pattern.clone())) } else { Err(RuleError::Generic(show(rule))) }
        };
        match kw(0) {
            "create" => generic(ArtifactRule::Create),
            "delete" => generic(ArtifactRule::Delete),
            "modify" => generic(ArtifactRule::Modify),
            "allow" => generic(ArtifactRule::Allow),
            "disallow" => generic(ArtifactRule::Disallow),
            "require" => generic(ArtifactRule::Require),
            "match" => {
                let (source_prefix, dest_type, dest_prefix, dest_name) = match rule.len() {
                    10 if kw(2) == "in" && kw(4) == "with" && kw(6) == "in" && kw(8) == "from" => {
                        (el(3), kw(5), el(7), el(9))
                    }
                    8 if kw(2) == "in" && kw(4) == "with" && kw(6) == "from" => {
                        (el(3), kw(5), String::new(), el(7))
                    }
                    8 if kw(2) == "with" && kw(4) == "in" && kw(6) == "from" => {
                        (String::new(), kw(3), el(5), el(7))
                    }
                    6 if kw(2) == "with" && kw(4) == "from" => (String::new(), kw(3), String::new(), el(5)),
                    _ => return Err(RuleError::Match(show(rule))),
                };
                let dest_type = match dest_type {
                    "materials" => ArtifactType::Materials,
                    "products" => ArtifactType::Products,
                    _ => return Err(RuleError::DestType(show(rule))),
                };
                Ok(ArtifactRule::Match(MatchRule {
                    pattern,
                    source_prefix,
                    dest_type,
                    dest_prefix,
                    dest_name,
                }))
            }
            _ => Err(RuleError::UnknownType(show(rule))),
        }
    }

    /// The rule's pattern (for REQUIRE: the literal artifact name).
    pub fn pattern(&self) -> &str {
        match self {
            ArtifactRule::Create(p)
            | ArtifactRule::Delete(p)
            | ArtifactRule::Modify(p)
            | ArtifactRule::Allow(p)
            | ArtifactRule::Disallow(p)
            | ArtifactRule::Require(p) => p,
            ArtifactRule::Match(m) => &m.pattern,
        }
    }

    /// The upper-case keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            ArtifactRule::Create(_) => "CREATE",
            ArtifactRule::Delete(_) => "DELETE",
            ArtifactRule::Modify(_) => "MODIFY",
            ArtifactRule::Allow(_) => "ALLOW",
            ArtifactRule::Disallow(_) => "DISALLOW",
            ArtifactRule::Require(_) => "REQUIRE",
            ArtifactRule::Match(_) => "MATCH",
        }
    }

    /// Whether this is `DISALLOW *`.
    pub fn is_disallow_all(&self) -> bool {
        matches!(self, ArtifactRule::Disallow(p) if p == "*")
    }
}

/// The normalized text: upper-case keywords, elements joined by one space
/// (the form the corpus uses in `expect.rule`).
impl fmt::Display for ArtifactRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactRule::Match(m) => {
                write!(f, "MATCH {}", m.pattern)?;
                if !m.source_prefix.is_empty() {
                    write!(f, " IN {}", m.source_prefix)?;
                }
                write!(f, " WITH {}", m.dest_type.as_str().to_uppercase())?;
                if !m.dest_prefix.is_empty() {
                    write!(f, " IN {}", m.dest_prefix)?;
                }
                write!(f, " FROM {}", m.dest_name)
            }
            other => write!(f, "{} {}", other.keyword(), other.pattern()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn generic_rules_parse_case_insensitively() {
        assert_eq!(ArtifactRule::parse(&r(&["create", "foo"])).unwrap(), ArtifactRule::Create("foo".into()));
        assert_eq!(ArtifactRule::parse(&r(&["DisAllow", "*"])).unwrap().to_string(), "DISALLOW *");
    }

    #[test]
    fn match_forms() {
        let m = ArtifactRule::parse(&r(&[
            "match", "*", "in", "src", "with", "Products", "in", "dst", "from", "build",
        ]))
        .unwrap();
        assert_eq!(m.to_string(), "MATCH * IN src WITH PRODUCTS IN dst FROM build");
        let m = ArtifactRule::parse(&r(&["MATCH", "a", "WITH", "MATERIALS", "FROM", "s"])).unwrap();
        assert_eq!(m.to_string(), "MATCH a WITH MATERIALS FROM s");
        let m =
            ArtifactRule::parse(&r(&["MATCH", "a", "WITH", "MATERIALS", "IN", "p", "FROM", "s"])).unwrap();
        assert_eq!(m.to_string(), "MATCH a WITH MATERIALS IN p FROM s");
    }

    #[test]
    fn malformed_rules_are_errors() {
        assert!(matches!(ArtifactRule::parse(&r(&["CREATE"])), Err(RuleError::UnknownType(_))));
        assert!(matches!(ArtifactRule::parse(&r(&["COPY", "x"])), Err(RuleError::UnknownType(_))));
        assert!(matches!(ArtifactRule::parse(&r(&["ALLOW", "x", "y"])), Err(RuleError::Generic(_))));
        assert!(matches!(
            ArtifactRule::parse(&r(&["MATCH", "x", "WITH", "P", "FROM"])),
            Err(RuleError::Match(_))
        ));
        assert!(matches!(
            ArtifactRule::parse(&r(&["MATCH", "x", "WITH", "THINGS", "FROM", "s"])),
            Err(RuleError::DestType(_))
        ));
        assert!(ArtifactRule::parse(&[]).is_err());
    }
}

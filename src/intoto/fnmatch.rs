//! Artifact patterns with the semantics of python's `fnmatch` module, which
//! python in-toto uses for every artifact rule (`rulelib`/`verifylib`).
//!
//! What that means (python 3 `fnmatch.translate`, on POSIX where
//! `os.path.normcase` is the identity):
//! - `*` matches any run of characters, **including `/`** and leading dots;
//! - `?` matches exactly one character (also `/`);
//! - `[seq]` and `[!seq]` are character classes with `a-z` ranges; a `]`
//!   right after `[` or `[!` is literal; a `[` without a closing `]` is a
//!   literal `[`; ranges whose ends are reversed are dropped like python does;
//! - there is no escape character, no `**` and no brace expansion;
//! - matching is case-sensitive and over the whole name.

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    Any,
    Star,
    Class(Class),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    /// Inclusive ranges; a single character is `(c, c)`.
    ranges: Vec<(char, char)>,
    /// Python raises `re.error` for such a class ("bad character range");
    /// we never match instead of failing.
    invalid: bool,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        if self.invalid {
            return false;
        }
        let hit = self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        hit != self.negated
    }
}

impl Pattern {
    /// Compiles `pattern` the way `fnmatch.translate` does. Never fails:
    /// every string is a pattern.
    pub fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => tokens.push(Token::Any),
                '[' => match parse_class(&chars, i) {
                    Some((class, next)) => {
                        tokens.push(Token::Class(class));
                        i = next;
                    }
                    None => tokens.push(Token::Literal('[')),
                },
                other => tokens.push(Token::Literal(other)),
            }
        }
        Self { tokens }
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        if let [Token::Star] = self.tokens.as_slice() {
            return true;
        }
        if name.is_ascii() {
            // Artifact paths are nearly always ASCII: match on bytes, no allocation.
            let bytes = name.as_bytes();
            self.matches_units(bytes.len(), |i| bytes.get(i).map(|&b| char::from(b)))
        } else {
            let chars: Vec<char> = name.chars().collect();
            self.matches_units(chars.len(), |i| chars.get(i).copied())
        }
    }

    fn matches_units(&self, len: usize, char_at: impl Fn(usize) -> Option<char>) -> bool {
        // Iterative glob matching with one backtrack point per star: linear
        // in practice, O(n·m) worst case, never exponential.
        let (mut t, mut n) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        loop {
            if let Some(tok) = self.tokens.get(t) {
                match tok {
                    Token::Star => {
                        star = Some((t, n));
                        t += 1;
                        continue;
                    }
                    _ => {
                        if let Some(c) = char_at(n)
                            && single_matches(tok, c)
                        {
                            t += 1;
                            n += 1;
                            continue;
                        }
                    }
                }
            } else if n == len {
                return true;
            }
            // Mismatch (or pattern exhausted with input left): backtrack.
            match star {
                Some((st, sn)) if sn < len => {
                    star = Some((st, sn + 1));
                    t = st + 1;
                    n = sn + 1;
                }
                _ => return false,
            }
        }
    }
}

fn single_matches(tok: &Token, c: char) -> bool {
    match tok {
        Token::Literal(l) => *l == c,
        Token::Any => true,
        Token::Class(class) => class.matches(c),
        Token::Star => true,
    }
}

/// Parses a class whose `[` is just before `start`. Returns the class and
/// the index after its `]`, or `None` when there is no closing `]` (then the
/// `[` is a literal).
fn parse_class(chars: &[char], start: usize) -> Option<(Class, usize)> {
    let mut j = start;
    if chars.get(j) == Some(&'!') {
        j += 1;
    }
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    while chars.get(j).is_some_and(|&c| c != ']') {
        j += 1;
    }
    if j >= chars.len() {
        return None;
    }
    let mut body = chars.get(start..j)?;
    let negated = body.first() == Some(&'!');
    if negated {
        body = body.get(1..).unwrap_or(&[]);
    }
    Some((build_class(body, negated), j + 1))
}

/// Splits the class body into chunks at range hyphens exactly like
/// `fnmatch.translate` and turns the result into ranges.
fn build_class(body: &[char], negated: bool) -> Class {
    let mut chunks: Vec<Vec<char>> = Vec::new();
    if body.contains(&'-') {
        let mut i = 0usize;
        let mut k = 1usize;
        loop {
            let found = (k..body.len()).find(|&p| body.get(p) == Some(&'-'));
            let Some(p) = found else { break };
            chunks.push(body.get(i..p).unwrap_or(&[]).to_vec());
            i = p + 1;
            k = p + 3;
        }
        let last = body.get(i..).unwrap_or(&[]).to_vec();
        if last.is_empty() {
            if let Some(prev) = chunks.last_mut() {
                prev.push('-');
            }
        } else {
            chunks.push(last);
        }
        // Remove empty ranges (reversed ends), from the back like python.
        let mut k = chunks.len();
        while k > 1 {
            k -= 1;
            let prev_last = chunks.get(k - 1).and_then(|c| c.last()).copied();
            let cur_first = chunks.get(k).and_then(|c| c.first()).copied();
            if let (Some(a), Some(b)) = (prev_last, cur_first)
                && a > b
            {
                let cur = chunks.remove(k);
                if let Some(prev) = chunks.get_mut(k - 1) {
                    prev.pop();
                    prev.extend(cur.iter().skip(1));
                }
            }
        }
    } else {
        chunks.push(body.to_vec());
    }
    // Emit the regex items: chunk characters are literals, and the last
    // character of one chunk with the first of the next forms a range.
    let mut items: Vec<Item> = Vec::new();
    for (n, chunk) in chunks.iter().enumerate() {
        if n > 0 {
            items.push(Item::RangeSep);
        }
        items.extend(chunk.iter().map(|&c| Item::Char(c)));
    }
    let mut ranges = Vec::new();
    let mut invalid = false;
    let mut idx = 0;
    while let Some(item) = items.get(idx) {
        match (item, items.get(idx + 1), items.get(idx + 2)) {
            (Item::Char(a), Some(Item::RangeSep), Some(Item::Char(b))) => {
                if a > b {
                    invalid = true;
                }
                ranges.push((*a, *b));
                idx += 3;
            }
            (Item::Char(a), _, _) => {
                ranges.push((*a, *a));
                idx += 1;
            }
            (Item::RangeSep, _, _) => {
                ranges.push(('-', '-'));
                idx += 1;
            }
        }
    }
    if ranges.is_empty() && !negated {
        // `(?!)`: never matches.
        return Class { negated: false, ranges, invalid: true };
    }
    Class { negated, ranges, invalid }
}

#[derive(Debug, Clone, Copy)]
enum Item {
    Char(char),
    RangeSep,
}

/// `fnmatch.filter`: the names that match `pattern`, in input order.
pub fn filter<'a, I>(names: I, pattern: &Pattern) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    names.into_iter().filter(|n| pattern.matches(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        Pattern::new(p).matches(n)
    }

    #[test]
    fn star_crosses_slashes_and_dots() {
        assert!(m("*", "a/b/.c"));
        assert!(m("*.py", "src/pkg/x.py"));
        assert!(m("src/*", "src/a/b"));
        assert!(!m("src/*", "lib/a"));
        assert!(m("*", ""));
        assert!(m("a*b*c", "aXbYbc"));
        assert!(!m("a*b*c", "aXbYb"));
    }

    #[test]
    fn question_mark_is_one_char() {
        assert!(m("a?c", "a/c"));
        assert!(!m("a?c", "ac"));
        assert!(m("??", "éx"));
    }

    #[test]
    fn classes_and_negation() {
        assert!(m("[ab].txt", "a.txt"));
        assert!(!m("[ab].txt", "c.txt"));
        assert!(m("[!ab].txt", "c.txt"));
        assert!(!m("[!ab].txt", "a.txt"));
        assert!(m("[a-c]", "b"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[^a]", "^"));
        assert!(m("[a-]", "-"));
        assert!(m("[-a]", "-"));
    }

    #[test]
    fn unclosed_bracket_is_literal() {
        assert!(m("a[b", "a[b"));
        assert!(!m("a[b", "ab"));
    }

    #[test]
    fn reversed_ranges_are_dropped_like_python() {
        assert!(!m("[z-a]", "m"));
        assert!(m("[!z-a]", "m"));
        assert!(m("[z-ab]", "b"));
        assert!(!m("[z-ab]", "z"));
    }

    #[test]
    fn backslash_is_literal_and_case_sensitive() {
        assert!(m("a\\*", "a\\xyz"));
        assert!(!m("A", "a"));
    }

    #[test]
    fn many_stars_do_not_explode() {
        let p = "*a*a*a*a*a*a*a*a*a*a*a*b";
        let name = "a".repeat(5000);
        assert!(!m(p, &name));
    }
}

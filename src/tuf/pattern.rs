//! Which delegated role is responsible for a target path (TUF spec §"delegations":
//! PATHPATTERN, `path_hash_prefixes`; TAP 15 succinct hash bins).
//!
//! Patterns are matched the way python-tuf's `DelegatedRole.is_delegated_path`
//! does: pattern and path are split on `/`, the number of segments must be
//! equal, and each pair is matched with shell-style wildcards (`fnmatch`):
//! `*`, `?`, `[seq]`, `[!seq]`, case-sensitive. So `*` never crosses `/`.

use crate::crypto::digest::sha256_hex;

/// True when `path` matches `pattern` segment by segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pats = pattern.split('/');
    let mut segs = path.split('/');
    loop {
        match (pats.next(), segs.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) => {
                if !fnmatch(p, s) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// True when the lower-case hex SHA-256 of the UTF-8 `path` starts with `prefix`.
pub fn hash_prefix_matches(prefix: &str, path_hash_hex: &str) -> bool {
    path_hash_hex.starts_with(prefix)
}

/// The hex SHA-256 of a target path, as `path_hash_prefixes` compare it.
pub fn path_hash(path: &str) -> String {
    sha256_hex(path.as_bytes())
}

/// One element of a compiled segment pattern.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class { negated: bool, items: Vec<(char, char)> },
    Never,
}

/// Shell-style match of one segment, as Python's `fnmatch.fnmatchcase`.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let toks = compile(pattern);
    let name: Vec<char> = name.chars().collect();
    // dp[j]: the first i tokens match name[..j].
    let mut dp = vec![false; name.len() + 1];
    dp[0] = true;
    for tok in &toks {
        let mut next = vec![false; name.len() + 1];
        match tok {
            Tok::Star => {
                let mut any = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    any = any || dp.get(j).copied().unwrap_or(false);
                    *slot = any;
                }
            }
            _ => {
                for j in 0..name.len() {
                    let reachable = dp.get(j).copied().unwrap_or(false);
                    if reachable
                        && name.get(j).is_some_and(|&c| tok_matches(tok, c))
                        && let Some(slot) = next.get_mut(j + 1)
                    {
                        *slot = true;
                    }
                }
            }
        }
        dp = next;
    }
    dp.last().copied().unwrap_or(false)
}

fn tok_matches(tok: &Tok, c: char) -> bool {
    match tok {
        Tok::Lit(l) => *l == c,
        Tok::Any => true,
        Tok::Star => true,
        Tok::Never => false,
        Tok::Class { negated, items } => {
            let inside = items.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            inside != *negated
        }
    }
}

fn compile(pattern: &str) -> Vec<Tok> {
    let pat: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&c) = pat.get(i) {
        i += 1;
        match c {
            '*' => {
                if toks.last() != Some(&Tok::Star) {
                    toks.push(Tok::Star);
                }
            }
            '?' => toks.push(Tok::Any),
            '[' => match class_end(&pat, i) {
                None => toks.push(Tok::Lit('[')),
                Some(j) => {
                    toks.push(compile_class(pat.get(i..j).unwrap_or_default()));
                    i = j + 1;
                }
            },
            other => toks.push(Tok::Lit(other)),
        }
    }
    toks
}

/// Index of the `]` closing a set that starts at `i` (just after `[`).
fn class_end(pat: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if pat.get(j) == Some(&'!') {
        j += 1;
    }
    if pat.get(j) == Some(&']') {
        j += 1;
    }
    while pat.get(j).is_some_and(|&c| c != ']') {
        j += 1;
    }
    (j < pat.len()).then_some(j)
}

/// A `[...]` set body, split into ranges the way CPython's `fnmatch.translate`
/// does (hyphens after the first character form ranges; empty ranges vanish).
fn compile_class(body: &[char]) -> Tok {
    let mut chunks: Vec<Vec<char>> = Vec::new();
    if body.contains(&'-') {
        let mut start = 0;
        let mut k = if body.first() == Some(&'!') { 2 } else { 1 };
        while let Some(off) = body.get(k..).and_then(|rest| rest.iter().position(|&c| c == '-')) {
            let at = k + off;
            chunks.push(body.get(start..at).unwrap_or_default().to_vec());
            start = at + 1;
            k = at + 3;
        }
        let last = body.get(start..).unwrap_or_default().to_vec();
        if last.is_empty() {
            if let Some(prev) = chunks.last_mut() {
                prev.push('-');
            }
        } else {
            chunks.push(last);
        }
        // Remove empty ranges (lo > hi), as CPython does.
        let mut k = chunks.len().saturating_sub(1);
        while k > 0 {
            let lo = chunks.get(k - 1).and_then(|c| c.last()).copied();
            let hi = chunks.get(k).and_then(|c| c.first()).copied();
            match (lo, hi) {
                (Some(lo), Some(hi)) if lo > hi => {
                    let tail: Vec<char> = chunks.remove(k).into_iter().skip(1).collect();
                    if let Some(prev) = chunks.get_mut(k - 1) {
                        prev.pop();
                        prev.extend(tail);
                    }
                }
                (Some(_), Some(_)) => {}
                _ => return Tok::Never,
            }
            k -= 1;
        }
    } else {
        chunks.push(body.to_vec());
    }
    let total: usize = chunks.iter().map(Vec::len).sum::<usize>() + chunks.len().saturating_sub(1);
    if total == 0 {
        return Tok::Never;
    }
    let negated = chunks.first().and_then(|c| c.first()) == Some(&'!');
    let mut items = Vec::new();
    let n = chunks.len();
    for (ci, chunk) in chunks.iter().enumerate() {
        for (p, &ch) in chunk.iter().enumerate() {
            if ci == 0 && p == 0 && negated {
                continue;
            }
            if ci > 0 && p == 0 {
                continue; // the upper end of the range begun by the previous chunk
            }
            if ci + 1 < n && p + 1 == chunk.len() {
                let hi = chunks.get(ci + 1).and_then(|c| c.first()).copied().unwrap_or(ch);
                items.push((ch, hi));
            } else {
                items.push((ch, ch));
            }
        }
    }
    Tok::Class { negated, items }
}

/// A TAP 15 succinct hash-bin delegation: `2^bit_length` bins named
/// `{name_prefix}-{index as zero-padded lower-case hex}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bins {
    pub bit_length: u32,
    pub name_prefix: String,
}

impl Bins {
    /// Number of bins (bit_length is 1..=32, so this fits in u64).
    pub fn count(&self) -> u64 {
        1u64 << self.bit_length.min(32)
    }

    /// Width of the hex suffix: the length of `hex(count - 1)`.
    pub fn suffix_len(&self) -> usize {
        hex_digits(self.count() - 1)
    }

    /// Name of bin `index`. Written by hand, not with `format!`: an audit
    /// names every bin (16,384) on one core before the first is read.
    pub fn name(&self, index: u64) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let width = self.suffix_len().max(hex_digits(index));
        let mut name = String::with_capacity(self.name_prefix.len() + 1 + width);
        name.push_str(&self.name_prefix);
        name.push('-');
        for digit in (0..width).rev() {
            name.push(char::from(HEX[((index >> (4 * digit)) & 0xf) as usize]));
        }
        name
    }

    /// The bin responsible for `path`: the top `bit_length` bits of SHA-256(path).
    pub fn bin_for(&self, path: &str) -> u64 {
        let digest = crate::crypto::digest::digest(crate::crypto::digest::HashAlg::Sha256, path.as_bytes());
        let mut first = [0u8; 4];
        for (dst, src) in first.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        u64::from(u32::from_be_bytes(first)) >> (32 - self.bit_length.clamp(1, 32))
    }

    /// The role name responsible for `path`.
    pub fn role_for(&self, path: &str) -> String {
        self.name(self.bin_for(path))
    }

    /// Whether `role` names one of these bins (python-tuf `is_delegated_role`).
    pub fn contains(&self, role: &str) -> bool {
        let Some(suffix) = role.strip_prefix(&self.name_prefix).and_then(|r| r.strip_prefix('-')) else {
            return false;
        };
        suffix.len() == self.suffix_len() && u64::from_str_radix(suffix, 16).is_ok_and(|n| n < self.count())
    }
}

/// How many lower-case hex digits `n` takes (`0` takes one).
fn hex_digits(n: u64) -> usize {
    (64 - n.leading_zeros() as usize).div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_names_are_formats_zero_padded_hex() {
        for bit_length in [1, 2, 3, 4, 5, 8, 13, 14, 16, 31, 32] {
            let bins = Bins { bit_length, name_prefix: "bins".into() };
            let width = format!("{:x}", bins.count() - 1).len();
            assert_eq!(bins.suffix_len(), width, "bit_length {bit_length}");
            let last = bins.count() - 1;
            for index in [0, 1, 9, 10, 15, 16, 255, 256, last / 2, last, last + 1, u64::MAX] {
                assert_eq!(bins.name(index), format!("bins-{index:0width$x}"), "{bit_length} {index}");
            }
        }
        assert_eq!(hex_digits(0), 1);
        assert_eq!(Bins { bit_length: 0, name_prefix: String::new() }.name(0), "-0");
    }

    #[test]
    fn star_never_matches_separator() {
        assert!(path_matches("targets/*.tgz", "targets/foo.tgz"));
        assert!(!path_matches("targets/*.tgz", "targets/a/b.tgz"));
        assert!(!path_matches("*", "a/b"));
        assert!(path_matches("*", ""));
        assert!(path_matches("releases/*/*", "releases/x/x_v1"));
        assert!(!path_matches("releases/*/*", "releases/x"));
    }

    #[test]
    fn question_mark_and_sets() {
        assert!(path_matches("foo-version-?.tgz", "foo-version-2.tgz"));
        assert!(!path_matches("foo-version-?.tgz", "foo-version-alpha.tgz"));
        assert!(fnmatch("[0-9]x", "7x"));
        assert!(!fnmatch("[0-9]x", "ax"));
        assert!(fnmatch("[!0-9]x", "ax"));
        assert!(fnmatch("[]]", "]"));
        assert!(fnmatch("[a-]", "-"));
        assert!(fnmatch("[", "["));
        assert!(!fnmatch("[z-a]", "m"));
        assert!(fnmatch("[!]", "!") || !fnmatch("[!]", "x"));
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert!(path_matches("README.md", "README.md"));
        assert!(!path_matches("README.md", "README.MD"));
    }

    #[test]
    fn many_stars_do_not_explode() {
        let pat = "*a".repeat(200);
        let name = "a".repeat(150);
        assert!(!fnmatch(&pat, &name));
    }

    #[test]
    fn succinct_bin_names() {
        let b = Bins { bit_length: 8, name_prefix: "bins".into() };
        assert_eq!(b.name(0), "bins-00");
        assert_eq!(b.name(255), "bins-ff");
        let b = Bins { bit_length: 10, name_prefix: "bins".into() };
        assert_eq!(b.name(3), "bins-003");
        assert!(b.contains("bins-3ff"));
        assert!(!b.contains("bins-400"));
        assert!(!b.contains("bins-03"));
    }
}

//! The category registry (`src/verdict/category.rs`) against the code: every
//! category a finding can carry is listed, with a meaning for `explain`.

mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use trailscope::verdict::category::*;

    #[test]
    fn ids_are_unique_and_kebab_case_and_entries_are_filled_in() {
        let mut seen = BTreeSet::new();
        for c in CATEGORIES {
            assert!(seen.insert(c.id), "{} listed twice", c.id);
            assert!(c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{}", c.id);
            for (what, text) in
                [("summary", c.summary), ("produced_by", c.produced_by), ("look_at", c.look_at)]
            {
                assert!(text.ends_with('.') || text.ends_with(')'), "{} {what} is a sentence", c.id);
            }
        }
    }

    #[test]
    fn every_tuf_category_is_listed() {
        for c in trailscope::tuf::Category::ALL {
            let info = find(c.as_str()).unwrap_or_else(|| panic!("{c} missing from CATEGORIES"));
            assert_eq!(info.vocabulary, Vocabulary::Tuf, "{c}");
        }
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    /// The code without its `#[cfg(test)]` module (test findings use
    /// made-up categories).
    fn production(text: &str) -> &str {
        text.find("#[cfg(test)]\nmod tests").map_or(text, |i| &text[..i])
    }

    /// `const NAME: &str = "value";` anywhere in the code: name → values.
    fn str_consts(files: &[(PathBuf, String)]) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, text) in files {
            for line in text.lines() {
                let line = line.trim();
                let Some(rest) = line.strip_prefix("pub const ").or_else(|| line.strip_prefix("const "))
                else {
                    continue;
                };
                let Some((name, rest)) = rest.split_once(": &str = \"") else { continue };
                let Some((value, _)) = rest.split_once('"') else { continue };
                out.entry(name.to_owned()).or_default().insert(value.to_owned());
            }
        }
        out
    }

    /// The constants declared inside `mod category { … }`, `mod warning { … }`
    /// and `mod note { … }`: the vocabularies as the code declares them.
    fn vocabulary_modules(files: &[(PathBuf, String)]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (_, text) in files {
            for m in ["mod category {", "mod warning {", "mod note {"] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(m) {
                    let body = &rest[i + m.len()..];
                    let end = body.find("\n}").unwrap_or(body.len());
                    for (_, v) in str_consts(&[(PathBuf::new(), body[..end].to_owned())]) {
                        out.extend(v);
                    }
                    rest = &body[end..];
                }
            }
        }
        out
    }

    /// The first argument of a call whose `(` ends `text[..]`, up to the
    /// top-level comma.
    fn first_argument(text: &str) -> &str {
        let mut depth = 0i32;
        let mut in_str = false;
        let mut prev = ' ';
        for (i, c) in text.char_indices() {
            match c {
                '"' if prev != '\\' => in_str = !in_str,
                '(' | '[' | '{' if !in_str => depth += 1,
                ')' | ']' | '}' if !in_str => {
                    if depth == 0 {
                        return text[..i].trim();
                    }
                    depth -= 1;
                }
                ',' if !in_str && depth == 0 => return text[..i].trim(),
                _ => {}
            }
            prev = c;
        }
        text.trim()
    }

    /// Every category the code can put on a finding must be in the table:
    /// the constants of the vocabulary modules, `tuf::Category`, and the
    /// first argument of every `Finding::error/warning/info` call — a string
    /// literal, a constant (resolved by name), or one of the few variables
    /// listed here with where their values come from.
    #[test]
    fn every_category_the_code_can_produce_is_in_the_table() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        rust_files(&root, &mut paths);
        let files: Vec<(PathBuf, String)> = paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, production(&text).to_owned())
            })
            .collect();
        let consts = str_consts(&files);

        // Variables holding a category at a call site, and what they hold.
        let dynamic: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::from([
            // in-toto checks: `cat` is one of the in-toto vocabulary's constants.
            (("intoto/checks.rs", "cat"), vocabulary_modules(&files).into_iter().collect()),
            // A parameter substitution error: `intoto::stages::SubstitutionError::category`.
            (("intoto/verify.rs", "e.category()"), vec!["error-other".to_owned()]),
            // TUF: a `tuf::Category`.
            (("tuf/report.rs", "t.category.as_str()"), tuf_words()),
            (("tuf/report.rs", "e.category.as_str()"), tuf_words()),
            (("bridge/fetch.rs", "t.category.as_str()"), tuf_words()),
            (("bridge/fetch.rs", "e.category.as_str()"), tuf_words()),
            // The product binding's two categories.
            (
                ("bridge/binding.rs", "category"),
                vec![
                    trailscope::bridge::binding::PRODUCT_MISSING.to_owned(),
                    trailscope::bridge::binding::PRODUCT_HASH_MISMATCH.to_owned(),
                ],
            ),
            // The custom-metadata stage: `custom::category` constants.
            (("bridge/run.rs", "category"), vocabulary_modules(&files).into_iter().collect()),
        ]);

        let mut produced: BTreeMap<String, String> = BTreeMap::new();
        for v in vocabulary_modules(&files) {
            produced.insert(v, "a category/warning/note module".into());
        }
        for w in tuf_words() {
            produced.insert(w, "tuf::Category".into());
        }
        let mut sites = 0;
        for (path, text) in &files {
            let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            if rel == "findings.rs" {
                continue;
            }
            for call in ["Finding::error(", "Finding::warning(", "Finding::info(", "Finding::new("] {
                for (i, _) in text.match_indices(call) {
                    sites += 1;
                    let mut args = &text[i + call.len()..];
                    if call == "Finding::new(" {
                        // The severity comes first.
                        let severity = first_argument(args);
                        args = &args[args.find(severity).unwrap_or(0) + severity.len()..];
                        args = args.trim_start().strip_prefix(',').unwrap_or(args);
                    }
                    let arg = first_argument(args);
                    let values: Vec<String> = if let Some(lit) = arg.strip_prefix('"') {
                        vec![lit.trim_end_matches('"').to_owned()]
                    } else if let Some(v) = dynamic.get(&(rel.as_str(), arg)) {
                        v.clone()
                    } else {
                        let name = arg.rsplit("::").next().unwrap_or(arg);
                        let v = consts.get(name).unwrap_or_else(|| {
                            panic!(
                                "{rel}: a finding's category comes from `{arg}`; list what it can hold in this \
                                 test and in src/verdict/category.rs"
                            )
                        });
                        v.iter().cloned().collect()
                    };
                    for v in values {
                        produced.insert(v, format!("{rel}: {arg}"));
                    }
                }
            }
        }
        assert!(sites > 40, "found only {sites} Finding::… call sites; is the scan still working?");
        let missing: Vec<String> = produced
            .iter()
            .filter(|(id, _)| find(id).is_none())
            .map(|(id, from)| format!("{id} (from {from})"))
            .collect();
        assert!(missing.is_empty(), "categories missing from src/verdict/category.rs: {missing:#?}");
        // And the constants the code names directly.
        for c in
            [trailscope::verdict::category::SUSPICIOUS_CHARACTERS, trailscope::intoto::category::PASS, "ok"]
        {
            assert!(find(c).is_some(), "{c}");
        }
    }

    fn tuf_words() -> Vec<String> {
        trailscope::tuf::Category::ALL.iter().map(|c| c.as_str().to_owned()).collect()
    }
}

//! The evidence of stage 8, threshold agreement (python in-toto
//! `verify_threshold_constraints`): when a step's links must agree and two
//! do not, which artifacts differ and their digests in each link. The
//! reference link (python's first link of the step) is "expected", the
//! link that differs from it "actual" (see `verdict::Evidence`).

use super::model::{Artifacts, Link};
use crate::verdict::{ArtifactDigests, DigestSource, Evidence, LinkDisagreement};

/// One side of the comparison: the link file, the key id that signed it,
/// and the link as read.
pub struct Side<'a> {
    pub file: &'a str,
    pub keyid: &'a str,
    pub link: &'a Link,
}

impl Side<'_> {
    fn source(&self, label: &str) -> DigestSource {
        DigestSource::new(label).in_file(self.file).signed_by_key(self.keyid)
    }
}

/// The evidence for two links of `step` that record different artifacts;
/// `None` when they record the same ones.
pub fn disagreement(step: &str, expected: &Side<'_>, actual: &Side<'_>) -> Option<Evidence> {
    let mut artifacts = Vec::new();
    let mut count = 0;
    for (section, e, a) in [
        ("materials", &expected.link.materials, &actual.link.materials),
        ("products", &expected.link.products, &actual.link.products),
    ] {
        if e == a {
            continue;
        }
        for d in differences(section, e, a) {
            count += 1;
            if artifacts.len() < LinkDisagreement::LIST_LIMIT {
                artifacts.push(d);
            }
        }
    }
    (count > 0).then(|| {
        Evidence::LinkDisagreement(LinkDisagreement {
            step: step.to_owned(),
            expected: expected.source("the step's first link"),
            actual: actual.source("another link of the step"),
            artifacts,
            artifacts_count: count,
        })
    })
}

/// The artifacts of one section whose digests differ (or that only one link lists), by path.
fn differences<'a>(
    section: &'a str,
    e: &'a Artifacts,
    a: &'a Artifacts,
) -> impl Iterator<Item = ArtifactDigests> + 'a {
    let only_actual = a.keys().filter(|k| !e.contains_key(*k));
    let mut paths: Vec<&String> = e.keys().chain(only_actual).collect();
    paths.sort();
    paths.into_iter().filter_map(move |path| {
        let (de, da) = (e.get(path), a.get(path));
        (de != da).then(|| ArtifactDigests {
            section: section.to_owned(),
            path: path.clone(),
            expected: de.map(|d| d.to_value()),
            actual: da.map(|d| d.to_value()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intoto::model::HashDict;
    use std::sync::Arc;

    fn link(products: &[(&str, &str)]) -> Link {
        let mut l = Link::empty(Some("compile".into()));
        let mut p = Artifacts::new();
        for (path, hex) in products {
            p.insert((*path).to_owned(), [("sha256", *hex)].into_iter().collect::<HashDict>());
        }
        l.products = Arc::new(p);
        l
    }

    #[test]
    fn differing_and_one_sided_artifacts_carry_both_digests() {
        let a = link(&[("dist/app", "aa"), ("same", "11"), ("only-a", "22")]);
        let b = link(&[("dist/app", "bb"), ("same", "11"), ("only-b", "33")]);
        let ev = disagreement(
            "compile",
            &Side { file: "compile.aaaa.link", keyid: "aaaa", link: &a },
            &Side { file: "compile.bbbb.link", keyid: "bbbb", link: &b },
        )
        .unwrap();
        let Evidence::LinkDisagreement(d) = ev else { panic!("{ev:?}") };
        assert_eq!(d.artifacts_count, 3);
        let paths: Vec<&str> = d.artifacts.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["dist/app", "only-a", "only-b"]);
        let app = &d.artifacts[0];
        assert_eq!(app.section, "products");
        assert_eq!(app.expected, Some(serde_json::json!({"sha256": "aa"})));
        assert_eq!(app.actual, Some(serde_json::json!({"sha256": "bb"})));
        assert_eq!(d.artifacts[1].actual, None);
        assert_eq!(d.expected.describe(), "the step's first link (compile.aaaa.link, signed by key aaaa)");
    }

    #[test]
    fn equal_links_have_no_disagreement() {
        let a = link(&[("x", "aa")]);
        let side = Side { file: "f", keyid: "k", link: &a };
        assert!(disagreement("s", &side, &side).is_none());
    }
}

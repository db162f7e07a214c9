//! What two links of one step disagree on (stage 8, threshold agreement:
//! python in-toto `verify_threshold_constraints`): which artifacts differ and
//! their digests in each link, for [`super::stages::threshold_constraints`]
//! to report and the verdict to turn into evidence. The reference link
//! (python's first link of the step) is "expected", the link that differs
//! from it "actual" (see `verdict::Evidence`).

use super::model::{Artifacts, Link};
use crate::verdict::{ArtifactDigests, DigestSource, Evidence, LinkDisagreement};

/// The artifacts two links disagree on, sorted by section then path: at
/// most [`LinkDisagreement::LIST_LIMIT`] of them (links can list 100k), and
/// how many there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Differing {
    pub artifacts: Vec<ArtifactDigests>,
    pub count: usize,
}

/// What `other` records differently from `first` (empty when they agree).
pub fn differing(first: &Link, other: &Link) -> Differing {
    let mut out = Differing::default();
    for (section, e, a) in
        [("materials", &first.materials, &other.materials), ("products", &first.products, &other.products)]
    {
        if e == a {
            continue;
        }
        for d in differences(section, e, a) {
            out.count += 1;
            if out.artifacts.len() < LinkDisagreement::LIST_LIMIT {
                out.artifacts.push(d);
            }
        }
    }
    out
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

/// The evidence for two links of `step` that disagree: each link as (file
/// name, key id that signed it), the first one expected.
pub fn evidence(step: &str, first: (&str, &str), other: (&str, &str), differing: Differing) -> Evidence {
    let side = |label: &str, (file, keyid): (&str, &str)| {
        DigestSource::new(label).in_file(file).signed_by_key(keyid)
    };
    Evidence::LinkDisagreement(LinkDisagreement {
        step: step.to_owned(),
        expected: side("the step's first link", first),
        actual: side("another link of the step", other),
        artifacts: differing.artifacts,
        artifacts_count: differing.count,
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
        let d = differing(&a, &b);
        assert_eq!(d.count, 3);
        let paths: Vec<&str> = d.artifacts.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["dist/app", "only-a", "only-b"]);
        let app = &d.artifacts[0];
        assert_eq!(app.section, "products");
        assert_eq!(app.expected, Some(serde_json::json!({"sha256": "aa"})));
        assert_eq!(app.actual, Some(serde_json::json!({"sha256": "bb"})));
        assert_eq!(d.artifacts[1].actual, None);
        let Evidence::LinkDisagreement(ev) =
            evidence("compile", ("compile.aaaa.link", "aaaa"), ("compile.bbbb.link", "bbbb"), d)
        else {
            panic!("not a disagreement")
        };
        assert_eq!(ev.artifacts_count, 3);
        assert_eq!(ev.expected.describe(), "the step's first link (compile.aaaa.link, signed by key aaaa)");
    }

    #[test]
    fn equal_links_have_nothing_differing() {
        let a = link(&[("x", "aa")]);
        assert_eq!(differing(&a, &a), Differing::default());
    }

    #[test]
    fn the_evidence_keeps_at_most_the_list_limit_and_counts_all() {
        let many: Vec<(String, String)> = (0..LinkDisagreement::LIST_LIMIT + 5)
            .map(|i| (format!("f{i:04}"), format!("{i:064x}")))
            .collect();
        let pairs: Vec<(&str, &str)> = many.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
        let d = differing(&link(&pairs), &link(&[]));
        assert_eq!(d.count, LinkDisagreement::LIST_LIMIT + 5);
        assert_eq!(d.artifacts.len(), LinkDisagreement::LIST_LIMIT);
    }
}

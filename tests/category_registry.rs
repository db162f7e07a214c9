//! The category registry (`src/verdict/category.rs`). A finding's category
//! is a `Category`, which only the registry makes, so the compiler already
//! guarantees that every category the code can produce is listed; these
//! tests check what the type cannot: the entries themselves, the mapping of
//! the TUF workflow's categories, and how categories cross the JSON boundary.

use std::collections::BTreeSet;

use trailscope::verdict::category::{self, CATEGORIES, Category, Vocabulary};
use trailscope::verdict::{Document, Finding, Kind, Subject};

#[test]
fn ids_are_unique_and_kebab_case_and_entries_are_filled_in() {
    let mut seen = BTreeSet::new();
    for c in CATEGORIES {
        let info = c.info();
        assert!(seen.insert(c.id()), "{c} listed twice");
        assert!(c.id().chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{c}");
        for (what, text) in
            [("summary", info.summary), ("produced_by", info.produced_by), ("look_at", info.look_at)]
        {
            assert!(text.ends_with('.') || text.ends_with(')'), "{c} {what} is a sentence");
        }
        assert_eq!(Category::from_id(c.id()), Some(*c));
    }
    assert!(CATEGORIES.len() > 50, "the registry lost its entries");
}

#[test]
fn every_tuf_workflow_category_is_a_tuf_entry() {
    for c in trailscope::tuf::Category::ALL {
        let v = c.verdict();
        assert_eq!(v.id(), c.as_str());
        assert_eq!(v.info().vocabulary, Vocabulary::Tuf, "{c}");
    }
}

#[test]
fn the_verifiers_constants_are_registry_entries() {
    use trailscope::intoto::{category as ic, warning as iw};
    assert_eq!(ic::RULE_DISALLOW, category::RULE_DISALLOW);
    assert_eq!(ic::RULE_DISALLOW.info().vocabulary, Vocabulary::InToto);
    assert_eq!(iw::NO_FINAL_DISALLOW.id(), "rules-without-final-disallow");
    assert_eq!(trailscope::bridge::binding::PRODUCT_HASH_MISMATCH.info().vocabulary, Vocabulary::Bridge);
}

#[test]
fn a_category_crosses_json_as_its_id_and_an_unknown_one_is_refused() {
    let f = Finding::error(category::LINK_THRESHOLD, Subject::Step { name: "build".into() }, "m");
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(v["category"], "link-threshold");
    let back: Finding = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, f);

    let doc =
        Document::new(Kind::InToto, time::OffsetDateTime::UNIX_EPOCH, vec![f], category::LINK_THRESHOLD);
    let mut json = doc.to_value();
    assert_eq!(Document::from_value(&json).unwrap(), doc);
    json["findings"][0]["category"] = "made-up-category".into();
    let err = Document::from_value(&json).unwrap_err();
    assert!(err.contains("made-up-category") && err.contains("not a category"), "{err}");
}

#[test]
fn explain_knows_every_entry() {
    for c in CATEGORIES {
        assert_eq!(category::find(c.id()).map(|i| i.id), Some(c.id()));
        assert!(!category::summary(c.id()).starts_with("(not a category"), "{c}");
    }
    assert!(category::similar("rollback-attack").contains(&"rollback"));
}

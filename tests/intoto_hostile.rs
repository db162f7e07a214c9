//! Hostile input never panics: malformed layouts and links become findings
//! (or `Err` for unreadable files), patterns and format strings of any shape
//! are handled.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use trailscope::intoto::fnmatch::Pattern;
use trailscope::intoto::{category, params};

#[test]
fn odd_layouts_become_findings() {
    let w = World::new();
    let odd: Vec<Value> = vec![
        json!(null),
        json!([]),
        json!({"_type": "layout"}),
        json!({"_type": "layout", "steps": {}, "inspect": []}),
        json!({"_type": "layout", "steps": [1], "inspect": []}),
        json!({"_type": "layout", "steps": [{"name": "a", "threshold": -5}], "inspect": []}),
        json!({"_type": "layout", "steps": [{"name": "a", "threshold": 9_000_000_000_000_000_000u64}], "inspect": []}),
        json!({"_type": "layout", "steps": [{"name": "a", "threshold": 0}], "inspect": []}),
        json!({"_type": "layout", "steps": [{"name": "a", "pubkeys": ["zz"]}], "inspect": []}),
        json!({"_type": "layout", "steps": [{"name": "", "expected_products": [[]]}], "inspect": []}),
        json!({"_type": "layout", "keys": {"ab": {"keyid": "ab"}}, "steps": [], "inspect": []}),
        json!({"_type": "layout", "expires": "9999-99-99T99:99:99Z", "steps": [], "inspect": []}),
        json!({"_type": "layout", "steps": [], "inspect": [{"name": "i", "run": [1, {}]}]}),
        json!({"_type": "link", "name": "x"}),
    ];
    for (i, signed) in odd.iter().enumerate() {
        let s = Scene::new();
        s.write("root.layout", &metablock(signed, &[&w.owner]));
        let mut opts = s.options(&w.owner);
        opts.run_inspections = true;
        opts.params = Some(Default::default());
        let o = trailscope::intoto::verify(&opts).unwrap();
        assert!(!o.category.is_empty(), "case {i}");
    }
    let s = Scene::new();
    s.write_raw("root.layout", &b"[".repeat(100_000));
    assert_eq!(s.verify(&w.owner).category, category::METADATA_INVALID);
}

#[test]
fn odd_links_become_findings() {
    let w = World::new();
    let s = w.scene();
    let path = format!("links/build.{}.link", w.a.short());
    for bytes in [
        &b""[..],
        b"\xff\xfe",
        b"{\"signed\": {\"_type\": \"link\", \"materials\": {\"a\": {\"sha256\": 5}}}, \"signatures\": []}",
        b"{\"payload\": \"!!!\", \"payloadType\": \"application/vnd.in-toto+json\", \"signatures\": []}",
        b"{\"signed\": {\"_type\": \"layout\", \"steps\": [], \"inspect\": []}, \"signatures\": [{\"keyid\": \"x\", \"sig\": \"zz\"}]}",
    ] {
        s.write_raw(&path, bytes);
        let o = s.verify(&w.owner);
        assert_ne!(o.category, category::PASS);
    }
}

proptest! {
    #[test]
    fn any_pattern_and_name_match_without_panicking(p in "[a-c*?!\\[\\]^\\-/.]{0,12}", n in "[a-c/.\\-\\]]{0,12}") {
        let _ = Pattern::new(&p).matches(&n);
    }

    #[test]
    fn any_format_string_formats_or_errors(t in "[a-z{}!:<>^.0-9\\[\\]]{0,16}") {
        let map = [("a".to_string(), "xyz".to_string())].into_iter().collect();
        let _ = params::format(&t, &map);
    }
}

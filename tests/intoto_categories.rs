//! One small fixture per finding category of `trailscope verify`: the
//! reference categories (corpus vocabulary) and our warning categories.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::json;
use trailscope::intoto::{category, verify, warning};
use trailscope::verdict::Verdict;
use trailscope::verdict::{Finding, Severity};

#[test]
fn consistent_chain_passes() {
    let o = World::new().scene().verify(&World::new().owner);
    assert_eq!(o.verdict, Verdict::Pass, "{:?}", o.findings);
    assert_eq!(o.category, category::PASS);
    assert!(o.failure.is_none());
    assert!(o.findings.iter().all(|f| f.severity != Severity::Error));
}

#[test]
fn wrong_layout_key_is_layout_signature() {
    let w = World::new();
    let o = w.scene().verify(&w.a);
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    assert!(o.findings[0].message.starts_with("No signature found for key"));
}

#[test]
fn tampered_layout_is_layout_signature() {
    let w = World::new();
    let s = w.scene();
    let mut signed = metablock(&w.layout, &[&w.owner]);
    signed["signed"]["readme"] = json!("changed after signing");
    s.write("root.layout", &signed);
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    assert!(o.findings[0].message.starts_with("Invalid signature for keyid"));
}

#[test]
fn layout_expiring_at_evaluation_time_is_expired() {
    let mut w = World::new();
    w.layout["expires"] = json!(NOW);
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::LAYOUT_EXPIRED);
}

#[test]
fn malformed_link_is_metadata_invalid() {
    let w = World::new();
    let s = w.scene();
    s.write_raw(&format!("links/package.{}.link", w.b.short()), b"{\"signed\": ");
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::METADATA_INVALID);
    assert_eq!(o.failure.unwrap().step.as_deref(), Some("package"));
}

#[test]
fn malformed_layout_is_metadata_invalid() {
    let w = World::new();
    let s = w.scene();
    let mut bad = w.layout.clone();
    bad["steps"][0]["expected_products"] = json!([["COPY", "x"]]);
    s.layout(&bad, &w.owner);
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::METADATA_INVALID);
}

#[test]
fn missing_link_is_link_missing() {
    let w = World::new();
    let s = w.scene();
    std::fs::remove_file(s.path(&format!("links/package.{}.link", w.b.short()))).unwrap();
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LINK_MISSING);
    assert_eq!(o.failure.unwrap().step.as_deref(), Some("package"));
}

#[test]
fn link_by_wrong_functionary_under_authorized_name_is_link_threshold() {
    let w = World::new();
    let s = w.scene();
    s.write(&format!("links/package.{}.link", w.b.short()), &metablock(&w.package, &[&w.a]));
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LINK_THRESHOLD);
}

#[test]
fn disagreeing_links_are_link_disagreement() {
    let mut w = World::new();
    w.layout["steps"][0]["pubkeys"] = json!([w.a.keyid, w.b.keyid]);
    w.layout["steps"][0]["threshold"] = json!(2);
    let s = w.scene();
    let mut other = w.build.clone();
    other["products"]["out/app"]["sha256"] = json!("ff");
    s.link("build", &w.b, &other);
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LINK_DISAGREEMENT);
}

#[test]
fn match_hash_mismatch_is_rule_disallow_with_both_hashes_in_text() {
    let mut w = World::new();
    w.package["materials"]["out/app"]["sha256"] = json!("0bad");
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::RULE_DISALLOW);
    let f = o.failure.clone().unwrap();
    assert_eq!(
        (f.step.as_deref(), f.rule.as_deref(), f.artifact.as_deref()),
        (Some("package"), Some("DISALLOW *"), Some("out/app"))
    );
    let text = trailscope::report::text_intoto::render(&o);
    assert!(text.contains("sha256:0bad"), "{text}");
    assert!(text.contains("sha256:bb"), "{text}");
    assert!(text.contains("materials of 'package'"), "{text}");
    assert!(text.contains("expected from 'build'"), "{text}");
}

#[test]
fn missing_required_artifact_is_rule_require() {
    let mut w = World::new();
    w.layout["steps"][1]["expected_products"] = json!([["REQUIRE", "app.sbom"], ["ALLOW", "*"]]);
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::RULE_REQUIRE);
    assert_eq!(o.failure.unwrap().artifact.as_deref(), Some("app.sbom"));
}

#[test]
fn every_failing_rule_is_reported_but_the_first_decides() {
    let mut w = World::new();
    w.layout["steps"][0]["expected_products"] = json!([["DISALLOW", "out/*"], ["REQUIRE", "nothing"]]);
    w.layout["steps"][1]["expected_products"] = json!([["DISALLOW", "app.tar"]]);
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::RULE_DISALLOW);
    assert_eq!(o.failure.unwrap().step.as_deref(), Some("build"));
    let errors: Vec<_> =
        o.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.category.as_str()).collect();
    assert_eq!(errors, vec!["rule-disallow", "rule-require", "rule-disallow"]);
}

#[test]
fn failing_inspection_is_inspection_failed() {
    let mut w = World::new();
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "check", "run": ["sh", "-c", "exit 7"],
        "expected_materials": [], "expected_products": []}]);
    let s = w.scene();
    let mut opts = s.options(&w.owner);
    opts.run_inspections = true;
    let o = verify(&opts).unwrap();
    assert_eq!(o.category, category::INSPECTION_FAILED);
    assert!(o.findings.iter().any(|f| f.message.contains("Got non-zero return value '7'")));
}

#[test]
fn inspection_runs_in_a_scratch_copy_and_its_rules_apply() {
    let mut w = World::new();
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "make-file", "run": ["sh", "-c", "echo x > new.txt"],
        "expected_materials": [["ALLOW", "input.txt"], ["DISALLOW", "*"]],
        "expected_products": [["ALLOW", "input.txt"], ["DISALLOW", "*"]]}]);
    let s = w.scene();
    s.write_raw("work/input.txt", b"in");
    let mut opts = s.options(&w.owner);
    opts.run_inspections = true;
    let o = verify(&opts).unwrap();
    assert_eq!(o.category, category::RULE_DISALLOW);
    assert_eq!(o.failure.clone().unwrap().artifact.as_deref(), Some("new.txt"));
    assert!(!s.path("work/new.txt").exists(), "the work directory itself is never written");
    assert!(has(&o, "inspection-run"));
}

#[test]
fn unknown_parameter_is_metadata_invalid() {
    let mut w = World::new();
    w.layout["steps"][1]["expected_products"] =
        json!([["CREATE", "{NAME}.tar"], ["ALLOW", "out/app"], ["DISALLOW", "*"]]);
    let s = w.scene();
    let mut opts = s.options(&w.owner);
    opts.params = Some(BTreeMap::new());
    let o = verify(&opts).unwrap();
    assert_eq!(o.category, category::METADATA_INVALID);
    assert!(o.findings.iter().any(|f| f.message.contains("KeyError: 'NAME'")));
    opts.params = Some(BTreeMap::from([("NAME".to_string(), "app".to_string())]));
    assert_eq!(verify(&opts).unwrap().category, category::PASS);
}

#[test]
fn command_mismatch_is_a_warning() {
    let mut w = World::new();
    w.layout["steps"][0]["expected_command"] = json!(["make"]);
    let s = w.scene();
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::COMMAND_MISMATCH));
    let mut opts = s.options(&w.owner);
    opts.strict = true;
    let strict = verify(&opts).unwrap();
    assert_eq!(strict.verdict, Verdict::Fail);
    assert_eq!(strict.category, warning::COMMAND_MISMATCH);
}

#[test]
fn link_name_mismatch_is_a_warning() {
    let mut w = World::new();
    w.build["name"] = json!("something-else");
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::LINK_NAME_MISMATCH));
}

#[test]
fn keyid_not_matching_its_key_is_a_warning() {
    let mut w = World::new();
    let alias = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
    w.layout["keys"][alias] = w.a.dict.clone();
    w.layout["steps"][0]["pubkeys"] = json!([alias]);
    let s = w.scene();
    s.link("build", &w.a, &w.build);
    std::fs::rename(
        s.path(&format!("links/build.{}.link", w.a.short())),
        s.path("links/build.abcdef01.link"),
    )
    .unwrap();
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::PASS, "{:?}", o.findings);
    assert!(has(&o, &warning::KEYID_MISMATCH));
}

#[test]
fn rule_list_without_final_disallow_is_a_warning() {
    let mut w = World::new();
    w.layout["steps"][1]["expected_products"] = json!([["CREATE", "app.tar"]]);
    let o = w.scene().verify(&w.owner);
    assert!(has(&o, &warning::NO_FINAL_DISALLOW));
}

#[test]
fn rule_that_consumed_nothing_is_a_warning() {
    let mut w = World::new();
    w.layout["steps"][1]["expected_products"] =
        json!([["ALLOW", "nothing-here"], ["ALLOW", "*"], ["DISALLOW", "*"]]);
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::RULE_CONSUMED_NOTHING));
}

#[test]
fn control_characters_in_paths_are_a_warning() {
    let mut w = World::new();
    w.package["products"]["evil\u{202e}rat.exe"] = json!({"sha256": "dd"});
    w.layout["steps"][1]["expected_products"] = json!([["ALLOW", "*"]]);
    let o = w.scene().verify(&w.owner);
    assert!(has(&o, &warning::SUSPICIOUS_PATH));
    let text = trailscope::report::text_intoto::render(&o);
    assert!(!text.contains('\u{202e}'), "text output never prints raw bidi characters");
}

#[test]
fn inspections_are_not_run_unless_asked_and_then_nothing_verifies() {
    let mut w = World::new();
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "boom", "run": ["sh", "-c", "touch ran; exit 1"],
        "expected_materials": [], "expected_products": []}]);
    let s = w.scene();
    let o = s.verify(&w.owner);
    assert_eq!((o.verdict, o.category), (Verdict::Fail, category::INSPECTION_NOT_RUN));
    assert_eq!(o.failure.as_ref().and_then(|f| f.step.as_deref()), Some("boom"));
    assert!(!s.path("work/ran").exists());
    assert!(o.layout.inspections[0].not_evaluated.is_some());
    assert!(o.layout.inspections[0].execution.is_none());
    // --skip-inspections: accepted, with a warning saying so (never an error, not even strict).
    let mut opts = s.options(&w.owner);
    opts.skip_inspections = true;
    opts.strict = true;
    let o = trailscope::intoto::verify(&opts).unwrap();
    assert_eq!((o.verdict, o.category), (Verdict::Pass, category::PASS));
    let f = o.findings.iter().find(|f| f.category == warning::INSPECTIONS_SKIPPED).unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.starts_with("inspections skipped"), "{}", f.message);
    assert!(!s.path("work/ran").exists());
}

/// Without running anything, the first inspection's materials are the work
/// directory's files: its expected_materials are checked against them.
#[test]
fn the_first_inspections_material_rules_are_checked_on_the_hashed_workdir() {
    let mut w = World::new();
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "unpack", "run": ["false"],
        "expected_materials": [["MATCH", "app.tar", "WITH", "PRODUCTS", "FROM", "package"], ["DISALLOW", "*"]],
        "expected_products": [["DISALLOW", "*"]]}]);
    let s = w.scene();
    // app.tar's sha256 is not the package step's "cc": the swapped package.
    s.write_raw("work/app.tar", b"swapped");
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::RULE_DISALLOW);
    let f = o.failure.clone().unwrap();
    assert_eq!(
        (f.step.as_deref(), f.rule.as_deref(), f.artifact.as_deref()),
        (Some("unpack"), Some("DISALLOW *"), Some("app.tar"))
    );
    // The not-run finding is still there, listed after what was checked.
    let last_error = o.findings.iter().rev().find(|f| f.severity == Severity::Error).unwrap();
    assert_eq!(last_error.category, category::INSPECTION_NOT_RUN);
    let insp = &o.layout.inspections[0];
    assert!(insp.materials.is_some() && insp.products.is_none() && insp.execution.is_none());
    // A file no rule allows fails the same way; an allowed one leaves only "not run".
    std::fs::remove_file(s.path("work/app.tar")).unwrap();
    s.write_raw("work/stray", b"x");
    assert_eq!(s.verify(&w.owner).category, category::RULE_DISALLOW);
    std::fs::remove_file(s.path("work/stray")).unwrap();
    s.write_raw("work/notes.link", b"excluded like python's *.link* pattern");
    assert_eq!(s.verify(&w.owner).category, category::INSPECTION_NOT_RUN);
}

/// What cannot be known without running: a later inspection's materials (an
/// earlier one may have changed the directory), and rules that MATCH
/// against an inspection's link.
#[test]
fn rules_that_depend_on_inspections_not_run_are_not_evaluated() {
    let mut w = World::new();
    let disallow = json!([["DISALLOW", "*"]]);
    w.layout["inspect"] = json!([
        {"_type": "inspection", "name": "first", "run": ["true"],
         "expected_materials": [["MATCH", "*", "WITH", "PRODUCTS", "FROM", "second"], ["DISALLOW", "*"]],
         "expected_products": disallow},
        {"_type": "inspection", "name": "second", "run": ["true"],
         "expected_materials": disallow, "expected_products": disallow}]);
    let s = w.scene();
    s.write_raw("work/file", b"x");
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::INSPECTION_NOT_RUN);
    assert!(o.layout.inspections.iter().all(|i| i.materials.is_none()));
    let not_run: Vec<&Finding> =
        o.findings.iter().filter(|f| f.category == category::INSPECTION_NOT_RUN).collect();
    assert_eq!(not_run.len(), 2);
    assert!(
        not_run[0].message.contains("2 inspections not run: 'first', 'second'"),
        "{}",
        not_run[0].message
    );
}

/// A failure of a check that was performed decides the category, even when
/// an inspection (of a sublayout, say) was not run before it.
#[test]
fn a_step_rule_failure_decides_over_an_inspection_not_run() {
    let mut w = World::new();
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "later", "run": ["true"],
        "expected_materials": [], "expected_products": []}]);
    w.package["materials"]["out/app"]["sha256"] = json!("0bad");
    let o = w.scene().verify(&w.owner);
    assert_eq!(o.category, category::RULE_DISALLOW);
    assert!(has(&o, &category::INSPECTION_NOT_RUN));
}

#[test]
fn layout_without_expiry_is_a_warning() {
    let mut w = World::new();
    w.layout.as_object_mut().unwrap().remove("expires");
    let s = w.scene();
    // python checks the signature over its Layout, which has an "expires"
    // of one month from now: no signature covers that.
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    assert!(has(&o, &warning::SIGNATURE_FORM));
    let mut opts = s.options(&w.owner);
    opts.signature_form = trailscope::intoto::SignatureForm::Written;
    let o = verify(&opts).unwrap();
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::LAYOUT_NO_EXPIRY));
    assert!(has(&o, &warning::SIGNATURE_FORM));
}

#[test]
fn one_key_under_two_ids_meeting_a_threshold_is_a_warning() {
    let mut w = World::new();
    let alias = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
    let mut dup = w.a.dict.clone();
    dup["keyid"] = json!(alias);
    w.layout["keys"][alias] = dup;
    w.layout["steps"][0]["pubkeys"] = json!([w.a.keyid, alias]);
    w.layout["steps"][0]["threshold"] = json!(2);
    let s = w.scene();
    s.write("links/build.abcdef01.link", &metablock_as(&w.build, &w.a, alias));
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::PASS, "{:?}", o.findings);
    assert!(has(&o, &warning::DUPLICATE_KEY));
}

#[test]
fn layout_signed_under_the_legacy_keyid_is_accepted_with_a_warning() {
    let w = World::new();
    let s = w.scene();
    let legacy = w.owner.public().legacy_keyid();
    s.write("root.layout", &metablock_as(&w.layout, &w.owner, &legacy));
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::KEYID_ALIAS));
}

#[test]
fn unknown_layout_members_make_python_reject_the_signature() {
    let mut w = World::new();
    w.layout["x-vendor"] = json!({"note": 1});
    let s = w.scene();
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    assert!(has(&o, &warning::SIGNATURE_FORM));
    let mut opts = s.options(&w.owner);
    opts.signature_form = trailscope::intoto::SignatureForm::Written;
    let o = verify(&opts).unwrap();
    assert_eq!(o.category, category::PASS);
    assert!(has(&o, &warning::SIGNATURE_FORM));
}

#[test]
fn step_name_escaping_the_link_dir_is_not_followed() {
    let mut w = World::new();
    w.layout["steps"][0]["name"] = json!("../build");
    let o = w.scene().verify(&w.owner);
    assert!(has(&o, &warning::UNSAFE_STEP_NAME));
    assert_eq!(o.category, category::LINK_MISSING);
}

#[test]
fn dsse_layout_and_links_verify() {
    let w = World::new();
    let s = Scene::new();
    s.write("root.layout", &dsse(&w.layout, &[&w.owner]));
    s.write(&format!("links/build.{}.link", w.a.short()), &dsse(&w.build, &[&w.a]));
    s.link("package", &w.b, &w.package);
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::PASS, "{:?}", o.findings);
    let mut bad = dsse(&w.layout, &[&w.owner]);
    bad["signatures"][0]["sig"] = dsse(&w.build, &[&w.owner])["signatures"][0]["sig"].clone();
    s.write("root.layout", &bad);
    assert_eq!(s.verify(&w.owner).category, category::LAYOUT_SIGNATURE);
}

#[test]
fn sublayout_failures_carry_their_scope() {
    let w = World::new();
    let inner_owner = Key::from_seed(9);
    // The outer layout delegates step "build" to inner_owner, whose link is a layout.
    let mut outer = w.layout.clone();
    outer["keys"] =
        json!({inner_owner.keyid.clone(): inner_owner.dict.clone(), w.b.keyid.clone(): w.b.dict.clone()});
    outer["steps"][0]["pubkeys"] = json!([inner_owner.keyid]);
    outer["steps"][0]["expected_materials"] = json!([]);
    outer["steps"][0]["expected_products"] = json!([]);
    let mut inner = layout(
        vec![step("compile", &[&w.a], json!([]), json!([["CREATE", "out/app"], ["DISALLOW", "*"]]))],
        vec![],
        &[&w.a],
    );
    inner["steps"][0]["name"] = json!("compile");
    let s = Scene::new();
    s.layout(&outer, &w.owner);
    s.write(&format!("links/build.{}.link", inner_owner.short()), &metablock(&inner, &[&inner_owner]));
    let compile = link("compile", arts(&[("src/a.c", "aa")]), arts(&[("src/a.c", "aa"), ("out/app", "bb")]));
    s.write(
        &format!("links/build.{}/compile.{}.link", inner_owner.short(), w.a.short()),
        &metablock(&compile, &[&w.a]),
    );
    s.link("package", &w.b, &w.package);
    let o = s.verify(&w.owner);
    assert_eq!(o.category, category::RULE_DISALLOW, "{:?}", o.findings);
    let f = o.failure.unwrap();
    assert_eq!(f.scope, vec!["build".to_string()]);
    assert_eq!((f.step.as_deref(), f.artifact.as_deref()), (Some("compile"), Some("src/a.c")));
    assert_eq!(o.layout.steps[0].sublayouts.len(), 1);
}

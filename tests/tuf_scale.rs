//! The TUF audit at PyPI scale (issue #18): the headless audit lets go of
//! every role that delegates nothing once it is verified and summarized,
//! and reports exactly what an audit that keeps every role reports; a
//! large repository's engine plan reads delegated roles lazily and audits
//! hash bins in parts, with the verdict of a direct run; a role's targets
//! load on demand ([`RoleTargets`]).

mod corpus_support;

use std::path::{Path, PathBuf};

use corpus_support::{copy_tree, scenarios};
use serde_json::Value;
use trailscope::engine::plans::tuf::{self as tuf_plan, TufOptions};
use trailscope::engine::{DiskSource, EngineConfig, Status, run_to_completion};
use trailscope::tuf::{Config, DirSource, RoleTargets, report};

fn options(dir: &Path, scenario: &Value, state: Option<PathBuf>, keep: bool) -> TufOptions {
    let inputs = &scenario["inputs"];
    let expect = &scenario["expect"];
    TufOptions {
        root: dir.join(inputs["trusted_root"].as_str().unwrap()),
        metadata: dir.join(inputs["metadata_dir"].as_str().unwrap()).display().to_string(),
        targets: Some(dir.join(inputs["targets_dir"].as_str().unwrap()).display().to_string()),
        state,
        save_state: false,
        at: trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at,
        config: Config { keep_audited_targets: keep, ..Config::default() },
        target_paths: expect["targets"].as_object().unwrap().keys().cloned().collect(),
        all_roles: true,
    }
}

/// A fresh copy of the scenario's client state, if it has one.
fn state_copy(dir: &Path, scenario: &Value) -> (tempfile::TempDir, Option<PathBuf>) {
    let scratch = tempfile::tempdir().unwrap();
    let state = scenario["inputs"]["client_state"].as_str().map(|cs| {
        copy_tree(&dir.join(cs), scratch.path());
        scratch.path().to_path_buf()
    });
    (scratch, state)
}

fn run(opts: &TufOptions) -> trailscope::tuf::session::Outcome {
    tuf_plan::run_session(opts, std::fs::read(&opts.root).unwrap(), opts.at)
}

fn scenario(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

#[test]
fn a_streamed_audit_reports_what_an_audit_keeping_every_role_reports() {
    let mut problems = Vec::new();
    let mut released = 0;
    let all = scenarios("tuf");
    assert!(all.len() >= 40, "{} TUF scenarios", all.len());
    for dir in all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sc = scenario(&dir);
        // The same state directory for both (its path appears in notes), fresh each time.
        let (_scratch, state) = state_copy(&dir, &sc);
        let kept = run(&options(&dir, &sc, state.clone(), true));
        if let Some(s) = &state {
            std::fs::remove_dir_all(s).unwrap();
            copy_tree(&dir.join(sc["inputs"]["client_state"].as_str().unwrap()), s);
        }
        let streamed = run(&options(&dir, &sc, state, false));
        for strict in [false, true] {
            let (a, b) = (report::document(&kept, strict), report::document(&streamed, strict));
            if a.to_json_string() != b.to_json_string() {
                problems.push(format!("{name}: documents differ (strict {strict})"));
            }
            if report::summary(&kept, strict).to_json_string()
                != report::summary(&streamed, strict).to_json_string()
            {
                problems.push(format!("{name}: summaries differ (strict {strict})"));
            }
        }
        if let Some(set) = &streamed.trusted {
            for (role, _, t) in set.targets_roles() {
                if role != "targets" && t.meta.delegations.is_none() {
                    problems.push(format!("{name}: {role} delegates nothing but is still held"));
                }
            }
            released += set.released_roles().count();
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(released > 256, "the hash bins are released ({released} roles)");
}

#[test]
fn a_large_repository_is_planned_lazily_and_audited_in_parts_with_the_direct_verdict() {
    let mut problems = Vec::new();
    let mut parted = 0;
    for dir in scenarios("tuf") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sc = scenario(&dir);
        let (_a, state) = state_copy(&dir, &sc);
        let direct = run(&options(&dir, &sc, state, false));
        let (_b, state) = state_copy(&dir, &sc);
        let opts = options(&dir, &sc, state, false);
        // Every repository counts as large here: only top-level files are inputs.
        let planned = tuf_plan::plan_with(&opts, true, &DiskSource::default(), 0).unwrap();
        let inputs: Vec<_> = planned.plan.files().map(Path::to_path_buf).collect();
        let top_level = |f: &PathBuf| {
            let n = f.file_name().unwrap().to_string_lossy().into_owned();
            let n = n.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('.');
            ["root.json", "timestamp.json", "snapshot.json", "targets.json"].contains(&n)
        };
        let meta = Path::new(&opts.metadata);
        if let Some(f) = inputs.iter().find(|f| f.starts_with(meta) && !top_level(f)) {
            problems.push(format!("{name}: a delegated role is a plan input: {}", f.display()));
        }
        let parts = planned.plan.units().filter(|u| u.kind() == "tuf-audit").count();
        if opts.state.is_none() && parts != tuf_plan::AUDIT_PARTS {
            problems.push(format!("{name}: {parts} audit parts"));
        }
        parted += usize::from(parts > 0);
        let results = run_to_completion(
            planned.plan,
            EngineConfig { workers: 2, ..EngineConfig::default() },
            DiskSource::default(),
        );
        if let Some((unit, o)) = results.errors().next() {
            problems.push(format!("{name}: unit {unit} errored: {:?}", o.detail));
            continue;
        }
        let Some(via_engine) = results.output(&planned.verdict) else {
            problems.push(format!("{name}: no verdict"));
            continue;
        };
        let (a, b) = (report::document(via_engine, false), report::document(&direct, false));
        if sc["inputs"]["client_state"].is_string() {
            // Each run has its own state directory (paths appear in notes).
            let told = |d: &trailscope::verdict::Document| {
                (d.verdict, d.findings.iter().map(|f| (f.category, f.subject.clone())).collect::<Vec<_>>())
            };
            if told(&a) != told(&b) {
                problems.push(format!("{name}: engine and direct verdicts differ"));
            }
        } else if a.to_json_string() != b.to_json_string() {
            problems.push(format!("{name}: engine and direct documents differ"));
        }
        if name == "succinct-hash-bins" {
            let passed = results.iter().filter(|(u, o)| u.kind() == "tuf-audit" && o.status == Status::Pass);
            if passed.count() != tuf_plan::AUDIT_PARTS {
                problems.push(format!("{name}: not every audit part passed"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(parted > 20, "most scenarios have no client state: audited in parts ({parted})");
}

#[test]
fn a_released_bin_loads_its_targets_on_demand_as_the_kept_audit_has_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf/succinct-hash-bins");
    let sc = scenario(&dir);
    let kept = run(&options(&dir, &sc, None, true));
    let streamed = run(&options(&dir, &sc, None, false));
    let (kept, streamed) = (kept.trusted.unwrap(), streamed.trusted.unwrap());
    let metadata = DirSource::new(dir.join("repo/metadata"));
    let config = Config::default();
    let mut listed = 0;
    for (role, delegator, summary) in streamed.released_roles() {
        let loaded = RoleTargets::load(&streamed, &metadata, role, &config).unwrap();
        let (_, held) = kept.targets_role(role).unwrap();
        assert_eq!(loaded.delegator, delegator);
        assert_eq!(loaded.len() as u64, summary.targets, "{role}");
        let a: Vec<_> = loaded.iter().collect();
        let b: Vec<_> = held.meta.targets.iter().collect();
        assert_eq!(a, b, "{role}");
        for (path, info) in &b {
            assert_eq!(loaded.get(path).as_ref(), Some(info));
        }
        listed += loaded.len();
    }
    assert_eq!(listed, 23, "the scenario's 23 targets");
    // A bin the set holds (a lookup loaded it) comes from the set.
    let held = RoleTargets::load(&kept, &metadata, "oak-d3", &config).unwrap();
    assert!(held.get("pkgs/fir-8.17.json").is_some());
    // Not delegated by anything trusted, or tampered: an error, never a panic.
    let e = RoleTargets::load(&streamed, &metadata, "pine-00", &config).unwrap_err();
    assert!(e.message.contains("no trusted role delegates pine-00"), "{}", e.message);
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&dir.join("repo/metadata"), tmp.path());
    let bin = tmp.path().join("oak-d3.json");
    let text = std::fs::read_to_string(&bin).unwrap().replacen("630", "631", 1);
    std::fs::write(&bin, text).unwrap();
    let e = RoleTargets::load(&streamed, &DirSource::new(tmp.path()), "oak-d3", &config).unwrap_err();
    assert_eq!(e.role, "oak-d3");
}

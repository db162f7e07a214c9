//! Every scenario of the TUF differential corpus (`fixtures/interop/tuf/`,
//! verdicts from python-tuf 7.0.1): refresh outcome, category, role at
//! fault, and each target's result and role must equal `expect`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, DirSource, StateDir};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// Runs one scenario; returns the list of disagreements.
fn check_scenario(dir: &Path) -> Vec<String> {
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let inputs = &scenario["inputs"];
    let expect = &scenario["expect"];
    let root_path = dir.join(inputs["trusted_root"].as_str().unwrap());
    let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
    let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()));
    let scratch = tempfile::tempdir().unwrap();
    let state = inputs["client_state"].as_str().map(|cs| {
        copy_dir(&dir.join(cs), scratch.path());
        StateDir::new(scratch.path(), true)
    });
    let now = trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at;
    let target_paths: Vec<String> = expect["targets"].as_object().unwrap().keys().cloned().collect();
    let outcome = session::run(Request {
        root_bytes: std::fs::read(&root_path).unwrap(),
        root_file: root_path.display().to_string(),
        metadata: &metadata,
        targets: Some(&targets),
        state,
        at: now,
        config: Config::default(),
        target_paths,
        all_roles: false,
    });
    let mut problems = Vec::new();
    let (refresh, category, role) = match &outcome.refresh {
        Ok(()) => ("ok", "ok".to_owned(), Value::Null),
        Err(e) => ("error", e.category.to_string(), Value::String(e.role.clone())),
    };
    if refresh != expect["refresh"] || category != expect["category"] || role != expect["role"] {
        problems.push(format!(
            "refresh: got {refresh}/{category}/{role} want {}/{}/{} ({})",
            expect["refresh"],
            expect["category"],
            expect["role"],
            outcome.refresh.as_ref().err().map(|e| e.to_string()).unwrap_or_default()
        ));
    }
    for t in &outcome.targets {
        let want = &expect["targets"][&t.path];
        let role = t.role.clone().map(Value::String).unwrap_or(Value::Null);
        if want["result"] != t.status.as_str()
            || want["category"] != t.category.as_str()
            || want["role"] != role
        {
            problems.push(format!(
                "target {:?}: got {}/{}/{} want {}/{}/{} ({})",
                t.path,
                t.status.as_str(),
                t.category,
                role,
                want["result"],
                want["category"],
                want["role"],
                t.error.as_ref().map(|e| e.to_string()).unwrap_or_default()
            ));
        }
        if let (Some(info), Some(len)) = (&t.info, want["length"].as_u64())
            && info.length != len
        {
            problems.push(format!("target {:?}: length {} want {len}", t.path, info.length));
        }
    }
    problems
}

#[test]
fn tuf_corpus_agrees_with_reference() {
    // tuf-trust-anchor/: scenarios whose trusted root itself is refused
    // (the reference's Updater raises before any download).
    let anchors = corpus_dir().with_file_name("tuf-trust-anchor");
    let mut names: Vec<PathBuf> = [corpus_dir(), anchors]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no scenarios found");
    let mut failures = Vec::new();
    for dir in &names {
        let problems = check_scenario(dir);
        if !problems.is_empty() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    let agree = names.len() - failures.len();
    println!("tuf corpus: {agree}/{} agree", names.len());
    assert!(failures.is_empty(), "{} scenarios disagree:\n{}", failures.len(), failures.join("\n"));
}

/// The fast metadata parser (typed targets map, streamed canonical bytes)
/// and the general one agree on every TUF document of the corpora: same
/// typed metadata and signed bytes, or both refuse.
#[test]
fn fast_and_general_metadata_parsers_agree() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    walk(&base, &mut files);
    let (mut agreed, mut fast_taken) = (0, 0);
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        let general = trailscope::tuf::metadata::parse_general(&bytes, &name);
        let chosen = trailscope::tuf::metadata::parse(&bytes, &name);
        if trailscope::tuf::metadata::parse_fast_only(&bytes, &name).is_some() {
            fast_taken += 1;
        }
        match (general, chosen) {
            (Ok(g), Ok(c)) => {
                assert_eq!(g.signed_bytes, c.signed_bytes, "{name}");
                assert_eq!(format!("{:?}", g.signed), format!("{:?}", c.signed), "{name}");
                assert_eq!(g.signatures, c.signatures, "{name}");
                assert_eq!(g.extra_signed, c.extra_signed, "{name}");
            }
            (Err(g), Err(c)) => assert_eq!(g, c, "{name}"),
            (g, c) => panic!("{name}: general {:?} vs chosen {:?}", g.is_ok(), c.is_ok()),
        }
        agreed += 1;
    }
    println!("fast and general parsers agree on {agreed} documents ({fast_taken} through the fast path)");
    assert!(fast_taken > 100);
}

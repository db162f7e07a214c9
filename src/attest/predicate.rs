//! Typed views of the predicates releases carry: SLSA provenance v1 and
//! v0.2, in-toto link v0.3, npm publish, PyPI publish. A view reads what an
//! auditor asks about (builder, source, ref, commit, workflow, materials);
//! anything else stays in the raw predicate.

use serde_json::Value;

pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const LINK_V03: &str = "https://in-toto.io/attestation/link/v0.3";
pub const NPM_PUBLISH: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";
pub const PYPI_PUBLISH: &str = "https://docs.pypi.org/attestations/publish/v1";

/// What a predicate says, as labelled facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PredicateView {
    /// `SLSA provenance v1`, `npm publish`, … or `other`.
    pub kind: String,
    pub builder_id: Option<String>,
    pub build_type: Option<String>,
    pub source_repository: Option<String>,
    pub source_ref: Option<String>,
    pub source_commit: Option<String>,
    pub workflow: Option<String>,
    /// Resolved dependencies / materials: uri and one digest.
    pub materials: Vec<(String, String)>,
    /// Other facts worth showing (package name and version, step name, …).
    pub facts: Vec<(String, String)>,
}

fn s(v: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Value::as_str).map(str::to_owned)
}

fn materials(list: Option<&Value>) -> Vec<(String, String)> {
    list.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .take(1000)
                .map(|m| {
                    let uri = s(m, &["uri"]).or_else(|| s(m, &["name"])).unwrap_or_default();
                    let digest = m
                        .get("digest")
                        .and_then(Value::as_object)
                        .and_then(|d| d.iter().next())
                        .map(|(k, v)| format!("{k}:{}", v.as_str().unwrap_or_default()))
                        .unwrap_or_default();
                    (uri, digest)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `git+https://github.com/o/r@refs/heads/main` → (`https://github.com/o/r`, `refs/heads/main`).
fn split_git_uri(uri: &str) -> (String, Option<String>) {
    let u = uri.strip_prefix("git+").unwrap_or(uri);
    match u.rsplit_once('@') {
        Some((repo, r)) if r.starts_with("refs/") => (repo.to_owned(), Some(r.to_owned())),
        _ => (u.to_owned(), None),
    }
}

pub fn view(predicate_type: &str, p: &Value) -> PredicateView {
    let mut v = PredicateView::default();
    match predicate_type {
        SLSA_V1 => {
            v.kind = "SLSA provenance v1".into();
            v.builder_id = s(p, &["runDetails", "builder", "id"]);
            v.build_type = s(p, &["buildDefinition", "buildType"]);
            let ext = p.get("buildDefinition").and_then(|b| b.get("externalParameters"));
            let wf = ext.and_then(|e| e.get("workflow"));
            v.source_repository = wf.and_then(|w| s(w, &["repository"]));
            v.source_ref = wf.and_then(|w| s(w, &["ref"]));
            v.workflow = wf.and_then(|w| s(w, &["path"]));
            v.materials = materials(p.get("buildDefinition").and_then(|b| b.get("resolvedDependencies")));
            if let Some((uri, digest)) = v.materials.first() {
                let (repo, r) = split_git_uri(uri);
                if v.source_repository.is_none() && !repo.is_empty() {
                    v.source_repository = Some(repo);
                }
                if v.source_ref.is_none() {
                    v.source_ref = r;
                }
                v.source_commit = digest.strip_prefix("gitCommit:").map(str::to_owned);
            }
            if let Some(id) = s(p, &["runDetails", "metadata", "invocationId"]) {
                v.facts.push(("invocation".into(), id));
            }
        }
        SLSA_V02 => {
            v.kind = "SLSA provenance v0.2".into();
            v.builder_id = s(p, &["builder", "id"]);
            v.build_type = s(p, &["buildType"]);
            let cs = p.get("invocation").and_then(|i| i.get("configSource"));
            if let Some(uri) = cs.and_then(|c| s(c, &["uri"])) {
                let (repo, r) = split_git_uri(&uri);
                v.source_repository = Some(repo);
                v.source_ref = r;
            }
            v.source_commit = cs.and_then(|c| s(c, &["digest", "sha1"]));
            v.workflow = cs.and_then(|c| s(c, &["entryPoint"]));
            v.materials = materials(p.get("materials"));
            if let Some(id) = s(p, &["metadata", "buildInvocationId"]) {
                v.facts.push(("invocation".into(), id));
            }
        }
        LINK_V03 => {
            v.kind = "in-toto link v0.3".into();
            if let Some(n) = s(p, &["name"]) {
                v.facts.push(("step".into(), n));
            }
            if let Some(cmd) = p.get("command").and_then(Value::as_array) {
                let words: Vec<&str> = cmd.iter().filter_map(Value::as_str).collect();
                v.facts.push(("command".into(), words.join(" ")));
            }
            v.materials = materials(p.get("materials"));
        }
        NPM_PUBLISH => {
            v.kind = "npm publish".into();
            for k in ["name", "version", "registry"] {
                if let Some(x) = s(p, &[k]) {
                    v.facts.push((k.into(), x));
                }
            }
        }
        PYPI_PUBLISH => {
            v.kind = "PyPI publish".into();
        }
        _ => v.kind = "other".into(),
    }
    v
}

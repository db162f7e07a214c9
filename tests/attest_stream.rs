//! `attest verify` over a JSON-lines file of hundreds of bundles: the report
//! is written while the run goes (a few hundred documents at a time), and
//! must read exactly as if every document had been held until the end — in
//! input order, one JSON array, the text summary last, the same in `-o FILE`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB: &str = "https://token.actions.githubusercontent.com";
/// More than two of the verifier's hand-overs (256 bundles each).
const LINES: usize = 300;
/// The lines (1-based) whose bundle has a signature that does not verify.
const TAMPERED: [usize; 3] = [5, 256, 299];

fn conformance(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sigstore/sigstore-conformance/bundle-verify")
        .join(rel)
}

/// A JSON-lines file of the conformance happy path, some lines tampered.
fn workload(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(conformance("happy-path-v0.3/bundle.sigstore.json")).unwrap();
    let good: Value = serde_json::from_str(&text).unwrap();
    let mut bad = good.clone();
    let sig = bad["messageSignature"]["signature"].as_str().unwrap().to_owned();
    // Another valid base64 signature of the same length: one character changed.
    let flipped = if sig.starts_with('M') { sig.replacen('M', "N", 1) } else { format!("M{}", &sig[1..]) };
    bad["messageSignature"]["signature"] = Value::String(flipped);
    let mut lines = String::new();
    for n in 1..=LINES {
        let b = if TAMPERED.contains(&n) { &bad } else { &good };
        lines.push_str(&serde_json::to_string(b).unwrap());
        lines.push('\n');
    }
    let path = dir.join("bundles.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

fn verify(bundles: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    let mut c = Command::cargo_bin("trailscope").unwrap();
    c.env("TRAILSCOPE_OFFLINE", "1")
        .args(["attest", "verify", "--format", format, "--bundle"])
        .arg(bundles)
        .arg("--trusted-root")
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/sigstore/root-signing/targets/trusted_root.json"),
        )
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .args(extra)
        .arg(conformance("a.txt"));
    c.output().unwrap()
}

#[test]
fn hundreds_of_bundles_stream_as_one_array_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = workload(dir.path());
    let out = verify(&bundles, "json", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(docs.len(), LINES);
    for (i, doc) in docs.iter().enumerate() {
        let n = i + 1;
        assert_eq!(doc["attestation"]["bundle"], format!("{}:{n}", bundles.display()), "document {n}");
        let expected = if TAMPERED.contains(&n) { "fail" } else { "pass" };
        assert_eq!(doc["verdict"], expected, "line {n}");
    }
    // The file (3 MB: read a piece at a time, each line read again where it
    // is verified) is named by the digest and size of all its bytes.
    let bytes = std::fs::read(&bundles).unwrap();
    assert!(bytes.len() > 1 << 20);
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    for doc in [&docs[0], &docs[LINES - 1]] {
        let input = &doc["inputs"][0];
        assert_eq!(
            (&input["role"], &input["path"]),
            (&"bundle".into(), &bundles.display().to_string().into())
        );
        assert_eq!((&input["sha256"], &input["size"]), (&sha256.clone().into(), &bytes.len().into()));
    }
    // Byte for byte serde_json's pretty array of the documents.
    assert!(
        text == format!("{}\n", serde_json::to_string_pretty(&docs).unwrap()),
        "not serde_json's pretty array"
    );

    // -o FILE holds the same report (its invocation names -o), stdout nothing.
    let file = dir.path().join("report.json");
    let out = verify(&bundles, "json", &["-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    let from_file: Vec<Value> = serde_json::from_str(&written).unwrap();
    assert!(written == format!("{}\n", serde_json::to_string_pretty(&from_file).unwrap()));
    let verdicts = |d: &[Value]| {
        d.iter().map(|d| (d["attestation"]["bundle"].clone(), d["verdict"].clone())).collect::<Vec<_>>()
    };
    assert!(verdicts(&from_file) == verdicts(&docs), "the -o report differs from stdout's");
}

#[test]
fn the_text_report_ends_with_the_count_of_all_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = workload(dir.path());
    let out = verify(&bundles, "text", &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let want = format!("\n{} of {LINES} bundles verified\n", LINES - TAMPERED.len());
    assert!(text.ends_with(&want), "{}", &text[text.len().saturating_sub(300)..]);
    // Each bundle's report once, in input order.
    let positions: Vec<usize> = (1..=LINES)
        .map(|n| {
            let header = format!("bundle:       {}:{n} (", bundles.display());
            assert_eq!(text.matches(&header).count(), 1, "line {n}");
            text.find(&header).unwrap()
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn one_line_that_is_not_json_makes_the_whole_file_one_malformed_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = workload(dir.path());
    let mut text = std::fs::read_to_string(&bundles).unwrap();
    // Line 290 of 300 loses its last brace: read before any document is written.
    let mut lines: Vec<&str> = text.lines().collect();
    let cut = lines[289].strip_suffix('}').unwrap().to_owned();
    lines[289] = &cut;
    text = lines.join("\n");
    std::fs::write(&bundles, text).unwrap();
    let out = verify(&bundles, "json", &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["category"], "bundle-malformed", "one document for the whole file");
    assert_eq!(doc["attestation"]["bundle"], bundles.display().to_string());
}

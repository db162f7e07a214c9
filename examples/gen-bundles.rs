//! The attestation benchmark's workload (bench/attest.sh):
//! `cargo run --release --example gen-bundles -- N OUT_DIR` writes
//! `OUT_DIR/trusted_root.json`, `OUT_DIR/artifact.txt`, `OUT_DIR/bundles.jsonl`
//! (one bundle per line) and `OUT_DIR/bundles/NNNNN.sigstore.json`, all from
//! the private Sigstore instance of the embedded scenarios: N valid bundles
//! of one artifact, each with its own ephemeral key and certificate.
//! Deterministic; the identity and issuer are in `OUT_DIR/policy.json`.

#[path = "make_fixtures/mod.rs"]
#[allow(dead_code)]
mod make_fixtures;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use make_fixtures::sigstore::{BENCH_POLICY, bench_bundles};

const ARTIFACT: &[u8] = b"demo-widget 1.4.0\nthe release the scenarios attest\n";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(n), Some(out)) = (args.next().and_then(|n| n.parse::<usize>().ok()), args.next()) else {
        eprintln!("usage: gen-bundles N OUT_DIR");
        return ExitCode::from(2);
    };
    match write(n, &PathBuf::from(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-bundles: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(n: usize, out: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out.join("bundles"))?;
    let (root, bundles) = bench_bundles(n, ARTIFACT);
    std::fs::write(out.join("trusted_root.json"), serde_json::to_vec_pretty(&root)?)?;
    std::fs::write(out.join("artifact.txt"), ARTIFACT)?;
    let policy = serde_json::json!({"certificate_identity": BENCH_POLICY.0, "certificate_oidc_issuer": BENCH_POLICY.1});
    std::fs::write(out.join("policy.json"), serde_json::to_vec_pretty(&policy)?)?;
    let mut jsonl = std::io::BufWriter::new(std::fs::File::create(out.join("bundles.jsonl"))?);
    for (i, b) in bundles.iter().enumerate() {
        let bytes = serde_json::to_vec(b)?;
        std::fs::write(out.join("bundles").join(format!("{i:05}.sigstore.json")), &bytes)?;
        jsonl.write_all(&bytes)?;
        jsonl.write_all(b"\n")?;
    }
    jsonl.flush()
}

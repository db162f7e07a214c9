//! Hot paths of the TUF client on a generated PEP 458 repository
//! (`examples/gen-scale.rs tuf`: succinct hash bins, consistent snapshots):
//! canonical JSON of one bin, one bin's signature check, reading a bin into
//! typed metadata, a target lookup after refresh (the one bin it needs,
//! loaded and verified), and a full audit of every bin.
//!
//! `cargo bench --bench tuf` (1,024 bins, 100,000 targets by default:
//! `TRAILSCOPE_BENCH_TUF=BITS:TARGETS` overrides, e.g. `14:1000000`).

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use trailscope::meta::stream;
use trailscope::tuf::metadata::{self, Signed};
use trailscope::tuf::trusted_set::require_threshold;
use trailscope::tuf::{Config, DirSource, Updater};

fn workload() -> (PathBuf, u32, usize) {
    let spec = std::env::var("TRAILSCOPE_BENCH_TUF").unwrap_or_else(|_| "10:100000".into());
    let (bits, t) = spec.split_once(':').expect("BITS:TARGETS");
    let (bits, t): (u32, usize) = (bits.parse().expect("bits"), t.parse().expect("targets"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(format!("target/scale/bench-tuf-b{bits}-t{t}"));
    if !dir.join("metadata/timestamp.json").exists() {
        let status = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "run",
                "--release",
                "--example",
                "gen-scale",
                "--",
                "tuf",
                &bits.to_string(),
                &t.to_string(),
            ])
            .arg(&dir)
            .status()
            .expect("run gen-scale");
        assert!(status.success(), "gen-scale failed");
    }
    (dir, bits, t)
}

fn target_path(i: usize) -> String {
    format!("packages/p{i:07}/p{i:07}-1.{}.tar.gz", i % 10)
}

fn at() -> time::OffsetDateTime {
    trailscope::meta::time::parse("2030-01-01T00:00:00Z").expect("time").at
}

fn benches(c: &mut Criterion) {
    let (dir, bits, t) = workload();
    let meta = dir.join("metadata");
    let root_bytes = std::fs::read(dir.join("trusted_root.json")).expect("root");
    let width = bits.div_ceil(4) as usize;
    let bin_name = format!("bins-{:0width$x}", 0);
    let bin = std::fs::read(meta.join(format!("1.{bin_name}.json"))).expect("bin");
    let top = metadata::parse(&std::fs::read(meta.join("1.targets.json")).expect("targets"), "targets")
        .expect("targets parses");
    let Signed::Targets(top_targets) = &top.signed else { panic!("not targets") };
    let parsed_bin = metadata::parse(&bin, "bin").expect("bin parses");
    let source = DirSource::new(&meta);

    c.bench_function("canonical json of a bin, streaming", |b| {
        let mut out = Vec::with_capacity(bin.len());
        b.iter(|| {
            out.clear();
            stream::canonicalize_member(&bin, "signed", &mut out).expect("canonical")
        })
    });
    c.bench_function("read a bin into typed metadata (parse + canonical bytes)", |b| {
        b.iter(|| metadata::parse(&bin, "bin").expect("parses"))
    });
    c.bench_function("signature check of a bin by its delegator", |b| {
        b.iter(|| require_threshold(top_targets, &bin_name, &parsed_bin, false, "§5.6.3").expect("verified"))
    });
    c.bench_function("delegation lookup: refresh, then one target (loads and verifies its bin)", |b| {
        let mut i = 0usize;
        b.iter_batched(
            || {
                let mut u =
                    Updater::new(&root_bytes, "root", &source, at(), Config::default()).expect("root");
                u.refresh().expect("refresh");
                i = (i + 7919) % t;
                (u, target_path(i))
            },
            |(mut u, path)| {
                let found = u.get_targetinfo(&path).expect("lookup");
                assert!(found.found.is_some());
                u
            },
            BatchSize::PerIteration,
        )
    });
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.bench_function("full audit: refresh and verify every bin", |b| {
        b.iter(|| {
            let mut u = Updater::new(&root_bytes, "root", &source, at(), Config::default()).expect("root");
            u.refresh().expect("refresh");
            let audited = u.load_all_roles();
            assert_eq!(audited.len(), 1 << bits);
            u
        })
    });
    group.finish();
}

criterion_group!(tuf_benches, benches);
criterion_main!(tuf_benches);

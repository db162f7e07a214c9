//! The fixture generator: deterministic keys from fixed seeds, fixed times, real
//! signatures from `trailscope::crypto::SigningKey`. Shared by
//! `examples/make-fixtures.rs` and `tests/fixtures_regenerate.rs`.

mod demo;
mod intoto;
mod intoto_demo;
pub mod sigstore;
mod tuf_attacks;
mod tuf_repo;
pub mod util;

use std::io;
use std::path::Path;

pub use util::Files;

/// The fixture sets this generator owns (directories below the output directory).
pub const SETS: [&str; 4] = ["demo", "intoto-demo", "tuf-attacks", "sigstore-scenarios"];

/// Every generated file, path relative to the output directory → bytes.
pub fn generate() -> Files {
    let mut out = Files::default();
    demo::generate(&mut out);
    intoto_demo::generate(&mut out);
    tuf_attacks::generate(&mut out);
    sigstore::generate(&mut out);
    out
}

/// Replaces the generated sets below `out_dir` (other directories such as
/// `interop/` are left alone).
pub fn write(out_dir: &Path) -> io::Result<usize> {
    for set in SETS {
        let dir = out_dir.join(set);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    let files = generate();
    files.write_to(out_dir)?;
    Ok(files.0.len())
}

//! Writes the project's own fixtures: `cargo run --example make-fixtures -- [OUT_DIR]`
//! (default `fixtures/`). Deterministic: running it twice gives the same bytes.

#[path = "make_fixtures/mod.rs"]
mod make_fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("fixtures"));
    match make_fixtures::write(&out) {
        Ok(n) => {
            println!("wrote {n} files of {} below {}", make_fixtures::SETS.join(", "), out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make-fixtures: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

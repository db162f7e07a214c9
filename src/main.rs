#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    trailscope::cli::main()
}

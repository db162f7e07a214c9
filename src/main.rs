#![forbid(unsafe_code)]

// mimalloc: the verifiers allocate hundreds of thousands of small artifact
// entries on several threads; glibc's per-thread arenas kept ~40% more memory
// than was live (100k chain: 419 MB with glibc, see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    trailscope::cli::main()
}

#![forbid(unsafe_code)]

// mimalloc: the verifiers allocate hundreds of thousands of small entries on
// several threads (TUF audit: ~10% faster than glibc). Built without
// transparent huge pages (`no_thp`): with them, a 100k-artifact chain's peak
// RSS was ~25 MB higher for the same live data (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    trailscope::cli::main()
}

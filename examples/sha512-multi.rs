//! Multi-buffer SHA-512 (`crypto::sha512_multi`, eight messages in the lanes
//! of AVX-512 registers) against sha2 one message at a time, for the shape
//! of an ed25519 check of a PEP 458 bin: `R ‖ A ‖ M` with M of ~9,100 bytes.
//!
//! `cargo run --profile profiling --example sha512-multi -- [GROUPS] [BYTES]`
//! (default 2,000 groups of 8 messages of 9,100 bytes). Prints µs per
//! message, the fastest of ten blocks (the machine is shared), and checks
//! that both give the same digests.

use std::hint::black_box;
use std::time::Instant;

use trailscope::crypto::sha512_multi::{LANES, lanes_available, sha512_many, sha512_one};

fn per_message(label: &str, groups: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..groups / 10 {
        f();
    }
    let block = (groups / 10).max(1);
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        for _ in 0..block {
            f();
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / (block * LANES) as f64);
    }
    println!("{label:<40} {best:>8.2} µs/message, fastest of 10 blocks");
    best
}

fn main() {
    let mut args = std::env::args().skip(1);
    let groups: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let len: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(9100);
    let r = [1u8; 32];
    let a = [2u8; 32];
    let msgs: Vec<Vec<u8>> = (0..LANES)
        .map(|i| (0..len + i).map(|j| b"{\"signed\":0123456789abcdef"[(j + i) % 26]).collect())
        .collect();
    let parts: Vec<[&[u8]; 3]> = msgs.iter().map(|m| [&r[..], &a[..], m.as_slice()]).collect();
    let refs: Vec<&[&[u8]]> = parts.iter().map(|p| &p[..]).collect();

    let many = sha512_many(&refs);
    for (p, d) in refs.iter().zip(&many) {
        assert_eq!(*d, sha512_one(p), "lanes and sha2 disagree");
    }
    println!("AVX-512F lanes available: {}", lanes_available());
    let one = per_message("sha2, one message at a time", groups, || {
        for p in &refs {
            black_box(sha512_one(black_box(p)));
        }
    });
    let multi = per_message("sha512_multi, 8 lanes", groups, || {
        black_box(sha512_many(black_box(&refs)));
    });
    println!("speed-up per message: {:.2}×", one / multi);
}

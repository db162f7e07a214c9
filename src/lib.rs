//! trailscope: explore and verify software supply chains secured with TUF
//! and in-toto. The library holds everything; the binary is a thin face.
//!
//! Layering (DESIGN §2): `crypto ← meta ← verdict ← tuf, intoto ← bridge ←
//! graph ← engine ← report, cli, tui`; no import cycle between top-level
//! modules (tests/architecture.rs).
// `deny`, not `forbid`: two modules allow `unsafe`, each block with its
// reason: `crypto::sha512_multi` (AVX-512 intrinsics behind a run-time CPU
// check) and `crypto::ecdsa_table` (aws-lc's EC point API).
#![deny(unsafe_code)]

pub mod attest;
pub mod bridge;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod embedded;
pub mod engine;
pub mod graph;
pub mod intoto;
pub mod meta;
pub mod report;
pub mod sanitize;
pub mod sigstore;
pub mod tuf;
pub mod tui;
pub mod verdict;
pub mod workshop;

//! Hostile input never panics: random bytes and mutated real metadata go
//! through parsing, the state machine and the pattern matcher.

use proptest::prelude::*;
use trailscope::tuf::{TrustedSet, metadata, pattern};

const ROOT: &[u8] = include_bytes!("../fixtures/interop/tuf/plain-consistent/trusted_root.json");

fn at() -> time::OffsetDateTime {
    trailscope::meta::time::parse("2026-11-22T00:07:02Z").unwrap().at
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = metadata::parse(&bytes, "x.json");
        if let Ok(mut set) = TrustedSet::new(ROOT, "root.json", at(), false) {
            let _ = set.update_root(&bytes, "2.root.json");
            let _ = set.update_timestamp(&bytes, "timestamp.json");
        }
    }

    #[test]
    fn mutated_root_never_panics(pos in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096) {
        let mut data = ROOT.to_vec();
        if let Some(b) = data.get_mut(pos % ROOT.len()) {
            *b = byte;
        }
        data.truncate(ROOT.len() - cut % 64);
        let _ = TrustedSet::new(&data, "root.json", at(), true);
    }

    #[test]
    fn patterns_never_panic(p in "[\\[\\]!*?a-c/-]{0,24}", s in "[a-c/\\[\\]!-]{0,24}") {
        let _ = pattern::path_matches(&p, &s);
    }
}

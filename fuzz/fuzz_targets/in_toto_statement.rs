//! in-toto Statements and their predicate views must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::attest::{Statement, view};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Statement::parse(data) {
        let _ = view(&s.predicate_type, &s.predicate);
        let _ = s.matching_subject(&Default::default());
    }
});

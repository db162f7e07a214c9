//! The TUF trusted set (spec §5.2–5.6) fed mutated metadata: the first byte
//! picks which file of a real repository (fixtures/interop/tuf/
//! delegation-path-patterns) the rest of the input replaces — a new root,
//! timestamp, snapshot, targets or a delegated role — and the client's load
//! order runs over the result. Errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::tuf::TrustedSet;

const ROOT: &[u8] = include_bytes!("../../fixtures/interop/tuf/delegation-path-patterns/trusted_root.json");
const TIMESTAMP: &[u8] =
    include_bytes!("../../fixtures/interop/tuf/delegation-path-patterns/repo/metadata/timestamp.json");
const SNAPSHOT: &[u8] =
    include_bytes!("../../fixtures/interop/tuf/delegation-path-patterns/repo/metadata/1.snapshot.json");
const TARGETS: &[u8] =
    include_bytes!("../../fixtures/interop/tuf/delegation-path-patterns/repo/metadata/1.targets.json");
const OPENSSL: &[u8] =
    include_bytes!("../../fixtures/interop/tuf/delegation-path-patterns/repo/metadata/1.openssl.json");

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let at = trailscope::meta::time::parse("2026-11-22T00:07:02Z").expect("time").at;
    let strict = which & 0x80 != 0;
    let pick = |n: u8, base: &'static [u8]| if which % 6 == n { bytes } else { base };
    let root = pick(0, ROOT);
    let Ok(mut set) = TrustedSet::new(root, "root.json", at, strict) else { return };
    if which % 6 == 1 {
        let _ = set.update_root(bytes, "2.root.json");
    }
    let _ = set.check_final_root();
    if set.update_timestamp(pick(2, TIMESTAMP), "timestamp.json").is_err() {
        return;
    }
    if set.update_snapshot(pick(3, SNAPSHOT), "snapshot.json", which & 0x40 != 0).is_err() {
        return;
    }
    let _ = set.snapshot_meta_for("targets");
    if set.update_targets(pick(4, TARGETS), "targets.json").is_err() {
        return;
    }
    for role in ["openssl", "alpha", "whiskey"] {
        let _ = set.snapshot_meta_for(role);
        let _ = set.update_delegated_targets(pick(5, OPENSSL), "openssl.json", role, "targets");
    }
    if let Some((_, t)) = set.targets_role("targets")
        && let Some(d) = &t.meta.delegations
    {
        for path in ["top.cfg", "a/b", "quebec/victor-2.24.deb", "", "../x"] {
            let _ = d.roles_for_target(path);
        }
        let _ = d.role_names();
    }
});

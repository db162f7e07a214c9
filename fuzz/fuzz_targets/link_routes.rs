//! The routes a link file can take to the model and its signature check
//! agree: `metadata::from_bytes_checked` (the hand reader, the streamed
//! canonical form, the buffered fallbacks) against `metadata::from_bytes`
//! followed by a plain check, for every key of the corpus scenario
//! `fixtures/interop/in-toto/demo-supply-chain`. Seeds: its link files.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trailscope::crypto::PublicKey;
use trailscope::intoto::metadata::{self, KeyCheck};
use trailscope::intoto::model::Payload;

const LAYOUT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/interop/in-toto/demo-supply-chain/root.layout");

fn keys() -> &'static Vec<(String, PublicKey)> {
    static KEYS: OnceLock<Vec<(String, PublicKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let layout = metadata::load(std::path::Path::new(LAYOUT)).expect("layout");
        let Ok(Payload::Layout(layout)) = layout.payload else { panic!("not a layout") };
        layout.keys.values().filter_map(|k| Some((k.keyid.clone(), k.key.clone().ok()?))).collect()
    })
}

fuzz_target!(|data: &[u8]| {
    for (keyid, key) in keys() {
        let check = KeyCheck { keyid, subkeys: &[], key };
        let plain = metadata::from_bytes(data, "f.link");
        let checked = metadata::from_bytes_checked(data, "f.link", &check);
        match (plain, checked) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.verify(keyid, &[], key), b.verify(keyid, &[], key), "signature checks differ");
                assert_eq!(format!("{:?}", a.payload), format!("{:?}", b.payload), "payloads differ");
            }
            (Err(a), Err(b)) => assert_eq!(std::mem::discriminant(&a), std::mem::discriminant(&b)),
            (a, b) => panic!("one route loads, the other not: {:?} / {:?}", a.err(), b.err()),
        }
    }
});

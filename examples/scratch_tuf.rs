use std::time::Instant;
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, DirSource, report};
fn main() {
    let r = std::env::args().nth(1).unwrap();
    if std::env::args().nth(2).is_some() {
        only_parse(&r);
        return;
    }
    let t0 = Instant::now();
    let root = std::fs::read(format!("{r}/trusted_root.json")).unwrap();
    let src = DirSource::new(format!("{r}/metadata"));
    let outcome = session::run(Request {
        root_bytes: root,
        root_file: "root".into(),
        metadata: &src,
        targets: None,
        state: None,
        at: trailscope::meta::time::now(),
        config: Config::default(),
        target_paths: vec![],
        all_roles: true,
    });
    let t1 = Instant::now();
    let doc = report::document(&outcome, false);
    let t2 = Instant::now();
    let s = doc.to_json_string();
    let t3 = Instant::now();
    eprintln!("run {:?} document {:?} json {:?} ({} bytes)", t1 - t0, t2 - t1, t3 - t2, s.len());
    // components
    let dir = format!("{r}/metadata");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("bins-"))
        .collect();
    files.sort();
    let t = Instant::now();
    let datas: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    eprintln!("read {:?} {} MB", t.elapsed(), datas.iter().map(|d| d.len()).sum::<usize>() >> 20);
    let t = Instant::now();
    let mut out = Vec::new();
    for d in &datas {
        out.clear();
        trailscope::meta::stream::canonicalize_member(d, "signed", &mut out).unwrap();
    }
    eprintln!("canonicalize {:?}", t.elapsed());
    let t = Instant::now();
    for (d, p) in datas.iter().zip(&files) {
        let _ = trailscope::tuf::metadata::parse(d, &p.to_string_lossy()).unwrap();
    }
    eprintln!("parse (incl canon) {:?}", t.elapsed());
    let t = Instant::now();
    for d in &datas {
        let _: serde_json::Value = serde_json::from_slice(d).unwrap();
    }
    eprintln!("serde Value {:?}", t.elapsed());
    let t = Instant::now();
    for d in &datas {
        let _: serde::de::IgnoredAny = serde_json::from_slice(d).unwrap();
    }
    eprintln!("serde ignored {:?}", t.elapsed());
    let t = Instant::now();
    for d in &datas {
        let _ = trailscope::crypto::digest::digest(trailscope::crypto::digest::HashAlg::Sha512, d);
    }
    eprintln!("sha512 {:?}", t.elapsed());
}
#[allow(dead_code)]
fn only_parse(r: &str) {
    let dir = format!("{r}/metadata");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("bins-"))
        .collect();
    files.sort();
    let datas: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for _ in 0..3 {
        let t = Instant::now();
        for (d, p) in datas.iter().zip(&files) {
            let _ = trailscope::tuf::metadata::parse(d, &p.to_string_lossy()).unwrap();
        }
        eprintln!("parse (incl canon) {:?}", t.elapsed());
    }
}

//! Opens the TUI on a built-in sample result (a failing bridge verification
//! with an artifact path holding a bidi override), for working on the
//! views before the verifiers and the embedded demo are wired in:
//!
//! ```sh
//! cargo run --example tui-preview [-- --theme NAME] [--mouse] [--slow]
//! ```
//! `--slow` makes verification take two seconds, to see the first frame
//! and the spinner. When stdout is not a terminal it prints the text report.

use std::time::Duration;

use serde_json::json;
use time::macros::datetime;
use trailscope::meta::Location;
use trailscope::tui::{self, Launched, Session, TuiOptions};
use trailscope::verdict::tuf_detail::{RoleCommon, RoleState};
use trailscope::verdict::{Document, Failure, Kind};
use trailscope::verdict::{Evidence, Finding, SignatureCheck, Subject};

fn sample(at: Option<time::OffsetDateTime>) -> Document {
    let at = at.unwrap_or(datetime!(2030-01-01 0:00 UTC));
    let rule = Finding::error(
        trailscope::verdict::category::RULE_DISALLOW,
        Subject::Rule {
            step: "package".into(),
            section: "expected_products".into(),
            index: 2,
            text: "DISALLOW *".into(),
        },
        "artifact foo.tar.gz was not consumed by any rule and is disallowed",
    )
    .with_evidence(Evidence::digests(
        json!({"sha256": "52b9ae5e3a2b6d1e6f1c0f2dbd7a1f4c5e4b8f4e4c6f35d3d7b11d6f0a1b2c3d"}),
        json!({"sha256": "52b9ae5e3a2b6d1e6f1c0f2dbd7a1f4c5e4b8f4e4c6f35d3d7b11d6f0a1b9999"}),
    ))
    .at(Location::new("package.776a00e2.link", "/signed/products/foo.tar.gz"));
    let expired = Finding::error(
        trailscope::verdict::category::EXPIRED,
        Subject::Role { name: "timestamp".into() },
        "timestamp expired",
    )
    .with_evidence(Evidence::Expiry { expires: "2029-12-31T00:00:00Z".into(), evaluated_at: tui_time(at) });
    let threshold = Finding::warning(
        trailscope::verdict::category::DUPLICATE_KEY_MATERIAL,
        Subject::Role { name: "targets".into() },
        "one key under two key ids counted towards the threshold",
    )
    .with_evidence(Evidence::Threshold {
        needed: 2,
        valid: vec!["a1b2c3d4e5f6".into()],
        checks: vec![
            SignatureCheck { keyid: "a1b2c3d4e5f6".into(), valid: true, reason: None },
            SignatureCheck {
                keyid: "0f9e8d7c6b5a".into(),
                valid: false,
                reason: Some("duplicate key".into()),
            },
        ],
    });
    let spoof = Finding::info(
        trailscope::verdict::category::SUSPICIOUS_CHARACTERS,
        Subject::Artifact { path: "invoice\u{202e}fdp.exe".into() },
        "recorded as a product of step package",
    );
    let mut doc = Document::new(
        Kind::Bridge,
        at,
        vec![rule, expired, threshold, spoof],
        trailscope::verdict::category::RULE_DISALLOW,
    );
    doc.stage = Some("in-toto".into());
    doc.failure = Some(Failure {
        step: Some("package".into()),
        rule: Some("DISALLOW *".into()),
        artifact: Some("foo.tar.gz".into()),
        scope: vec![],
    });
    let role = |version: u64, expires: &str| RoleState {
        common: Some(RoleCommon {
            version,
            expires: expires.into(),
            expired: false,
            expires_in: String::new(),
        }),
        ..RoleState::trusted(Some("root".into()))
    };
    doc.roles = Some(
        [
            ("root", role(2, "2031-01-01T00:00:00Z")),
            ("targets", role(7, "2030-06-01T00:00:00Z")),
            ("snapshot", role(9, "2030-01-08T00:00:00Z")),
            ("timestamp", role(12, "2029-12-31T00:00:00Z")),
        ]
        .into_iter()
        .map(|(n, r)| (n.to_owned(), r))
        .collect(),
    );
    doc
}

fn tui_time(at: time::OffsetDateTime) -> String {
    trailscope::meta::time::format(at)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = TuiOptions::from_env();
    opts.mouse = args.iter().any(|a| a == "--mouse");
    opts.theme = args.iter().position(|a| a == "--theme").and_then(|i| args.get(i + 1)).cloned();
    let slow = args.iter().any(|a| a == "--slow");
    let session = Session::new("preview", move |req, _| {
        if slow {
            std::thread::sleep(Duration::from_secs(2));
        }
        Ok(sample(req.at))
    });
    match tui::launch(session, opts) {
        Ok(Launched::Tui) => std::process::ExitCode::SUCCESS,
        Ok(Launched::Printed(doc)) => {
            let pass = doc.is_some_and(|d| d.verdict == trailscope::verdict::Verdict::Pass);
            std::process::ExitCode::from(if pass { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("trailscope: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

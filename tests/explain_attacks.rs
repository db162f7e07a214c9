//! `trailscope explain ATTACK`: every attack people name has an entry that
//! says what the attacker does and which check (with its section) stops it,
//! and every embedded scenario an entry points to is caught with one of the
//! categories the entry names.

use assert_cmd::Command;
use trailscope::verdict::attack::{self, ATTACKS};

fn trailscope() -> Command {
    Command::cargo_bin("trailscope").unwrap()
}

#[test]
fn every_attack_named_by_users_is_explained() {
    for name in [
        "rollback",
        "freeze",
        "mix-and-match",
        "arbitrary package",
        "endless data",
        "key compromise",
        "fast-forward",
        "package swap",
    ] {
        let out = trailscope().args(["explain", name]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("— attack:"), "{name}:\n{text}");
        assert!(
            text.contains("The attacker:") && text.contains("Stopped by:") && text.contains("Look at:"),
            "{text}"
        );
        assert!(text.contains('§'), "{name}: no specification section\n{text}");
        assert!(text.contains("Reported as:"), "{text}");
    }
    // A word that is a category too gets both answers.
    let text =
        String::from_utf8(trailscope().args(["explain", "rollback"]).output().unwrap().stdout).unwrap();
    assert!(text.starts_with("rollback — tuf category") && text.contains("rollback — attack:"), "{text}");
    // And --list names every attack.
    let list = String::from_utf8(trailscope().args(["explain", "--list"]).output().unwrap().stdout).unwrap();
    for a in ATTACKS {
        assert!(list.contains(&format!("  {} ", a.id)), "{} not listed:\n{list}", a.id);
    }
    assert!(attack::find("Key_Compromise").is_some());
    assert!(attack::find("no-such-attack").is_none());
}

#[test]
fn every_scenario_an_attack_points_to_is_caught_with_its_categories() {
    let mut checked = 0;
    for a in ATTACKS {
        for name in a.scenarios {
            assert!(trailscope::demo::find(name).is_some(), "{}: no embedded scenario {name}", a.id);
            let out = trailscope().args(["demo", name, "--format", "json"]).output().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["verdict"], "fail", "{}: {name} is not caught", a.id);
            // The verdict's category, or the failed target's for a lookup.
            let mut seen: Vec<String> = vec![v["category"].as_str().unwrap_or_default().to_owned()];
            if let Some(targets) = v["targets"].as_object() {
                seen.extend(targets.values().filter_map(|t| t["category"].as_str().map(str::to_owned)));
            }
            assert!(
                a.categories.iter().any(|c| seen.iter().any(|s| s == c.id())),
                "{}: {name} was reported as {seen:?}, the entry names {:?}",
                a.id,
                a.categories
            );
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} scenarios checked");
}

//! `trailscope workshop` on the command line: `--list` prints one line per
//! lesson (`N. id — title (M min)`), `--list --format markdown` the trainer's
//! plan, a lesson without a terminal prints its text, an unknown lesson is
//! a usage error.

use assert_cmd::Command;

fn trailscope() -> Command {
    Command::cargo_bin("trailscope").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = trailscope().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn list_prints_one_line_per_lesson_in_workshop_order() {
    let text = stdout(&["workshop", "--list"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 10, "{text}");
    assert_eq!(lines[0], "1. anatomy — Anatomy of a TUF repository: roles, keys, thresholds (4 min)");
    assert_eq!(
        lines[8],
        "9. package-swap — The adversary swaps the package: which rule catches it and why (7 min)"
    );
    assert_eq!(lines.len(), 12, "{text}");
    assert_eq!(
        lines[11],
        "12. sigstore-bundle — An attestation in a Sigstore bundle: whose signature, which artifact (8 min)"
    );
    let mut total = 0;
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("{}. ", i + 1)), "{line}");
        let minutes: u32 = line.rsplit_once('(').unwrap().1.trim_end_matches(" min)").parse().unwrap();
        total += minutes;
    }
    assert!((45..=90).contains(&total), "{total} minutes");
}

#[test]
fn the_markdown_plan_has_lessons_minutes_and_the_attack_to_defence_table() {
    let md = stdout(&["workshop", "--list", "--format", "markdown"]);
    assert!(md.starts_with("# trailscope workshop: TUF, in-toto and Sigstore in 68 minutes"), "{md}");
    for section in ["## Lessons", "## Play the attacker", "## Attack to defence", "## Lesson by lesson"] {
        assert!(md.contains(section), "{section}");
    }
    assert!(md.contains("| 3 | Rollback and freeze (`rollback-and-freeze`) | 6 (at 9′) |"), "{md}");
    assert!(md.contains("| 3 | replay an old timestamp |"), "{md}");
    assert!(md.contains("| Rollback: replaying older signed metadata | Versions never decrease"), "{md}");
    assert!(
        md.contains("| 12 | An attestation in a Sigstore bundle: whose signature, which artifact (`sigstore-bundle`) | 8 (at 60′) |"),
        "{md}"
    );
    assert!(md.contains("| 12 | tamper with the artifact |"), "{md}");
    assert!(
        md.contains("| Signing a release with one's own Sigstore identity | The identity policy"),
        "{md}"
    );
}

#[test]
fn a_lesson_without_a_terminal_prints_its_text() {
    let text = stdout(&["workshop", "bridge"]);
    assert!(text.starts_with("Lesson 10. TUF distributes in-toto"), "{text}");
    assert!(text.contains("Break it (in the TUI: b):"), "{text}");
    let text = stdout(&["workshop", "12"]);
    assert!(text.starts_with("Lesson 12. An attestation in a Sigstore bundle"), "{text}");
    assert!(text.contains("- tamper with the artifact: A mirror (no key at all)"), "{text}");
}

#[test]
fn an_unknown_lesson_is_a_usage_error() {
    let out = trailscope().args(["workshop", "42"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trailscope workshop --list"));
}

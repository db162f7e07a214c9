//! CLI conventions (issue #16): `-o FILE` on every command that renders a
//! report, `--color auto|always|never` with NO_COLOR and CLICOLOR_FORCE, no
//! progress line when stderr is not a terminal, and the configuration file
//! (`TRAILSCOPE_CONFIG`, `config --print-template`, `config --path`).

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// trailscope in the manifest directory, with no colour or config from the
/// environment of whoever runs the tests.
fn trailscope() -> Command {
    let mut c = Command::cargo_bin("trailscope").unwrap();
    c.current_dir(manifest()).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c.env("TRAILSCOPE_CONFIG", manifest().join("tests/no-such-config.toml"));
    c
}

const D: &str = "fixtures/intoto-demo/demo-supply-chain";

fn verify_args() -> Vec<String> {
    [
        "verify",
        "-l",
        &format!("{D}/root.layout"),
        "-k",
        &format!("{D}/keys/alice.pub.json"),
        "-d",
        &format!("{D}/links"),
        "--workdir",
        &format!("{D}/workdir"),
        "--at",
        "2026-01-01T00:00:00Z",
        "--skip-inspections",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn dash_o_writes_the_report_to_a_file_for_every_command_that_renders_one() {
    let tmp = tempfile::tempdir().unwrap();
    let d = "fixtures/interop/tuf/delegation-cycle";
    let tuf = |verb: &str| -> Vec<String> {
        [
            "tuf",
            verb,
            "--root",
            &format!("{d}/trusted_root.json"),
            "--metadata",
            &format!("{d}/repo/metadata"),
        ]
        .iter()
        .chain(&["--at", "2026-11-22T00:07:02Z"])
        .map(|s| s.to_string())
        .collect()
    };
    let b = "fixtures/interop/bridge/product-hash-mismatch";
    let scenario: Value =
        serde_json::from_slice(&std::fs::read(manifest().join(b).join("scenario.json")).unwrap()).unwrap();
    let bridge: Vec<String> = [
        "bridge",
        "verify",
        "--root",
        &format!("{b}/trusted_root.json"),
        "--metadata",
        &format!("{b}/repo/metadata"),
        "--targets",
        &format!("{b}/repo/targets"),
        "--target",
        scenario["inputs"]["target"].as_str().unwrap(),
        "--at",
        scenario["now"].as_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let demo: Vec<String> = ["demo", "act3-adversary"].iter().map(|s| s.to_string()).collect();
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("verify", verify_args(), "in-toto verification: PASS"),
        ("tuf-verify", tuf("verify"), "category: ok"),
        ("tuf-inspect", tuf("inspect"), "history"),
        ("bridge", bridge, "product-hash-mismatch"),
        ("demo", demo, "act3-adversary"),
    ];
    for (label, args, expect) in cases {
        let file = tmp.path().join(format!("{label}.md"));
        let out = trailscope().args(&args).args(["--format", "markdown", "-o"]).arg(&file).output().unwrap();
        assert!(out.stdout.is_empty(), "{label}: stdout holds nothing with -o");
        let md = std::fs::read_to_string(&file).unwrap();
        assert!(md.starts_with("# trailscope report"), "{label}: {md}");
        assert!(md.contains("## Checks performed"), "{label}");
        let file = tmp.path().join(format!("{label}.txt"));
        trailscope().args(&args).arg("-o").arg(&file).output().unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(expect), "{label}: {text}");
        assert!(!text.contains('\u{1b}'), "{label}: no colour in a file");
    }
    // report --input, and an -o that cannot be written (exit 3).
    let json = tmp.path().join("doc.json");
    trailscope().args(verify_args()).args(["--format", "json", "-o"]).arg(&json).assert().code(0);
    let md = tmp.path().join("again.md");
    trailscope().args(["report", "--input"]).arg(&json).arg("-o").arg(&md).assert().code(0).stdout("");
    assert!(std::fs::read_to_string(&md).unwrap().contains("## Inputs"));
    trailscope().args(verify_args()).args(["-o", "/nonexistent-dir/x.md"]).assert().code(3);
}

#[test]
fn color_follows_the_flag_then_clicolor_force_then_no_color() {
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut c = trailscope();
        c.args(verify_args()).args(extra);
        for (k, v) in env {
            c.env(k, v);
        }
        String::from_utf8(c.output().unwrap().stdout).unwrap()
    };
    let coloured = |s: &str| s.contains("\u{1b}[32m✔ pass\u{1b}[0m");
    assert!(!coloured(&run(&[], &[])), "auto: stdout is a pipe here");
    assert!(coloured(&run(&["--color", "always"], &[])));
    assert!(coloured(&run(&["--color", "always"], &[("NO_COLOR", "1")])), "the flag wins");
    assert!(!coloured(&run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")])));
    assert!(coloured(&run(&[], &[("CLICOLOR_FORCE", "1")])));
    assert!(!coloured(&run(&[], &[("CLICOLOR_FORCE", "0")])));
    let json = run(&["--color", "always", "--format", "json"], &[]);
    assert!(!json.contains('\u{1b}'), "JSON is never coloured");
    serde_json::from_str::<Value>(&json).unwrap();
}

#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let out = trailscope().args(verify_args()).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("trailscope: verifying"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn the_config_file_sets_strict_and_limits_and_flags_win() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, "strict = true\n[limits]\nmax_links = 1\n").unwrap();
    let with = || {
        let mut c = trailscope();
        c.env("TRAILSCOPE_CONFIG", &cfg);
        c
    };
    let out = with().args(verify_args()).args(["--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["category"], "limit-exceeded", "max_links = 1 from the file");
    let options = v["invocation"]["options"].as_array().unwrap();
    assert!(options.iter().any(|o| o["name"] == "strict" && o["value"] == "yes"), "{options:?}");
    let out = with().args(verify_args()).args(["--max-links", "10", "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "pass", "the flag wins over the file");

    // config --path names it; a broken file is refused, naming it.
    with().args(["config", "--path"]).assert().code(0).stdout(format!("{}\n", cfg.display()));
    std::fs::write(&cfg, "stric = true\n").unwrap();
    let out = with().args(verify_args()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&cfg.display().to_string()));
    // A key binding for an action that does not exist is refused too.
    std::fs::write(&cfg, "[keys]\nquit = \"x\"\nfly = \"y\"\n").unwrap();
    let out = with().args(verify_args()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[keys] fly"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn config_print_template_is_a_valid_config() {
    let out = trailscope().args(["config", "--print-template"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for setting in ["theme", "strict", "[limits]", "max_links", "[keys]"] {
        assert!(text.contains(setting), "{setting}");
    }
    assert_eq!(trailscope::config::Config::parse(&text).unwrap(), trailscope::config::Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, &text).unwrap();
    trailscope().env("TRAILSCOPE_CONFIG", &cfg).args(verify_args()).assert().code(0);
}

//! The user's configuration file: `config.toml` in the platform config
//! directory (`directories`; `$XDG_CONFIG_HOME/trailscope/config.toml` on
//! Linux), or the file `TRAILSCOPE_CONFIG` names. It sets the TUI theme, a
//! default `--strict`, the limits, and key bindings; flags on the command
//! line win. `trailscope config --print-template` prints a commented
//! template, `trailscope config --path` where the file is read from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The environment variable naming another config file.
pub const ENV: &str = "TRAILSCOPE_CONFIG";

/// Largest config file read.
const MAX_LEN: u64 = 1024 * 1024;

/// The settings; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// TUI theme: dark, light, high-contrast, mono or a user theme's name.
    pub theme: Option<String>,
    /// Treat weaknesses the references accept as errors, as `--strict` does.
    pub strict: bool,
    pub limits: Limits,
    /// Key bindings for the TUI: action name → key (`quit = "q"`).
    pub keys: BTreeMap<String, String>,
}

/// Defaults for the limit flags (a flag given on the command line wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_metadata_bytes: Option<u64>,
    pub max_links: Option<usize>,
    pub max_artifacts_per_link: Option<usize>,
    pub max_delegations: Option<usize>,
    pub inspection_timeout: Option<u64>,
}

/// A commented template with every setting (commented out: the built-in
/// defaults apply until a line is uncommented).
pub const TEMPLATE: &str = r#"# trailscope configuration (TOML).
# Read from the platform config directory (Linux: ~/.config/trailscope/config.toml)
# or from the file TRAILSCOPE_CONFIG names. Flags on the command line win.

# TUI colour theme: dark, light, high-contrast, mono, or a theme file's name
# from <config dir>/themes/NAME.toml. NO_COLOR selects mono.
# theme = "dark"

# Treat weaknesses the references accept as errors (as --strict does) in
# verify, tuf verify/inspect, bridge verify and demo.
# strict = false

[limits]
# Largest metadata, layout or link file read, in bytes (TUF: python-tuf's
# per-role limits when unset).
# max_metadata_bytes = 1073741824
# Most link files read, all steps and sublayouts together.
# max_links = 100000
# Most materials (and products) one link may list.
# max_artifacts_per_link = 10000000
# Most delegated roles visited per TUF target lookup.
# max_delegations = 32
# Seconds each in-toto inspection may run (with --run-inspections).
# inspection_timeout = 10

[keys]
# TUI key bindings: action (its label in the bottom bar) = key: a character,
# "Ctrl-x", "Enter", "Esc", "Tab", "Space" or "F1"…"F12".
# quit = "q"
# search = "/"
# export = "e"
"#;

/// Where the config file is read from: `TRAILSCOPE_CONFIG`, else the
/// platform config directory's `trailscope/config.toml`.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "trailscope").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Parses a config file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The config in effect: the file at [`path`], or the defaults when
    /// there is none. A file that exists but does not parse is an error
    /// (naming the file), never silently ignored.
    pub fn load() -> Result<Self, String> {
        let Some(path) = path() else { return Ok(Self::default()) };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read config file {}: {e}", path.display())),
        };
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_LEN), &mut text)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        assert_eq!(Config::parse(TEMPLATE).unwrap(), Config::default());
    }

    #[test]
    fn settings_are_read_and_unknown_ones_refused() {
        let c = Config::parse(
            "strict = true\ntheme = \"light\"\n[limits]\nmax_links = 5\n[keys]\nquit = \"x\"\n",
        )
        .unwrap();
        assert!(c.strict);
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.limits.max_links, Some(5));
        assert_eq!(c.keys["quit"], "x");
        assert!(Config::parse("stric = true").unwrap_err().contains("stric"));
    }
}

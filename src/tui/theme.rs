//! Themes: semantic roles (pass, fail, warn, expired, hash-mismatch,
//! suspicious, …) mapped to styles, read from TOML (DESIGN §6 "Themes").
//!
//! The built-in themes live in `themes/*.toml` and are embedded in the
//! binary. User themes come from `<config dir>/trailscope/themes/*.toml`
//! (honouring `XDG_CONFIG_HOME` on every platform); a user theme may name a
//! `parent` and override only some roles. `NO_COLOR` selects `mono`, which
//! uses modifiers only. Colour is never the only carrier of a status: every
//! status also has a glyph and a word.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes compiled into the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// The theme used when nothing is chosen.
pub const DEFAULT: &str = "dark";

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("unknown theme \"{name}\"; available: {available}")]
    Unknown { name: String, available: String },
    #[error("theme {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("theme \"{0}\": parent chain too deep or cyclic")]
    Cycle(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

macro_rules! roles {
    ($($field:ident => $name:literal : $doc:literal),* $(,)?) => {
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RoleSpecs {
            $(#[serde(rename = $name)] $field: Option<StyleSpec>,)*
        }

        /// A resolved theme: one style per semantic role.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(#[doc = $doc] pub $field: Style,)*
        }

        /// Every role a theme file may set, with what it is for.
        pub const ROLES: &[(&str, &str)] = &[$(($name, $doc)),*];

        impl RoleSpecs {
            fn apply(&self, theme: &mut Theme, origin: &str) -> Result<(), ThemeError> {
                $(if let Some(spec) = &self.$field { theme.$field = spec.style(origin, $name)?; })*
                Ok(())
            }
            fn missing(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(if self.$field.is_none() { out.push($name); })*
                out
            }
        }

        impl Theme {
            fn blank(name: &str) -> Self {
                Self { name: name.to_owned(), $($field: Style::default(),)* }
            }
        }
    };
}

roles! {
    base => "base": "ordinary text",
    muted => "muted": "secondary text, hints",
    title => "title": "pane titles and headings",
    border => "border": "pane borders",
    border_focus => "border-focus": "the border of the focused pane",
    selection => "selection": "the selected row",
    tab => "tab": "view tabs",
    tab_active => "tab-active": "the current view's tab",
    key => "key": "key names in the bottom bar and help",
    pass => "pass": "passed checks, valid signatures",
    fail => "fail": "failed checks, errors",
    warn => "warn": "warnings",
    info => "info": "informational findings",
    pending => "pending": "work not finished yet",
    expired => "expired": "expired metadata",
    hash_match => "hash-match": "digests that agree",
    hash_mismatch => "hash-mismatch": "digests that differ, first differing character",
    suspicious => "suspicious": "escaped control, bidi and invisible characters",
    search => "search": "search matches",
    status => "status": "the status line",
    error_text => "error-text": "error messages in the status line",
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    parent: Option<String>,
    #[serde(default)]
    roles: RoleSpecs,
}

impl StyleSpec {
    fn style(&self, origin: &str, role: &str) -> Result<Style, ThemeError> {
        let bad = |message: String| ThemeError::Invalid { origin: origin.to_owned(), message };
        let color = |s: &Option<String>| -> Result<Option<Color>, ThemeError> {
            s.as_deref()
                .map(|c| Color::from_str(c).map_err(|_| bad(format!("role {role}: unknown colour \"{c}\""))))
                .transpose()
        };
        let mut style = Style::default();
        if let Some(fg) = color(&self.fg)? {
            style = style.fg(fg);
        }
        if let Some(bg) = color(&self.bg)? {
            style = style.bg(bg);
        }
        for m in &self.modifiers {
            style = style.add_modifier(
                modifier(m).ok_or_else(|| bad(format!("role {role}: unknown modifier \"{m}\"")))?,
            );
        }
        Ok(style)
    }
}

fn modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        "crossed-out" => Modifier::CROSSED_OUT,
        _ => return None,
    })
}

/// Where themes come from: the embedded ones and a user directory.
#[derive(Debug, Clone, Default)]
pub struct ThemeSource {
    /// `<config dir>/trailscope/themes`, if any.
    pub user_dir: Option<PathBuf>,
}

impl ThemeSource {
    /// The user theme directory from the environment.
    pub fn from_env() -> Self {
        Self { user_dir: config_dir().map(|d| d.join("themes")) }
    }

    /// Names of all themes: built-in first, then the user's.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| (*n).to_owned()).collect();
        for name in self.user_files().into_keys() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    fn user_files(&self) -> BTreeMap<String, PathBuf> {
        let mut out = BTreeMap::new();
        let Some(dir) = &self.user_dir else { return out };
        let Ok(entries) = std::fs::read_dir(dir) else { return out };
        for entry in entries.flatten().take(1000) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                out.insert(stem.to_owned(), path);
            }
        }
        out
    }

    /// Loads a theme by name; a user file of the same name wins over the
    /// built-in one.
    pub fn load(&self, name: &str) -> Result<Theme, ThemeError> {
        self.load_depth(name, 0)
    }

    fn load_depth(&self, name: &str, depth: usize) -> Result<Theme, ThemeError> {
        if depth > 8 {
            return Err(ThemeError::Cycle(name.to_owned()));
        }
        let (text, origin, builtin) = if let Some(path) = self.user_files().get(name) {
            let text = read_small(path).map_err(|e| ThemeError::Invalid {
                origin: path.display().to_string(),
                message: e.to_string(),
            })?;
            (text, path.display().to_string(), false)
        } else if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            ((*text).to_owned(), format!("\"{name}\" (built in)"), true)
        } else {
            return Err(ThemeError::Unknown { name: name.to_owned(), available: self.names().join(", ") });
        };
        let file: ThemeFile = toml::from_str(&text)
            .map_err(|e| ThemeError::Invalid { origin: origin.clone(), message: e.to_string() })?;
        let parent = match (&file.parent, builtin) {
            (Some(p), _) if p == name && !builtin => Some(load_builtin(p)?),
            (Some(p), _) => Some(self.load_depth(p, depth + 1)?),
            (None, true) => None,
            (None, false) => Some(load_builtin(DEFAULT)?),
        };
        let mut theme = match parent {
            Some(p) => p,
            None => {
                let missing = file.roles.missing();
                if !missing.is_empty() {
                    let message = format!("missing roles: {}", missing.join(", "));
                    return Err(ThemeError::Invalid { origin, message });
                }
                Theme::blank(name)
            }
        };
        file.roles.apply(&mut theme, &origin)?;
        theme.name = file.name.unwrap_or_else(|| name.to_owned());
        Ok(theme)
    }

    /// The theme to use: `--theme` if given, else `mono` under `NO_COLOR`,
    /// else the default.
    pub fn select(&self, requested: Option<&str>, no_color: bool) -> Result<Theme, ThemeError> {
        match requested {
            Some(name) => self.load(name),
            None if no_color => self.load("mono"),
            None => self.load(DEFAULT),
        }
    }
}

/// A built-in theme (user files do not shadow it).
pub fn load_builtin(name: &str) -> Result<Theme, ThemeError> {
    ThemeSource::default().load(name)
}

/// `NO_COLOR` set to anything non-empty (no-color.org).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `$XDG_CONFIG_HOME/trailscope` when set (on every platform, as users of
/// terminal tools expect), else the platform's config directory.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        return Some(x.join("trailscope"));
    }
    directories::ProjectDirs::from("", "", "trailscope").map(|d| d.config_dir().to_path_buf())
}

fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?.take(256 * 1024).read_to_string(&mut text)?;
    Ok(text)
}

impl Default for Theme {
    fn default() -> Self {
        load_builtin(DEFAULT).unwrap_or_else(|_| Theme::blank(DEFAULT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses_and_sets_every_role() {
        for (name, text) in BUILTIN {
            let file: ThemeFile = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(file.roles.missing().is_empty(), "{name} misses {:?}", file.roles.missing());
            let theme = load_builtin(name).unwrap();
            assert_eq!(theme.name, *name);
        }
    }

    #[test]
    fn no_color_selects_mono_which_has_no_colours() {
        let theme = ThemeSource::default().select(None, true).unwrap();
        assert_eq!(theme.name, "mono");
        let all =
            [theme.pass, theme.fail, theme.warn, theme.selection, theme.suspicious, theme.hash_mismatch];
        for style in all {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn explicit_theme_wins_over_no_color() {
        let theme = ThemeSource::default().select(Some("light"), true).unwrap();
        assert_eq!(theme.name, "light");
    }

    #[test]
    fn user_theme_overrides_only_named_roles_and_unknown_roles_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "parent = \"light\"\n[roles]\nfail = { fg = \"#ff00ff\", modifiers = [\"bold\"] }\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("bad.toml"), "[roles]\nfial = { fg = \"red\" }\n").unwrap();
        let source = ThemeSource { user_dir: Some(dir.path().to_path_buf()) };
        let mine = source.load("mine").unwrap();
        let light = load_builtin("light").unwrap();
        assert_eq!(mine.fail, Style::default().fg(Color::Rgb(255, 0, 255)).add_modifier(Modifier::BOLD));
        assert_eq!(mine.pass, light.pass);
        assert!(source.names().contains(&"mine".to_owned()));
        let err = source.load("bad").unwrap_err().to_string();
        assert!(err.contains("fial"), "{err}");
        assert!(matches!(source.load("nope"), Err(ThemeError::Unknown { .. })));
    }
}

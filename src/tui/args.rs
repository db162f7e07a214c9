//! The TUI's command-line flags, for the CLI to flatten into the commands
//! that open the TUI (`trailscope`, `trailscope open …`):
//! `#[command(flatten)] tui: trailscope::tui::args::TuiArgs`.

use super::TuiOptions;

#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct TuiArgs {
    /// Colour theme: dark, light, high-contrast, mono, or a user theme from
    /// <config dir>/trailscope/themes/NAME.toml. NO_COLOR selects mono.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Capture the mouse (the wheel scrolls). Off by default so the
    /// terminal's own text selection keeps working.
    #[arg(long)]
    pub mouse: bool,
    /// Key bindings from the config file (not a flag).
    #[arg(skip)]
    pub keys: std::collections::BTreeMap<String, String>,
}

impl TuiArgs {
    /// Options for [`super::run`], with `NO_COLOR` read from the environment.
    pub fn options(&self) -> TuiOptions {
        TuiOptions {
            theme: self.theme.clone(),
            mouse: self.mouse,
            keys: self.keys.clone(),
            ..TuiOptions::from_env()
        }
    }
}

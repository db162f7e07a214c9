//! `trailscope config`: where the configuration file is read from
//! (`--path`), and a commented template (`--print-template`); and
//! [`apply`], which gives the commands the file's defaults (`strict`,
//! limits, theme) where the command line did not set them.

use clap::Args;

use super::{Command, Exit};
use crate::config::Config;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print a commented template with every setting.
    #[arg(long, conflicts_with = "path")]
    pub print_template: bool,
    /// Print the path the configuration file is read from.
    #[arg(long)]
    pub path: bool,
}

pub fn run(args: &ConfigArgs) -> Exit {
    if args.print_template {
        super::format::print(crate::config::TEMPLATE);
        return Exit::Ok;
    }
    match crate::config::path() {
        Some(p) => {
            let state = if p.is_file() { "" } else { " (absent: the defaults apply)" };
            super::format::print(&format!("{}{state}\n", p.display()));
            if !args.path {
                // Without a flag: also whether it parses.
                if let Err(e) = Config::load() {
                    eprintln!("trailscope config: {e}");
                    return Exit::Usage;
                }
            }
            Exit::Ok
        }
        None => {
            eprintln!(
                "trailscope config: no configuration directory on this platform; set {}",
                crate::config::ENV
            );
            Exit::Usage
        }
    }
}

/// Gives `command` the file's defaults: `strict`, and each limit still at
/// its built-in default (a flag given on the command line wins).
pub fn apply(command: &mut Command, cfg: &Config) {
    let l = &cfg.limits;
    let link_limits = |ll: &mut super::verify::LinkLimits| {
        if ll.max_links == crate::intoto::MAX_LINKS {
            ll.max_links = l.max_links.unwrap_or(ll.max_links);
        }
        if ll.max_artifacts_per_link == crate::intoto::MAX_ARTIFACTS_PER_LINK {
            ll.max_artifacts_per_link = l.max_artifacts_per_link.unwrap_or(ll.max_artifacts_per_link);
        }
    };
    let tuf_limits = |tl: &mut super::tuf::TufLimits| {
        tl.max_metadata_bytes = tl.max_metadata_bytes.or(l.max_metadata_bytes);
        if tl.max_delegations == 32 {
            tl.max_delegations = l.max_delegations.unwrap_or(tl.max_delegations);
        }
    };
    let timeout = |t: &mut u64| {
        if *t == 10 {
            *t = l.inspection_timeout.unwrap_or(*t);
        }
    };
    match command {
        Command::Verify(a) => {
            let i = &mut a.inputs;
            i.strict |= cfg.strict;
            if i.max_metadata_bytes == crate::intoto::metadata::MAX_METADATA_BYTES {
                i.max_metadata_bytes = l.max_metadata_bytes.unwrap_or(i.max_metadata_bytes);
            }
            link_limits(&mut i.link_limits);
            timeout(&mut i.inspection_timeout);
        }
        Command::Tuf(t) => {
            let (super::tuf::TufCommand::Verify(a) | super::tuf::TufCommand::Inspect(a)) = &mut t.command;
            a.repo.strict |= cfg.strict;
            tuf_limits(&mut a.repo.limits);
        }
        Command::Bridge(b) => {
            let super::bridge::BridgeCommand::Verify(a) = &mut b.command;
            a.strict |= cfg.strict;
            tuf_limits(&mut a.limits);
            link_limits(&mut a.link_limits);
            timeout(&mut a.inspection_timeout);
        }
        Command::Demo(d) => d.strict |= cfg.strict,
        Command::Open(o) => {
            o.strict |= cfg.strict;
            if o.tui.theme.is_none() {
                o.tui.theme = cfg.theme.clone();
            }
            o.tui.keys = cfg.keys.clone();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parsed(args: &[&str]) -> Command {
        super::super::Cli::try_parse_from(args).unwrap().command.unwrap()
    }

    #[test]
    fn the_file_sets_defaults_and_flags_win() {
        let cfg = Config::parse("strict = true\n[limits]\nmax_links = 7\nmax_delegations = 3\n").unwrap();
        let mut c = parsed(&["trailscope", "verify", "-l", "x", "-k", "k", "--max-links", "9"]);
        apply(&mut c, &cfg);
        let Command::Verify(a) = c else { panic!() };
        assert!(a.inputs.strict);
        assert_eq!(a.inputs.link_limits.max_links, 9, "the flag wins");
        let mut c = parsed(&["trailscope", "tuf", "verify", "--root", "r", "--metadata", "m"]);
        apply(&mut c, &cfg);
        let Command::Tuf(t) = c else { panic!() };
        let super::super::tuf::TufCommand::Verify(a) = t.command else { panic!() };
        assert!(a.repo.strict);
        assert_eq!(a.repo.limits.max_delegations, 3);
    }
}

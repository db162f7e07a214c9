//! `trailscope sigstore-client`: the client command line of the
//! sigstore-conformance suite (`docs/cli_protocol.md`). `verify-bundle`
//! runs `attest verify` (exit 0 verified, 1 anything else); `sign-bundle`
//! answers that trailscope does not sign. Hidden from `--help`.

use clap::{Args, Subcommand};

use super::Exit;
use super::attest::VerifyArgs;
use super::format::Format;

#[derive(Debug, Args)]
pub struct SigstoreClientArgs {
    #[command(subcommand)]
    pub command: ClientCommand,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Verify a bundle (the protocol's verify-bundle).
    VerifyBundle(Box<VerifyArgs>),
    /// Signing is not supported: exits 1 with a message.
    #[command(disable_help_flag = true)]
    SignBundle {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    },
}

pub fn run(args: &SigstoreClientArgs) -> Exit {
    match &args.command {
        ClientCommand::VerifyBundle(a) => {
            let mut a = (**a).clone();
            a.format = Format::Text;
            let (docs, inputs) = match super::attest::verify_all(&a, "sigstore-client verify-bundle") {
                Ok(x) => x,
                // The protocol knows 0 and 1 only.
                Err(_) => return Exit::Failed,
            };
            let text = super::attest::render(&docs, Format::Text, &inputs);
            eprint!("{text}");
            if docs.iter().all(|d| d.verdict == crate::verdict::Verdict::Pass) {
                Exit::Ok
            } else {
                Exit::Failed
            }
        }
        ClientCommand::SignBundle { .. } => {
            eprintln!("trailscope sigstore-client: signing is not supported (trailscope verifies only)");
            Exit::Failed
        }
    }
}

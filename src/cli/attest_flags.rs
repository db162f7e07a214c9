//! The flags `attest verify` and `open` share for a Sigstore bundle: the
//! identity policy, the key, where the trusted root comes from, and the
//! provenance policy. Each command flattens this one struct (`attest verify`
//! adds its required `--bundle` and positional artifact, `open` its
//! `--artifact`), and both hand it to `sigstore::prepare`.

use std::path::PathBuf;

use clap::Args;

use crate::sigstore::prepare::Request;

#[derive(Debug, Clone, Default, Args)]
pub struct AttestFlags {
    /// The signer's identity (certificate SAN), exactly.
    #[arg(long, value_name = "ID", conflicts_with = "certificate_identity_regexp")]
    pub certificate_identity: Option<String>,
    /// The signer's identity as an anchored regular expression.
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer in the certificate.
    #[arg(long, value_name = "URL", conflicts_with = "certificate_oidc_issuer_regexp")]
    pub certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer as an anchored regular expression (a certificate
    /// without an issuer is matched as the empty string).
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// A public key (PEM) for keyed bundles, instead of an identity.
    #[arg(long, value_name = "PEM", conflicts_with_all = ["certificate_identity", "certificate_identity_regexp"])]
    pub key: Option<PathBuf>,
    /// A trusted_root.json to use instead of Sigstore's.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Sigstore's staging instance instead of production.
    #[arg(long)]
    pub staging: bool,
    /// A local copy of Sigstore's TUF repository (a directory with metadata/
    /// and targets/, or a URL) to obtain trusted_root.json from, at --at.
    #[arg(long, value_name = "DIR|URL", conflicts_with = "trusted_root")]
    pub tuf_metadata: Option<String>,
    /// Never go to the network for the trusted root: use the repository
    /// snapshot embedded in trailscope (also TRAILSCOPE_OFFLINE=1).
    #[arg(long, conflicts_with = "trusted_root")]
    pub offline: bool,
    /// Provenance: the source repository (SLSA externalParameters / configSource).
    #[arg(long, value_name = "R")]
    pub source_repository: Option<String>,
    /// Provenance: the source ref (e.g. refs/tags/v1.0.0).
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// Provenance: the builder id.
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// The Statement's predicate type.
    #[arg(long, value_name = "URI")]
    pub predicate_type: Option<String>,
}

impl AttestFlags {
    /// The request `sigstore::prepare` reads, with the artifact argument.
    pub fn request(&self, artifact: Option<String>) -> Request {
        Request {
            certificate_identity: self.certificate_identity.clone(),
            certificate_identity_regexp: self.certificate_identity_regexp.clone(),
            certificate_oidc_issuer: self.certificate_oidc_issuer.clone(),
            certificate_oidc_issuer_regexp: self.certificate_oidc_issuer_regexp.clone(),
            key: self.key.clone(),
            trusted_root: self.trusted_root.clone(),
            staging: self.staging,
            tuf_metadata: self.tuf_metadata.clone(),
            offline: self.offline,
            source_repository: self.source_repository.clone(),
            source_ref: self.source_ref.clone(),
            builder_id: self.builder_id.clone(),
            predicate_type: self.predicate_type.clone(),
            artifact,
        }
    }
}

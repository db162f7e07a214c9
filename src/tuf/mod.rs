//! TUF: typed metadata, the trusted-metadata state machine of the client
//! workflow (spec v1.0.34 §5), delegation search, repository sources, the
//! local state directory, and reports over them.
//!
//! The reference is python-tuf 7.0 `ngclient` (`TrustedMetadataSet`,
//! `Updater`); its order of checks decides the category a failure gets.

pub mod error;
mod fast;
mod in_place;
pub mod inspect;
pub mod metadata;
pub mod pattern;
pub mod report;
pub mod role_targets;
pub mod session;
pub mod source;
pub mod state;
pub mod target_map;
pub mod trusted_set;
pub mod updater;
pub mod verify;

pub use error::{Category, TufError};
pub use metadata::{Metadata, RoleType, TargetFile};
pub use role_targets::RoleTargets;
pub use source::{DirSource, FetchError, HttpSource, MemorySource, Source, quote};
pub use state::StateDir;
pub use target_map::TargetMap;
pub use trusted_set::{TimestampUpdate, Trusted, TrustedSet};
pub use updater::{AuditedRole, Config, Lookup, Updater};
pub use verify::VerificationResult;

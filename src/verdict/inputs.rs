//! What a run was given, as evidence (DESIGN §4, schema_version 2): the
//! command line, every input file with its path, size and sha256 (or, for
//! the thousands of delegated roles of a large TUF audit, one summarized
//! group: how many files and their total size), the trust anchor the run
//! started from, and the options that changed the verdict. Recorded by the
//! command that read the inputs, from the bytes it read; kept in the
//! [`super::Document`] so a saved JSON document renders the same report.

use serde::{Deserialize, Serialize};

/// One input file (or one summarized group of files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// What the file is to the run: `layout`, `layout key`, `link`,
    /// `trusted root`, `root`, `timestamp`, `target`, ….
    pub role: String,
    /// The path (or URL) as the run named it.
    pub path: String,
    /// Bytes (for a group: all its files together).
    pub size: u64,
    /// Lowercase hex; absent for a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A group: how many files it stands for (not hashed one by one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
}

impl InputFile {
    /// A file whose bytes the run read: size and sha256 of those bytes.
    pub fn of_bytes(role: impl Into<String>, path: impl Into<String>, bytes: &[u8]) -> Self {
        Self {
            role: role.into(),
            path: path.into(),
            size: bytes.len() as u64,
            sha256: Some(crate::crypto::digest::sha256_hex(bytes)),
            files: None,
        }
    }

    /// A file known by its verified length and sha256 (a TUF target whose
    /// download was checked against both).
    pub fn verified(
        role: impl Into<String>,
        path: impl Into<String>,
        size: u64,
        sha256: Option<String>,
    ) -> Self {
        Self { role: role.into(), path: path.into(), size, sha256, files: None }
    }

    /// `files` files of one kind, `size` bytes in all, not hashed one by one.
    pub fn group(role: impl Into<String>, path: impl Into<String>, files: u64, size: u64) -> Self {
        Self { role: role.into(), path: path.into(), size, sha256: None, files: Some(files) }
    }
}

/// The trust anchor: what the run trusted without verifying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustAnchor {
    /// `trusted root` (TUF, bridge) or `layout keys` (in-toto).
    pub what: String,
    pub files: Vec<String>,
    /// The trusted root's version (TUF, bridge).
    pub root_version: Option<u64>,
}

/// One option of the run, labelled for people (`strict: no`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOption {
    pub name: String,
    pub value: String,
}

/// How the run was started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invocation {
    /// The command line, raw (every face sanitizes it).
    pub command_line: Vec<String>,
    /// The options that shape the verdict, labelled.
    #[serde(default)]
    pub options: Vec<RunOption>,
    pub trust_anchor: Option<TrustAnchor>,
}

impl Invocation {
    /// This process's command line, with `options`. The program is named
    /// `trailscope` whatever path started it (reports stay comparable).
    pub fn of_process(options: &super::Inputs) -> Self {
        let args = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned());
        Self {
            command_line: std::iter::once("trailscope".to_owned()).chain(args).collect(),
            options: options.entries().map(|(n, v)| RunOption { name: n.into(), value: v.into() }).collect(),
            trust_anchor: None,
        }
    }

    /// The command line as one line (arguments with spaces quoted), raw.
    pub fn command_text(&self) -> String {
        self.command_line
            .iter()
            .map(|a| {
                if a.is_empty() || a.contains([' ', '\'', '"']) {
                    format!("'{}'", a.replace('\'', "'\\''"))
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_recorded_with_the_sha256_of_its_bytes() {
        let f = InputFile::of_bytes("layout", "root.layout", b"abc");
        assert_eq!(f.size, 3);
        assert_eq!(
            f.sha256.as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }

    #[test]
    fn arguments_with_spaces_are_quoted() {
        let i = Invocation { command_line: vec!["trailscope".into(), "a b".into()], ..Default::default() };
        assert_eq!(i.command_text(), "trailscope 'a b'");
    }
}

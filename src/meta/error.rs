//! Errors for malformed metadata: they name the file and the JSON pointer of
//! what is wrong, so a user can find the offending member.

use std::fmt;

/// Where in which file something was found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The file as the user named it (or a label such as `<embedded>/root.json`).
    pub file: String,
    /// RFC 6901 pointer into the JSON document; empty for the whole document.
    pub pointer: String,
}

impl Location {
    pub fn new(file: impl Into<String>, pointer: impl Into<String>) -> Self {
        Self { file: file.into(), pointer: pointer.into() }
    }

    /// The same file, one member deeper.
    pub fn child(&self, token: &str) -> Self {
        let mut pointer = self.pointer.clone();
        pointer.push('/');
        super::canonical::push_pointer_token(&mut pointer, token);
        Self { file: self.file.clone(), pointer }
    }

    pub fn index(&self, i: usize) -> Self {
        Self { file: self.file.clone(), pointer: format!("{}/{}", self.pointer, i) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{} at {}", self.file, self.pointer)
        }
    }
}

/// Malformed or unreadable metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct MetaError {
    pub location: Location,
    pub message: String,
}

impl MetaError {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self { location, message: message.into() }
    }
}

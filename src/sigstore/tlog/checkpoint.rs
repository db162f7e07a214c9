//! Checkpoints as C2SP signed notes (`signed-note.md`, `tlog-checkpoint.md`):
//! `origin\nsize\nbase64(root)\n[extension lines]\n`, a blank line, then
//! signature lines `— <name> <base64(key hint[4] ‖ signature)>\n`. The
//! signature is over the note text up to and including the newline before
//! the blank line.

use super::super::bundle::decode_base64;

/// The largest checkpoint read.
pub const MAX_CHECKPOINT_BYTES: usize = 64 * 1024;
/// At most this many signature lines (log + witnesses).
pub const MAX_SIGNATURES: usize = 100;

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_hint: [u8; 4],
    pub signature: Vec<u8>,
}

/// A parsed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root_hash: Vec<u8>,
    pub extensions: Vec<String>,
    /// The signed text.
    pub body: String,
    pub signatures: Vec<NoteSignature>,
}

impl Checkpoint {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_CHECKPOINT_BYTES {
            return Err(format!("checkpoint of {} bytes exceeds {MAX_CHECKPOINT_BYTES}", text.len()));
        }
        let (body, sigs) =
            text.split_once("\n\n").ok_or("no blank line between the note text and its signatures")?;
        let body = format!("{body}\n");
        let mut lines = body.lines();
        let origin = lines.next().filter(|l| !l.is_empty()).ok_or("the origin line is missing")?.to_owned();
        let size_line = lines.next().ok_or("the tree size line is missing")?;
        let size = size_line
            .parse::<u64>()
            .ok()
            .filter(|_| size_line.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("tree size \"{size_line}\" is not a decimal number"))?;
        let root_line = lines.next().ok_or("the root hash line is missing")?;
        let root_hash = decode_base64(root_line)
            .filter(|r| r.len() == 32)
            .ok_or_else(|| format!("root hash \"{root_line}\" is not 32 bytes of base64"))?;
        let extensions = lines.map(str::to_owned).collect();
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            if line.is_empty() {
                continue;
            }
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                return Err(format!("\"{line}\" is not a signature line"));
            };
            let (name, b64) =
                rest.rsplit_once(' ').ok_or_else(|| format!("signature line \"{line}\" has no signature"))?;
            let raw = decode_base64(b64)
                .filter(|r| r.len() > 4)
                .ok_or_else(|| format!("signature of {name} is not base64"))?;
            if signatures.len() >= MAX_SIGNATURES {
                return Err(format!("more than {MAX_SIGNATURES} signature lines"));
            }
            let mut key_hint = [0u8; 4];
            key_hint.copy_from_slice(&raw[..4]);
            signatures.push(NoteSignature { name: name.to_owned(), key_hint, signature: raw[4..].to_vec() });
        }
        if signatures.is_empty() {
            return Err("the checkpoint has no signature line".into());
        }
        Ok(Self { origin, size, root_hash, extensions, body, signatures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_rekor_v1_checkpoint_with_an_extension_line() {
        let text = "rekor.sigstore.dev - 2605736670972794746\n23083062\ndauhleYK4YyAdxwwDtR0l0KnSOWZdG2bwqHftlanvcI=\nTimestamp: 1689177396617352539\n\n\u{2014} rekor.sigstore.dev wNI9ajBFAiBxaGyEtxkzFLkaCSEJqFuSS3dJjEZCNiyByVs1CNVQ8gIhAOoNnXtmMtTctV2oRnSRUZAo4EWUYPK/vBsqOzAU6TMs\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!(c.size, 23083062);
        assert_eq!(c.extensions, vec!["Timestamp: 1689177396617352539"]);
        assert_eq!(c.signatures[0].key_hint, [0xc0, 0xd2, 0x3d, 0x6a]);
        assert!(c.body.ends_with("352539\n"));
    }

    #[test]
    fn missing_lines_do_not_parse() {
        assert!(
            Checkpoint::parse("736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u{2014} a AAAAAAAA\n")
                .is_err()
        );
        assert!(Checkpoint::parse("o\n736\n\n\u{2014} a AAAAAAAA\n").is_err());
        assert!(Checkpoint::parse("o\n736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n").is_err());
    }
}

//! The signed-JSON envelope shared by TUF metadata and in-toto's legacy
//! "Metablock": `{"signed": {...}, "signatures": [{"keyid", "sig"}]}`.
//!
//! `signed` is kept as the parsed JSON value so its canonical form covers
//! every member, unknown ones included (TUF spec §4: unknown attributes are
//! part of what is signed).

use serde_json::{Map, Value};

use super::canonical;
use super::error::{Location, MetaError};
use super::json::{Obj, type_error};

/// One entry of `signatures`.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub keyid: String,
    /// The signature as written: hex in TUF and Metablocks.
    pub sig: String,
    /// Members other than `keyid`/`sig` (e.g. GPG `other_headers`, tuf-on-ci `bundle`).
    pub extra: Map<String, Value>,
    pub location: Location,
}

impl Signature {
    /// The raw signature bytes, decoded from hex.
    pub fn sig_bytes(&self) -> Result<Vec<u8>, MetaError> {
        // Into a buffer of the decoded length: the same checks in the same
        // order as `hex::decode` (odd length first, then the first bad
        // digit), without its iterator of results per byte pair (an audit
        // decodes every bin's signature twice).
        let mut bytes = vec![0; self.sig.len() / 2];
        hex::decode_to_slice(&self.sig, &mut bytes)
            .map(|()| bytes)
            .map_err(|e| MetaError::new(self.location.child("sig"), format!("signature is not hex: {e}")))
    }
}

/// A parsed `{"signed", "signatures"}` document.
#[derive(Debug, Clone)]
pub struct SignedEnvelope {
    pub signed: Value,
    pub signatures: Vec<Signature>,
    /// Members beside `signed` and `signatures`.
    pub extra: Map<String, Value>,
    pub file: String,
}

impl SignedEnvelope {
    /// Reads an envelope from an already parsed document.
    pub fn from_value(doc: Value, file: &str) -> Result<Self, MetaError> {
        let root = Location::new(file, "");
        let Value::Object(mut map) = doc else {
            return Err(type_error(root, "an object with \"signed\" and \"signatures\"", &doc));
        };
        let signed =
            map.remove("signed").ok_or_else(|| MetaError::new(root.clone(), "missing member \"signed\""))?;
        if !signed.is_object() {
            return Err(type_error(root.child("signed"), "an object", &signed));
        }
        let sigs_value = map
            .remove("signatures")
            .ok_or_else(|| MetaError::new(root.clone(), "missing member \"signatures\""))?;
        let sigs_at = root.child("signatures");
        let Value::Array(items) = sigs_value else {
            return Err(type_error(sigs_at, "an array", &sigs_value));
        };
        let mut signatures = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = sigs_at.index(i);
            let obj = Obj::new(item, at.clone())?;
            let keyid = obj.str("keyid")?.to_owned();
            // GPG signatures carry `signature` instead of `sig`.
            let sig = match obj.opt_str("sig")? {
                Some(s) => s.to_owned(),
                None => obj.str("signature")?.to_owned(),
            };
            let extra = obj
                .map
                .iter()
                .filter(|(k, _)| k.as_str() != "keyid" && k.as_str() != "sig")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            signatures.push(Signature { keyid, sig, extra, location: at });
        }
        Ok(Self { signed, signatures, extra: map, file: file.to_owned() })
    }

    /// Parses an envelope from file bytes.
    pub fn from_slice(bytes: &[u8], file: &str) -> Result<Self, MetaError> {
        Self::from_value(super::json::parse(bytes, file)?, file)
    }

    /// The bytes the signers signed: canonical JSON of `signed`.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, MetaError> {
        let mut out = Vec::with_capacity(1024);
        self.signed_bytes_into(&mut out)?;
        Ok(out)
    }

    /// Like [`Self::signed_bytes`], into a reused buffer (cleared first).
    pub fn signed_bytes_into(&self, out: &mut Vec<u8>) -> Result<(), MetaError> {
        out.clear();
        canonical::encode_into(&self.signed, out).map_err(|e| match e {
            canonical::CanonicalError::NotAnInteger { pointer, number } => MetaError::new(
                Location::new(&self.file, format!("/signed{pointer}")),
                format!("{number} is not an integer; canonical JSON allows integers only"),
            ),
        })
    }

    /// `signed._type`, if it is a string.
    pub fn signed_type(&self) -> Option<&str> {
        self.signed.get("_type").and_then(Value::as_str)
    }

    /// Location of the `signed` object in the file.
    pub fn signed_location(&self) -> Location {
        Location::new(&self.file, "/signed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_bytes_and_errors_are_hex_decodes() {
        for sig in [
            "",
            "00ff",
            "A0b1",
            "abc",
            "zz00",
            "00zz",
            "0g",
            "ab\u{e9}0",
            "a\u{e9}0",
            "0011223344556677",
            "1",
        ] {
            let s = Signature {
                keyid: "k".into(),
                sig: sig.into(),
                extra: Map::new(),
                location: Location::new("f.json", "/signatures/0"),
            };
            let ours = s.sig_bytes().map_err(|e| e.to_string());
            let theirs = hex::decode(sig).map_err(|e| {
                MetaError::new(s.location.child("sig"), format!("signature is not hex: {e}")).to_string()
            });
            assert_eq!(ours, theirs, "{sig:?}");
        }
    }

    #[test]
    fn keeps_unknown_members_in_signed_bytes() {
        let env = SignedEnvelope::from_slice(
            br#"{"signatures":[{"keyid":"ab","sig":"00"}],"signed":{"x-extra":1,"_type":"root"}}"#,
            "root.json",
        )
        .unwrap();
        assert_eq!(env.signed_bytes().unwrap(), br#"{"_type":"root","x-extra":1}"#);
        assert_eq!(env.signatures[0].keyid, "ab");
    }

    #[test]
    fn missing_signatures_names_file() {
        let err = SignedEnvelope::from_slice(br#"{"signed":{}}"#, "t.json").unwrap_err();
        assert_eq!(err.to_string(), "t.json: missing member \"signatures\"");
    }

    #[test]
    fn wrong_signature_type_names_pointer() {
        let err =
            SignedEnvelope::from_slice(br#"{"signed":{},"signatures":[{"keyid":1,"sig":"a"}]}"#, "t.json")
                .unwrap_err();
        assert_eq!(err.to_string(), "t.json at /signatures/0/keyid: expected a string, found an integer");
    }
}

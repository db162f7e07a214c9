//! DSSE envelopes (ITE-5): `{"payloadType", "payload" (base64), "signatures"}`
//! and the pre-authentication encoding (PAE) that signers sign.

use base64::Engine as _;
use serde_json::Value;

use super::error::{Location, MetaError};
use super::json::{Obj, type_error};

/// The payload type in-toto uses for links and layouts.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, PartialEq)]
pub struct DsseSignature {
    pub keyid: String,
    /// Base64 as written.
    pub sig: String,
    pub location: Location,
}

impl DsseSignature {
    pub fn sig_bytes(&self) -> Result<Vec<u8>, MetaError> {
        decode_base64(&self.sig)
            .ok_or_else(|| MetaError::new(self.location.child("sig"), "signature is not valid base64"))
    }
}

#[derive(Debug, Clone)]
pub struct DsseEnvelope {
    pub payload_type: String,
    /// The decoded payload: exactly the bytes that were signed, never re-serialized.
    pub payload: Vec<u8>,
    pub signatures: Vec<DsseSignature>,
    pub file: String,
}

impl DsseEnvelope {
    pub fn from_value(doc: &Value, file: &str) -> Result<Self, MetaError> {
        let obj = Obj::new(doc, Location::new(file, ""))?;
        let payload_type = obj.str("payloadType")?.to_owned();
        let payload_b64 = obj.str("payload")?;
        let payload = decode_base64(payload_b64)
            .ok_or_else(|| MetaError::new(obj.at.child("payload"), "payload is not valid base64"))?;
        let sigs_at = obj.at.child("signatures");
        let items = obj.array("signatures")?;
        let mut signatures = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = sigs_at.index(i);
            let sig_obj = Obj::new(item, at.clone())?;
            let keyid = match sig_obj.get("keyid") {
                None => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => return Err(type_error(at.child("keyid"), "a string", other)),
            };
            let sig = sig_obj.str("sig")?.to_owned();
            signatures.push(DsseSignature { keyid, sig, location: at });
        }
        Ok(Self { payload_type, payload, signatures, file: file.to_owned() })
    }

    /// The bytes each signature covers.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// The payload parsed as JSON.
    pub fn payload_json(&self) -> Result<Value, MetaError> {
        super::json::parse(&self.payload, &format!("{} (DSSE payload)", self.file))
    }
}

/// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Standard base64, padded or not, as DSSE implementations write it;
/// URL-safe alphabet accepted too (the DSSE spec allows either).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn bad_base64_payload_is_an_error() {
        let doc = serde_json::json!({"payloadType": "x", "payload": "!!", "signatures": []});
        let err = DsseEnvelope::from_value(&doc, "a.link").unwrap_err();
        assert_eq!(err.to_string(), "a.link at /payload: payload is not valid base64");
    }
}

//! The fast path of [`super::metadata::parse`]: one typed pass over the
//! bytes that reads `signed.targets` straight into a [`TargetMap`] (no JSON
//! tree for the bulk of a bin), plus one streaming pass for the canonical
//! bytes ([`crate::meta::stream::canonicalize_member`]).
//!
//! It only has to be right when it succeeds: on any failure the caller runs
//! the general path, which decides what the error is. Every check of the
//! general path is made here too (the same functions run on the small
//! members), so both accept the same documents with the same result.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::target_map::{RawHashes, RawTarget, TargetMap, lower_hex_32};

/// The document split the way the fast path needs it.
pub(crate) struct Split {
    /// The document with `signed.targets` taken out.
    pub doc: Value,
    /// `signed.targets`, if present and shaped as a targets map.
    pub targets: Option<TargetMap>,
}

/// Reads `bytes`; `None` when anything is off (the general path then decides).
pub(crate) fn split(bytes: &[u8]) -> Option<Split> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let out = DocSeed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(out)
}

struct DocSeed;

impl<'de> DeserializeSeed<'de> for DocSeed {
    type Value = Split;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Split, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed {
    type Value = Split;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a metadata document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Split, A::Error> {
        let mut doc = Map::new();
        let mut targets = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "signed" {
                let (signed, t) = map.next_value_seed(SignedSeed)?;
                doc.insert(key, Value::Object(signed));
                targets = t;
            } else {
                let v: Value = map.next_value()?;
                doc.insert(key, v);
            }
        }
        Ok(Split { doc: Value::Object(doc), targets })
    }
}

struct SignedSeed;

impl<'de> DeserializeSeed<'de> for SignedSeed {
    type Value = (Map<String, Value>, Option<TargetMap>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SignedSeed {
    type Value = (Map<String, Value>, Option<TargetMap>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut signed = Map::new();
        let mut targets = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "targets" {
                targets = Some(map.next_value_seed(TargetsSeed)?);
            } else {
                let v: Value = map.next_value()?;
                signed.insert(key, v);
            }
        }
        Ok((signed, targets))
    }
}

struct TargetsSeed;

impl<'de> DeserializeSeed<'de> for TargetsSeed {
    type Value = TargetMap;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TargetMap, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TargetsSeed {
    type Value = TargetMap;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of targets")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TargetMap, A::Error> {
        let mut raw: Vec<(String, RawTarget)> = Vec::with_capacity(map.size_hint().unwrap_or(64));
        while let Some(path) = map.next_key::<String>()? {
            let t = map.next_value_seed(TargetSeed)?;
            raw.push((path, t));
        }
        Ok(TargetMap::from_raw(raw))
    }
}

/// A member name of a target entry, without allocating.
enum Field {
    Length,
    Hashes,
    Custom,
    Other,
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Field, E> {
                Ok(match s {
                    "length" => Field::Length,
                    "hashes" => Field::Hashes,
                    "custom" => Field::Custom,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

struct TargetSeed;

impl<'de> DeserializeSeed<'de> for TargetSeed {
    type Value = RawTarget;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawTarget, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TargetSeed {
    type Value = RawTarget;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a target")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTarget, A::Error> {
        let (mut length, mut hashes, mut custom) = (None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                // The last duplicate wins, as in a JSON object read into a map.
                Field::Length => length = Some(map.next_value::<u64>()?),
                Field::Hashes => hashes = Some(map.next_value_seed(HashesSeed)?),
                Field::Custom => custom = Some(map.next_value::<Value>()?),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let length = length.ok_or_else(|| de::Error::missing_field("length"))?;
        let hashes = hashes.ok_or_else(|| de::Error::missing_field("hashes"))?;
        Ok(RawTarget { length, hashes, custom })
    }
}

struct HashesSeed;

impl<'de> DeserializeSeed<'de> for HashesSeed {
    type Value = RawHashes;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HashesSeed {
    type Value = RawHashes;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-empty map of digests")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // The usual case, one sha256, is kept without allocating.
        let Some((alg, digest)) = map.next_entry::<Str<'de>, Str<'de>>()? else {
            return Err(de::Error::custom("hashes must be a non-empty object"));
        };
        let Some((alg2, digest2)) = map.next_entry::<Str<'de>, Str<'de>>()? else {
            if alg.0 == "sha256"
                && let Some(bytes) = lower_hex_32(&digest.0)
            {
                return Ok(RawHashes::Sha256(bytes));
            }
            return Ok(RawHashes::Pairs(vec![(alg.0.into_owned(), digest.0.into_owned())]));
        };
        let mut out =
            vec![(alg.0.into_owned(), digest.0.into_owned()), (alg2.0.into_owned(), digest2.0.into_owned())];
        while let Some((a, d)) = map.next_entry::<Str<'de>, Str<'de>>()? {
            out.push((a.0.into_owned(), d.0.into_owned()));
        }
        Ok(RawHashes::Pairs(out))
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Str<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

//! in-toto metadata as typed data: layout, step, inspection, link (spec §4.3,
//! §4.4; python `in_toto/models/layout.py`, `link.py`). Parsing validates what
//! python in-toto 3.1 validates when it loads a file, so a document python
//! rejects as malformed is malformed here too (`metadata-invalid`). The raw
//! JSON is kept: signatures are checked over it, unknown members included.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::meta::canonical::ExactIntegers;

use super::rule::ArtifactRule;
use crate::crypto::PublicKey;

/// Hash algorithm name → hex digest, compared like python's dict equality.
///
/// A link holds one of these per artifact (hundreds of thousands in large
/// links), and nearly all are a single SHA-256 in lowercase hex: that case
/// is kept inline as the 32 digest bytes, with no allocation; anything else
/// (other algorithms, several, uppercase or odd hex) is a short sorted list
/// of the strings as written. Each content has exactly one representation,
/// so the derived equality is python's dict equality.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HashDict(Repr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `{"sha256": <64 lowercase hex digits>}`.
    Sha256([u8; 32]),
    /// Every other content, sorted by algorithm.
    List(Box<[Pair]>),
}

type Pair = (Box<str>, Box<str>);

const SHA256: &str = "sha256";

impl Default for HashDict {
    fn default() -> Self {
        Self::new()
    }
}

impl HashDict {
    pub fn new() -> Self {
        Self(Repr::List(Box::default()))
    }

    /// `{"sha256": hex}` when `hex` is 64 lowercase hex digits (the inline form).
    pub fn sha256_lower_hex(hex: &[u8]) -> Option<Self> {
        lower_hex_32(hex).map(|d| Self(Repr::Sha256(d)))
    }

    fn inline(alg: &str, hex: &str) -> Option<Self> {
        if alg != SHA256 {
            return None;
        }
        lower_hex_32(hex.as_bytes()).map(|d| Self(Repr::Sha256(d)))
    }

    /// Sets `alg` to `hex`, replacing an earlier value (python: the last key wins).
    pub fn insert(&mut self, alg: impl Into<Box<str>> + AsRef<str>, hex: impl Into<Box<str>> + AsRef<str>) {
        if self.is_empty()
            && let Some(one) = Self::inline(alg.as_ref(), hex.as_ref())
        {
            *self = one;
            return;
        }
        let mut pairs: Vec<Pair> = self.iter().map(|(a, h)| (a.into(), h.into())).collect();
        let alg = alg.into();
        match pairs.binary_search_by(|(a, _)| a.as_ref().cmp(&*alg)) {
            Ok(i) => {
                if let Some(slot) = pairs.get_mut(i) {
                    slot.1 = hex.into();
                }
            }
            Err(i) => pairs.insert(i, (alg, hex.into())),
        }
        *self = match pairs.as_slice() {
            [(a, h)] => Self::inline(a, h),
            _ => None,
        }
        .unwrap_or(Self(Repr::List(pairs.into_boxed_slice())));
    }

    /// `(algorithm, hex)` pairs in algorithm order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        let (one, list) = match &self.0 {
            Repr::Sha256(d) => (Some((SHA256, Cow::Owned(hex::encode(d)))), &[][..]),
            Repr::List(pairs) => (None, &pairs[..]),
        };
        one.into_iter().chain(list.iter().map(|(a, h)| (a.as_ref(), Cow::Borrowed(h.as_ref()))))
    }

    pub fn get_key_value(&self, alg: &str) -> Option<(&str, Cow<'_, str>)> {
        self.iter().find(|(a, _)| *a == alg)
    }

    pub fn get(&self, alg: &str) -> Option<Cow<'_, str>> {
        self.get_key_value(alg).map(|(_, h)| h)
    }

    pub fn values(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.iter().map(|(_, h)| h)
    }

    /// Whether every value is a hex string (python's check on links).
    pub fn all_hex(&self) -> bool {
        match &self.0 {
            Repr::Sha256(_) => true,
            Repr::List(pairs) => pairs.iter().all(|(_, h)| is_hex(h)),
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Sha256(_) => 1,
            Repr::List(pairs) => pairs.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// As a JSON object (algorithm → hex).
    pub fn to_value(&self) -> Value {
        Value::Object(self.iter().map(|(a, h)| (a.to_owned(), Value::String(h.into_owned()))).collect())
    }
}

/// The 32 bytes written as exactly 64 lowercase hex digits, else `None`.
/// Eight digits at a time in a word, without branches per digit (random
/// digits and letters mispredict; this runs once per artifact).
fn lower_hex_32(text: &[u8]) -> Option<[u8; 32]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte of an ASCII word: high bit set where the byte is >= lo / <= hi.
    // (No byte borrows from its neighbour: each side's byte is >= 0x80 > the other's.)
    let at_least = |w: u64, lo: u8| (w | HIGH).wrapping_sub(ONES * u64::from(lo)) & HIGH;
    let at_most = |w: u64, hi: u8| ((ONES * u64::from(hi)) | HIGH).wrapping_sub(w) & HIGH;
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, chunk) in out.chunks_exact_mut(4).zip(text.chunks_exact(8)) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        if w & HIGH != 0 {
            return None;
        }
        let digit = at_least(w, b'0') & at_most(w, b'9');
        let letter = at_least(w, b'a') & at_most(w, b'f');
        if (digit | letter) != HIGH {
            return None;
        }
        // '0'-'9' → low nibble; 'a'-'f' (0x61-0x66) → low nibble + 9.
        let nibbles = (w & (ONES * 0x0f)) + ((w >> 6) & ONES) * 9;
        let n = nibbles.to_le_bytes();
        for (k, byte) in o.iter_mut().enumerate() {
            *byte = (n.get(2 * k).copied().unwrap_or(0) << 4) | n.get(2 * k + 1).copied().unwrap_or(0);
        }
    }
    Some(out)
}

impl<A: Into<Box<str>> + AsRef<str>, H: Into<Box<str>> + AsRef<str>> FromIterator<(A, H)> for HashDict {
    fn from_iter<I: IntoIterator<Item = (A, H)>>(iter: I) -> Self {
        let mut d = Self::new();
        for (a, h) in iter {
            d.insert(a, h);
        }
        d
    }
}

impl<A: Into<Box<str>> + AsRef<str>, H: Into<Box<str>> + AsRef<str>, const N: usize> From<[(A, H); N]>
    for HashDict
{
    fn from(pairs: [(A, H); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl serde::Serialize for HashDict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[cfg(test)]
mod hash_dict_tests {
    use super::*;

    #[test]
    fn one_representation_per_content() {
        let hex = "ab".repeat(32);
        let inline = HashDict::from([("sha256", hex.as_str())]);
        assert!(matches!(inline.0, Repr::Sha256(_)));
        assert_eq!(inline.get("sha256").as_deref(), Some(hex.as_str()));
        // Uppercase hex is a different string for python: kept as written, and unequal.
        let upper = HashDict::from([("sha256", hex.to_uppercase().as_str())]);
        assert!(matches!(upper.0, Repr::List(_)));
        assert_ne!(inline, upper);
        assert_eq!(upper.get("sha256").as_deref(), Some(hex.to_uppercase().as_str()));
        // Two algorithms, then the same content built in another order.
        let mut two = HashDict::from([("sha512", "00")]);
        two.insert("sha256", hex.as_str());
        let mut again = HashDict::from([("sha256", hex.as_str())]);
        again.insert("sha512", "00");
        assert_eq!(two, again);
        assert_eq!(two.iter().map(|(a, _)| a).collect::<Vec<_>>(), ["sha256", "sha512"]);
        // Replacing the only value with lowercase hex gives the inline form again.
        let mut replaced = HashDict::from([("sha256", "zz")]);
        assert!(!replaced.all_hex());
        replaced.insert("sha256", hex.as_str());
        assert_eq!(replaced, inline);
        assert!(replaced.all_hex());
        assert_eq!(inline.to_value(), serde_json::json!({"sha256": hex}));
        assert_eq!(serde_json::to_string(&inline).unwrap(), format!("{{\"sha256\":\"{hex}\"}}"));
        let parsed: HashDict = serde_json::from_str(&format!("{{\"sha256\": \"{hex}\"}}")).unwrap();
        assert_eq!(parsed, inline);
        // Every byte value in every position decodes as the hex crate does.
        for pos in [0, 7, 8, 33, 63] {
            for b in 0..=255u8 {
                let mut text = hex.clone().into_bytes();
                text[pos] = b;
                let expected = (b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    .then(|| <[u8; 32]>::try_from(hex::decode(&text).unwrap()).unwrap());
                assert_eq!(lower_hex_32(&text), expected, "byte {b:#x} at {pos}");
            }
        }
        // 63 or 65 digits, or a non-hex digit: not the inline form.
        for odd in [hex[1..].to_owned(), format!("{hex}0"), format!("g{}", &hex[1..])] {
            assert!(matches!(HashDict::from([("sha256", odd)]).0, Repr::List(_)));
        }
    }
}

impl<'de> serde::Deserialize<'de> for HashDict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = HashDict;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of hash algorithm to hex digest")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<HashDict, A::Error> {
                let mut out = HashDict::new();
                // Borrowed from the input where it has no escapes: no
                // allocation for the common single SHA-256.
                while let Some((alg, hex)) = map.next_entry::<Text<'de>, Text<'de>>()? {
                    out.insert(alg.0, hex.0);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON string, borrowed from the input when it can be.
struct Text<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visit)
    }
}

/// Artifact path → hashes.
pub type Artifacts = BTreeMap<String, HashDict>;

/// A malformed layout or link, with the JSON pointer of the offending member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct ModelError {
    pub pointer: String,
    pub message: String,
}

fn err(pointer: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError { pointer: pointer.into(), message: message.into() }
}

/// A step of the supply chain (`"_type": "step"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: String,
    pub threshold: i64,
    pub pubkeys: Vec<String>,
    pub expected_command: Vec<Value>,
    pub expected_materials: Vec<Vec<String>>,
    pub expected_products: Vec<Vec<String>>,
    /// JSON pointer of the step inside the layout payload.
    pub pointer: String,
}

/// An inspection the verifier runs (`"_type": "inspection"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub name: String,
    pub run: Vec<Value>,
    pub expected_materials: Vec<Vec<String>>,
    pub expected_products: Vec<Vec<String>>,
    pub pointer: String,
}

/// A functionary key listed in `layout.keys`.
#[derive(Debug, Clone)]
pub struct LayoutKey {
    /// The dict key under which the layout lists it.
    pub id: String,
    /// The key's own `keyid` member (python identifies the key by it).
    pub keyid: String,
    /// GPG subkey ids, if any.
    pub subkeys: Vec<String>,
    pub dict: Value,
    /// `Err` when no scheme we implement can use the key (e.g. GPG).
    pub key: Result<PublicKey, String>,
}

impl LayoutKey {
    /// The functionary's name, where the key dict gives one (a `name`,
    /// `keyowner` or `x-tuf-on-ci-keyowner` member); raw.
    pub fn owner(&self) -> Option<String> {
        self.dict.as_object().and_then(crate::crypto::keys::key_owner)
    }
}

/// A layout (`"_type": "layout"`).
#[derive(Debug, Clone)]
pub struct Layout {
    /// `None` when absent or empty (python then defaults it to now + 1 month).
    pub expires: Option<String>,
    pub readme: String,
    pub keys: BTreeMap<String, LayoutKey>,
    pub steps: Vec<Step>,
    pub inspect: Vec<Inspection>,
    /// Members python does not know (dropped by python before signing).
    pub unknown_members: Vec<String>,
    pub raw: Value,
}

/// Link metadata (`"_type": "link"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub name: Option<String>,
    pub command: Vec<Value>,
    /// Shared, so the many places a link is kept (reduced chain, summary
    /// links, inspection lookups) never copy 100k-entry maps.
    pub materials: Arc<Artifacts>,
    pub products: Arc<Artifacts>,
    pub byproducts: Value,
    pub environment: Value,
}

impl Link {
    /// An empty link, as python's `Link()`.
    pub fn empty(name: Option<String>) -> Self {
        Self {
            name,
            command: Vec::new(),
            materials: Arc::default(),
            products: Arc::default(),
            byproducts: Value::Object(Map::new()),
            environment: Value::Object(Map::new()),
        }
    }

    /// The artifacts of one side.
    pub fn artifacts(&self, side: super::rule::ArtifactType) -> &Artifacts {
        match side {
            super::rule::ArtifactType::Materials => &self.materials,
            super::rule::ArtifactType::Products => &self.products,
        }
    }
}

/// A parsed payload: link or layout.
#[derive(Debug, Clone)]
pub enum Payload {
    Link(Link),
    Layout(Box<Layout>),
}

/// Reads a payload by its `_type`. `exact` names the numbers of `value`
/// written as integers outside 64 bits (which serde_json holds as floats);
/// every other number held as a float was written with a fraction or an
/// exponent, and is a float to python however large (`1e19`).
pub fn parse_payload(value: &Value, exact: &ExactIntegers) -> Result<Payload, ModelError> {
    let payload = match value.get("_type").and_then(Value::as_str) {
        Some("link") => Payload::Link(parse_link(value)?),
        Some("layout") => Payload::Layout(Box::new(parse_layout(value)?)),
        _ => return Err(err("/_type", "not in-toto metadata: \"_type\" must be \"link\" or \"layout\"")),
    };
    // python in-toto computes the canonical JSON of the object it rebuilds
    // when it validates the model, and securesystemslib refuses floats
    // (`FormatError: I cannot encode 0.5`): such a document does not load
    // there, whatever its signatures say. Floats in members python drops do
    // not reach its canonical form.
    if let Some((pointer, number)) = python_form_float(value, exact) {
        return Err(err(
            pointer,
            format!(
                "{number} is not an integer: python in-toto cannot encode the object it rebuilds from this payload in canonical JSON, which allows integers only"
            ),
        ));
    }
    Ok(payload)
}

/// The members of each object python in-toto rebuilds (see [`python_normalized`]).
const KEPT_LINK: &[&str] = &["name", "command", "materials", "products", "byproducts", "environment"];
const KEPT_LAYOUT: &[&str] = &["expires", "readme", "keys"];
const KEPT_STEP: &[&str] =
    &["name", "expected_materials", "expected_products", "pubkeys", "expected_command", "threshold"];
const KEPT_INSPECTION: &[&str] = &["name", "expected_materials", "expected_products", "run"];

/// The first number that is not an integer inside the members python in-toto
/// keeps of a payload: its JSON pointer and the number as read. `exact` as
/// for [`parse_payload`].
pub fn python_form_float(payload: &Value, exact: &ExactIntegers) -> Option<(String, String)> {
    let in_members =
        |obj: &Map<String, Value>, members: &[&str], prefix: &str| in_members_of(obj, members, prefix, exact);
    fn in_members_of(
        obj: &Map<String, Value>,
        members: &[&str],
        prefix: &str,
        exact: &ExactIntegers,
    ) -> Option<(String, String)> {
        members.iter().find_map(|m| {
            let head = format!("{prefix}/{}", escape_pointer(m));
            let pointer_of = |path: &[Token<'_>]| {
                let mut pointer = head.clone();
                for token in path {
                    pointer.push('/');
                    pointer.push_str(&token.to_string());
                }
                pointer
            };
            let mut path = Vec::new();
            let n = first_float(obj.get(*m)?, &mut path, &|path| exact.contains_key(&pointer_of(path)))?;
            Some((pointer_of(&path), n.to_string()))
        })
    }
    let obj = payload.as_object()?;
    match obj.get("_type").and_then(Value::as_str)? {
        "link" => in_members(obj, KEPT_LINK, ""),
        "layout" => in_members(obj, KEPT_LAYOUT, "").or_else(|| {
            [("steps", KEPT_STEP), ("inspect", KEPT_INSPECTION)].into_iter().find_map(|(list, members)| {
                obj.get(list)?
                    .as_array()?
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| in_members(item.as_object()?, members, &format!("/{list}/{i}")))
            })
        }),
        _ => None,
    }
}

/// One step of a JSON pointer, unescaped until it is shown.
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

impl std::fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Key(k) => f.write_str(&escape_pointer(k)),
            Token::Index(i) => write!(f, "{i}"),
        }
    }
}

/// The first float under `v`, with the path to it left in `path` (built
/// only along the way, so a large artifact list costs no allocation per
/// entry). serde_json also reads an integer outside 64 bits as a float;
/// python reads it as an integer, which canonical JSON allows, so a whole
/// number that large is not counted when `written_as_integer` says so of
/// its path (`1e19` is as large, and a float).
fn first_float<'a>(
    v: &'a Value,
    path: &mut Vec<Token<'a>>,
    written_as_integer: &dyn Fn(&[Token<'a>]) -> bool,
) -> Option<&'a serde_json::Number> {
    match v {
        Value::Number(n) if n.is_f64() => {
            (!(crate::meta::canonical::is_big_integer(n) && written_as_integer(path))).then_some(n)
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
            path.push(Token::Index(i));
            let found = first_float(x, path, written_as_integer);
            if found.is_none() {
                path.pop();
            }
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            path.push(Token::Key(k));
            let found = first_float(x, path, written_as_integer);
            if found.is_none() {
                path.pop();
            }
            found
        }),
        _ => None,
    }
}

fn as_obj<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, ModelError> {
    v.as_object().ok_or_else(|| err(at, format!("expected an object, found {}", kind(v))))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn str_list(v: &Value, at: &str) -> Result<Vec<String>, ModelError> {
    let arr = v.as_array().ok_or_else(|| err(at, format!("expected a list, found {}", kind(v))))?;
    arr.iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_str().map(str::to_owned).ok_or_else(|| err(format!("{at}/{i}"), "expected a string"))
        })
        .collect()
}

fn value_list(v: Option<&Value>, at: &str) -> Result<Vec<Value>, ModelError> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(other) => Err(err(at, format!("expected a list, found {}", kind(other)))),
    }
}

fn rules(v: Option<&Value>, at: &str) -> Result<Vec<Vec<String>>, ModelError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let arr = v.as_array().ok_or_else(|| err(at, "rules must be a list"))?;
    let mut out = Vec::with_capacity(arr.len());
    for (i, r) in arr.iter().enumerate() {
        let here = format!("{at}/{i}");
        let rule = str_list(r, &here)?;
        ArtifactRule::parse(&rule).map_err(|e| err(&here, e.to_string()))?;
        out.push(rule);
    }
    Ok(out)
}

fn name_of(obj: &Map<String, Value>, at: &str) -> Result<String, ModelError> {
    match obj.get("name") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(err(format!("{at}/name"), format!("expected a string, found {}", kind(other)))),
        None => Err(err(format!("{at}/name"), "missing member \"name\"")),
    }
}

fn parse_step(v: &Value, at: &str) -> Result<Step, ModelError> {
    let obj = as_obj(v, at)?;
    let threshold = match obj.get("threshold") {
        None => 1,
        Some(Value::Bool(b)) => i64::from(*b),
        Some(Value::Number(n)) => {
            n.as_i64().ok_or_else(|| err(format!("{at}/threshold"), "threshold must be an int"))?
        }
        Some(other) => {
            return Err(err(
                format!("{at}/threshold"),
                format!("threshold must be an int, found {}", kind(other)),
            ));
        }
    };
    let pubkeys = match obj.get("pubkeys") {
        None => Vec::new(),
        Some(p) => str_list(p, &format!("{at}/pubkeys"))?,
    };
    if let Some((i, _)) = pubkeys.iter().enumerate().find(|(_, k)| !is_hex(k)) {
        return Err(err(format!("{at}/pubkeys/{i}"), "key ids must be hex strings"));
    }
    Ok(Step {
        name: name_of(obj, at)?,
        threshold,
        pubkeys,
        expected_command: value_list(obj.get("expected_command"), &format!("{at}/expected_command"))?,
        expected_materials: rules(obj.get("expected_materials"), &format!("{at}/expected_materials"))?,
        expected_products: rules(obj.get("expected_products"), &format!("{at}/expected_products"))?,
        pointer: at.to_owned(),
    })
}

fn parse_inspection(v: &Value, at: &str) -> Result<Inspection, ModelError> {
    let obj = as_obj(v, at)?;
    Ok(Inspection {
        name: name_of(obj, at)?,
        run: value_list(obj.get("run"), &format!("{at}/run"))?,
        expected_materials: rules(obj.get("expected_materials"), &format!("{at}/expected_materials"))?,
        expected_products: rules(obj.get("expected_products"), &format!("{at}/expected_products"))?,
        pointer: at.to_owned(),
    })
}

fn parse_key(id: &str, v: &Value, at: &str) -> Result<LayoutKey, ModelError> {
    if !is_hex(id) {
        return Err(err(at, "key ids must be hex strings"));
    }
    let obj = as_obj(v, at)?;
    let keyid = match obj.get("keyid") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(err(format!("{at}/keyid"), "a layout key needs a \"keyid\" string member")),
    };
    let subkeys = match obj.get("subkeys") {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let is_gpg = obj.contains_key("method") && obj.contains_key("type");
    let key = if is_gpg {
        Err("GPG keys are not supported".to_owned())
    } else {
        let key = PublicKey::from_dict(v).map_err(|e| err(at, format!("malformed public key: {e}")))?;
        match key.unusable_reason() {
            Some(why) => Err(why.to_owned()),
            None => Ok(key),
        }
    };
    Ok(LayoutKey { id: id.to_owned(), keyid, subkeys, dict: v.clone(), key })
}

const LAYOUT_MEMBERS: [&str; 6] = ["_type", "expires", "readme", "keys", "steps", "inspect"];

/// Parses and validates a layout payload like python's `Layout.read`.
pub fn parse_layout(v: &Value) -> Result<Layout, ModelError> {
    let obj = as_obj(v, "")?;
    if obj.get("_type").and_then(Value::as_str) != Some("layout") {
        return Err(err("/_type", "\"_type\" must be \"layout\""));
    }
    let expires = match obj.get("expires") {
        // python replaces any falsy value (`if not self.expires`) before validating.
        v if !truthy(v) => None,
        None => None,
        Some(Value::String(s)) => {
            if !crate::meta::time::is_spec_form(s) || crate::meta::time::parse(s).is_err() {
                return Err(err(
                    "/expires",
                    format!("malformed date \"{s}\"; expected YYYY-MM-DDTHH:MM:SSZ"),
                ));
            }
            Some(s.clone())
        }
        Some(other) => return Err(err("/expires", format!("expected a date string, found {}", kind(other)))),
    };
    let readme = match obj.get("readme") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(err("/readme", format!("readme must be a string, found {}", kind(other)))),
    };
    let mut keys = BTreeMap::new();
    if let Some(k) = obj.get("keys") {
        let map = as_obj(k, "/keys")?;
        for (id, key) in map {
            let at = format!("/keys/{}", escape_pointer(id));
            keys.insert(id.clone(), parse_key(id, key, &at)?);
        }
    }
    let steps_v = obj.get("steps").ok_or_else(|| err("/steps", "missing member \"steps\""))?;
    let steps_a = steps_v.as_array().ok_or_else(|| err("/steps", "steps must be a list"))?;
    let steps = steps_a
        .iter()
        .enumerate()
        .map(|(i, s)| parse_step(s, &format!("/steps/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let insp_v = obj.get("inspect").ok_or_else(|| err("/inspect", "missing member \"inspect\""))?;
    let insp_a = insp_v.as_array().ok_or_else(|| err("/inspect", "inspect must be a list"))?;
    let inspect = insp_a
        .iter()
        .enumerate()
        .map(|(i, s)| parse_inspection(s, &format!("/inspect/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = std::collections::BTreeSet::new();
    for (name, at) in
        steps.iter().map(|s| (&s.name, &s.pointer)).chain(inspect.iter().map(|i| (&i.name, &i.pointer)))
    {
        if !seen.insert(name.clone()) {
            return Err(err(
                at.clone(),
                format!("name \"{name}\" is used by more than one step or inspection"),
            ));
        }
    }
    let unknown_members = obj.keys().filter(|k| !LAYOUT_MEMBERS.contains(&k.as_str())).cloned().collect();
    Ok(Layout { expires, readme, keys, steps, inspect, unknown_members, raw: v.clone() })
}

fn artifacts(v: Option<&Value>, at: &str) -> Result<Artifacts, ModelError> {
    let Some(v) = v else { return Ok(Artifacts::new()) };
    let map = as_obj(v, at)?;
    let mut out = Artifacts::new();
    for (path, hashes) in map {
        let here = format!("{at}/{}", escape_pointer(path));
        let hm = as_obj(hashes, &here)?;
        let mut dict = HashDict::new();
        for (alg, hex) in hm {
            match hex.as_str() {
                Some(h) if is_hex(h) => {
                    dict.insert(alg.as_str(), h);
                }
                _ => {
                    return Err(err(
                        format!("{here}/{}", escape_pointer(alg)),
                        "hash values must be hex strings",
                    ));
                }
            }
        }
        out.insert(path.clone(), dict);
    }
    Ok(out)
}

/// Parses and validates a link payload like python's `Link.read`.
pub fn parse_link(v: &Value) -> Result<Link, ModelError> {
    let obj = as_obj(v, "")?;
    if obj.get("_type").and_then(Value::as_str) != Some("link") {
        return Err(err("/_type", "\"_type\" must be \"link\""));
    }
    let dict_member = |key: &str| -> Result<Value, ModelError> {
        match obj.get(key) {
            None => Ok(Value::Object(Map::new())),
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            Some(other) => {
                Err(err(format!("/{key}"), format!("{key} must be a dict, found {}", kind(other))))
            }
        }
    };
    Ok(Link {
        name: obj.get("name").and_then(Value::as_str).map(str::to_owned),
        command: value_list(obj.get("command"), "/command")?,
        materials: Arc::new(artifacts(obj.get("materials"), "/materials")?),
        products: Arc::new(artifacts(obj.get("products"), "/products")?),
        byproducts: dict_member("byproducts")?,
        environment: dict_member("environment")?,
    })
}

/// RFC 6901 escaping of one pointer token.
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The object python in-toto signs for a Metablock: the payload rebuilt from
/// the members it knows, with its defaults filled in and unknown members
/// dropped (`attr.asdict` of the model object). `None` when the payload is
/// not an object of a known `_type`.
pub fn python_normalized(signed: &Value) -> Option<Value> {
    let obj = signed.as_object()?;
    let get = |o: &Map<String, Value>, k: &str, default: Value| o.get(k).cloned().unwrap_or(default);
    let empty_list = || Value::Array(Vec::new());
    let empty_obj = || Value::Object(Map::new());
    let mut out = Map::new();
    match obj.get("_type").and_then(Value::as_str)? {
        "link" => {
            out.insert("_type".into(), "link".into());
            out.insert("name".into(), get(obj, "name", Value::Null));
            out.insert("command".into(), get(obj, "command", empty_list()));
            out.insert("materials".into(), get(obj, "materials", empty_obj()));
            out.insert("products".into(), get(obj, "products", empty_obj()));
            out.insert("byproducts".into(), get(obj, "byproducts", empty_obj()));
            out.insert("environment".into(), get(obj, "environment", empty_obj()));
        }
        "layout" => {
            // A falsy `expires` becomes "one month from now" at every load:
            // no signature can be made over that in advance.
            if !truthy(obj.get("expires")) {
                return None;
            }
            out.insert("_type".into(), "layout".into());
            out.insert("expires".into(), get(obj, "expires", Value::Null));
            out.insert("readme".into(), get(obj, "readme", Value::String(String::new())));
            out.insert("keys".into(), get(obj, "keys", empty_obj()));
            let steps = obj.get("steps")?.as_array()?;
            let mut ns = Vec::with_capacity(steps.len());
            for s in steps {
                let so = s.as_object()?;
                let mut m = Map::new();
                m.insert("_type".into(), "step".into());
                m.insert("name".into(), get(so, "name", Value::Null));
                m.insert("expected_materials".into(), get(so, "expected_materials", empty_list()));
                m.insert("expected_products".into(), get(so, "expected_products", empty_list()));
                m.insert("pubkeys".into(), get(so, "pubkeys", empty_list()));
                m.insert("expected_command".into(), get(so, "expected_command", empty_list()));
                m.insert("threshold".into(), get(so, "threshold", Value::from(1)));
                ns.push(Value::Object(m));
            }
            out.insert("steps".into(), Value::Array(ns));
            let insp = obj.get("inspect")?.as_array()?;
            let mut ni = Vec::with_capacity(insp.len());
            for s in insp {
                let so = s.as_object()?;
                let mut m = Map::new();
                m.insert("_type".into(), "inspection".into());
                m.insert("name".into(), get(so, "name", Value::Null));
                m.insert("expected_materials".into(), get(so, "expected_materials", empty_list()));
                m.insert("expected_products".into(), get(so, "expected_products", empty_list()));
                m.insert("run".into(), get(so, "run", empty_list()));
                ni.push(Value::Object(m));
            }
            out.insert("inspect".into(), Value::Array(ni));
        }
        _ => return None,
    }
    Some(Value::Object(out))
}

/// Where the object python in-toto rebuilds from `signed` differs from it:
/// the members it drops and the ones it fills in (JSON pointers into
/// `signed`), in document order; a layout whose `expires` python replaces
/// with "one month from now" lists `/expires` among the filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormDifference {
    pub dropped: Vec<String>,
    pub filled_in: Vec<String>,
}

impl std::fmt::Display for FormDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.dropped.is_empty() {
            parts.push(format!("members it drops: {}", self.dropped.join(", ")));
        }
        if !self.filled_in.is_empty() {
            parts.push(format!("members it fills in: {}", self.filled_in.join(", ")));
        }
        if parts.is_empty() {
            parts.push("values it rewrites".to_owned());
        }
        f.write_str(&parts.join("; "))
    }
}

/// [`FormDifference`] of `signed` against [`python_normalized`] of it.
pub fn normal_form_difference(signed: &Value) -> FormDifference {
    let mut diff = FormDifference::default();
    let Some(obj) = signed.as_object() else { return diff };
    let normal = python_normalized(signed);
    let normal_obj = normal.as_ref().and_then(Value::as_object);
    compare_members(obj, normal_obj, "", &mut diff);
    if obj.get("_type").and_then(Value::as_str) == Some("layout") && !truthy(obj.get("expires")) {
        diff.filled_in.push("/expires".to_owned());
    }
    for list in ["steps", "inspect"] {
        let (Some(Value::Array(items)), Some(Value::Array(normal_items))) =
            (obj.get(list), normal_obj.and_then(|n| n.get(list)))
        else {
            continue;
        };
        for (i, (item, n)) in items.iter().zip(normal_items).enumerate() {
            if let Some(item) = item.as_object() {
                compare_members(item, n.as_object(), &format!("/{list}/{i}"), &mut diff);
            }
        }
    }
    diff
}

fn compare_members(
    written: &Map<String, Value>,
    normal: Option<&Map<String, Value>>,
    at: &str,
    diff: &mut FormDifference,
) {
    let Some(normal) = normal else { return };
    for k in written.keys().filter(|k| !normal.contains_key(*k)) {
        diff.dropped.push(format!("{at}/{}", escape_pointer(k)));
    }
    for k in normal.keys().filter(|k| !written.contains_key(*k)) {
        diff.filled_in.push(format!("{at}/{}", escape_pointer(k)));
    }
}

/// python truthiness of a JSON value (`if not value`).
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Bool(true)) => true,
    }
}

/// A command list for messages, like python's `repr` of a list of strings.
pub fn show_command(cmd: &[Value]) -> String {
    let parts: Vec<String> = cmd
        .iter()
        .map(|v| match v {
            Value::String(s) => format!("'{s}'"),
            other => other.to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_defaults_and_validation() {
        let l = parse_layout(&json!({"_type": "layout", "steps": [], "inspect": []})).unwrap();
        assert!(l.expires.is_none());
        assert!(parse_layout(&json!({"_type": "layout", "steps": []})).is_err());
        let bad_rule = json!({"_type": "layout", "steps": [{"name": "a", "expected_products": [["COPY", "x"]]}], "inspect": []});
        assert_eq!(parse_layout(&bad_rule).unwrap_err().pointer, "/steps/0/expected_products/0");
        let dup = json!({"_type": "layout", "steps": [{"name": "a"}], "inspect": [{"name": "a"}]});
        assert!(parse_layout(&dup).is_err());
        let bad_date = json!({"_type": "layout", "expires": "2020-01-01", "steps": [], "inspect": []});
        assert_eq!(parse_layout(&bad_date).unwrap_err().pointer, "/expires");
    }

    #[test]
    fn link_hashes_must_be_hex() {
        let ok = json!({"_type": "link", "name": "a", "products": {"f": {"sha256": "ab"}}});
        assert_eq!(parse_link(&ok).unwrap().products["f"].get("sha256").as_deref(), Some("ab"));
        let bad = json!({"_type": "link", "name": "a", "products": {"f": {"sha256": "xyz"}}});
        assert!(parse_link(&bad).is_err());
    }

    #[test]
    fn python_normal_form_drops_unknown_and_adds_defaults() {
        let n = python_normalized(&json!({"_type": "link", "name": "a", "extra": 1})).unwrap();
        assert_eq!(
            n,
            json!({"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {}, "environment": {}})
        );
    }
}

//! A link file in the plain shape read without serde's machinery for its
//! artifact lists, which are nearly all of a large link: every artifact
//! `"path": {"sha256": "<64 lowercase hex digits>"}`, paths without escapes.
//! Anything else — an unknown, missing or repeated member, another hash
//! shape, an escape in a path, malformed JSON — gives `None`, and the caller
//! reads the file with serde, which decides. So a `Some` is always what the
//! serde reading of the same text gives.

use serde_json::{Map, Value};

use super::model::{Artifacts, HashDict};
use crate::meta::stream;

/// The members of a link file (`signatures`, and those of `signed`).
pub(super) struct PlainLink {
    /// `(keyid, sig)` of each signature.
    pub signatures: Vec<(String, String)>,
    pub kind: String,
    pub name: String,
    pub command: Vec<Value>,
    pub materials: Artifacts,
    pub products: Artifacts,
    pub byproducts: Map<String, Value>,
    pub environment: Map<String, Value>,
    /// Where the value of `signed` is in the text, and whether it is written
    /// in canonical form already (no whitespace, members in order, nothing
    /// to re-escape): then those bytes are the signed bytes.
    pub signed_span: (usize, usize),
    pub signed_canonical: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sig {
    keyid: String,
    sig: String,
}

/// Reads `text` (a whole link file) when it has the plain shape.
pub(super) fn read(text: &str) -> Option<PlainLink> {
    let mut c = Cursor { text, at: 0, tracking: false, canonical: true };
    let mut signatures: Option<Vec<Sig>> = None;
    let mut signed: Option<PlainLink> = None;
    c.object(|c, key| match key {
        "signatures" if signatures.is_none() => {
            signatures = Some(c.value()?);
            Some(())
        }
        "signed" if signed.is_none() => {
            let start = c.at;
            c.tracking = true;
            let mut link = read_signed(c)?;
            c.tracking = false;
            link.signed_span = (start, c.at);
            link.signed_canonical = c.canonical;
            signed = Some(link);
            Some(())
        }
        _ => None,
    })?;
    c.ws();
    if c.at != text.len() {
        return None;
    }
    let mut link = signed?;
    link.signatures = signatures?.into_iter().map(|s| (s.keyid, s.sig)).collect();
    Some(link)
}

fn read_signed(c: &mut Cursor<'_>) -> Option<PlainLink> {
    let (mut kind, mut name, mut command, mut byproducts, mut environment) = (None, None, None, None, None);
    let (mut materials, mut products) = (None, None);
    c.object(|c, key| {
        match key {
            "_type" if kind.is_none() => kind = Some(c.value()?),
            "name" if name.is_none() => name = Some(c.value()?),
            "command" if command.is_none() => command = Some(c.value()?),
            "byproducts" if byproducts.is_none() => byproducts = Some(c.value()?),
            "environment" if environment.is_none() => environment = Some(c.value()?),
            "materials" if materials.is_none() => materials = Some(c.artifacts()?),
            "products" if products.is_none() => products = Some(c.artifacts()?),
            _ => return None,
        }
        Some(())
    })?;
    Some(PlainLink {
        signatures: Vec::new(),
        kind: kind?,
        name: name?,
        command: command?,
        materials: materials?,
        products: products?,
        byproducts: byproducts?,
        environment: environment?,
        signed_span: (0, 0),
        signed_canonical: false,
    })
}

struct Cursor<'t> {
    text: &'t str,
    at: usize,
    /// Inside `signed`: note anything that is not canonical form.
    tracking: bool,
    canonical: bool,
}

impl<'t> Cursor<'t> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn ws(&mut self) {
        let from = self.at;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
        if self.tracking && self.at != from {
            self.canonical = false;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    /// A string with no escapes and no control characters, as it is written.
    fn plain_string(&mut self) -> Option<&'t str> {
        self.eat(b'"')?;
        let rest = self.bytes().get(self.at..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        let body = rest.get(..len)?;
        if rest.get(len) != Some(&b'"') || body.iter().any(|&b| b < 0x20) {
            return None;
        }
        let s = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(s)
    }

    /// An object, calling `member` with the cursor at each member's value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'t str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        let mut previous: Option<&'t str> = None;
        loop {
            let key = self.plain_string()?;
            // Canonical members are strictly increasing (no duplicates either).
            if self.tracking && previous.is_some_and(|p| p.as_bytes() >= key.as_bytes()) {
                self.canonical = false;
            }
            previous = Some(key);
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Any (small) value, read by serde from its span.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        let end = stream::value_end(self.bytes(), self.at)?;
        let span = self.text.get(self.at..end)?;
        if self.tracking {
            let mut canonical = Vec::with_capacity(span.len());
            if stream::canonicalize(span.as_bytes(), &mut canonical).is_err() || canonical != span.as_bytes()
            {
                self.canonical = false;
            }
        }
        let v = serde_json::from_str(span).ok()?;
        self.at = end;
        Some(v)
    }

    /// An artifact list in the plain shape. Later duplicates win, as in python.
    fn artifacts(&mut self) -> Option<Artifacts> {
        // Reserved, not touched: an entry takes well over 64 bytes of text.
        let mut items: Vec<(String, HashDict)> =
            Vec::with_capacity(self.text.len().saturating_sub(self.at) / 64);
        self.object(|c, path| {
            c.eat(b'{')?;
            if c.plain_string()? != "sha256" {
                return None;
            }
            c.eat(b':')?;
            c.eat(b'"')?;
            let hex = c.bytes().get(c.at..c.at + 64)?;
            let hashes = HashDict::sha256_lower_hex(hex)?;
            c.at += 64;
            // The closing quote must follow the 64 digits directly.
            (c.peek() == Some(b'"')).then_some(())?;
            c.at += 1;
            c.eat(b'}')?;
            items.push((path.to_owned(), hashes));
            Some(())
        })?;
        Some(items.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde reads from the same text (the reference for `read`).
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Whole {
        signatures: Vec<Sig2>,
        signed: Signed,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sig2 {
        keyid: String,
        sig: String,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Signed {
        #[serde(rename = "_type")]
        kind: String,
        name: String,
        command: Vec<Value>,
        materials: std::collections::BTreeMap<String, Map<String, Value>>,
        products: std::collections::BTreeMap<String, Map<String, Value>>,
        byproducts: Map<String, Value>,
        environment: Map<String, Value>,
    }

    fn agree(text: &str) -> bool {
        let Some(ours) = read(text) else { return false };
        let theirs: Whole = serde_json::from_str(text).expect("read accepted what serde rejects");
        let arts = |a: &Artifacts| -> std::collections::BTreeMap<String, Map<String, Value>> {
            a.iter()
                .map(|(p, h)| (p.clone(), h.to_value().as_object().cloned().unwrap_or_default()))
                .collect()
        };
        let sigs: Vec<Sig2> =
            ours.signatures.iter().map(|(k, s)| Sig2 { keyid: k.clone(), sig: s.clone() }).collect();
        assert_eq!(sigs, theirs.signatures);
        assert_eq!(ours.kind, theirs.signed.kind);
        assert_eq!(ours.name, theirs.signed.name);
        assert_eq!(ours.command, theirs.signed.command);
        assert_eq!(arts(&ours.materials), theirs.signed.materials);
        assert_eq!(arts(&ours.products), theirs.signed.products);
        assert_eq!(ours.byproducts, theirs.signed.byproducts);
        assert_eq!(ours.environment, theirs.signed.environment);
        true
    }

    const H1: &str = "913bea5c2f5b94d7eede7a4ddec9110d312682917cbc114eb4f729a26428d02c";
    const H2: &str = "13c09b08970f5c789b9689f5077660d117efca45e62bf07340c4dc4b1b0a2d4d";

    fn link(materials: &str, rest: &str) -> String {
        format!(
            r#"{{"signatures":[{{"keyid":"k","sig":"00"}}],"signed":{{"_type":"link","byproducts":{{"return-value":0,"stdout":"é\n"}},"command":["cc","-O2",1.5],"environment":{{}},"materials":{materials},"name":"build","products":{{"b/x.o":{{"sha256":"{H2}"}}}}{rest}}}}}"#
        )
    }

    #[test]
    fn plain_links_read_as_serde_reads_them() {
        let m = format!(r#"{{"a/b.c":{{"sha256":"{H1}"}},"a/é.c":{{"sha256":"{H2}"}}}}"#);
        assert!(agree(&link(&m, "")));
        // Whitespace anywhere, as python's indented files have it.
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(&link(&m, "")).unwrap()).unwrap();
        assert!(agree(&pretty));
        assert!(agree(&link("{}", "")));
        // A later duplicate wins, as in serde and python.
        let dup = format!(r#"{{"a":{{"sha256":"{H1}"}},"a":{{"sha256":"{H2}"}}}}"#);
        assert!(agree(&link(&dup, "")));
        assert_eq!(read(&link(&dup, "")).unwrap().materials["a"].get("sha256").as_deref(), Some(H2));
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        let one = |path: &str, hashes: &str| link(&format!(r#"{{"{path}":{hashes}}}"#), "");
        let h1 = format!(r#"{{"sha256":"{H1}"}}"#);
        for text in [
            one(r"a\u00e9", &h1),
            one(r"a\\b", &h1),
            one("a\tb", &h1),
            one("a", &format!(r#"{{"sha256":"{}"}}"#, H1.to_uppercase())),
            one("a", &format!(r#"{{"sha512":"{H1}"}}"#)),
            one("a", &format!(r#"{{"sha256":"{H1}","md5":"00"}}"#)),
            one("a", &format!(r#"{{"sha256":"{H1}0"}}"#)),
            one("a", r#"{"sha256":"00"}"#),
            one("a", "[]"),
            link("{}", r#","extra":1"#),
            link("{}", r#","name":"again""#),
            link("{}", "").replacen(r#""signatures""#, r#""sig\u006eatures""#, 1),
            format!("{} x", link("{}", "")),
            link("{}", "").replacen(r#","name":"build""#, "", 1),
            link(&format!(r#"{{"a":{h1},}}"#), ""),
        ] {
            assert!(read(&text).is_none(), "{text}");
        }
    }

    proptest::proptest! {
        /// Random artifact lists (escapes, control characters, non-ASCII,
        /// odd hashes, duplicates) written with random whitespace: `read`
        /// either declines or reads exactly what serde reads.
        #[test]
        fn read_agrees_with_serde_or_declines(
            entries in proptest::collection::vec(
                ("[a-c/é\\\\\"\t\\x00 ]{0,6}", proptest::sample::select(vec![0usize, 1, 2, 3, 4]), proptest::bits::u8::ANY),
                0..12,
            ),
            spaces in proptest::collection::vec(proptest::sample::select(vec!["", " ", "\n  ", "\t", "\r\n"]), 8),
        ) {
            let hash = |kind: usize, seed: u8| match kind {
                0 | 1 => format!(r#"{{"sha256":"{}"}}"#, format!("{seed:02x}").repeat(32)),
                2 => format!(r#"{{"sha256":"{}"}}"#, format!("{seed:02X}").repeat(32)),
                3 => format!(r#"{{"sha512":"{seed:02x}"}}"#),
                _ => format!(r#"{{"sha256":"{seed:02x}","md5":"00"}}"#),
            };
            let ws = |i: usize| spaces[i % spaces.len()];
            let body: Vec<String> = entries
                .iter()
                .enumerate()
                .map(|(i, (path, kind, seed))| {
                    let key = serde_json::to_string(path).unwrap();
                    format!("{}{key}{}:{}{}", ws(i), ws(i + 1), ws(i + 2), hash(*kind, *seed))
                })
                .collect();
            let materials = format!("{{{}{}}}", body.join(","), ws(3));
            let text = link(&materials, "").replace(r#""signed":{"#, &format!(r#""signed":{}{{{}"#, ws(4), ws(5)));
            if read(&text).is_some() {
                proptest::prop_assert!(agree(&text));
            } else {
                // Declined only for a reason the plain shape excludes.
                let plain = entries.iter().all(|(p, kind, _)| *kind <= 1 && !p.contains(['\\', '"', '\t', '\0']));
                proptest::prop_assert!(!plain, "plain text declined: {}", text);
            }
        }
    }
}

//! What `--bundle` may name, reduced to bundles: a Sigstore bundle; a
//! JSON-lines file of bundles; a PEP 740 attestation or a PyPI provenance
//! object (attestations converted to v0.3 bundles); npm's and GitHub's
//! attestation API responses (`{"attestations": [{"bundle": …}]}`).

use serde_json::{Value, json};

/// One bundle found in an input, with a label saying where.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub label: String,
    pub bundle: Value,
    /// The length of the JSON text it was read from (its line, or the whole
    /// file): what the bundle size limit applies to, without serialising it again.
    pub len: usize,
}

/// At most this many bundles per input file.
pub const MAX_BUNDLES: usize = 100_000;

/// The bundles in `bytes`, every one parsed: [`pending_in`] with the lines
/// it leaves to parse parsed here, on every core, in order. A file that is
/// not JSON at all is an error, which the caller reports as malformed.
pub fn bundles_in(bytes: &[u8], file: &str) -> Result<Vec<Found>, String> {
    use rayon::prelude::*;
    pending_in(bytes, file)?
        .into_par_iter()
        .map(|p| match p {
            Pending::Found(f) => Ok(f),
            Pending::Line { label, at } => {
                // Checked to parse by `pending_in`; an error here would be its bug, said as it would say it.
                let bundle = serde_json::from_slice(&bytes[at.clone()])
                    .map_err(|e| format!("{label}: not JSON ({e})"))?;
                Ok(Found { label, bundle, len: at.len() })
            }
        })
        .collect()
}

/// One bundle of an input as [`pending_in`] finds it: parsed, or a line of
/// a JSON-lines file that holds a plain bundle, parsed when verified.
pub enum Pending {
    Found(Found),
    /// `bytes[at]` of the input is the bundle's JSON text (checked to parse).
    Line {
        label: String,
        at: std::ops::Range<usize>,
    },
}

/// [`bundles_in`], but a line of a JSON-lines file that is a plain bundle
/// is only checked to be JSON here and left for the core that verifies it
/// to parse: thousands of parsed bundles held at once cost the fresh pages
/// they fill, where a core parsing one at a time reuses its memory. The
/// same lines make the same bundles and the same errors as [`bundles_in`].
pub fn pending_in(bytes: &[u8], file: &str) -> Result<Vec<Pending>, String> {
    if bytes.len() > 256 * 1024 * 1024 {
        return Err(format!("{file}: larger than 256 MiB"));
    }
    let first = match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => return Ok(from_value(v, file, bytes.len())?.into_iter().map(Pending::Found).collect()),
        Err(first) => first,
    };
    let lines = json_lines(bytes).ok_or_else(|| format!("{file}: not UTF-8 text"))?;
    if lines.len() < 2 {
        return Err(format!("{file}: not JSON ({first})"));
    }
    if lines.len() > MAX_BUNDLES {
        return Err(format!("{file}: more than {MAX_BUNDLES} bundles"));
    }
    use rayon::prelude::*;
    let per_line: Vec<Result<Vec<Pending>, String>> = lines
        .par_iter()
        .enumerate()
        .map(|(i, line)| pending_line(file, i, line, line.as_ptr() as usize - bytes.as_ptr() as usize))
        .collect();
    let per_line: Vec<Vec<Pending>> = per_line.into_iter().collect::<Result<_, String>>()?;
    let out: Vec<Pending> = per_line.into_iter().flatten().collect();
    if out.len() > MAX_BUNDLES {
        return Err(format!("{file}: more than {MAX_BUNDLES} bundles"));
    }
    Ok(out)
}

/// The bundles of line `i` (0-based, blank lines not counted) of a
/// JSON-lines file, which starts `start` bytes into it.
fn pending_line(file: &str, i: usize, line: &[u8], start: usize) -> Result<Vec<Pending>, String> {
    let not_json = |e: serde_json::Error| format!("{file} line {}: not JSON ({e})", i + 1);
    // Read as bytes, the line is checked to be UTF-8 where it can hold
    // anything else (its strings) without a pass of its own; a line that
    // does not read is read again as text, for the error that says why.
    let probe = match serde_json::from_slice::<Probe>(line) {
        Ok(probe) => probe,
        Err(e) => {
            let text = std::str::from_utf8(line).map_err(|_| format!("{file}: not UTF-8 text"))?;
            return Err(serde_json::from_str::<Probe>(text).err().map_or_else(|| not_json(e), not_json));
        }
    };
    let label = format!("{file}:{}", i + 1);
    if !probe.0 {
        return Ok(vec![Pending::Line { label, at: start..start + line.len() }]);
    }
    let text = std::str::from_utf8(line).map_err(|_| format!("{file}: not UTF-8 text"))?;
    let v: Value = serde_json::from_str(text).map_err(not_json)?;
    let mut found = from_value(v, file, text.len())?;
    for f in &mut found {
        f.label.clone_from(&label);
    }
    Ok(found.into_iter().map(Pending::Found).collect())
}

/// How much of a JSON-lines file [`pending_in_pieces`] reads at a time
/// (64 pages; the file's lines are a few KB each).
const PIECE: usize = 256 << 10;

/// [`pending_in`] over a file read a piece at a time into one buffer, for
/// a JSON-lines file of thousands of bundles: read whole, 20 MB are as
/// many fresh pages, each a page fault (and, on this VM, a host fault when
/// the host took the page back), where one reused piece costs a few. The
/// lines' `at` are offsets in the file, read again by whoever verifies them.
/// `beside` is given every byte of the file in order (its digest), on
/// another core while this one's lines are checked.
///
/// `Ok(None)` unless the file is a JSON-lines file of at least two lines,
/// every one JSON, within the limits: the caller then reads it whole and
/// asks [`pending_in`], which gives the file's own answer (one document,
/// or the error). Two JSON lines never parse as one document, so when this
/// gives lines, they are the lines and bundles [`pending_in`] gives.
pub fn pending_in_pieces(
    reader: &mut impl std::io::Read,
    file: &str,
    beside: impl FnMut(&[u8]) + Send,
) -> std::io::Result<Option<Vec<Pending>>> {
    pieces_of(reader, file, PIECE, beside)
}

fn pieces_of(
    reader: &mut impl std::io::Read,
    file: &str,
    piece: usize,
    mut beside: impl FnMut(&[u8]) + Send,
) -> std::io::Result<Option<Vec<Pending>>> {
    use rayon::prelude::*;
    let mut buf = vec![0u8; piece.max(1)];
    // `buf[..filled]` holds the file from `offset`, the start of a line.
    let (mut filled, mut offset, mut lines_seen) = (0usize, 0usize, 0usize);
    let mut out: Vec<Pending> = Vec::new();
    loop {
        if filled == buf.len() {
            // A line longer than the buffer: room for the rest of it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let eof = n == 0;
        let fresh = filled..filled + n;
        filled += n;
        if offset + filled > 256 * 1024 * 1024 {
            return Ok(None);
        }
        // Whole lines only: up to the last line break, or the end of the file.
        let end = if eof { filled } else { memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |at| at + 1) };
        let ((), checked) = rayon::join(
            || beside(&buf[fresh]),
            || -> Option<Vec<Vec<Pending>>> {
                let lines = json_lines(&buf[..end])?;
                lines
                    .par_iter()
                    .enumerate()
                    .map(|(i, line)| {
                        let start = offset + (line.as_ptr() as usize - buf.as_ptr() as usize);
                        pending_line(file, lines_seen + i, line, start).ok()
                    })
                    .collect()
            },
        );
        let Some(per_line) = checked else { return Ok(None) };
        lines_seen += per_line.len();
        out.extend(per_line.into_iter().flatten());
        if lines_seen > MAX_BUNDLES || out.len() > MAX_BUNDLES {
            return Ok(None);
        }
        if eof {
            return Ok((lines_seen >= 2).then_some(out));
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        offset += end;
    }
}

/// Whether a JSON text is more than a plain bundle: an object with one of
/// the members [`from_value`] looks for (an API response, a PEP 740
/// attestation, a PyPI provenance object). Reading it checks the text is
/// JSON without building it.
struct Probe(bool);

impl<'de> serde::Deserialize<'de> for Probe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ProbeVisitor)
    }
}

/// A JSON value read as a [`Value`] is read (every number parsed, so one out
/// of range fails here as there), and dropped. `IgnoredAny` would not do:
/// serde_json skips its numbers without parsing them.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> serde::de::Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
}

struct ProbeVisitor;

impl<'de> serde::de::Visitor<'de> for ProbeVisitor {
    type Value = Probe;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
        let mut other = false;
        while let Some(key) = map.next_key::<String>()? {
            other |= matches!(
                key.as_str(),
                "attestations" | "attestation_bundles" | "verification_material" | "envelope"
            );
            map.next_value::<Skip>()?;
        }
        Ok(Probe(other))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Probe, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Probe(false))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Probe, E> {
        Ok(Probe(false))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Probe, E> {
        Ok(Probe(false))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Probe, E> {
        Ok(Probe(false))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Probe, E> {
        Ok(Probe(false))
    }

    fn visit_str<E>(self, _: &str) -> Result<Probe, E> {
        Ok(Probe(false))
    }

    fn visit_unit<E>(self) -> Result<Probe, E> {
        Ok(Probe(false))
    }
}

/// The lines of `bytes` that are not blank, as `str::lines` splits them
/// (at `\n`, a `\r` before it dropped); `None` when a blank-looking line is
/// not UTF-8. The other lines are left for the cores to check as UTF-8:
/// the text is UTF-8 exactly when every line is, since a line break is
/// ASCII. Splitting is all this thread does before the cores start.
fn json_lines(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let ends =
        memchr::memchr_iter(b'\n', bytes).map(|at| (at, true)).chain(std::iter::once((bytes.len(), false)));
    for (end, newline) in ends {
        let mut line = &bytes[start..end];
        start = end + 1;
        if newline && let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        match line.first() {
            None => continue,
            // A line starting with ASCII that is not white space is not blank.
            Some(&b) if b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ') => lines.push(line),
            Some(_) => {
                if !std::str::from_utf8(line).ok()?.trim().is_empty() {
                    lines.push(line);
                }
            }
        }
    }
    Some(lines)
}

fn from_value(v: Value, file: &str, len: usize) -> Result<Vec<Found>, String> {
    if let Some(list) = v.get("attestations").and_then(Value::as_array) {
        // npm registry and GitHub API responses.
        return Ok(list
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                a.get("bundle").map(|b| Found {
                    label: format!("{file}#attestations/{i}"),
                    bundle: b.clone(),
                    len,
                })
            })
            .collect());
    }
    if let Some(list) = v.get("attestation_bundles").and_then(Value::as_array) {
        // PyPI provenance object.
        let mut out = Vec::new();
        for (i, b) in list.iter().enumerate() {
            for (j, a) in b.get("attestations").and_then(Value::as_array).into_iter().flatten().enumerate() {
                out.push(Found {
                    label: format!("{file}#attestation_bundles/{i}/attestations/{j}"),
                    bundle: pep740_to_bundle(a)?,
                    len,
                });
            }
        }
        return Ok(out);
    }
    if v.get("verification_material").is_some() && v.get("envelope").is_some() {
        return Ok(vec![Found { label: file.to_owned(), bundle: pep740_to_bundle(&v)?, len }]);
    }
    Ok(vec![Found { label: file.to_owned(), bundle: v, len }])
}

/// A PEP 740 attestation (pypi-attestations `Attestation`) as the v0.3 bundle it encodes.
pub fn pep740_to_bundle(a: &Value) -> Result<Value, String> {
    let vm = a.get("verification_material").ok_or("PEP 740 attestation without verification_material")?;
    let env = a.get("envelope").ok_or("PEP 740 attestation without envelope")?;
    let cert =
        vm.get("certificate").and_then(Value::as_str).ok_or("PEP 740 attestation without certificate")?;
    Ok(json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": cert},
            "tlogEntries": vm.get("transparency_entries").cloned().unwrap_or(json!([])),
        },
        "dsseEnvelope": {
            "payload": env.get("statement").cloned().unwrap_or(Value::Null),
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": env.get("signature").cloned().unwrap_or(Value::Null)}],
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_responses_and_json_lines_yield_their_bundles() {
        let api = br#"{"attestations":[{"predicateType":"p","bundle":{"mediaType":"m"}},{"bundle":{"mediaType":"n"}}]}"#;
        let found = bundles_in(api, "a.json").unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].bundle["mediaType"], "n");
        let lines = b"{\"mediaType\":\"a\"}\n{\"mediaType\":\"b\"}\n";
        let found = bundles_in(lines, "x.jsonl").unwrap();
        assert_eq!(found[1].label, "x.jsonl:2");
        let pep = br#"{"version":1,"verification_material":{"certificate":"AA==","transparency_entries":[]},"envelope":{"statement":"e30=","signature":"AA=="}}"#;
        let found = bundles_in(pep, "p").unwrap();
        assert_eq!(found[0].bundle["dsseEnvelope"]["payload"], "e30=");
        assert!(bundles_in(b"not json", "z").is_err());
    }

    /// The reference for [`pending_in`]: the whole file as JSON, else every
    /// line parsed into a `Value` and read by `from_value`, as `bundles_in`
    /// did before it left plain bundles to parse.
    fn each_line_parsed(bytes: &[u8], file: &str) -> Result<Vec<Found>, String> {
        if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
            return from_value(v, file, bytes.len());
        }
        let lines = json_lines(bytes).ok_or("not UTF-8")?;
        if lines.len() < 2 {
            return Err("not JSON".into());
        }
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let v: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
            for mut f in from_value(v, file, line.len())? {
                f.label = format!("{file}:{}", i + 1);
                out.push(f);
            }
        }
        Ok(out)
    }

    #[test]
    fn lines_left_to_parse_make_the_bundles_and_errors_of_bundles_in() {
        let inputs: [&[u8]; 12] = [
            br#"{"attestations":[{"bundle":{"mediaType":"m"}},{"bundle":{"mediaType":"n"}}]}"#,
            b"{\"mediaType\":\"a\", \"x\": [1, {\"y\": null}]}\r\n\n  {\"mediaType\":\"b\"}\n5\n[1,2]\n\"s\"\n",
            b"{\"mediaType\":\"a\"}\n{\"attestations\":[{\"bundle\":{\"mediaType\":\"n\"}}]}\n{\"attestations\":3}\n",
            b"{\"a\":1}\n{\"version\":1,\"verification_material\":{\"certificate\":\"AA==\"},\"envelope\":{\"statement\":\"e30=\",\"signature\":\"AA==\"}}\n",
            b"{\"a\":1}\n{\"verification_material\":{}}\n",
            b"{\"a\":1}\n{\"attestation_bundles\":[{\"attestations\":[{}]}]}\n",
            b"{\"a\":1}\n{\"b\":2\n{\"c\":3}\n",
            b"{\"a\":1}\n{\"b\":\"\xff\"}\n",
            b"{\"a\":1}\n{\"b\":1e999}\n",
            b"{\"a\":[{\"x\":-1e999}]}\n{\"b\":2}\n",
            b"{\"a\":100000000000000000000, \"\\u0062\":[-0.5e-400, true, null]}\n{\"b\":2}\n",
            b"{\"a\":1}\n{\"attest\\u0061tions\":[{\"bundle\":{}}]}\n",
        ];
        for bytes in inputs {
            let want = each_line_parsed(bytes, "f.jsonl");
            // A line left to parse later must parse: the check is pending_in's, not the later parse's.
            assert_eq!(
                pending_in(bytes, "f.jsonl").is_ok(),
                want.is_ok(),
                "{}",
                String::from_utf8_lossy(bytes)
            );
            let got = bundles_in(bytes, "f.jsonl");
            assert_eq!(got.is_ok(), want.is_ok(), "{}", String::from_utf8_lossy(bytes));
            if let (Ok(got), Ok(want)) = (got, want) {
                assert_eq!(got, want, "{}", String::from_utf8_lossy(bytes));
            }
        }
        // Plain bundles are left to parse; any other line is parsed here.
        let mixed = b"{\"mediaType\":\"a\"}\n{\"attestations\":[]}\n{\"mediaType\":\"c\"}\n";
        let kinds: Vec<bool> =
            pending_in(mixed, "m").unwrap().iter().map(|p| matches!(p, Pending::Line { .. })).collect();
        assert_eq!(kinds, [true, true]);
    }

    /// What a [`Pending`] says, to compare two lists of them.
    fn said(p: &[Pending]) -> Vec<(String, Option<std::ops::Range<usize>>, Option<Value>)> {
        p.iter()
            .map(|p| match p {
                Pending::Found(f) => (f.label.clone(), None, Some(f.bundle.clone())),
                Pending::Line { label, at } => (label.clone(), Some(at.clone()), None),
            })
            .collect()
    }

    #[test]
    fn a_file_read_in_pieces_gives_the_lines_of_the_file_read_whole() {
        let long = format!("{{\"mediaType\":\"{}\"}}\n", "x".repeat(100));
        let long = long.repeat(2);
        let many = "{\"a\":1}\n".repeat(40);
        let texts: Vec<Vec<u8>> = [
            &b"{\"mediaType\":\"a\", \"x\": [1, {\"y\": null}]}\r\n\n  {\"mediaType\":\"b\"}\n5\n[1,2]\n\"s\"\n"[..],
            b"{\"mediaType\":\"a\"}\n{\"attestations\":[{\"bundle\":{\"mediaType\":\"n\"}}]}\n{\"attestations\":3}\n",
            b"{\"a\":1}\r\n\r\n{\"b\":2}\r",
            b"\xc2\xa0\n{\"a\":1}\n\n{\"b\":2}",
            long.as_bytes(),
            many.as_bytes(),
            // Not for the pieces: a PEP 740 attestation that does not convert, one
            // document, a bad line, one line, not UTF-8.
            b"{\"a\":1}\n{\"attestation_bundles\":[{\"attestations\":[{}]}]}\n",
            b"{\"a\":\n1}\n",
            b"{\"attestations\":[{\"bundle\":{}}]}\n",
            b"{\"a\":1}\n{\"b\":2\n{\"c\":3}\n",
            b"{\"a\":1}\n{\"b\":1e999}\n",
            b"{\"a\":1}\n{\"b\":\"\xff\"}\n",
            b"{}\n\xa0\n{}",
            b"",
        ]
        .iter()
        .map(|t| t.to_vec())
        .chain([format!("{long}{long}{many}").into_bytes()])
        .collect();
        for text in &texts {
            let whole = pending_in(text, "f.jsonl");
            for piece in [1, 7, 64, 4096] {
                let mut seen = Vec::new();
                let got = pieces_of(&mut &text[..], "f.jsonl", piece, |b| seen.extend_from_slice(b)).unwrap();
                let shown = String::from_utf8_lossy(text);
                match got {
                    Some(got) => assert_eq!(said(&got), said(whole.as_ref().unwrap()), "{piece}: {shown}"),
                    // Left to the whole read only when it is not two JSON lines or more.
                    None => assert!(
                        whole.is_err() || serde_json::from_slice::<Value>(text).is_ok(),
                        "{piece}: {shown}"
                    ),
                }
                if got_lines(text) {
                    assert_eq!(&seen, text, "every byte beside, in order");
                }
            }
        }
        // Two JSON lines or more are always the pieces'.
        for text in &texts[..6] {
            assert!(
                pieces_of(&mut &text[..], "f", 3, |_| ()).unwrap().is_some(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn a_line_read_as_bytes_fails_with_the_error_of_the_line_read_as_text() {
        let lines: [&[u8]; 6] = [
            b"{\"b\":\"\xff\"}",
            b"{\"b\":2",
            b"{\"b\":1e999}",
            b"\xff{}",
            b"{} x",
            b"{\"\xc3\xa9\":\"\xe2\x82\"}",
        ];
        for line in lines {
            let want = match std::str::from_utf8(line) {
                Err(_) => "f: not UTF-8 text".to_owned(),
                Ok(text) => {
                    format!("f line 3: not JSON ({})", serde_json::from_str::<Probe>(text).err().unwrap())
                }
            };
            assert_eq!(pending_line("f", 2, line, 0).err(), Some(want), "{}", String::from_utf8_lossy(line));
        }
        let ok = "{\"\u{e9}\":[\"\u{1f600}\", 1.5]}".as_bytes();
        assert!(
            matches!(&pending_line("f", 0, ok, 7).unwrap()[..], [Pending::Line { at, .. }] if *at == (7..7 + ok.len()))
        );
    }

    /// Whether `text` is read to its end by the pieces (two JSON lines or more).
    fn got_lines(text: &[u8]) -> bool {
        pieces_of(&mut &text[..], "f", 5, |_| ()).unwrap().is_some()
    }

    #[test]
    fn json_lines_are_split_as_str_lines_splits_them() {
        let texts = [
            "a\nb",
            "a\r\nb\r\n",
            "\n\n a \n\t\n\u{a0}\nb\r",
            "x\ry\n\u{85}\n\u{b}\n\u{c}z\n",
            "\u{e9}t\u{e9}\n\r\n\r",
            "",
            "\n",
        ];
        for text in texts {
            let want: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let got: Vec<&str> = json_lines(text.as_bytes())
                .unwrap()
                .iter()
                .map(|l| std::str::from_utf8(l).unwrap())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
        // A blank-looking line that is not UTF-8 fails here; any other such
        // line fails on the cores, so either way the file is not JSON lines.
        assert_eq!(json_lines(b"{}\n\xa0\n{}"), None);
        assert!(bundles_in(b"{\"a\":1}\n{\"b\":\"\xff\"}\n", "f").is_err());
        assert!(bundles_in(b"{\"a\":1}\n{\"b\":2}\n", "f").is_ok());
        // One bad line: the whole file is not a JSON-lines file of bundles.
        assert!(bundles_in(b"{\"a\":1}\n{\"b\":2\n{\"c\":3}\n", "f").is_err());
    }
}

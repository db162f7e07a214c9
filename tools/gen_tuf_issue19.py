#!/usr/bin/env python3
"""Scenarios for the TUF disagreements of issue #19, in the TUF corpus format
(fixtures/interop/README-tuf.md), with the verdict python-tuf 7.0.1 gives.

Not part of CI. Usage (in the reference venv, see README "Reference venv"):
    target/refvenv/bin/python tools/gen_tuf_issue19.py fixtures/interop/tuf [SCENARIO ...]

Every scenario is built with python-tuf's Metadata API and signed with
deterministic ed25519 keys; its `expect` is what python-tuf's ngclient
returns when run on the written files with the corpus harness (local
fetcher: percent-decode, dot segments, 404), never what the builder intended.
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.parse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api import exceptions as tex
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization import DeserializationError
from tuf.api.serialization.json import JSONSerializer
from tuf.ngclient import FetcherInterface, Updater

NOW = datetime.datetime(2026, 12, 6, 0, 0, 0, tzinfo=datetime.timezone.utc)
EXPIRES = NOW + datetime.timedelta(days=3660)


def signer(seed):
    priv = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"issue19-{seed}".encode()).digest())
    key = SSlibKey.from_crypto(priv.public_key())
    return CryptoSigner(priv, key)


SIGNERS = {role: signer(role) for role in ["root", "timestamp", "snapshot", "targets"]}


def digest(name, data):
    if name == "md4":  # not in hashlib: any 32 hex digits
        return hashlib.md5(b"md4:" + data).hexdigest()
    h = hashlib.blake2b(digest_size=32) if name == "blake2b-256" else hashlib.new(name)
    h.update(data)
    return h.hexdigest()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def sign(signed):
    md = Metadata(signed)
    md.sign(SIGNERS[signed.type])
    return md.to_bytes(JSONSerializer(compact=False))


class Repo:
    """One repository: targets (path -> (bytes, hash algorithms, custom)),
    written as python-tuf would publish it."""

    def __init__(self, consistent=False):
        self.consistent = consistent
        self.targets = {}
        self.meta_hashes = ["sha256"]
        self.snapshot_meta_hashes = None
        self.targets_extra = {}

    def root(self):
        root = Root(expires=EXPIRES, consistent_snapshot=self.consistent)
        for role, s in SIGNERS.items():
            root.add_key(s.public_key, role)
        return root

    def build(self, out):
        files = {}
        targets = Targets(expires=EXPIRES, unrecognized_fields=dict(self.targets_extra))
        for path, (data, algs, custom) in self.targets.items():
            fields = {"custom": custom} if custom is not None else {}
            targets.targets[path] = TargetFile(
                len(data), {a: digest(a, data) for a in algs}, path, unrecognized_fields=fields
            )
        targets_bytes = sign(targets)
        snap_meta = MetaFile(version=1)
        if self.snapshot_meta_hashes:
            snap_meta = MetaFile(
                version=1,
                length=len(targets_bytes),
                hashes={a: digest(a, targets_bytes) for a in self.snapshot_meta_hashes},
            )
        snapshot = Snapshot(expires=EXPIRES, meta={"targets.json": snap_meta})
        snapshot_bytes = sign(snapshot)
        timestamp = Timestamp(
            expires=EXPIRES,
            snapshot_meta=MetaFile(
                version=1,
                length=len(snapshot_bytes),
                hashes={a: digest(a, snapshot_bytes) for a in self.meta_hashes},
            ),
        )
        root_bytes = sign(self.root())
        prefix = "1." if self.consistent else ""
        files["repo/metadata/1.root.json"] = root_bytes
        files["repo/metadata/timestamp.json"] = sign(timestamp)
        files[f"repo/metadata/{prefix}snapshot.json"] = snapshot_bytes
        files[f"repo/metadata/{prefix}targets.json"] = targets_bytes
        files["trusted_root.json"] = root_bytes
        for path, (data, algs, _) in self.targets.items():
            files[f"repo/targets/{urllib.parse.unquote(path)}"] = data
        for rel, data in files.items():
            write(os.path.join(out, rel), data)
        return files


class LocalFetcher(FetcherInterface):
    """The corpus harness (README-tuf "URL → file mapping")."""

    def __init__(self, root):
        self.root = root

    def _fetch(self, url):
        path = urllib.parse.unquote(url.split("https://repo.invalid/", 1)[1])
        segs = []
        for s in path.split("/"):
            if s in ("", "."):
                continue
            if s == "..":
                if segs:
                    segs.pop()
                continue
            segs.append(s)
        full = os.path.join(self.root, *segs)
        if not os.path.isfile(full):
            raise tex.DownloadHTTPError(f"not found {path}", 404)
        with open(full, "rb") as f:
            return iter([f.read()])


def category(e):
    """The corpus category of a reference exception (README-tuf vocabulary)."""
    name = type(e).__name__
    msg = str(e)
    if isinstance(e, tex.ExpiredMetadataError):
        return "expired"
    if isinstance(e, tex.UnsignedMetadataError):
        return "signature-threshold"
    if isinstance(e, tex.LengthOrHashMismatchError):
        return "length-mismatch" if "length" in msg.lower() else "hash-mismatch"
    if isinstance(e, tex.DownloadHTTPError):
        return "download-failed"
    if isinstance(e, tex.SlowRetrievalError):
        return "slow-retrieval"
    if isinstance(e, tex.DownloadLengthMismatchError):
        return "length-mismatch"
    if isinstance(e, (DeserializationError, ValueError)):
        return "malformed"
    if isinstance(e, tex.BadVersionNumberError):
        # trusted_metadata_set: "must be >=" and "Expected X.json version"
        # are rollbacks; root N+1, snapshot vs timestamp and role vs
        # snapshot versions are version mismatches (README-tuf).
        if "must be >=" in msg or ".json version" in msg:
            return "rollback"
        return "version-mismatch"
    if isinstance(e, tex.RepositoryError):
        if msg.startswith("Expected '"):
            return "wrong-type"
        if "does not contain information for" in msg:
            return "missing-from-snapshot"
        if "is missing info for" in msg:
            return "rollback"
        return "repository-error"
    raise SystemExit(f"no category for {name}: {msg}")


def describe(e):
    c = e.__cause__
    return f"{type(e).__name__}: {e}" + (f" (caused by {type(c).__name__}: {c})" if c else "")


def reference(d, queries, client_state=None):
    """What python-tuf says about scenario directory `d` (with the stored
    metadata of `d/client_state`, if given)."""
    scratch = tempfile.mkdtemp()
    stage = [None]
    try:
        md, tg = os.path.join(scratch, "md"), os.path.join(scratch, "tg")
        os.makedirs(md)
        os.makedirs(tg)
        if client_state:
            for f in os.listdir(os.path.join(d, client_state)):
                shutil.copy(os.path.join(d, client_state, f), md)
        with open(os.path.join(d, "trusted_root.json"), "rb") as f:
            boot = f.read()
        try:
            stage[0] = "root"
            u = Updater(
                metadata_dir=md,
                metadata_base_url="https://repo.invalid/metadata/",
                target_dir=tg,
                target_base_url="https://repo.invalid/targets/",
                fetcher=LocalFetcher(os.path.join(d, "repo")),
                bootstrap=boot,
            )
            for name in ["_load_root", "_load_timestamp", "_load_snapshot", "_load_targets"]:
                orig = getattr(u, name)

                def wrapped(*a, _o=orig, _n=name, **k):
                    stage[0] = a[0] if _n == "_load_targets" else _n[len("_load_") :]
                    return _o(*a, **k)

                setattr(u, name, wrapped)
            u.refresh()
        except Exception as e:  # noqa: BLE001 - every failure is a verdict
            # README-tuf: "Final root.json is expired" is raised while loading
            # the timestamp and attributed to root.
            if isinstance(e, tex.ExpiredMetadataError) and "root.json" in str(e):
                stage[0] = "root"
            expect = {
                "refresh": "error",
                "category": category(e),
                "role": stage[0],
                "reference_error": describe(e),
                "targets": {p: {"result": "error", "role": None, "category": "refresh-failed"} for p in queries},
            }
            return expect
        expect = {"refresh": "ok", "category": "ok", "role": None, "reference_error": None, "targets": {}}
        for p in queries:
            stage[0] = None
            try:
                info = u.get_targetinfo(p)
                if info is None:
                    expect["targets"][p] = {"result": "not-found", "role": None, "category": "not-found"}
                    continue
                entry = {"role": stage[0], "length": info.length, "hashes": info.hashes}
                try:
                    u.download_target(info, os.path.join(tg, urllib.parse.quote(p, "")))
                    entry.update(result="ok", category="ok")
                except Exception as e:  # noqa: BLE001
                    entry.update(result="error", category=category(e), reference_error=describe(e))
                expect["targets"][p] = entry
            except Exception as e:  # noqa: BLE001
                expect["targets"][p] = {
                    "result": "error",
                    "role": stage[0],
                    "category": category(e),
                    "reference_error": describe(e),
                }
        ts = u._trusted_set
        expect["final_versions"] = {r: getattr(ts, r).version for r in ["root", "timestamp", "snapshot", "targets"]}
        return expect
    finally:
        shutil.rmtree(scratch)


def scenario_json(name, description, expect, notes=None):
    sc = {
        "name": name,
        "description": description,
        "kind": "tuf",
        "inputs": {
            "trusted_root": "trusted_root.json",
            "metadata_dir": "repo/metadata",
            "targets_dir": "repo/targets",
            "client_state": None,
        },
        "now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expect": expect,
        "reference": {"implementation": "python-tuf ngclient", "version": "7.0.1"},
        "generator": {"tool": "tools/gen_tuf_issue19.py", "seed": 19, "set": "issue-19"},
    }
    if notes:
        sc["notes"] = notes
    return sc


def hash_algorithms(d):
    r = Repo()
    r.meta_hashes = ["blake2b-256", "sha3_256"]
    r.snapshot_meta_hashes = ["sha3_512", "md5"]
    for algs in [
        ["sha224"],
        ["sha3_224"],
        ["sha3_256"],
        ["sha3_384"],
        ["sha3_512"],
        ["blake2b"],
        ["blake2b-256"],
        ["blake2s"],
        ["sha512_256"],
        ["sha1"],
        ["md5"],
        ["sha256", "sha3_256", "blake2b-256"],
    ]:
        path = "files/" + "-".join(algs) + ".bin"
        r.targets[path] = (f"content of {path}\n".encode(), algs, None)
    # An algorithm hashlib does not know, and a digest that is wrong.
    r.targets["files/unknown-md4.bin"] = (b"md4\n", ["md4"], None)
    bad = "files/wrong-sha3_256.bin"
    r.targets[bad] = (b"listed\n", ["sha3_256"], None)
    r.build(d)
    write(os.path.join(d, "repo/targets", bad), b"served\n")
    return "Target, snapshot and timestamp hashes in every algorithm python-tuf verifies (sha224, sha3_*, blake2b, blake2b-256, blake2s, sha512_256, sha1, md5); an unknown algorithm (md4) and a wrong sha3_256 digest fail as hash-mismatch.", list(r.targets)


def percent_paths(d):
    r = Repo()
    r.targets["%41x"] = (b"the file Ax\n", ["sha256"], None)
    r.targets["a%2Fb"] = (b"the file a/b\n", ["sha256"], None)
    r.targets["dir/50%25off.txt"] = (b"fifty percent\n", ["sha256"], None)
    r.build(d)
    # Decoys at the names a client that encodes `%` as `%25` would read.
    write(os.path.join(d, "repo/targets/%41x"), b"decoy\n")
    write(os.path.join(d, "repo/targets/a%2Fb"), b"decoy\n")
    return "Target paths with percent escapes go into the URL as written (TARGETPATH is a URL path): %41x is served as Ax, a%2Fb as a/b; decoys sit at the names a client that re-encodes % would ask for.", list(r.targets)


def big_integers(d):
    r = Repo()
    r.targets_extra = {"x-big": 2**100, "x-negative": -(2**70)}
    r.targets["pkg/big-custom.tgz"] = (
        b"package\n",
        ["sha256"],
        {"big": 18446744073709551616, "list": [2**64 - 1, 2**64, -(2**63) - 1], "nested": {"n": 10**40}},
    )
    r.build(d)
    return "Integers outside 64 bits in a target's custom data and in an unknown field of targets' signed object: canonical JSON integers are unbounded and both places are opaque, so the signature verifies and the target downloads.", list(r.targets)


def consistent_unversioned(d):
    r = Repo(consistent=True)
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)
    meta = os.path.join(d, "repo/metadata")
    os.rename(os.path.join(meta, "1.snapshot.json"), os.path.join(meta, "snapshot.json"))
    os.rename(os.path.join(meta, "1.targets.json"), os.path.join(meta, "targets.json"))
    return "The trusted root says consistent_snapshot: true but the repository serves unversioned snapshot.json and targets.json: the client asks for 1.snapshot.json, which is absent.", list(r.targets)


def truncated_root(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    files = r.build(d)
    write(os.path.join(d, "trusted_root.json"), files["trusted_root.json"][:200])
    return "The trusted root the client starts from is truncated (its first 200 bytes).", list(r.targets)


def duplicate_signature_root(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    files = r.build(d)
    doc = json.loads(files["trusted_root.json"])
    doc["signatures"].append(dict(doc["signatures"][0]))
    write(os.path.join(d, "trusted_root.json"), json.dumps(doc, indent=1).encode())
    return "The trusted root carries the same signature twice under one key id (python-tuf refuses it at parse time).", list(r.targets)


def resign_json(path, role, change):
    """Applies `change` to the metadata at `path` and signs `signed` over sorted
    compact json.dumps: canonical JSON has no floats, so a signer that puts
    one in can only sign some other serialization."""
    with open(path) as f:
        doc = json.load(f)
    change(doc)
    data = json.dumps(doc["signed"], sort_keys=True, separators=(",", ":")).encode()
    s = SIGNERS[role]
    doc["signatures"] = [{"keyid": s.public_key.keyid, "sig": s._private_key.sign(data).hex()}]
    write(path, json.dumps(doc, indent=1).encode())


def float_in_signed(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)

    def change(doc):
        doc["signed"]["targets"]["pkg/app.tgz"]["custom"] = {"ratio": 0.5}

    resign_json(os.path.join(d, "repo/metadata/targets.json"), "targets", change)
    return "A target's custom data holds a float (0.5). python-tuf checks signatures over the canonical JSON of 'signed', which has no floats: its serializer raises (SerializationError caused by FormatError), a RepositoryError, before any signature is checked.", list(r.targets)


def float_outside_signed(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)
    path = os.path.join(d, "repo/metadata/targets.json")
    with open(path) as f:
        doc = json.load(f)
    doc["x-build-seconds"] = 12.5
    doc["signatures"][0]["x-weight"] = 0.5
    write(path, json.dumps(doc, indent=1).encode())
    return "Floats outside 'signed' (a top-level member and a member of a signature) are not signed, so they do not matter: the targets verify.", list(r.targets)


RAW = re.compile(rb'"@raw:([-+.0-9eE]+)@"')


def raw(text):
    """A number to be written exactly as `text` (`1E+19`, `2.0`): json.dumps has
    its own spelling, so it is a marker string until `raw_numbers`."""
    return f"@raw:{text}@"


def raw_numbers(data):
    return RAW.sub(rb"\1", data)


def resign_json_raw(path, role, change):
    """`resign_json` with `raw` numbers written as their text, in the file and
    in the bytes signed."""
    with open(path) as f:
        doc = json.load(f)
    change(doc)
    data = raw_numbers(json.dumps(doc["signed"], sort_keys=True, separators=(",", ":")).encode())
    s = SIGNERS[role]
    doc["signatures"] = [{"keyid": s.public_key.keyid, "sig": s._private_key.sign(data).hex()}]
    write(path, raw_numbers(json.dumps(doc, indent=1).encode()))


def exponent_in_custom(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)

    def change(doc):
        doc["signed"]["targets"]["pkg/app.tgz"]["custom"] = {"serial": raw("1e19"), "list": [raw("1E+19"), 7]}

    resign_json_raw(os.path.join(d, "repo/metadata/targets.json"), "targets", change)
    return "A target's custom data holds numbers written with an exponent ('1e19', '1E+19'): floats to python's json, not the integer 10000000000000000000, so canonical JSON has no form for 'signed': SerializationError, a RepositoryError, as for any float.", list(r.targets)


def whole_float_in_signed(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)

    def change(doc):
        doc["signed"]["x-count"] = raw("2.0")
        doc["signed"]["x-big"] = raw("12e18")

    resign_json_raw(os.path.join(d, "repo/metadata/targets.json"), "targets", change)
    return "Unknown members of targets' 'signed' hold '2.0' and '12e18': whole numbers, but written as floats, so python reads floats and canonical JSON refuses them: SerializationError, a RepositoryError.", list(r.targets)


def exponent_version(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)

    def change(doc):
        doc["signed"]["version"] = raw("1e0")

    resign_json_raw(os.path.join(d, "repo/metadata/targets.json"), "targets", change)
    return "Targets' version is written '1e0': the float 1.0 to python's json, not the integer 1.", list(r.targets)


def exponent_outside_signed(d):
    r = Repo()
    r.targets["pkg/app.tgz"] = (b"app\n", ["sha256"], None)
    r.build(d)
    path = os.path.join(d, "repo/metadata/targets.json")
    with open(path) as f:
        doc = json.load(f)
    doc["x-build-seconds"] = raw("1E+19")
    doc["signatures"][0]["x-weight"] = raw("1e19")
    write(path, raw_numbers(json.dumps(doc, indent=1).encode()))
    return "Numbers with an exponent outside 'signed' ('1E+19' at the top level, '1e19' in a signature) are not signed and do not matter: the targets verify.", list(r.targets)


SCENARIOS = {
    "issue19-hash-algorithms": hash_algorithms,
    "issue19-target-path-percent": percent_paths,
    "issue19-big-integers": big_integers,
    "issue19-consistent-snapshot-unversioned": consistent_unversioned,
    "issue19-trusted-root-truncated": truncated_root,
    "issue19-trusted-root-duplicate-signature": duplicate_signature_root,
    "issue19-float-in-signed": float_in_signed,
    "issue19-float-outside-signed": float_outside_signed,
    "issue19-exponent-in-custom": exponent_in_custom,
    "issue19-whole-float-in-signed": whole_float_in_signed,
    "issue19-exponent-outside-signed": exponent_outside_signed,
    "issue19-exponent-version": exponent_version,
}


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "fixtures/interop/tuf"
    only = sys.argv[2:]
    for name, build in SCENARIOS.items():
        if only and name not in only:
            continue
        # A trusted root the reference refuses is not a repository scenario:
        # those go beside the corpus, in tuf-trust-anchor/.
        d = os.path.join(base, name)
        if "trusted-root" in name:
            d = os.path.join(os.path.dirname(os.path.abspath(base)), "tuf-trust-anchor", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        description, queries = build(d)
        expect = reference(d, queries)
        with open(os.path.join(d, "scenario.json"), "w") as f:
            json.dump(scenario_json(name, description, expect), f, indent=2, sort_keys=False)
            f.write("\n")
        targets = {p: t["category"] for p, t in expect["targets"].items()}
        print(f"{name}: refresh {expect['refresh']} {expect['category']} {expect['role']} targets {targets}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the TUF scenarios of issue #19 about a timestamp whose `meta` lists
more than snapshot.json into fixtures/interop/tuf/, with the outcome python-tuf
7.0.1's ngclient actually returns, and refreshes that folder's index.json.

Usage (the reference venv: tuf 7.0.1, securesystemslib, cryptography):
    target/refvenv/bin/python tools/gen-tuf-timestamp-meta.py [fixtures/interop/tuf]

The repository is written by hand (ed25519 keys from fixed seeds, signatures
over canonical JSON) so that the timestamp can be signed over exactly the
bytes wanted: as written, or as python-tuf rebuilds it.
"""
import copy
import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.formats import encode_canonical

OUT = sys.argv[1] if len(sys.argv) > 1 else "fixtures/interop/tuf"
NOW = "2026-06-01T00:00:00Z"
EXPIRES = "2031-01-01T00:00:00Z"
TARGET = ("pkg-1.0.tar.gz", b"a package, version 1.0\n")


class Key:
    def __init__(self, seed):
        self.sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())
        raw = self.sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.dict = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}}
        self.keyid = hashlib.sha256(encode_canonical(self.dict).encode()).hexdigest()

    def sign(self, signed):
        return {"keyid": self.keyid, "sig": self.sk.sign(encode_canonical(signed).encode()).hex()}


KEYS = {role: Key(f"tuf-timestamp-meta/{role}") for role in ("root", "timestamp", "snapshot", "targets")}


def envelope(role, signed, signed_over=None):
    return {"signatures": [KEYS[role].sign(signed_over or signed)], "signed": signed}


def common(kind):
    return {"_type": kind, "spec_version": "1.0.31", "version": 1, "expires": EXPIRES}


def repository(timestamp_form):
    root = dict(
        common("root"),
        consistent_snapshot=False,
        keys={k.keyid: k.dict for k in KEYS.values()},
        roles={role: {"keyids": [k.keyid], "threshold": 1} for role, k in KEYS.items()},
    )
    name, data = TARGET
    targets = dict(
        common("targets"),
        targets={name: {"length": len(data), "hashes": {"sha256": hashlib.sha256(data).hexdigest()}}},
    )
    snapshot = dict(common("snapshot"), meta={"targets.json": {"version": 1}})
    timestamp = dict(common("timestamp"), meta={"snapshot.json": {"version": 1}, "targets.json": {"version": 1}})
    # python-tuf's Timestamp keeps only snapshot.json of meta.
    rebuilt = copy.deepcopy(timestamp)
    rebuilt["meta"] = {"snapshot.json": rebuilt["meta"]["snapshot.json"]}
    return {
        "1.root.json": envelope("root", root),
        "timestamp.json": envelope("timestamp", timestamp, rebuilt if timestamp_form == "rebuilt" else None),
        "snapshot.json": envelope("snapshot", snapshot),
        "targets.json": envelope("targets", targets),
    }


def reference(d):
    """python-tuf ngclient's outcome: (refresh, category, role, error, target result)."""
    from tuf.api import exceptions as tex
    from tuf.ngclient import FetcherInterface, Updater

    class LocalFetcher(FetcherInterface):
        def _fetch(self, url):
            path = urllib.parse.unquote(url.split("https://repo.invalid/", 1)[1])
            full = os.path.join(d, "repo", *path.split("/"))
            if not os.path.isfile(full):
                raise tex.DownloadHTTPError(f"not found {path}", 404)
            with open(full, "rb") as f:
                return iter([f.read()])

    scratch = tempfile.mkdtemp()
    try:
        with open(os.path.join(d, "trusted_root.json"), "rb") as f:
            root = f.read()
        u = Updater(
            metadata_dir=scratch,
            metadata_base_url="https://repo.invalid/metadata/",
            target_dir=scratch,
            target_base_url="https://repo.invalid/targets/",
            fetcher=LocalFetcher(),
            bootstrap=root,
        )
        try:
            u.refresh()
        except tex.UnsignedMetadataError as e:
            return "error", "signature-threshold", "timestamp", f"{type(e).__name__}: {e}", None
        info = u.get_targetinfo(TARGET[0])
        path = u.download_target(info)
        with open(path, "rb") as f:
            ok = f.read() == TARGET[1]
        return "ok", "ok", None, None, ok
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write(name, description, timestamp_form):
    d = os.path.join(OUT, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    files = repository(timestamp_form)
    os.makedirs(os.path.join(d, "repo", "metadata"))
    os.makedirs(os.path.join(d, "repo", "targets"))
    for fname, doc in files.items():
        with open(os.path.join(d, "repo", "metadata", fname), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
    shutil.copy(os.path.join(d, "repo", "metadata", "1.root.json"), os.path.join(d, "trusted_root.json"))
    with open(os.path.join(d, "repo", "targets", TARGET[0]), "wb") as f:
        f.write(TARGET[1])
    refresh, category, role, error, target_ok = reference(d)
    name_, data = TARGET
    targets = {}
    if refresh == "ok":
        assert target_ok
        targets[name_] = {
            "result": "ok",
            "role": "targets",
            "category": "ok",
            "length": len(data),
            "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
        }
    scenario = {
        "name": name,
        "description": description,
        "kind": "tuf",
        "inputs": {
            "trusted_root": "trusted_root.json",
            "metadata_dir": "repo/metadata",
            "targets_dir": "repo/targets",
            "client_state": None,
        },
        "now": NOW,
        "expect": {
            "refresh": refresh,
            "category": category,
            "role": role,
            "reference_error": error,
            "targets": targets,
        },
        "reference": {"implementation": "python-tuf ngclient", "version": "7.0.1"},
        "generator": {"tool": "tools/gen-tuf-timestamp-meta.py", "seed": 1, "set": "divergences"},
    }
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump(scenario, f, indent=2)
        f.write("\n")
    print(f"{name}: python-tuf {refresh}/{category}/{role} :: {error}")
    index_entry(name, refresh, category, role, targets)


def index_entry(name, refresh, category, role, targets):
    """Adds (or replaces) the scenario's entry in OUT/index.json."""
    path = os.path.join(OUT, "index.json")
    with open(path) as f:
        index = json.load(f)
    counts = {}
    for t in targets.values():
        counts[t["result"]] = counts.get(t["result"], 0) + 1
    entry = {"name": name, "refresh": refresh, "category": category, "role": role, "targets": counts,
             "divergence_note": True}
    index["scenarios"] = [s for s in index["scenarios"] if s["name"] != name] + [entry]
    with open(path, "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")


def main():
    write(
        "timestamp-meta-extra-signed-as-written",
        "The timestamp's meta lists targets.json besides snapshot.json (the specification: it MUST only include "
        "snapshot.json) and is signed over the timestamp as written. python-tuf's Timestamp model keeps only "
        "snapshot.json, so the signature over its rebuilt timestamp fails: signature-threshold at timestamp. "
        "trailscope gives that verdict by default; --signature-form written accepts the signature.",
        "written",
    )
    write(
        "timestamp-meta-extra-signed-rebuilt",
        "The timestamp was signed without targets.json in meta, which was added afterwards: the signature does not "
        "cover it, but python-tuf drops the entry and verifies: ok. trailscope passes too and warns "
        "(timestamp-meta-extra: the specification says meta MUST only include snapshot.json).",
        "rebuilt",
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""sigstore-python's side of bench/attest.sh: verifies every bundle of a
JSON-lines file in one process (as a long-running verifier would), with the
identity policy and the trusted root gen-bundles wrote, and checks the
artifact's sha256 against each statement's subjects.

usage: python attest_ref.py WORKLOAD_DIR   (prints: bundles verified, seconds, ms per bundle)
"""
import hashlib
import json
import pathlib
import sys
import time

from sigstore.models import Bundle
try:
    from sigstore.models import TrustedRoot
except ImportError:  # sigstore < 4
    from sigstore._internal.trust import TrustedRoot
from sigstore.verify import Verifier, policy

work = pathlib.Path(sys.argv[1])
pol = json.loads((work / "policy.json").read_text())
identity = policy.Identity(identity=pol["certificate_identity"], issuer=pol["certificate_oidc_issuer"])
digest = hashlib.sha256((work / "artifact.txt").read_bytes()).hexdigest()
lines = (work / "bundles.jsonl").read_bytes().splitlines()

start = time.perf_counter()
verifier = Verifier(trusted_root=TrustedRoot.from_file(str(work / "trusted_root.json")))
ok = 0
for line in lines:
    bundle = Bundle.from_json(line)
    _, payload = verifier.verify_dsse(bundle, identity)
    statement = json.loads(payload)
    if any(s["digest"].get("sha256") == digest for s in statement["subject"]):
        ok += 1
elapsed = time.perf_counter() - start
print(f"{ok} {len(lines)} {elapsed:.3f} {1000 * elapsed / max(len(lines), 1):.3f}")
sys.exit(0 if ok == len(lines) else 1)

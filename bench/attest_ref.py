#!/usr/bin/env python3
"""sigstore-python's side of bench/attest.sh: verifies every bundle of a
JSON-lines file in one process (as a long-running verifier would), with the
identity policy and the trusted root of the workload directory, and checks
the artifact against each bundle: its sha256 among a DSSE statement's
subjects, or the message signature over it.

WORKLOAD_DIR holds bundles.jsonl, trusted_root.json, artifact.txt and
policy.json ({"certificate_identity", "certificate_oidc_issuer"}, or
{"any_identity": true} for a corpus of many signers: sigstore-python's
UnsafeNoOp policy, as trailscope's `--certificate-identity-regexp '.*'`).
A bundle that does not verify is counted, not fatal (corpora hold fail cases).

usage: python attest_ref.py WORKLOAD_DIR
prints: verified total seconds ms-per-bundle cpu-ms-per-bundle   (the loop alone, not start-up)
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
if pol.get("any_identity"):
    identity = policy.UnsafeNoOp()
else:
    identity = policy.Identity(identity=pol["certificate_identity"], issuer=pol["certificate_oidc_issuer"])
artifact = (work / "artifact.txt").read_bytes()
digest = hashlib.sha256(artifact).hexdigest()
lines = (work / "bundles.jsonl").read_bytes().splitlines()

start, cpu = time.perf_counter(), time.process_time()
verifier = Verifier(trusted_root=TrustedRoot.from_file(str(work / "trusted_root.json")))
ok = 0
for line in lines:
    try:
        bundle = Bundle.from_json(line)
        if json.loads(line).get("messageSignature") is not None:
            verifier.verify_artifact(artifact, bundle, identity)
            ok += 1
        else:
            _, payload = verifier.verify_dsse(bundle, identity)
            statement = json.loads(payload)
            if any(s["digest"].get("sha256") == digest for s in statement["subject"]):
                ok += 1
    except Exception:  # a bundle that does not verify: counted as such
        pass
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
n = max(len(lines), 1)
print(f"{ok} {len(lines)} {elapsed:.3f} {1000 * elapsed / n:.3f} {1000 * cpu / n:.3f}")

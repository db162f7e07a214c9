#!/usr/bin/env python3
"""Checks every generated Sigstore scenario (fixtures/sigstore-scenarios) against sigstore-python:
usage: VENV/bin/python tools/check-sigstore-scenarios.py fixtures/sigstore-scenarios
(VENV: python3 -m venv target/sigvenv && target/sigvenv/bin/pip install sigstore==4.5.1).
Prints OK when sigstore-python's verdict is the scenario's expected one, with its reason."""
import json, sys, hashlib, pathlib
from sigstore.models import Bundle
try:
    from sigstore.models import TrustedRoot
except ImportError:
    from sigstore._internal.trust import TrustedRoot
from sigstore.verify import Verifier, policy
base = pathlib.Path(sys.argv[1])
tr = TrustedRoot.from_file(str(base / "trusted_root.json"))
v = Verifier(trusted_root=tr)
for d in sorted(p for p in base.iterdir() if p.is_dir()):
    s = json.loads((d / "scenario.json").read_text())
    try:
        b = Bundle.from_json((d / s["bundle"]).read_bytes())
        ptype, payload = v.verify_dsse(b, policy.Identity(identity=s["certificate_identity"], issuer=s["certificate_oidc_issuer"]))
        st = json.loads(payload)
        digest = hashlib.sha256((d / s["artifact"]).read_bytes()).hexdigest()
        if not any(sub["digest"].get("sha256") == digest for sub in st["subject"]):
            raise Exception("artifact digest not in subjects")
        got = "pass"; why = ""
    except Exception as e:
        got = "fail"; why = f"{type(e).__name__}: {e}"
    print(f"{'OK ' if got == s['expected'] else 'BAD'} {d.name:32} expected {s['expected']:5} got {got:5} {why[:150]}")

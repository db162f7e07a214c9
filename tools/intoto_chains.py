"""Signed in-toto supply chains in the corpus format, and python in-toto's verdict on them.

Shared by tools/gen-intoto-divergences.py (fixtures) and scripts/difffuzz-intoto
(differential fuzzing). Needs the reference venv (in-toto 3.1.0, securesystemslib
1.6.0, cryptography); never imported by the product or its tests.

A scenario directory (fixtures/interop/README.md):
    root.layout, keys/<owner>.pub.json, keys/<owner>.pub.pem,
    links/<step>.<keyid8>.link, workdir/, scenario.json
"""
import base64
import copy
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import traceback

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.formats import encode_canonical

REFERENCE = "in-toto 3.1.0 (python), securesystemslib 1.6.0"
METHOD = (
    "in_toto.verifylib.in_toto_verify(Metadata.load(layout), {keyid: json key}, link_dir_path, "
    "substitution_parameters, persist_inspection_links=False) in a scratch copy, cwd=workdir"
)

logging.disable(logging.CRITICAL)


class Key:
    """An ed25519 key made from a seed string (the same seed, the same key)."""

    def __init__(self, name, seed):
        self.name = name
        self.sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())
        raw = self.sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        base = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}}
        self.keyid = hashlib.sha256(encode_canonical(base).encode()).hexdigest()
        self.dict = dict(base, keyid=self.keyid)

    def sign(self, data):
        return {"keyid": self.keyid, "sig": self.sk.sign(data).hex()}

    def pem(self):
        return self.sk.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def written_bytes(signed):
    """The canonical JSON of `signed` as written (the specification's form)."""
    return encode_canonical(signed).encode()


def python_bytes(signed):
    """The bytes python in-toto 3.1 checks: its model rebuilt from `signed`."""
    from in_toto.models.metadata import Metablock

    return Metablock.from_dict({"signed": copy.deepcopy(signed), "signatures": []}).signed.signable_bytes


def json_bytes(signed):
    """Sorted compact `json.dumps` of `signed`: what a signer that does not
    insist on canonical JSON signs when `signed` holds a float (canonical
    JSON has no form for it)."""
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def metablock(signed, keys, form="written"):
    """A Metablock signed by `keys` over `form` ("written", "python" or "json")."""
    forms = {"written": written_bytes, "python": python_bytes, "json": json_bytes}
    data = raw_numbers(forms[form](signed))
    return {"signatures": [k.sign(data) for k in keys], "signed": signed}


RAW = re.compile(rb'"@raw:([-+.0-9eE]+)@"')


def raw(text):
    """A number to be written exactly as `text` (e.g. `1E+19`, `2.0`): json.dumps
    would write its own spelling, so it is a marker string until `raw_numbers`."""
    return f"@raw:{text}@"


def raw_numbers(data):
    """`data` (JSON bytes) with every `raw` marker replaced by its number text."""
    return RAW.sub(rb"\1", data)


def raw_numbers_in_tree(d):
    """`raw_numbers` applied to every JSON file written under directory `d`."""
    for base, _, files in os.walk(d):
        for name in files:
            p = os.path.join(base, name)
            with open(p, "rb") as f:
                data = f.read()
            if RAW.search(data):
                with open(p, "wb") as f:
                    f.write(raw_numbers(data))


DSSE_TYPE = "application/vnd.in-toto+json"


def payload_text(signed):
    """A DSSE payload as python in-toto writes one (json.dumps, keys sorted)."""
    return json.dumps(signed, sort_keys=True).encode()


def dsse(payload, keys, extra=None):
    """A DSSE envelope over the bytes `payload`, signed by `keys` over its PAE.
    `extra` adds members to the envelope; its "signature" entry adds members
    to each signature."""
    pae = b"DSSEv1 %d %s %d %s" % (len(DSSE_TYPE), DSSE_TYPE.encode(), len(payload), payload)
    extra = dict(extra or {})
    sig_extra = extra.pop("signature", {})
    sigs = [{"keyid": k.keyid, "sig": base64.b64encode(k.sk.sign(pae)).decode(), **sig_extra} for k in keys]
    return {"payload": base64.b64encode(payload).decode(), "payloadType": DSSE_TYPE, "signatures": sigs, **extra}


def dump(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True, ensure_ascii=False)


def link(name, materials=None, products=None, command=None):
    return {
        "_type": "link",
        "name": name,
        "command": command or [],
        "materials": materials or {},
        "products": products or {},
        "byproducts": {},
        "environment": {},
    }


def step(name, keys, materials=None, products=None, threshold=1, command=None):
    return {
        "_type": "step",
        "name": name,
        "threshold": threshold,
        "pubkeys": [k.keyid for k in keys],
        "expected_command": command or [],
        "expected_materials": materials or [],
        "expected_products": products or [],
    }


def layout(steps, functionaries, expires="2031-08-09T23:37:11Z", inspect=None, readme=""):
    return {
        "_type": "layout",
        "expires": expires,
        "readme": readme,
        "keys": {k.keyid: k.dict for k in functionaries},
        "steps": steps,
        "inspect": inspect or [],
    }


def sha(text):
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}


def write_scenario(d, name, description, tags, owner, layout_doc, links, params=None, workdir=None, now=None):
    """Writes a scenario directory. `links` is a list of (step, key, Metablock)."""
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "links"))
    os.makedirs(os.path.join(d, "workdir"))
    dump(os.path.join(d, "root.layout"), layout_doc)
    dump(os.path.join(d, "keys", f"{owner.name}.pub.json"), {k: v for k, v in owner.dict.items()})
    with open(os.path.join(d, "keys", f"{owner.name}.pub.pem"), "w") as f:
        f.write(owner.pem())
    for step_name, key, doc in links:
        dump(os.path.join(d, "links", f"{step_name}.{key.keyid[:8]}.link"), doc)
    for rel, text in (workdir or {}).items():
        p = os.path.join(d, "workdir", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    scenario = {
        "name": name,
        "description": description,
        "kind": "in-toto",
        "set": "divergences",
        "seed": 1,
        "tags": tags,
        "inputs": {
            "layout": "root.layout",
            "layout_keys": [f"keys/{owner.name}.pub.json"],
            "layout_keys_pem": [f"keys/{owner.name}.pub.pem"],
            "link_dir": "links",
            "workdir": "workdir",
            "parameters": params,
        },
        "keys": [
            {
                "name": owner.name,
                "keyid": owner.keyid,
                "keytype": "ed25519",
                "scheme": "ed25519",
                "json": f"keys/{owner.name}.pub.json",
                "pem": f"keys/{owner.name}.pub.pem",
            }
        ],
        "formats": {"layout": "metablock", "links": ["metablock"]},
        "now": now or "2026-06-01T00:00:00Z",
    }
    return scenario


def classify(e):
    """The corpus category of an exception python in-toto raised."""
    n = type(e).__name__
    msg = str(e)
    frames = [f.name for f in traceback.extract_tb(e.__traceback__)]
    if n == "SignatureVerificationError":
        return "layout-signature"
    if n == "LayoutExpiredError":
        return "layout-expired"
    if n == "LinkNotFoundError":
        return "link-missing"
    if n == "ThresholdVerificationError":
        return "link-disagreement" if "different artifacts" in msg else "link-threshold"
    if n == "RuleVerificationError":
        return "rule-require" if msg.startswith("'REQUIRE") else "rule-disallow"
    if n == "BadReturnValueError":
        return "inspection-failed"
    if n in ("FormatError", "InvalidMetadata", "JSONDecodeError"):
        return "metadata-invalid"
    # str.format's own exceptions from substitute_parameters: the layout is
    # not valid for these parameters.
    if "substitute_parameters" in frames and n in ("KeyError", "ValueError", "IndexError", "AttributeError", "TypeError"):
        return "metadata-invalid"
    return "error-other"


def documented_divergence(e):
    """The README's name for a python crash trailscope answers otherwise
    ("Where trailscope and the references differ"), or None."""
    frames = [f.name for f in traceback.extract_tb(e.__traceback__)]
    if isinstance(e, KeyError) and "verify_match_rule" in frames:
        return "divergence-match-double-slash"
    if type(e).__name__ in ("KeyError", "ValueError", "IndexError") and "_raise_on_bad_retval" in frames:
        return "divergence-inspection-braces"
    return None


# trailscope's documented answers for each documented python crash. The
# double-slash artifact stays queued, so the rules after the MATCH decide:
# a DISALLOW reports it, or a later REQUIRE fails first.
DOCUMENTED_ANSWERS = {
    "divergence-match-double-slash": ("rule-disallow", "rule-require"),
    "divergence-inspection-braces": ("inspection-failed",),
}


def run_reference(d, scenario):
    """python in-toto's verdict on the scenario in directory `d`:
    (verdict, category, "Type: message" or None, step, documented divergence or None)."""
    from in_toto import verifylib
    from in_toto.models.metadata import Metadata

    scratch = tempfile.mkdtemp(prefix="intoto-ref-")
    work = os.path.join(scratch, "s")
    shutil.copytree(d, work)
    inputs = scenario["inputs"]
    old = os.getcwd()
    try:
        md = Metadata.load(os.path.join(work, inputs["layout"]))
        keys = {}
        for k in inputs["layout_keys"]:
            with open(os.path.join(work, k)) as f:
                kd = json.load(f)
            keys[kd["keyid"]] = kd
        os.chdir(os.path.join(work, inputs["workdir"]))
        verifylib.in_toto_verify(
            md,
            keys,
            link_dir_path=os.path.join(work, inputs["link_dir"]),
            substitution_parameters=inputs.get("parameters"),
            persist_inspection_links=False,
        )
        return ("pass", "pass", None, None, None)
    except Exception as e:  # noqa: BLE001 - every exception is a verdict
        return ("fail", classify(e), f"{type(e).__name__}: {e}"[:4000], failing_step(e), documented_divergence(e))
    finally:
        os.chdir(old)
        shutil.rmtree(scratch, ignore_errors=True)


def failing_step(e):
    """The step or inspection the exception was raised for, from the traceback's frames."""
    for frame, _ in traceback.walk_tb(e.__traceback__):
        loc = frame.f_locals
        for key in ("step", "item", "inspection"):
            v = loc.get(key)
            if hasattr(v, "name") and isinstance(getattr(v, "name"), str):
                return v.name
    return None


def expect(verdict, category, error=None, step_name=None):
    return {
        "verdict": verdict,
        "category": category,
        "step": step_name,
        "rule": None,
        "artifact": None,
        "scope": [],
        "rule_section": None,
        "rule_list": None,
        "artifacts": None,
        "warnings": [],
        "reference_error": error,
        "reference_cause": None,
    }

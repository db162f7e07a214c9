#!/usr/bin/env python3
"""Writes the in-toto number scenarios of issue #19 (session 6) into
fixtures/interop/in-toto/, with the verdict python in-toto 3.1 returns on the
written files, and refreshes that folder's index.json:

- floats inside DSSE envelopes: layouts and links as DSSE whose payload holds a
  float in a member python's model keeps or drops, and a float in the envelope
  JSON outside the payload;
- numbers written with an exponent or a fraction (`1e19`, `1E+19`, `2.0`):
  floats to python's json (and an error to securesystemslib's canonical JSON),
  never integers, however large.

Usage (the reference venv: in-toto 3.1.0, securesystemslib 1.6.0):
    target/refvenv/bin/python tools/gen_intoto_issue19.py [fixtures/interop/in-toto]

Numbers that must keep the text they are written with (json.dumps writes the
float 1e19 as `1e+19`) are placed as marker strings and written raw afterwards
(`raw_numbers`), in the files and in the bytes that are signed.
"""
import copy
import importlib.util
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import intoto_chains as ic  # noqa: E402

_spec = importlib.util.spec_from_file_location("divergences", os.path.join(HERE, "gen-intoto-divergences.py"))
dv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dv)

OUT = sys.argv[1] if len(sys.argv) > 1 else "fixtures/interop/in-toto"
OWNER, FAY, BO = dv.OWNER, dv.FAY, dv.BO

NO_CANONICAL = "securesystemslib's canonical JSON refuses floats (FormatError \"I cannot encode ...\")"


def chain_dsse(layout_doc, fetch, build, layout_dsse=True, fetch_dsse=True, build_dsse=True,
               layout_extra=None, fetch_extra=None, build_extra=None):
    """Layout and links as DSSE envelopes (or Metablocks over python's form when not)."""
    def wrap(signed, key, dsse, extra):
        if dsse:
            return ic.dsse(ic.raw_numbers(ic.payload_text(signed)), [key], extra)
        return ic.metablock(signed, [key], "python")
    return (
        wrap(layout_doc, OWNER, layout_dsse, layout_extra),
        [("fetch", FAY, wrap(fetch, FAY, fetch_dsse, fetch_extra)),
         ("build", BO, wrap(build, BO, build_dsse, build_extra))],
    )


def scenarios():
    out = []

    def add(name, description, tags, layout_doc, links, formats=("metablock", "metablock")):
        out.append((name, description, tags, layout_doc, links, formats))

    dsse = ("dsse", "dsse")
    # Floats inside DSSE payloads. DSSE signs the payload bytes as they are, so
    # no canonical form is needed for the signature; what python's model does
    # with the float decides.
    l = dv.base_layout()
    l["x-score"] = 1.5
    add("dsse-float-layout-dropped-member",
        "A DSSE layout whose payload has a float in a member python's Layout model drops ('x-score': 1.5). "
        "The signature covers the payload bytes as written (DSSE's PAE), so no canonical form is needed.",
        ["float", "dsse", "layout"], *chain_dsse(l, *dv.base_links()), formats=dsse)
    l = dv.base_layout()
    l["keys"] = copy.deepcopy(l["keys"])
    l["keys"][FAY.keyid]["x-weight"] = 0.5
    add("dsse-float-layout-key-member",
        "A DSSE layout whose functionary key carries a float ('x-weight': 0.5), a member python keeps.",
        ["float", "dsse", "layout"], *chain_dsse(l, *dv.base_links()), formats=dsse)
    l = dv.base_layout()
    l["steps"][1]["threshold"] = 1.0
    add("dsse-float-step-threshold",
        "A DSSE layout whose step threshold is the float 1.0.",
        ["float", "dsse", "layout", "step"], *chain_dsse(l, *dv.base_links()), formats=dsse)
    fetch, build = copy.deepcopy(dv.base_links())
    build["environment"] = {"load": 0.75}
    add("dsse-float-link-environment",
        "A DSSE build link whose environment holds a float ('load': 0.75), a member python's Link model keeps.",
        ["float", "dsse", "link"], *chain_dsse(dv.base_layout(), fetch, build), formats=dsse)
    fetch, build = copy.deepcopy(dv.base_links())
    fetch["byproducts"] = {"return-value": 0, "duration": 2.5}
    add("dsse-float-link-byproducts",
        "A DSSE fetch link whose byproducts hold a float ('duration': 2.5).",
        ["float", "dsse", "link"], *chain_dsse(dv.base_layout(), fetch, build), formats=dsse)
    fetch, build = copy.deepcopy(dv.base_links())
    build["x-duration"] = 2.5
    add("dsse-float-link-dropped-member",
        "A DSSE build link with a float in a member python's Link model drops ('x-duration': 2.5).",
        ["float", "dsse", "link"], *chain_dsse(dv.base_layout(), fetch, build), formats=dsse)
    add("dsse-float-outside-payload",
        "Floats in the envelope JSON outside the payload: a member of the layout's envelope ('x-ratio': 0.5) and "
        "one of the build link's signature ('x-weight': 1e19). Neither is signed nor read by the model.",
        ["float", "exponent", "dsse"],
        *chain_dsse(dv.base_layout(), *dv.base_links(), layout_extra={"x-ratio": 0.5},
                    build_extra={"signature": {"x-weight": ic.raw("1e19")}}), formats=dsse)

    # Exponent and fraction numbers: floats, however large.
    l = dv.base_layout()
    l["keys"] = copy.deepcopy(l["keys"])
    l["keys"][FAY.keyid]["x-serial"] = ic.raw("1e19")
    add("exponent-layout-key-member",
        "A functionary key in a Metablock layout carries '1e19', a float to python's json (not the integer "
        f"10000000000000000000); python keeps key dicts as written and {NO_CANONICAL}: metadata-invalid.",
        ["exponent", "float", "layout"], *dv.chain(l, *dv.base_links(), layout_form="json"))
    l = dv.base_layout()
    l["x-big"] = ic.raw("1E+19")
    add("exponent-layout-dropped-member",
        "A Metablock layout has '1E+19' in a member python's Layout model drops, signed over the object python "
        "rebuilds (without it): python verifies and passes; the document as written has no canonical form.",
        ["exponent", "float", "layout", "signature-form"], *dv.chain(l, *dv.base_links(), layout_form="python"))
    fetch, build = copy.deepcopy(dv.base_links())
    build["environment"] = {"inode": ic.raw("2.0"), "size": ic.raw("12e18")}
    add("exponent-link-environment",
        f"A Metablock build link's environment holds '2.0' and '12e18' (floats, whole numbers): {NO_CANONICAL} "
        "when python loads the link: metadata-invalid at step build.",
        ["exponent", "float", "link"], *dv.chain(dv.base_layout(), fetch, build, build_form="json"))
    l = dv.base_layout()
    l["steps"][1]["threshold"] = ic.raw("1e0")
    add("exponent-step-threshold",
        "A step's threshold is written '1e0', the float 1.0 to python: its Step model refuses it: metadata-invalid.",
        ["exponent", "float", "layout", "step"], *dv.chain(l, *dv.base_links(), layout_form="json"))
    fetch, build = copy.deepcopy(dv.base_links())
    build["environment"] = {"inode": ic.raw("-1.5E+19")}
    add("dsse-exponent-link-environment",
        "A DSSE build link whose environment holds '-1.5E+19', a float to python's json.",
        ["exponent", "float", "dsse", "link"], *chain_dsse(dv.base_layout(), fetch, build), formats=dsse)
    l = dv.base_layout()
    l["x-big"] = ic.raw("1e19")
    l["keys"] = copy.deepcopy(l["keys"])
    l["keys"][BO.keyid]["x-serial"] = 10**19
    add("dsse-exponent-layout-members",
        "A DSSE layout whose payload has '1e19' in a member python drops and the integer 10000000000000000000 "
        "in a key it keeps.",
        ["exponent", "float", "big-integer", "dsse", "layout"], *chain_dsse(l, *dv.base_links()), formats=dsse)
    return out


def main():
    for name, description, tags, layout_doc, links, formats in scenarios():
        d = os.path.join(OUT, name)
        sc = ic.write_scenario(d, name, description, tags, OWNER, layout_doc, links)
        ic.raw_numbers_in_tree(d)
        sc["formats"] = {"layout": formats[0], "links": [formats[1]]}
        sc["set"] = "issue-19"
        verdict, category, error, step_name, _ = ic.run_reference(d, sc)
        sc["expect"] = ic.expect(verdict, category, error, step_name)
        sc["reference"] = {
            "implementation": ic.REFERENCE,
            "method": ic.METHOD,
            "cli": None,
            "cli_exit_code": None,
            "cli_agrees": None,
        }
        sc["generator"] = "tools/gen_intoto_issue19.py"
        with open(os.path.join(d, "scenario.json"), "w", encoding="utf-8") as f:
            json.dump(sc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"{name}: python {verdict}/{category} :: {error}")
    dv.refresh_index(OUT)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the in-toto scenarios of issue #19 (where trailscope and python in-toto 3.1
disagreed) into fixtures/interop/in-toto/, with the verdict python in-toto actually
returns on the written files, and refreshes that folder's index.json.

Usage (the reference venv: in-toto 3.1.0, securesystemslib 1.6.0):
    target/refvenv/bin/python tools/gen-intoto-divergences.py [fixtures/interop/in-toto]

Scenarios tagged "documented-divergence" are the two inputs python crashes on
(an exception that is none of in-toto's): their `expect` is trailscope's answer,
documented in README.md ("Where trailscope and the references differ"), and
`reference.reference_error` keeps python's crash.
"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import intoto_chains as ic  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "fixtures/interop/in-toto"

OWNER = ic.Key("olga", "divergences/olga")
FAY = ic.Key("fay", "divergences/fay")
BO = ic.Key("bo", "divergences/bo")

SOURCES = {"src/main.c": "int main(void) { return 0; }\n", "src/util.c": "int util(void) { return 1; }\n"}


def base_layout(build_materials=None, inspect=None):
    steps = [
        ic.step("fetch", [FAY], products=[["CREATE", "src/*"], ["DISALLOW", "*"]], command=["git", "clone"]),
        ic.step(
            "build",
            [BO],
            materials=build_materials or [["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "fetch"], ["DISALLOW", "*"]],
            products=[["CREATE", "app"], ["DISALLOW", "*"]],
            command=["make"],
        ),
    ]
    return ic.layout(steps, [FAY, BO], inspect=inspect, readme="fetch sources, then build them")


def base_links(fetch_products=None):
    srcs = {p: ic.sha(t) for p, t in SOURCES.items()}
    fetch = ic.link("fetch", products=fetch_products or srcs, command=["git", "clone"])
    build = ic.link("build", materials=srcs, products={"app": ic.sha("app binary")}, command=["make"])
    return fetch, build


def chain(layout_signed, fetch, build, layout_form="python", fetch_form="python", build_form="python"):
    return (
        ic.metablock(layout_signed, [OWNER], layout_form),
        [("fetch", FAY, ic.metablock(fetch, [FAY], fetch_form)), ("build", BO, ic.metablock(build, [BO], build_form))],
    )


def scenarios():
    out = []

    def add(name, description, tags, layout_doc, links, params=None, workdir=None, divergence=None):
        out.append((name, description, tags, layout_doc, links, params, workdir, divergence))

    written = "valid over the canonical JSON of 'signed' as written, the in-toto specification's form"
    l = base_layout()
    l["x-comment"] = "reviewed by the release team"
    add(
        "signature-form-layout-unknown-member",
        f"The layout's 'signed' has a member python's Layout model does not know ('x-comment'); its signature is {written}. "
        "python in-toto checks the signature over the Layout it rebuilds (the member dropped): layout-signature. "
        "trailscope gives the reference's verdict by default; --signature-form written accepts it.",
        ["signature-form", "layout"],
        *chain(l, *base_links(), layout_form="written"),
    )
    l = base_layout()
    del l["readme"]
    add(
        "signature-form-layout-without-readme",
        f"The layout has no 'readme'; its signature is {written}. python in-toto rebuilds the Layout with readme \"\" "
        "and checks the signature over that: layout-signature.",
        ["signature-form", "layout"],
        *chain(l, *base_links(), layout_form="written"),
    )
    l = base_layout()
    l["steps"][1]["cert_constraints"] = [{"common_name": "builder"}]
    add(
        "signature-form-step-unknown-member",
        f"A step carries in-toto-golang's 'cert_constraints', which python's Step model drops; the layout's signature is {written}: "
        "layout-signature in python in-toto.",
        ["signature-form", "layout", "step"],
        *chain(l, *base_links(), layout_form="written"),
    )
    fetch, build = base_links()
    build["x-runner"] = "ci-42"
    add(
        "signature-form-link-unknown-member",
        f"The build link has a member python's Link model drops ('x-runner'); its signature is {written}. "
        "python in-toto does not count the link (invalid signature over its rebuilt Link): link-threshold.",
        ["signature-form", "link"],
        *chain(base_layout(), fetch, build, build_form="written"),
    )
    fetch, build = base_links()
    del fetch["byproducts"]
    del fetch["environment"]
    add(
        "signature-form-link-without-defaults",
        f"The fetch link lacks 'byproducts' and 'environment', which python's Link model fills in with {{}}; its signature is {written}: "
        "link-threshold in python in-toto.",
        ["signature-form", "link"],
        *chain(base_layout(), fetch, build, fetch_form="written"),
    )
    fetch, build = base_links()
    layout_doc, links = chain(base_layout(), fetch, build)
    links[1][2]["signed"]["x-runner"] = "added after signing"
    add(
        "signature-form-member-added-after-signing",
        "The build link was signed over python's form, then a member python drops ('x-runner') was added: the signature "
        "does not cover it, python ignores it and passes. trailscope passes too and warns that the member is not signed.",
        ["signature-form", "link"],
        layout_doc,
        links,
    )
    for name, rule, what in [
        ("parameter-undefined-name", ["CREATE", "{UNDEFINED}"], "a field name no parameter defines ({UNDEFINED}): KeyError"),
        ("parameter-stray-brace", ["ALLOW", "*.py}"], "a single '}': ValueError \"Single '}' encountered in format string\""),
        ("parameter-brace-in-field-name", ["ALLOW", "{a{b}"], "a '{' inside a field name: ValueError \"unexpected '{' in field name\""),
    ]:
        l = base_layout()
        l["steps"][1]["expected_products"].insert(0, rule)
        add(
            name,
            f"Parameter substitution (python str.format with {{'PROJECT': 'gizmo'}}) over a rule with {what}. python in-toto raises "
            "it from substitute_parameters: the layout is not valid for these parameters, metadata-invalid.",
            ["parameters"],
            *chain(l, *base_links()),
            params={"PROJECT": "gizmo"},
        )
    srcs = {p: ic.sha(t) for p, t in SOURCES.items()}
    fetch_products = dict(srcs)
    fetch_products["src//extra.c"] = ic.sha("extra")
    l = base_layout(
        build_materials=[["MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "IN", "src", "FROM", "fetch"], ["DISALLOW", "*"]]
    )
    l["steps"][0]["expected_products"] = [["CREATE", "src/*"], ["DISALLOW", "*"]]
    fetch = ic.link("fetch", products=fetch_products, command=["git", "clone"])
    build = ic.link("build", materials=fetch_products, products={"app": ic.sha("app binary")}, command=["make"])
    add(
        "divergence-match-double-slash",
        "MATCH * IN src over a material 'src//extra.c': python strips 'src/' and joins 'src' with '/extra.c', which is "
        "'/extra.c', and crashes with KeyError looking it up. trailscope does not let the rule consume a path that "
        "does not survive that round trip, so the material stays queued and 'DISALLOW *' reports it: rule-disallow "
        "(documented divergence).",
        ["documented-divergence", "match", "prefix"],
        *chain(l, fetch, build),
        divergence=("fail", "rule-disallow", "build"),
    )
    inspection = {
        "_type": "inspection",
        "name": "check",
        "run": ["sh", "-c", "exit 3 # {not a parameter}"],
        "expected_materials": [],
        "expected_products": [],
    }
    add(
        "divergence-inspection-braces",
        "An inspection whose command contains braces exits 3. python in-toto builds its BadReturnValueError message "
        "with str.format, so the braces raise KeyError instead. trailscope reports the failed inspection: "
        "inspection-failed (documented divergence).",
        ["documented-divergence", "inspection"],
        *chain(base_layout(inspect=[inspection]), *base_links()),
        divergence=("fail", "inspection-failed", "check"),
    )
    floats(add)
    big_integers(add)
    return out


def big_integers(add):
    """Integers outside 64 bits: canonical JSON integers are unbounded and python
    reads them exactly, so these verify."""
    l = base_layout()
    l["keys"] = copy.deepcopy(l["keys"])
    l["keys"][FAY.keyid]["x-serial"] = 2**70
    add(
        "bigint-layout-key-member",
        "A functionary key in the layout carries an integer outside 64 bits ('x-serial': 2**70). Canonical JSON "
        "integers are unbounded: python signs and verifies it as written, and the chain passes.",
        ["big-integer", "layout"],
        *chain(l, *base_links()),
    )
    fetch, build = copy.deepcopy(base_links())
    build["environment"] = {"inode": 2**64, "offset": -(2**63) - 1}
    build["x-runner"] = "ci-42"
    add(
        "bigint-link-environment",
        "The build link's environment holds integers just outside 64 bits (2**64 and -(2**63)-1), and a member "
        "python drops, so the link is read by the general route and signed over python's rebuilt object: it "
        "counts and the chain passes.",
        ["big-integer", "link"],
        *chain(base_layout(), fetch, build),
    )


def floats(add):
    """Numbers that are not integers in signed documents. Canonical JSON has no
    floats, so these are signed over sorted compact json.dumps, or over python's
    rebuilt object when the float is in a member python drops."""
    no_canonical = "securesystemslib's canonical JSON refuses floats (FormatError \"I cannot encode 0.5\")"
    l = base_layout()
    l["keys"] = copy.deepcopy(l["keys"])
    l["keys"][FAY.keyid]["x-weight"] = 0.5
    add(
        "float-layout-key-member",
        "A functionary key in the layout carries a float ('x-weight': 0.5); python keeps key dicts as written, "
        f"so the object it rebuilds holds the float and {no_canonical} when the layout loads: metadata-invalid.",
        ["float", "layout"],
        *chain(l, *base_links(), layout_form="json"),
    )
    l = base_layout()
    l["steps"][1]["threshold"] = 1.0
    add(
        "float-step-threshold",
        "A step's threshold is 1.0: python's Step model refuses it (FormatError \"Invalid threshold '1.0', value "
        "must be an int.\"): metadata-invalid.",
        ["float", "layout", "step"],
        *chain(l, *base_links(), layout_form="json"),
    )
    l = base_layout()
    l["x-score"] = 1.5
    add(
        "float-layout-dropped-member",
        "The layout has a float in a member python's Layout model drops ('x-score': 1.5) and is signed over the "
        "object python rebuilds (without it), which has a canonical form: python verifies it and passes. The "
        "document as written has no canonical form, so only that signature form can count.",
        ["float", "layout", "signature-form"],
        *chain(l, *base_links(), layout_form="python"),
    )
    fetch, build = copy.deepcopy(base_links())
    build["environment"] = {"load": 0.75}
    add(
        "float-link-environment",
        f"The build link's environment holds a float ('load': 0.75); {no_canonical} when python loads the link, "
        "which ends the verification: metadata-invalid at step build (not a link that merely does not count).",
        ["float", "link"],
        *chain(base_layout(), fetch, build, build_form="json"),
    )
    fetch, build = copy.deepcopy(base_links())
    fetch["byproducts"] = {"return-value": 0, "duration": 2.5}
    add(
        "float-link-byproducts",
        f"The fetch link's byproducts hold a float ('duration': 2.5): {no_canonical} when python loads the link: "
        "metadata-invalid at step fetch.",
        ["float", "link"],
        *chain(base_layout(), fetch, build, fetch_form="json"),
    )
    fetch, build = copy.deepcopy(base_links())
    build["x-duration"] = 2.5
    add(
        "float-link-dropped-member",
        "The build link has a float in a member python's Link model drops ('x-duration': 2.5), signed over the "
        "object python rebuilds: the link counts and the chain passes in python.",
        ["float", "link", "signature-form"],
        *chain(base_layout(), fetch, build, build_form="python"),
    )


def main():
    written = []
    for name, description, tags, layout_doc, links, params, workdir, divergence in scenarios():
        d = os.path.join(OUT, name)
        sc = ic.write_scenario(d, name, description, tags, OWNER, layout_doc, links, params=params, workdir=workdir)
        verdict, category, error, step_name, _ = ic.run_reference(d, sc)
        reference = {
            "implementation": ic.REFERENCE,
            "method": ic.METHOD,
            "cli": None,
            "cli_exit_code": None,
            "cli_agrees": None,
        }
        if divergence:
            reference["verdict"] = verdict
            reference["category"] = category
            reference["reference_error"] = error
            sc["expect"] = ic.expect(divergence[0], divergence[1], step_name=divergence[2])
        else:
            sc["expect"] = ic.expect(verdict, category, error, step_name)
        sc["reference"] = reference
        sc["generator"] = "tools/gen-intoto-divergences.py"
        with open(os.path.join(d, "scenario.json"), "w", encoding="utf-8") as f:
            json.dump(sc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        written.append(sc)
        print(f"{name}: python {verdict}/{category} :: {error}")
    refresh_index(OUT)


def refresh_index(root):
    path = os.path.join(root, "index.json")
    with open(path) as f:
        index = json.load(f)
    entries = []
    for name in sorted(os.listdir(root)):
        p = os.path.join(root, name, "scenario.json")
        if not os.path.isfile(p):
            continue
        with open(p) as f:
            sc = json.load(f)
        e = sc["expect"]
        entries.append(
            {
                "name": name,
                "verdict": e["verdict"],
                "category": e["category"],
                "step": e.get("step"),
                "scope": e.get("scope", []),
                "tags": sc.get("tags", []),
            }
        )
    index["scenarios"] = entries
    index["count"] = len(entries)
    index["verdicts"] = {v: sum(1 for e in entries if e["verdict"] == v) for v in ("pass", "fail")}
    cats = {}
    for e in entries:
        cats[e["category"]] = cats.get(e["category"], 0) + 1
    index["categories"] = dict(sorted(cats.items()))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()

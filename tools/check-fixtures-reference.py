#!/usr/bin/env python3
"""Cross-check generated fixtures against the reference implementations.

Not part of CI. Usage (in a virtualenv):
    pip install tuf==7.0.1 in-toto==3.1.0 securesystemslib==1.6.0
    PYTHONHASHSEED=0 python tools/check-fixtures-reference.py fixtures

For every fixtures/<set>/<scenario>/scenario.json it runs python-tuf's ngclient
(README-tuf flow, local fetcher), python in-toto's in_toto_verify, or both in the
README-bridge flow, and prints what the reference says next to `expect`.
"""
import json, os, sys, shutil, tempfile, glob, posixpath, urllib.parse, traceback, logging
from tuf.ngclient import Updater, FetcherInterface
from tuf.api import exceptions as tex
from in_toto.models.metadata import Metadata
from in_toto import verifylib
from in_toto.models._signer import load_public_key_from_file
from securesystemslib.signer import SSlibKey

class LocalFetcher(FetcherInterface):
    def __init__(self, root): self.root = root
    def _fetch(self, url):
        path = url.split("https://repo.invalid/", 1)[1]
        path = urllib.parse.unquote(path)
        segs = []
        for s in path.split("/"):
            if s in ("", "."): continue
            if s == "..":
                if segs: segs.pop()
                continue
            segs.append(s)
        full = os.path.join(self.root, *segs)
        if not os.path.isfile(full):
            raise tex.DownloadHTTPError(f"not found {path}", 404)
        with open(full, "rb") as f:
            return iter([f.read()])

def exc(e):
    s = f"{type(e).__name__}: {e}"
    c = e.__cause__ or e.__context__
    return s + (f" (cause {type(c).__name__}: {c})" if c else "")

def make_updater(d, sc, scratch):
    md = os.path.join(scratch, "md"); os.makedirs(md)
    tg = os.path.join(scratch, "tg"); os.makedirs(tg)
    cs = sc["inputs"].get("client_state")
    if cs:
        for f in os.listdir(os.path.join(d, cs)):
            shutil.copy(os.path.join(d, cs, f), md)
    with open(os.path.join(d, sc["inputs"]["trusted_root"]), "rb") as f:
        root = f.read()
    u = Updater(metadata_dir=md, metadata_base_url="https://repo.invalid/metadata/", target_dir=tg,
                target_base_url="https://repo.invalid/targets/", fetcher=LocalFetcher(os.path.join(d, "repo")), bootstrap=root)
    return u, tg

def role_wrap(u, stage):
    for name in ["_load_root", "_load_timestamp", "_load_snapshot", "_load_targets"]:
        orig = getattr(u, name)
        def w(*a, _o=orig, _n=name, **k):
            if _n == "_load_targets": stage[0] = a[0]
            else: stage[0] = _n[len("_load_"):]
            return _o(*a, **k)
        setattr(u, name, w)

def run_tuf(d, sc):
    scratch = tempfile.mkdtemp()
    out = {}
    stage = [None]
    try:
        u, tg = make_updater(d, sc, scratch)
        role_wrap(u, stage)
        u.refresh()
        out["refresh"] = "ok"
    except Exception as e:
        out["refresh"] = "error"; out["role"] = stage[0]; out["error"] = exc(e)
        return out
    out["targets"] = {}
    for p in sc["expect"]["targets"]:
        stage[0] = None
        try:
            info = u.get_targetinfo(p)
            if info is None:
                out["targets"][p] = ("not-found", stage[0]); continue
            u.download_target(info, os.path.join(tg, p.replace("/", "_")))
            out["targets"][p] = ("ok", stage[0], info.length, info.hashes)
        except Exception as e:
            out["targets"][p] = ("error", stage[0], exc(e))
    out["final"] = {r: getattr(u._trusted_set, r).version for r in ["root", "timestamp", "snapshot", "targets"]}
    return out

def run_intoto(layout_path, keys, link_dir, cwd):
    layout = Metadata.load(layout_path)
    old = os.getcwd(); os.chdir(cwd)
    try:
        verifylib.in_toto_verify(layout, keys, link_dir_path=link_dir, substitution_parameters={}, persist_inspection_links=False)
        return "pass"
    except Exception as e:
        tb = traceback.extract_tb(e.__traceback__)
        return exc(e) + " | frames: " + ",".join(f.name for f in tb[-4:])
    finally:
        os.chdir(old)

def run_bridge(d, sc):
    scratch = tempfile.mkdtemp()
    stage = [None]
    try:
        u, tg = make_updater(d, sc, scratch); role_wrap(u, stage); u.refresh()
    except Exception as e:
        return ("tuf", stage[0], exc(e))
    downloaded = {}
    def dl(path):
        info = u.get_targetinfo(path)
        if info is None: raise Exception(f"not-found {path}")
        dest = os.path.join(tg, path.replace("/", "__"))
        u.download_target(info, dest); downloaded[path] = dest
        return info
    target = sc["inputs"]["target"]
    try:
        pinfo = dl(target)
        entries = pinfo.custom["in-toto"]
        layouts = sorted({e for e in entries if e.endswith(".layout")})
        assert len(layouts) == 1
        linfo = dl(layouts[0])
        pubs = [e for e in linfo.custom["in-toto"] if e.endswith(".pub")]
        for p in pubs: dl(p)
        links = [e for e in entries if e.endswith(".link")]
        for l in links: dl(l)
    except Exception as e:
        return ("tuf/custom", stage[0], exc(e))
    vdir = os.path.join(scratch, "verify"); os.makedirs(vdir)
    for path, src in downloaded.items():
        shutil.copy(src, os.path.join(vdir, posixpath.basename(path)))
    keys = {}
    for f in glob.glob(os.path.join(vdir, "*.pub")):
        k = load_public_key_from_file(f); keys[k["keyid"]] = k
    r = run_intoto(os.path.join(vdir, posixpath.basename(layouts[0])), keys, vdir, vdir)
    if r != "pass": return ("in-toto", r)
    return ("pass-in-toto", "binding", pinfo.hashes)

def run_intoto_scenario(d, sc):
    scratch = tempfile.mkdtemp(); shutil.rmtree(scratch); shutil.copytree(d, scratch)
    keys = {}
    for kp in sc["inputs"]["layout_keys"]:
        k = json.load(open(os.path.join(scratch, kp))); keys[k["keyid"]] = k
    return run_intoto(os.path.join(scratch, sc["inputs"]["layout"]), keys, os.path.join(scratch, sc["inputs"]["link_dir"]), os.path.join(scratch, sc["inputs"]["workdir"]))

root = sys.argv[1]
for sj in sorted(glob.glob(os.path.join(root, "*", "*", "scenario.json"))):
    d = os.path.dirname(sj); sc = json.load(open(sj))
    e = sc["expect"]
    if sc["kind"] == "tuf":
        r = run_tuf(d, sc)
        print(f"== {sc['name']}: expect {e['refresh']}/{e['category']}/{e['role']} :: {e.get('reference_error')}")
        print("   got", r)
        for p, t in e["targets"].items(): print("   expect target", p, t["result"], t["category"], t["role"], t.get("reference_error"))
    elif sc["kind"] == "bridge":
        print(f"== {sc['name']}: expect {e['verdict']}/{e['stage']}/{e['category']} step={e['step']} :: {e.get('reference_error')}")
        print("   got", run_bridge(d, sc))
    else:
        print(f"== {sc['name']}: expect {e['verdict']}/{e['category']} step={e['step']}")
        print("   got", run_intoto_scenario(d, sc))
        print("   expect error:", repr(e.get("reference_error")))

"""Reference timings for python-tuf 7.0.1 on a gen-scale TUF repository.

usage: tuf_ref.py lookup REPO [COUNT]   refresh + COUNT target lookups (default 1000)
       tuf_ref.py lookup REPO LIST      refresh + a lookup of each path in the file LIST
       tuf_ref.py refresh REPO          refresh only
       tuf_ref.py audit REPO            verify every succinct bin with the targets role

REPO is what `gen-scale tuf BITS T REPO` wrote. Files are served through a local
fetcher (no HTTP), so the figures are client CPU only. Prints the inner time.
"""
import os
import random
import sys
import tempfile
import time

from tuf.api.metadata import Metadata, Targets
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface
from tuf.api.exceptions import DownloadHTTPError

BASE = "https://repo.invalid/metadata/"


class LocalFetcher(FetcherInterface):
    def __init__(self, root):
        self.root = root

    def _fetch(self, url):
        name = url[len(BASE):]
        path = os.path.join(self.root, "metadata", name)
        if not os.path.exists(path):
            raise DownloadHTTPError("not found", 404)
        with open(path, "rb") as f:
            return iter([f.read()])


def lookup(repo, count, listed=None):
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        with open(os.path.join(repo, "trusted_root.json"), "rb") as f:
            root = f.read()
        updater = Updater(cache, BASE, target_base_url="https://repo.invalid/targets/",
                          fetcher=LocalFetcher(repo), bootstrap=root)
        updater.refresh()
        refreshed = time.perf_counter()
        if count == 0:
            print(f"refresh {refreshed - start:.3f}s")
            return
        targets = listed or []
        for name in sorted(os.listdir(os.path.join(repo, "metadata"))) if not listed else []:
            if ".bins-" in name:
                md = Metadata[Targets].from_file(os.path.join(repo, "metadata", name))
                targets.extend(md.signed.targets)
                if len(targets) >= count * 20:
                    break
        rng = random.Random(7)
        chosen = listed or rng.sample(targets, min(count, len(targets)))
        picked = time.perf_counter()
        for path in chosen:
            info = updater.get_targetinfo(path)
            assert info is not None, path
    end = time.perf_counter()
    print(f"refresh {refreshed - start:.3f}s lookups {end - picked:.3f}s ({len(chosen)})")


def audit(repo):
    start = time.perf_counter()
    meta = os.path.join(repo, "metadata")
    targets = Metadata[Targets].from_file(os.path.join(meta, "1.targets.json"))
    n = 0
    for name in sorted(os.listdir(meta)):
        if ".bins-" not in name:
            continue
        md = Metadata[Targets].from_file(os.path.join(meta, name))
        role = name.split(".", 1)[1][: -len(".json")]
        targets.signed.verify_delegate(role, md.signed_bytes, md.signatures)
        n += 1
    print(f"verified {n} bins in {time.perf_counter() - start:.3f}s")


if __name__ == "__main__":
    if sys.argv[1] == "lookup" and len(sys.argv) > 3 and os.path.isfile(sys.argv[3]):
        with open(sys.argv[3]) as f:
            paths = [line.strip() for line in f if line.strip()]
        lookup(sys.argv[2], len(paths), paths)
    elif sys.argv[1] == "lookup":
        lookup(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    elif sys.argv[1] == "refresh":
        lookup(sys.argv[2], 0)
    else:
        audit(sys.argv[2])

"""Helpers shared by the PFCP oracle tests (tshark, scapy): run `glass5g decode|encode
pfcp`, walk our JSON in wire order, and list the seed messages our builders produced."""
import glob
import json
import os
import subprocess
import sys

SRC = os.environ.get("G5_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def glass5g(build):
    exe = os.path.join(build, "glass5g")
    if not os.access(exe, os.X_OK):
        skip("glass5g binary not built in " + build)
    return exe


def seeds():
    """(name, bytes) for every message in fuzz/corpus/pfcp/ (written by our builders)."""
    out = []
    for path in sorted(glob.glob(os.path.join(SRC, "fuzz", "corpus", "pfcp", "*.bin"))):
        with open(path, "rb") as f:
            out.append((os.path.basename(path)[:-4], f.read()))
    if not out:
        raise SystemExit("no PFCP seeds in fuzz/corpus/pfcp")
    return out


def decode(exe, data):
    r = subprocess.run([exe, "decode", "pfcp", data.hex()], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("glass5g decode failed: " + r.stderr.strip())
    return json.loads(r.stdout)


def encode(exe, obj):
    r = subprocess.run([exe, "encode", "pfcp"], input=json.dumps(obj), capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise AssertionError("glass5g encode failed: " + r.stderr.strip())
    return bytes.fromhex(r.stdout.strip())


def values(obj, key):
    """Every value of `key` anywhere in our decoded JSON, in wire order (lists flattened)."""
    found = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == key:
                    flags = isinstance(v, list) and all(isinstance(e, str) for e in v)
                    found.extend(v if isinstance(v, list) and not flags else [v])
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(obj)
    return found


class Checker:
    def __init__(self):
        self.failures = 0
        self.checks = 0

    def eq(self, what, got, want):
        self.checks += 1
        if got != want:
            self.failures += 1
            print("FAIL %s: oracle %r, ours %r" % (what, got, want))

    def true(self, what, cond):
        self.checks += 1
        if not cond:
            self.failures += 1
            print("FAIL " + what)

    def finish(self, name):
        print("%s: %d checks, %d failures" % (name, self.checks, self.failures))
        sys.exit(1 if self.failures else 0)

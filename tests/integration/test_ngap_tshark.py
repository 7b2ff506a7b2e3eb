#!/usr/bin/python3
"""NGAP codec against tshark 4.0's NGAP dissector (text2pcap -P ngap).

1. Every builder-made message (ngap_msg.c): tshark must see no error (no malformed packet,
   no error-level expert info), the same procedure code and our ProtocolIE ids in the
   same order (tshark additionally lists the ids inside the transfers it dissects).
2. Random messages of every procedure (src/asn1/a1_random.c): tshark must agree on the
   procedure code and message of each packet. Error-level findings of tshark on random
   values are counted and printed, not failed: they are semantic checks (e.g. PLMN digits)
   or known dissector disagreements on R17 details; the Erlang/OTP oracle
   (test_ngap_erlang.sh) is the arbiter of PER correctness.
Only the ngap dissector is enabled, so NAS/RRC payload bytes are not interpreted.
Usage: test_ngap_tshark.py BUILD_DIR   (exit 77 when tshark/text2pcap are missing)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

build = sys.argv[1]
codec = os.path.join(build, "test_ngap_codec")
cli = os.path.join(build, "glass5g")
for tool in ("tshark", "text2pcap"):
    if not shutil.which(tool):
        print("skip: %s not installed (Debian package tshark)" % tool)
        sys.exit(77)
if not os.access(codec, os.X_OK) or not os.access(cli, os.X_OK):
    print("skip: %s or %s not built" % (codec, cli))
    sys.exit(77)

TSHARK = ["tshark", "--disable-protocol", "ALL", "--enable-protocol",
          "ngap,frame,exported_pdu"]


def run(cmd, inp=None):
    return subprocess.run(cmd, input=inp, capture_output=True, text=True, check=True).stdout


def to_pcap(hexes, tmp):
    txt = os.path.join(tmp, "in.txt")
    with open(txt, "w") as f:
        for h in hexes:
            b = bytes.fromhex(h)
            for i in range(0, len(b), 16):
                f.write("%06x %s\n" % (i, " ".join("%02x" % x for x in b[i:i + 16])))
            f.write("\n")
    pcap = os.path.join(tmp, "out.pcap")
    run(["text2pcap", "-q", "-P", "ngap", txt, pcap])
    return pcap


def tshark_fields(pcap):
    out = run(TSHARK + ["-r", pcap, "-T", "fields", "-e", "ngap.procedureCode", "-e",
                        "ngap.id", "-e", "_ws.expert.severity", "-E", "occurrence=a"])
    rows = []
    for line in out.split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        rows.append(cols + [""] * (3 - len(cols)))
    return rows


def our_ids(h):
    """Procedure code and every ProtocolIE/extension id in document order, from our JSON."""
    j = json.loads(run([cli, "decode", "ngap", h]))
    msg = next(iter(j.values()))
    ids = []

    def walk(v):
        if isinstance(v, dict):
            if "id" in v and "criticality" in v:
                ids.append(v["id"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(msg["value"])
    return msg["procedureCode"], ids


def id_number(name_or_num):
    if isinstance(name_or_num, int):
        return name_or_num
    # the id names come from spec/ngap.asn: look the value up once
    return IDS[name_or_num]


def load_ids():
    src = os.environ.get("G5_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    ids = {}
    with open(os.path.join(src, "spec", "ngap.asn")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[0].startswith("id-") and parts[2] == "::=":
                ids[parts[0]] = int(parts[3])
    return ids


IDS = load_ids()
ERROR = 8388608  # PI_ERROR in epan/proto.h
failures = 0
with tempfile.TemporaryDirectory() as tmp:
    built = [h for h in run([codec, "--dump-builders"]).split("\n") if h]
    rows = tshark_fields(to_pcap(built, tmp))
    if len(rows) != len(built):
        print("FAIL: %d messages, tshark saw %d packets" % (len(built), len(rows)))
        sys.exit(1)
    for h, (pc, tids, sev) in zip(built, rows):
        proc, ids = our_ids(h)
        want = [id_number(x) for x in ids]
        got = [int(x) for x in tids.split(",") if x]
        sevs = [int(x) for x in sev.split(",") if x]
        # tshark also lists the ids inside the ...Transfer OCTET STRINGs it dissects; ours
        # keeps those opaque, so ours must be an ordered subsequence of tshark's
        it = iter(got)
        subseq = all(any(x == y for y in it) for x in want)
        if str(proc) != pc or not subseq or any(s >= ERROR for s in sevs):
            print("FAIL builder message %s\n  ours: proc %s ids %s\n  tshark: proc %s ids %s "
                  "severities %s" % (h, proc, want, pc, got, sevs))
            failures += 1
    print("builders: %d messages checked against tshark, %d failures" % (len(built), failures))

    rnd = [h for h in run([codec, "--dump-random", "360"]).split("\n") if h]
    rows = tshark_fields(to_pcap(rnd, tmp))
    if len(rows) != len(rnd):
        print("FAIL: %d random messages, tshark saw %d packets" % (len(rnd), len(rows)))
        sys.exit(1)
    bad_proc = flagged = 0
    for h, (pc, tids, sev) in zip(rnd, rows):
        proc = int(h[2:4], 16)
        if pc.split(",")[0] != str(proc):
            bad_proc += 1
            print("FAIL random message %s: tshark procedure code %s" % (h, pc))
        if any(int(x) >= ERROR for x in sev.split(",") if x):
            flagged += 1
    print("random: %d messages, procedure code disagreements %d, tshark error-level findings "
          "in %d (informational)" % (len(rnd), bad_proc, flagged))
    failures += bad_proc

if failures:
    sys.exit(1)
print("PASS")

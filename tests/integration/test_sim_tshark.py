#!/usr/bin/python3
"""The simulator's gNB NGAP messages and UE NAS messages against tshark 4.0.

NGAP: `test_sim_gnb --dump` prints every gNB uplink message (NG Setup Request, Initial UE
Message with 5G-S-TMSI, Uplink NAS Transport, Initial Context Setup Response/Failure, UE
Context Release Request/Complete, Error Indication, NG Reset/Acknowledge); text2pcap -P ngap
feeds them to tshark's NGAP dissector, which must report no malformed packet or error
expert info and the procedure codes we meant.
NAS: `test_sim_ue_nas --dump` prints the UE's NAS messages (plain and protected); they are
wrapped by text2pcap -P nas-5gs and dissected by tshark's nas-5gs dissector, which must
name the message type we meant with no error.
Usage: test_sim_tshark.py BUILD_DIR   (exit 77 when tshark/text2pcap are missing)
"""
import os
import shutil
import subprocess
import sys
import tempfile

build = sys.argv[1]
for tool in ("tshark", "text2pcap"):
    if not shutil.which(tool):
        print("skip: %s not installed (Debian package tshark)" % tool)
        sys.exit(77)

ERROR = 8388608  # PI_ERROR in epan/proto.h


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def to_pcap(hexes, tmp, proto):
    txt = os.path.join(tmp, proto + ".txt")
    with open(txt, "w") as f:
        for h in hexes:
            b = bytes.fromhex(h)
            for i in range(0, len(b), 16):
                f.write("%06x %s\n" % (i, " ".join("%02x" % x for x in b[i:i + 16])))
            f.write("\n")
    pcap = os.path.join(tmp, proto + ".pcap")
    run(["text2pcap", "-q", "-P", proto, txt, pcap])
    return pcap


def fields(pcap, protos, flds, opts=()):
    cmd = ["tshark", "--disable-protocol", "ALL", "--enable-protocol",
           protos, "-r", pcap, "-T", "fields", "-E", "occurrence=a"] + list(opts)
    for f in flds:
        cmd += ["-e", f]
    rows = []
    for line in run(cmd).split("\n"):
        if line:
            cols = line.split("\t")
            rows.append(cols + [""] * (len(flds) - len(cols)))
    return rows


def errors(sev):
    return [int(x) for x in sev.split(",") if x and int(x) >= ERROR]


failures = 0
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    exe = os.path.join(build, "test_sim_gnb")
    if not os.access(exe, os.X_OK):
        print("skip: %s not built" % exe)
        sys.exit(77)
    hexes = [h for h in run([exe, "--dump"]).split("\n") if h]
    want = [21, 15, 46, 14, 14, 42, 41, 9, 20, 20]
    rows = fields(to_pcap(hexes, tmp, "ngap"), "ngap,frame,exported_pdu",
                  ["ngap.procedureCode", "_ws.malformed", "_ws.expert.severity"])
    if len(rows) != len(hexes):
        print("FAIL: %d NGAP messages, tshark saw %d" % (len(hexes), len(rows)))
        sys.exit(1)
    for h, w, (pc, mal, sev) in zip(hexes, want, rows):
        checked += 1
        if pc.split(",")[0] != str(w) or mal or errors(sev):
            failures += 1
            print("FAIL ngap %s: procedureCode %s (want %d) malformed=%r severity=%s" %
                  (h, pc, w, mal, sev))

    exe = os.path.join(build, "test_sim_ue_nas")
    if os.access(exe, os.X_OK):
        lines = [ln.split() for ln in run([exe, "--dump"]).split("\n") if ln]
        hexes = [ln[1] for ln in lines]
        rows = fields(to_pcap(hexes, tmp, "nas-5gs"), "nas-5gs,frame,exported_pdu",
                      ["nas_5gs.mm.message_type", "nas_5gs.security_header_type",
                       "_ws.malformed", "_ws.expert.severity"],
                      # the dump protects with NEA0 so that the inner message is readable
                      ["-o", "nas-5gs.null_decipher:TRUE"])
        if len(rows) != len(hexes):
            print("FAIL: %d NAS messages, tshark saw %d" % (len(hexes), len(rows)))
            sys.exit(1)
        for (want_mt, h), (mt, sht, mal, sev) in zip(lines, rows):
            checked += 1
            got = [int(x, 16) if x.startswith("0x") else int(x) for x in mt.split(",") if x]
            # a protected message: tshark shows the inner type when it is not ciphered
            if int(want_mt, 16) not in got or mal or errors(sev):
                failures += 1
                print("FAIL nas %s: message types %s (want %s) malformed=%r severity=%s" %
                      (h, mt, want_mt, mal, sev))
    else:
        print("note: %s not built, NAS messages not checked" % exe)

print("%d messages checked by tshark, %d failures" % (checked, failures))
sys.exit(1 if failures else 0)

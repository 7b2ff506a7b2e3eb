#!/usr/bin/python3
"""The simulator's PDU session messages against independent implementations.

tshark 4.0: `test_sim_session --dump` prints the gNB's PDU Session Resource Setup Response
(one session set up, one failed), Initial Context Setup Response with sessions and PDU
Session Resource Release Response; the UE's PDU SESSION ESTABLISHMENT REQUEST / RELEASE
REQUEST / RELEASE COMPLETE inside UL NAS TRANSPORT; and an uplink G-PDU as the gNB's N3
sends it. text2pcap -P ngap / nas-5gs / gtp feed them to tshark's dissectors, which must
report no malformed packet and no error, and the fields we meant (transfers included:
the DL tunnel address and TEID, the QFI, the unsuccessful transfer's cause).
scapy 2.5: builds downlink G-PDUs (GTP_U_Header + GTPPDUSessionContainer + IP/ICMP) that
`test_sim_session --decap HEX` feeds to the gNB's N3 input (session on DL TEID 0x42): an
echo reply to the simulator's pinger is delivered and counted, an unknown TEID is dropped,
a truncated header is refused; and it parses the gNB's uplink G-PDU.
Usage: test_e2e_session_oracles.py BUILD_DIR   (exit 77 when tshark/text2pcap are missing)
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
exe = os.path.join(build, "test_sim_session")
if not os.access(exe, os.X_OK):
    print("skip: %s not built" % exe)
    sys.exit(77)

ERROR = 8388608  # PI_ERROR in epan/proto.h
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what)


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


def fields(pcap, flds):
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "occurrence=a", "-E", "separator=/t"]
    for f in flds:
        cmd += ["-e", f]
    rows = []
    for line in run(cmd).split("\n"):
        if line:
            cols = line.split("\t")
            rows.append(cols + [""] * (len(flds) - len(cols)))
    return rows


def no_errors(rows, n, what):
    check(len(rows) == n, "%s: %d frames dissected, want %d" % (what, len(rows), n))
    for i, r in enumerate(rows):
        check(not r[0], "%s frame %d: malformed" % (what, i + 1))
        sev = [int(x) for x in r[1].split(",") if x]
        check(all(s < ERROR for s in sev), "%s frame %d: expert error %s" % (what, i + 1, r[1]))


dump = {"ngap": [], "nas": [], "gtpu": []}
for line in run([exe, "--dump"]).split("\n"):
    if line:
        tag, h = line.split()
        dump[tag].append(h)

with tempfile.TemporaryDirectory() as tmp:
    # NGAP: Setup Response, ICS Response with sessions, Release Response
    rows = fields(to_pcap(dump["ngap"], tmp, "ngap"),
                  ["_ws.malformed", "_ws.expert.severity", "ngap.procedureCode",
                   "ngap.TransportLayerAddressIPv4", "ngap.gTP_TEID", "ngap.radioNetwork",
                   "ngap.pDUSessionID", "ngap.qosFlowIdentifier"])
    no_errors(rows, 3, "ngap")
    if len(rows) == 3:
        check([r[2] for r in rows] == ["29", "14", "28"], "procedure codes %s" % [r[2] for r in rows])
        for r in rows[:2]:
            check(r[3] == "127.0.0.77", "DL tunnel address %r" % r[3])
            check(r[4].replace(":", "") == "00001234", "DL TEID %r" % r[4])
            check(r[5] == "26", "unsuccessful transfer cause %r (unknown-PDU-session-ID)" % r[5])
            check(r[6] == "1,2", "session ids %r" % r[6])
            check(r[7] == "1", "associated QoS flow %r" % r[7])
        check(rows[2][6] == "1,2", "released session ids %r" % rows[2][6])

    # NAS: 5GSM inside UL NAS TRANSPORT
    rows = fields(to_pcap(dump["nas"], tmp, "nas-5gs"),
                  ["_ws.malformed", "_ws.expert.severity", "nas_5gs.mm.message_type",
                   "nas_5gs.sm.message_type", "nas_5gs.sm.pdu_session_type", "nas_5gs.cmn.dnn",
                   "nas_5gs.pdu_session_id", "nas_5gs.sm.5gsm_cause"])
    no_errors(rows, 3, "nas")
    if len(rows) == 3:
        check(all(r[2] == "0x67" for r in rows), "UL NAS transport: %s" % [r[2] for r in rows])
        check([r[3] for r in rows] == ["0xc1", "0xd1", "0xd4"], "5GSM types %s" % [r[3] for r in rows])
        check(rows[0][4] == "3", "PDU session type %r (IPv4v6)" % rows[0][4])
        check(rows[0][5] == "internet", "DNN %r" % rows[0][5])
        check(all(r[6].split(",")[0] == "1" for r in rows), "PSI %s" % [r[6] for r in rows])
        check(rows[1][7] == "36", "release cause %r" % rows[1][7])

    # GTP-U: the gNB's uplink G-PDU
    rows = fields(to_pcap(dump["gtpu"], tmp, "gtp"),
                  ["_ws.malformed", "_ws.expert.severity", "gtp.teid",
                   "gtp.ext_hdr.pdu_ses_con.pdu_type", "gtp.ext_hdr.pdu_ses_con.qos_flow_id",
                   "icmp.type", "ip.src"])
    no_errors(rows, 1, "gtpu")
    if rows:
        r = rows[0]
        check(r[2] == "0xabcdef01", "TEID %r" % r[2])
        check(r[3] == "1", "PDU Session Container type %r (UL)" % r[3])
        check(r[4] == "9", "QFI %r" % r[4])
        check(r[5] == "8" and r[6] == "10.45.0.2", "inner packet %r" % r[5:])

# scapy (Debian's python3-scapy; /usr/bin/python3 runs this file)
try:
    from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
    from scapy.layers.inet import ICMP, IP
except ImportError as e:
    print("skip scapy part:", e)
    GTP_U_Header = None

if GTP_U_Header is not None:
    def decap(pkt):
        return run([exe, "--decap", bytes(pkt).hex()]).split()

    reply = IP(src="10.45.0.1", dst="10.45.0.2") / ICMP(type=0, id=0x6735, seq=1) / (b"x" * 32)
    dl = GTP_U_Header(teid=0x42, next_ex=0x85) / GTPPDUSessionContainer(type=0, QFI=1) / reply
    out = decap(dl)
    check(out[1] == "1" and out[7] == "1", "scapy DL echo reply: %s" % out)
    check(out[9] == str(len(bytes(reply))), "delivered bytes %s" % out)
    other = IP(src="10.45.0.1", dst="10.45.0.2") / ICMP(type=0, id=0x1111, seq=1)
    out = decap(GTP_U_Header(teid=0x42) / other)  # no container: still a G-PDU
    check(out[1] == "1" and out[7] == "0", "scapy DL other packet: %s" % out)
    out = decap(GTP_U_Header(teid=0x43, next_ex=0x85) / GTPPDUSessionContainer(type=0, QFI=1) / reply)
    check(out[1] == "0" and out[3] == "1", "scapy unknown TEID: %s" % out)
    out = decap(bytes(dl)[:10])
    check(out[1] == "0" and out[5] == "1", "scapy truncated: %s" % out)
    # scapy parses the gNB's uplink G-PDU
    ul = GTP_U_Header(bytes.fromhex(dump["gtpu"][0]))
    check(ul.teid == 0xabcdef01, "scapy UL TEID %x" % ul.teid)
    psc = ul.getlayer(GTPPDUSessionContainer)
    check(psc is not None and psc.type == 1 and psc.QFI == 9, "scapy UL container %r" % psc)
    check(ul.haslayer(ICMP) and ul[IP].src == "10.45.0.2", "scapy UL inner packet")

if fails:
    sys.exit(1)
print("PASS: PDU session NGAP/NAS/GTP-U checked by tshark and scapy")

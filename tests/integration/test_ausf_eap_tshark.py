#!/usr/bin/python3
"""EAP-AKA' packets built by the AUSF, decoded by Wireshark's EAP dissector (tshark) as an
independent check of the encoder: the unit test test_ausf_eap writes the Challenge it got
from the AUSF, the peer's Response and the EAP-Success (G5_EAP_DUMP); each is wrapped in an
EAPOL frame (IEEE 802.1X, ethertype 0x888e), turned into a pcap by text2pcap, and the
fields tshark reports are compared with RFC 5448 / RFC 4187: code, identifier, type 50,
subtype, attribute types and lengths, AT_KDF = 1, AT_KDF_INPUT = the serving network name.
Exit 77 (skip) when tshark/text2pcap are missing."""
import os
import shutil
import subprocess
import sys
import tempfile

SNN = b"5G:mnc001.mcc001.3gppnetwork.org"


def tshark_fields(pkt: bytes, tmp: str):
    eapol = bytes([1, 0]) + len(pkt).to_bytes(2, "big") + pkt
    txt = os.path.join(tmp, "p.txt")
    pcap = os.path.join(tmp, "p.pcap")
    with open(txt, "w") as f:
        f.write("0000 " + " ".join(f"{b:02x}" for b in eapol) + "\n")
    subprocess.run(["text2pcap", "-q", "-e", "0x888e", txt, pcap], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fields = ["eap.code", "eap.id", "eap.len", "eap.type", "eap.aka.subtype",
              "eap.aka.subtype.type", "eap.aka.subtype.len", "eap.aka.subtype.value",
              "_ws.malformed", "_ws.expert"]
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for fl in fields:
        cmd += ["-e", fl]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    return dict(zip(fields, out.split("|")))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("G5_BINARY_DIR", "build")
    for tool in ("tshark", "text2pcap"):
        if not shutil.which(tool):
            print(f"skip: {tool} not installed")
            return 77
    test = os.path.join(build, "test_ausf_eap")
    if not os.access(test, os.X_OK):
        print(f"skip: {test} not built")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "eap.txt")
        env = dict(os.environ, G5_EAP_DUMP=dump)
        subprocess.run([test], check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        pkts = {}
        for line in open(dump):
            name, hx = line.split()
            pkts[name] = bytes.fromhex(hx)
        bad = 0

        def expect(what, got, want):
            nonlocal bad
            if got != want:
                print(f"FAIL {what}: tshark says {got!r}, expected {want!r}")
                bad += 1

        ch = tshark_fields(pkts["challenge"], tmp)
        expect("challenge code", ch["eap.code"], "1")
        expect("challenge id", ch["eap.id"], str(pkts["challenge"][1]))
        expect("challenge len", ch["eap.len"], str(len(pkts["challenge"])))
        expect("challenge type", ch["eap.type"], "50")
        expect("challenge subtype", ch["eap.aka.subtype"], "1")
        expect("challenge attributes", ch["eap.aka.subtype.type"], "1,2,24,23,11")
        kin_units = str((4 + len(SNN) + 3) // 4)
        expect("challenge attribute lengths", ch["eap.aka.subtype.len"], f"5,5,1,{kin_units},5")
        values = ch["eap.aka.subtype.value"].split(",")
        expect("AT_KDF value", values[2].replace(":", ""), "0001")
        kin = bytes.fromhex(values[3].replace(":", ""))
        expect("AT_KDF_INPUT", kin[2:2 + int.from_bytes(kin[:2], "big")], SNN)
        expect("challenge malformed", ch["_ws.malformed"], "")

        rs = tshark_fields(pkts["response"], tmp)
        expect("response code", rs["eap.code"], "2")
        expect("response attributes", rs["eap.aka.subtype.type"], "3,11")

        su = tshark_fields(pkts["success"], tmp)
        expect("success code", su["eap.code"], "3")
        expect("success id", su["eap.id"], str(pkts["response"][1]))
        expect("success len", su["eap.len"], "4")
        if bad:
            return 1
        print("ok: AUSF EAP-AKA' Challenge / Success decoded by tshark as RFC 5448 expects")
        return 0


if __name__ == "__main__":
    sys.exit(main())

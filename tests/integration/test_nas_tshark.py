#!/usr/bin/python3
"""NAS-5GS codec checked against an independent implementation: Wireshark's nas-5gs
dissector (tshark 4.0).

For every message of TS 24.501 chapter 8 a sample is built as JSON, encoded with
`glass5g encode nas`, and all samples go through tshark in one pcap (text2pcap -P nas-5gs,
exported-PDU records). Each packet must dissect without malformed/error expert info, with
tshark's message type equal to ours, and selected fields (SUCI MSIN, GUTI, TAI list, NSSAI,
QoS rules, PDU address, DNN, ...) equal to the values we encoded. Each encoding must also
decode back (glass5g decode nas) to the same JSON and re-encode byte exact.

Usage: test_nas_tshark.py BUILD_DIR   (exit 77 = skipped, with the reason printed)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SRC = os.environ.get("G5_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
G5 = os.path.join(BUILD, "glass5g")

# Default values for the mandatory IEs, by value type reference (TS 24.501 clause).
SUCI_NULL = {"type": "suci", "supi_format": 0, "plmn": {"mcc": "001", "mnc": "01"},
             "routing_indicator": "0", "protection_scheme_id": 0, "home_network_pki": 0,
             "msin": "0000000001"}
GUTI = {"type": "5g_guti", "plmn": {"mcc": "208", "mnc": "93"}, "amf_region_id": 202,
        "amf_set_id": 1016, "amf_pointer": 1, "5g_tmsi": 0x12345678}
S_TMSI = {"type": "5g_s_tmsi", "amf_set_id": 3, "amf_pointer": 2, "5g_tmsi": 0xC0FFEE}
SM_EST_REQ = {"extended_protocol_discriminator": 46, "pdu_session_id": 1, "pti": 1,
              "message_type": "pdu_session_establishment_request",
              "ies": {"integrity_protection_maximum_data_rate": "ffff",
                      "pdu_session_type": 1, "ssc_mode": 1}}
DEFAULTS = {
    "9.11.3.32": 1,
    "9.11.2.2": "0201000501",  # EAP-Response/Identity, empty
    "9.11.4.2": 26,
    "9.11.3.88": "01",
    "9.11.3.2": 11,
    "9.11.2.8": {"sst": 1, "sd": 66051},
    "9.11.3.40": 1,
    "9.11.3.39": {"message": SM_EST_REQ},
    "9.11.3.20": 1,
    "9.11.3.4": SUCI_NULL,
    "9.11.2.10": "0101aa",
    "9.11.4.7": "ffff",
    "9.11.3.34": {"ciphering": 0, "integrity": 2},
    "9.11.4.16": 1,
    "9.11.4.11": 1,
    "9.11.3.7": 1,
    "9.11.3.50": 1,
    "9.11.3.3": 1,
    "9.11.3.18D": 1,
    "9.11.2.1A": 1,
    "9.11.4.13": [{"qri": 1, "operation": 1, "dqr": True,
                   "packet_filters": [{"id": 1, "direction": 3,
                                       "components": [{"type": 1, "value": ""}]}],
                   "precedence": 255, "segregation": False, "qfi": 1}],
    "9.11.4.14": {"dl_unit": 6, "dl": 1, "ul_unit": 6, "ul": 1},
    "9.11.3.54": {"5g_ea": 0xF0, "5g_ia": 0x70},
    "9.11.3.10": "0000",
    "9.11.3.6": "01",
    "9.11.3.89": "01" * 21,
    "9.11.3.90": "01" * 49,
}

# Messages tshark 4.0 (Wireshark 4.0, TS 24.501 ~R17.5) does not know (added in R17).
TSHARK_UNKNOWN = {"relay_key_request", "relay_key_accept", "relay_key_reject",
                  "relay_authentication_request", "relay_authentication_response",
                  "remote_ue_report", "remote_ue_report_response",
                  "service_level_authentication_command", "service_level_authentication_complete"}

ROW = re.compile(r'\{(-1|0x[0-9a-f]+), (-?\d+), NAS_F_(\w+), NAS_P_(\w), (-?\d+), (-?\d+), '
                 r'(\d), "([a-z0-9_]+)", "([0-9A-Z.]*)"')
MSG = re.compile(r'\{"([a-z0-9_]+)", "([0-9.]+)", ies_(\w+), idx_\w+, 0x([0-9a-f]+), (\d), (\d+)\}')


def tables():
    """Message -> (type, sm, mandatory rows) from the generated tables."""
    text = open(os.path.join(SRC, "src/nas/gen/nas_tables.c")).read()
    rows = {}
    for block in re.finditer(r"static const nas_ie_desc ies_(\w+)\[\] = \{(.*?)\n\};", text, re.S):
        rows[block.group(1)] = [m.groups() for m in ROW.finditer(block.group(2))]
    msgs = {}
    for m in MSG.finditer(text):
        msgs[m.group(1)] = (int(m.group(4), 16), m.group(5) == "1", rows[m.group(3)])
    return msgs


def minimal(name, mtype, sm, rows):
    j = {"extended_protocol_discriminator": 46 if sm else 126}
    if sm:
        j.update({"pdu_session_id": 5, "pti": 3})
    else:
        j["security_header_type"] = 0
    j["message_type"] = name
    ies = {}
    for iei, slot, fmt, pres, lo, hi, t1, ie, ref in rows:
        if pres == "M" and int(slot) >= 0:
            v = DEFAULTS[ref]
            if name.startswith("deregistration_request_ue_orig") and ref == "9.11.3.4":
                v = GUTI
            if name == "service_request" and ref == "9.11.3.4":
                v = S_TMSI
            if name == "control_plane_service_request" and ref == "9.11.3.4":
                v = S_TMSI
            ies[ie] = v
    j["ies"] = ies
    return j


def rich_samples():
    """Messages with the IEs the core interprets, and tshark fields to compare."""
    s = []
    profile_a = dict(SUCI_NULL, protection_scheme_id=1, home_network_pki=1,
                     scheme_output="aa" * 32 + "0102030405" + "11" * 8)
    profile_a.pop("msin")
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "registration_request",
               "ies": {"5gs_registration_type": 9, "ngksi": 7,
                       "5gs_mobile_identity": dict(SUCI_NULL, msin="0123456789",
                                                   routing_indicator="12"),
                       "ue_security_capability": {"5g_ea": 0xE0, "5g_ia": 0x60,
                                                  "eea": 0xE0, "eia": 0x60},
                       "requested_nssai": [{"sst": 1}, {"sst": 1, "sd": 1},
                                           {"sst": 2, "mapped_hplmn_sst": 3},
                                           {"sst": 4, "sd": 0xABCDEF, "mapped_hplmn_sst": 5},
                                           {"sst": 6, "sd": 7, "mapped_hplmn_sst": 8,
                                            "mapped_hplmn_sd": 9}],
                       "last_visited_registered_tai": {"plmn": {"mcc": "001", "mnc": "001"},
                                                       "tac": 1}}},
              {"nas_5gs.mm.suci.msin": "0123456789", "nas_5gs.mm.suci.routing_indicator": "12",
               "nas_5gs.mm.sst": ["1", "1", "2", "4", "6"],
               "nas_5gs.mm.mm_sd": ["1", "11259375", "7"]}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "registration_request",
               "ies": {"5gs_registration_type": 1, "ngksi": 7,
                       "5gs_mobile_identity": profile_a}},
              {"nas_5gs.mm.suci.scheme_id": "1", "nas_5gs.mm.suci.pki": "1"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "registration_accept",
               "ies": {"5gs_registration_result": "09",
                       "5g_guti": GUTI,
                       "tai_list": [
                           {"type": 0, "plmn": {"mcc": "208", "mnc": "93"}, "tacs": [1, 2, 7]},
                           {"type": 1, "plmn": {"mcc": "208", "mnc": "93"}, "first_tac": 100,
                            "count": 4},
                           {"type": 2, "tais": [{"plmn": {"mcc": "001", "mnc": "01"}, "tac": 5},
                                                {"plmn": {"mcc": "310", "mnc": "260"},
                                                 "tac": 0xFFFFFE}]}],
                       "allowed_nssai": [{"sst": 1, "sd": 0x010203}, {"sst": 2}],
                       "t3512_value": {"unit": 2, "value": 30, "seconds": 1080000},
                       "pdu_session_status": [1, 5, 15],
                       }},
              {"nas_5gs.5g_tmsi": "305419896", "nas_5gs.amf_region_id": "202",
               "nas_5gs.mm.tal_num_e": ["2", "3", "1"],
               "gsm_a.gm.gmm.gprs_timer3_unit": "2", "gsm_a.gm.gmm.gprs_timer3_value": "30",
               "nas_5gs.pdu_ses_sts_psi_5_b5": "1", "nas_5gs.pdu_ses_sts_psi_15_b7": "1",
               "nas_5gs.pdu_ses_sts_psi_4_b4": "0"}))
    est_accept = {"extended_protocol_discriminator": 46, "pdu_session_id": 1, "pti": 1,
                  "message_type": "pdu_session_establishment_accept",
                  "ies": {"selected_pdu_session_type": 1, "selected_ssc_mode": 1,
                          "authorized_qos_rules": [
                              {"qri": 1, "operation": 1, "dqr": True,
                               "packet_filters": [{"id": 1, "direction": 3, "components": [
                                   {"type": 1, "value": ""}]}],
                               "precedence": 255, "segregation": False, "qfi": 1},
                              {"qri": 2, "operation": 1, "dqr": False,
                               "packet_filters": [{"id": 2, "direction": 1, "components": [
                                   {"type": 0x10, "value": "0a2d0000ffff0000"},
                                   {"type": 0x30, "value": "11"},
                                   {"type": 0x51, "value": "13881771"}]}],
                               "precedence": 10, "segregation": False, "qfi": 2}],
                          "session_ambr": {"dl_unit": 6, "dl": 2, "ul_unit": 6, "ul": 1},
                          "pdu_address": {"pdu_session_type": 1, "ipv4": "10.45.0.2"},
                          "s_nssai": {"sst": 1, "sd": 0x010203},
                          "authorized_qos_flow_descriptions": [
                              {"qfi": 1, "operation": 1, "e_bit": True, "parameters": [
                                  {"id": 1, "value": "09", "5qi": 9}]},
                              {"qfi": 2, "operation": 1, "e_bit": True, "parameters": [
                                  {"id": 1, "value": "01", "5qi": 1},
                                  {"id": 2, "value": "060001"}, {"id": 3, "value": "060001"}]}],
                          "extended_protocol_configuration_options": {
                              "first_octet": 128, "containers": [
                                  {"id": 0x000d, "value": "08080808"},
                                  {"id": 0x0010, "value": "05dc"}]},
                          "dnn": "internet.mnc093.mcc208.gprs"}}
    s.append((est_accept, {"nas_5gs.sm.pdu_addr_inf_ipv4": "10.45.0.2",
                           "nas_5gs.sm.qos_rule_id": ["1", "2"],
                           "nas_5gs.sm.qfi": ["1", "2", "1", "2"],
                           "nas_5gs.sm.5qi": ["9", "1"],
                           "nas_5gs.cmn.dnn": "internet.mnc093.mcc208.gprs"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "ul_nas_transport",
               "ies": {"payload_container_type": 1,
                       "payload_container": {"message": dict(SM_EST_REQ, ies=dict(
                           SM_EST_REQ["ies"], extended_protocol_configuration_options={
                               "first_octet": 128, "containers": [{"id": 0x000a, "value": ""}]}))},
                       "pdu_session_id": "05", "request_type": 1,
                       "s_nssai": {"sst": 1}, "dnn": "internet"}},
              {"nas_5gs.sm.message_type": "0xc1", "nas_5gs.cmn.dnn": "internet"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "security_mode_complete",
               "ies": {"imeisv": {"type": "imeisv", "digits": "3534900698733052"},
                       "nas_message_container": {"message": {
                           "extended_protocol_discriminator": 126, "security_header_type": 0,
                           "message_type": "registration_request",
                           "ies": {"5gs_registration_type": 9, "ngksi": 7,
                                   "5gs_mobile_identity": GUTI}}}}},
              {"nas_5gs.mm.message_type": ["0x5e", "0x41"]}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "authentication_request",
               "ies": {"ngksi": 0, "abba": "0000",
                       "authentication_parameter_rand": "00112233445566778899aabbccddeeff",
                       "authentication_parameter_autn": "ffeeddccbbaa99887766554433221100"}},
              {"nas_5gs.mm.message_type": "0x56"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "authentication_response",
               "ies": {"authentication_response_parameter": "a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8"}},
              {"nas_5gs.mm.message_type": "0x57"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "identity_response",
               "ies": {"mobile_identity": {"type": "mac_address", "mac": "0a0b0c0d0e0f",
                                           "mauri": True}}},
              {"nas_5gs.mm.message_type": "0x5c"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "dl_nas_transport",
               "ies": {"payload_container_type": 15,
                       "payload_container": {"entries": [
                           {"type": 1, "n_optional_ies": 1, "optional_ies": "120105",
                            "payload": "2e0501d6" + "1a"},
                           {"type": 2, "n_optional_ies": 0, "optional_ies": "",
                            "payload": "0102"}]}}},
              {"nas_5gs.mm.message_type": "0x68", "nas_5gs.mm.pld_cont.nb_entries": "2",
               "nas_5gs.mm.pld_cont.pld_cont_len": ["9"],
               "nas_5gs.mm.pld_cont.nb_opt_ies": ["1"],
               # Wireshark 4.0 hands an N1 SM entry's payload to the 5GSM dissector 3 octets
               # short (it fails after the PTI even for a lone entry without optional IEs,
               # e.g. 7e00680f0009010006012e0501d61a), so "malformed" is expected here;
               # the entry framing fields above are still compared.
               "_allow_malformed": True}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 0,
               "message_type": "security_mode_command",
               "ies": {"selected_nas_security_algorithms": {"ciphering": 1, "integrity": 2},
                       "ngksi": 0,
                       "replayed_ue_security_capabilities": {"5g_ea": 0xF0, "5g_ia": 0x70}}},
              {"nas_5gs.mm.nas_sec_algo_enc": "1", "nas_5gs.mm.nas_sec_algo_ip": "2"}))
    s.append(({"extended_protocol_discriminator": 126, "security_header_type": 2,
               "message_authentication_code": "01020304", "sequence_number": 7,
               "plain_5gs_nas_message": "7e005e"},
              {"nas_5gs.security_header_type": "2", "nas_5gs.seq_no": "7"}))
    return s


# Messages produced by other implementations (facts from their public test data), decoded
# by us, re-encoded byte exact and compared with tshark's reading.
EXTERNAL = [
    # free5gc nas test data: registration request, SUCI 208/93 RI 1234 MSIN 0123456789
    ("7e004179000d0102f8392143000010325476981001202e0480a00000", "0123456789"),
    # free5gc nas test data: authentication response with RES*
    ("7e00572d10803adcacc364fc000bdc0f65e324eaa1", None),
    # oxirush-nas (Rust) README: registration request, SUCI 999/70
    ("7e004179000d0199f9070000000000000010022e08a020000000000000", "0000000120"),
    # UERANSIM-style registration request seen in a public test harness
    ("7e004179000d0199f9070000000000000000102e0480f080f0", "0000000001"),
]


def run(args, inp=None):
    p = subprocess.run(args, input=inp, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("%s: %s" % (" ".join(args[:3]), p.stderr.strip()))
    return p.stdout


def flatten(o, out):
    """All leaf fields of a tshark JSON layer, as {name: [values]}."""
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, (dict, list)):
                flatten(v, out)
                if isinstance(v, list) and all(isinstance(x, str) for x in v):
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(k, []).append(v)
    elif isinstance(o, list):
        for v in o:
            flatten(v, out)


def main():
    for tool in ("tshark", "text2pcap"):
        if not shutil.which(tool):
            print("skip: %s not installed" % tool)
            return 77
    if not os.path.exists(G5):
        print("skip: %s not built" % G5)
        return 77
    msgs = tables()
    samples = []
    fails_ext = []
    for name, (mtype, sm, rows) in msgs.items():
        samples.append((minimal(name, mtype, sm, rows), {}))
    samples += rich_samples()
    for h, msin in EXTERNAL:
        j = json.loads(run([G5, "decode", "nas", h]))
        want = {"nas_5gs.mm.suci.msin": msin} if msin else {}
        mi = j["ies"].get("5gs_mobile_identity", {})
        if msin and mi.get("msin") != msin:
            print("FAIL external %s: our MSIN %s, want %s" % (h, mi.get("msin"), msin))
            fails_ext.append(h)
        samples.append((j, want))
    hexes = []
    fails = len(fails_ext)
    for j, _ in samples:
        h = run([G5, "encode", "nas"], json.dumps(j)).strip()
        back = json.loads(run([G5, "decode", "nas", h]))
        h2 = run([G5, "encode", "nas"], json.dumps(back)).strip()
        if h2 != h:
            print("FAIL re-encode %s: %s != %s" % (j.get("message_type"), h2, h))
            fails += 1
        if j.get("security_header_type", 0) == 0 and back.get("ies") != j.get("ies"):
            print("FAIL decode %s:\n  in  %s\n  out %s" % (j["message_type"], j["ies"],
                                                        back.get("ies")))
            fails += 1
        if j.get("plain_5gs_nas_message") == "7e005e" and \
                back.get("decoded_plain_5gs_nas_message", {}).get("message_type") \
                != "security_mode_complete":
            print("FAIL: protected message's readable inner message not decoded: %s" % back)
            fails += 1
        hexes.append(h)
    with tempfile.TemporaryDirectory() as d:
        txt = os.path.join(d, "nas.txt")
        with open(txt, "w") as f:
            for h in hexes:
                b = bytes.fromhex(h)
                for off in range(0, len(b), 16):
                    f.write("%06x %s\n" % (off, " ".join("%02x" % x for x in b[off:off + 16])))
        pcap = os.path.join(d, "nas.pcap")
        run(["text2pcap", "-q", "-P", "nas-5gs", txt, pcap])
        pk = json.loads(run(["tshark", "-r", pcap, "-T", "json"]))
    if len(pk) != len(samples):
        print("FAIL: %d packets for %d samples" % (len(pk), len(samples)))
        return 1
    checked = 0
    for (j, want), p, h in zip(samples, pk, hexes):
        layers = p["_source"]["layers"]
        name = j.get("message_type", "security_protected")
        text = json.dumps(layers)
        allow = want.pop("_allow_malformed", False)
        if not allow and ("_ws.malformed" in text or
                          '"_ws.expert.severity": "8388608"' in text):
            print("FAIL tshark malformed/error: %s %s" % (name, h))
            fails += 1
            continue
        f = {}
        flatten(layers.get("nas-5gs", {}), f)
        if name in TSHARK_UNKNOWN:
            continue
        if j.get("security_header_type", 0) == 0:
            key = "nas_5gs.sm.message_type" if j["extended_protocol_discriminator"] == 46 \
                else "nas_5gs.mm.message_type"
            mt = msgs[name][0]
            if "0x%02x" % mt not in f.get(key, []):
                print("FAIL %s: tshark message type %s, want 0x%02x" % (name, f.get(key), mt))
                fails += 1
        for k, v in want.items():
            got = f.get(k, [])
            ok = got == v if isinstance(v, list) else v in got
            if not ok:
                print("FAIL %s: tshark %s = %s, want %s" % (name, k, got, v))
                fails += 1
        checked += 1
    print("nas tshark: %d messages encoded, %d checked field by field, %d failures"
          % (len(samples), checked, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

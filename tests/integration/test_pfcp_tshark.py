"""Oracle test: Wireshark's PFCP dissector (tshark 4.0) decodes every message our builders
produce (the seeds in fuzz/corpus/pfcp/) without malformed-packet or expert errors, and
agrees with our decoder on message type, SEIDs, sequence, PDR/FAR/QER/URR IDs, F-TEID, UE IP,
apply action, MBR/GBR, cause, node ID, outer header creation and usage report fields.
Also checks `glass5g decode | glass5g encode` is byte-exact for each message.
Usage: test_pfcp_tshark.py BUILD_DIR (exit 77 if tshark/text2pcap are missing)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfcp_common as pc  # noqa: E402


def pairs_hook(items):
    """tshark -T json repeats keys; keep every (key, value) in order."""
    return items


def collect(tree, out):
    if isinstance(tree, list) and tree and isinstance(tree[0], tuple):
        for k, v in tree:
            if isinstance(v, (list, dict)) and not (isinstance(v, list) and v and
                                                      isinstance(v[0], str)):
                collect(v, out)
            else:
                out.setdefault(k, []).append(v)
    elif isinstance(tree, list):
        for v in tree:
            collect(v, out)


def layers(pkt):
    for k, v in pkt:
        if k == "_source":
            for k2, v2 in v:
                if k2 == "layers":
                    return dict(v2)
    return {}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    exe = pc.glass5g(build)
    for tool in ("tshark", "text2pcap"):
        if not shutil.which(tool):
            pc.skip(tool + " not installed")
    msgs = pc.seeds()
    c = pc.Checker()
    with tempfile.TemporaryDirectory() as tmp:
        txt = os.path.join(tmp, "in.txt")
        with open(txt, "w") as f:
            for _, data in msgs:
                for off in range(0, len(data), 16):
                    chunk = data[off:off + 16]
                    f.write("%06x %s\n" % (off, " ".join("%02x" % b for b in chunk)))
        pcap = os.path.join(tmp, "out.pcap")
        subprocess.run(["text2pcap", "-q", "-u", "8805,8805", txt, pcap], check=True,
                       capture_output=True)
        r = subprocess.run(["tshark", "-r", pcap, "-T", "json"], capture_output=True,
                           text=True, check=True)
    pkts = json.loads(r.stdout, object_pairs_hook=pairs_hook)
    c.eq("packet count", len(pkts), len(msgs))
    for (name, data), pkt in zip(msgs, pkts):
        lay = layers(pkt)
        c.true(name + ": tshark found no pfcp layer", "pfcp" in lay)
        c.true(name + ": malformed", "_ws.malformed" not in lay and
               "_ws.malformed" not in json.dumps(lay.get("pfcp")))
        f = {}
        collect(lay.get("pfcp", []), f)
        sev = [s for s in f.get("_ws.expert.severity", []) if int(s) >= 0x00600000]
        c.eq(name + ": expert warnings/errors", sev, [])
        ours = pc.decode(exe, data)
        compare(c, name, f, ours)
        c.eq(name + ": decode|encode byte-exact", pc.encode(exe, ours).hex(), data.hex())
    c.finish("test_pfcp_tshark")


def ints(xs, base=10):
    return [int(x, base) for x in xs]


def compare(c, name, f, ours):
    def eq(what, got, want):
        c.eq("%s: %s" % (name, what), got, want)

    ies = ours["ies"]
    eq("message type", ints(f["pfcp.msg_type"]), [ours["message_type"]])
    eq("sequence", ints(f["pfcp.seqno"]), [ours["sequence"]])
    seids = ([ours["seid"]] if "seid" in ours else []) + \
        [x["seid"] for x in pc.values(ies, "f_seid")]
    eq("SEIDs", ints(f.get("pfcp.seid", []), 16), seids)
    eq("PDR IDs", ints(f.get("pfcp.pdr_id", [])), pc.values(ies, "pdr_id"))
    eq("FAR IDs", ints(f.get("pfcp.far_id", [])), pc.values(ies, "far_id"))
    eq("QER IDs", ints(f.get("pfcp.qer_id", [])), pc.values(ies, "qer_id"))
    eq("URR IDs", ints(f.get("pfcp.urr_id", [])), pc.values(ies, "urr_id"))
    eq("cause", ints(f.get("pfcp.cause", [])), pc.values(ies, "cause"))
    teids = [x for x in pc.values(ies, "f_teid") if "teid" in x]
    eq("F-TEID TEIDs", ints(f.get("pfcp.f_teid.teid", []), 16), [x["teid"] for x in teids])
    eq("F-TEID IPv4", f.get("pfcp.f_teid.ipv4_addr", []),
       [x["ipv4"] for x in teids if "ipv4" in x])
    chooses = [x for x in pc.values(ies, "f_teid") if x.get("choose")]
    eq("F-TEID CH", f.get("pfcp.f_teid_flags.ch", []).count("1"), len(chooses))
    eq("F-TEID CHOOSE ID", ints(f.get("pfcp.f_teid.choose_id", [])),
       [x["choose_id"] for x in chooses if "choose_id" in x])
    ueip = pc.values(ies, "ue_ip_address")
    eq("UE IPv4", f.get("pfcp.ue_ip_addr_ipv4", []), [x["ipv4"] for x in ueip if "ipv4" in x])
    eq("UE IP S/D", f.get("pfcp.ue_ip_address_flag.sd", []),
       ["1" if x.get("destination") else "0" for x in ueip])
    aa = pc.values(ies, "apply_action")
    aa = [x["flags"] if isinstance(x, dict) else x for x in aa]
    for flag in ("drop", "forw", "buff", "nocp", "dupl"):
        eq("apply action " + flag, f.get("pfcp.apply_action." + flag, []),
           ["1" if flag in x else "0" for x in aa])
    mbr = pc.values(ies, "mbr")
    eq("MBR UL", ints(f.get("pfcp.ul_mbr", [])), [x["ul"] for x in mbr])
    eq("MBR DL", ints(f.get("pfcp.dl_mbr", [])), [x["dl"] for x in mbr])
    gbr = pc.values(ies, "gbr")
    eq("GBR UL", ints(f.get("pfcp.ul_gbr", [])), [x["ul"] for x in gbr])
    eq("GBR DL", ints(f.get("pfcp.dl_gbr", [])), [x["dl"] for x in gbr])
    # tshark shows the Remote GTP-U Peer address (kept as hex by us) as a node ID too
    peers = [bytes.fromhex(x["hex"]) for x in pc.values(ies, "remote_gtp_u_peer")]
    eq("node ID IPv4", f.get("pfcp.node_id_ipv4", []),
       [x["ipv4"] for x in pc.values(ies, "node_id") if "ipv4" in x] +
       [".".join(str(b) for b in p[1:5]) for p in peers if p[0] & 2])
    nodes = pc.values(ies, "node_id")
    eq("node ID IPv6", f.get("pfcp.node_id_ipv6", []), [x["ipv6"] for x in nodes if "ipv6" in x])
    eq("node ID FQDN", f.get("pfcp.node_id_fqdn", []), [x["fqdn"] for x in nodes if "fqdn" in x])
    eq("F-SEID IPv6", f.get("pfcp.f_seid.ipv6", []),
       [x["ipv6"] for x in pc.values(ies, "f_seid") if "ipv6" in x])
    eq("F-TEID IPv6", f.get("pfcp.f_teid.ipv6_addr", []),
       [x["ipv6"] for x in teids if "ipv6" in x])
    eq("UE IPv6", f.get("pfcp.ue_ip_addr_ipv6", []), [x["ipv6"] for x in ueip if "ipv6" in x])
    eq("UE IPv6 prefix length", ints(f.get("pfcp.ue_ip_addr_ipv6_prefix_length", [])),
       [x["ipv6_prefix_length"] for x in ueip if "ipv6_prefix_length" in x])
    eq("metric", ints(f.get("pfcp.metric", [])), pc.values(ies, "metric"))
    eq("sequence number IE", ints(f.get("pfcp.sequence_number", [])),
       pc.values(ies, "sequence_number"))
    eq("timer", list(zip(ints(f.get("pfcp.timer_unit", [])), ints(f.get("pfcp.timer_value", [])))),
       [(x["unit"], x["value"])
        for x in pc.values(ies, "timer") + pc.values(ies, "graceful_release_period")])
    upf = [x["flags"] if isinstance(x, dict) else x
           for x in pc.values(ies, "up_function_features")]
    for flag in ("ftup", "empu", "ueip"):
        got = f.get("pfcp.up_function_features." + flag, [])
        if flag == "ueip" and not got:
            continue  # a 2-octet IE: tshark shows no octet-7 flags
        eq("UP feature " + flag, got, ["1" if flag in x else "0" for x in upf])
    ohc = pc.values(ies, "outer_header_creation")
    eq("OHC TEID", ints(f.get("pfcp.outer_hdr_creation.teid", []), 16),
       [x["teid"] for x in ohc])
    eq("OHC IPv4", f.get("pfcp.outer_hdr_creation.ipv4", []), [x["ipv4"] for x in ohc])
    eq("OHR", ints(f.get("pfcp.out_hdr_desc", [])),
       [x["description"] for x in pc.values(ies, "outer_header_removal")])
    eq("source interface", ints(f.get("pfcp.source_interface", [])),
       pc.values(ies, "source_interface"))
    eq("destination interface", ints(f.get("pfcp.dst_interface", [])),
       pc.values(ies, "destination_interface"))
    eq("network instance", f.get("pfcp.network_instance", []),
       pc.values(ies, "network_instance"))
    eq("QFI", ints(f.get("pfcp.qfi_value", []), 16), pc.values(ies, "qfi"))
    eq("UR-SEQN", ints(f.get("pfcp.ur_seqn", [])), pc.values(ies, "ur_seqn"))
    vm = pc.values(ies, "volume_measurement")
    eq("volume total", ints(f.get("pfcp.volume_measurement.tovol", [])),
       [x["total"] for x in vm])
    eq("volume DL packets", ints(f.get("pfcp.volume_measurement.dlnop", [])),
       [x["downlink_packets"] for x in vm])
    eq("duration", ints(f.get("pfcp.duration_measurement", [])),
       pc.values(ies, "duration_measurement"))
    eq("time threshold", ints(f.get("pfcp.time_threshold", [])),
       pc.values(ies, "time_threshold"))
    # PFD contents (§8.2.39) are kept as hex by us: flags, spare, length, description
    pfd = [bytes.fromhex(x["hex"]) for x in pc.values(ies, "pfd_contents")]
    eq("flow description", f.get("pfcp.flow_desc", []),
       [x["flow_description"] for x in pc.values(ies, "sdf_filter")] +
       [p[4:4 + int.from_bytes(p[2:4], "big")].decode() for p in pfd if p[0] & 1])
    eq("report type USAR", f.get("pfcp.report_type.usar", []),
       ["1" if "usar" in x else "0" for x in pc.values(ies, "report_type")])


if __name__ == "__main__":
    main()

"""Oracle test: scapy's contrib PFCP layer (scapy 2.5, Debian python3-scapy), both ways.

1. Messages built with scapy are decoded by `glass5g decode pfcp` with equal fields
   (header, node ID, F-SEID, PDR/FAR/QER/URR, F-TEID incl. CHOOSE, UE IP, SDF filter,
   apply action, OHC/OHR, gate, MBR, usage report, vendor IE) and re-encoded byte-exactly.
2. Every message our builders produce (fuzz/corpus/pfcp/) is parsed by scapy without
   unknown/raw leftovers, scapy re-serialises it to the same bytes, and its fields equal
   ours.
Usage: test_pfcp_scapy.py BUILD_DIR (exit 77 if scapy is missing)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfcp_common as pc  # noqa: E402

try:
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.contrib import pfcp as sp
    from scapy.packet import Raw
except ImportError as e:  # pragma: no cover
    pc.skip("scapy contrib PFCP not importable: %s" % e)

TS = 3913056000


def scapy_messages():
    """(name, scapy packet, checks(ours_json, checker, name))"""
    out = []
    hb = sp.PFCP(version=1, S=0, seq=7) / sp.PFCPHeartbeatRequest(
        IE_list=[sp.IE_RecoveryTimeStamp(timestamp=TS)])

    def chk_hb(o, c, n):
        c.eq(n + " type", o["message_type"], 1)
        c.eq(n + " seq", o["sequence"], 7)
        c.eq(n + " recovery", o["ies"]["recovery_time_stamp"], TS)
    out.append(("heartbeat_request", hb, chk_hb))

    asr = sp.PFCP(version=1, S=0, seq=8) / sp.PFCPAssociationSetupRequest(IE_list=[
        sp.IE_NodeId(id_type=0, ipv4="10.0.0.2"),
        sp.IE_RecoveryTimeStamp(timestamp=TS),
        sp.IE_UPFunctionFeatures(FTUP=1, EMPU=1)])

    def chk_asr(o, c, n):
        c.eq(n + " node", o["ies"]["node_id"], {"ipv4": "10.0.0.2"})
        c.eq(n + " features", sorted(o["ies"]["up_function_features"]), ["empu", "ftup"])
    out.append(("association_setup_request", asr, chk_asr))

    pdr1 = sp.IE_CreatePDR(IE_list=[
        sp.IE_PDR_Id(id=1), sp.IE_Precedence(precedence=255),
        sp.IE_PDI(IE_list=[
            sp.IE_SourceInterface(interface=0),
            sp.IE_FTEID(V4=1, TEID=0x1234, ipv4="10.0.0.2"),
            sp.IE_NetworkInstance(instance="access"),
            sp.IE_UE_IP_Address(V4=1, ipv4="10.45.0.9"),
            sp.IE_SDF_Filter(FD=1, flow_description="permit out ip from any to assigned"),
            sp.IE_QFI(QFI=9)]),
        sp.IE_OuterHeaderRemoval(header=0),
        sp.IE_FAR_Id(id=1), sp.IE_URR_Id(id=1), sp.IE_QER_Id(id=1)])
    pdr2 = sp.IE_CreatePDR(IE_list=[
        sp.IE_PDR_Id(id=2), sp.IE_Precedence(precedence=100),
        sp.IE_PDI(IE_list=[
            sp.IE_SourceInterface(interface=1),
            sp.IE_FTEID(V4=1, CH=1, CHID=1, choose_id=5),
            sp.IE_UE_IP_Address(V4=1, SD=1, ipv4="10.45.0.9")]),
        sp.IE_FAR_Id(id=2)])
    far1 = sp.IE_CreateFAR(IE_list=[
        sp.IE_FAR_Id(id=1), sp.IE_ApplyAction(FORW=1),
        sp.IE_ForwardingParameters(IE_list=[
            sp.IE_DestinationInterface(interface=1),
            sp.IE_NetworkInstance(instance="internet")])])
    far2 = sp.IE_CreateFAR(IE_list=[
        sp.IE_FAR_Id(id=2), sp.IE_ApplyAction(FORW=1),
        sp.IE_ForwardingParameters(IE_list=[
            sp.IE_DestinationInterface(interface=0),
            sp.IE_OuterHeaderCreation(GTPUUDPIPV4=1, TEID=0x5678, ipv4="192.168.1.10")])])
    qer = sp.IE_CreateQER(IE_list=[
        sp.IE_QER_Id(id=1), sp.IE_GateStatus(ul=0, dl=1),
        sp.IE_MBR(ul=100000, dl=200000), sp.IE_QFI(QFI=9)])
    urr = sp.IE_CreateURR(IE_list=[
        sp.IE_URR_Id(id=1), sp.IE_MeasurementMethod(VOLUM=1, DURAT=1),
        sp.IE_ReportingTriggers(volume_threshold=1),
        sp.IE_VolumeThreshold(TOVOL=1, total=1000000)])
    ser = sp.PFCP(version=1, S=1, seid=0, seq=9) / sp.PFCPSessionEstablishmentRequest(IE_list=[
        sp.IE_NodeId(id_type=0, ipv4="10.0.0.1"),
        sp.IE_FSEID(v4=1, seid=0x1122334455667788, ipv4="10.0.0.1"),
        pdr1, pdr2, far1, far2, urr, qer, sp.IE_PDNType(pdn_type=1),
        sp.IE_EnterpriseSpecific(ietype=32770, enterprise_id=10415, data=b"\x01\x02")])

    def chk_ser(o, c, n):
        ies = o["ies"]
        c.eq(n + " seid", o["seid"], 0)
        c.eq(n + " F-SEID", ies["f_seid"], {"seid": 0x1122334455667788, "ipv4": "10.0.0.1"})
        c.eq(n + " PDR IDs", pc.values(ies, "pdr_id"), [1, 2])
        c.eq(n + " precedence", pc.values(ies, "precedence"), [255, 100])
        c.eq(n + " F-TEIDs", pc.values(ies, "f_teid"),
             [{"teid": 0x1234, "ipv4": "10.0.0.2"},
              {"choose": True, "v4": True, "choose_id": 5}])
        c.eq(n + " UE IP", pc.values(ies, "ue_ip_address"),
             [{"ipv4": "10.45.0.9"}, {"ipv4": "10.45.0.9", "destination": True}])
        c.eq(n + " network instances", pc.values(ies, "network_instance"),
             ["access", "internet"])
        c.eq(n + " SDF", pc.values(ies, "sdf_filter"),
             [{"flow_description": "permit out ip from any to assigned"}])
        c.eq(n + " QFI", pc.values(ies, "qfi"), [9, 9])
        c.eq(n + " OHR", pc.values(ies, "outer_header_removal"), [{"description": 0}])
        c.eq(n + " apply action", pc.values(ies, "apply_action"), [["forw"], ["forw"]])
        c.eq(n + " OHC", pc.values(ies, "outer_header_creation"),
             [{"description": ["gtpu_udp_ipv4"], "teid": 0x5678, "ipv4": "192.168.1.10"}])
        c.eq(n + " gate", pc.values(ies, "gate_status"), [{"ul": 0, "dl": 1}])
        c.eq(n + " MBR", pc.values(ies, "mbr"), [{"ul": 100000, "dl": 200000}])
        c.eq(n + " measurement method", pc.values(ies, "measurement_method"),
             [["durat", "volum"]])
        c.eq(n + " reporting triggers", pc.values(ies, "reporting_triggers"), [["volth"]])
        c.eq(n + " volume threshold", pc.values(ies, "volume_threshold"), [{"total": 1000000}])
        c.eq(n + " PDN type", ies["pdn_type"], 1)
        c.eq(n + " vendor IE", ies["unknown_ie"],
             [{"type": 32770, "enterprise": 10415, "hex": "0102"}])
    out.append(("session_establishment_request", ser, chk_ser))

    smr = sp.PFCP(version=1, S=1, seid=0xabc, seq=10) / sp.PFCPSessionModificationRequest(
        IE_list=[sp.IE_UpdateFAR(IE_list=[
            sp.IE_FAR_Id(id=2), sp.IE_ApplyAction(FORW=1),
            sp.IE_UpdateForwardingParameters(IE_list=[
                sp.IE_DestinationInterface(interface=0),
                sp.IE_OuterHeaderCreation(GTPUUDPIPV4=1, TEID=0x2000, ipv4="192.168.1.10")])])])

    def chk_smr(o, c, n):
        uf = o["ies"]["update_far"][0]
        c.eq(n + " seid", o["seid"], 0xabc)
        c.eq(n + " FAR ID", uf["far_id"], 2)
        c.eq(n + " OHC", uf["update_forwarding_parameters"]["outer_header_creation"],
             {"description": ["gtpu_udp_ipv4"], "teid": 0x2000, "ipv4": "192.168.1.10"})
    out.append(("session_modification_request", smr, chk_smr))

    srr = sp.PFCP(version=1, S=1, seid=0x55, seq=11) / sp.PFCPSessionReportRequest(IE_list=[
        sp.IE_ReportType(USAR=1),
        sp.IE_UsageReport_SRR(IE_list=[
            sp.IE_URR_Id(id=1), sp.IE_UR_SEQN(number=4), sp.IE_UsageReportTrigger(VOLTH=1),
            sp.IE_StartTime(timestamp=TS), sp.IE_EndTime(timestamp=TS + 60),
            sp.IE_VolumeMeasurement(TOVOL=1, ULVOL=1, DLVOL=1, total=300, uplink=100,
                                    downlink=200),
            sp.IE_DurationMeasurement(duration=60)])])

    def chk_srr(o, c, n):
        ur = o["ies"]["usage_report_session_report_request"][0]
        c.eq(n + " report type", o["ies"]["report_type"], ["usar"])
        c.eq(n + " UR-SEQN", ur["ur_seqn"], 4)
        c.eq(n + " trigger", ur["usage_report_trigger"], ["volth"])
        c.eq(n + " times", [ur["start_time"], ur["end_time"]], [TS, TS + 60])
        c.eq(n + " volume", ur["volume_measurement"],
             {"total": 300, "uplink": 100, "downlink": 200})
        c.eq(n + " duration", ur["duration_measurement"], 60)
    out.append(("session_report_request", srr, chk_srr))

    sdr = sp.PFCP(version=1, S=1, seid=0x77, seq=12) / sp.PFCPSessionDeletionResponse(
        IE_list=[sp.IE_Cause(cause=66), sp.IE_OffendingIE(type=57)])

    def chk_sdr(o, c, n):
        c.eq(n + " cause", o["ies"]["cause"], 66)
        c.eq(n + " offending IE", o["ies"]["offending_ie"], 57)
    out.append(("session_deletion_response", sdr, chk_sdr))
    return out


def scapy_ies(pkt):
    """(ietype, ie) for every IE in a scapy PFCP packet, depth first, in wire order."""
    found = []

    def walk(lst):
        for ie in lst or []:
            found.append((int(ie.ietype), ie))
            if hasattr(ie, "IE_list"):
                walk(ie.IE_list)
    walk(pkt.payload.IE_list if hasattr(pkt.payload, "IE_list") else [])
    return found


def check_ours_in_scapy(c, exe, name, data):
    p = sp.PFCP(data)
    n = "seed " + name
    c.eq(n + ": scapy re-serialises identically", bytes(p).hex(), data.hex())
    c.true(n + ": scapy left raw bytes", p.getlayer(Raw) is None)
    ours = pc.decode(exe, data)
    c.eq(n + ": message type", int(p.message_type), ours["message_type"])
    c.eq(n + ": seq", int(p.seq), ours["sequence"])
    if "seid" in ours:
        c.eq(n + ": seid", int(p.seid), ours["seid"])
    ies = scapy_ies(p)
    c.true(n + ": scapy did not know an IE",
           not any(isinstance(ie, sp.IE_NotImplemented) for _, ie in ies))
    by = {}
    for t, ie in ies:
        by.setdefault(t, []).append(ie)
    o = ours["ies"]
    c.eq(n + ": PDR IDs", [int(i.id) for i in by.get(56, [])], pc.values(o, "pdr_id"))
    c.eq(n + ": FAR IDs", [int(i.id) for i in by.get(108, [])], pc.values(o, "far_id"))
    c.eq(n + ": QER IDs", [int(i.id) for i in by.get(109, [])], pc.values(o, "qer_id"))
    c.eq(n + ": URR IDs", [int(i.id) for i in by.get(81, [])], pc.values(o, "urr_id"))
    c.eq(n + ": causes", [int(i.cause) for i in by.get(19, [])], pc.values(o, "cause"))
    c.eq(n + ": F-SEIDs", [int(i.seid) for i in by.get(57, [])],
         [x["seid"] for x in pc.values(o, "f_seid")])
    ft = [x for x in pc.values(o, "f_teid")]
    c.eq(n + ": F-TEIDs",
         [(int(i.CH), int(i.TEID) if not i.CH else None, i.ipv4 if i.V4 and not i.CH else None,
           i.ipv6 if i.V6 and not i.CH else None) for i in by.get(21, [])],
         [(1 if x.get("choose") else 0, x.get("teid"), x.get("ipv4"), x.get("ipv6"))
          for x in ft])
    c.eq(n + ": UE IPs",
         [(i.ipv4 if i.V4 else None, i.ipv6 if i.V6 else None, int(i.SD))
          for i in by.get(93, [])],
         [(x.get("ipv4"), x.get("ipv6"), 1 if x.get("destination") else 0)
          for x in pc.values(o, "ue_ip_address")])
    c.eq(n + ": apply action FORW", [int(i.FORW) for i in by.get(44, [])],
         [1 if "forw" in (x["flags"] if isinstance(x, dict) else x) else 0
          for x in pc.values(o, "apply_action")])
    c.eq(n + ": MBR", [(int(i.ul), int(i.dl)) for i in by.get(26, [])],
         [(x["ul"], x["dl"]) for x in pc.values(o, "mbr")])
    c.eq(n + ": OHC TEID", [int(i.TEID) for i in by.get(84, [])],
         [x["teid"] for x in pc.values(o, "outer_header_creation")])
    c.eq(n + ": UR-SEQN", [int(i.number) for i in by.get(104, [])], pc.values(o, "ur_seqn"))
    c.eq(n + ": node ID",
         [i.ipv4 if i.id_type == 0 else i.ipv6 if i.id_type == 1 else i.id.decode().rstrip(".")
          for i in by.get(60, [])],
         [x.get("ipv4") or x.get("ipv6") or x.get("fqdn") for x in pc.values(o, "node_id")])
    c.eq(n + ": F-SEID IPv6", [i.ipv6 for i in by.get(57, []) if i.v6],
         [x["ipv6"] for x in pc.values(o, "f_seid") if "ipv6" in x])


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    exe = pc.glass5g(build)
    c = pc.Checker()
    for name, pkt, check in scapy_messages():
        data = bytes(pkt)
        ours = pc.decode(exe, data)
        check(ours, c, "scapy " + name)
        c.eq("scapy %s: decode|encode byte-exact" % name, pc.encode(exe, ours).hex(), data.hex())
    for name, data in pc.seeds():
        check_ours_in_scapy(c, exe, name, data)
    c.finish("test_pfcp_scapy")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""SMF + gNB side of tests/integration/test_upf_netns.sh, run inside the gNB namespace.

Every PFCP request is built and every response parsed with scapy's contrib PFCP layer,
every G-PDU with scapy's contrib GTP layer: an implementation independent of glass5g's
codecs. Usage: upf_netns_peer.py STEP ... (see main). Exits non-zero with a message on the
first failed check."""
import socket
import sys
import time

from scapy.contrib.gtp import (GTP_U_Header, GTPEchoRequest, GTPErrorIndication,
                               GTPPDUSessionContainer, IE_GSNAddress, IE_Recovery, IE_TEIDI)
from scapy.contrib.pfcp import (PFCP, IE_ApplyAction, IE_Cause, IE_CreatedPDR, IE_CreateFAR,
                                IE_CreatePDR, IE_CreateQER, IE_DestinationInterface,
                                IE_FAR_Id, IE_ForwardingParameters, IE_FSEID, IE_FTEID,
                                IE_GateStatus, IE_MBR, IE_NodeId, IE_OuterHeaderCreation,
                                IE_OuterHeaderRemoval, IE_PDI, IE_PDR_Id, IE_Precedence,
                                IE_QER_Id, IE_QFI, IE_RecoveryTimeStamp, IE_SourceInterface,
                                IE_UE_IP_Address, PFCPAssociationReleaseRequest,
                                PFCPAssociationSetupRequest, PFCPSessionModificationRequest,
                                PFCPHeartbeatRequest, PFCPSessionDeletionRequest,
                                PFCPSessionEstablishmentRequest)
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.packet import fuzz
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_RA, ICMPv6ND_RS,
                                ICMPv6NDOptPrefixInfo, IPv6)

UPF = "10.200.1.1"
GNB = "10.200.1.2"
DN4, DN6 = "10.200.2.2", "fd00:2::2"
UE4, UE6 = "10.45.0.7", "2001:db8:45:0::7"
QFI = 9
GNB_TEID = 0x00abcdef
MBR_KBPS = 4000

pfcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
pfcp.bind((GNB, 0))
pfcp.settimeout(2)
seq = [int(time.time()) & 0xffff]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def request(msg):
    seq[0] += 1
    msg.seq = seq[0]
    pfcp.sendto(bytes(msg), (UPF, 8805))
    try:
        data, _ = pfcp.recvfrom(4096)
    except socket.timeout:
        fail("no PFCP response to %s" % msg.summary())
    return PFCP(data)


def ie(rsp, cls):
    for x in rsp.payload.IE_list:
        if isinstance(x, cls):
            return x
    return None


def heartbeat():
    rsp = request(PFCP(version=1, S=0) / PFCPHeartbeatRequest(
        IE_list=[IE_RecoveryTimeStamp(timestamp=3900000000)]))
    ts = ie(rsp, IE_RecoveryTimeStamp)
    if rsp.message_type != 2 or ts is None:
        fail("heartbeat response: %r" % rsp)
    return ts.timestamp


def associate():
    rsp = request(PFCP(version=1, S=0) / PFCPAssociationSetupRequest(
        IE_list=[IE_NodeId(id_type=0, ipv4=GNB), IE_RecoveryTimeStamp(timestamp=3900000000)]))
    if rsp.message_type != 6 or ie(rsp, IE_Cause).cause != 1:
        fail("association setup: %r" % rsp)


def establish(mbr_kbps=MBR_KBPS, ue4=UE4, ue6=UE6, cp_seid=0x1111, gnb_teid=GNB_TEID):
    ul_pdr = IE_CreatePDR(IE_list=[
        IE_PDR_Id(id=1), IE_Precedence(precedence=255),
        IE_PDI(IE_list=[IE_SourceInterface(interface=0), IE_FTEID(CH=1, V4=1),
                        IE_UE_IP_Address(V4=1, ipv4=ue4), IE_QFI(QFI=QFI)]),
        IE_OuterHeaderRemoval(header=0), IE_FAR_Id(id=1), IE_QER_Id(id=1)])
    ul6_pdr = IE_CreatePDR(IE_list=[
        IE_PDR_Id(id=3), IE_Precedence(precedence=256),
        IE_PDI(IE_list=[IE_SourceInterface(interface=0), IE_FTEID(CH=1, CHID=1, V4=1,
                                                                   choose_id=1),
                        IE_UE_IP_Address(V6=1, ipv6=ue6)]),
        IE_OuterHeaderRemoval(header=0), IE_FAR_Id(id=1), IE_QER_Id(id=1)])
    dl_pdr = IE_CreatePDR(IE_list=[
        IE_PDR_Id(id=2), IE_Precedence(precedence=255),
        IE_PDI(IE_list=[IE_SourceInterface(interface=1),
                        IE_UE_IP_Address(SD=1, V4=1, ipv4=ue4)]),
        IE_FAR_Id(id=2), IE_QER_Id(id=1)])
    ul_far = IE_CreateFAR(IE_list=[IE_FAR_Id(id=1), IE_ApplyAction(FORW=1),
                                   IE_ForwardingParameters(IE_list=[
                                       IE_DestinationInterface(interface=1)])])
    dl_far = IE_CreateFAR(IE_list=[IE_FAR_Id(id=2), IE_ApplyAction(FORW=1),
                                   IE_ForwardingParameters(IE_list=[
                                       IE_DestinationInterface(interface=0),
                                       IE_OuterHeaderCreation(GTPUUDPIPV4=1, TEID=gnb_teid,
                                                              ipv4=GNB)])])
    qer = IE_CreateQER(IE_list=[IE_QER_Id(id=1), IE_GateStatus(),
                                IE_MBR(ul=mbr_kbps, dl=mbr_kbps), IE_QFI(QFI=QFI)])
    rsp = request(PFCP(version=1, S=1, seid=0) / PFCPSessionEstablishmentRequest(IE_list=[
        IE_NodeId(id_type=0, ipv4=GNB), IE_FSEID(v4=1, seid=cp_seid, ipv4=GNB),
        ul_pdr, ul6_pdr, dl_pdr, ul_far, dl_far, qer]))
    if rsp.message_type != 51 or ie(rsp, IE_Cause).cause != 1:
        fail("establishment: %r" % rsp)
    teid = None
    for x in rsp.payload.IE_list:
        if isinstance(x, IE_CreatedPDR):
            for y in x.IE_list:
                if isinstance(y, IE_FTEID):
                    teid = y.TEID
    up_seid = ie(rsp, IE_FSEID).seid
    if not teid:
        fail("no Created PDR F-TEID")
    return up_seid, teid


def delete(up_seid):
    rsp = request(PFCP(version=1, S=1, seid=up_seid) / PFCPSessionDeletionRequest())
    if rsp.message_type != 55 or ie(rsp, IE_Cause).cause != 1:
        fail("deletion: %r" % rsp)


gtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
gtp.bind((GNB, 2152))
gtp.settimeout(2)


def gpdu(teid, inner):
    return bytes(GTP_U_Header(teid=teid, E=1, next_ex=0x85) /
                 GTPPDUSessionContainer(type=1, QFI=QFI) / inner)


def roundtrip(teid, inner, check):
    gtp.sendto(gpdu(teid, inner), (UPF, 2152))
    deadline = time.time() + 3
    while time.time() < deadline:
        try:
            data, _ = gtp.recvfrom(4096)
        except socket.timeout:
            break
        g = GTP_U_Header(data)
        if g.gtp_type != 255:
            continue
        if g.teid != GNB_TEID:
            fail("downlink TEID %#x, expected %#x" % (g.teid, GNB_TEID))
        psc = g[GTPPDUSessionContainer]
        if psc.type != 0 or psc.QFI != QFI:
            fail("downlink PDU session container type %d QFI %d" % (psc.type, psc.QFI))
        if check(bytes(psc.payload)):
            return True
    fail("no downlink reply for %s" % inner.summary())


def traffic(teid):
    roundtrip(teid, IP(src=UE4, dst=DN4) / ICMP(id=7, seq=1) / b"glass5g",
              lambda b: IP(b).haslayer(ICMP) and IP(b)[ICMP].type == 0)
    print("ok: ICMP echo via the UPF")
    roundtrip(teid, IP(src=UE4, dst=DN4) / UDP(sport=4000, dport=9000) / b"hello",
              lambda b: IP(b).haslayer(UDP) and bytes(IP(b)[UDP].payload) == b"hello")
    print("ok: UDP echo via the UPF")
    roundtrip(teid, IPv6(src=UE6, dst=DN6) / ICMPv6EchoRequest(id=7, seq=1),
              lambda b: IPv6(b).haslayer(ICMPv6EchoReply))
    print("ok: ICMPv6 echo via the UPF")

    def is_ra(b):
        p = IPv6(b)
        if not p.haslayer(ICMPv6ND_RA):
            return False
        pio = p[ICMPv6NDOptPrefixInfo]
        if pio.prefix != "2001:db8:45::" or pio.prefixlen != 64 or not pio.A or pio.L:
            fail("router advertisement prefix: %s" % pio.summary())
        got = p[ICMPv6ND_RA].cksum
        del p[ICMPv6ND_RA].cksum
        if IPv6(bytes(p))[ICMPv6ND_RA].cksum != got:
            fail("router advertisement checksum")
        return True
    roundtrip(teid, IPv6(src="fe80::7", dst="ff02::2", hlim=255) / ICMPv6ND_RS(), is_ra)
    print("ok: router solicitation answered with the UE /64")


def mbr(teid):
    """Sends 1000-octet UDP packets at 2x the MBR for 3 s; the DN sink counts them."""
    size, secs = 1000, 3.0
    rate = 2 * MBR_KBPS * 1000
    pps = rate / (size * 8)
    pkt = gpdu(teid, IP(src=UE4, dst=DN4) / UDP(sport=4001, dport=9001) / (b"x" * (size - 28)))
    t0 = time.time()
    sent = 0
    while True:
        now = time.time()
        if now - t0 >= secs:
            break
        due = int((now - t0) * pps) + 1
        while sent < due:
            gtp.sendto(pkt, (UPF, 2152))
            sent += 1
        time.sleep(0.0005)
    time.sleep(0.3)
    ok = []
    roundtrip(teid, IP(src=UE4, dst=DN4) / UDP(sport=4002, dport=9000) / b"STATS",
              lambda b: ok.append(bytes(IP(b)[UDP].payload)) or True)
    got = int(ok[0].decode().split()[1])
    measured = got * 8 / secs
    print("mbr: offered %.2f Mbit/s, received %.2f Mbit/s, MBR %.2f Mbit/s" %
          (sent * size * 8 / secs / 1e6, measured / 1e6, MBR_KBPS / 1e3))
    if abs(measured - MBR_KBPS * 1000) > 0.05 * MBR_KBPS * 1000:
        fail("received rate not within 5 % of the MBR")
    print("ok: MBR enforced")


def error_indication(teid, what="the deleted TEID"):
    """TS 29.281 §7.3.1: Error Indication with TEID 0 in the header, Tunnel Endpoint
    Identifier Data I = the unknown TEID, GTP-U Peer Address = the UPF's N3 address."""
    gtp.sendto(gpdu(teid, IP(src=UE4, dst=DN4) / ICMP()), (UPF, 2152))
    try:
        data, _ = gtp.recvfrom(4096)
    except socket.timeout:
        fail("no Error Indication for %s" % what)
    g = GTP_U_Header(data)
    if g.gtp_type != 26 or not g.haslayer(GTPErrorIndication):
        fail("expected an Error Indication, got type %d" % g.gtp_type)
    ies = g[GTPErrorIndication].IE_list
    teidi = [x.TEIDI for x in ies if isinstance(x, IE_TEIDI)]
    addr = [x.ipv4_address for x in ies if isinstance(x, IE_GSNAddress)]
    if g.teid != 0 or teidi != [teid] or addr != [UPF]:
        fail("Error Indication: header TEID %#x, TEID Data I %r, peer address %r" %
             (g.teid, teidi, addr))
    print("ok: Error Indication for %s (TEID Data I %#x, peer address %s)" % (what, teid, UPF))


def echo():
    """TS 29.281 §7.2.2: Echo Response with the request's sequence number and a Recovery
    IE (restart counter 0)."""
    gtp.sendto(bytes(GTP_U_Header(S=1, seq=4242, teid=0) / GTPEchoRequest()), (UPF, 2152))
    try:
        data, _ = gtp.recvfrom(4096)
    except socket.timeout:
        fail("no Echo Response")
    g = GTP_U_Header(data)
    rec = [x for x in getattr(g.payload, "IE_list", []) if isinstance(x, IE_Recovery)]
    if g.gtp_type != 2 or not g.S or g.seq != 4242 or len(rec) != 1 or rec[0].restart_counter:
        fail("Echo Response: %r" % g)
    print("ok: Echo Response (sequence number, Recovery IE)")
    error_indication(0x0badbeef, "a TEID never allocated")


def release():
    rsp = request(PFCP(version=1, S=0) / PFCPAssociationReleaseRequest(
        IE_list=[IE_NodeId(id_type=0, ipv4=GNB)]))
    if rsp.message_type != 10 or ie(rsp, IE_Cause).cause != 1:
        fail("association release: %r" % rsp)


def drain(*socks):
    for s in socks:
        s.settimeout(0.2)
        try:
            while True:
                s.recvfrom(4096)
        except socket.timeout:
            pass
        s.settimeout(2)


def mutate(rnd, b):
    """Byte-level mutation of a valid message: flips, truncation, length fields."""
    b = bytearray(b)
    for _ in range(rnd.randrange(1, 6)):
        op = rnd.randrange(4)
        if op == 0 and b:
            b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
        elif op == 1 and b:
            b[rnd.randrange(len(b))] = rnd.choice((0, 0xff, 0x80, 0x7f))
        elif op == 2:
            del b[rnd.randrange(len(b) + 1):]
        elif len(b) > 4:
            i = rnd.randrange(2, len(b) - 1)
            b[i], b[i + 1] = 0xff, rnd.randrange(256)
    return bytes(b)


def fuzz_burst():
    """Scapy-generated (fuzz()) and mutated PFCP and GTP-U messages on the live sockets,
    then a normal session must still carry traffic."""
    import random
    rnd = random.Random(10)
    associate()
    up_seid, teid = establish()
    est = bytes(request_bytes_template())
    mod = bytes(PFCP(version=1, S=1, seid=up_seid, seq=1) / PFCPSessionModificationRequest(
        IE_list=[IE_CreateFAR(IE_list=[IE_FAR_Id(id=7), IE_ApplyAction(DROP=1)])]))
    hb = bytes(PFCP(version=1, S=0, seq=2) / PFCPHeartbeatRequest(
        IE_list=[IE_RecoveryTimeStamp(timestamp=3900000000)]))
    g_ok = gpdu(teid, IP(src=UE4, dst=DN4) / UDP(sport=1, dport=9001) / b"fuzz")
    n = 0
    for i in range(400):
        for tmpl in (est, mod, hb):
            pfcp.sendto(mutate(rnd, tmpl), (UPF, 8805))
            n += 1
        gtp.sendto(mutate(rnd, g_ok), (UPF, 2152))
        n += 1
        if i % 4 == 0:
            try:
                p = fuzz(PFCP(version=1) / rnd.choice((PFCPSessionEstablishmentRequest(),
                                                       PFCPHeartbeatRequest(),
                                                       PFCPSessionDeletionRequest())))
                pfcp.sendto(bytes(p), (UPF, 8805))
                g = fuzz(GTP_U_Header(teid=rnd.choice((teid, 0, rnd.getrandbits(32)))) /
                         GTPPDUSessionContainer() / IP(src=UE4, dst=DN4) / TCP())
                gtp.sendto(bytes(g)[:rnd.randrange(8, 120)], (UPF, 2152))
                n += 2
            except Exception:  # scapy cannot always serialise a fuzzed field
                pass
        if i % 50 == 0:
            drain(pfcp, gtp)
    drain(pfcp, gtp)
    print("ok: %d fuzzed/mutated PFCP and GTP-U datagrams sent" % n)
    heartbeat()
    release()  # drops whatever the mutated requests may have established
    associate()
    up_seid, teid = establish()
    roundtrip(teid, IP(src=UE4, dst=DN4) / ICMP(id=9, seq=1) / b"after fuzz",
              lambda b: IP(b).haslayer(ICMP) and IP(b)[ICMP].type == 0)
    delete(up_seid)
    release()
    print("ok: UPF alive after the burst, a new session carries traffic")


def request_bytes_template():
    """A valid Session Establishment Request (not sent as is)."""
    ul_pdr = IE_CreatePDR(IE_list=[
        IE_PDR_Id(id=1), IE_Precedence(precedence=255),
        IE_PDI(IE_list=[IE_SourceInterface(interface=0), IE_FTEID(CH=1, V4=1),
                        IE_UE_IP_Address(V4=1, ipv4="10.45.9.9"), IE_QFI(QFI=QFI)]),
        IE_OuterHeaderRemoval(header=0), IE_FAR_Id(id=1), IE_QER_Id(id=1)])
    far = IE_CreateFAR(IE_list=[IE_FAR_Id(id=1), IE_ApplyAction(FORW=1),
                                IE_ForwardingParameters(IE_list=[
                                    IE_DestinationInterface(interface=1)])])
    qer = IE_CreateQER(IE_list=[IE_QER_Id(id=1), IE_GateStatus(), IE_MBR(ul=1000, dl=1000)])
    return PFCP(version=1, S=1, seid=0, seq=3) / PFCPSessionEstablishmentRequest(IE_list=[
        IE_NodeId(id_type=0, ipv4=GNB), IE_FSEID(v4=1, seid=0x2222, ipv4=GNB), ul_pdr, far, qer])


def many(n):
    """n sessions established and deleted (each its own UE addresses and TEID)."""
    associate()
    made = []
    for i in range(n):
        made.append(establish(ue4="10.45.%d.%d" % (1 + i // 250, 1 + i % 250),
                              ue6="2001:db8:45:%x::1" % (0x100 + i), cp_seid=0x3000 + i,
                              gnb_teid=0x100000 + i))
    teids = {t for _, t in made}
    if len(teids) != n:
        fail("%d sessions got only %d distinct TEIDs" % (n, len(teids)))
    for up_seid, _ in made:
        delete(up_seid)
    print("ok: %d sessions established and deleted" % n)


def garbage():
    import random
    rnd = random.Random(5)
    for i in range(300):
        b = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 80)))
        pfcp.sendto(b, (UPF, 8805))
        gtp.sendto(b, (UPF, 2152))
        gtp.sendto(b"\x34\xff" + b[2:], (UPF, 2152))
    # drain replies (version-not-supported, error indications)
    for s in (pfcp, gtp):
        s.settimeout(0.2)
        try:
            while True:
                s.recvfrom(4096)
        except socket.timeout:
            pass
        s.settimeout(2)
    print("ok: garbage sent")


def relay(tun_name, mbr_kbps, state):
    """The gNB and the UE's modem: a session over PFCP, then a TUN device (the UE's
    interface, set up by the caller) whose packets go up the N3 tunnel and whose downlink
    G-PDUs are written back to it. Runs until SIGTERM, then deletes the session."""
    import fcntl
    import os
    import select
    import signal
    import struct
    associate()
    up_seid, teid = establish(mbr_kbps=mbr_kbps)
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", tun_name.encode(), 0x0001 | 0x1000))
    os.set_blocking(tun, False)
    gtp.setblocking(False)
    # UL G-PDU header: flags E=1, type 255, length, TEID, seq/N-PDU 0, next ext 0x85,
    # PDU Session Container (TS 38.415 §5.5.2.2): length 1, UL PDU type 1, QFI, no next.
    head = struct.pack("!BBHIHBB", 0x34, 255, 0, teid, 0, 0, 0x85) + bytes([1, 0x10, QFI, 0])
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    with open(state, "w") as f:
        f.write("%d %d\n" % (up_seid, teid))
    ul = dl = 0
    while not stop:
        try:
            r, _, _ = select.select([tun, gtp], [], [], 0.2)
        except InterruptedError:
            continue
        if tun in r:
            for _ in range(64):
                try:
                    p = os.read(tun, 4096)
                except BlockingIOError:
                    break
                h = bytearray(head)
                struct.pack_into("!H", h, 2, len(p) + 8)
                gtp.sendto(bytes(h) + p, (UPF, 2152))
                ul += 1
        if gtp in r:
            for _ in range(64):
                try:
                    d = gtp.recv(4096)
                except BlockingIOError:
                    break
                if len(d) < 8 or d[1] != 255:
                    continue
                off = 8
                if d[0] & 0x07:
                    off, nxt = 12, d[11]
                    while nxt and off < len(d):
                        nxt, off = d[off + 4 * d[off] - 1], off + 4 * d[off]
                os.write(tun, d[off:])
                dl += 1
    gtp.setblocking(True)
    gtp.settimeout(2)
    delete(up_seid)
    print("relay: %d uplink, %d downlink packets; session deleted" % (ul, dl))


def main():
    step = sys.argv[1]
    if step == "heartbeat":
        print("recovery", heartbeat())
    elif step == "session":
        associate()
        up_seid, teid = establish()
        print("ok: session established, TEID %#x" % teid)
        traffic(teid)
        mbr(teid)
        delete(up_seid)
        print("ok: session deleted")
        error_indication(teid)
    elif step == "echo":
        echo()
    elif step == "fuzz":
        fuzz_burst()
    elif step == "many":
        many(int(sys.argv[2]))
    elif step == "relay":
        relay(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif step == "garbage":
        garbage()
        heartbeat()
        print("ok: UPF alive after garbage")


main()

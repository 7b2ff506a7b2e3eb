#!/bin/bash
# UPF between two network namespaces: a "gNB" namespace (scapy as SMF over PFCP and as gNB
# over GTP-U, tests/integration/upf_netns_peer.py), the UPF's own namespace (N3 veth, N6
# TUN, forwarding) and a "DN" namespace (kernel ICMP/ICMPv6 echo, a UDP echo + counting
# sink, an iperf3 server). Checks: PFCP session set-up with a UPF-chosen TEID,
# ICMP/UDP/ICMPv6 round trips decapsulated in the DN and re-encapsulated with the gNB TEID
# and QFI, MBR measured at 2x offered load (within 5 %), deletion frees the session (Error
# Indication afterwards), GTP-U Echo Response and Error Indication contents (TS 29.281
# §7.2.2, §7.3.1), a scapy fuzz()/mutation burst of PFCP and GTP-U then a working session,
# 100 sessions established and deleted. Then a UE: the peer relays a TUN device in the gNB
# namespace through the N3 tunnel (upf_netns_peer.py relay); the UE's IPv6 address comes
# from the UPF's Router Advertisement (SLAAC on the /64), ping(8) reaches the DN over IPv4
# and IPv6, iperf3 TCP moves a bulk transfer both ways intact, iperf3 UDP at 2x the MBR is
# received within 5 % of the MBR both ways. At shutdown: 0 sessions and every index empty.
# A restart changes the recovery time stamp. Exit 77 when namespaces/TUN are unavailable.
set -u
BIN=${1:-build}
G5=$BIN/glass5g
SRC=${G5_SOURCE_DIR:-$(dirname "$0")/../..}
PEER=$SRC/tests/integration/upf_netns_peer.py
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$G5" ] || { echo "SKIP: $G5 not built"; exit 77; }
$PY -c 'import scapy.contrib.pfcp' 2>/dev/null || { echo "SKIP: no scapy"; exit 77; }

S=$$
GNB=g5gnb$S UPF=g5upf$S DN=g5dn$S
TMP=$(mktemp -d)
UPF_PID= DN_PID= RELAY_PID= IPERF_PID=
cleanup() {
    [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null
    [ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2>/dev/null
    [ -n "$UPF_PID" ] && kill "$UPF_PID" 2>/dev/null
    [ -n "$DN_PID" ] && kill "$DN_PID" 2>/dev/null
    wait 2>/dev/null
    for n in $GNB $UPF $DN; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

if ! ip netns add "$GNB" 2>/dev/null; then echo "SKIP: cannot create network namespaces"; exit 77; fi
ip netns add "$UPF" && ip netns add "$DN" || exit 1
x() { ip netns exec "$@"; }
ip link add n3g$S netns "$GNB" type veth peer name n3u$S netns "$UPF" || {
    echo "SKIP: cannot create veth"; exit 77; }
ip link add n6u$S netns "$UPF" type veth peer name n6d$S netns "$DN" || exit 1
x "$GNB" ip addr add 10.200.1.2/24 dev n3g$S
x "$UPF" ip addr add 10.200.1.1/24 dev n3u$S
x "$UPF" ip addr add 10.200.2.1/24 dev n6u$S
x "$UPF" ip -6 addr add fd00:2::1/64 dev n6u$S nodad
x "$DN" ip addr add 10.200.2.2/24 dev n6d$S
x "$DN" ip -6 addr add fd00:2::2/64 dev n6d$S nodad
for n in "$GNB:n3g$S" "$UPF:n3u$S" "$UPF:n6u$S" "$DN:n6d$S"; do
    x "${n%%:*}" ip link set "${n#*:}" up; x "${n%%:*}" ip link set lo up
done
x "$DN" ip route add 10.45.0.0/16 via 10.200.2.1
x "$DN" ip -6 route add 2001:db8:45::/48 via fd00:2::1
x "$UPF" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

cat > "$TMP/upf.yaml" <<EOF
log: {level: info}
upf:
  pfcp: {address: 10.200.1.1, port: 8805}
  n3: {address: 10.200.1.1, port: 2152}
  n6: {tun: g5tun$S, address: 10.45.0.1/16, address6: "2001:db8:45::1/48"}
  ue_pools: [10.45.0.0/16]
  limits: {sessions: 256}
EOF

# DN: UDP echo on 9000 ("STATS" answers with the sink count), counting sink on 9001,
# TCP 9002: reads to EOF and answers "<octets> <sha256>"; TCP 9003: sends BULK seeded octets.
cat > "$TMP/dn.py" <<'EOF'
import hashlib, random, select, socket, sys, threading, time
BULK = 4 << 20
e = socket.socket(); e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); e.bind(("10.200.2.2", 9000))
k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); k.bind(("10.200.2.2", 9001))
k.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
def tcp_sink():
    ls = socket.create_server(("10.200.2.2", 9002))
    while True:
        c, _ = ls.accept()
        h, n = hashlib.sha256(), 0
        while True:
            d = c.recv(65536)
            if not d:
                break
            h.update(d); n += len(d)
        c.sendall(b"%d %s" % (n, h.hexdigest().encode())); c.close()
def tcp_source():
    ls = socket.create_server(("10.200.2.2", 9003))
    while True:
        c, _ = ls.accept()
        c.sendall(random.Random(7).randbytes(BULK)); c.close()
threading.Thread(target=tcp_sink, daemon=True).start()
threading.Thread(target=tcp_source, daemon=True).start()
count = 0
end = time.time() + 120
while time.time() < end:
    r, _, _ = select.select([e, k], [], [], 1)
    for s in r:
        d, a = s.recvfrom(4096)
        if s is k:
            count += len(d) + 28
        elif d == b"STATS":
            e.sendto(b"bytes %d" % count, a)
        else:
            e.sendto(d, a)
EOF
ip netns exec "$DN" $PY "$TMP/dn.py" & DN_PID=$!

start_upf() {
    ip netns exec "$UPF" "$G5" run --nf upf -c "$TMP/upf.yaml" >>"$TMP/upf.log" 2>&1 & UPF_PID=$!
    for _ in $(seq 50); do grep -q "UPF up" "$TMP/upf.log" && return 0; sleep 0.1; done
    echo "FAIL: UPF did not start"; cat "$TMP/upf.log"; exit 1
}
stop_upf() {
    kill -TERM "$UPF_PID"; wait "$UPF_PID"; local rc=$?; UPF_PID=
    [ $rc = 0 ] || { echo "FAIL: UPF exit status $rc"; cat "$TMP/upf.log"; exit 1; }
}
peer() { timeout 60 ip netns exec "$GNB" $PY "$PEER" "$@"; }

# The UE behind the gNB: the relay (PFCP session with MBR $1 kbit/s, TUN ue$S) runs in the
# gNB namespace; the TUN gets the UE's IPv4 address and a route to the DN, IPv6 comes from
# the Router Advertisement the kernel solicits when the link comes up.
UE=ue$S
ue_up() {
    rm -f "$TMP/relay.state"
    ip netns exec "$GNB" $PY "$PEER" relay "$UE" "$1" "$TMP/relay.state" >>"$TMP/relay.log" 2>&1 &
    RELAY_PID=$!
    for _ in $(seq 100); do [ -s "$TMP/relay.state" ] && break; sleep 0.1; done
    [ -s "$TMP/relay.state" ] || { echo "FAIL: relay did not start"; cat "$TMP/relay.log"; exit 1; }
    x "$GNB" sysctl -qw net.ipv6.conf.$UE.addr_gen_mode=3 net.ipv6.conf.$UE.accept_dad=0 \
        net.ipv6.conf.$UE.accept_ra=2 net.ipv6.conf.$UE.router_solicitation_delay=0
    x "$GNB" ip addr add 10.45.0.7/32 dev $UE
    x "$GNB" ip link set $UE up
    x "$GNB" ip route add 10.200.2.0/24 dev $UE src 10.45.0.7
}
ue_down() {
    kill -TERM "$RELAY_PID"; wait "$RELAY_PID"; local rc=$?; RELAY_PID=
    [ $rc = 0 ] || { echo "FAIL: relay exit status $rc"; cat "$TMP/relay.log"; exit 1; }
}
# iperf3 -J output -> "sent received seconds" for TCP, or for UDP the receiver's count.
jget() { $PY -c 'import json,sys
d=json.load(open(sys.argv[1]))["end"]
if sys.argv[2]=="tcp": print(d["sum_sent"]["bytes"], d["sum_received"]["bytes"])
else: s=d["sum"]; print(s["bytes"], s["packets"], s["lost_packets"], s["seconds"])' "$@"; }

start_upf
R1=$(peer heartbeat) || { echo "$R1"; exit 1; }
peer session || { cat "$TMP/upf.log"; exit 1; }
peer echo || { cat "$TMP/upf.log"; exit 1; }
peer fuzz || { cat "$TMP/upf.log"; exit 1; }
peer many 100 || { cat "$TMP/upf.log"; exit 1; }

x "$DN" iperf3 -s -B 10.200.2.2 >"$TMP/iperf.log" 2>&1 & IPERF_PID=$!
ue_up 10000000
V6=
for _ in $(seq 100); do
    V6=$(x "$GNB" ip -6 -o addr show dev $UE scope global | grep -o '2001:db8:45::*[0-9a-f:]*/64')
    [ -n "$V6" ] && break; sleep 0.1
done
[ -n "$V6" ] || { echo "FAIL: no address from the Router Advertisement"; x "$GNB" ip -6 addr; cat "$TMP/upf.log"; exit 1; }
echo "ok: UE learned $V6 from the UPF's Router Advertisement"
x "$GNB" ip -6 route show dev $UE | grep -q "default via fe80::1" || { echo "FAIL: no default route via fe80::1"; x "$GNB" ip -6 route; exit 1; }
echo "ok: default route via fe80::1 from the Router Advertisement"
x "$GNB" ping -c 3 -i 0.2 -W 2 -I 10.45.0.7 10.200.2.2 >"$TMP/ping.log" || { echo "FAIL: ping"; cat "$TMP/ping.log"; exit 1; }
echo "ok: ping 10.200.2.2 through the UPF"
x "$GNB" ping -6 -c 3 -i 0.2 -W 2 fd00:2::2 >"$TMP/ping6.log" || { echo "FAIL: ping -6"; cat "$TMP/ping6.log"; exit 1; }
echo "ok: ping -6 fd00:2::2 through the UPF from $V6"
# Bulk: 4 MiB each way over TCP, length and SHA-256 compared at the far end.
cat > "$TMP/bulk.py" <<'EOF'
import hashlib, random, socket, sys
data = random.Random(7).randbytes(4 << 20)
want = "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
c = socket.create_connection(("10.200.2.2", 9002), timeout=60, source_address=("10.45.0.7", 0))
c.sendall(data); c.shutdown(socket.SHUT_WR)
got = c.recv(200).decode()
if got != want: sys.exit("uplink: DN received %s, sent %s" % (got, want))
c = socket.create_connection(("10.200.2.2", 9003), timeout=60, source_address=("10.45.0.7", 0))
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
if "%d %s" % (n, h.hexdigest()) != want: sys.exit("downlink: received %d octets, digest differs" % n)
print("ok: TCP bulk 4 MiB up and 4 MiB down through the UPF, length and SHA-256 match")
EOF
x "$GNB" timeout 120 $PY "$TMP/bulk.py" || { echo "FAIL: bulk transfer"; exit 1; }
for dir in "" -R; do
    x "$GNB" timeout 60 iperf3 -c 10.200.2.2 -B 10.45.0.7 -t 2 $dir -J >"$TMP/bulk.json" || { echo "FAIL: iperf3 $dir"; cat "$TMP/bulk.json"; exit 1; }
    read -r SENT RCVD <<<"$(jget "$TMP/bulk.json" tcp)"
    [ "$RCVD" -gt 0 ] || { echo "FAIL: iperf3 $dir received nothing"; exit 1; }
    echo "ok: iperf3 TCP $([ -n "$dir" ] && echo downlink || echo uplink): $RCVD octets in 2 s ($((RCVD * 8 / 2000000)) Mbit/s through the relay)"
done
ue_down

# MBR 4 Mbit/s, UDP offered at 8 Mbit/s for 4 s in each direction.
ue_up 4000
for dir in "" -R; do
    x "$GNB" timeout 60 iperf3 -c 10.200.2.2 -B 10.45.0.7 -u -b 8M -l 1000 -t 4 $dir -J >"$TMP/mbr.json" || { echo "FAIL: iperf3 UDP $dir"; cat "$TMP/mbr.json"; exit 1; }
    read -r BYTES PKTS LOST SECS <<<"$(jget "$TMP/mbr.json" udp)"
    RATE=$($PY -c "print(round(($PKTS - $LOST) * 1000 * 8 / $SECS / 1e6, 3))")
    echo "mbr $([ -n "$dir" ] && echo downlink || echo uplink): offered $($PY -c "print(round($BYTES*8/$SECS/1e6,3))") Mbit/s, received $RATE Mbit/s, MBR 4 Mbit/s"
    $PY -c "import sys; sys.exit(abs($RATE - 4.0) > 0.2)" || { echo "FAIL: received rate not within 5 % of the MBR"; exit 1; }
done
echo "ok: MBR enforced on real UDP flows both ways"
ue_down
peer garbage || { cat "$TMP/upf.log"; exit 1; }
stop_upf
grep -q "UPF stopped: 0 sessions, .* indexes seid/teid/ue4/ue6 0/0/0/0" "$TMP/upf.log" || { echo "FAIL: sessions or index entries left"; cat "$TMP/upf.log"; exit 1; }
echo "ok: clean SIGTERM shutdown with 0 sessions and empty indexes"
sleep 1.1 # recovery time stamps have a 1 s resolution
start_upf
R2=$(peer heartbeat) || { echo "$R2"; exit 1; }
stop_upf
[ "$R1" != "$R2" ] || { echo "FAIL: recovery time stamp unchanged after restart ($R1)"; exit 1; }
echo "ok: restart: $R1 -> $R2"
echo "PASS"

#!/bin/bash
# UPF between two network namespaces: a "gNB" namespace (scapy as SMF over PFCP and as gNB
# over GTP-U, tests/integration/upf_netns_peer.py), the UPF's own namespace (N3 veth, N6
# TUN, forwarding) and a "DN" namespace (kernel ICMP/ICMPv6 echo, a UDP echo + counting
# sink). Checks: PFCP session set-up with a UPF-chosen TEID, ICMP/UDP/ICMPv6 round trips
# decapsulated in the DN and re-encapsulated with the gNB TEID and QFI, MBR measured at 2x
# offered load (within 5 %), deletion frees the session (Error Indication afterwards, 0
# sessions at shutdown), garbage PFCP/GTP-U does not kill it, a restart changes the
# recovery time stamp. Exit 77 when namespaces/TUN are unavailable.
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
UPF_PID= DN_PID=
cleanup() {
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
  limits: {sessions: 64}
EOF

# DN: UDP echo on 9000 ("STATS" answers with the sink count), counting sink on 9001.
cat > "$TMP/dn.py" <<'EOF'
import select, socket, sys, time
e = socket.socket(); e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); e.bind(("10.200.2.2", 9000))
k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); k.bind(("10.200.2.2", 9001))
k.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
count = 0
end = time.time() + 60
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

start_upf
R1=$(peer heartbeat) || { echo "$R1"; exit 1; }
peer session || { cat "$TMP/upf.log"; exit 1; }
peer garbage || { cat "$TMP/upf.log"; exit 1; }
stop_upf
grep -q "UPF stopped: 0 sessions" "$TMP/upf.log" || { echo "FAIL: sessions left"; cat "$TMP/upf.log"; exit 1; }
echo "ok: clean SIGTERM shutdown with 0 sessions"
sleep 1.1 # recovery time stamps have a 1 s resolution
start_upf
R2=$(peer heartbeat) || { echo "$R2"; exit 1; }
stop_upf
[ "$R1" != "$R2" ] || { echo "FAIL: recovery time stamp unchanged after restart ($R1)"; exit 1; }
echo "ok: restart: $R1 -> $R2"
echo "PASS"

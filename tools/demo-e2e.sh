#!/usr/bin/env bash
# `make demo` (called by tools/demo.sh): the core and the simulator end to end.
# 1. Starts `glass5g run` (AMF, AUSF, UDM, UDR, SMF and UPF in one process; the SMF talks
#    real PFCP to the UPF over loopback; N6 is a TUN device) in a temporary directory,
#    imports the subscribers and reads the SUCI home-network public keys from the core.
# 2. `glass5g-sim load`: N UEs register (SUCI Profile A, 5G-AKA, NEA2/NIA2) and deregister.
# 3. The lifecycle procedure: idle, service request, periodic/mobility update, deregister.
# 4. registration+session: N UEs open an IPv4v6 PDU session and ping the UPF's N6 address
#    over GTP-U for a few seconds (in-process traffic, both families).
# 5. One UE with its session as a TUN device (uesimtunN) in its own network namespace:
#    the kernel's ping, ping -6 and iperf3 (both directions) through gNB -> GTP-U -> UPF
#    -> N6, then the session is released.
# Steps 4-5 need root (TUN devices, namespaces); without it the demo says so and stops
# after step 3. DEMO_UES=N changes the number of UEs; DEMO_KEEP=1 keeps the directory.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
N=${DEMO_UES:-100}
tmp=$(mktemp -d /tmp/glass5g-demo.XXXXXX)
pid= spid= ipid=
cleanup() {
  [ -n "$ipid" ] && kill "$ipid" 2>/dev/null
  [ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "${DEMO_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
N2=$(free_port tcp)
UDP=$(free_port udp)
IPERF=$(free_port tcp)
user_plane=1
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
  user_plane=
  echo "demo: not root or no /dev/net/tun: the UPF needs a TUN device, so this run stops"
  echo "      after registration (run 'sudo make demo' for PDU sessions and traffic)"
fi
upf_enabled=false; [ -n "$user_plane" ] && upf_enabled=true
TUN=g5demo$(($$ % 1000))
cat >"$tmp/glass5g.yaml" <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: $N2, sctp: usrsctp, usrsctp_udp_port: $UDP}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/glass5g.db, key_file: $tmp/glass5g.key}
upf:
  enabled: $upf_enabled
  pfcp: {address: 127.0.0.7}
  n3: {address: 127.0.0.7}
  n6: {tun: $TUN, address: 10.45.0.1/16, address6: "2001:db8:cafe::1/48"}
  ue_pools: [10.45.0.0/16, "2001:db8:cafe::/48"]
smf:
  pfcp: {address: 127.0.0.4}
  upfs: [{address: 127.0.0.7}]
  dnns: [{name: internet, ipv4_pool: 10.45.0.0/16, ipv6_pool: "2001:db8:cafe::/48"}]
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
echo "demo: provisioning $N subscribers (imsi-001010000000001..) with glass5g subscriber import"
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $((N + 1))); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
"$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv"
keys=$("$G" run -c "$tmp/glass5g.yaml" --print-hn-keys 2>/dev/null)
pubA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
idA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
echo "demo: SUCI Profile A home-network public key (id $idA): $pubA"
echo "demo: starting the core: glass5g run (AMF, AUSF, UDM, UDR${user_plane:+, SMF, UPF}; N2 on 127.0.0.1:$N2 over usrsctp)"
"$G" run -c "$tmp/glass5g.yaml" >"$tmp/core.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/core.log" && break; sleep 0.1; done
if [ -n "$user_plane" ]; then
  for _ in $(seq 50); do grep -q "SMF started" "$tmp/core.log" && break; sleep 0.1; done
  grep -q "SMF started" "$tmp/core.log" || { echo "demo: the SMF did not start:"; tail -5 "$tmp/core.log"; exit 1; }
  sleep 0.5 # PFCP association SMF <-> UPF
fi
ues() { # first count [session_type tun netns]
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$1")
    count: $2
    key: $K
    opc: $OPC
    amf: "8000"
    sqn: 0
    protection_scheme: A
    hn_public_key: $pubA
    hn_key_id: $idA
    slices: [{sst: 1}]
    imeisv: "4370816125816151"
    dnn: internet
    session_type: ${3:-ipv4v6}
    tun: ${4:-off}
    netns: ${5:-off}
YAML
}
gnb() { # ctl-socket
  cat <<YAML
log: {level: notice}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: $N2}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: $UDP}
  n3: {address: 127.0.0.2}
ctl: {path: $1}
traffic: {ping_rate: 5, ping_ipv4: 10.45.0.1, ping_ipv6: "2001:db8:cafe::1"}
YAML
}
{ gnb "$tmp/sim.sock"; echo "ues:"; ues 1 "$N"; } >"$tmp/sim.yaml"
rc=0
echo
echo "demo: [1] glass5g-sim load --ues $N --procedure registration+deregistration"
"$S" load -c "$tmp/sim.yaml" --procedure registration+deregistration --rate 500 || rc=$?
echo "demo: the core logged $(grep -c 'registration accepted' "$tmp/core.log") registrations accepted and $(grep -c ': deregistration' "$tmp/core.log") deregistrations"
echo
echo "demo: [2] glass5g-sim load --procedure lifecycle (register, idle, service request, periodic"
echo "      and mobility registration update from idle, deregister) for the same UEs"
"$S" load -c "$tmp/sim.yaml" --procedure lifecycle --rate 500 || rc=$?
echo "demo: the core logged $(grep -c 'service accepted' "$tmp/core.log") service requests accepted and $(grep -c ': CM-IDLE' "$tmp/core.log") transitions to CM-IDLE"
if [ -n "$user_plane" ]; then
  echo
  echo "demo: [3] glass5g-sim load --procedure registration+session --traffic 3: $N UEs open an"
  echo "      IPv4v6 PDU session and each pings 10.45.0.1 and 2001:db8:cafe::1 (the UPF's N6) 5/s"
  "$S" load -c "$tmp/sim.yaml" --procedure registration+session --rate 200 --traffic 3 || rc=$?
  echo "demo: the SMF logged $(grep -c 'PDU session established' "$tmp/core.log") PDU sessions established (PFCP sessions at the UPF)"
  echo
  echo "demo: [4] one UE with its session as a TUN device in its own network namespace"
  SUPI=imsi-00101$(printf %010d $((N + 1)))
  { gnb "$tmp/sim1.sock"; echo "ues:"; ues $((N + 1)) 1 ipv4v6 on on; } >"$tmp/sim1.yaml"
  "$S" run -c "$tmp/sim1.yaml" --procedure registration+session >"$tmp/sim1.log" 2>&1 &
  spid=$!
  js() { timeout 10 "$S" cli --ctl "$tmp/sim1.sock" ue-status "$SUPI" 2>/dev/null |
    /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin)['ue'].get('pdu_sessions',[]); print(s[0].get('$1','') if s else '')" 2>/dev/null || true; }
  for _ in $(seq 100); do [ -n "$(js ipv6)" ] && break; sleep 0.1; done
  tun=$(js tun)
  if [ -z "$tun" ]; then
    echo "demo: the UE got no TUN session:"; tail -5 "$tmp/sim1.log"; rc=1
  else
    echo "demo: $SUPI: $tun in namespace $tun, IPv4 $(js ipv4), IPv6 $(js ipv6)"
    echo "demo: ip netns exec $tun ping -c 3 10.45.0.1"
    ip netns exec "$tun" ping -c 3 -i 0.2 10.45.0.1 | tail -2 || rc=1
    echo "demo: ip netns exec $tun ping -6 -c 3 2001:db8:cafe::1"
    ip netns exec "$tun" ping -6 -c 3 -i 0.2 2001:db8:cafe::1 | tail -2 || rc=1
    for dir in "" -R; do
      timeout 30 iperf3 -s -B 10.45.0.1 -p "$IPERF" -1 >/dev/null 2>&1 &
      ipid=$!
      sleep 0.3
      what=uplink; [ -n "$dir" ] && what=downlink
      # paced below the subscriber's session-AMBR (100 Mbit/s), which the UPF enforces
      if out=$(timeout 20 ip netns exec "$tun" iperf3 -c 10.45.0.1 -p "$IPERF" -t 3 -b 90M $dir -J 2>&1); then
        bps=$(/usr/bin/python3 -c "import json,sys; print(int(json.loads(sys.stdin.read())['end']['sum_received']['bits_per_second']))" <<<"$out")
        echo "demo: iperf3 TCP $what through uesimtun + GTP-U + UPF: $((bps / 1000000)) Mbit/s (session-AMBR 100 Mbit/s)"
      else
        echo "demo: iperf3 $what failed"; rc=1
      fi
      wait "$ipid" 2>/dev/null || true
      ipid=
    done
    timeout 10 "$S" cli --ctl "$tmp/sim1.sock" ps-release "$SUPI" >/dev/null || rc=1
    sleep 0.5
    echo "demo: session released; namespace $tun $(ip netns list | grep -qw "$tun" && echo still there || echo removed)"
  fi
  kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null || true
  spid=
fi
echo
echo "demo: stopping the core"
kill -TERM "$pid" && wait "$pid" || true
pid=
echo "demo: the UPF's last words: $(grep -o 'UPF stopped.*' "$tmp/core.log" | tail -1)"
exit "$rc"

#!/usr/bin/env bash
# `make demo` (called by tools/demo.sh): the core and the simulator end to end.
# Starts `glass5g run` in a temporary directory with a demo configuration, imports 100
# subscribers, reads the SUCI home-network public keys from the core, runs
# `glass5g-sim load` registering the 100 UEs (SUCI Profile A, 5G-AKA, NAS security mode
# with NEA2/NIA2) and deregistering them, then runs the lifecycle procedure (idle, service
# request, periodic/mobility registration update, deregistration), prints the simulator's
# reports, and stops the core.
# PDU sessions and the user plane come next; this demo stops at registration.
# DEMO_UES=N changes the number of UEs; DEMO_KEEP=1 keeps the temporary directory.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
N=${DEMO_UES:-100}
tmp=$(mktemp -d /tmp/glass5g-demo.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "${DEMO_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
N2=$(free_port tcp)
UDP=$(free_port udp)
cat >"$tmp/glass5g.yaml" <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: $N2, sctp: usrsctp, usrsctp_udp_port: $UDP}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/glass5g.db, key_file: $tmp/glass5g.key}
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
echo "demo: provisioning $N subscribers (imsi-001010000000001..) with glass5g subscriber import"
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 "$N"); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
"$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv"
keys=$("$G" run -c "$tmp/glass5g.yaml" --print-hn-keys 2>/dev/null)
pubA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
idA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
echo "demo: SUCI Profile A home-network public key (id $idA): $pubA"
echo "demo: starting the core: glass5g run (AMF, AUSF, UDM, UDR; N2 on 127.0.0.1:$N2 over usrsctp)"
"$G" run -c "$tmp/glass5g.yaml" >"$tmp/core.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/core.log" && break; sleep 0.1; done
cat >"$tmp/sim.yaml" <<YAML
log: {level: notice}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: $N2}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: $UDP}
ue:
  supi: imsi-001010000000001
  count: $N
  key: $K
  opc: $OPC
  amf: "8000"
  sqn: 0
  protection_scheme: A
  hn_public_key: $pubA
  hn_key_id: $idA
  slices: [{sst: 1}]
  imeisv: "4370816125816151"
ctl: {path: $tmp/sim.sock}
YAML
echo "demo: glass5g-sim load --ues $N --procedure registration+deregistration"
rc=0
"$S" load -c "$tmp/sim.yaml" --procedure registration+deregistration --rate 500 || rc=$?
echo "demo: the core logged $(grep -c 'registration accepted' "$tmp/core.log") registrations accepted and $(grep -c ': deregistration' "$tmp/core.log") deregistrations"
echo "demo: glass5g-sim load --procedure lifecycle (register, idle, service request, periodic and"
echo "      mobility registration update from idle, deregister) for the same UEs"
"$S" load -c "$tmp/sim.yaml" --procedure lifecycle --rate 500 || rc=$?
echo "demo: the core logged $(grep -c 'service accepted' "$tmp/core.log") service requests accepted and $(grep -c ': CM-IDLE' "$tmp/core.log") transitions to CM-IDLE"
echo "demo: stopping the core"
kill -TERM "$pid" && wait "$pid" || true
pid=
echo "demo: registration and deregistration work end to end; PDU sessions and the user"
echo "      plane (SMF, UPF, GTP-U) come next."
exit "$rc"

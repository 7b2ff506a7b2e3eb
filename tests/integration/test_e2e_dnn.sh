#!/usr/bin/env bash
# End to end: the DNN (and S-NSSAI, session type) of each PDU session is chosen by the
# simulator's user, per session:
#   1. `glass5g-sim cli ps-establish SUPI --dnn ims`: a second DNN the core serves gives an
#      address from its own pool (10.46.0.0/16), then `--dnn internet --type ipv4` a second
#      session from the first pool (10.45.0.0/16) on PSI 2, both in `ue-status`;
#   2. `--dnn nosuchdnn`: rejected with 5GSM #27 (missing or unknown DNN, TS 24.501
#      Table 9.11.4.2.1), the UE's last failure says so, the core's SMF counts no session;
#   3. bad requests (`--dnn` with a space, `--sd` without `--sst`) are refused by the cli;
#   4. the sim config: a template with `sessions: [{dnn: ims, session_type: ipv4}]` opens
#      its first session on ims (run mode, registration+session).
# The core runs in a network namespace of its own (TUN and UE routes private to the test).
# Needs root; exit 77 (skip) otherwise. Usage: test_e2e_dnn.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_e2e_lib.bash"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN device)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for t in ip nsenter; do command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
e2e_init "$1"
NS=g5dnn$$
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }
NSE=(nsenter --net="/var/run/netns/$NS")
cleanup_ns() {
  e2e_cleanup
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null
}
trap cleanup_ns EXIT
"${NSE[@]}" ip link set lo up

cat >"$tmp/core.yaml" <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: 38412, sctp: usrsctp, usrsctp_udp_port: 9899}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/core.db, key_file: $tmp/core.key}
upf:
  n6: {tun: g5dnn, address: 10.45.0.1/16, address6: ""}
  ue_pools: [10.45.0.0/16, 10.46.0.0/16]
smf:
  dnns:
    - {name: internet, ipv4_pool: 10.45.0.0/16}
    - {name: ims, ipv4_pool: 10.46.0.0/16}
YAML
{
  echo "supi,k,opc,amf,sqn,dnns"
  for i in 1 2 3; do printf 'imsi-00101%010d,%s,%s,8000,0,internet;ims\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/core.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
"${NSE[@]}" "$G" run -c "$tmp/core.yaml" >"$tmp/core.log" 2>&1 &
core=$!
E2E_PIDS+=("$core")
for _ in $(seq 100); do grep -q "SMF started" "$tmp/core.log" && break; sleep 0.1; done
grep -q "SMF started" "$tmp/core.log" || { fail "core did not start"; tail -20 "$tmp/core.log"; exit 1; }
sleep 0.5

cat >"$tmp/sim.yaml" <<YAML
log: {level: warn}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: 38412}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: 9899}
  n3: {address: 127.0.0.2}
ctl: {path: $tmp/sim.sock}
ues:
  - supi: imsi-001010000000001
    count: 2
    key: $K
    opc: $OPC
    amf: "8000"
    dnn: internet
    session_type: ipv4
  - supi: imsi-001010000000003
    key: $K
    opc: $OPC
    amf: "8000"
    dnn: internet
    sessions: [{dnn: ims, session_type: ipv4, slice: {sst: 1}}]
YAML
"${NSE[@]}" "$S" run -c "$tmp/sim.yaml" --procedure registration >"$tmp/sim.log" 2>&1 &
sim=$!
E2E_PIDS+=("$sim")
cli() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" "$@" 2>&1; }
status() { cli ue-status "$1"; }
sess() { # SUPI PSI key
  status "$1" | /usr/bin/python3 -c "
import json, sys
s = [p for p in json.load(sys.stdin)['ue'].get('pdu_sessions', []) if p['psi'] == int(sys.argv[1])]
print(s[0].get(sys.argv[2], '') if s else '')" "$2" "$3" 2>/dev/null
}
registered() { status "$1" | grep -q '"rm_state": *"registered"'; }
for _ in $(seq 100); do registered imsi-001010000000001 && registered imsi-001010000000002 && break; sleep 0.1; done
registered imsi-001010000000001 || { fail "UE 1 not registered: $(status imsi-001010000000001) $(tail -5 "$tmp/sim.log")"; exit 1; }
wait_sess() { for _ in $(seq 50); do [ -n "$(sess "$1" "$2" ipv4)" ] && return 0; sleep 0.1; done; return 1; }

# 1. a second DNN, then the first one on PSI 2
U1=imsi-001010000000001
cli ps-establish $U1 --dnn ims | grep -q '"ok": *true' || fail "ps-establish --dnn ims refused"
wait_sess $U1 1 || fail "no session on ims: $(status $U1)"
a1=$(sess $U1 1 ipv4)
echo "PSI 1 on $(sess $U1 1 dnn): $a1"
[[ "$a1" == 10.46.* ]] || fail "ims session address $a1 not from the ims pool 10.46.0.0/16"
[ "$(sess $U1 1 dnn)" = ims ] || fail "PSI 1 DNN '$(sess $U1 1 dnn)'"
cli ps-establish $U1 --dnn internet --type ipv4 --sst 1 | grep -q '"ok": *true' || fail "ps-establish --dnn internet refused"
wait_sess $U1 2 || fail "no second session: $(status $U1)"
a2=$(sess $U1 2 ipv4)
echo "PSI 2 on $(sess $U1 2 dnn): $a2"
[[ "$a2" == 10.45.* ]] || fail "internet session address $a2 not from 10.45.0.0/16"
grep -q "PDU session established (DNN ims" "$tmp/core.log" || fail "the SMF logged no ims session"

# 2. an unknown DNN: #27
U2=imsi-001010000000002
est_before=$(grep -c "PDU session established" "$tmp/core.log")
cli ps-establish $U2 --dnn nosuchdnn | grep -q '"ok": *true' || fail "ps-establish --dnn nosuchdnn refused by the cli"
for _ in $(seq 50); do status $U2 | grep -q "#27" && break; sleep 0.1; done
st=$(status $U2)
echo "unknown DNN: $(grep -o '"last_failure": *"[^"]*"' <<<"$st")"
grep -q '"last_failure": *"pdu session reject #27 missing or unknown DNN"' <<<"$st" || fail "no #27 for an unknown DNN: $st"
[ -z "$(sess $U2 1 psi)" ] || fail "a session left after the reject: $st"
[ "$(grep -c "PDU session established" "$tmp/core.log")" = "$est_before" ] || fail "the SMF established a session for an unknown DNN"

# 3. the cli refuses malformed requests before they reach a UE
out=$(cli ps-establish $U2 --dnn "bad dnn")
grep -q "must be a DNN" <<<"$out" || fail "a DNN with a space was accepted: $out"
cli ps-establish $U2 --sd 000001 >/dev/null && fail "--sd without --sst accepted"
cli stats --dnn ims >/dev/null && fail "--dnn accepted with stats"

# 4. the sim config's per-session DNN
U3=imsi-001010000000003
cli register $U3 >/dev/null
for _ in $(seq 100); do registered $U3 && break; sleep 0.1; done
cli ps-establish $U3 | grep -q '"ok": *true' || fail "ps-establish (template sessions) refused"
wait_sess $U3 1 || fail "no session from the template: $(status $U3)"
a3=$(sess $U3 1 ipv4)
echo "template sessions[0]: PSI 1 on $(sess $U3 1 dnn): $a3"
[ "$(sess $U3 1 dnn)" = ims ] && [[ "$a3" == 10.46.* ]] || fail "template session on '$(sess $U3 1 dnn)' $a3 (want ims, 10.46.x)"

kill -TERM "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
kill -TERM "$core"
rc=0
wait "$core" || rc=$?
[ "$rc" = 0 ] || fail "core exit status $rc"
grep -qE "LeakSanitizer|runtime error" "$tmp/core.log" "$tmp/sim.log" && fail "sanitizer report"
e2e_done test_e2e_dnn

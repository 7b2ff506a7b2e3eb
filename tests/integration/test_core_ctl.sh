#!/usr/bin/env bash
# End to end: `glass5g ctl` against a running `glass5g run` (AMF, SMF, UPF in one process)
# driven by glass5g-sim (gNB over NGAP/usrsctp, 4 UEs registered with one IPv4 PDU session
# each, kept CM-CONNECTED in run mode). What ctl says is checked against what the simulator
# (its own control socket, `glass5g-sim cli`) and the core's log see:
#   1. status / gnb-list / ue-list / ue-show: the gNB (its name and TAC), 4 registered UEs,
#      the session addresses the simulator's UEs were given;
#   2. ps-release: the simulator's UE loses its session, the UPF deletes it (log), the SMF
#      and UPF counts go down;
#   3. ue-deregister: the simulator's UE is deregistered by the network; with --reregister
#      it registers again by itself (TS 24.501 §5.5.2.3.2);
#   4. ng-reset: the gNB acknowledges, the AMF's UE connections are released (CM-IDLE);
#   5. bad requests fail with exit status 1 and a reason; the socket is mode 0600.
# Needs root (the UPF's TUN device); exit 77 (skip) otherwise. Every process is killed on
# exit; every step is bounded by `timeout`.
# Usage: test_core_ctl.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
for b in "$G" "$S"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the UPF's TUN device)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
"$G" ctl --help >/dev/null 2>&1 || { echo "SKIP: glass5g has no ctl command"; exit 77; }
tmp=$(mktemp -d /tmp/g5ctl.XXXXXX)
fails=0
pid= spid=
cleanup() {
  for p in $spid $pid; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "$fails" = 0 ] || for f in run.log sim.log; do [ -f "$tmp/$f" ] && cp "$tmp/$f" "$build/test_core_ctl.$f"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
N2=$(free_port tcp)
UDP=$(free_port udp)
o=$(( ($$ % 200) + 20 ))
UPF=127.0.$o.7
SMF=127.0.$o.4
GNB=127.0.$o.2
TUN=g5c$(( $$ % 100000 ))
cat >"$tmp/glass5g.yaml" <<YAML
log: {level: debug}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: $N2, sctp: usrsctp, usrsctp_udp_port: $UDP}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/glass5g.db, key_file: $tmp/glass5g.key}
upf:
  pfcp: {address: $UPF}
  n3: {address: $UPF}
  n6: {tun: $TUN, address: 10.46.0.1/16, address6: ""}
  ue_pools: [10.46.0.0/16]
smf:
  pfcp: {address: $SMF}
  upfs: [{address: $UPF}]
  dnns: [{name: internet, ipv4_pool: 10.46.0.0/16}]
ctl: {socket: $tmp/core.sock}
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
{
  echo "supi,k,opc,amf,sqn"
  for i in 1 2 3 4; do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
"$G" run -c "$tmp/glass5g.yaml" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/run.log" && break; sleep 0.1; done
grep -q "AMF .* started" "$tmp/run.log" || { fail "core did not start"; cat "$tmp/run.log"; exit 1; }
for _ in $(seq 50); do grep -q "SMF started" "$tmp/run.log" && break; sleep 0.1; done
sleep 0.5 # PFCP association SMF <-> UPF

ctl() { timeout 20 "$G" ctl -c "$tmp/glass5g.yaml" "$@"; }
cj() { # ctl --json ... | python expression on the answer `a`
  local expr=$1
  shift
  ctl --json "$@" 2>&1 | /usr/bin/python3 -c "import json,sys; a=json.load(sys.stdin); print($expr)" 2>/dev/null
}
[ "$(stat -c %a "$tmp/core.sock")" = 600 ] || fail "control socket mode $(stat -c %a "$tmp/core.sock") (want 600)"

cat >"$tmp/sim.yaml" <<YAML
log: {level: info}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: $N2}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: $UDP}
  n3: {address: $GNB}
ctl: {path: $tmp/sim.sock}
ues:
  - supi: imsi-001010000000001
    count: 4
    key: $K
    opc: $OPC
    amf: "8000"
    slices: [{sst: 1}]
    dnn: internet
    session_type: ipv4
YAML
"$S" run -c "$tmp/sim.yaml" --procedure registration+session >"$tmp/sim.log" 2>&1 &
spid=$!
sue() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" ue-status "imsi-00101000000000$1" 2>/dev/null; }
sj() { # UE-number python-expression on the simulator's ue `u`
  sue "$1" | /usr/bin/python3 -c "import json,sys; u=json.load(sys.stdin)['ue']; print($2)" 2>/dev/null
}
for _ in $(seq 150); do
  [ "$(cj "a['ues_registered']" status)" = 4 ] && [ "$(cj "a['smf']['sessions_active']" status)" = 4 ] && break
  sleep 0.1
done

# 1. what the core has
ctl status >"$tmp/status.txt" || fail "ctl status"
grep -q "gNBs 1, UEs 4 (registered 4" "$tmp/status.txt" || fail "status: $(cat "$tmp/status.txt")"
grep -q "NFs: AMF AUSF UDM UDR SMF UPF" "$tmp/status.txt" || fail "status NFs: $(head -1 "$tmp/status.txt")"
[ "$(cj "a['upf']['sessions']" status)" = 4 ] || fail "UPF sessions $(cj "a['upf']['sessions']" status) (want 4)"
ctl gnb-list >"$tmp/gnbs.txt" || fail "ctl gnb-list"
grep -q "glass5g-sim" "$tmp/gnbs.txt" || fail "gnb-list: $(cat "$tmp/gnbs.txt")"
[ "$(cj "a['gnbs'][0]['tacs']" gnb-list)" = "[1]" ] || fail "gnb-list TACs: $(cj "a['gnbs'][0]" gnb-list)"
[ "$(cj "a['gnbs'][0]['ues']" gnb-list)" = 4 ] || fail "gnb-list UE count"
GNB_NUM=$(cj "a['gnbs'][0]['gnb']" gnb-list)
ctl ue-list >"$tmp/ues.txt" || fail "ctl ue-list"
[ "$(grep -c "REGISTERED *CM-CONNECTED" "$tmp/ues.txt")" = 4 ] || fail "ue-list: $(cat "$tmp/ues.txt")"
[ "$(cj "len(a['ues'])" ue-list --limit 2)" = 2 ] || fail "ue-list --limit 2"
for i in 1 2 3 4; do
  core_ip=$(cj "a['ue']['pdu_sessions'][0]['ipv4']" ue-show "imsi-00101000000000$i")
  sim_ip=$(sj "$i" "u['pdu_sessions'][0]['ipv4']")
  [ -n "$core_ip" ] && [ "$core_ip" = "$sim_ip" ] || fail "UE $i: core says IPv4 '$core_ip', the simulator's UE has '$sim_ip'"
done
ctl ue-show 001010000000001 | grep -q "PDU session 1: active, DNN internet" || fail "ue-show text: $(ctl ue-show 001010000000001)"
echo "ctl: 4 UEs and their sessions as the simulator sees them"

# 1b. ps-modify of UE 1's session-AMBR (TS 24.501 §6.3.2): the simulator's UE applies the
# MODIFICATION COMMAND, its gNB the Modify Request Transfer's AMBR
ctl ps-modify imsi-001010000000001 1 --ambr-ul 20000000 --ambr-dl 30000000 >"$tmp/mod.txt" || fail "ps-modify: $(cat "$tmp/mod.txt")"
for _ in $(seq 50); do [ "$(sj 1 "u['pdu_sessions'][0]['ambr_dl_bps']")" = 30000000 ] && break; sleep 0.1; done
[ "$(sj 1 "u['pdu_sessions'][0]['ambr_dl_bps']")" = 30000000 ] || fail "UE 1 DL AMBR after ps-modify: $(sue 1)"
[ "$(sj 1 "u['pdu_sessions'][0]['ambr_ul_bps']")" = 20000000 ] || fail "UE 1 UL AMBR after ps-modify: $(sue 1)"
ctl ps-modify imsi-001010000000001 1 2>"$tmp/err.txt" && fail "ps-modify without an AMBR succeeded"
grep -q "ambr" "$tmp/err.txt" || fail "ps-modify without an AMBR: $(cat "$tmp/err.txt")"
echo "ctl: ps-modify applied by the simulator's UE"

# 2. ps-release of UE 2's session
ctl ps-release imsi-001010000000002 1 >"$tmp/rel.txt" || fail "ps-release: $(cat "$tmp/rel.txt")"
for _ in $(seq 50); do [ "$(sj 2 "len(u.get('pdu_sessions', []))")" = 0 ] && break; sleep 0.1; done
[ "$(sj 2 "len(u.get('pdu_sessions', []))")" = 0 ] || fail "the simulator's UE 2 still has a session: $(sue 2)"
for _ in $(seq 30); do [ "$(cj "a['upf']['sessions']" status)" = 3 ] && break; sleep 0.1; done
[ "$(cj "a['upf']['sessions']" status)" = 3 ] || fail "UPF sessions after ps-release: $(cj "a['upf']['sessions']" status)"
[ "$(cj "a['smf']['sessions_active']" status)" = 3 ] || fail "SMF sessions after ps-release"
[ "$(grep -c "upf: session .* deleted" "$tmp/run.log")" = 1 ] || fail "UPF log: $(grep -c "upf: session .* deleted" "$tmp/run.log") sessions deleted (want 1)"
[ "$(cj "len(a['ue']['pdu_sessions'])" ue-show imsi-001010000000002)" = 0 ] || fail "ue-show still lists UE 2's session"
ctl ps-release imsi-001010000000002 1 2>"$tmp/err.txt" && fail "a second ps-release succeeded"
grep -q "has no PDU session 1" "$tmp/err.txt" || fail "second ps-release: $(cat "$tmp/err.txt")"
echo "ctl: ps-release done on both sides"

# 3. deregistration, then with re-registration
ctl ue-deregister imsi-001010000000003 >/dev/null || fail "ue-deregister"
for _ in $(seq 50); do [ "$(sj 3 "u['rm_state']")" = deregistered ] && break; sleep 0.1; done
[ "$(sj 3 "u['rm_state']")" = deregistered ] || fail "the simulator's UE 3 is not deregistered: $(sue 3)"
[ "$(sj 3 "u['last_failure']")" = "deregistered by the network" ] || fail "UE 3 last failure: $(sj 3 "u['last_failure']")"
for _ in $(seq 30); do ctl ue-show imsi-001010000000003 >/dev/null 2>&1 || break; sleep 0.1; done
ctl ue-show imsi-001010000000003 >/dev/null 2>&1 && fail "the core still has UE 3's context"
ctl ue-deregister imsi-001010000000004 --reregister >/dev/null || fail "ue-deregister --reregister"
for _ in $(seq 50); do [ "$(sj 4 "u['last_failure']")" = "re-registration required by the network" ] && break; sleep 0.1; done
[ "$(sj 4 "u['last_failure']")" = "re-registration required by the network" ] || fail "UE 4 did not see re-registration required: $(sue 4)"
for _ in $(seq 100); do [ "$(sj 4 "u['last_procedure'] + ' ' + u['rm_state']")" = "registration registered" ] && break; sleep 0.1; done
[ "$(sj 4 "u['last_procedure'] + ' ' + u['rm_state']")" = "registration registered" ] || fail "UE 4 did not register again: $(sue 4)"
for _ in $(seq 30); do [ "$(cj "a['ue']['gmm_state']" ue-show imsi-001010000000004)" = REGISTERED ] && break; sleep 0.1; done
[ "$(cj "a['ue']['gmm_state']" ue-show imsi-001010000000004)" = REGISTERED ] || fail "the core does not see UE 4 registered again"
[ "$(cj "a['amf']['dereg_nw']" status)" -ge 2 ] || fail "AMF dereg_nw counter"
echo "ctl: network-initiated deregistration seen by the UEs; UE 4 registered again"

# 4. NG Reset of the gNB
ctl ng-reset "$GNB_NUM" >"$tmp/reset.txt" || fail "ng-reset: $(cat "$tmp/reset.txt")"
grep -q "NG Reset sent to gNB $GNB_NUM" "$tmp/reset.txt" || fail "ng-reset output: $(cat "$tmp/reset.txt")"
for _ in $(seq 30); do [ "$(cj "a['amf']['ng_reset_ack']" status)" = 1 ] && break; sleep 0.1; done
[ "$(cj "a['amf']['ng_reset_ack']" status)" = 1 ] || fail "no NG Reset Acknowledge from the gNB"
[ "$(cj "a['ues_connected']" status)" = 0 ] || fail "UEs still connected after NG Reset: $(cj "a['ues_connected']" status)"
[ "$(cj "a['gnbs'][0]['ues']" gnb-list)" = 0 ] || fail "gnb-list UE count after NG Reset"
grep -q "Error Indication" "$tmp/run.log" && fail "the core logged an Error Indication"
echo "ctl: NG Reset acknowledged; UE connections released"

# 5. errors
ctl ue-show imsi-001019999999999 2>"$tmp/err.txt" && fail "ue-show of an unknown UE succeeded"
grep -q "no UE context" "$tmp/err.txt" || fail "unknown UE: $(cat "$tmp/err.txt")"
ctl frobnicate 2>/dev/null
[ $? = 2 ] || fail "an unknown command is not a usage error"
ctl --socket "$tmp/none.sock" status 2>"$tmp/err.txt" && fail "status on a missing socket succeeded"
grep -q "is glass5g run running" "$tmp/err.txt" || fail "missing socket: $(cat "$tmp/err.txt")"

kill -TERM "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || fail "core exit status $rc"
[ -e "$tmp/core.sock" ] && fail "the control socket was left behind"
grep -qE "LeakSanitizer|runtime error" "$tmp/run.log" && fail "sanitizer report in the core log"
[ "$fails" = 0 ] && echo "PASS: test_core_ctl" && exit 0
echo "FAILED: test_core_ctl ($fails checks)"
exit 1

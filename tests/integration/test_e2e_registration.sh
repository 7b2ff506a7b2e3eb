#!/usr/bin/env bash
# End to end: glass5g-sim (gNB + UEs) against `glass5g run` over NGAP/usrsctp.
# A temporary core (config + database), subscribers imported with `glass5g subscriber
# import`, the SUCI home-network public keys taken from `glass5g run --print-hn-keys`, then
#   1. registration+deregistration of 50 UEs for each of SUCI null, Profile A and Profile B
#      (150 in all): every one must succeed, and the core's log must show them registered;
#   2. failure paths: a UE whose K differs from the subscription (the UE's AUTN check
#      fails: MAC failure, the AMF rejects), an unknown subscriber (registration reject),
#      a corrupted MAC on the security mode complete (the AMF discards it; the UE's
#      retransmission after the guard timer succeeds);
#   1b. every UE's first AUTN is stale (SQN 0x20 in the UE, 0 in the store): synch failure
#      #21 with AUTS, re-synchronisation in the UDM, then success;
#   3. registration, then deregistration from CM-IDLE as a separate N2 connection.
# Every process is killed on exit (trap); the whole test is bounded by `timeout`s.
# Usage: test_e2e_registration.sh BUILD_DIR   (exit 77 if a binary is missing)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
for b in "$G" "$S"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
"$G" run --help 2>&1 | grep -q -- "--print-hn-keys" || { echo "SKIP: glass5g run has no --print-hn-keys (AMF not merged)"; exit 77; }
tmp=$(mktemp -d /tmp/g5e2e.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
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
# registration only: no UPF, so tests running in parallel never fight over a TUN
# device and the 10.45.0.0/16 route (test_e2e_session runs the user plane)
upf: {enabled: false}
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 150) 200 201 202 300 301; do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
keys=$(timeout 30 "$G" run -c "$tmp/glass5g.yaml" --print-hn-keys 2>/dev/null)
pubA=$(/usr/bin/python3 -c 'import json,sys; print([k["public_key"] for k in json.loads(sys.stdin.read())["keys"] if k["profile"]=="A"][0])' <<<"$keys" 2>/dev/null ||
  sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
pubB=$(sed -nE 's/.*"profile": "B", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
idA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
idB=$(sed -nE 's/.*"profile": "B", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
[ -n "$pubA" ] && [ -n "$pubB" ] || { fail "no HN public keys from --print-hn-keys: $keys"; exit 1; }

"$G" run -c "$tmp/glass5g.yaml" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/run.log" && break; sleep 0.1; done
grep -q "AMF .* started" "$tmp/run.log" || { fail "core did not start"; cat "$tmp/run.log"; exit 1; }

# sim_yaml FILE: gNB part; then templates appended by the caller
gnb_yaml() {
  cat <<YAML
log: {level: warn}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: $N2}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: $UDP}
ctl: {path: $tmp/sim.sock}
ues:
YAML
}
tpl() { # first count key scheme [pub id]
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$1")
    count: $2
    key: $3
    opc: $OPC
    amf: "8000"
    protection_scheme: "$4"
    slices: [{sst: 1}]
    imeisv: "4370816125816151"
YAML
  [ -n "${5:-}" ] && printf '    hn_public_key: %s\n    hn_key_id: %s\n' "$5" "$6"
}
sim() { # config-file json-out extra-args...
  local cfg=$1 out=$2
  shift 2
  timeout 120 "$S" load -c "$cfg" --timeout-ms 3000 --json "$@" >"$out" 2>"$out.err"
}
field() { # json-file procedure key
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for p in j.get("procedures", []):
    if p.get("name") == sys.argv[2]:
        v = p
        for k in sys.argv[3].split("."):
            v = v.get(k, 0) if isinstance(v, dict) else 0
        print(v)
        break
else:
    print(-1)
PY
}

# 1. 150 UEs: SUCI null, Profile A, Profile B
{ gnb_yaml; tpl 1 50 $K null; tpl 51 50 $K A "$pubA" "$idA"; tpl 101 50 $K B "$pubB" "$idB"; } >"$tmp/sim1.yaml"
# The happy path uses T3510's own 15 s (TS 24.501 Table 10.2.1) rather than the 3 s guard of
# the failure cases: on a loaded machine (ASan, other jobs) a step can pass 3 s, and the
# UE's retransmitted REGISTRATION REQUEST then restarts authentication under an answer
# already in flight (5.4.1.3.7 collision), which is correct but not what this step tests.
sim "$tmp/sim1.yaml" "$tmp/r1.json" --procedure registration+deregistration --rate 200 --timeout-ms 15000
ok=$(field "$tmp/r1.json" registration+deregistration ok)
[ "$ok" = 150 ] || { fail "registration+deregistration: $ok of 150 ok"; head -c 3000 "$tmp/r1.json"; tail -5 "$tmp/r1.json.err"; }
n=$(grep -c "registration accepted" "$tmp/run.log")
[ "$n" -ge 150 ] || fail "core logged $n registrations accepted (want 150)"
# the templates keep the simulator's default SQN (0x20) while the subscriptions start at 0:
# the first AUTN of every UE is stale, the UE answers synch failure #21 with AUTS and the
# UDM re-synchronises (TS 33.102 6.3.5) before the registration goes on
n=$(grep -c "SQN resynchronised" "$tmp/run.log")
[ "$n" -ge 150 ] || fail "core logged $n SQN re-synchronisations (want 150)"

# 2. failure paths: wrong K (UE 200), unknown subscriber (250), corrupt MAC on SMC complete (201)
WRONG=00112233445566778899aabbccddeeff
{ gnb_yaml; tpl 200 1 $WRONG null; tpl 250 1 $K null; tpl 201 2 $K null; } >"$tmp/sim2.yaml"
sim "$tmp/sim2.yaml" "$tmp/r2.json" --procedure registration \
  --fault "registration.security_mode_complete:corrupt_mac" --rate 50
# the fault rule applies to every UE of the run that reaches SMC: with the wrong K and the
# unknown SUPI never getting there, UEs 201 and 202 exercise it
ok=$(field "$tmp/r2.json" registration ok)
failed=$(field "$tmp/r2.json" registration failed)
[ "$ok" = 2 ] || fail "corrupt-MAC UEs: $ok of 2 registered after retransmission"
[ "$failed" = 2 ] || fail "wrong K + unknown subscriber: $failed failed (want 2)"
grep -qiE "reject" "$tmp/r2.json" || fail "no reject cause counted: $(cat "$tmp/r2.json")"

# 3. `glass5g-sim run` registers 2 UEs and keeps them; the control socket's `deregister`
#    then deregisters one from CM-IDLE (a new N2 connection, 5G-GUTI, integrity protected)
{ gnb_yaml; tpl 300 2 $K null; } >"$tmp/sim3.yaml"
"$S" run -c "$tmp/sim3.yaml" --procedure registration >"$tmp/sim3.log" 2>&1 &
spid=$!
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; kill -9 $spid 2>/dev/null; rm -rf "$tmp"' EXIT
st() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" ue-status imsi-001010000000300 2>/dev/null; }
for _ in $(seq 100); do st | grep -q '"registered"' && break; sleep 0.1; done
st | grep -q '"registered"' || fail "run: UE 300 not registered: $(st) $(tail -3 "$tmp/sim3.log")"
timeout 10 "$S" cli --ctl "$tmp/sim.sock" ue-list | grep -q "imsi-001010000000301" || fail "ue-list"
timeout 10 "$S" cli --ctl "$tmp/sim.sock" deregister imsi-001010000000300 | grep -q '"ok": *true' ||
  fail "cli deregister refused"
for _ in $(seq 100); do st | grep -q '"deregistered"' && break; sleep 0.1; done
st | grep -q '"deregistered"' || fail "UE 300 not deregistered after cli deregister: $(st)"
kill -INT $spid 2>/dev/null
wait $spid 2>/dev/null

kill -TERM $pid
rc=0
wait $pid || rc=$?
pid=
[ "$rc" = 0 ] || fail "core exit status $rc"
if grep -qE "LeakSanitizer|runtime error" "$tmp/run.log"; then fail "sanitizer report in the core log"; fi
u=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(\"unroutable\", -1))" "$tmp/r1.json" 2>/dev/null)
[ "$u" = 0 ] || fail "unroutable downlink PDUs: $u (want 0: every Release Command is for a known UE)"
[ "$fails" = 0 ] && echo "PASS: test_e2e_registration (150 UEs null/A/B, failure paths)" || exit 1

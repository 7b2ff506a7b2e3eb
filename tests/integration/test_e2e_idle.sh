#!/usr/bin/env bash
# End to end: the UE lifecycle against `glass5g run` over NGAP/usrsctp with SUCI Profile A
# and Profile B UEs (glass5g-sim --procedure lifecycle), each UE in turn:
#   initial registration (5G-AKA, SMC) -> the gNB releases the UE context (user
#   inactivity; UE Context Release Command/Complete: CM-IDLE) -> SERVICE REQUEST from idle
#   (5G-S-TMSI in the Initial UE Message, integrity protected) -> Service Accept in
#   Initial Context Setup -> idle -> periodic registration update (5G-GUTI, type 3) ->
#   idle -> mobility registration update (5G-GUTI, type 2) -> idle -> deregistration
#   from idle -> the AMF releases the N2 connection.
# Checks: every procedure succeeds with every step counted once (idle 4 times), no
# unroutable downlink PDU, and the core's log agrees (registrations accepted 3x per UE,
# service accepted, deregistrations, contexts released to CM-IDLE).
# Usage: test_e2e_idle.sh BUILD_DIR   (exit 77 if a binary is missing)
set -uo pipefail
. "$(dirname "$0")/test_e2e_lib.bash"
e2e_init "$@"
e2e_core c
N=40
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $N); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
e2e_subs c "$tmp/subs.csv"
e2e_hn_keys c
e2e_start c

half=$((N / 2))
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 1 $half $K A "$pubA" "$idA" 0; tpl $((half + 1)) $half $K B "$pubB" "$idB" 0; } >"$tmp/s1.yaml"
sim "$tmp/s1.yaml" "$tmp/r1.json" --procedure lifecycle --rate 100
ok=$(field "$tmp/r1.json" lifecycle ok)
[ "$ok" = $N ] || { fail "lifecycle: $ok of $N ok"; head -c 4000 "$tmp/r1.json"; tail -5 "$tmp/r1.json.err"; }
/usr/bin/python3 - "$tmp/r1.json" $N <<'PY' || fail "lifecycle step counts"
import json, sys
j = json.load(open(sys.argv[1])); n = int(sys.argv[2])
p = [p for p in j["procedures"] if p["name"] == "lifecycle"][0]
want = {"registration_request->registration_accept": n, "release_request->release_command": 4 * n,
        "service_request->service_accept": n, "periodic_registration->accept": n,
        "mobility_registration->accept": n, "deregistration_request->accept": n,
        "deregistration_accept->release_command": n}
bad = [(s["name"], s["count"], want[s["name"]]) for s in p["steps"] if s["count"] != want[s["name"]]]
if bad or j["unroutable"] != 0:
    print("steps (name, got, want):", bad, "unroutable:", j["unroutable"]); sys.exit(1)
PY
log=$tmp/c.log
cnt() { grep -c "$1" "$log"; }
[ "$(cnt 'registration accepted')" -ge $((3 * N)) ] || fail "core: $(cnt 'registration accepted') registrations accepted (want $((3 * N)): initial, periodic, mobility)"
[ "$(cnt 'authenticated (5G-AKA)')" = $N ] || fail "core: $(cnt 'authenticated (5G-AKA)') authentications (want $N: updates from idle reuse the context)"
[ "$(cnt 'service accepted')" -ge $N ] || fail "core: $(cnt 'service accepted') service accepts (want $N)"
[ "$(cnt ': deregistration')" -ge $N ] || fail "core: $(cnt ': deregistration') deregistrations (want $N)"
[ "$(cnt ': CM-IDLE')" -ge $((4 * N)) ] || fail "core: $(cnt ': CM-IDLE') transitions to CM-IDLE (want $((4 * N)))"
grep -q "unknown UE" "$log" && fail "AMF saw a UE-associated message for a stale connection: $(grep "unknown UE" "$log" | head -2)"
grep -qiE "MAC failure|replay" "$log" && fail "core logged a MAC failure or replay: $(grep -iE 'MAC failure|replay' "$log" | head -3)"

# `glass5g-sim run`: UEs 1-2 (SUCI A) register and stay; the control socket then starts a
# service request from CM-IDLE, a re-registration with the 5G-GUTI and a deregistration
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 1 2 $K A "$pubA" "$idA" 0x1000; } >"$tmp/s2.yaml"
"$S" run -c "$tmp/s2.yaml" --procedure registration >"$tmp/s2.log" 2>&1 &
spid=$!
E2E_PIDS+=("$spid")
cli() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" "$@" 2>/dev/null; }
okn() { cli ue-status imsi-001010000000001 | /usr/bin/python3 -c 'import json,sys; u=json.load(sys.stdin)["ue"]; print(u["procedures_ok"], u["rm_state"], u["cm_state"], u["running"])'; }
wait_ok() { for _ in $(seq 100); do [ "$(okn)" = "$1" ] && return 0; sleep 0.1; done; fail "UE 1 state: $(okn) (want $1)"; }
wait_ok "1 registered idle None"
sr_before=$(grep -c "imsi-001010000000001: service accepted" "$log")
cli service-request imsi-001010000000001 | grep -q '"ok": *true' || fail "cli service-request refused"
wait_ok "2 registered idle None"
[ "$(grep -c "imsi-001010000000001: service accepted" "$log")" = $((sr_before + 1)) ] || fail "AMF did not accept the service request of UE 1"
cli register imsi-001010000000001 | grep -q '"ok": *true' || fail "cli register refused"
wait_ok "3 registered idle None"
cli deregister imsi-001010000000001 | grep -q '"ok": *true' || fail "cli deregister refused"
wait_ok "4 deregistered idle None"
cli service-request imsi-001010000000001 | grep -q '"ok": *true' || fail "cli service-request (deregistered) not started"
sleep 0.3
cli ue-status imsi-001010000000001 | grep -q '"last_failure": *"out of state"' || fail "service request of a deregistered UE: $(cli ue-status imsi-001010000000001)"
kill -INT $spid 2>/dev/null
wait $spid 2>/dev/null

# the load ends only after the AMF released every UE the gNB asked it to release
for _ in $(seq 50); do grep -q "association lost" "$log" && break; sleep 0.1; done
grep -q "association lost: 0 UE contexts released" "$log" ||
  fail "UE contexts left in the AMF when the gNB went: $(grep 'association lost' "$log" | cut -c25-)"

e2e_stop c
e2e_done "test_e2e_idle ($N UEs SUCI A/B: register, idle, service request, periodic + mobility update, deregister)"

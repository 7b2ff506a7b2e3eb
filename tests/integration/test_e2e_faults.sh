#!/usr/bin/env bash
# End to end failure paths between glass5g-sim and `glass5g run`, each asserting the
# outcome the spec gives, on both sides (the simulator's failure causes and the core's log):
#   1. replayed NAS message: the REGISTRATION COMPLETE is sent twice with the same bytes
#      (same NAS COUNT): the AMF accepts the first and drops the second as a replay
#      (TS 33.501 §6.4.3.2, TS 24.501 §4.4.3.2), the registration stands;
#   2. bad MAC on a SERVICE REQUEST from CM-IDLE: the AMF answers SERVICE REJECT #9
#      (TS 24.501 §4.4.4.3, §5.6.1.5) and logs the MAC failure;
#   3. missing slice: a UE asking only for SST 2 (not configured in the AMF) with a
#      subscription allowing only SST 2 gets REGISTRATION REJECT #62 "no network slices
#      available" (TS 24.501 §5.5.1.2.5); one subscribed to SST 1 gets an accept with the
#      default slice allowed and SST 2 rejected (TS 23.501 §5.15.5.2.1);
#   4. gNB restart: the simulator (gNB + UEs) is stopped in the middle of a load run (its
#      SCTP association is aborted), the AMF releases the UE contexts it held on that
#      association (TS 38.413 §8.7.1.1 / §8.3), a new gNB sets up NG again and every UE
#      registers again. (A crash without ABORT is only seen by the AMF after the SCTP
#      heartbeat times out; that takes longer than this test should.)
# (Wrong K and unknown subscriber: test_e2e_registration.sh and test_e2e_eap.sh.)
# Usage: test_e2e_faults.sh BUILD_DIR   (exit 77 if a binary is missing)
set -uo pipefail
. "$(dirname "$0")/test_e2e_lib.bash"
e2e_init "$@"
e2e_core c
{
  echo "supi,k,opc,amf,sqn,slices"
  for i in $(seq 1 70); do printf 'imsi-00101%010d,%s,%s,8000,0,1\n' "$i" "$K" "$OPC"; done
  printf 'imsi-00101%010d,%s,%s,8000,0,2\n' 80 "$K" "$OPC"
} >"$tmp/subs.csv"
e2e_subs c "$tmp/subs.csv"
e2e_hn_keys c
e2e_start c
log=$tmp/c.log
cnt() { grep -c "$1" "$log"; }

# 1. replay of REGISTRATION COMPLETE (exactly the same bytes)
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 1 3 $K A "$pubA" "$idA" 0; } >"$tmp/s1.yaml"
sim "$tmp/s1.yaml" "$tmp/r1.json" --procedure registration --rate 50 --fault "registration.registration_complete:replay"
ok=$(field "$tmp/r1.json" registration ok)
[ "$ok" = 3 ] || { fail "replay: $ok of 3 registered"; head -c 1500 "$tmp/r1.json"; }
[ "$(field "$tmp/r1.json" - faults)" != "[]" ] || fail "replay fault did not fire"
for i in 1 2 3; do
  grep -q "ue imsi-00101000000000$i: replayed NAS message" "$log" || fail "AMF did not drop the replayed complete of UE $i"
  grep -q "ue imsi-00101000000000$i: registered" "$log" || fail "UE $i not registered at the AMF"
done
[ "$(cnt 'NAS MAC failure')" = 0 ] || fail "a replay was taken for a MAC failure"

# 2. bad MAC on the SERVICE REQUEST of the lifecycle -> SERVICE REJECT #9
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 11 2 $K B "$pubB" "$idB" 0; } >"$tmp/s2.yaml"
sim "$tmp/s2.yaml" "$tmp/r2.json" --procedure lifecycle --rate 50 --fault "lifecycle.service_request:corrupt_mac"
n=$(field "$tmp/r2.json" lifecycle "failures.service reject #9")
[ "$n" = 2 ] || { fail "bad MAC: $n service rejects #9 (want 2)"; head -c 2000 "$tmp/r2.json"; }
[ "$(grep -c 'imsi-00101000000001[12]: NAS MAC failure' "$log")" -ge 2 ] || fail "AMF did not log the MAC failures"
[ "$(grep -c 'imsi-00101000000001[12]: service rejected #9' "$log")" = 2 ] || fail "AMF did not log service rejected #9"

# 3. missing slice
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 80 1 $K null "" "" 0 2; tpl 21 1 $K null "" "" 0 2; } >"$tmp/s3.yaml"
sim "$tmp/s3.yaml" "$tmp/r3.json" --procedure registration --rate 50
n=$(field "$tmp/r3.json" registration "failures.registration reject #62")
[ "$n" = 1 ] || { fail "missing slice: $n rejects #62 (want 1)"; head -c 1500 "$tmp/r3.json"; }
[ "$(field "$tmp/r3.json" registration ok)" = 1 ] || fail "UE 21 (subscribed SST 1, asking SST 2) not registered"
grep -q "imsi-001010000000080: registration rejected, 5GMM cause #62" "$log" || fail "AMF did not log reject #62 for UE 80"
grep -q "imsi-001010000000021: registration accepted (.*1 allowed, 1 rejected S-NSSAI)" "$log" || fail "UE 21: no accept with 1 allowed and 1 rejected S-NSSAI"

# 4. gNB restart: stop the simulator during a load, then a new gNB
#    the first 5 UEs lose their AUTHENTICATION RESPONSE and wait (guard timer 20 s), so
#    the AMF holds 5 UE contexts on the association when the gNB goes away
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 31 40 $K A "$pubA" "$idA" 0; } >"$tmp/s4.yaml"
{ cat "$tmp/s4.yaml"; echo "faults: [{at_step: registration.auth_response, action: drop, ues: {first: 0, count: 5}}]"; } >"$tmp/s4a.yaml"
setups=$(cnt "NG Setup from glass5g-sim .* accepted")
lost=$(cnt "association lost")
"$S" load -c "$tmp/s4a.yaml" --timeout-ms 20000 --json --procedure registration --rate 100 >"$tmp/r4a.json" 2>&1 &
spid=$!
E2E_PIDS+=("$spid")
for _ in $(seq 200); do [ "$(cnt 'imsi-0010100000000[3-7][0-9]: registered')" -ge 35 ] && break; sleep 0.05; done
[ "$(cnt 'imsi-0010100000000[3-7][0-9]: registered')" -ge 35 ] || fail "the 35 UEs without a fault did not register"
kill -TERM "$spid"
wait "$spid" 2>/dev/null
for _ in $(seq 100); do [ "$(cnt 'association lost')" -gt "$lost" ] && break; sleep 0.1; done
[ "$(cnt 'association lost')" -gt "$lost" ] || fail "AMF did not notice the lost association"
rel=$(grep 'association lost' "$log" | tail -1 | sed -nE 's/.*association lost: ([0-9]+) UE contexts released.*/\1/p')
[ "${rel:-0}" -ge 5 ] || fail "AMF released ${rel:-0} UE contexts with the association (want >= 5)"
sim "$tmp/s4.yaml" "$tmp/r4.json" --procedure registration --rate 100
ok=$(field "$tmp/r4.json" registration ok)
[ "$ok" = 40 ] || { fail "after the gNB restart: $ok of 40 registered"; head -c 2000 "$tmp/r4.json"; }
[ "$(cnt 'NG Setup from glass5g-sim .* accepted')" -ge $((setups + 2)) ] || fail "no second NG Setup after the restart"

e2e_stop c
e2e_done "test_e2e_faults (replay, bad MAC, missing slice, gNB restart)"

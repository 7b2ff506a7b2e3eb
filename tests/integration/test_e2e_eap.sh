#!/usr/bin/env bash
# End to end: EAP-AKA' (TS 33.501 §6.1.3.1, RFC 5448/9048) between glass5g-sim's UEs and
# `glass5g run`, whose subscribers are provisioned with auth eap_aka_prime:
#   1. 20 UEs each with SUCI null, Profile A and Profile B register and deregister: the
#      UE checks AUTN and AT_MAC, answers AT_RES + AT_MAC, takes KAMF from the EMSK and the
#      SMC (with EAP-Success) verifies with it; the core logs "authenticated (EAP-AKA')";
#   2. a stale SQN in the UE: AKA'-Synchronization-Failure with AT_AUTS, the UDM
#      re-synchronises and a second AKA'-Challenge follows;
#   3. a UE with a wrong K: AUTN fails, AKA'-Authentication-Reject, the AUSF answers
#      EAP-Failure and the AMF sends AUTHENTICATION REJECT (counted by the sim);
#   4. 5G-AKA and EAP-AKA' subscribers in the same run.
# Usage: test_e2e_eap.sh BUILD_DIR   (exit 77 if a binary is missing)
set -uo pipefail
. "$(dirname "$0")/test_e2e_lib.bash"
e2e_init "$@"
e2e_core c
{
  echo "supi,k,opc,amf,sqn,auth"
  for i in $(seq 1 60) 70 71 80 81 82; do printf 'imsi-00101%010d,%s,%s,8000,0,eap_aka_prime\n' "$i" "$K" "$OPC"; done
  for i in 90 91; do printf 'imsi-00101%010d,%s,%s,8000,0,5g_aka\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
e2e_subs c "$tmp/subs.csv"
e2e_hn_keys c
e2e_start c
WRONG=00112233445566778899aabbccddeeff

# 1. 60 EAP-AKA' UEs, SUCI null / A / B (SQN 0 in the UE: no resynchronisation)
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 1 20 $K null "" "" 0; tpl 21 20 $K A "$pubA" "$idA" 0; tpl 41 20 $K B "$pubB" "$idB" 0; } >"$tmp/s1.yaml"
sim "$tmp/s1.yaml" "$tmp/r1.json" --procedure registration+deregistration --rate 100
ok=$(field "$tmp/r1.json" registration+deregistration ok)
[ "$ok" = 60 ] || { fail "EAP-AKA' registration+deregistration: $ok of 60"; head -c 2000 "$tmp/r1.json"; tail -3 "$tmp/r1.json.err"; }
n=$(grep -c "authenticated (EAP-AKA')" "$tmp/c.log")
[ "$n" -ge 60 ] || fail "core logged $n EAP-AKA' authentications (want 60)"

# 2. stale SQN (0x20 in the UE, the store moved past 0 in step 1 only for UEs 1-60)
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 70 2 $K null; } >"$tmp/s2.yaml"
before=$(grep -c "SQN resynchronised" "$tmp/c.log")
sim "$tmp/s2.yaml" "$tmp/r2.json" --procedure registration+deregistration --rate 50
ok=$(field "$tmp/r2.json" registration+deregistration ok)
after=$(grep -c "SQN resynchronised" "$tmp/c.log")
[ $((after - before)) -ge 2 ] || fail "AKA'-Synchronization-Failure: core resynchronised $((after - before)) times (want 2)"
[ "$ok" = 2 ] || { fail "EAP-AKA' after resynchronisation: $ok of 2 registered"; cat "$tmp/r2.json" | head -c 1500; }

# 3. wrong K: AKA'-Authentication-Reject -> EAP-Failure in AUTHENTICATION REJECT
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 80 3 $WRONG null "" "" 0; } >"$tmp/s3.yaml"
sim "$tmp/s3.yaml" "$tmp/r3.json" --procedure registration --rate 50
n=$(field "$tmp/r3.json" registration "failures.authentication reject")
[ "$n" = 3 ] || { fail "wrong K: $n authentication rejects (want 3)"; cat "$tmp/r3.json" | head -c 1500; }
grep -q "EAP-AKA' for imsi-001010000000080: AUTHENTICATION_FAILURE" "$tmp/c.log" ||
  fail "AUSF did not log the EAP-AKA' failure of UE 80"

# 4. 5G-AKA and EAP-AKA' side by side
{ gnb_yaml "$N2_c" "$UDP_c"; tpl 90 2 $K null "" "" 0; tpl 1 5 $K A "$pubA" "$idA" 0; } >"$tmp/s4.yaml"
sim "$tmp/s4.yaml" "$tmp/r4.json" --procedure registration+deregistration --rate 50
ok=$(field "$tmp/r4.json" registration+deregistration ok)
[ "$ok" = 7 ] || { fail "mixed 5G-AKA/EAP-AKA': $ok of 7"; cat "$tmp/r4.json" | head -c 1500; }
grep -q "imsi-001010000000090: authenticated (5G-AKA)\|ue imsi-001010000000090.*5G-AKA" "$tmp/c.log" || fail "UE 90 not authenticated with 5G-AKA"

e2e_stop c
e2e_done "test_e2e_eap (EAP-AKA' null/A/B, resync, wrong K, mixed)"

#!/usr/bin/env bash
# End to end (issue #9): one simulated gNB with two AMFs in gnb.amf_addresses, each a
# `glass5g run` on its own N2 port and usrsctp encapsulation port, with different GUAMIs
# (AMF Set ID / AMF Pointer) and the same subscribers and home-network keys (the second
# store is a copy of the first). The gNB sets up NG with both; UEs without a 5G-S-TMSI
# go to the AMFs in turn, UEs with one to the AMF of its AMF Set ID and Pointer
# (TS 23.501 §6.3.5). 40 SUCI A/B UEs run the lifecycle (register, idle, service request,
# periodic and mobility update from idle, deregister): every step after the first
# registration carries a 5G-S-TMSI, so each AMF must see all the later steps of exactly
# the UEs it registered (another AMF would not know the 5G-TMSI: service reject, or a
# new authentication). A third address with no AMF behind it is tolerated.
# Usage: test_e2e_multi_amf.sh BUILD_DIR   (exit 77 if a binary is missing)
set -uo pipefail
. "$(dirname "$0")/test_e2e_lib.bash"
e2e_init "$@"
e2e_core a "  guami: {region_id: 1, set_id: 1, pointer: 1}"
e2e_core b "  guami: {region_id: 1, set_id: 2, pointer: 3}"
N=40
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $N); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
e2e_subs a "$tmp/subs.csv"
e2e_hn_keys a
cp "$tmp/a.db" "$tmp/b.db"
cp "$tmp/a.key" "$tmp/b.key"
e2e_start a
e2e_start b
grep -q "AMF .* started" "$tmp/b.log" || exit 1

half=$((N / 2))
dead=$(free_port tcp)
{
  gnb_yaml "$N2_a" "$UDP_a"
  tpl 1 $half $K A "$pubA" "$idA" 0
  tpl $((half + 1)) $half $K B "$pubB" "$idB" 0
} >"$tmp/s1.yaml"
/usr/bin/python3 - "$tmp/s1.yaml" "$N2_b" "$UDP_b" <<'PY'
import sys
p, port, udp = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(p).read()
s = s.replace("amf_addresses: [{address: 127.0.0.1, port: %s}]" % s.split("port: ")[1].split("}")[0],
              "amf_addresses: [{address: 127.0.0.1, port: %s}, {address: 127.0.0.1, port: %s, usrsctp_udp_port: %s}]"
              % (s.split("port: ")[1].split("}")[0], port, udp), 1)
open(p, "w").write(s)
PY
grep -q "usrsctp_udp_port: $UDP_b" "$tmp/s1.yaml" || fail "config edit"
sim "$tmp/s1.yaml" "$tmp/r1.json" --procedure lifecycle --rate 100
ok=$(field "$tmp/r1.json" lifecycle ok)
[ "$ok" = $N ] || { fail "lifecycle over two AMFs: $ok of $N ok"; head -c 3000 "$tmp/r1.json"; tail -5 "$tmp/r1.json.err"; }
/usr/bin/python3 - "$tmp/r1.json" $N <<'PY' || fail "per-AMF connection counts"
import json, sys
j = json.load(open(sys.argv[1])); n = int(sys.argv[2])
amfs = j["n2"]["amfs"]
print("n2:", [(a["port"], a["ng_up"], a["connections"]) for a in amfs])
# 6 N2 connections per UE (registration, service request, periodic, mobility, deregistration
# ... from idle: 5) -> 5 * n in all; the first registrations alternate between the AMFs
assert all(a["ng_up"] for a in amfs), "both AMFs NG-up"
assert sum(a["connections"] for a in amfs) == 5 * n, "5 connections per UE"
assert amfs[0]["connections"] == amfs[1]["connections"] == 5 * n // 2, "even split"
PY
for c in a b; do
  grep -q "NG Setup from glass5g-sim .* accepted" "$tmp/$c.log" || fail "no NG Setup at AMF $c"
  auth=$(grep -c "authenticated (5G-AKA)" "$tmp/$c.log")
  sr=$(grep -c "service accepted" "$tmp/$c.log")
  reg=$(grep -c "registration accepted" "$tmp/$c.log")
  dereg=$(grep -c ": deregistration" "$tmp/$c.log")
  echo "AMF $c: $auth authentications, $reg registrations accepted, $sr service accepts, $dereg deregistrations"
  [ "$auth" = $half ] || fail "AMF $c authenticated $auth UEs (want $half: round robin)"
  [ "$sr" = "$auth" ] || fail "AMF $c: $sr service accepts for $auth registered UEs (5G-S-TMSI routing)"
  [ "$reg" = $((3 * auth)) ] || fail "AMF $c: $reg registrations accepted (want $((3 * auth)))"
  [ "$dereg" = "$auth" ] || fail "AMF $c: $dereg deregistrations (want $auth)"
  grep -q "service rejected\|registration rejected" "$tmp/$c.log" && fail "AMF $c rejected a UE"
done

# an unreachable third AMF: the gNB still serves UEs through the two that answer
{ gnb_yaml "$N2_a" "$UDP_a"; tpl 1 4 $K null "" "" 0; } >"$tmp/s2.yaml"
sed -i "s|amf_addresses: \[{address: 127.0.0.1, port: $N2_a}\]|amf_addresses: [{address: 127.0.0.1, port: $N2_a}, {address: 127.0.0.1, port: $N2_b, usrsctp_udp_port: $UDP_b}, {address: 127.0.0.1, port: $dead, usrsctp_udp_port: $dead}]|" "$tmp/s2.yaml"
sim "$tmp/s2.yaml" "$tmp/r2.json" --procedure registration+deregistration --rate 50
ok=$(field "$tmp/r2.json" registration+deregistration ok)
[ "$ok" = 4 ] || { fail "with an unreachable AMF: $ok of 4"; head -c 1500 "$tmp/r2.json"; tail -3 "$tmp/r2.json.err"; }

e2e_stop a
e2e_stop b
e2e_done "test_e2e_multi_amf (2 AMFs, NG Setup to each, round robin + GUAMI routing, $N UEs SUCI A/B)"

#!/usr/bin/env bash
# The SMF and the UPF as two processes (docs/configuration.md "upf:"): `glass5g run --nf upf
# -c upf.yaml` alone, and `glass5g run` with upf.enabled: false and smf.upfs pointing at it,
# PFCP between them over UDP. Inside a network namespace of its own (TUN, UE routes):
#   1. the PFCP association comes up; the simulator (run mode, control socket) registers 5
#      UEs with an IPv4 session each and pings the N6 side: replies come back;
#   2. kill -9 the UPF, restart it: the SMF sees the new Recovery Time Stamp (TS 29.244
#      §6.2.2, in a heartbeat or the new association) and releases every session of that
#      UPF with 5GSM #38 (docs/smf.md "UPF restart"); the UEs' sessions and the gNB tunnels
#      go; the SMF's pools are back to empty;
#   3. the UEs establish new sessions through the restarted UPF and pings pass again;
#   4. the UEs deregister: every session is released at the SMF and the UPF; at shutdown the
#      SMF has 0 sessions and 0 pool addresses in use and the UPF 0 sessions and empty
#      indexes (no leak across the restart), both exit 0.
# Needs root; exit 77 (skip) otherwise. Usage: test_split_upf.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_e2e_lib.bash"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN device)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for t in ip nsenter; do command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
e2e_init "$1"
NS=g5split$$
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }
NSE=(nsenter --net="/var/run/netns/$NS")
cleanup_ns() {
  e2e_cleanup
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null
}
trap cleanup_ns EXIT
"${NSE[@]}" ip link set lo up
N=5

cat >"$tmp/upf.yaml" <<YAML
log: {level: info}
upf:
  pfcp: {address: 127.0.0.7}
  n3: {address: 127.0.0.7}
  n6: {tun: g5split, address: 10.45.0.1/16, address6: ""}
  ue_pools: [10.45.0.0/16]
YAML
cat >"$tmp/core.yaml" <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: 38412, sctp: usrsctp, usrsctp_udp_port: 9899}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/core.db, key_file: $tmp/core.key}
upf: {enabled: false}
smf:
  pfcp: {address: 127.0.0.4, heartbeat: 1, t1_ms: 300, n1: 2}
  upfs: [{address: 127.0.0.7}]
  dnns: [{name: internet, ipv4_pool: 10.45.0.0/16}]
YAML
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $N); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/core.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }

upf_start() { # log
  "${NSE[@]}" "$G" run --nf upf -c "$tmp/upf.yaml" >"$tmp/$1" 2>&1 &
  upf=$!
  E2E_PIDS+=("$upf")
  for _ in $(seq 100); do grep -q "UPF up" "$tmp/$1" && break; sleep 0.1; done
  grep -q "UPF up" "$tmp/$1" || { fail "UPF did not start: $(tail -5 "$tmp/$1")"; exit 1; }
}
upf_start upf1.log
"${NSE[@]}" "$G" run -c "$tmp/core.yaml" >"$tmp/core.log" 2>&1 &
core=$!
E2E_PIDS+=("$core")
for _ in $(seq 100); do grep -q "UPF 0 associated" "$tmp/core.log" && break; sleep 0.1; done
grep -q "UPF 0 associated" "$tmp/core.log" || { fail "no PFCP association: $(tail -20 "$tmp/core.log")"; exit 1; }
grep -q "association setup from SMF accepted" "$tmp/upf1.log" || fail "the UPF logged no association"

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
traffic: {ping_rate: 5, ping_ipv4: 10.45.0.1}
ues:
  - supi: imsi-001010000000001
    count: $N
    key: $K
    opc: $OPC
    amf: "8000"
    dnn: internet
    session_type: ipv4
YAML
"${NSE[@]}" "$S" run -c "$tmp/sim.yaml" --procedure registration+session >"$tmp/sim.log" 2>&1 &
sim=$!
E2E_PIDS+=("$sim")
cli() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" "$@" 2>/dev/null; }
up() { # user_plane key
  cli stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['stats']['user_plane'].get(sys.argv[1], -1))" "$1" 2>/dev/null || echo -1
}
sessions_up() { # count of UEs with a session
  local n=0 i
  for i in $(seq 1 $N); do
    cli ue-status "imsi-00101$(printf %010d "$i")" | grep -q '"n3_up": *true' && n=$((n + 1))
  done
  echo $n
}
pings_flow() { # what: pings sent and answered over 2 s
  local s0 r0 s1 r1
  s0=$(up ping_sent)
  r0=$(up ping_recv)
  sleep 2
  s1=$(up ping_sent)
  r1=$(up ping_recv)
  echo "$1: pings in 2 s: $((r1 - r0)) of $((s1 - s0)) answered"
  [ $((s1 - s0)) -ge $((N * 5)) ] || fail "$1: only $((s1 - s0)) pings sent"
  [ $((r1 - r0)) -ge $(((s1 - s0) * 8 / 10)) ] || fail "$1: $((r1 - r0)) of $((s1 - s0)) pings answered"
}

# 1. sessions through the UPF process
for _ in $(seq 100); do [ "$(up est_ok)" = $N ] && break; sleep 0.1; done
[ "$(up est_ok)" = $N ] || { fail "sessions: est_ok $(up est_ok) of $N"; tail -5 "$tmp/sim.log"; exit 1; }
pings_flow "before the restart"

# 2. kill -9 the UPF and restart it (>1 s later: the Recovery Time Stamp counts seconds)
kill -9 "$upf"
wait "$upf" 2>/dev/null
sleep 1.5
upf_start upf2.log
for _ in $(seq 100); do grep -q "UPF 0 restarted" "$tmp/core.log" && break; sleep 0.1; done
grep -m1 "UPF 0 restarted" "$tmp/core.log" || fail "the SMF did not notice the UPF restart"
for _ in $(seq 100); do [ "$(sessions_up)" = 0 ] && break; sleep 0.1; done
[ "$(sessions_up)" = 0 ] || fail "$(sessions_up) UEs still have a session after the UPF restart"
[ "$(up tunnels)" = 0 ] || fail "gNB tunnels left after the restart: $(up tunnels)"
for _ in $(seq 50); do grep -q "UPF 0 associated" <(grep -A1000 "UPF 0 restarted" "$tmp/core.log") && break; sleep 0.1; done
grep -q "UPF 0 associated" <(grep -A1000 "UPF 0 restarted" "$tmp/core.log") || fail "no new association after the restart"

# 3. new sessions through the restarted UPF
for i in $(seq 1 $N); do
  cli ps-establish "imsi-00101$(printf %010d "$i")" | grep -q '"ok": *true' || fail "ps-establish UE $i refused"
done
for _ in $(seq 100); do [ "$(sessions_up)" = $N ] && break; sleep 0.2; done
[ "$(sessions_up)" = $N ] || fail "after the restart only $(sessions_up) of $N sessions came back"
pings_flow "after the restart"

# 4. deregister everyone; then nothing may be left anywhere
for i in $(seq 1 $N); do cli deregister "imsi-00101$(printf %010d "$i")" >/dev/null; done
for _ in $(seq 100); do [ "$(cli ue-list | grep -c '"rm_state": *"registered"')" = 0 ] && break; sleep 0.1; done
sleep 0.5
kill -TERM "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
for p in core upf; do
  kill -TERM "${!p}"
  rc=0
  wait "${!p}" || rc=$?
  [ "$rc" = 0 ] || fail "$p exit status $rc"
done
smf_line=$(grep "SMF stopped" "$tmp/core.log")
upf_line=$(grep "UPF stopped" "$tmp/upf2.log")
echo "$smf_line"
echo "$upf_line"
[[ "$smf_line" == *"SMF stopped: 0 sessions active"*"released after a UPF restart"*", 0 pool addresses in use"* ]] || fail "SMF state left: $smf_line"
rr=$(sed -nE 's/.* ([0-9]+) released after a UPF restart.*/\1/p' <<<"$smf_line")
[ "$rr" = $N ] || fail "upf_restart_releases = $rr (want $N)"
[[ "$upf_line" == *"UPF stopped: 0 sessions"*"indexes seid/teid/ue4/ue6 0/0/0/0"* ]] || fail "UPF state left: $upf_line"
grep -qE "LeakSanitizer|runtime error" "$tmp/core.log" "$tmp/upf2.log" "$tmp/sim.log" && fail "sanitizer report"
e2e_done test_split_upf

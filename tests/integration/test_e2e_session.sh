#!/usr/bin/env bash
# End to end: PDU sessions and the user plane. `glass5g run` (AMF, SMF and UPF in one
# process, SMF<->UPF over PFCP on loopback, UPF N6 on a TUN device of this test) and
# glass5g-sim (gNB over NGAP/usrsctp, N3 GTP-U on its own loopback address):
#   1. load: registration+session+release for 20 UEs (IPv4): every step measured, every
#      session established and released on both sides;
#   2. load with in-process traffic: registration+session for 10 IPv4v6 UEs kept
#      connected, 5 pings/s per session to the UPF's N6 addresses (IPv4 and IPv6) for 3 s:
#      replies counted;
#   3. run mode with tun: on, netns: on: a UE's session as uesimtunN in its own network
#      namespace: the kernel's ping (IPv4 and IPv6, the IPv6 prefix from the UPF's Router
#      Advertisement) and an iperf3 bulk transfer through it to the N6 side, then
#      `cli ps-release`: the TUN, the namespace, the gNB tunnel and the core's session go;
#   4. a DNN the core does not serve: the reject is counted by its cause.
# Needs root (TUN devices, network namespaces); exit 77 (skip) otherwise or when the core
# has no SMF/UPF. Every process is killed on exit; every step is bounded by `timeout`.
# Usage: test_e2e_session.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
for b in "$G" "$S"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (TUN devices, network namespaces)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
"$G" run --help 2>&1 | grep -q "SMF" || { echo "SKIP: glass5g run hosts no SMF/UPF (branch amfsmf not merged)"; exit 77; }
for t in ip ping iperf3; do command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
tmp=$(mktemp -d /tmp/g5sess.XXXXXX)
fails=0
pid= spid= ipid= tun=
cleanup() {
  for p in $spid $ipid $pid; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  # a simulator killed with a session up leaves its namespace behind
  [ -n "${tun:-}" ] && ip netns list | grep -qw "$tun" && ip netns del "$tun" 2>/dev/null
  # keep the logs of a failed run for a look afterwards
  [ "$fails" = 0 ] || for f in run.log sim3.log iperf.json iperf-s; do [ -f "$tmp/$f" ] && cp "$tmp/$f" "$build/test_e2e_session.$f"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
N2=$(free_port tcp)
UDP=$(free_port udp)
IPERF=$(free_port tcp)
# addresses of this run: UPF PFCP+N3, SMF PFCP, gNB N3 on loopback addresses of their own
# (a per-run octet keeps parallel runs apart); N6: a TUN named after the run
o=$(( ($$ % 200) + 20 ))
UPF=127.0.$o.7
SMF=127.0.$o.4
GNB=127.0.$o.2
TUN=g5s$(( $$ % 100000 ))
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
  n6: {tun: $TUN, address: 10.45.0.1/16, address6: "2001:db8:cafe::1/48"}
  ue_pools: [10.45.0.0/16, "2001:db8:cafe::/48"]
smf:
  pfcp: {address: $SMF}
  upfs: [{address: $UPF}]
  dnns: [{name: internet, ipv4_pool: 10.45.0.0/16, ipv6_pool: "2001:db8:cafe::/48"}]
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 60); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
"$G" run -c "$tmp/glass5g.yaml" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/run.log" && break; sleep 0.1; done
grep -q "AMF .* started" "$tmp/run.log" || { fail "core did not start"; cat "$tmp/run.log"; exit 1; }
for _ in $(seq 50); do grep -q "SMF started" "$tmp/run.log" && break; sleep 0.1; done
grep -q "SMF started" "$tmp/run.log" || { fail "SMF did not start"; cat "$tmp/run.log"; exit 1; }
sleep 0.5 # PFCP association SMF <-> UPF

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
  n3: {address: $GNB}
ctl: {path: $tmp/sim.sock}
YAML
}
tpl() { # first count type dnn [tun netns]
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$1")
    count: $2
    key: $K
    opc: $OPC
    amf: "8000"
    slices: [{sst: 1}]
    dnn: $4
    session_type: $3
    tun: ${5:-off}
    netns: ${6:-off}
YAML
}
field() { # json-file dotted.key (procedures.<name>.x or user_plane.x)
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
keys = sys.argv[2].split(".")
if keys[0] == "procedures":
    v = next((p for p in j.get("procedures", []) if p.get("name") == keys[1]), {})
    keys = keys[2:]
else:
    v = j
for k in keys:
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(v if v != {} else -1)
PY
}

# Procedures run concurrently (the SMF's subscription read used to race the UDM's worker
# on one SQLite connection; it now goes through Nudm_SDM on the worker, and the store
# serialises its callers). SERIAL='--max-inflight 1' runs them one at a time.
SERIAL=${SERIAL-}

# 1. registration+session+release, 20 IPv4 UEs
{ gnb_yaml; echo "ues:"; tpl 1 20 ipv4 internet; } >"$tmp/s1.yaml"
timeout 120 "$S" load -c "$tmp/s1.yaml" --procedure registration+session+release --rate 50 $SERIAL \
  --timeout-ms 3000 --json >"$tmp/r1.json" 2>"$tmp/r1.err"
P=procedures.registration+session+release
ok=$(field "$tmp/r1.json" $P.ok)
[ "$ok" = 20 ] || { fail "registration+session+release: $ok of 20 ok"; head -c 3000 "$tmp/r1.json"; tail -5 "$tmp/r1.err"; }
for k in user_plane.est_ok user_plane.rel_ok user_plane.n2_setup_ok user_plane.n2_released; do
  v=$(field "$tmp/r1.json" $k)
  [ "$v" = 20 ] || fail "$k = $v (want 20)"
done
[ "$(field "$tmp/r1.json" user_plane.tunnels)" = 0 ] || fail "gNB tunnels left after release"
# the core's side: every UPF session (PFCP) created was deleted again
upf_sessions() { echo "$(grep -c "upf: session .* established" "$tmp/run.log") $(grep -c "upf: session .* deleted" "$tmp/run.log")"; }
[ "$(upf_sessions)" = "20 20" ] || fail "UPF sessions established/deleted after step 1: $(upf_sessions)"
/usr/bin/python3 - "$tmp/r1.json" <<'PY' || fail "step latencies missing"
import json, sys
p = next(p for p in json.load(open(sys.argv[1]))["procedures"] if p["name"] == "registration+session+release")
steps = {s["name"]: s for s in p["steps"]}
for n in ("pdu_session_establishment_request->accept", "pdu_session_release_request->command"):
    assert steps[n]["count"] == 20, (n, steps[n])
    print("%s: p50 %s us, p99 %s us" % (n, steps[n].get("p50_us"), steps[n].get("p99_us")))
PY

# 2. in-process traffic, 10 IPv4v6 UEs, 5 pings/s each way for 3 s
{ gnb_yaml; printf 'traffic: {ping_rate: 5, ping_ipv4: 10.45.0.1, ping_ipv6: "2001:db8:cafe::1"}\nues:\n'; tpl 21 10 ipv4v6 internet; } >"$tmp/s2.yaml"
timeout 120 "$S" load -c "$tmp/s2.yaml" --procedure registration+session --rate 50 $SERIAL \
  --timeout-ms 3000 --traffic 3 --json >"$tmp/r2.json" 2>"$tmp/r2.err"
ok=$(field "$tmp/r2.json" procedures.registration+session.ok)
[ "$ok" = 10 ] || { fail "registration+session (traffic): $ok of 10"; tail -5 "$tmp/r2.err"; }
sent=$(field "$tmp/r2.json" user_plane.ping_sent)
recv=$(field "$tmp/r2.json" user_plane.ping_recv)
ra=$(field "$tmp/r2.json" user_plane.ra_recv)
echo "in-process pings: $recv of $sent answered; $ra router advertisements"
[ "$sent" -ge 200 ] 2>/dev/null || fail "ping_sent $sent (want >= 200: 10 UEs x 5/s x 3 s x v4+v6)"
[ "$recv" -ge $((sent * 9 / 10)) ] 2>/dev/null || fail "ping_recv $recv of $sent"
[ "$ra" = 10 ] || fail "router advertisements $ra (want 10)"

# 3. run mode: TUN in a namespace, kernel ping v4/v6, iperf3, then ps-release
{ gnb_yaml; echo "ues:"; tpl 40 1 ipv4v6 internet on on; } >"$tmp/s3.yaml"
"$S" run -c "$tmp/s3.yaml" --procedure registration+session >"$tmp/sim3.log" 2>&1 &
spid=$!
SUPI=imsi-001010000000040
st() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" ue-status $SUPI 2>/dev/null; }
js() { st | /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin)['ue'].get('pdu_sessions',[]); print(s[0].get('$1','') if s else '')" 2>/dev/null; }
for _ in $(seq 100); do [ -n "$(js ipv6)" ] && break; sleep 0.1; done
tun=$(js tun)
ue4=$(js ipv4)
ue6=$(js ipv6)
echo "UE $SUPI: $tun, $ue4, $ue6"
[ -n "$tun" ] && [ -n "$ue4" ] || { fail "no TUN session: $(st) $(tail -5 "$tmp/sim3.log")"; }
if [ -n "$tun" ]; then
  ip netns exec "$tun" ping -c 3 -i 0.2 -W 2 10.45.0.1 >"$tmp/ping4" || fail "ping 10.45.0.1 through $tun: $(cat "$tmp/ping4")"
  [ -n "$ue6" ] || fail "no IPv6 address (router advertisement)"
  [ -n "$ue6" ] && { ip netns exec "$tun" ping -6 -c 3 -i 0.2 -W 2 2001:db8:cafe::1 >"$tmp/ping6" || fail "ping6 through $tun: $(cat "$tmp/ping6")"; }
  timeout 40 iperf3 -s -B 10.45.0.1 -p "$IPERF" -1 >"$tmp/iperf-s" 2>&1 &
  ipid=$!
  sleep 0.5
  # paced below the session-AMBR (100 Mbit/s UL, enforced by the UPF) so that the
  # measurement is of the path, not of TCP against a policer
  if timeout 30 ip netns exec "$tun" iperf3 -c 10.45.0.1 -p "$IPERF" -t 3 -b 80M -J >"$tmp/iperf.json" 2>&1; then
    bps=$(/usr/bin/python3 -c "import json,sys; print(int(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second']))" "$tmp/iperf.json")
    echo "iperf3 UE -> N6 through uesim TUN + GTP-U + UPF: $((bps / 1000000)) Mbit/s"
    [ "$bps" -gt 1000000 ] || fail "iperf3 $bps bit/s"
  else
    fail "iperf3 through $tun: $(tail -c 500 "$tmp/iperf.json")"
  fi
  wait $ipid 2>/dev/null
  ipid=
  deleted_before=$(grep -c "upf: session .* deleted" "$tmp/run.log")
  timeout 10 "$S" cli --ctl "$tmp/sim.sock" ps-release $SUPI | grep -q '"ok": *true' || fail "cli ps-release refused"
  for _ in $(seq 100); do [ -z "$(js psi)" ] && break; sleep 0.1; done
  [ -z "$(js psi)" ] || fail "session still there after ps-release: $(st)"
  ip netns list | grep -qw "$tun" && fail "namespace $tun left after release"
  up=$(timeout 10 "$S" cli --ctl "$tmp/sim.sock" stats | /usr/bin/python3 -c "import json,sys; u=json.load(sys.stdin)['stats']['user_plane']; print(u['tunnels'], u['tun_created'], u['tun_closed'])")
  [ "$up" = "0 1 1" ] || fail "after release: tunnels/tun_created/tun_closed = $up"
  for _ in $(seq 50); do [ "$(grep -c "upf: session .* deleted" "$tmp/run.log")" -gt "$deleted_before" ] && break; sleep 0.1; done
  [ "$(grep -c "upf: session .* deleted" "$tmp/run.log")" = $((deleted_before + 1)) ] || fail "the UPF did not delete the released session"
fi
kill -INT $spid 2>/dev/null
wait $spid 2>/dev/null
spid=

# 4. a DNN the core does not serve
{ gnb_yaml; echo "ues:"; tpl 50 2 ipv4 nosuchdnn; } >"$tmp/s4.yaml"
timeout 60 "$S" load -c "$tmp/s4.yaml" --procedure registration+session --rate 50 $SERIAL --timeout-ms 3000 --json >"$tmp/r4.json" 2>/dev/null
[ "$(field "$tmp/r4.json" procedures.registration+session.failed)" = 2 ] || fail "unknown DNN: $(head -c 2000 "$tmp/r4.json")"
grep -qE "pdu session reject #|5gmm #9" "$tmp/r4.json" || fail "no reject cause counted: $(head -c 1500 "$tmp/r4.json")"

kill -TERM $pid
rc=0
wait $pid || rc=$?
pid=
[ "$rc" = 0 ] || { fail "core exit status $rc"; grep -vE "DEBUG" "$tmp/run.log" | tail -25; }
if grep -qE "LeakSanitizer|runtime error" "$tmp/run.log"; then fail "sanitizer report in the core log"; fi
[ "$fails" = 0 ] && echo "PASS: test_e2e_session (load with release, traffic v4/v6, TUN+netns ping/ping6/iperf3, release, reject)" || exit 1

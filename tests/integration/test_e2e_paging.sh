#!/usr/bin/env bash
# End to end: network-triggered service request (TS 23.502 §4.2.3.3). `glass5g run`
# (AMF, SMF, UPF in one process, UPF N6 on a TUN device of this test) and glass5g-sim
# (gNB over NGAP/usrsctp, N3 GTP-U on its own loopback address):
#   1. load --procedure paging for N UEs (PAGING_UES, default 20): registration + PDU
#      session, AN release (CM-IDLE), then each UE sends one UDP datagram to its own
#      address; the host routes it into the UPF's N6, the UPF buffers it and reports
#      (PFCP Downlink Data Report), the SMF sends the AMF an N1N2 (activation), the AMF
#      pages (NGAP Paging, T3513), the sim's gNB finds the UE by 5G-S-TMSI, the UE answers
#      with a Service Request (mobile terminated services), its session comes back in the
#      Initial Context Setup and the buffered datagram itself arrives over the new N3
#      tunnel (one trigger per UE: no second one was needed). Latency per step printed.
#   2. kernel ping from the host to an idle UE (paging-response: a UE idle after
#      registration+session is paged and answers; the echo replies come back).
#   3. a UE that never answers (fault paging.paging:drop): T3513 retransmissions then
#      expiry in the AMF (counted, the SMF told), the run ends "not paged".
#   4. Paging for a 5G-S-TMSI the gNB does not know (a UE of step 2's population paged
#      while another simulator is attached) is counted and ignored.
# Needs root (TUN devices); exit 77 (skip) otherwise. Every process is killed on exit;
# every step is bounded by `timeout`.
# Usage: test_e2e_paging.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
G=$build/glass5g
S=$build/glass5g-sim
for b in "$G" "$S"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (TUN device for the UPF's N6)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for t in ip ping; do command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
N=${PAGING_UES:-20}
tmp=$(mktemp -d /tmp/g5pg.XXXXXX)
fails=0
pid= spid= tun=
cleanup() {
  for p in $spid $pid; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  # a simulator killed with a session up leaves its namespace behind
  [ -n "${tun:-}" ] && ip netns list | grep -qw "$tun" && ip netns del "$tun" 2>/dev/null
  [ "$fails" = 0 ] || for f in run.log r1.json r1.err r2.err r3.json r3.err; do [ -f "$tmp/$f" ] && cp "$tmp/$f" "$build/test_e2e_paging.$f"; done
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
TUN=g5p$(( $$ % 100000 ))
# UE pool of this run (a per-run /16 keeps parallel runs' routes apart)
P=10.$(( ($$ % 50) + 150 ))
cat >"$tmp/glass5g.yaml" <<YAML
log: {level: debug}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: $N2, sctp: usrsctp, usrsctp_udp_port: $UDP}
  tacs: [1]
  slices: [{sst: 1}]
  timers: {t3513: 400, paging_retransmissions: 2}
store: {path: $tmp/glass5g.db, key_file: $tmp/glass5g.key}
upf:
  pfcp: {address: $UPF}
  n3: {address: $UPF}
  n6: {tun: $TUN, address: $P.0.1/16}
  ue_pools: [$P.0.0/16]
smf:
  pfcp: {address: $SMF}
  upfs: [{address: $UPF}]
  dnns: [{name: internet, ipv4_pool: $P.0.0/16}]
YAML
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $((N + 40))); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
timeout 60 "$G" subscriber import -c "$tmp/glass5g.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
"$G" run -c "$tmp/glass5g.yaml" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "SMF started" "$tmp/run.log" && break; sleep 0.1; done
grep -q "SMF started" "$tmp/run.log" || { fail "core did not start"; tail -20 "$tmp/run.log"; exit 1; }
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
tpl() { # first count [tun netns]
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$1")
    count: $2
    key: $K
    opc: $OPC
    amf: "8000"
    slices: [{sst: 1}]
    dnn: internet
    session_type: ipv4
    tun: ${3:-off}
    netns: ${4:-off}
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
count() { grep -c "$1" "$tmp/run.log"; }

# 1. paging for N UEs, DL data made by the UEs themselves
{ gnb_yaml; echo "ues:"; tpl 1 "$N"; } >"$tmp/s1.yaml"
timeout 180 "$S" load -c "$tmp/s1.yaml" --procedure paging --rate 100 --timeout-ms 5000 --json \
  >"$tmp/r1.json" 2>"$tmp/r1.err"
ok=$(field "$tmp/r1.json" procedures.paging.ok)
[ "$ok" = "$N" ] || { fail "paging: $ok of $N ok"; head -c 3000 "$tmp/r1.json"; tail -5 "$tmp/r1.err"; }
for k in user_plane.paging_rx user_plane.mt_triggers; do
  v=$(field "$tmp/r1.json" $k)
  [ "$v" = "$N" ] || fail "$k = $v (want $N: one trigger per UE, so the buffered one arrived)"
done
[ "$(field "$tmp/r1.json" user_plane.paging_unknown)" = 0 ] || fail "paging for unknown UEs in step 1"
[ "$(count "N1N2 to the AMF (paging)")" -ge "$N" ] || fail "SMF N1N2 activations: $(count "N1N2 to the AMF (paging)")"
[ "$(count "paged through 1 gNB")" -ge "$N" ] || fail "AMF Paging: $(count "paged through 1 gNB")"
/usr/bin/python3 - "$tmp/r1.json" <<'PY' || fail "paging step latencies missing"
import json, sys
p = next(p for p in json.load(open(sys.argv[1]))["procedures"] if p["name"] == "paging")
steps = {s["name"]: s for s in p["steps"]}
tot50 = tot99 = 0
for n in ("dl_data->paging", "paging->service_accept", "service_accept->dl_data"):
    s = steps[n]
    assert s["count"] == p["ok"], (n, s)
    print("%-24s p50 %6s us  p99 %6s us" % (n, s.get("p50_us"), s.get("p99_us")))
PY

# 2. kernel ping from the N6 side to an idle UE: a fresh UE (TUN in its own network
# namespace, whose kernel answers the echo requests) gets its session, `cli release` takes
# it to CM-IDLE, the ping's first echo request is buffered by the UPF and pages it; the gNB
# starts paging-response for it and the replies come back
{ gnb_yaml; echo "ues:"; tpl $((N + 1)) 1 on on; } >"$tmp/s2.yaml"
"$S" run -c "$tmp/s2.yaml" --procedure registration+session >"$tmp/r2.err" 2>&1 &
spid=$!
SUPI=imsi-00101$(printf %010d $((N + 1)))
st() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" ue-status $SUPI 2>/dev/null; }
js() { st | /usr/bin/python3 -c "import json,sys; u=json.load(sys.stdin)['ue']; s=u.get('pdu_sessions',[]); print(u.get('$1','') if '$1' in u else (s[0].get('$1','') if s else ''))" 2>/dev/null; }
for _ in $(seq 100); do [ -n "$(js ipv4)" ] && break; sleep 0.1; done
ue4=$(js ipv4)
tun=$(js tun)
[ -n "$ue4" ] || fail "no session for $SUPI: $(st) $(tail -5 "$tmp/r2.err")"
timeout 10 "$S" cli --ctl "$tmp/sim.sock" release $SUPI >/dev/null 2>&1 # to CM-IDLE if connected
for _ in $(seq 50); do [ "$(js cm_state)" = idle ] && break; sleep 0.1; done
before=$(count "paged through 1 gNB")
if [ -n "$ue4" ]; then
  ping -c 4 -i 0.3 -W 3 "$ue4" >"$tmp/ping" 2>&1 || true
  [ "$(count "paged through 1 gNB")" -gt "$before" ] || fail "ping to idle $ue4 did not page: cm_state $(js cm_state)"
  rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping")
  echo "kernel ping to idle UE $ue4: ${rx:-0} of 4 replies"
  [ "${rx:-0}" -ge 2 ] || fail "ping through paging: $(cat "$tmp/ping")"
fi

# 4. paging for a UE this gNB does not know: step 1's UEs are idle in the core; DL data to
# one of them is paged to the gNB of the simulator now attached, which has no such UE
ping -c 1 -W 1 $P.0.2 >/dev/null 2>&1
sleep 1.5
unk=$(timeout 10 "$S" cli --ctl "$tmp/sim.sock" stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['stats']['user_plane']['paging_unknown'])" 2>/dev/null)
[ "${unk:-0}" -ge 1 ] || fail "paging for an unknown 5G-S-TMSI not counted (${unk:-?})"
kill -INT $spid 2>/dev/null
wait $spid 2>/dev/null
spid=

# 3. a UE that never answers: T3513 runs out
{ gnb_yaml; echo "ues:"; tpl $((N + 10)) 2; } >"$tmp/s3.yaml"
before=$(count "no answer to paging")
timeout 60 "$S" load -c "$tmp/s3.yaml" --procedure paging --rate 50 --timeout-ms 5000 --json \
  --fault paging.paging:drop >"$tmp/r3.json" 2>"$tmp/r3.err"
[ "$(field "$tmp/r3.json" procedures.paging.failed)" = 2 ] || fail "ignored paging: $(head -c 1500 "$tmp/r3.json")"
grep -q '"not paged"' "$tmp/r3.json" || fail "cause 'not paged' missing: $(head -c 1500 "$tmp/r3.json")"
[ "$(field "$tmp/r3.json" user_plane.paging_dropped)" -ge 6 ] 2>/dev/null || fail "paging_dropped $(field "$tmp/r3.json" user_plane.paging_dropped) (want >= 2 UEs x 3)"
[ "$(count "no answer to paging")" -ge $((before + 2)) ] || fail "T3513 expiry not logged by the AMF"
[ "$(count "could not be paged; the session stays deactivated")" -ge 2 ] || fail "SMF not told of the paging failure"

kill -TERM $pid
rc=0
wait $pid || rc=$?
pid=
[ "$rc" = 0 ] || { fail "core exit status $rc"; grep -vE "DEBUG" "$tmp/run.log" | tail -25; }
grep "UPF buffering" "$tmp/run.log" | sed 's/^.*UPF/UPF/'
flushed=$(sed -n 's/.* \([0-9]*\) sent after activation.*/\1/p' "$tmp/run.log" | tail -1)
[ "${flushed:-0}" -ge "$N" ] || fail "buffered packets sent after activation: ${flushed:-?} (want >= $N)"
if grep -qE "LeakSanitizer|runtime error" "$tmp/run.log"; then fail "sanitizer report in the core log"; fi
[ "$fails" = 0 ] && echo "PASS: test_e2e_paging ($N UEs paged, ping to an idle UE, unknown 5G-S-TMSI, T3513 expiry)" || exit 1

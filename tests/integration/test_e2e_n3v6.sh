#!/usr/bin/env bash
# End to end: N3 over IPv6 (TS 29.281 over IPv6; TS 38.413 §9.3.2.2 transport addresses of
# 128 / 160 bits; TS 29.244 F-TEID V6 and Outer Header Creation GTP-U/UDP/IPv6).
# Everything runs inside a network namespace of its own (loopback, ULA addresses, the UPF's
# N6 TUN and its routes), so parallel tests never share a TUN name, a UE route or port 2152:
#   1. IPv6-only N3: the UPF on fd00:5::7, the gNB on fd00:5::2; 10 UEs register, open an
#      IPv4v6 session and ping the N6 side (in-process pings, IPv4 and IPv6) for 3 s;
#   2. dual N3 (both ends IPv4 + IPv6): the same, and the tunnels take IPv6;
#   3. a gNB with only IPv4 N3 against the IPv6-only UPF: the gNB refuses the tunnel
#      (no common address family), the sessions fail cleanly, nothing is left in the UPF.
# In 1 and 2 tshark captures N3 on the namespace's loopback and must see GTP-U G-PDUs over
# IPv6 both ways (and none over IPv4), decoded without a malformed packet.
# Needs root (namespace, TUN); exit 77 (skip) otherwise. Usage: test_e2e_n3v6.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_e2e_lib.bash"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN device)"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for t in ip nsenter; do command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
e2e_init "$1"
NS=g5n3v6$$
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }
# nsenter execs the command itself (`ip netns exec` may stay in between as a parent), so
# "$NSE" cmd & gives in $! the process to signal (a shell function would put a subshell there)
NSE=(nsenter --net="/var/run/netns/$NS")
in_ns() { "${NSE[@]}" "$@"; }
cleanup_ns() {
  e2e_cleanup
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null
}
trap cleanup_ns EXIT
in_ns ip link set lo up
for a in fd00:5::7 fd00:5::2; do in_ns ip -6 addr add $a/128 dev lo nodad; done
in_ns ip addr add 127.0.5.2/32 dev lo 2>/dev/null # gNB IPv4 N3 (127/8 is on lo anyway)
have_tshark=1
command -v tshark >/dev/null && command -v dumpcap >/dev/null || have_tshark=0

core_yaml() { # N3-address-lines
  cat <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: 38412, sctp: usrsctp, usrsctp_udp_port: 9899}
  tacs: [1]
  slices: [{sst: 1}]
store: {path: $tmp/core.db, key_file: $tmp/core.key}
upf:
  pfcp: {address: 127.0.0.7}
  n3: {$1}
  n6: {tun: g5v6, address: 10.45.0.1/16, address6: "2001:db8:cafe::1/48"}
smf:
  pfcp: {address: 127.0.0.4}
YAML
}
sim_yaml() { # N3-address-lines first count
  cat <<YAML
log: {level: warn}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [{address: 127.0.0.1, port: 38412}]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: 9899} # the AMF's; the gNB takes +1
  n3: {$1}
traffic: {ping_rate: 5, ping_ipv4: 10.45.0.1, ping_ipv6: "2001:db8:cafe::1"}
ues:
YAML
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$2")
    count: $3
    key: $K
    opc: $OPC
    amf: "8000"
    slices: [{sst: 1}]
    dnn: internet
    session_type: ipv4v6
YAML
}
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 40); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"

core_start() { # name n3
  core_yaml "$2" >"$tmp/$1.yaml"
  [ -f "$tmp/core.db" ] || timeout 60 "$G" subscriber import -c "$tmp/$1.yaml" "$tmp/subs.csv" >/dev/null || { fail "subscriber import"; exit 1; }
  "${NSE[@]}" "$G" run -c "$tmp/$1.yaml" >"$tmp/$1.log" 2>&1 &
  core_pid=$!
  E2E_PIDS+=("$core_pid")
  for _ in $(seq 100); do grep -q "SMF started" "$tmp/$1.log" && break; sleep 0.1; done
  grep -q "SMF started" "$tmp/$1.log" || { fail "core $1 did not start"; tail -20 "$tmp/$1.log"; exit 1; }
  sleep 0.5 # PFCP association
}
core_stop() { # name sessions-left (the UEs stay registered with their sessions: no leak)
  kill -TERM "$core_pid"
  local rc=0
  wait "$core_pid" || rc=$?
  [ "$rc" = 0 ] || fail "core $1 exit status $rc"
  grep -qE "LeakSanitizer|runtime error" "$tmp/$1.log" && fail "sanitizer report in $1"
  grep -q "UPF stopped: $2 sessions.*indexes seid/teid/ue4/ue6 $2/$2/$2/$2" "$tmp/$1.log" ||
    fail "$1: UPF state left at shutdown: $(grep "UPF stopped" "$tmp/$1.log")"
}
capture_start() { # file
  cap_pid=
  [ "$have_tshark" = 1 ] || return 0
  "${NSE[@]}" dumpcap -i lo -f "udp port 2152" -w "$1" -q >"$1.log" 2>&1 &
  cap_pid=$!
  E2E_PIDS+=("$cap_pid")
  for _ in $(seq 100); do grep -q "Capturing on" "$1.log" && break; sleep 0.1; done
}
capture_check() { # file what
  [ -n "$cap_pid" ] || { echo "tshark not installed: no capture check"; return 0; }
  sleep 0.5
  kill -TERM "$cap_pid" 2>/dev/null # (SIGINT is ignored by background jobs)
  wait "$cap_pid" 2>/dev/null
  local v4 bad
  local up down
  # the outer header's version: the first ip.version of each G-PDU (the inner packet follows)
  v4=$(tshark -r "$1" -Y "gtp.message == 255" -T fields -e ip.version 2>/dev/null | awk -F, '$1 == 4' | wc -l)
  bad=$(tshark -r "$1" -Y "_ws.malformed || _ws.expert.severity == error" 2>/dev/null | wc -l)
  up=$(tshark -r "$1" -Y "ipv6.dst == fd00:5::7 && gtp.message == 255" 2>/dev/null | wc -l)
  down=$(tshark -r "$1" -Y "ipv6.dst == fd00:5::2 && gtp.message == 255" 2>/dev/null | wc -l)
  echo "$2: N3 capture: $up uplink + $down downlink G-PDUs over IPv6, $v4 over IPv4, $bad malformed"
  [ "$up" -gt 0 ] && [ "$down" -gt 0 ] || fail "$2: no GTP-U over IPv6 both ways ($up up, $down down)"
  [ "$v4" = 0 ] || fail "$2: $v4 G-PDUs over IPv4"
  [ "$bad" = 0 ] || fail "$2: $bad malformed packets"
}
run_traffic() { # what n3-gnb first count
  sim_yaml "$2" "$3" "$4" >"$tmp/sim.yaml"
  capture_start "$tmp/$1.pcapng"
  timeout 120 "${NSE[@]}" "$S" load -c "$tmp/sim.yaml" --procedure registration+session --rate 50 \
    --timeout-ms 3000 --traffic 3 --json >"$tmp/$1.json" 2>"$tmp/$1.err"
  local ok sent recv
  ok=$(field "$tmp/$1.json" registration+session ok)
  sent=$(field "$tmp/$1.json" - user_plane.ping_sent)
  recv=$(field "$tmp/$1.json" - user_plane.ping_recv)
  echo "$1: $ok of $4 registration+session ok; pings $recv of $sent answered"
  [ "$ok" = "$4" ] || { fail "$1: $ok of $4 ok"; tail -5 "$tmp/$1.err"; head -c 1500 "$tmp/$1.json"; }
  [ "$sent" -ge $(($4 * 20)) ] 2>/dev/null || fail "$1: ping_sent $sent"
  [ "$recv" -ge $((sent * 9 / 10)) ] 2>/dev/null || fail "$1: ping_recv $recv of $sent"
  capture_check "$tmp/$1.pcapng" "$1"
}

# 1. IPv6-only N3
core_start v6only 'address: "fd00:5::7"'
grep -q "N3 \[fd00:5::7\]:2152" "$tmp/v6only.log" || fail "UPF N3 not on [fd00:5::7]: $(grep 'UPF up' "$tmp/v6only.log")"
run_traffic v6only 'address: "fd00:5::2"' 1 10

# 3. an IPv4-only gNB cannot reach the IPv6-only UPF: refused, nothing leaks
sim_yaml 'address: 127.0.5.2' 11 2 >"$tmp/sim4.yaml"
timeout 60 "${NSE[@]}" "$S" load -c "$tmp/sim4.yaml" --procedure registration+session --rate 50 \
  --timeout-ms 3000 --json >"$tmp/v4gnb.json" 2>"$tmp/v4gnb.err"
[ "$(field "$tmp/v4gnb.json" registration+session ok)" = 0 ] || fail "IPv4 gNB vs IPv6 UPF: sessions came up"
echo "IPv4-only gNB vs IPv6-only UPF: $(field "$tmp/v4gnb.json" - user_plane.n2_setup_failed) of 2 tunnels refused by the gNB"
[ "$(field "$tmp/v4gnb.json" - user_plane.n2_setup_failed)" = 2 ] || fail "IPv4 gNB: n2_setup_failed $(field "$tmp/v4gnb.json" - user_plane.n2_setup_failed) (want 2)"
core_stop v6only 10 # step 3 added none: its two sessions were deleted

# 2. dual N3: IPv6 is taken
core_start dual 'address: 127.0.0.7, address6: "fd00:5::7"'
run_traffic dual 'address: 127.0.5.2, address6: "fd00:5::2"' 21 10
core_stop dual 10

e2e_done test_e2e_n3v6

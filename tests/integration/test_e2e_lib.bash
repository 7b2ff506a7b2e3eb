# Shared helpers of the end-to-end tests (tests/integration/test_e2e_*.sh): sourced, not a
# test itself (ctest picks up test_*.sh only). A test calls e2e_init BUILD_DIR, then
# e2e_core NAME [extra amf yaml] for each `glass5g run` it needs, e2e_start NAME, writes a
# simulator config with gnb_yaml/tpl and runs `glass5g-sim load` with sim; field reads
# the JSON report. Every process started here is killed on exit.
# shellcheck shell=bash
E2E_PIDS=()
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
e2e_cleanup() {
  local p
  for p in "${E2E_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "${tmp:-}" ] && [ -z "${E2E_KEEP:-}" ] && rm -rf "$tmp"
}
e2e_init() { # BUILD_DIR
  build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
  G=$build/glass5g
  S=$build/glass5g-sim
  for b in "$G" "$S"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
  "$G" run --help 2>&1 | grep -q -- "--print-hn-keys" || { echo "SKIP: glass5g run has no --print-hn-keys"; exit 77; }
  tmp=$(mktemp -d /tmp/g5e2e.XXXXXX)
  trap e2e_cleanup EXIT
}
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
# e2e_core NAME [AMF_EXTRA_YAML]: writes $tmp/NAME.yaml (own N2 port, own store); sets
# N2_<NAME> and UDP_<NAME>. AMF_EXTRA_YAML lines are appended under amf: (2-space indent).
e2e_core() {
  local name=$1 extra=${2:-} n2 udp
  n2=$(free_port tcp)
  udp=$(free_port udp)
  # the simulator's encapsulation port is the first AMF's + 1: keep it free as well, and
  # out of the way of the other cores' ports
  while ! /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1])))" $((udp + 1)) 2>/dev/null ||
    [[ " ${E2E_UDPS:-} " == *" $udp "* || " ${E2E_UDPS:-} " == *" $((udp + 1)) "* || " ${E2E_UDPS:-} " == *" $((udp - 1)) "* ]]; do
    udp=$(free_port udp)
  done
  E2E_UDPS="${E2E_UDPS:-} $udp"
  printf -v "N2_$name" %s "$n2"
  printf -v "UDP_$name" %s "$udp"
  cat >"$tmp/$name.yaml" <<YAML
log: {level: info}
plmn: {mcc: "001", mnc: "01"}
amf:
  n2: {address: 127.0.0.1, port: $n2, sctp: usrsctp, usrsctp_udp_port: $udp}
  tacs: [1]
  slices: [{sst: 1}]
$extra
store: {path: $tmp/$name.db, key_file: $tmp/$name.key}
# registration only: no UPF, so tests running in parallel never fight over a TUN
# device and the 10.45.0.0/16 route (test_e2e_session runs the user plane)
upf: {enabled: false}
YAML
}
# e2e_subs NAME FILE.csv: imports subscribers (header supi,k,opc,amf,sqn[,auth]).
e2e_subs() {
  timeout 60 "$G" subscriber import -c "$tmp/$1.yaml" "$2" >/dev/null || { fail "subscriber import into $1"; exit 1; }
}
# e2e_hn_keys NAME: sets pubA idA pubB idB from `glass5g run --print-hn-keys`.
e2e_hn_keys() {
  local keys
  keys=$(timeout 30 "$G" run -c "$tmp/$1.yaml" --print-hn-keys 2>/dev/null)
  pubA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
  pubB=$(sed -nE 's/.*"profile": "B", "hn_key_id": ([0-9]+), "public_key": "([0-9a-f]+)".*/\2/p' <<<"$keys")
  idA=$(sed -nE 's/.*"profile": "A", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
  idB=$(sed -nE 's/.*"profile": "B", "hn_key_id": ([0-9]+).*/\1/p' <<<"$keys")
  [ -n "$pubA" ] && [ -n "$pubB" ] || { fail "no HN public keys from --print-hn-keys: $keys"; exit 1; }
}
# e2e_start NAME: starts `glass5g run` (log in $tmp/NAME.log), waits for the AMF; sets
# PID_<NAME>.
e2e_start() {
  local name=$1
  "$G" run -c "$tmp/$name.yaml" >>"$tmp/$name.log" 2>&1 &
  local p=$!
  E2E_PIDS+=("$p")
  printf -v "PID_$name" %s "$p"
  for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/$name.log" && break; sleep 0.1; done
  grep -q "AMF .* started" "$tmp/$name.log" || { fail "core $name did not start"; cat "$tmp/$name.log"; exit 1; }
}
# e2e_stop NAME: SIGTERM, expects exit status 0 and no sanitizer report.
e2e_stop() {
  local name=$1 v="PID_$1" rc=0
  kill -TERM "${!v}" 2>/dev/null
  wait "${!v}" || rc=$?
  [ "$rc" = 0 ] || fail "core $name exit status $rc"
  if grep -qE "LeakSanitizer|runtime error" "$tmp/$name.log"; then fail "sanitizer report in the $name log"; fi
}
# gnb_yaml PORT UDP [more "PORT" ...]: the gNB part of a simulator config; templates follow.
gnb_yaml() {
  local udp=$2 a="{address: 127.0.0.1, port: $1}"
  shift 2
  for p in "$@"; do a="$a, {address: 127.0.0.1, port: $p}"; done
  cat <<YAML
log: {level: warn}
gnb:
  mcc: "001"
  mnc: "01"
  tac: 1
  slices: [{sst: 1}]
  amf_addresses: [$a]
  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: $udp}
ctl: {path: $tmp/sim.sock}
ues:
YAML
}
# tpl FIRST COUNT KEY SCHEME [PUB ID [SQN [SST]]]: one UE template.
tpl() {
  cat <<YAML
  - supi: imsi-00101$(printf %010d "$1")
    count: $2
    key: $3
    opc: $OPC
    amf: "8000"
    sqn: ${7:-0x20}
    protection_scheme: "$4"
    slices: [{sst: ${8:-1}}]
    imeisv: "4370816125816151"
YAML
  [ -n "${5:-}" ] && printf '    hn_public_key: %s\n    hn_key_id: %s\n' "$5" "$6"
  return 0
}
sim() { # config-file json-out extra-args...
  local cfg=$1 out=$2
  shift 2
  timeout 180 "$S" load -c "$cfg" --timeout-ms 3000 --json "$@" >"$out" 2>"$out.err"
}
field() { # json-file procedure key (a.b for nested; key "unroutable" at top level)
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except Exception:
    print(-1); sys.exit(0)
if sys.argv[2] == "-":
    v = j
    for k in sys.argv[3].split("."):
        v = v.get(k, 0) if isinstance(v, dict) else 0
    print(v); sys.exit(0)
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
e2e_done() { # NAME of the test
  [ "$fails" = 0 ] && echo "PASS: $1" && exit 0
  echo "FAILED: $1 ($fails checks)"
  exit 1
}

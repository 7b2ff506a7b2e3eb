#!/usr/bin/env bash
# `glass5g run` end to end: a temporary configuration and database, subscribers provisioned
# with `glass5g subscriber add` while the core runs (the SQLite store is shared, WAL), the
# SUCI home-network public keys printed for the simulator, an N2 association over usrsctp
# with an NG Setup answered (the gNB is the one-shot client mode of test_amf_n2), a log
# line per NF started, and a clean SIGTERM shutdown (exit 0; in the ASan build any leak
# fails the exit code). tshark is not needed here: the NGAP content is checked in the
# unit tests, this checks the process.
# Usage: test_amf_run.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
G=$build/glass5g
CLIENT=$build/test_amf_n2
[ -x "$CLIENT" ] || { echo "SKIP: $CLIENT not built"; exit 77; }
tmp=$(mktemp -d /tmp/g5amf.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

free_port() { # a free port of the given socket type (udp|tcp), from the kernel
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

"$G" run -c "$tmp/glass5g.yaml" --check | grep -q "configuration OK" || fail "--check"

# HN public keys: generated at first use, stable afterwards (the simulator is configured once)
k1=$("$G" run -c "$tmp/glass5g.yaml" --print-hn-keys 2>/dev/null)
k2=$("$G" run -c "$tmp/glass5g.yaml" --print-hn-keys 2>/dev/null)
grep -qE '"profile": "A", "hn_key_id": 1, "public_key": "[0-9a-f]{64}"' <<<"$k1" || fail "profile A key: $k1"
grep -qE '"profile": "B", "hn_key_id": 2, "public_key": "0[23][0-9a-f]{64}"' <<<"$k2" || fail "profile B key: $k2"
[ "$k1" = "$k2" ] || fail "HN keys changed between runs"
[ -f "$tmp/glass5g.key" ] || fail "key file not created"

"$G" run -c "$tmp/glass5g.yaml" --pcap "$tmp/n2.pcap" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "AMF .* started" "$tmp/run.log" && break; sleep 0.1; done
for nf in "store .* open" "UDR started" "UDM started" "AUSF started" "AMF glass5g-amf started: N2 on 127.0.0.1:$N2 \(SCTP usrsctp\)"; do
  grep -qE "$nf" "$tmp/run.log" || fail "no log line '$nf'"
done

"$G" subscriber add -c "$tmp/glass5g.yaml" --supi imsi-001010000000001 \
  --k 465b5ce8b199b49faa5f0a2ee238a6bc --opc cd63cb71954a9f4e48a5994e37a02baf >/dev/null ||
  fail "subscriber add while running"

out=$(AMF_N2_CLIENT_PORT=$N2 AMF_N2_UDP_PORT=$UDP timeout 30 "$CLIENT" 2>&1)
grep -q "NG Setup Response received" <<<"$out" || fail "NG Setup over N2: $out"
for _ in $(seq 50); do grep -q "NG Setup from n2-test-gnb" "$tmp/run.log" && break; sleep 0.1; done
grep -q "NG Setup from n2-test-gnb .* accepted" "$tmp/run.log" || fail "no NG Setup log line"

kill -TERM $pid
rc=0
wait $pid || rc=$?
pid=
[ "$rc" = 0 ] || { fail "exit status $rc after SIGTERM"; tail -20 "$tmp/run.log"; }
grep -q "shutting down" "$tmp/run.log" || fail "no shutdown log line"
if grep -qE "ERROR|LeakSanitizer|runtime error" "$tmp/run.log"; then
  fail "errors in the log"; grep -E "ERROR|LeakSanitizer|runtime error" "$tmp/run.log" | head
fi
# Oracle: tshark dissects the --pcap capture as NGAP (both directions, nothing malformed).
if command -v tshark >/dev/null; then
  dis=$(tshark -r "$tmp/n2.pcap" 2>&1)
  grep -q "NGSetupRequest" <<<"$dis" || fail "tshark: no NGSetupRequest in the capture: $dis"
  grep -q "NGSetupResponse" <<<"$dis" || fail "tshark: no NGSetupResponse in the capture: $dis"
  ! grep -qi "malformed" <<<"$dis" || fail "tshark: malformed packet: $dis"
else
  echo "note: tshark not installed, pcap not dissected"
fi
[ "$fails" = 0 ] && echo "PASS: test_amf_run" || exit 1

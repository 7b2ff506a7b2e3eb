#!/usr/bin/env bash
# NGAP bundling on the wire, as an independent dissector sees it: captures the burst of
# test_burst_in_order (20 messages of 100 bytes sent in one loop iteration, then one alone)
# over usrsctp on loopback, twice: with bundling (default) tshark must find SCTP packets
# carrying several DATA chunks (RFC 9260 §6.10), and with G5_SCTP_BUNDLE=0 (one packet per
# send, the behaviour before) fewer per packet. Every packet must decode without error.
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR}
bin=$build/test_sctp_usrsctp
[ -x "$bin" ] || { echo "SKIP: $bin not built"; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
tmp=$(mktemp -d); cap=
trap '[ -n "$cap" ] && kill $cap 2>/dev/null; rm -rf "$tmp"' EXIT

# capture one run of the burst test; prints the largest number of DATA chunks in a packet
run() {
  local bundle=$1 port pcap=$tmp/burst$1.pcap last size
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  tcpdump -i lo -U -n -w "$pcap" "udp port $port" 2>"$tmp/tcpdump$1.log" &
  cap=$!
  for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump$1.log" && break; sleep 0.1; done
  sleep 1
  if ! kill -0 $cap 2>/dev/null; then echo "SKIP: tcpdump cannot capture on lo" >&2; exit 77; fi
  G5_SCTP_BUNDLE=$bundle G5_SCTP_UDP_PORT=$port SCTP_TEST_FILTER='*burst*' "$bin" >"$tmp/test$1.log" 2>&1 \
    || { cat "$tmp/test$1.log" >&2; echo "FAIL: burst test (G5_SCTP_BUNDLE=$bundle)" >&2; exit 1; }
  last=-1
  for _ in $(seq 20); do
    sleep 0.5
    size=$(stat -c %s "$pcap" 2>/dev/null || echo 0)
    [ "$size" -gt 24 ] && [ "$size" = "$last" ] && break
    last=$size
  done
  kill -INT $cap; wait $cap 2>/dev/null; cap=
  bad=$(tshark -r "$pcap" -d "udp.port==$port,sctp" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
  [ "$bad" -eq 0 ] || { echo "FAIL: $bad malformed packets (G5_SCTP_BUNDLE=$bundle)" >&2; exit 1; }
  # DATA chunks (type 0) of 100-byte NGAP-PPID payloads per packet
  tshark -r "$pcap" -d "udp.port==$port,sctp" -Y 'sctp.data_payload_proto_id == 60' \
    -T fields -e sctp.chunk_type 2>/dev/null |
    awk -F, '{n=0; for (i=1;i<=NF;i++) if ($i==0) n++; if (n>m) m=n} END {print m+0}'
}

with=$(run 1) || exit $?
without=$(run 0) || exit $?
echo "largest number of DATA chunks in one SCTP packet: $with bundled, $without with G5_SCTP_BUNDLE=0"
[ "$with" -ge 5 ] || { echo "FAIL: the burst was not bundled"; exit 1; }
[ "$with" -gt "$without" ] || { echo "FAIL: bundling made no difference"; exit 1; }
echo "ok: a burst of NGAP messages leaves bundled in few SCTP packets"

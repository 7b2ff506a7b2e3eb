#!/usr/bin/env bash
# N2 over usrsctp as an independent dissector sees it: captures the NG Setup Request that
# test_sctp_usrsctp sends (SCTP over UDP, RFC 6951) on loopback and requires tshark to
# decode it as SCTP (PPID 60, stream 0, port 38412) carrying NGAP NGSetupRequest
# (procedureCode 21), with no malformed packet anywhere in the capture.
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR}
bin=$build/test_sctp_usrsctp
[ -x "$bin" ] || { echo "SKIP: $bin not built"; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
tmp=$(mktemp -d); trap 'kill $cap 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pcap=$tmp/n2.pcap
tcpdump -i lo -U -n -w "$pcap" "udp port $port" 2>"$tmp/tcpdump.log" &
cap=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.1; done
sleep 1
if ! kill -0 $cap 2>/dev/null; then echo "SKIP: tcpdump cannot capture on lo: $(cat "$tmp/tcpdump.log")"; exit 77; fi
G5_SCTP_UDP_PORT=$port SCTP_TEST_FILTER='*ng_setup*' "$bin" || { echo "FAIL: NG Setup exchange"; exit 1; }
# Under load tcpdump may still be draining the kernel buffer: wait until the capture file
# has stopped growing (bounded to 10 s) before stopping it.
last=-1
for _ in $(seq 20); do
  sleep 0.5
  size=$(stat -c %s "$pcap" 2>/dev/null || echo 0)
  [ "$size" -gt 24 ] && [ "$size" = "$last" ] && break
  last=$size
done
kill -INT $cap; wait $cap 2>/dev/null; tail -3 "$tmp/tcpdump.log"
echo "packets: $(tshark -r "$pcap" 2>/dev/null | wc -l)"
tsh() { tshark -r "$pcap" -d "udp.port==$port,sctp" "$@" 2>/dev/null; }
fields=$(tsh -Y ngap -T fields -e sctp.data_payload_proto_id -e sctp.data_sid -e sctp.dstport \
  -e ngap.procedureCode)
echo "tshark NGAP packets (ppid sid dport procedureCode):"; echo "$fields"
[ "$(echo "$fields" | grep -c $'^60\t0x0000\t38412\t21$')" -ge 1 ] || { echo "FAIL: no NGSetupRequest from gNB to 38412"; exit 1; }
[ "$(echo "$fields" | grep -c $'^60\t0x0000\t[0-9]*\t21$')" -ge 2 ] || { echo "FAIL: echo not decoded"; exit 1; }
verbose=$(tsh -V -Y ngap)
echo "$verbose" | grep -q 'NGSetupRequest' || { echo "FAIL: not dissected as NGSetupRequest"; exit 1; }
# The whole association (INIT .. SHUTDOWN-COMPLETE) decodes as SCTP with no malformed packet.
chunks=$(tsh -T fields -e sctp.chunk_type | tr ',' '\n' | sort -un | tr '\n' ' ')
echo "SCTP chunk types seen: $chunks"
for t in 1 2 10 11 0 7 8 14; do  # INIT INIT-ACK COOKIE-ECHO COOKIE-ACK DATA SHUTDOWN(-ACK/-COMPLETE)
  [[ " $chunks " == *" $t "* ]] || { echo "FAIL: chunk type $t missing"; exit 1; }
done
bad=$(tsh -Y '_ws.malformed || _ws.expert.severity == error' | wc -l)
[ "$bad" -eq 0 ] || { echo "FAIL: $bad malformed/error packets"; tsh -Y '_ws.malformed || _ws.expert.severity == error'; exit 1; }
echo "ok: tshark decodes N2 over usrsctp as NGAP over SCTP over UDP"

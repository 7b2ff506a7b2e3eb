#!/usr/bin/env bash
# glass5g-sim end to end: `load --procedure echo` (the framework self-test) with 10,000 UEs
# finishes and its report adds up; injected faults show up as failure causes; 5G
# procedures refuse with "not yet integrated"; bad configs give file:line:col errors;
# `run` serves the control socket and `cli` talks to it. Usage: test_sim_cli.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
sim="$build/glass5g-sim"
py=/usr/bin/python3
[ -x "$sim" ] || { echo "glass5g-sim not built"; exit 1; }
tmp=$(mktemp -d)
runpid=
cleanup() { [ -n "$runpid" ] && kill "$runpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "== --help everywhere"
for c in "" load run cli; do
  # shellcheck disable=SC2086
  "$sim" $c --help >/dev/null || fail "glass5g-sim $c --help"
done
"$sim" >/dev/null 2>&1 && fail "no command must be a usage error" || [ $? -eq 2 ]

echo "== load echo, 10,000 UEs: the report adds up"
"$sim" load --ues 10000 --rate 50000 --max-inflight 500 --procedure echo --json >"$tmp/r.json"
$py - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["procedures"][0]
assert r["ues"] == 10000, r["ues"]
assert p["name"] == "echo"
assert p["started"] == p["ok"] == 10000 and p["failed"] == 0, p
assert [s["count"] for s in p["steps"]] == [10000, 10000], p["steps"]
assert p["total"]["count"] == 10000
t = p["total"]
assert 0 < t["p50_us"] <= t["p90_us"] <= t["p99_us"] <= t["max_us"], t
assert p["per_second"] > 0 and r["peak_inflight"] <= 500
assert r["memory"]["sizeof_sim_ue"] <= 64
print("ok: %d procedures, %.0f/s, p99 %.1f us" % (p["ok"], p["per_second"], t["p99_us"]))
PY

echo "== faults become failure causes, and counts still add up"
rc=0
"$sim" load --ues 2000 --rate 100000 --procedure echo --timeout-ms 100 --json \
  --fault echo.request:corrupt_mac:0.1 --fault echo.second_request:drop:0.05 >"$tmp/f.json" || rc=$?
[ "$rc" -eq 1 ] || fail "a load with failures must exit 1 (got $rc)"
$py - "$tmp/f.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["procedures"][0]
f = p["failures"]
assert p["ok"] + p["failed"] == p["started"] == 2000, p
assert sum(f.values()) == p["failed"], f
assert f.get("MAC failure", 0) > 100 and f.get("timeout", 0) > 20, f
assert p["total"]["count"] == p["ok"]
r = json.load(open(sys.argv[1]))
hits = {x["at_step"]: x["hits"] for x in r["faults"]}
amf = r["echo_amf"]
# Independent tallies agree: the rules' hits, the fake AMF's refusals, the UE-side causes.
assert hits["echo.request"] == amf["bad_mac"] == f["MAC failure"], (hits, amf, f)
assert hits["echo.second_request"] == f["timeout"], (hits, f)
assert amf["rx"] == 2000 + (2000 - f["MAC failure"]) - f["timeout"], amf
print("ok:", f)
PY

echo "== SIGINT mid-run: partial report, exit 1"
"$sim" load --ues 100000 --rate 2000 --procedure echo >"$tmp/int.out" 2>&1 &
pid=$!
# A background job of a script starts with SIGINT ignored until the simulator installs its
# handler, so keep sending until it has been honoured.
sleep 0.5
for _ in $(seq 100); do kill -INT "$pid" 2>/dev/null || break; sleep 0.2; done
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 1 ] || fail "interrupted load must exit 1 (got $rc)"
grep -q "interrupted after" "$tmp/int.out" || fail "no interruption notice"
grep -q "^UEs 100000, elapsed" "$tmp/int.out" || fail "no partial report"

echo "== 5G procedures are not faked"
# registration and sessions need a real AMF (none listens here: test_e2e_registration.sh
# and test_e2e_session.sh run them against glass5g run)
printf 'gnb:\n  amf_addresses: [{address: 127.0.0.1, port: 9}]\n  n2: {sctp: usrsctp, usrsctp_udp_port: 9}\n' >"$tmp/noamf.yaml"
for p in registration+session pdu-session-establishment; do
  out=$(timeout 60 "$sim" load -c "$tmp/noamf.yaml" --ues 10 --procedure "$p" 2>&1) && fail "$p must fail"
  grep -q "no N2 connection to the AMF" <<<"$out" || fail "$p: $out"
done
out=$(timeout 60 "$sim" load -c "$tmp/noamf.yaml" --ues 10 --procedure registration 2>&1) && fail "registration without an AMF must fail"
grep -q "no N2 connection to the AMF" <<<"$out" || fail "registration without an AMF: $out"
"$sim" load --procedure bogus >/dev/null 2>&1 && fail "unknown procedure" || [ $? -eq 2 ]
"$sim" load --procedure echo --rate abc >/dev/null 2>&1 || [ $? -eq 2 ] || fail "bad --rate"

echo "== bad config: file:line:col errors, secrets not echoed"
cat >"$tmp/bad.yaml" <<'YAML'
gnb:
  mcc: "001"
  tacc: 7
ue:
  supi: imsi-001010000000001
  key: 465B5CE8B199B49FAA5F0A2EE238A6
  session_type: ipv5
YAML
out=$("$sim" load -c "$tmp/bad.yaml" --procedure echo 2>&1) && fail "bad config accepted"
grep -q "bad.yaml:3:3: gnb.tacc: unknown key; did you mean 'tac'?" <<<"$out" || fail "$out"
grep -q "bad.yaml:6:8: ue.key: must be exactly 32 hex digits" <<<"$out" || fail "$out"
grep -q "bad.yaml:7:17: ue.session_type" <<<"$out" || fail "$out"
grep -q "465B5CE8" <<<"$out" && fail "key echoed in an error"

echo "== run + control socket"
sock="$tmp/ctl.sock"
sed "s#/tmp/glass5g-sim.sock#$sock#" "${G5_SOURCE_DIR:-$(dirname "$0")/../..}/config/sim.yaml" >"$tmp/sim.yaml"
"$sim" run -c "$tmp/sim.yaml" --procedure echo --rate 20000 2>"$tmp/run.log" &
runpid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$tmp/run.log"; fail "control socket did not appear"; }
"$sim" cli --ctl "$sock" ue-list --limit 5 >"$tmp/list.json"
$py -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["ok"] and a["total"]==1000 and len(a["ues"])==5, a' "$tmp/list.json"
for _ in $(seq 50); do
  "$sim" cli -c "$tmp/sim.yaml" stats >"$tmp/stats.json"
  $py -c 'import json,sys; p=json.load(open(sys.argv[1]))["stats"]["procedures"][0]; sys.exit(0 if p["ok"]==1000 else 1)' "$tmp/stats.json" && break
  sleep 0.1
done
$py -c 'import json,sys; p=json.load(open(sys.argv[1]))["stats"]["procedures"][0]; assert p["ok"]==1000 and p["failed"]==0, p' "$tmp/stats.json"
out=$("$sim" cli --ctl "$sock" ue-status imsi-001010000000007) || fail "ue-status"
grep -q '"procedures_ok": 1' <<<"$out" || fail "ue-status: $out"
"$sim" cli --ctl "$sock" ue-status imsi-001019999999999 >/dev/null 2>&1 && fail "unknown SUPI"
out=$("$sim" cli --ctl "$sock" deregister imsi-001010000000001 2>&1) && fail "deregister must fail"
grep -q "not yet integrated" <<<"$out" || fail "deregister: $out"
out=$("$sim" cli --ctl "$sock" ps-establish imsi-001010000000001 --dnn internet 2>&1) && fail "ps-establish"
grep -q "not yet integrated" <<<"$out" || fail "ps-establish: $out"
# A hostile client (an endless line) is cut off; the simulator keeps answering.
$py - "$sock" <<'PY' || fail "an over-long request line was not refused"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
try:
    s.sendall(b"x" * 100000)
except OSError:
    pass  # the server may close before everything is sent
answer = s.recv(4096).decode()
assert "request longer than" in answer, answer
PY
"$sim" cli --ctl "$sock" stats >/dev/null || fail "stats after hostile client"
kill -TERM "$runpid"
wait "$runpid" || fail "run did not exit cleanly on SIGTERM"
runpid=
[ -S "$sock" ] && fail "control socket left behind"
"$sim" cli --ctl "$sock" stats >/dev/null 2>&1 && fail "cli without a simulator" || [ $? -eq 1 ]
echo "PASS"

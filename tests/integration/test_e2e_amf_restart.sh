#!/usr/bin/env bash
# End to end: the AMF restarts under a running simulator. `glass5g-sim run` (control socket)
# registers 10 UEs; the core is killed (kill -9: no SCTP SHUTDOWN, the gNB learns it from
# the restarted AMF's ABORT or missing heartbeats) and started again on the same store. The
# simulator's gNB reconnects with backoff, redoes NG Setup (TS 38.413 §8.7.1) and, since a
# restarted AMF knows none of its UEs, every UE registers again (initial registration with
# its SUCI) — the expectations of a gNB restart in test_e2e_faults.sh, seen from the gNB
# that stayed up. Then a second restart, this time with SIGTERM (the AMF's SCTP SHUTDOWN).
# Usage: test_e2e_amf_restart.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_e2e_lib.bash"
e2e_init "$1"
N=10
e2e_core core
{
  echo "supi,k,opc,amf,sqn"
  for i in $(seq 1 $N); do printf 'imsi-00101%010d,%s,%s,8000,0\n' "$i" "$K" "$OPC"; done
} >"$tmp/subs.csv"
e2e_subs core "$tmp/subs.csv"
e2e_start core
{ gnb_yaml "$N2_core" "$UDP_core" | sed 's/^log: {level: warn}/log: {level: notice}/'; tpl 1 $N "$K" null; } >"$tmp/sim.yaml"
"$S" run -c "$tmp/sim.yaml" --procedure registration >"$tmp/sim.log" 2>&1 &
sim=$!
E2E_PIDS+=("$sim")
cli() { timeout 10 "$S" cli --ctl "$tmp/sim.sock" "$@" 2>/dev/null; }
registered() { cli ue-list | grep -o '"rm_state": *"registered"' | wc -l; }
wait_registered() { # what
  for _ in $(seq 300); do [ "$(registered)" = $N ] && return 0; sleep 0.1; done
  fail "$1: $(registered) of $N UEs registered; $(tail -5 "$tmp/sim.log")"
  return 1
}
setups() { grep -c "NG Setup from glass5g-sim .* accepted" "$tmp/core.log"; }
wait_registered "at the start" || exit 1
echo "$N UEs registered; NG Setups so far: $(setups)"

restart() { # signal
  local t0 lost
  lost=$(grep -c "AMF 0 lost" "$tmp/sim.log")
  kill -"$1" "$PID_core"
  wait "$PID_core" 2>/dev/null
  t0=$(date +%s.%N)
  sleep 0.5
  e2e_start core
  # the gNB learns of the loss from the new AMF's ABORT (or a missed heartbeat)
  for _ in $(seq 150); do [ "$(grep -c "AMF 0 lost" "$tmp/sim.log")" -gt "$lost" ] && break; sleep 0.1; done
  [ "$(grep -c "AMF 0 lost" "$tmp/sim.log")" -gt "$lost" ] || { fail "SIG$1: the gNB did not notice the AMF restart"; return; }
  wait_registered "after a restart with SIG$1" || return
  echo "SIG$1: all $N UEs registered again $(/usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)") s after the core went down"
}
restart KILL
[ "$(setups)" -ge 2 ] || fail "no second NG Setup after the restart"
reg_after=$(grep -c "registration accepted" "$tmp/core.log")
restart TERM
[ "$(setups)" -ge 3 ] || fail "no third NG Setup after the second restart"
[ "$(grep -c "registration accepted" "$tmp/core.log")" -ge $((reg_after + N)) ] || fail "the second restart did not see $N registrations"
st=$(cli stats)
/usr/bin/python3 - "$st" <<'PY' || fail "simulator report: $st"
import json, sys
s = json.loads(sys.argv[1])["stats"]
print("sim: %s" % {k: s.get(k) for k in ("inflight",) if k in s})
PY
kill -TERM "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
grep -q "AMF 0 lost" "$tmp/sim.log" || fail "the simulator logged no AMF loss"
grep -qE "LeakSanitizer|runtime error" "$tmp/sim.log" && fail "sanitizer report in the simulator"
e2e_stop core
e2e_done test_e2e_amf_restart

#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD/fuzz for SECONDS each, over fuzz/corpus/<name>/
# (seed inputs, checked in) plus a scratch corpus in BUILD/fuzz-work/<name>/.
# Usage: tools/fuzz.sh BUILD_DIR SECONDS     Prints executions per target; fails on a crash.
set -euo pipefail
build=$1
secs=${2:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets built"; exit 0
fi
fail=0
for t in "${targets[@]}"; do
  name=$(basename "$t"); name=${name#fuzz_}
  seed="$src/fuzz/corpus/$name"; work="$build/fuzz-work/$name"
  mkdir -p "$work" "$seed"
  log="$build/fuzz-work/$name.log"
  if ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 "$work" "$seed" >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $name ok, $execs executions in ${secs}s"
  else
    echo "fuzz: $name FAILED (log: $log)"; tail -40 "$log"; fail=1
  fi
done
exit $fail

#!/usr/bin/env bash
# Static analysis of hand-written code: cppcheck, then clang-tidy with the build's
# compile_commands.json. Generated code (src/*/gen/) is excluded: its generator is
# what gets reviewed. Usage: tools/lint.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' | grep -v '/gen/' || true)
[ -n "$files" ] || { echo "lint: nothing to check"; exit 0; }
echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
  --inline-suppr --suppress=missingIncludeSystem -I src $files
echo "lint: clang-tidy"
log=$(mktemp)
# shellcheck disable=SC2086
if printf '%s\n' $files | xargs -P "$(nproc)" -n 8 clang-tidy -p "$build" --quiet \
     --extra-arg=-Wno-unknown-warning-option >"$log" 2>&1; then
  echo "lint: ok"
else
  grep -v 'warnings generated' "$log" | head -100; rm -f "$log"; exit 1
fi
rm -f "$log"

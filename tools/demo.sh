#!/usr/bin/env bash
# `make demo`: the main job. It runs the newest end-to-end thing that works and says what it
# is; as the core and simulator land this grows into: core + simulated gNB/UEs registering
# and passing traffic.
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
if [ -x "$src/tools/demo-e2e.sh" ]; then
  exec "$src/tools/demo-e2e.sh" "$build"
fi
echo "demo: the core network and simulator are not built yet; showing what works today."
echo "demo: validating the default configuration:"
"$build/glass5g" run -c "$src/config/glass5g.yaml" --check
echo "demo: and a configuration error, as a user would see it:"
printf 'amf:\n  tacs: [1, 99999999]\n  slice: []\n' > "$build/demo-bad.yaml"
"$build/glass5g" run -c "$build/demo-bad.yaml" --check || true

#!/usr/bin/env bash
# Regenerates src/ngap/gen/ from spec/ngap.asn (TS 38.413 R17) with tools/asn1gen.
#   tools/gen.sh           write the generated files
#   tools/gen.sh --check   regenerate into a temp dir and diff; exit 1 if they differ
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
gen() { "$py" "$root/tools/asn1gen/asn1gen.py" "$root/spec/ngap.asn" "$1" --prefix NGAP; }
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  gen "$tmp"
  if diff -ru "$root/src/ngap/gen" "$tmp" >/dev/null; then
    echo "gen-check: src/ngap/gen is up to date"
  else
    diff -ru "$root/src/ngap/gen" "$tmp" | head -40
    echo "gen-check: src/ngap/gen differs from tools/asn1gen output; run tools/gen.sh" >&2
    exit 1
  fi
else
  mkdir -p "$root/src/ngap/gen"
  gen "$root/src/ngap/gen"
  echo "gen: wrote $(ls "$root/src/ngap/gen" | wc -l) files to src/ngap/gen"
fi

#!/usr/bin/env bash
# Regenerates all generated code (`make gen`), or with --check verifies that the checked-in
# generated files match their generators (`make gen-check`, run by CI).
# Each generator writes into a scratch directory first; the files are then compared/copied.
#   NGAP:    tools/asn1gen/asn1gen.py spec/ngap.asn (TS 38.413 R17)  -> src/ngap/gen/
#   NAS-5GS: tools/gen_nas_tables.py spec/nas-24501-h90-ch8-9.txt    -> src/nas/gen/
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
[ -x "$py" ] || py=python3
check=0
[ "${1:-}" = "--check" ] && check=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

gen_one() { # name generator-output-dir target-dir
    local name=$1 out=$2 dst=$3
    if [ $check = 1 ]; then
        if diff -r -q "$out" "$dst" >/dev/null; then
            echo "gen-check: $name up to date"
        else
            echo "gen-check: $name differs from its generator (run 'make gen'):"
            diff -r "$out" "$dst" | head -20
            status=1
        fi
    else
        mkdir -p "$dst"
        cp "$out"/* "$dst"/
        echo "gen: $name -> $dst"
    fi
}

mkdir -p "$tmp/ngap"
"$py" tools/asn1gen/asn1gen.py spec/ngap.asn "$tmp/ngap" --prefix NGAP
gen_one ngap "$tmp/ngap" src/ngap/gen

mkdir -p "$tmp/nas"
"$py" tools/gen_nas_tables.py spec/nas-24501-h90-ch8-9.txt "$tmp/nas"
gen_one nas "$tmp/nas" src/nas/gen

exit $status

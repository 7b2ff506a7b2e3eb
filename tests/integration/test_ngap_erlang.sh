#!/usr/bin/env bash
# NGAP codec against an independent implementation, Erlang/OTP's asn1 compiler (APER),
# in both directions, over messages of every elementary procedure (initiating,
# successful and unsuccessful):
#   glass5g -> Erlang: random PDUs from our generator (src/asn1/a1_random.c) must decode in
#                      Erlang and re-encode there to the same bytes;
#   Erlang -> glass5g: random values generated from the ASN.1 by ngap_erl/randterm.py,
#                      encoded by Erlang, must decode here and re-encode byte-exactly;
#   and the JSON face (glass5g decode|encode ngap) is byte-exact on a sample.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
here="$src/tests/integration/ngap_erl"
for tool in erlc escript /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not installed (erlang-base, erlang-asn1)"; exit 77; }
done
codec="$build/test_ngap_codec"
[ -x "$codec" ] || { echo "skip: $codec not built"; exit 77; }
n=${NGAP_ORACLE_COUNT:-720}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Compiling the generated 140K-line NGAP.erl takes minutes on a busy machine, so the beam is
# cached per spec and OTP release (outside the build dir, shared by the normal and ASan runs).
otp=$(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().')
key=$(cat "$src/spec/ngap.asn" "$here/split.py" | sha256sum | cut -c1-16)-otp$otp
cache=${G5_ERL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/glass5g/ngap-erl}/$key
if [ ! -f "$cache/NGAP.beam" ]; then
  echo "== compiling NGAP with erlc -bper +maps (cached in $cache)"
  mkdir -p "$tmp/erl"
  /usr/bin/python3 "$here/split.py" "$src/spec/ngap.asn" "$tmp/erl"
  (cd "$tmp/erl" && erlc -bper +maps +noobj NGAP.set.asn &&
    erlc +no_ssa_opt +no_bsm_opt +no_recv_opt NGAP.erl) >"$tmp/erlc.log" 2>&1 || {
    cat "$tmp/erlc.log"; echo "FAIL: erlc could not compile the NGAP modules"; exit 1; }
  mkdir -p "$cache.tmp$$" && cp "$tmp/erl/NGAP.beam" "$cache.tmp$$/" &&
    rm -rf "$cache" && mv "$cache.tmp$$" "$cache"
fi
ebin=$cache

echo "== glass5g -> Erlang ($n PDUs) [$SECONDS s]"
"$codec" --dump-random "$n" >"$tmp/ours.hex"
"$codec" --dump-builders >>"$tmp/ours.hex"
"$codec" --dump-fragmented >>"$tmp/ours.hex"   # 16K length fragmentation
escript "$here/ngap.escript" "$ebin" recode "$tmp/ours.hex" | tail -5
procs=$(cut -c1-6 "$tmp/ours.hex" | sort -u | wc -l)
echo "   distinct (type, procedure) headers: $procs"
[ "$procs" -ge 115 ] || { echo "FAIL: too few procedures covered"; exit 1; }

echo "== Erlang -> glass5g ($n PDUs) [$SECONDS s]"
/usr/bin/python3 "$here/randterm.py" "$src/spec/ngap.asn" "$n" 7 >"$tmp/terms.txt"
escript "$here/ngap.escript" "$ebin" encode "$tmp/terms.txt" >"$tmp/erl.hex"
"$codec" --check-hex <"$tmp/erl.hex" | tail -5

echo "== JSON face, decode -> encode byte-exact [$SECONDS s]"
bad=0; cnt=0
while read -r h; do
  out=$("$build/glass5g" decode ngap "$h" | "$build/glass5g" encode ngap) || true
  cnt=$((cnt + 1))
  [ "$out" = "${h,,}" ] || { echo "JSON round trip differs: $h"; bad=$((bad + 1)); }
done < <(head -n 25 "$tmp/erl.hex"; head -n 25 "$tmp/ours.hex")
echo "   $cnt messages, $bad differ"
[ "$bad" -eq 0 ]
echo "PASS"

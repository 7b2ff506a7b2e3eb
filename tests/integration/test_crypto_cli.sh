#!/usr/bin/env bash
# `glass5g auth` and `glass5g suci` end to end, against independent oracles:
#  - MILENAGE outputs of every TS 35.208/35.207 set (tests/data/crypto/milenage.json);
#  - XRES*, HXRES*, KAUSF, KSEAF, KAMF recomputed here with Python hmac/hashlib from
#    TS 33.501 Annex A (no glass5g code involved);
#  - SUCI: TS 33.501 Annex C.4 Profile A/B scheme outputs de-concealed and re-concealed
#    byte for byte, and fresh SUCIs decrypted by an ECIES written here on Python's
#    `cryptography` (and the other way round);
#  - AUTS generation / resync round trip, the AUTS example of kdf.json, and failures:
#    wrong MAC-S, wrong MAC tag, invalid point, malformed SUCI, usage errors, and that no
#    error message repeats the secret K.
# Usage: test_crypto_cli.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
src=${G5_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
G=$build/glass5g
PY=/usr/bin/python3
data=$src/tests/data/crypto
[ -x "$G" ] || { echo "skip: $G not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
# expect_rc RC DESCRIPTION CMD...: runs CMD, checks its exit status
expect_rc() {
  local want=$1 what=$2; shift 2
  set +e; "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?; set -e
  if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; cat "$tmp/err"; fi
}

# --- auth vector: every MILENAGE set, plus the 5G keys from a Python oracle -------------
$PY - "$data/milenage.json" >"$tmp/sets" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1]))["vectors"]:
    print(v["id"], v["K"], v["OP"], v["OPc"], v["RAND"], v["SQN"], v["AMF"])
PY
snn=5G:mnc001.mcc001.3gppnetwork.org
supi=imsi-001010123456789
while read -r id k op opc rand sqn amf; do
  for kind in op opc; do
    if [ $kind = op ]; then keyopt=(--op "$op"); else keyopt=(--opc "$opc"); fi
    if ! "$G" auth vector --k "$k" "${keyopt[@]}" --rand "$rand" --sqn "$sqn" --amf "$amf" \
        --snn "$snn" --supi "$supi" --abba 0000 >"$tmp/v.json" 2>"$tmp/err"; then
      bad "auth vector $id ($kind)"; cat "$tmp/err"; continue
    fi
    if $PY - "$data/milenage.json" "$id" "$tmp/v.json" "$snn" "$supi" <<'PY'
import hashlib, hmac, json, sys
vec = next(v for v in json.load(open(sys.argv[1]))["vectors"] if v["id"] == sys.argv[2])
out = json.load(open(sys.argv[3]))
snn, supi = sys.argv[4].encode(), sys.argv[5][5:].encode()
h = bytes.fromhex
def kdf(key, fc, *ps):  # TS 33.220 B.2
    s = bytes([fc]) + b"".join(p + len(p).to_bytes(2, "big") for p in ps)
    return hmac.new(key, s, hashlib.sha256).digest()
ck, ik, ak, rand = h(vec["f3"]), h(vec["f4"]), h(vec["f5"]), h(vec["RAND"])
sqn_ak = bytes(a ^ b for a, b in zip(h(vec["SQN"]), ak))
xres_star = kdf(ck + ik, 0x6B, snn, rand, h(vec["f2"]))[16:]
kausf = kdf(ck + ik, 0x6A, snn, sqn_ak)
kseaf = kdf(kausf, 0x6C, snn)
want = {
    "rand": vec["RAND"], "xres": vec["f2"], "ck": vec["f3"], "ik": vec["f4"], "ak": vec["f5"],
    "opc": vec["OPc"], "mac_a": vec["f1"],
    "autn": (sqn_ak + h(vec["AMF"]) + h(vec["f1"])).hex(),
    "xres_star": xres_star.hex(),
    "hxres_star": hashlib.sha256(rand + xres_star).digest()[16:].hex(),
    "kausf": kausf.hex(), "kseaf": kseaf.hex(),
    "kamf": kdf(kseaf, 0x6D, supi, b"\x00\x00").hex(),
}
bad = [k for k in want if out.get(k) != want[k]]
if bad:
    print("mismatch in", bad, file=sys.stderr)
    sys.exit(1)
PY
    then ok "auth vector $id ($kind): MILENAGE + XRES*/HXRES*/KAUSF/KSEAF/KAMF"
    else bad "auth vector $id ($kind)"; fi
  done
done <"$tmp/sets"

# TS 35.208 set 1 spelled out, as an operator would read it
read -r _ k op opc rand sqn amf < <(head -1 "$tmp/sets")
"$G" auth vector --k "$k" --opc "$opc" --rand "$rand" --sqn "$sqn" --amf "$amf" --snn "$snn" >"$tmp/v1.json"
for pair in xres=a54211d5e3ba50bf ck=b40ba9a3c58b2a05bbf0d987b21bf8cb \
            ik=f769bcd751044604127672711c6d3441 ak=aa689c648370; do
  f=${pair%%=*}; want=${pair#*=}
  got=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$tmp/v1.json" "$f")
  [ "$got" = "$want" ] && ok "TS 35.208 set 1 $f" || bad "TS 35.208 set 1 $f: $got"
done
grep -q '"kamf"' "$tmp/v1.json" && bad "kamf printed without --supi" || ok "no kamf without --supi"

# --- resync ------------------------------------------------------------------------------
K=00112233445566778899aabbccddeeff
R=00112233445566778899aabbccddeeff
"$G" auth resync --k $K --op $K --rand $R --auts b9ac50c48a82cdf74673bc86e7ab >"$tmp/r.json"
grep -q '"sqn_ms": "000000000001"' "$tmp/r.json" && ok "resync: kdf.json AUTS example" \
  || bad "resync: kdf.json AUTS example"
auts=$("$G" auth auts --k "$k" --op "$op" --rand "$rand" --sqn-ms 0000deadbeef \
  | $PY -c 'import json,sys; print(json.load(sys.stdin)["auts"])')
"$G" auth resync --k "$k" --op "$op" --rand "$rand" --auts "$auts" >"$tmp/r2.json"
grep -q '"sqn_ms": "0000deadbeef"' "$tmp/r2.json" && ok "resync round trip (auts -> resync)" \
  || bad "resync round trip"
badauts=${auts:0:27}$(printf '%x' $(( (16#${auts:27:1} + 1) % 16 )))
expect_rc 1 "resync with a wrong MAC-S" "$G" auth resync --k "$k" --op "$op" --rand "$rand" --auts "$badauts"
grep -q "MAC-S" "$tmp/err" && ok "resync failure names MAC-S" || bad "resync failure message"
grep -qi "$k" "$tmp/err" && bad "K echoed in an error message" || ok "K not echoed"
expect_rc 2 "auth vector without --snn" "$G" auth vector --k "$k" --op "$op" --sqn "$sqn" --amf "$amf"
expect_rc 2 "auth vector with --op and --opc" "$G" auth vector --k "$k" --op "$op" --opc "$opc" --sqn "$sqn" --amf "$amf" --snn x
expect_rc 2 "auth vector with a short K" "$G" auth vector --k "${k:0:30}" --op "$op" --sqn "$sqn" --amf "$amf" --snn x
grep -qi "${k:0:30}" "$tmp/err" && bad "partial K echoed" || ok "bad K not echoed"
expect_rc 0 "auth --help" "$G" auth --help
expect_rc 2 "auth with no subcommand" "$G" auth

# --- SUCI: Annex C.4 --------------------------------------------------------------------
privA=c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d
pubA=5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650
ephA=c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256
outA=b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87
privB=f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda
pubB=0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1
ephB=99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529
outB=039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d
for p in A B; do
  eval priv=\$priv$p pub=\$pub$p eph=\$eph$p out=\$out$p
  n=$([ $p = A ] && echo 1 || echo 2)
  got=$("$G" suci deconceal --hn-priv "$priv" --profile $p "suci-0-274-012-0-$n-1-$out")
  [ "$got" = imsi-274012001002086 ] && ok "deconceal Annex C.4 Profile $p" || bad "deconceal C.4 $p: $got"
  got=$("$G" suci conceal --supi imsi-274012001002086 --mnc-len 3 --profile $p --hn-pub "$pub" \
        --hn-key-id 1 --ephemeral-key "$eph")
  [ "$got" = "suci-0-274-012-0-$n-1-$out" ] && ok "conceal Annex C.4 Profile $p" || bad "conceal C.4 $p: $got"
  expect_rc 1 "deconceal Profile $p with a wrong MAC tag" "$G" suci deconceal --hn-priv "$priv" \
    "suci-0-274-012-0-$n-1-${out:0:${#out}-1}0"
  grep -q "MAC" "$tmp/err" && ok "wrong tag reported as MAC failure" || bad "wrong tag message: $(cat "$tmp/err")"
  expect_rc 1 "deconceal Profile $p truncated" "$G" suci deconceal --hn-priv "$priv" "suci-0-274-012-0-$n-1-${out:0:40}"
  grep -q "truncated" "$tmp/err" && ok "truncation reported" || bad "truncation message: $(cat "$tmp/err")"
  grep -qi "$priv" "$tmp/err" && bad "private key echoed" || ok "private key not echoed"
done
# invalid curve point (x = 1 is not on P-256), CVE-2023-46324 class
badpt=02$(printf '0%.0s' {1..63})1${outB:66}
expect_rc 1 "deconceal Profile B with a point not on the curve" "$G" suci deconceal --hn-priv "$privB" "suci-0-274-012-0-2-1-$badpt"
grep -q "not a valid point" "$tmp/err" && ok "invalid point reported" || bad "invalid point message: $(cat "$tmp/err")"
expect_rc 1 "deconceal Profile A small-order point" "$G" suci deconceal --hn-priv "$privA" \
  "suci-0-274-012-0-1-1-$(printf '0%.0s' {1..64})${outA:64}"
expect_rc 1 "deconceal malformed SUCI" "$G" suci deconceal --hn-priv "$privA" "suci-0-274-012-0-1-1-xyz"
grep -q "malformed" "$tmp/err" && ok "malformed SUCI reported" || bad "malformed message"
expect_rc 1 "deconceal with mismatching --profile" "$G" suci deconceal --hn-priv "$privA" --profile B "suci-0-274-012-0-1-1-$outA"
expect_rc 2 "deconceal Profile A without --hn-priv" "$G" suci deconceal "suci-0-274-012-0-1-1-$outA"
expect_rc 2 "conceal without --supi" "$G" suci conceal --profile null
expect_rc 0 "suci --help" "$G" suci --help
got=$("$G" suci deconceal suci-0-208-93-0-0-0-00007487)
[ "$got" = imsi-2089300007487 ] && ok "deconceal null scheme" || bad "null scheme: $got"
got=$("$G" suci conceal --supi imsi-2089300007487 --profile null --routing-indicator 12)
[ "$got" = suci-0-208-93-12-0-0-00007487 ] && ok "conceal null scheme" || bad "conceal null: $got"

# --- SUCI against an independent ECIES (Python cryptography) in both directions ----------
if ! $PY -c 'import cryptography' 2>/dev/null; then
  bad "python3-cryptography missing (make deps installs it): ECIES cross-check not run"
fi
cat >"$tmp/ecies.py" <<'PY'
"""ECIES of TS 33.501 C.3.4 on python cryptography: enc|dec|pub PROFILE KEY HEX."""
import hashlib, hmac, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def x963(z, info):
    return b"".join(hashlib.sha256(z + i.to_bytes(4, "big") + info).digest() for i in (1, 2))

def ecdh(profile, priv_bytes, pub_bytes):
    if profile == "A":
        priv = x25519.X25519PrivateKey.from_private_bytes(priv_bytes)
        return priv.exchange(x25519.X25519PublicKey.from_public_bytes(pub_bytes))
    priv = ec.derive_private_key(int.from_bytes(priv_bytes, "big"), ec.SECP256R1())
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub_bytes)
    return priv.exchange(ec.ECDH(), peer)

def pub_of(profile, priv_bytes):
    if profile == "A":
        return x25519.X25519PrivateKey.from_private_bytes(priv_bytes).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    k = ec.derive_private_key(int.from_bytes(priv_bytes, "big"), ec.SECP256R1())
    return k.public_key().public_bytes(serialization.Encoding.X962,
                                       serialization.PublicFormat.CompressedPoint)

def ctr(key, icb, data):
    c = Cipher(algorithms.AES(key), modes.CTR(icb)).encryptor()
    return c.update(data) + c.finalize()

mode, profile, key, data = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[4])
pl = 32 if profile == "A" else 33
if mode == "pub":
    print(pub_of(profile, key).hex())
elif mode == "dec":
    eph, ct, tag = data[:pl], data[pl:-8], data[-8:]
    k = x963(ecdh(profile, key, eph), eph)
    assert hmac.compare_digest(hmac.new(k[32:], ct, hashlib.sha256).digest()[:8], tag), "MAC"
    print(ctr(k[:16], k[16:32], ct).hex())
else:
    import os
    eph_priv = os.urandom(32)
    eph = pub_of(profile, eph_priv)
    k = x963(ecdh(profile, eph_priv, key), eph)
    ct = ctr(k[:16], k[16:32], data)
    print((eph + ct + hmac.new(k[32:], ct, hashlib.sha256).digest()[:8]).hex())
PY
for p in A B; do
  n=$([ $p = A ] && echo 1 || echo 2)
  "$G" suci keygen --profile $p >"$tmp/k.json"
  priv=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["private_key"])' "$tmp/k.json")
  pub=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["public_key"])' "$tmp/k.json")
  # our keygen's public key is the one python derives from the private key
  pypub=$($PY "$tmp/ecies.py" pub $p "$priv" 00)
  [ "$pub" = "$pypub" ] && ok "keygen Profile $p public key matches python" || bad "keygen $p: $pub vs $pypub"
  suci=$("$G" suci conceal --supi imsi-310410123456789 --mnc-len 3 --profile $p --hn-pub "$pub" --hn-key-id 9 --routing-indicator 0042)
  case $suci in suci-0-310-410-0042-$n-9-*) ok "conceal Profile $p string form";; *) bad "conceal $p: $suci";; esac
  plain=$($PY "$tmp/ecies.py" dec $p "$priv" "${suci##*-}") || plain=error
  [ "$plain" = 21436587f9 ] && ok "python decrypts our Profile $p SUCI (BCD MSIN 123456789)" || bad "python dec $p: $plain"
  so=$($PY "$tmp/ecies.py" enc $p "$pub" 21436587f9)
  got=$("$G" suci deconceal --hn-priv "$priv" "suci-0-310-410-0042-$n-9-$so")
  [ "$got" = imsi-310410123456789 ] && ok "we de-conceal a python Profile $p SUCI" || bad "deconceal python $p: $got"
done

if [ $fails -ne 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"

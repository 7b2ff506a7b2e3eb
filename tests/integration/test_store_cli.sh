#!/usr/bin/env bash
# End-to-end test of `glass5g subscriber`: exit codes, messages that name the field and the
# fix, secrets never echoed, imports that write all or nothing. Independent oracles: the
# sqlite3 shell reads the database (schema version, WAL mode, row counts, dumps before and
# after a failed import), and Python's `cryptography` AES-GCM decrypts the K column with
# the key file and the documented AAD (docs/subscriber-store.md), so the at-rest format is
# checked by a second implementation.
# Usage: test_store_cli.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR}
G=$(cd "$build" && pwd)/glass5g
PY=/usr/bin/python3
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 shell not installed (make deps)"; exit 77; }
$PY -c 'import cryptography' 2>/dev/null ||
  { echo "SKIP: python3-cryptography not installed (make deps)"; exit 77; }

tmp=$(mktemp -d /tmp/g5cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf

# expect CODE PATTERN -- cmd...: runs cmd, checks the exit code and that PATTERN (grep -E)
# appears in stdout+stderr.
expect() {
  local code=$1 pat=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$code" ] || ! grep -qE -- "$pat" <<<"$out"; then
    echo "FAIL: $* -> exit $rc (want $code), output:"; echo "$out" | head -5
    echo "      wanted /$pat/"; fails=$((fails + 1))
  fi
}
# reject PATTERN -- cmd...: the output must NOT contain PATTERN
reject() {
  local pat=$1; shift 2
  if "$@" 2>&1 | grep -qiE -- "$pat"; then
    echo "FAIL: $* printed /$pat/"; fails=$((fails + 1))
  fi
}
count() { sqlite3 glass5g.db 'SELECT count(*) FROM subscriber'; }

# --- help -----------------------------------------------------------------------------
expect 0 'usage: glass5g subscriber <add' -- "$G" subscriber --help
for a in add list show update delete import; do
  expect 0 "usage: glass5g subscriber $a" -- "$G" subscriber "$a" --help
done
expect 2 'unknown action' -- "$G" subscriber frobnicate

# --- add ------------------------------------------------------------------------------
expect 2 '--k: missing' -- "$G" subscriber add --supi imsi-001010000000001 --opc $OPC
expect 2 '--k: must be 32 hex digits \(16 bytes\)' -- \
  "$G" subscriber add --supi imsi-001010000000001 --k ${K%??} --opc $OPC
reject "${K%??}" -- "$G" subscriber add --supi imsi-001010000000001 --k ${K%??} --opc $OPC
expect 2 '--opc: must be 32 hex digits' -- \
  "$G" subscriber add --supi imsi-001010000000001 --k $K --opc "zz${OPC#??}"
reject "zz${OPC#??}" -- "$G" subscriber add --supi imsi-001010000000001 --k $K --opc "zz${OPC#??}"
expect 2 '--supi: must be "imsi-" followed by 15 digits' -- \
  "$G" subscriber add --supi imsi-0010100001 --k $K --opc $OPC
expect 2 '--slice: .* is not a slice' -- \
  "$G" subscriber add --supi imsi-001010000000001 --k $K --opc $OPC --slice 1:xyz
expect 2 '--ambr-ul: .* is not a bit rate' -- \
  "$G" subscriber add --supi imsi-001010000000001 --k $K --opc $OPC --ambr-ul fast
expect 2 'give either opc or op' -- \
  "$G" subscriber add --supi imsi-001010000000001 --k $K --opc $OPC --op $OPC
[ -e glass5g.db ] && { echo "FAIL: a rejected add created the database"; fails=$((fails + 1)); }

expect 0 'added imsi-001010000000001' -- "$G" subscriber add --supi imsi-001010000000001 \
  --k $K --opc $OPC --slice 1 --slice 2:000001 --dnn internet --dnn ims --ambr-ul 500Mbps \
  --ambr-dl 1Gbps --msisdn 4915112345678 --sqn 0x20
expect 1 'already exists' -- "$G" subscriber add --supi imsi-001010000000001 --k $K --opc $OPC
[ "$(count)" = 1 ] || { echo "FAIL: duplicate add changed the row count"; fails=$((fails + 1)); }
expect 0 'added' -- "$G" subscriber add --supi imsi-001010000000002 --k $K --op $OPC \
  --auth eap_aka_prime --amf b9b9

key_mode=$(stat -c %a glass5g.key)
[ "$key_mode" = 600 ] || { echo "FAIL: key file mode $key_mode"; fails=$((fails + 1)); }
[ "$(stat -c %s glass5g.key)" = 32 ] || { echo "FAIL: key file size"; fails=$((fails + 1)); }
[ "$(sqlite3 glass5g.db 'PRAGMA journal_mode')" = wal ] ||
  { echo "FAIL: not in WAL mode"; fails=$((fails + 1)); }
[ "$(sqlite3 glass5g.db 'PRAGMA user_version')" = 2 ] ||
  { echo "FAIL: schema version"; fails=$((fails + 1)); }

# --- show / list ----------------------------------------------------------------------
expect 0 'sqn: +000000000020 \(SEQ 1, IND 0\)' -- "$G" subscriber show imsi-001010000000001
reject "$K" -- "$G" subscriber show imsi-001010000000001
reject "$K" -- "$G" subscriber show imsi-001010000000001 --json
reject "$K|$OPC" -- "$G" subscriber list --json
expect 0 "k: +$K" -- "$G" subscriber show imsi-001010000000001 --show-secrets
expect 0 "\"op\": \"$OPC\"" -- "$G" subscriber show imsi-001010000000002 --json --show-secrets
expect 1 'does not exist' -- "$G" subscriber show imsi-001010000000404
expect 2 'SUPI: must be' -- "$G" subscriber show imsi-1
expect 2 'unknown option --show-secrets' -- "$G" subscriber list --show-secrets
expect 0 'ul 500Mbps, dl 1Gbps' -- "$G" subscriber show imsi-001010000000001
$G subscriber list --json --limit 1 --offset 1 >list.json
$PY - <<'EOF' || fails=$((fails + 1))
import json, sys
d = json.load(open("list.json"))
ok = d["total"] == 2 and len(d["subscribers"]) == 1 and \
     d["subscribers"][0]["supi"] == "imsi-001010000000002" and \
     d["subscribers"][0]["auth_method"] == "eap_aka_prime" and \
     d["subscribers"][0]["amf"] == "b9b9" and "k" not in d["subscribers"][0]
if not ok:
    print("FAIL: list --json:", d); sys.exit(1)
EOF
expect 0 'imsi-001010000000001 +5g_aka +opc +8000 000000000020 1,2:000001 +internet\*,ims' -- \
  "$G" subscriber list

# --- update / delete ------------------------------------------------------------------
expect 0 'updated imsi-001010000000001' -- "$G" subscriber update imsi-001010000000001 \
  --sqn 4096 --dnn data
expect 0 'dnns: +data\*' -- "$G" subscriber show imsi-001010000000001
expect 0 'updated' -- "$G" subscriber update imsi-001010000000001 --dnn internet --dnn ims
expect 0 'updated' -- "$G" subscriber update imsi-001010000000001 --default-dnn ims
expect 0 'dnns: +internet,ims\* ' -- "$G" subscriber show imsi-001010000000001
expect 0 'msisdn: +4915112345678' -- "$G" subscriber show imsi-001010000000001
expect 0 "k: +$K" -- "$G" subscriber show imsi-001010000000001 --show-secrets
expect 2 'nothing to change' -- "$G" subscriber update imsi-001010000000001
expect 1 'does not exist' -- "$G" subscriber update imsi-001010000000404 --sqn 1
expect 2 '--amf: must be 4 hex digits' -- "$G" subscriber update imsi-001010000000001 --amf 8
expect 0 'deleted' -- "$G" subscriber delete imsi-001010000000002
expect 1 'does not exist' -- "$G" subscriber delete imsi-001010000000002

# --- oracle: decrypt the stored K with Python's AES-GCM and the documented AAD ---------
$PY - <<EOF || fails=$((fails + 1))
import sqlite3, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = open("glass5g.key", "rb").read()
db = sqlite3.connect("glass5g.db")
supi, k, op = db.execute("SELECT supi, k, op FROM subscriber").fetchone()
def unseal(blob, scope, field):
    assert blob[0] == 1 and len(blob) == 1 + 12 + 16 + 16, "format"
    aad = b"glass5g-field-v1\0" + scope.encode() + b"\0" + field.encode()
    return AESGCM(key).decrypt(blob[1:13], blob[13:], aad)
if unseal(k, supi, "k").hex() != "$K" or unseal(op, supi, "op").hex() != "$OPC":
    print("FAIL: AES-GCM oracle disagrees"); sys.exit(1)
try:
    unseal(k, supi, "op"); print("FAIL: AAD not bound to the field"); sys.exit(1)
except Exception:
    pass
raw = open("glass5g.db", "rb").read()
if bytes.fromhex("$K") in raw or b"$K" in raw:
    print("FAIL: K in clear in the database file"); sys.exit(1)
EOF

# --- import ---------------------------------------------------------------------------
{
  echo "supi,k,opc,sqn,slices,dnns,ambr_ul,ambr_dl"
  for i in $(seq 1000 3999); do
    printf 'imsi-00101%010d,%s,%s,%d,1;2:000001,internet;ims,1Gbps,2Gbps\n' "$i" $K $OPC "$i"
  done
} >subs.csv
expect 0 'imported 3000 subscribers' -- "$G" subscriber import subs.csv
[ "$(count)" = 3001 ] || { echo "FAIL: import count $(count)"; fails=$((fails + 1)); }

before=$(sqlite3 glass5g.db .dump | sha256sum)
sed 's/^imsi-00101/imsi-00102/' subs.csv >bad.csv
sed -i '1502s/,internet;ims,/,inter net,/' bad.csv
expect 1 'bad.csv:1502: (dnns|dnn): .inter net. is not a valid DNN' -- "$G" subscriber import bad.csv
expect 1 'nothing was imported' -- "$G" subscriber import bad.csv
expect 1 'subs.csv:2: .*already exists' -- "$G" subscriber import subs.csv
after=$(sqlite3 glass5g.db .dump | sha256sum)
[ "$before" = "$after" ] || { echo "FAIL: a failed import changed the database"; fails=$((fails + 1)); }

sed -i 's/,1Gbps,2Gbps$/,1Gbps,3Gbps/' subs.csv
expect 0 'imported 3000' -- "$G" subscriber import subs.csv --replace
expect 0 'dl 3Gbps' -- "$G" subscriber show imsi-001010000003999
cat >more.yaml <<EOF
- supi: imsi-001010000009001
  k: $K
  opc: $OPC
  slices: [1, {sst: 2, sd: 0x000001}]
  dnns: [internet]
- supi: imsi-001010000009002
  k: $K
  opc: ${OPC%?}
EOF
expect 1 'more.yaml:8: opc: must be 32 hex digits' -- "$G" subscriber import more.yaml
reject "${OPC%?}" -- "$G" subscriber import more.yaml
expect 1 'unknown file type' -- "$G" subscriber import subs.txt

# --- config file, key file rules ------------------------------------------------------
mkdir cfg && cat >cfg/glass5g.yaml <<EOF
store: {path: $tmp/cfg/other.db, key_file: $tmp/cfg/other.key}
EOF
expect 0 'added' -- "$G" subscriber add -c cfg/glass5g.yaml --supi imsi-001010000000001 \
  --k $K --opc $OPC
expect 0 '1 of 1 subscribers' -- "$G" subscriber list -c cfg/glass5g.yaml
expect 0 '1 of 1 subscribers' -- "$G" subscriber list --db cfg/other.db --key-file cfg/other.key
expect 1 'cannot decrypt subscriber data: wrong key file\?' -- \
  "$G" subscriber list --db cfg/other.db --key-file glass5g.key
chmod 644 glass5g.key
expect 1 'mode 0644 lets group/others access it.*chmod 600' -- "$G" subscriber list
chmod 600 glass5g.key
expect 1 'does not exist; check --db' -- "$G" subscriber list --db nowhere.db
expect 2 'store.pathh' -- "$G" subscriber list -c <(echo 'store: {pathh: x}')

if [ "$fails" -ne 0 ]; then echo "test_store_cli: $fails failure(s)"; exit 1; fi
echo "test_store_cli: ok"

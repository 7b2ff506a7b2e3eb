#!/usr/bin/python3
"""Independent oracle for the TS 33.501 Annex A derivations that no 3GPP document
publishes vectors for (KAUSF, KSEAF, KAMF, KNASint/enc, KgNB, NH, K'AMF).

Written from the spec text with Python's hmac/hashlib only (no glass5g code); it writes
kdf_5g.json, which tests/unit/test_crypto_kdf.c checks the C library against. Inputs are
the TS 35.208 test set 1 MILENAGE outputs (milenage.json). Run: ./gen_kdf_5g.py > kdf_5g.json
"""
import hashlib
import hmac
import json


def kdf(key, fc, *params):
    """TS 33.220 B.2: HMAC-SHA-256(key, FC || P0 || L0 || ...)."""
    s = bytes([fc])
    for p in params:
        s += p + len(p).to_bytes(2, "big")
    return hmac.new(key, s, hashlib.sha256).digest()


h = bytes.fromhex
ck = h("b40ba9a3c58b2a05bbf0d987b21bf8cb")
ik = h("f769bcd751044604127672711c6d3441")
ak = h("aa689c648370")
sqn = h("ff9bb4d0b607")
rand = h("23553cbe9637a89d218ae64dae47bf35")
res = h("a54211d5e3ba50bf")
snn = b"5G:mnc001.mcc001.3gppnetwork.org"
supi = b"001010000000001"
abba = h("0000")
sqn_xor_ak = bytes(a ^ b for a, b in zip(sqn, ak))

res_star = kdf(ck + ik, 0x6B, snn, rand, res)[16:]                 # A.4
hres_star = hashlib.sha256(rand + res_star).digest()[16:]           # A.5
kausf = kdf(ck + ik, 0x6A, snn, sqn_xor_ak)                         # A.2
kseaf = kdf(kausf, 0x6C, snn)                                       # A.6
kamf = kdf(kseaf, 0x6D, supi, abba)                                 # A.7
knas_int = {a: kdf(kamf, 0x69, b"\x02", bytes([a]))[16:] for a in range(4)}  # A.8
knas_enc = {a: kdf(kamf, 0x69, b"\x01", bytes([a]))[16:] for a in range(4)}
ul_count = 0x00000000
kgnb = kdf(kamf, 0x6E, ul_count.to_bytes(4, "big"), b"\x01")        # A.9 (3GPP access)
kn3iwf = kdf(kamf, 0x6E, ul_count.to_bytes(4, "big"), b"\x02")      # A.9 (non-3GPP)
nh1 = kdf(kamf, 0x6F, kgnb)                                         # A.10
nh2 = kdf(kamf, 0x6F, nh1)
kamf_idle = kdf(kamf, 0x72, b"\x00", (5).to_bytes(4, "big"))        # A.13
kamf_ho = kdf(kamf, 0x72, b"\x01", (7).to_bytes(4, "big"))

out = {
    "source": "computed by tests/data/crypto/gen_kdf_5g.py (Python hmac/hashlib, written from "
              "TS 33.501 Annex A and TS 33.220 B.2; not normative: no 3GPP vectors exist)",
    "inputs": {"CK": ck.hex(), "IK": ik.hex(), "AK": ak.hex(), "SQN": sqn.hex(),
               "RAND": rand.hex(), "RES": res.hex(), "SNN": snn.decode(),
               "SUPI": supi.decode(), "ABBA": abba.hex(), "UL_NAS_COUNT": ul_count,
               "KAMF_PRIME_IDLE_COUNT": 5, "KAMF_PRIME_HO_COUNT": 7},
    "RES_star": res_star.hex(), "HXRES_star": hres_star.hex(), "KAUSF": kausf.hex(),
    "KSEAF": kseaf.hex(), "KAMF": kamf.hex(),
    "KNASint": [knas_int[a].hex() for a in range(4)],
    "KNASenc": [knas_enc[a].hex() for a in range(4)],
    "KgNB": kgnb.hex(), "KN3IWF": kn3iwf.hex(), "NH1": nh1.hex(), "NH2": nh2.hex(),
    "KAMF_prime_idle": kamf_idle.hex(), "KAMF_prime_ho": kamf_ho.hex(),
}
print(json.dumps(out, indent=1))

#!/usr/bin/python3
"""Splits spec/ngap.asn (all six NGAP modules of TS 38.413 in one file) into one file per
module plus NGAP.set.asn, the input erlc wants. Usage: split.py SPEC OUTDIR"""
import os
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
out = sys.argv[2]
names = []
for part in re.split(r"(?m)^(?=NGAP-[A-Za-z-]+\s*\{)", text):
    m = re.match(r"(NGAP-[A-Za-z-]+)", part)
    if not m:
        continue
    names.append(m.group(1))
    with open(os.path.join(out, m.group(1) + ".asn"), "w", encoding="utf-8") as f:
        f.write(part.split("-- ASN1STOP")[0] + "\n")
with open(os.path.join(out, "NGAP.set.asn"), "w") as f:
    f.write("\n".join(n + ".asn" for n in names) + "\n")

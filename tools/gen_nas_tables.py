#!/usr/bin/env python3
"""Generates the NAS-5GS message tables from the text of TS 24.501 chapters 8-9.

Input : spec/nas-24501-h90-ch8-9.txt (R17.9, the markdown-ish export of chapters 8 and 9)
Output: src/nas/gen/nas_msgs.h  one struct per message, one nas_ie field per IE (table order)
        src/nas/gen/nas_tables.c one descriptor table per message, driving the generic codec

Usage: tools/gen_nas_tables.py SPEC_TXT OUT_DIR   (stdlib only; run by tools/gen.sh)

Every row of each "message content" table becomes one IE descriptor
{iei, name, format, presence, min/max total length, value-type reference}. The header
rows (EPD, security header type, message type, PDU session ID, PTI) are handled by the
codec itself and are not emitted.
"""
import re
import sys

HEADER_ROWS = {
    "extended protocol discriminator",
    "security header type",
    "pdu session id",
    "pti",
}

# TS 24.501 table 9.7.1/9.7.2 names that differ from the chapter 8 titles.
TITLE_ALIASES = {
    "de-registration request (ue originating de-registration)": "deregistration request (ue originating)",
    "de-registration accept (ue originating de-registration)": "deregistration accept (ue originating)",
    "de-registration request (ue terminated de-registration)": "deregistration request (ue terminated)",
    "de-registration accept (ue terminated de-registration)": "deregistration accept (ue terminated)",
}

# Short C/JSON names for the messages whose spec title is long.
MSG_NAMES = {
    "deregistration request (ue originating)": "deregistration_request_ue_orig",
    "deregistration accept (ue originating)": "deregistration_accept_ue_orig",
    "deregistration request (ue terminated)": "deregistration_request_ue_term",
    "deregistration accept (ue terminated)": "deregistration_accept_ue_term",
}


# IE names too long to type: spec name (snake_case) -> short name.
IE_ALIASES = {
    "forbidden_tai_s_for_the_list_of_5gs_forbidden_tracking_areas_for_roaming":
        "forbidden_tais_roaming",
    "forbidden_tai_s_for_the_list_of_5gs_forbidden_tracking_areas_for_regional_provision_of_service":
        "forbidden_tais_regional_provision",
}


def snake(s):
    s = s.lower().replace("'", "")
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s


def cname(s):
    n = snake(s)
    return "ie_" + n if n[0].isdigit() else n


def parse_msg_types(lines):
    """Table 9.7.1 / 9.7.2: 8 bit cells followed by the message name."""
    types = {}
    start = next(i for i, l in enumerate(lines) if l.startswith("## 9.7\t"))
    end = next(i for i, l in enumerate(lines) if l.startswith("## 9.8\t"))
    for l in lines[start:end]:
        cells = [c.strip() for c in l.strip().strip("|").split("|")]
        bits = [c for c in cells if c in ("0", "1")]
        names = [c for c in cells if c and c not in ("0", "1")]
        if len(bits) == 8 and names:
            types[names[0].lower()] = int("".join(bits), 2)
    return types


def parse_len(s):
    s = s.replace(" ", "")
    if s == "1/2":
        return (0, 0)  # half octet
    m = re.match(r"^(\d+)(?:-(\d+|n))?$", s)
    if not m:
        raise ValueError("length %r" % s)
    lo = int(m.group(1))
    hi = m.group(2)
    if hi is None:
        return (lo, lo)
    return (lo, -1 if hi == "n" else int(hi))


def parse_messages(lines, types):
    msgs = []
    i = 0
    while i < len(lines):
        m = re.match(r"^### 8\.(2|3)\.(\d+)\t(.*)$", lines[i])
        if not m:
            i += 1
            continue
        clause = "8.%s.%s" % (m.group(1), m.group(2))
        title = m.group(3).strip()
        key = TITLE_ALIASES.get(title.lower(), title.lower())
        i += 1
        rows = []
        while i < len(lines) and not lines[i].startswith("### ") and not lines[i].startswith("## "):
            l = lines[i]
            if l.startswith("| ") and not l.startswith("| IEI"):
                cells = [c.strip() for c in l.strip().strip("|").split("|")]
                if len(cells) == 6 and cells[4] in ("V", "LV", "LV-E", "TV", "TLV", "TLV-E", "T"):
                    rows.append(cells)
            i += 1
        if key == "security protected 5gs nas message":
            continue  # handled by the security layer (nas_sec.c)
        if key not in types:
            raise SystemExit("no message type for %r" % title)
        msgs.append((clause, title, key, types[key], m.group(1) == "3", rows))
    return msgs


FMT = {"V": "NAS_F_V", "LV": "NAS_F_LV", "LV-E": "NAS_F_LVE", "TV": "NAS_F_TV",
       "TLV": "NAS_F_TLV", "TLV-E": "NAS_F_TLVE", "T": "NAS_F_T"}


def build(msgs):
    out = []
    for clause, title, key, mtype, is_sm, rows in msgs:
        name = MSG_NAMES.get(key, snake(key))
        ies = []
        seen_mt = False
        used = set()
        for iei, ie_name, ref, pres, fmt, length in rows:
            low = ie_name.lower()
            if not seen_mt:
                # Header rows up to and including the message type (9.1.1): the codec's job.
                if "message identity" in low or ref.lower().startswith("message type"):
                    seen_mt = True
                elif low not in HEADER_ROWS and low != "spare half octet":
                    raise SystemExit("%s: unexpected header row %r" % (title, ie_name))
                continue
            lo, hi = parse_len(length)
            spare = low == "spare half octet"
            ie_iei = -1
            type1 = False
            if iei:
                if iei.endswith("-"):
                    ie_iei = int(iei[0], 16) << 4
                    type1 = True
                else:
                    ie_iei = int(iei, 16)
            # "Authentication parameter RAND (5G authentication challenge)" -> drop the gloss
            jn = snake(re.sub(r"\s+\([^)]*\)$", "", ie_name))
            # Two rows of one table may share a name in the spec (never in R17.9, but guard).
            jn = IE_ALIASES.get(jn, jn)
            while jn in used:
                jn += "_2"
            used.add(jn)
            refm = re.search(r"/\s*([0-9A-Z.]+)\s*$", ref)
            ies.append(dict(iei=ie_iei, type1=type1, name=ie_name, json=jn,
                            c=("ie_" + jn if jn[0].isdigit() else jn), fmt=fmt, pres=pres,
                            lo=lo, hi=hi, half=(lo == 0), spare=spare,
                            ref=refm.group(1) if refm else "", tref=ref.split("/")[0].strip()))
        cn = name if not name[0].isdigit() else "status_" + name.split("_")[0]
        out.append(dict(clause=clause, title=title, name=name, c=cn, type=mtype, sm=is_sm,
                        ies=ies))
    return out


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_header(msgs, path):
    h = []
    h.append("/* GENERATED by tools/gen_nas_tables.py from TS 24.501 R17.9 chapters 8-9.")
    h.append(" * Do not edit; run `make gen`. One struct per message of chapter 8: one nas_ie per")
    h.append(" * information element in table order (header fields live in nas_msg itself). */")
    h.append("#ifndef G5_NAS_GEN_NAS_MSGS_H")
    h.append("#define G5_NAS_GEN_NAS_MSGS_H")
    h.append("")
    h.append("enum nas_msg_type {")
    for m in msgs:
        h.append("    NAS_%s = 0x%02x, /* %s %s */" % (m["c"].upper(), m["type"], m["clause"], m["title"]))
    h.append("};")
    h.append("")
    maxn = 0
    for m in msgs:
        fields = [ie for ie in m["ies"] if not ie["spare"]]
        maxn = max(maxn, len(fields))
        h.append("/* %s %s */" % (m["clause"], m["title"]))
        h.append("struct nas_%s {" % m["c"])
        if not fields:
            h.append("    nas_ie none_[1]; /* no IEs besides the header */")
        for ie in fields:
            iei = ("%X-" % (ie["iei"] >> 4)) if ie["type1"] else ("%02X" % ie["iei"] if ie["iei"] >= 0 else "  ")
            h.append("    nas_ie %s; /* %s %s %s %s */" % (ie["c"], iei, ie["pres"], ie["fmt"], ie["tref"]))
        h.append("};")
    h.append("")
    h.append("#define NAS_MAX_IES %d" % max(maxn, 1))
    h.append("#define NAS_N_MSGS %d" % len(msgs))
    h.append("")
    h.append("#define NAS_MSG_UNION_MEMBERS \\")
    for m in msgs:
        h.append("    struct nas_%s %s; \\" % (m["c"], m["c"]))
    h.append("    nas_ie ie[NAS_MAX_IES]")
    h.append("")
    h.append("#endif")
    open(path, "w").write("\n".join(h) + "\n")


def emit_tables(msgs, path):
    c = []
    c.append("/* GENERATED by tools/gen_nas_tables.py from TS 24.501 R17.9 chapters 8-9.")
    c.append(" * Do not edit; run `make gen`. Per-message IE descriptor tables: the data that")
    c.append(" * drives the generic encoder/decoder in src/nas/nas_codec.c. */")
    c.append('#include "nas/nas.h"')
    c.append("")
    for m in msgs:
        c.append("/* %s %s */" % (m["clause"], m["title"]))
        c.append("static const nas_ie_desc ies_%s[] = {" % m["c"])
        slot = 0
        for ie in m["ies"]:
            s = -1 if ie["spare"] else slot
            if not ie["spare"]:
                slot += 1
            c.append("    {%s, %d, %s, %s, %d, %d, %d, %s, %s, %s}," % (
                ("0x%02x" % ie["iei"]) if ie["iei"] >= 0 else "-1", s, FMT[ie["fmt"]],
                "NAS_P_" + ie["pres"], ie["lo"], ie["hi"], 1 if ie["type1"] else 0,
                cstr(ie["json"]), cstr(ie["ref"]), cstr(ie["tref"])))
        if not m["ies"]:
            c.append("    {-1, -1, NAS_F_V, NAS_P_O, 0, 0, 0, NULL, NULL, NULL},")
        c.append("};")
        # IEI octet -> first row with that IEI (type 1 rows: all 16 values of the nibble).
        idx = [-1] * 256
        for k, ie in enumerate(m["ies"]):
            if ie["iei"] < 0:
                continue
            keys = range(ie["iei"], ie["iei"] + 16) if ie["type1"] else [ie["iei"]]
            for b in keys:
                if idx[b] < 0:
                    idx[b] = k
        c.append("static const uint8_t idx_%s[256] = {" % m["c"])
        for off in range(0, 256, 16):
            c.append("    " + ", ".join("%d" % (v if v >= 0 else 255) for v in idx[off:off + 16])
                     + ",")
        c.append("};")
    c.append("")
    c.append("const nas_msg_desc nas_msg_descs[NAS_N_MSGS] = {")
    for m in msgs:
        n = len(m["ies"])
        c.append("    {%s, %s, ies_%s, idx_%s, 0x%02x, %d, %d}," % (
            cstr(m["name"]), cstr(m["clause"]), m["c"], m["c"], m["type"], 1 if m["sm"] else 0,
            n))
    c.append("};")
    open(path, "w").write("\n".join(c) + "\n")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
    types = parse_msg_types(lines)
    msgs = build(parse_messages(lines, types))
    emit_header(msgs, sys.argv[2] + "/nas_msgs.h")
    emit_tables(msgs, sys.argv[2] + "/nas_tables.c")


if __name__ == "__main__":
    main()

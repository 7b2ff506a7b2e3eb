#!/usr/bin/python3
"""asn1gen: ASN.1 -> C types + constant aligned-PER descriptor tables.

Usage: asn1gen.py SPEC.asn OUTDIR [--prefix NGAP] [--root NGAP-PDU ...]

Emits OUTDIR/<prefix>_types.h (typed C structs, enums, constants, descriptor externs) and
OUTDIR/<prefix>_tables.c (one constant a1_type descriptor per type). The generic runtime in
src/asn1/ walks the descriptors to encode, decode, free and convert to/from JSON, so the
generated code holds no logic. Information object sets (ProtocolIE-Container{{...}} with
table constraints {{Set}{@id}}) become "open" types: a typed union with one member per
distinct value type, selected by the sibling id through a constant id->type table.
See docs/asn1-generator.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asn1parse  # noqa: E402

C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
              "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
              "register", "restrict", "return", "short", "signed", "sizeof", "static",
              "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
              "bool", "present", "raw", "count", "list"}

INT64_MAX = (1 << 63) - 1


def cid(name):
    s = name.replace("-", "_").replace("&", "")
    if s in C_KEYWORDS:
        s += "_"
    return s


class T:
    """A resolved type."""
    def __init__(self, kind, name):
        self.kind = kind  # INT ENUM BOOL NULL BITS OCTETS STR SEQ CHOICE SEQOF OPEN
        self.name = name  # ASN.1 name (or derived name for anonymous types)
        self.cname = None  # C identifier part (NGAP_<cname>_t)
        self.named = False  # gets its own typedef
        self.lb = self.ub = None
        self.ext = False
        self.strkind = None
        self.comps = []  # (name, T, optional, extaddition, extra)
        self.root = []
        self.extitems = []
        self.elem = None
        self.objs = []  # OPEN: (idval, idname, crit, presence, T)
        self.alts = []  # OPEN: distinct value types
        self.desc = None  # descriptor C symbol


class Gen:
    def __init__(self, p, prefix):
        self.p = p
        self.prefix = prefix
        self.memo = {}
        self.all = []
        self.cnames = set()
        self.desc_memo = {}
        self.pending_containing = []

    # -- values and information objects
    def value(self, v):
        seen = 0
        while not v.lstrip("-").isdigit():
            if v in ("MIN", "MAX"):
                return None
            v = self.p.values[v][1]
            seen += 1
            if seen > 20:
                raise asn1parse.ParseError("value loop at %s" % v)
        return int(v)

    def object_fields(self, cls, toks):
        syn = self.p.classes[cls]["syntax"]
        fields = {}
        sub = asn1parse.Parser(toks)
        sub.classes = self.p.classes
        while sub.peek() is not None:
            for words, field, _opt in syn:
                n = len(words)
                if tuple(sub.t[sub.i:sub.i + n]) == words:
                    sub.i += n
                    if field[1].isupper():
                        fields[field] = sub.type()
                    else:
                        fields[field] = sub.next()
                    break
            else:
                raise asn1parse.ParseError("object syntax error at %r" % sub.t[sub.i:sub.i + 5])
        return fields

    def flatten_set(self, setname, seen=None):
        cls, toks = self.p.objsets[setname]
        out = []
        k = 0
        while k < len(toks):
            tok = toks[k]
            if tok in ("|", ",", "..."):
                k += 1
                continue
            if tok == "{":
                depth, j = 1, k + 1
                while depth:
                    if toks[j] == "{":
                        depth += 1
                    elif toks[j] == "}":
                        depth -= 1
                    j += 1
                out.append((None, self.object_fields(cls, toks[k + 1:j - 1])))
                k = j
                continue
            if tok in self.p.objsets:
                out.extend(self.flatten_set(tok))
            else:
                ocls, otoks = self.p.objects[tok]
                out.append((tok, self.object_fields(ocls, otoks)))
            k += 1
        return out

    # -- type resolution
    def uniq(self, name):
        c = cid(name)
        base, n = c, 2
        while c in self.cnames:
            c = "%s_%d" % (base, n)
            n += 1
        self.cnames.add(c)
        return c

    def new(self, kind, name, named):
        t = T(kind, name)
        t.cname = self.uniq(name)
        t.named = named
        self.all.append(t)
        return t

    def resolve_ref(self, name, args, env):
        if args:
            actual = []
            for a in args:
                if "set" in a:
                    actual.append(("set", env.get(a["set"], ("set", a["set"]))[1]))
                else:
                    v = a["value"]
                    actual.append(("value", env[v][1] if v in env else v))
            key = (name, tuple(actual))
            if key in self.memo:
                return self.memo[key]
            penv = dict(zip(self.p.params[name], actual))
            inst = name + "_" + "_".join(str(a[1]) for a in actual)
            t = self.resolve(self.p.types[name], inst, penv, True)
            self.memo[key] = t
            return t
        if name in self.memo:
            return self.memo[name]
        if name not in self.p.types:
            raise asn1parse.ParseError("unknown type %s" % name)
        t = self.resolve(self.p.types[name], name, {}, True)
        self.memo[name] = t
        return t

    def resolve(self, ast, hint, env, named):
        k = ast["k"]
        cons = ast.get("constraints", [])
        if k == "REF":
            base = self.resolve_ref(ast["name"], ast.get("args"), env)
            if not cons and not named:
                return base
            t = self.copy(base, hint, named)
            self.apply(t, cons, env)
            return t
        if k == "CLASSFIELD":
            return self.classfield(ast, hint, env, cons)
        simple = {"INTEGER": "INT", "BOOLEAN": "BOOL", "NULL": "NULL", "BIT STRING": "BITS",
                  "OCTET STRING": "OCTETS", "STRING": "STR",
                  # X.691 clause 24: an OBJECT IDENTIFIER is a length and its BER contents
                  # octets, i.e. encoded exactly as an unconstrained OCTET STRING
                  "OBJECT IDENTIFIER": "OCTETS"}
        if k in simple:
            t = self.new(simple[k], hint, named)
            t.strkind = ast.get("str")
            self.apply(t, cons, env)
            return t
        if k == "ENUMERATED":
            t = self.new("ENUM", hint, True)
            t.root, t.extitems, t.ext = ast["root"], ast["ext"], ast["extensible"]
            return t
        if k in ("SEQUENCE", "CHOICE"):
            t = self.new("SEQ" if k == "SEQUENCE" else "CHOICE", hint, True)
            t.ext = ast["extensible"]
            for c in ast["comps"]:
                ct = self.resolve(c["type"], hint + "_" + c["name"], env, False)
                extra = c["type"].get("_extra", {})
                t.comps.append([c["name"], ct, c["optional"], c["ext"], extra])
            self.link_open(t, ast)
            return t
        if k == "SEQUENCE OF":
            t = self.new("SEQOF", hint, True)
            self.apply(t, cons, env)
            t.elem = self.resolve(ast["elem"], hint + "_Item", env, False)
            return t
        raise asn1parse.ParseError("unsupported type %s" % k)

    def copy(self, base, hint, named):
        t = self.new(base.kind, hint, named or base.kind in ("ENUM",))
        for a in ("lb", "ub", "ext", "strkind", "comps", "root", "extitems", "elem", "objs",
                  "alts", "selector", "critsib"):
            if hasattr(base, a):
                setattr(t, a, getattr(base, a))
        if base.kind in ("SEQ", "CHOICE", "SEQOF", "OPEN", "ENUM"):
            t.alias_of = base
        return t

    def apply(self, t, cons, env):
        for c in cons:
            if c is None:
                continue
            r = c.get("size") or c.get("range")
            if r:
                lo, hi, ext = r
                lo = env[lo][1] if lo in env else lo
                hi = env[hi][1] if hi in env else hi
                t.lb, t.ub = self.value(lo), self.value(hi)
                t.ext = ext
            # CONTAINING: the PER encoding of the OCTET STRING is unchanged; the value stays
            # opaque (decoded separately as its own top-level type) but the descriptor
            # names the contained type (a1_type.elem) for tools and test generators.
            if c.get("containing"):
                self.pending_containing.append((t, c["containing"]))

    def classfield(self, ast, hint, env, cons):
        cls = self.p.classes[ast["cls"]]
        field = ast["field"]
        table = [c for c in cons if "table" in c]
        spec = cls["fields"][field]
        if field[1].islower():  # value field: its type is in the class definition
            t = self.resolve({"k": "REF", "name": spec[0], "args": None}, hint, env, False)
            return t
        setname = env[table[0]["table"]][1] if table[0]["table"] in env else table[0]["table"]
        key = ("open", setname, field)
        if key in self.memo:
            return self.memo[key]
        t = self.new("OPEN", setname + "_" + field[1:], True)
        t.rel = table[0]["rel"]
        self.memo[key] = t
        uniq = ([f for f, s in cls["fields"].items() if "UNIQUE" in s] + ["&id"])[0]
        altkey = {}
        for oname, fields in self.flatten_set(setname):
            if field not in fields:
                continue
            idname = fields[uniq]
            idval = self.value(idname)
            crit = fields.get("&criticality", "ignore")
            presence = fields.get("&presence", "optional")
            vast = fields[field]
            vhint = idname[3:] if idname.startswith("id-") else idname
            if vast["k"] == "REF" and not vast.get("constraints") and not vast.get("args"):
                vt = self.resolve_ref(vast["name"], None, env)
            else:
                vt = self.resolve(vast, setname + "_" + vhint, env, True)
                vt.name = vhint  # JSON shows the IE name, not the synthetic type name
            if id(vt) not in altkey:
                altkey[id(vt)] = len(t.alts)
                t.alts.append(vt)
            t.objs.append((idval, idname, crit, presence, altkey[id(vt)]))
        return t

    def link_open(self, t, ast):
        names = [c[0] for c in t.comps]
        for c in t.comps:
            ct = c[1]
            if ct.kind == "OPEN":
                c[4] = {"sel": names.index(ct.rel),
                        "crit": names.index("criticality") if "criticality" in names else -1}
        # JSON prints IE ids by name
        for c, a in zip(t.comps, ast["comps"]):
            if a["type"]["k"] == "CLASSFIELD" and a["type"]["field"] == "&id" and \
                    c[1].kind == "INT":
                c[4] = dict(c[4], namedid=True)

    # -- emission
    def ctype(self, t):
        if t.named or t.kind in ("SEQ", "CHOICE", "SEQOF", "OPEN", "ENUM"):
            return "%s_%s_t" % (self.prefix, t.cname)
        return self.basetype(t)

    def basetype(self, t):
        if t.kind == "INT":
            return "uint64_t" if (t.ub or 0) > INT64_MAX else "int64_t"
        return {"BOOL": "bool", "NULL": "uint8_t", "BITS": "a1_bits", "OCTETS": "a1_octets",
                "STR": "a1_octets"}[t.kind]

    def emit(self, outdir):
        P = self.prefix
        h = []
        w = h.append
        w("/* Generated by tools/asn1gen from spec/ngap.asn (3GPP TS 38.413 V17.3.0). DO NOT EDIT.")
        w(" * Regenerate with tools/gen.sh. */")
        w("#ifndef %s_GEN_TYPES_H" % P)
        w("#define %s_GEN_TYPES_H" % P)
        w("")
        w("#include <stdbool.h>")
        w("#include <stdint.h>")
        w("")
        w('#include "asn1/aper.h"')
        w("")
        w("/* Value assignments (procedure codes, IE ids, bounds) */")
        for name, (gov, v) in self.p.values.items():
            val = self.value(v)
            if val is not None:
                w("#define %s_%s %d" % (P, cid(name), val))
        w("")
        types = [t for t in self.all if not getattr(t, "dead", False)]
        struct_kinds = ("SEQ", "CHOICE", "SEQOF", "OPEN")
        # enums and primitive typedefs first
        for t in types:
            if t.kind == "ENUM" and not hasattr(t, "alias_of"):
                items = t.root + t.extitems
                w("typedef enum %s_%s {" % (P, t.cname))
                for i, it in enumerate(items):
                    w("    %s_%s_%s = %d," % (P, t.cname, cid(it), i))
                w("} %s_%s_t;" % (P, t.cname))
            elif t.kind == "ENUM":
                w("typedef %s %s_%s_t;" % (self.ctype(t.alias_of), P, t.cname))
            elif t.kind not in struct_kinds and t.named:
                w("typedef %s %s_%s_t;" % (self.basetype(t), P, t.cname))
        w("")
        for t in types:
            if t.kind in struct_kinds and not hasattr(t, "alias_of"):
                w("typedef struct %s_%s %s_%s_t;" % (P, t.cname, P, t.cname))
        for t in types:
            if t.kind in struct_kinds and hasattr(t, "alias_of"):
                w("typedef %s %s_%s_t;" % (self.ctype(t.alias_of), P, t.cname))
        w("")
        done = set()
        for t in types:
            self.emit_struct(t, w, done)
        w("")
        w("/* Descriptors (src/asn1/aper.h) */")
        self.tables = []
        for t in types:
            self.descriptor(t)
        for t in types:
            if t.named:
                w("extern const a1_type %s_%s_def;" % (P, t.cname))
        w("")
        w("#endif")
        c = []
        c.append("/* Generated by tools/asn1gen from spec/ngap.asn (3GPP TS 38.413 V17.3.0)."
                 " DO NOT EDIT.")
        c.append(" * Constant aligned-PER descriptors walked by src/asn1/aper.c. */")
        c.append("#include <stddef.h>")
        c.append("")
        c.append('#include "ngap/gen/%s_types.h"' % P.lower())
        c.append("")
        # forward declarations so tables may reference each other in any order
        for name, static in self.decls:
            c.append("%sconst a1_type %s;" % ("static " if static else "extern ", name))
        c.append("")
        c.extend(self.tables)
        with open(os.path.join(outdir, "%s_types.h" % P.lower()), "w") as f:
            f.write("\n".join(h) + "\n")
        with open(os.path.join(outdir, "%s_tables.c" % P.lower()), "w") as f:
            f.write("\n".join(c) + "\n")

    def emit_struct(self, t, w, done):
        if id(t) in done or t.kind not in ("SEQ", "CHOICE", "SEQOF", "OPEN"):
            return
        done.add(id(t))
        P = self.prefix
        if hasattr(t, "alias_of"):
            self.emit_struct(t.alias_of, w, done)
            return
        deps = []
        if t.kind == "SEQ":
            deps = [c[1] for c in t.comps if not c[2] and not c[3]]
        elif t.kind == "CHOICE":
            deps = [c[1] for c in t.comps]
        elif t.kind == "OPEN":
            deps = t.alts
        for d in deps:
            self.emit_struct(d, w, done)
        if t.kind == "SEQ":
            w("struct %s_%s {" % (P, t.cname))
            for name, ct, opt, ext, _x in t.comps:
                ptr = "*" if (opt or ext) else ""
                w("    %s %s%s;" % (self.ctype(ct), ptr, cid(name)))
            if t.ext:
                w("    a1_ext *_ext; /* unknown extension additions, kept for re-encoding */")
            if not t.comps and not t.ext:
                w("    uint8_t _empty;")
            w("};")
        elif t.kind == "CHOICE":
            w("enum {")
            for i, c in enumerate(t.comps):
                w("    %s_%s_PR_%s = %d," % (P, t.cname, cid(c[0]), i + 1))
            w("};")
            w("struct %s_%s {" % (P, t.cname))
            w("    uint32_t present; /* %s_%s_PR_*; 0 = none */" % (P, t.cname))
            w("    union {")
            for name, ct, opt, ext, _x in t.comps:
                w("        %s %s;" % (self.ctype(ct), cid(name)))
            if t.ext:
                w("        a1_open _unknown; /* present > known alternatives */")
            w("    };")
            w("};")
        elif t.kind == "SEQOF":
            w("struct %s_%s {" % (P, t.cname))
            w("    size_t count;")
            w("    %s *list;" % self.ctype(t.elem))
            w("};")
        elif t.kind == "OPEN":
            t.altnames = []
            used = set()
            for a in t.alts:
                n = cid(a.name)
                while n in used:
                    n += "_"
                used.add(n)
                t.altnames.append(n)
            if t.alts:
                w("enum {")
                for i, n in enumerate(t.altnames):
                    w("    %s_%s_PR_%s = %d," % (P, t.cname, n, i + 1))
                w("};")
            w("struct %s_%s {" % (P, t.cname))
            w("    uint32_t present; /* %s_%s_PR_*; 0 = not decoded (raw) */" % (P, t.cname))
            if t.alts:
                w("    union {")
                for a, n in zip(t.alts, t.altnames):
                    w("        %s %s;" % (self.ctype(a), n))
                w("    };")
            w("    a1_open raw; /* unknown id: the value's bytes, re-encoded as they came */")
            w("};")

    # descriptors
    def dname(self, t):
        if t.desc:
            return t.desc
        P = self.prefix
        if t.named:
            t.desc = "%s_%s_def" % (P, t.cname)
        else:
            t.desc = "%s_%s_def" % (P, t.cname)
        return t.desc

    def descriptor(self, t):
        P = self.prefix
        if not hasattr(self, "decls"):
            self.decls = []
        name = self.dname(t)
        self.decls.append((name, not t.named))
        tb = self.tables
        kinds = {"INT": "A1_INT", "ENUM": "A1_ENUM", "BOOL": "A1_BOOL", "NULL": "A1_NULL",
                 "BITS": "A1_BITS", "OCTETS": "A1_OCTETS", "STR": "A1_STR", "SEQ": "A1_SEQ",
                 "CHOICE": "A1_CHOICE", "SEQOF": "A1_SEQOF", "OPEN": "A1_OPEN"}
        flags = []
        if t.ext:
            flags.append("A1_F_EXT")
        if t.lb is not None:
            flags.append("A1_F_LB")
        if t.ub is not None:
            flags.append("A1_F_UB")
        if t.kind == "INT" and (t.ub or 0) > INT64_MAX:
            flags.append("A1_F_UNSIGNED")
        src = t.alias_of if hasattr(t, "alias_of") else t
        ctype = self.ctype(t)
        fields = {".name": '"%s"' % t.name, ".kind": kinds[t.kind],
                  ".flags": " | ".join(flags) or "0",
                  ".size": "sizeof(%s)" % ctype}
        if t.lb is not None:
            fields[".lb"] = "%dLL" % t.lb
        if t.ub is not None:
            fields[".ub"] = "%dULL" % t.ub if t.ub > INT64_MAX else "%dLL" % t.ub
        if t.kind == "STR":
            fields[".strkind"] = "A1_STR_" + {"PrintableString": "PRINTABLE",
                                              "VisibleString": "VISIBLE", "IA5String": "IA5",
                                              "UTF8String": "UTF8",
                                              "NumericString": "NUMERIC"}[t.strkind]
        base = "%s_%s" % (P, src.cname)
        pre = ""
        if t.kind == "ENUM":
            arr = "%s_items" % name
            tb.append("static const char *const %s[] = {%s};" % (
                arr, ", ".join('"%s"' % i for i in src.root + src.extitems)))
            fields[".items"] = arr
            fields[".nroot"] = str(len(src.root))
            fields[".nall"] = str(len(src.root) + len(src.extitems))
        elif t.kind in ("SEQ", "CHOICE"):
            arr = "%s_members" % name
            rows = []
            for cname, ct, opt, ext, extra in src.comps:
                mf = []
                if opt or (ext and t.kind == "SEQ"):
                    mf.append("A1_M_OPT")
                if ext:
                    mf.append("A1_M_EXT")
                if extra.get("namedid"):
                    mf.append("A1_M_NAMEDID")
                rows.append('    {"%s", &%s, offsetof(%s, %s%s), %s, %d, %d},' % (
                    cname, self.dname(ct), ctype, pre, cid(cname), " | ".join(mf) or "0",
                    extra.get("sel", -1), extra.get("crit", -1)))
            if rows:
                tb.append("static const a1_member %s[] = {" % arr)
                tb.extend(rows)
                tb.append("};")
                fields[".m"] = arr
            fields[".nroot"] = str(len([c for c in src.comps if not c[3]]))
            fields[".nall"] = str(len(src.comps))
            if t.kind == "SEQ" and t.ext:
                fields[".aux"] = "offsetof(%s, %s_ext)" % (ctype, pre)
            if t.kind == "CHOICE" and t.ext:
                fields[".aux"] = "offsetof(%s, %s_unknown)" % (ctype, pre)
        elif t.kind == "SEQOF":
            fields[".elem"] = "&" + self.dname(src.elem)
        elif getattr(t, "containing", None) is not None:
            fields[".elem"] = "&" + self.dname(t.containing)
        elif t.kind == "OPEN":
            if src.alts:
                if not hasattr(src, "altnames"):
                    raise RuntimeError("open type %s not emitted" % src.name)
                arr = "%s_members" % name
                tb.append("static const a1_member %s[] = {" % arr)
                for a, n in zip(src.alts, src.altnames):
                    tb.append('    {"%s", &%s, offsetof(%s, %s%s), 0, -1, -1},' % (
                        a.name, self.dname(a), ctype, pre, n))
                tb.append("};")
                fields[".m"] = arr
                objs = "%s_objs" % name
                tb.append("static const a1_object %s[] = {" % objs)
                for idval, idname, crit, presence, alt in src.objs:
                    tb.append('    {%d, "%s", %d, A1_CRIT_%s, A1_PRES_%s},' % (
                        idval, idname, alt + 1, crit.upper(), presence.upper()))
                tb.append("};")
                fields[".objs"] = objs
                fields[".nobjs"] = str(len(src.objs))
            fields[".nall"] = str(len(src.alts))
            fields[".aux"] = "offsetof(%s, %sraw)" % (ctype, pre)
        body = ", ".join("%s = %s" % kv for kv in fields.items())
        tb.append("%sconst a1_type %s = {%s};" % ("" if t.named else "static ", name, body))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    spec, outdir = args[0], args[1]
    prefix = "NGAP"
    if "--prefix" in args:
        prefix = args[args.index("--prefix") + 1]
    p = asn1parse.parse_file(spec)
    g = Gen(p, prefix)
    for name in p.order:
        if name not in p.params:
            g.resolve_ref(name, None, {})
    while g.pending_containing:
        t, ast = g.pending_containing.pop()
        t.containing = g.resolve(ast, t.name + "_contained", {}, False)
    g.emit(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

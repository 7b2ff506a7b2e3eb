#!/usr/bin/python3
"""Random valid NGAP-PDU values as Erlang terms (erlc -bper +maps representation), one
per line, for the Erlang -> glass5g direction of the oracle test.

The values are generated from the ASN.1 itself (spec/ngap.asn, resolved by
tools/asn1gen), independently of the C code: Erlang/OTP encodes them and glass5g must
decode and re-encode every one byte-exactly. Cycles through every elementary procedure's
initiating, successful and unsuccessful message.
Usage: randterm.py SPEC COUNT SEED
"""
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "tools", "asn1gen"))
import asn1gen  # noqa: E402
import asn1parse  # noqa: E402

PRINTABLE = "ABCXYZabcxyz0189 '()+,-./:=?"


def atom(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def binary(bs):
    return "<<" + ",".join(str(b) for b in bs) + ">>"


def empty_set_container(t):
    if t.kind != "SEQOF":
        return False
    e = t.elem
    return e.kind == "SEQ" and any(c[1].kind == "OPEN" and not c[1].objs for c in e.comps)


class R:
    def __init__(self, rng):
        self.r = rng

    def size(self, t, cap):
        lb = t.lb if t.lb is not None else 0
        ub = t.ub if t.ub is not None else lb + cap
        ub = min(ub, lb + cap)
        k = self.r.randrange(4)
        return lb if k == 0 else ub if k == 1 else self.r.randint(lb, ub)

    def value(self, t, depth, force=None):
        depth += 1
        k = t.kind
        if k == "INT":
            if t.lb is not None and t.ub is not None:
                v = self.r.choice([t.lb, t.ub, self.r.randint(t.lb, t.ub)])
                if t.ext and self.r.randrange(8) == 0:
                    v = t.ub + 1 + self.r.randrange(1000)
            elif t.lb is not None:
                v = t.lb + self.r.randrange(100000)
            else:
                v = self.r.randrange(-1000000, 1000000)
            return str(v)
        if k == "ENUM":
            return atom(self.r.choice(t.root + t.extitems))
        if k == "BOOL":
            return self.r.choice(["true", "false"])
        if k == "NULL":
            return "'NULL'"
        if k == "BITS":
            n = self.size(t, 40)
            if t.ext and t.ub is not None and self.r.randrange(8) == 0:
                n = t.ub + 1 + self.r.randrange(3)
            return "<<%d:%d>>" % (self.r.getrandbits(n) if n else 0, n)
        if k == "OCTETS":
            n = self.size(t, 12)
            if t.ext and t.ub is not None and self.r.randrange(8) == 0:
                n = t.ub + 1 + self.r.randrange(3)
            return binary(self.r.getrandbits(8) for _ in range(n))
        if k == "STR":
            n = self.size(t, 12)
            s = "".join(self.r.choice(PRINTABLE) for _ in range(n))
            if t.strkind == "UTF8String":
                return binary(s.encode())
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if k == "SEQOF":
            n = self.size(t, 0 if depth > 6 else 4 if depth < 4 else 2)
            if empty_set_container(t):
                n = t.lb or 0
            return "[" + ",".join(self.value(t.elem, depth) for _ in range(n)) + "]"
        if k == "CHOICE":
            alts = [c for c in t.comps
                    if not (c[1].kind == "SEQ" and c[1].comps and c[1].comps[-1][1].kind == "OPEN"
                            and not c[1].comps[-1][1].objs)]
            c = alts[force % len(alts)] if force is not None else self.r.choice(alts)
            return "{%s,%s}" % (atom(c[0]), self.value(c[1], depth))
        if k == "SEQ":
            return self.seq(t, depth, force)
        raise ValueError("cannot generate %s" % k)

    def seq(self, t, depth, force):
        vals = {}
        for name, ct, opt, ext, extra in t.comps:
            if ct.kind == "OPEN":
                continue
            if opt and (depth > 10 or self.r.randrange(2) or empty_set_container(ct)):
                continue
            vals[name] = self.value(ct, depth)
        for name, ct, opt, ext, extra in t.comps:
            if ct.kind != "OPEN":
                continue
            objs = ct.objs
            o = objs[force % len(objs)] if force is not None else self.r.choice(objs)
            idval, idname, crit, presence, alt = o
            sel = t.comps[extra["sel"]][0]
            vals[sel] = str(idval)
            if extra.get("crit", -1) >= 0:
                vals[t.comps[extra["crit"]][0]] = atom(crit)
            vals[name] = self.value(ct.alts[alt], depth)
        order = [c[0] for c in t.comps if c[0] in vals]
        return "#{" + ",".join("%s => %s" % (atom(n), vals[n]) for n in order) + "}"


def main():
    spec, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    p = asn1parse.parse_file(spec)
    g = asn1gen.Gen(p, "NGAP")
    for name in p.order:
        if name not in p.params:
            g.resolve_ref(name, None, {})
    pdu = g.memo["NGAP-PDU"]
    rng = random.Random(seed)
    r = R(rng)
    for i in range(count):
        alt = pdu.comps[i % 3]
        nobj = len(alt[1].comps[2][1].objs)
        try:
            v = r.seq(alt[1], 1, (i // 3) % nobj)
        except IndexError:  # PrivateMessage: its IE set is empty, no valid value exists
            continue
        print("{%s,%s}." % (atom(alt[0]), v))


if __name__ == "__main__":
    main()

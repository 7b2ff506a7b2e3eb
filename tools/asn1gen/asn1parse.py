"""ASN.1 parser for the subset used by 3GPP application protocols (NGAP, TS 38.413).

Parses every module of a file into one namespace of assignments:
  * type assignments, incl. parameterised ones (ProtocolIE-Container {IEsSetParam} ::= ...)
  * value assignments (maxnoofX INTEGER ::= 256, id-Foo ProtocolIE-ID ::= 85)
  * information object classes with WITH SYNTAX (X.681 clause 9, 10)
  * information objects and object sets defined in that syntax (X.681 clause 11, 12)
Types are kept as small dicts (the AST); asn1gen.py resolves and emits them.
Standard library only, so it runs with Debian's /usr/bin/python3.
"""
import re

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<assign>::=)
  | (?P<ellipsis>\.\.\.)
  | (?P<range>\.\.)
  | (?P<lbb>\[\[) | (?P<rbb>\]\])
  | (?P<num>-?\d+)
  | (?P<ident>&?[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)
  | (?P<punct>[{}()\[\],|@.;:<!^])
""", re.X)


class ParseError(Exception):
    pass


def strip_comments(text):
    out = []
    for line in text.split("\n"):
        # "--" starts a comment that ends at the next "--" or the end of the line.
        res, i = "", 0
        while True:
            j = line.find("--", i)
            if j < 0:
                res += line[i:]
                break
            res += line[i:j]
            k = line.find("--", j + 2)
            if k < 0:
                break
            i = k + 2
        out.append(res)
    return "\n".join(out)


def tokenize(text):
    text = strip_comments(text)
    toks, pos = [], 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ParseError("bad character at %r" % text[pos:pos + 30])
        pos = m.end()
        if m.lastgroup == "ws":
            continue
        toks.append(m.group())
    return toks


def is_upper(tok):
    return tok[:1].isupper()


class Parser:
    def __init__(self, toks):
        self.t = toks
        self.i = 0
        self.types = {}  # name -> ast
        self.params = {}  # name -> [param names] for parameterised types
        self.values = {}  # name -> (governor, value)
        self.classes = {}  # name -> class dict
        self.objects = {}  # name -> (class, raw tokens)
        self.objsets = {}  # name -> (class, raw tokens)
        self.order = []  # type names in source order

    # -- token helpers
    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def next(self):
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end of input")
        self.i += 1
        return tok

    def expect(self, tok):
        got = self.next()
        if got != tok:
            ctx = " ".join(self.t[max(0, self.i - 8):self.i + 4])
            raise ParseError("expected %r, got %r near: %s" % (tok, got, ctx))

    def accept(self, tok):
        if self.peek() == tok:
            self.i += 1
            return True
        return False

    def braced(self):
        """Returns the tokens between a balanced { } (consumed)."""
        self.expect("{")
        depth, start = 1, self.i
        while depth:
            tok = self.next()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
        return self.t[start:self.i - 1]

    # -- modules
    def parse(self):
        # classes are defined in the last module but used by the earlier ones
        for k in range(len(self.t) - 2):
            if self.t[k + 1] == "::=" and self.t[k + 2] == "CLASS":
                self.classes[self.t[k]] = None
        while self.peek() is not None:
            self.module()
        return self

    def module(self):
        self.next()  # module name
        if self.peek() == "{":
            self.braced()  # OID
        while self.next() != "BEGIN":
            pass
        if self.accept("IMPORTS"):
            while self.next() != ";":
                pass
        if self.accept("EXPORTS"):
            while self.next() != ";":
                pass
        while not self.accept("END"):
            self.assignment()

    def assignment(self):
        name = self.next()
        if self.peek() == "{":  # parameterised type
            ptoks = self.braced()
            # parameters are "Governor : Name" or "Name"; keep the names
            names = []
            k = 0
            while k < len(ptoks):
                if k + 2 < len(ptoks) and ptoks[k + 1] == ":":
                    names.append(ptoks[k + 2])
                    k += 3
                else:
                    names.append(ptoks[k])
                    k += 1
                if k < len(ptoks) and ptoks[k] == ",":
                    k += 1
            self.expect("::=")
            self.params[name] = names
            self.types[name] = self.type()
            self.order.append(name)
            return
        if self.peek() == "::=":
            self.next()
            if self.peek() == "CLASS":
                self.next()
                self.classes[name] = self.class_body()
                return
            self.types[name] = self.type()
            self.order.append(name)
            return
        governor = self.next()
        self.expect("::=")
        if governor in self.classes:
            toks = self.braced()
            if is_upper(name):
                self.objsets[name] = (governor, toks)
            else:
                self.objects[name] = (governor, toks)
            return
        # value assignment: INTEGER-valued everywhere in NGAP
        self.values[name] = (governor, self.next())

    def class_body(self):
        toks = self.braced()
        fields = {}
        k = 0
        while k < len(toks):
            fname = toks[k]
            j = k + 1
            spec = []
            while j < len(toks) and toks[j] != ",":
                spec.append(toks[j])
                j += 1
            fields[fname] = spec
            k = j + 1
        syntax = []
        if self.accept("WITH"):
            self.expect("SYNTAX")
            stoks = self.braced()
            words, optional = [], False
            for tok in stoks:
                if tok == "[":
                    optional = True
                elif tok == "]":
                    optional = False
                elif tok.startswith("&"):
                    syntax.append((tuple(words), tok, optional))
                    words = []
                else:
                    words.append(tok)
        return {"fields": fields, "syntax": syntax}

    # -- types
    def type(self):
        t = self.builtin_or_ref()
        while self.peek() == "(":
            t = dict(t)
            t.setdefault("constraints", [])
            t["constraints"] = t["constraints"] + [self.constraint()]
        return t

    def builtin_or_ref(self):
        tok = self.next()
        if tok == "INTEGER":
            if self.peek() == "{":
                self.braced()  # named numbers (not PER-visible)
            return {"k": "INTEGER"}
        if tok == "BOOLEAN":
            return {"k": "BOOLEAN"}
        if tok == "NULL":
            return {"k": "NULL"}
        if tok == "BIT":
            self.expect("STRING")
            if self.peek() == "{":
                self.braced()
            return {"k": "BIT STRING"}
        if tok == "OCTET":
            self.expect("STRING")
            return {"k": "OCTET STRING"}
        if tok == "OBJECT":
            self.expect("IDENTIFIER")
            return {"k": "OBJECT IDENTIFIER"}
        if tok in ("PrintableString", "VisibleString", "IA5String", "UTF8String",
                   "NumericString"):
            return {"k": "STRING", "str": tok}
        if tok == "ENUMERATED":
            return self.enumerated()
        if tok in ("SEQUENCE", "SET"):
            if self.peek() == "{":
                return self.components("SEQUENCE")
            size = None
            if self.peek() == "(":
                size = self.constraint()
            if self.peek() == "SIZE":
                self.next()
                size = self.constraint_inner_size()
            self.expect("OF")
            elem = self.type()
            return {"k": "SEQUENCE OF", "elem": elem, "constraints": [size] if size else []}
        if tok == "CHOICE":
            return self.components("CHOICE")
        if is_upper(tok):
            if self.peek() == "." and self.peek(1) and self.peek(1).startswith("&"):
                self.next()
                field = self.next()
                return {"k": "CLASSFIELD", "cls": tok, "field": field}
            args = None
            if self.peek() == "{":
                args = self.actual_params()
            return {"k": "REF", "name": tok, "args": args}
        raise ParseError("unexpected token %r in type" % tok)

    def actual_params(self):
        toks = self.braced()
        args, cur, depth = [], [], 0
        for tok in toks:
            if tok == "," and depth == 0:
                args.append(cur)
                cur = []
                continue
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
            cur.append(tok)
        if cur:
            args.append(cur)
        out = []
        for a in args:
            if a[0] == "{":  # {SetName}
                out.append({"set": a[1]})
            else:
                out.append({"value": a[0]})
        return out

    def enumerated(self):
        toks = self.braced()
        root, ext, in_ext = [], [], False
        for tok in toks:
            if tok == ",":
                continue
            if tok == "...":
                in_ext = True
                continue
            (ext if in_ext else root).append(tok)
        return {"k": "ENUMERATED", "root": root, "ext": ext, "extensible": in_ext}

    def components(self, kind):
        self.expect("{")
        comps, extensible, in_ext = [], False, False
        while not self.accept("}"):
            if self.accept(","):
                continue
            if self.accept("..."):
                extensible = True
                in_ext = not in_ext
                continue
            if self.accept("[["):
                raise ParseError("extension addition groups are not supported")
            name = self.next()
            t = self.type()
            opt = False
            if self.accept("OPTIONAL"):
                opt = True
            elif self.accept("DEFAULT"):
                self.next()
                opt = True
            comps.append({"name": name, "type": t, "optional": opt, "ext": in_ext})
        return {"k": kind, "comps": comps, "extensible": extensible}

    # -- constraints: returns a dict {size|range|table|containing}
    def constraint(self):
        self.expect("(")
        c = self.constraint_body()
        self.expect(")")
        return c

    def constraint_inner_size(self):
        self.expect("(")
        r = self.range_spec()
        self.expect(")")
        return {"size": r}

    def constraint_body(self):
        tok = self.peek()
        if tok == "SIZE":
            self.next()
            return self.constraint_inner_size()
        if tok == "CONTAINING":
            self.next()
            return {"containing": self.type()}
        if tok == "{":
            sset = self.braced()
            rel = None
            if self.peek() == "{":
                rel = self.braced()  # ["@", "id"] or ["@", ".", "id"]
                rel = [x for x in rel if x not in ("@", ".")][-1]
            return {"table": sset[0], "rel": rel}
        return {"range": self.range_spec()}

    def range_spec(self):
        lo = self.next()
        hi = lo
        if self.accept(".."):
            hi = self.next()
        while self.accept("|"):  # value union: PER uses the smallest enclosing range
            v = self.next()
            if self.accept(".."):
                v = self.next()
            hi = v  # NGAP lists unions in ascending order
        ext = False
        if self.accept(","):
            self.expect("...")
            ext = True
            if self.accept(","):  # extension additions are not PER-visible in the root
                self.range_spec()
        return (lo, hi, ext)


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        return Parser(tokenize(f.read())).parse()

#!/usr/bin/env python3
"""Reads include/cashfree_rpd.h (as cbindgen writes it) for the header checks and the
man page generator: its macros, types and functions with their doc comments.

  python3 scripts/cheader.py check-names [HEADER]
      fails (exit 1) when a macro, type, struct tag or function does not start with
      CFRPD_ / cfrpd_ (the include guard aside)
  python3 scripts/cheader.py check-hpp [HEADER [HPP]]
      fails when a function declared in HEADER is not used by HPP (the C++ wrapper)
  python3 scripts/cheader.py functions [HEADER]
      prints the functions, one a line
  python3 scripts/cheader.py types [HEADER]
      prints the type names (structs, callbacks, opaque handles, integer types), one a line

Nothing here lists functions by hand: everything comes from the header.
"""
import re
import sys
from dataclasses import dataclass, field

HEADER = "include/cashfree_rpd.h"
HPP = "include/cashfree_rpd.hpp"
INCLUDE_GUARD = "CASHFREE_RPD_H"


@dataclass
class Function:
    name: str
    prototype: str  # one line, normalised spaces, ending in ';'
    doc: str  # the doc comment's text, without the comment markers
    returns: str  # the return type
    params: list = field(default_factory=list)  # [(type, name)]


@dataclass
class Header:
    macros: list  # [(name, value, doc)]
    types: list  # [(name, doc, text)]
    struct_tags: list
    functions: list  # [Function]


def _doc_text(comment):
    lines = []
    for line in comment.splitlines():
        line = line.strip()
        if line.startswith("/**"):
            line = line[3:]
        if line.endswith("*/"):
            line = line[:-2]
        line = line.strip()
        if line.startswith("* ") or line == "*":
            line = line[2:]
        lines.append(line.rstrip())
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def parse(text):
    macros, types, tags, functions = [], [], [], []
    # Top-level items with the doc comment right before them.
    pos = 0
    last_doc = ""
    token = re.compile(
        r"/\*\*.*?\*/|/\*.*?\*/|//[^\n]*|#[^\n]*|typedef\s[^;{]*\{.*?\}\s*\w+\s*;|typedef[^;]*;"
        r"|struct\s+\w+\s*\{.*?\}\s*;|[A-Za-z_][^;{}#/]*\([^;{}]*\)\s*;|[^\s]",
        re.S,
    )
    for m in token.finditer(text, pos):
        t = m.group(0)
        if t.startswith("/**"):
            last_doc = _doc_text(t)
            continue
        if t.startswith("/*") or t.startswith("//"):
            continue
        if t.startswith("#"):
            d = re.match(r"#define\s+(\w+)(?:\s+(.*))?", t)
            if d:
                macros.append((d.group(1), (d.group(2) or "").strip(), last_doc))
            last_doc = ""
            continue
        if t.startswith("typedef"):
            fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", t)
            if fp and "{" not in t:
                name = fp.group(1)
            else:
                name = re.search(r"(\w+)\s*;\s*$", t).group(1)
            tag = re.match(r"typedef\s+(?:struct|enum|union)\s+(\w+)", t)
            if tag:
                tags.append(tag.group(1))
            types.append((name, last_doc, t))
            last_doc = ""
            continue
        if t.startswith("struct"):
            tags.append(re.match(r"struct\s+(\w+)", t).group(1))
            last_doc = ""
            continue
        f = re.match(r"([A-Za-z_][\w\s\*]*?)\b(\w+)\s*\((.*)\)\s*;$", t, re.S)
        if f and not t.startswith("extern"):
            ret = " ".join(f.group(1).split())
            name = f.group(2)
            raw_params = " ".join(f.group(3).split())
            params = []
            if raw_params and raw_params != "void":
                for p in raw_params.split(","):
                    p = p.strip()
                    pm = re.match(r"(.*?)(\w+)$", p)
                    params.append((pm.group(1).strip(), pm.group(2)))
            functions.append(Function(name, _tidy(ret, name, params), last_doc, ret, params))
            last_doc = ""
            continue
        if not t.isspace():
            last_doc = "" if t not in ("{", "}") else last_doc
    return Header(macros, types, tags, functions)


def _tidy(ret, name, params):
    def star(t):
        return re.sub(r"\s*((?:\*\s*)+)", lambda m: " " + m.group(1).replace(" ", ""), t).strip()

    r = star(ret)
    sep = "" if r.endswith("*") else " "
    ps = ", ".join(f"{star(t)}{'' if star(t).endswith('*') else ' '}{n}" for t, n in params) or "void"
    return f"{r}{sep}{name}({ps});"


def read(path=HEADER):
    with open(path, encoding="utf-8") as f:
        return parse(f.read())


def unprefixed(h):
    bad = []
    for name, _, _ in h.macros:
        if name != INCLUDE_GUARD and not name.startswith("CFRPD_"):
            bad.append(f"macro {name}")
    for name, _, _ in h.types:
        if not name.startswith("cfrpd_"):
            bad.append(f"type {name}")
    for name in h.struct_tags:
        if not name.startswith("cfrpd_"):
            bad.append(f"struct tag {name}")
    for f in h.functions:
        if not f.name.startswith("cfrpd_"):
            bad.append(f"function {f.name}")
    return bad


def unused_by_hpp(h, hpp_text):
    # Comments do not count as use.
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", hpp_text, flags=re.S)
    return [f.name for f in h.functions if not re.search(r"\b%s\b" % re.escape(f.name), code)]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    header = argv[2] if len(argv) > 2 else HEADER
    h = read(header)
    if not h.functions:
        print(f"{header}: no functions found (parser out of date?)", file=sys.stderr)
        return 1
    if cmd == "check-names":
        bad = unprefixed(h)
        for b in bad:
            print(f"{header}: unprefixed {b} (every public name starts with CFRPD_ / cfrpd_; "
                  "exclude Rust-only items in cbindgen.toml [export] exclude)", file=sys.stderr)
        if not bad:
            print(f"{header}: {len(h.macros)} macros, {len(h.types)} types, "
                  f"{len(h.functions)} functions, all prefixed")
        return 1 if bad else 0
    if cmd == "check-hpp":
        hpp = argv[3] if len(argv) > 3 else HPP
        with open(hpp, encoding="utf-8") as f:
            missing = unused_by_hpp(h, f.read())
        for name in missing:
            print(f"{hpp}: does not use {name} (declared in {header}): wrap it", file=sys.stderr)
        if not missing:
            print(f"{hpp}: uses all {len(h.functions)} functions of {header}")
        return 1 if missing else 0
    if cmd == "functions":
        for f in h.functions:
            print(f.prototype)
        return 0
    if cmd == "types":
        for name, _, _ in h.types:
            print(name)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

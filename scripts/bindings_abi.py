#!/usr/bin/env python3
"""Checks a language binding's declarations of the C ABI against include/cashfree_rpd.h
and the layout baselines in abi/ (64- and 32-bit targets), read at check time.

A binding describes what it declares as a *dump*, one item a line:

    fn <name> <callconv> <result> <arg> <arg> ...     a function it imports
    cb <typedef> <callconv> <result> <arg> ...        a callback type it passes to C
    layout <target> <struct> <size> <field>:<offset> ...  a layout measured on this host
    struct <name> <field>:<atom> <field>:<atom> ...   a struct it reads or writes
    uses <name>                                       a header function it uses (imported)
    const <C macro name> <value>                      a constant or enum value it defines

Atoms are ABI classes: void bool u8 u16 u32 i64 size ptr fn. A binding maps its own types
to them (Python: ctypes; .NET: the marshalled type, so a `bool` without
MarshalAs(UnmanagedType.U1) is `bool4`, a 4-byte Win32 BOOL, and mismatches). <callconv> is
`cdecl` (anything else mismatches: on x86 Windows the library uses cdecl).

    python3 scripts/bindings_abi.py check DUMP README [HEADER]

fails (exit 1) listing every difference: a function whose signature differs from the
header; a header function neither imported nor listed in README (a line starting with
"| `cfrpd_name`" in the binding's "left out" table); a README entry naming a function the
header does not have, or one the binding does use; a struct whose fields differ from the
header's, or whose layout computed with each target's C rules differs from abi/<target>.abi
(and abi/cashfree_rpd.abi for x86-64 Linux); an enum value or constant that differs from
the header, or a header constant that the binding defines in none of its `const` lines
(unless README lists it as left out).
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import cheader  # noqa: E402

ATOMS = {"void", "bool", "u8", "u16", "u32", "i64", "size", "ptr", "fn"}

# Per target: pointer size, alignment of int64_t inside a struct. New baselines need a row.
TARGETS = {
    "cashfree_rpd": (8, 8),  # x86_64-unknown-linux-gnu (the main baseline)
    "x86_64-unknown-linux-musl": (8, 8),
    "aarch64-unknown-linux-gnu": (8, 8),
    "aarch64-unknown-linux-musl": (8, 8),
    "x86_64-pc-windows-gnu": (8, 8),
    "armv7-unknown-linux-gnueabihf": (4, 8),  # AAPCS: 8-byte alignment for int64
    "i686-unknown-linux-gnu": (4, 4),  # i386 System V: int64 aligned to 4 in structs
    "i686-pc-windows-gnu": (4, 8),  # Windows x86: natural alignment
}


def c_atom(ctype, enum_typedefs, callback_typedefs):
    """The ABI class of a C type as the header spells it."""
    t = " ".join(ctype.replace("const ", " ").split())
    if "*" in t:
        return "ptr"
    t = t.replace("struct ", "")
    simple = {
        "void": "void",
        "bool": "bool",
        "uint8_t": "u8",
        "uint16_t": "u16",
        "uint32_t": "u32",
        "int64_t": "i64",
        "size_t": "size",
    }
    if t in simple:
        return simple[t]
    if t in enum_typedefs:
        return c_atom(enum_typedefs[t], enum_typedefs, callback_typedefs)
    if t in callback_typedefs:
        return "fn"
    raise ValueError(f"no ABI class for C type {ctype!r}")


def atom_size_align(atom, ptr, i64_align):
    return {
        "bool": (1, 1),
        "u8": (1, 1),
        "u16": (2, 2),
        "u32": (4, 4),
        "i64": (8, i64_align),
        "size": (ptr, ptr),
        "ptr": (ptr, ptr),
        "fn": (ptr, ptr),
    }[atom]


def layout(fields, ptr, i64_align):
    """[(name, atom)] -> ([(name, offset, size)], size, align) with C's rules."""
    off, align, out = 0, 1, []
    for name, atom in fields:
        size, a = atom_size_align(atom, ptr, i64_align)
        off = (off + a - 1) // a * a
        out.append((name, off, size))
        off += size
        align = max(align, a)
    return out, (off + align - 1) // align * align, align


class HeaderModel:
    def __init__(self, header_path):
        h = cheader.read(header_path)
        self.functions = {f.name: f for f in h.functions}
        self.enum_typedefs = {}
        self.callbacks = {}
        self.structs = {}
        for name, _doc, text in h.types:
            m = re.match(r"typedef\s+(uint\d+_t|int\d+_t)\s+(\w+)\s*;", text)
            if m:
                self.enum_typedefs[m.group(2)] = m.group(1)
        for name, _doc, text in h.types:
            fp = re.match(r"typedef\s+(.*?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)\s*;", text, re.S)
            if fp:
                params = [p.strip() for p in " ".join(fp.group(3).split()).split(",")]
                self.callbacks[fp.group(2)] = (
                    fp.group(1).strip(),
                    [re.match(r"(.*?)(\w+)$", p).group(1).strip() for p in params if p != "void"],
                )
        for name, _doc, text in h.types:
            if text.startswith("typedef struct") and "{" in text:
                body = text[text.index("{") + 1 : text.rindex("}")]
                body = re.sub(r"/\*.*?\*/|//[^\n]*", "", body, flags=re.S)
                fields = []
                for decl in body.split(";"):
                    decl = " ".join(decl.split())
                    if not decl:
                        continue
                    m = re.match(r"(.*?)(\w+)$", decl)
                    fields.append((m.group(2), m.group(1).strip()))
                self.structs[name] = fields
        self.macros = {}
        for name, value, _doc in h.macros:
            if re.fullmatch(r"-?\d+", value or ""):
                self.macros[name] = int(value)

    def atom(self, ctype):
        return c_atom(ctype, self.enum_typedefs, self.callbacks)


def read_baseline(path):
    """abi/<target>.abi [layouts] -> {struct: (size, align, [(name, off, size)])}."""
    out, cur = {}, None
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.rstrip("\n")
            if s.startswith("["):
                section = s.split("]")[0][1:]
                continue
            if section != "layouts" or not s.strip() or s.startswith("#"):
                continue
            m = re.match(r"struct (\w+): size (\d+), align (\d+)", s)
            if m:
                cur = m.group(1)
                out[cur] = (int(m.group(2)), int(m.group(3)), [])
                continue
            m = re.match(r"\s+(\d+) \+(\d+)\s+.*?(\w+)$", s)
            if m and cur:
                out[cur][2].append((m.group(3), int(m.group(1)), int(m.group(2))))
    return out


def left_out(readme_path):
    """Functions (and constants) the README lists as deliberately left out: table rows
    starting with | `name`."""
    names = []
    with open(readme_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*`((?:cfrpd_|CFRPD_)\w+)`", line)
            if m:
                names.append(m.group(1))
    return names


def parse_dump(text):
    fns, cbs, structs, consts, uses, measured = {}, {}, {}, {}, set(), []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        kind = parts[0]
        if kind == "fn":
            fns[parts[1]] = (parts[2], parts[3], parts[4:])
            uses.add(parts[1])
        elif kind == "cb":
            cbs[parts[1]] = (parts[2], parts[3], parts[4:])
        elif kind == "struct":
            structs[parts[1]] = [tuple(p.split(":", 1)) for p in parts[2:]]
        elif kind == "const":
            consts[parts[1]] = int(parts[2])
        elif kind == "uses":
            uses.add(parts[1])
        elif kind == "layout":
            fields = [(n, int(o)) for n, o in (p.split(":", 1) for p in parts[4:])]
            measured.append((parts[1], parts[2], int(parts[3]), fields))
        else:
            raise ValueError(f"dump: unknown line {line!r}")
    return fns, cbs, structs, consts, uses, measured


def check(dump_text, readme_path, header_path=None, abi_dir=None):
    """Returns a list of problems (empty when the binding matches the header)."""
    header_path = header_path or os.path.join(ROOT, "include", "cashfree_rpd.h")
    abi_dir = abi_dir or os.path.join(ROOT, "abi")
    hm = HeaderModel(header_path)
    fns, cbs, structs, consts, uses, measured = parse_dump(dump_text)
    listed = left_out(readme_path)
    problems = []
    readme = os.path.relpath(readme_path, ROOT)

    # Functions: used or listed, and each import's signature.
    for name in hm.functions:
        if name not in uses and name not in listed:
            problems.append(
                f"{name} (in the header) is neither used by the binding nor listed in "
                f"{readme} as left out (with a reason)"
            )
    for name in listed:
        if name.startswith("cfrpd_") and name not in hm.functions:
            problems.append(f"{readme} lists {name}, which the header does not declare")
        if name in uses:
            problems.append(f"{readme} lists {name} as left out, but the binding uses it")
    for name, (conv, ret, args) in fns.items():
        f = hm.functions.get(name)
        if f is None:
            problems.append(f"the binding imports {name}, which the header does not declare")
            continue
        want = (hm.atom(f.returns), [hm.atom(t) for t, _ in f.params])
        got = (ret, args)
        if conv != "cdecl":
            problems.append(f"{name}: calling convention {conv}, the library's is cdecl")
        if got != (want[0], want[1]):
            problems.append(
                f"{name}: declared {ret}({', '.join(args)}), the header has "
                f"{want[0]}({', '.join(want[1])}): {f.prototype}"
            )
    for name, (conv, ret, args) in cbs.items():
        c = hm.callbacks.get(name)
        if c is None:
            problems.append(f"callback {name} is not a header typedef")
            continue
        want = (hm.atom(c[0]), [hm.atom(t) for t in c[1]])
        if conv != "cdecl":
            problems.append(f"callback {name}: calling convention {conv}, C's is cdecl")
        if (ret, args) != want:
            problems.append(
                f"callback {name}: declared {ret}({', '.join(args)}), the header has "
                f"{want[0]}({', '.join(want[1])})"
            )

    # Structs: fields as in the header, layouts as in every baseline.
    baselines = {}
    for fn in sorted(os.listdir(abi_dir)):
        if fn.endswith(".abi"):
            target = fn[: -len(".abi")]
            if target not in TARGETS:
                problems.append(f"abi/{fn}: no pointer size / int64 alignment known for {target} "
                                "(add it to TARGETS in scripts/bindings_abi.py)")
                continue
            baselines[target] = read_baseline(os.path.join(abi_dir, fn))
    for name, fields in structs.items():
        hdr = hm.structs.get(name)
        if hdr is None:
            problems.append(f"struct {name}: not in the header")
            continue
        want = [(n, hm.atom(t)) for n, t in hdr]
        if list(fields) != want:
            problems.append(
                f"struct {name}: declared {' '.join(n + ':' + a for n, a in fields)}; "
                f"the header has {' '.join(n + ':' + a for n, a in want)}"
            )
            continue
        for target, base in baselines.items():
            if name not in base:
                continue
            ptr, i64 = TARGETS[target]
            offs, size, align = layout(fields, ptr, i64)
            bsize, balign, boffs = base[name]
            if (offs, size, align) != (boffs, bsize, balign):
                problems.append(
                    f"struct {name} on {target}: computed size {size} align {align} "
                    f"{offs}; abi/{target}.abi has size {bsize} align {balign} {boffs}"
                )

    for target, name, size, offs in measured:
        base = baselines.get(target, {}).get(name)
        if base is None:
            problems.append(f"measured layout of {name} on {target}: no baseline")
            continue
        want = (base[0], [(n, o) for n, o, _ in base[2]])
        if (size, offs) != want:
            problems.append(f"struct {name} measured on this host: size {size} {offs}; abi/{target}.abi has {want}")

    # Constants and enum values.
    for name, value in consts.items():
        if name not in hm.macros:
            problems.append(f"the binding defines {name} = {value}; the header has no such constant")
        elif hm.macros[name] != value:
            problems.append(f"{name}: the binding has {value}, the header {hm.macros[name]}")
    for name, value in hm.macros.items():
        if name.startswith("CFRPD_VERSION_"):
            continue
        if name not in consts and name not in listed:
            problems.append(
                f"{name} = {value} (in the header) is defined by the binding nowhere "
                f"(enum value or constant) and not listed in {readme}"
            )
    return problems


def main(argv):
    if len(argv) < 4 or argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        dump = f.read()
    problems = check(dump, argv[3], argv[4] if len(argv) > 4 else None)
    for p in problems:
        print(f"ABI MISMATCH: {p}", file=sys.stderr)
    if not problems:
        print(f"{argv[2]}: declarations match the header and every abi/ baseline")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

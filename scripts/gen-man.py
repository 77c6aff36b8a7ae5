#!/usr/bin/env python3
"""Generates the section 3 manual pages of cashfree-rpd from include/cashfree_rpd.h:
one page per C function (man/man3/<function>.3) and the overview cashfree_rpd(3).
Everything comes from the header and its doc comments (which cbindgen copies from the
Rust sources): nothing is kept by hand, and a function added to the header gets a page.

  python3 scripts/gen-man.py            write man/man3/ (what `make man` runs)
  python3 scripts/gen-man.py --check    exit 1 when man/man3/ differs from a fresh generation
  (--header PATH and --dir DIR read another header / write or check another directory)

Doc comment conventions the generator reads (write them in the Rust doc comments):
  - the first sentence is the NAME line's summary;
  - a paragraph starting "Returns:" is RETURN VALUE (a default is written for functions
    returning cfrpd_result or void; for others a missing one is reported on stderr);
  - a paragraph starting "Errors:" with "- CFRPD_ERR_X[, CFRPD_ERR_Y]: when" items is
    ERRORS (without one, the codes the description names are listed with their
    meaning); CFRPD_ERR_PANIC is added to every function returning cfrpd_result;
  - "Example:" followed by a ```c fenced block is EXAMPLE;
  - "# Safety" starts the caller's obligations (a subsection of DESCRIPTION);
  - `code` is set in bold; "- " lines are bullet items.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cheader  # noqa: E402

MAN_DIR = "man/man3"
OVERVIEW = "cashfree_rpd"
SOURCE = "cashfree-rpd"


def version():
    with open("Cargo.toml", encoding="utf-8") as f:
        return re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)


def esc(text):
    """Escapes roff specials in running text, then sets `code` in bold."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    text = re.sub(r"`([^`]+)`", lambda m: "\\fB" + m.group(1) + "\\fR", text)
    return non_ascii(text)


def non_ascii(text):
    """Characters outside ASCII as groff's \\[uXXXX] (man pages are read as Latin-1)."""
    return re.sub(r"[^\x00-\x7f]", lambda m: "\\[u%04X]" % ord(m.group(0)), text)


def line_safe(text):
    """A text line that roff does not take for a request."""
    return "\\&" + text if text.startswith((".", "'")) else text


def paragraphs(doc):
    """Blocks of a doc comment: ("text", lines), ("code", lines), split at blank lines."""
    blocks, cur, code = [], [], None
    for line in doc.split("\n"):
        if code is not None:
            if line.strip().startswith("```"):
                blocks.append(("code", code))
                code = None
            else:
                code.append(line)
            continue
        if line.strip().startswith("```"):
            if cur:
                blocks.append(("text", cur))
                cur = []
            code = []
            continue
        if not line.strip():
            if cur:
                blocks.append(("text", cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append(("text", cur))
    if code is not None:
        blocks.append(("code", code))
    return blocks


def split_doc(doc):
    """(description blocks, safety blocks, returns text, errors items, example blocks)."""
    desc, safety, example = [], [], []
    returns, errors = None, None
    target = desc
    for kind, lines in paragraphs(doc):
        first = lines[0].strip() if kind == "text" else ""
        if kind == "text" and first == "# Safety":
            target = safety
            rest = lines[1:]
            if rest:
                safety.append(("text", rest))
            continue
        if kind == "text" and first.startswith("Returns:"):
            returns = " ".join(l.strip() for l in lines)[len("Returns:"):].strip()
            target = desc
            continue
        if kind == "text" and first.startswith("Errors:"):
            errors = []
            head = first[len("Errors:"):].strip()
            items = ([head] if head else []) + [l.strip() for l in lines[1:]]
            for item in items:
                if item.startswith("- "):
                    errors.append(item[2:])
                elif errors:
                    errors[-1] += " " + item
                else:
                    errors.append(item)
            target = desc
            continue
        if kind == "text" and first.startswith("Example:"):
            target = example
            rest = " ".join(l.strip() for l in lines)[len("Example:"):].strip()
            if rest:
                example.append(("text", [rest]))
            continue
        target.append((kind, lines))
        if target is example and kind == "code":
            target = desc
    return desc, safety, returns, errors, example


def render_blocks(blocks):
    out = []
    for kind, lines in blocks:
        if kind == "code":
            out += [".PP", ".in +4n", ".EX"]
            out += [line_safe(non_ascii(l.replace("\\", "\\e"))) for l in lines]
            out += [".EE", ".in"]
            continue
        items, cur = [], None
        plain = []
        for l in lines:
            s = l.strip()
            if s.startswith("- "):
                if cur is not None:
                    items.append(cur)
                cur = s[2:]
            elif cur is not None:
                cur += " " + s
            else:
                plain.append(s)
        if cur is not None:
            items.append(cur)
        if plain:
            out.append(".PP")
            out += [line_safe(esc(s)) for s in plain]
        for it in items:
            out += [".IP \\(bu 2", line_safe(esc(it))]
    return out


def summary(doc):
    first = " ".join(paragraphs(doc)[0][1]) if doc else ""
    m = re.match(r"(.+?[.:;])(\s|$)", first)
    s = (m.group(1) if m else first).rstrip(".:;")
    return s


def th(name, ver):
    return f'.TH {name.upper()} 3 "" "{SOURCE} {ver}" "{SOURCE} manual"'


def codes_in(text, result_codes):
    names = re.findall(r"\bCFRPD_(?:ERR_\w+|OK)\b", text)
    seen = []
    for n in names:
        if n in result_codes and n != "CFRPD_OK" and n not in seen:
            seen.append(n)
    return seen


def synopsis(f):
    ret = f.returns.replace(" *", " *")
    lead = f"{ret}{'' if ret.endswith('*') else ' '}{f.name}("
    if not f.params:
        return [".nf", ".B #include <cashfree_rpd.h>", ".PP", f"{lead}void);".replace("\\", "\\e"), ".fi"]
    params = []
    for t, n in f.params:
        t = re.sub(r"\s*((?:\*\s*)+)", lambda m: " " + m.group(1).replace(" ", ""), t).strip()
        params.append(f"{t}{'' if t.endswith('*') else ' '}{n}")
    lines = [lead + params[0] + ("," if len(params) > 1 else ");")]
    pad = " " * len(lead)
    for i, p in enumerate(params[1:], 1):
        lines.append(pad + p + ("," if i < len(params) - 1 else ");"))
    return [".nf", ".B #include <cashfree_rpd.h>", ".PP"] + lines + [".fi"]


def see_also(f, h, names):
    refs = []
    free = None
    for t, _ in f.params:
        m = re.match(r"struct (cfrpd_\w+) \*\*", re.sub(r"\s+", " ", t).replace("* *", "**"))
        if m and m.group(1) != "cfrpd_error":
            for g in h.functions:
                if g.name.endswith("_free") and len(g.params) == 1 and m.group(1) in g.params[0][0]:
                    free = g.name
    if free:
        refs.append(free)
    for n in re.findall(r"\bcfrpd_\w+\b", f.doc):
        if n in names and n != f.name and n not in refs:
            refs.append(n)
    # Siblings: the same object (cfrpd_client_*, cfrpd_qr_*, ...), or the other names.
    topic = "_".join(f.name.split("_")[:2]) + "_"
    for g in h.functions:
        same_topic = g.name.startswith(topic)
        both_names = f.name.endswith("_name") and g.name.endswith("_name")
        if g.name != f.name and (same_topic or both_names) and g.name not in refs:
            refs.append(g.name)
    if any(t.strip().startswith("struct cfrpd_error") for t, _ in f.params) and "cfrpd_error_free" not in refs:
        refs.append("cfrpd_error_free")
    refs = sorted(refs)
    return [OVERVIEW] + refs


def function_page(f, h, result_codes, names, ver):
    desc, safety, returns, errors, example = split_doc(f.doc)
    out = [th(f.name, ver), ".SH NAME", f"{f.name} \\- {esc(summary(f.doc))}", ".SH SYNOPSIS"]
    out += synopsis(f)
    out += [".SH DESCRIPTION"] + render_blocks(desc)
    if safety:
        out += [".SS Safety"] + render_blocks(safety)
    out.append(".SH RETURN VALUE")
    fallible = f.returns == "cfrpd_result"
    has_err = any(n == "err" for _, n in f.params)
    if returns:
        out += [".PP", line_safe(esc(returns[:1].upper() + returns[1:]))]
    elif fallible:
        text = "CFRPD_OK (0) on success, otherwise one of the codes under ERRORS."
        if has_err:
            text += (" Then, when err is not NULL, *err receives an owned cfrpd_error with the"
                     " details (release it with cfrpd_error_free(3)); on success *err is NULL.")
        out += [".PP", esc(text)]
    elif f.returns == "void":
        out += [".PP", "None."]
    else:
        # Still a page (a function added without the convention must not break `make
        # man`), but say what to add.
        print(f"gen-man: {f.name} returns {f.returns}: add a 'Returns:' paragraph to its "
              "doc comment", file=sys.stderr)
        out += [".PP", "See DESCRIPTION."]
    if fallible:
        out.append(".SH ERRORS")
        if errors:
            for item in errors:
                m = re.match(r"((?:CFRPD_\w+)(?:\s*(?:,|or)\s*CFRPD_\w+)*)\s*:\s*(.*)", item)
                if m:
                    out += [".TP", "\\fB" + esc(m.group(1)).replace("\\fB", "").replace("\\fR", "") + "\\fR",
                            line_safe(esc(m.group(2)))]
                else:
                    out += [".PP", line_safe(esc(item))]
            listed = " ".join(errors)
        else:
            listed = ""
            for code in codes_in(f.doc, result_codes):
                out += [".TP", f"\\fB{esc(code)}\\fR", line_safe(esc(result_codes[code]))]
                listed += " " + code
        if "CFRPD_ERR_PANIC" not in listed:
            out += [".TP", "\\fBCFRPD_ERR_PANIC\\fR", esc(result_codes["CFRPD_ERR_PANIC"])]
    if example:
        out += [".SH EXAMPLE"] + render_blocks(example)
    out += [".SH SEE ALSO"]
    refs = see_also(f, h, names)
    out.append(",\n".join(f".BR {r} (3)" for r in refs))
    return "\n".join(out) + "\n"


def overview_page(h, text, result_codes, ver):
    top = re.match(r"\s*/\*(.*?)\*/", text, re.S).group(1)
    top_lines = [re.sub(r"^\s?\*\s?", "", l).rstrip() for l in top.strip("\n").split("\n")]
    # The first paragraph is the title ("cashfree_rpd.h — what it is."), the rest the body.
    blank = top_lines.index("") if "" in top_lines else 1
    title = " ".join(l.strip() for l in top_lines[:blank])
    body = "\n".join(top_lines[blank + 1:])
    out = [th(OVERVIEW, ver), ".SH NAME",
           f"{OVERVIEW} \\- {esc(title.split(' — ', 1)[-1].rstrip('.'))}",
           ".SH SYNOPSIS", ".nf", ".B #include <cashfree_rpd.h>",
           ".B #include <cashfree_rpd.hpp>  /* C++17 wrapper, namespace cfrpd */", ".fi",
           ".SH DESCRIPTION"]
    # The header's opening comment: paragraphs and " - " bullet items.
    blocks = []
    for para in re.split(r"\n\s*\n", body.strip()):
        lines = para.split("\n")
        blocks.append(("text", [l.strip() if not l.strip().startswith("- ") else l.strip() for l in lines]))
    out += render_blocks(blocks)
    out += [".SH FUNCTIONS"]
    for f in h.functions:
        out += [".TP", f".BR {f.name} (3)", line_safe(esc(summary(f.doc)))]
    out += [".SH RESULT CODES"]
    for name, value, doc in h.macros:
        if name in result_codes:
            out += [".TP", f"\\fB{esc(name)}\\fR ({esc(value)})", line_safe(esc(" ".join(doc.split("\n"))))]
    out += [".SH CONSTANTS"]
    for name, value, doc in h.macros:
        if name in result_codes or name == cheader.INCLUDE_GUARD or not doc and not value:
            continue
        out += [".TP", f"\\fB{esc(name)}\\fR", line_safe(esc(value)) + (
            ": " + esc(" ".join(doc.split("\n"))) if doc else "")]
    out += [".SH TYPES"]
    for name, doc, _ in h.types:
        out += [".TP", f"\\fB{esc(name)}\\fR", line_safe(esc(" ".join(doc.split("\n")) or "-"))]
    out += [".SH SEE ALSO", ",\n".join(f".BR {f.name} (3)" for f in h.functions)]
    return "\n".join(out) + "\n"


def generate(header_path=cheader.HEADER):
    with open(header_path, encoding="utf-8") as fh:
        text = fh.read()
    h = cheader.parse(text)
    ver = version()
    result_codes = {n: " ".join(d.split("\n")) for n, _, d in h.macros
                    if n == "CFRPD_OK" or n.startswith("CFRPD_ERR_")}
    names = {f.name for f in h.functions}
    pages = {f"{OVERVIEW}.3": overview_page(h, text, result_codes, ver)}
    for f in h.functions:
        pages[f"{f.name}.3"] = function_page(f, h, result_codes, names, ver)
    return pages


def option(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def main(argv):
    check = "--check" in argv
    header = option(argv, "--header", cheader.HEADER)
    man_dir = option(argv, "--dir", MAN_DIR)
    pages = generate(header)
    existing = set(os.listdir(man_dir)) if os.path.isdir(man_dir) else set()
    if check:
        bad = []
        for name, text in pages.items():
            path = os.path.join(man_dir, name)
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        bad.append(f"{path} is stale")
            except FileNotFoundError:
                bad.append(f"{path} is missing")
        for name in sorted(existing - set(pages)):
            bad.append(f"{os.path.join(man_dir, name)} has no function in the header")
        for b in bad:
            print(b + ": run 'make man' and commit man/", file=sys.stderr)
        if not bad:
            print(f"{man_dir}: {len(pages)} pages, up to date")
        return 1 if bad else 0
    os.makedirs(man_dir, exist_ok=True)
    for name in existing - set(pages):
        os.remove(os.path.join(man_dir, name))
    for name, text in pages.items():
        with open(os.path.join(man_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"{man_dir}: wrote {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

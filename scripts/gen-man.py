#!/usr/bin/env python3
"""Generates the section 3 manual pages of cashfree-rpd from include/cashfree_rpd.h:
one page per C function (man/man3/<function>.3) and the overview cashfree_rpd(3).
Everything comes from the header and its doc comments (which cbindgen copies from the
Rust sources): nothing is kept by hand, and a function added to the header gets a page.

  python3 scripts/gen-man.py            write man/man3/ (what `make man` runs)
  python3 scripts/gen-man.py --check    exit 1 when man/man3/ differs from a fresh generation
  (--header PATH and --dir DIR read another header / write or check another directory)

Doc comment conventions the generator reads (write them in the Rust doc comments):
  - the first sentence is the NAME line's summary: it ends at ". ", ": " or "; " outside
    parentheses and not after an abbreviation ("e.g.", "i.e.", ...);
  - a paragraph starting "Returns:" is RETURN VALUE (a default is written for functions
    returning cfrpd_result or void; for others a missing one is reported on stderr);
  - a paragraph starting "Errors:" with "- CFRPD_ERR_X[, CFRPD_ERR_Y]: when" items is
    ERRORS; an item "every error of `cfrpd_other`." stands for cfrpd_other's items (a
    list is written once, beside its code); CFRPD_ERR_PANIC is added to every function
    returning cfrpd_result; such a function without an Errors paragraph is an error
    (exit 1, nothing written or checked);
  - "Example:" followed by a ```c fenced block is EXAMPLE;
  - a paragraph starting "Requirements:" is the caller's obligations (a subsection of
    DESCRIPTION);
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
    # groff reads its input as Latin-1: non-ASCII punctuation by its glyph name.
    text = text.replace("\u2014", "\\(em").replace("\u2013", "\\(en").replace("\u2019", "\\(aq")
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


INHERIT = re.compile(r"every error of `?(cfrpd_\w+)`?\.?$")


def expand_errors(errors, docs, seen=()):
    """Errors items with "every error of `cfrpd_x`" replaced by cfrpd_x's own items (read
    from its doc comment: the list is written once, where the code is)."""
    out = []
    own = {i.split(":", 1)[0].strip() for i in errors or [] if not INHERIT.match(i.strip())}
    for item in errors or []:
        m = INHERIT.match(item.strip())
        if not m:
            out.append(item)
            continue
        name = m.group(1)
        if name not in docs or name in seen:
            raise SystemExit(f"gen-man: 'every error of {name}': no such function with an Errors list")
        inherited = split_doc(docs[name])[3]
        if not inherited:
            raise SystemExit(f"gen-man: 'every error of {name}': {name} has no Errors paragraph")
        # An item of the function's own for the same codes wins over the inherited one.
        out += [i for i in expand_errors(inherited, docs, seen + (name,))
                if i not in out and i.split(":", 1)[0].strip() not in own]
    return out


def split_doc(doc):
    """(description blocks, safety blocks, returns text, errors items, example blocks)."""
    desc, safety, example = [], [], []
    returns, errors = None, None
    target = desc
    for kind, lines in paragraphs(doc):
        first = lines[0].strip() if kind == "text" else ""
        if kind == "text" and first.startswith("Requirements:"):
            target = safety
            rest = [first[len("Requirements:"):].strip()] + lines[1:]
            rest = [l for l in rest if l.strip()]
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


# Words whose final "." does not end a sentence.
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "incl.")


def summary(doc):
    """The first sentence of the first paragraph (a "." after an abbreviation such as
    "e.g." does not end it), without its final punctuation."""
    first = " ".join(l.strip() for l in paragraphs(doc)[0][1]) if doc else ""
    for m in re.finditer(r"[.:;](?=\s|$)", first):
        head = first[:m.end()]
        if head.lower().endswith(ABBREVIATIONS) and m.end() < len(first):
            continue
        if head.count("(") > head.count(")"):
            continue  # inside parentheses
        return head[:-1].rstrip()
    return first.rstrip(".:;")


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
    for name, _, _ in h.types:
        if re.search(r"\b%s\b" % re.escape(name), f.prototype) and name not in refs \
                and name not in ("cfrpd_result", "cfrpd_error"):
            refs.append(name)
    refs = sorted(refs)
    return [OVERVIEW] + refs


def function_page(f, h, result_codes, names, ver):
    desc, safety, returns, errors, example = split_doc(f.doc)
    errors = expand_errors(errors, {g.name: g.doc for g in h.functions}) if errors else errors
    out = [th(f.name, ver), ".SH NAME", f"{f.name} \\- {esc(summary(f.doc))}", ".SH SYNOPSIS"]
    out += synopsis(f)
    out += [".SH DESCRIPTION"] + render_blocks(desc)
    if safety:
        out += [".SS Requirements"] + render_blocks(safety)
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
    if fallible and not errors:
        MISSING_ERRORS.append(f.name)
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


# The values of each integer type: the macros with these prefixes (a new integer typedef
# without an entry here is an error, so its page cannot miss its values).
VALUE_PREFIXES = {
    "cfrpd_result": ("CFRPD_OK", "CFRPD_ERR_"),
    "cfrpd_state": ("CFRPD_STATE_",),
    "cfrpd_name_match": ("CFRPD_MATCH_",),
    "cfrpd_reversal": ("CFRPD_REVERSAL_",),
    "cfrpd_log_level": ("CFRPD_LOG_",),
    "cfrpd_environment": ("CFRPD_ENV_",),
    "cfrpd_journal_state": ("CFRPD_JOURNAL_SENDING", "CFRPD_JOURNAL_CREATED"),
}


def struct_fields(text):
    """[(type, name, doc)] of a `typedef struct x { ... } x;`."""
    body = text[text.index("{") + 1:text.rindex("}")]
    fields = []
    for m in re.finditer(r"(?:(/\*\*.*?\*/)\s*)?([^;/]+?)\s*;", body, re.S):
        doc = cheader._doc_text(m.group(1)) if m.group(1) else ""
        decl = " ".join(m.group(2).split())
        fm = re.match(r"(.*?)(\w+)(\[\w*\])?$", decl)
        ftype = re.sub(r"\s*\*", " *", fm.group(1).strip()).replace("* *", "**")
        fields.append((ftype + (fm.group(3) or ""), fm.group(2), doc))
    return fields


def type_page(name, doc, text, h, names, result_codes, ver):
    """A page for a typedef: a struct with its fields, a callback with its prototype, an
    opaque handle, or an integer type with its values."""
    out = [th(name, ver), ".SH NAME", f"{name} \\- {esc(summary(doc))}", ".SH SYNOPSIS", ".nf",
           ".B #include <cashfree_rpd.h>", ".PP"]
    out += [line_safe(non_ascii(l.replace("\\", "\\e"))) for l in synopsis_of_type(text)]
    out += [".fi", ".SH DESCRIPTION"] + render_blocks(paragraphs(doc))
    if "{" in text:
        out.append(".SH FIELDS")
        for ftype, fname, fdoc in struct_fields(text):
            out += [".TP", f"\\fB{esc(fname)}\\fR ({esc(ftype)})"]
            blocks = paragraphs(fdoc) or [("text", ["-"])]
            first = True
            for kind, lines in blocks:
                rendered = render_blocks([(kind, lines)])
                if first and rendered and rendered[0] == ".PP":
                    rendered = rendered[1:]  # the first paragraph is the tag's body
                first = False
                out += rendered
    elif re.match(r"typedef\s+uint\d+_t\s+\w+\s*;", text):
        prefixes = VALUE_PREFIXES.get(name)
        if not prefixes:
            raise SystemExit(f"gen-man: {name} is an integer type without an entry in "
                             "VALUE_PREFIXES (scripts/gen-man.py): its page would list no values")
        values = [(n, v, d) for n, v, d in h.macros if n.startswith(prefixes)]
        if not values:
            raise SystemExit(f"gen-man: no macro for {name} ({', '.join(prefixes)})")
        out.append(".SH VALUES")
        for n, v, d in values:
            out += [".TP", f"\\fB{esc(n)}\\fR ({esc(v)})", line_safe(esc(" ".join(d.split("\n")) or "-"))]
    out += [".SH SEE ALSO"]
    refs = [g.name for g in h.functions if re.search(r"\b%s\b" % re.escape(name), g.prototype)]
    refs += [n for n in re.findall(r"\bcfrpd_\w+\b", doc + text) if n in names and n != name]
    refs = sorted(set(refs))
    out.append(",\n".join(f".BR {r} (3)" for r in [OVERVIEW] + refs))
    return "\n".join(out) + "\n"


def synopsis_of_type(text):
    """The typedef as the header has it, without the fields' doc comments."""
    t = re.sub(r"\s*/\*\*.*?\*/", "", text, flags=re.S)
    return [l for l in t.split("\n") if l.strip()]


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
        out += [".TP", f".BR {name} (3)", line_safe(esc(" ".join(doc.split("\n")) or "-"))]
    out += [".SH SEE ALSO", ",\n".join(f".BR {n} (3)" for n in
                                        [f.name for f in h.functions] + [t[0] for t in h.types])]
    return "\n".join(out) + "\n"


# Functions returning cfrpd_result whose doc comment has no "Errors:" paragraph.
MISSING_ERRORS = []


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
    names |= {t[0] for t in h.types}
    for name, doc, t in h.types:
        if f"{name}.3" in pages:
            raise SystemExit(f"gen-man: {name} is both a function and a type")
        pages[f"{name}.3"] = type_page(name, doc, t, h, names, result_codes, ver)
    return pages


def option(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def main(argv):
    check = "--check" in argv
    header = option(argv, "--header", cheader.HEADER)
    man_dir = option(argv, "--dir", MAN_DIR)
    pages = generate(header)
    if MISSING_ERRORS:
        for name in MISSING_ERRORS:
            print(f"gen-man: {name} returns cfrpd_result but its doc comment has no 'Errors:' "
                  "paragraph (\"Errors:\" then \"- CFRPD_ERR_X: when\" items)", file=sys.stderr)
        return 1
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

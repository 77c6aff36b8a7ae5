"""The binding's declarations against include/cashfree_rpd.h and abi/*.abi, read now:
function signatures, callbacks, struct fields and layouts (32-bit targets included), enum
values and constants, and every header function used or listed in README.md."""

import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import README, ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bindings_abi  # noqa: E402

import cashfree_rpd  # noqa: E402
from cashfree_rpd import _constants, _enums, _native  # noqa: E402

_ATOMS = {
    ctypes.c_bool: "bool",
    ctypes.c_uint8: "u8",
    ctypes.c_uint16: "u16",
    ctypes.c_uint32: "u32",
    ctypes.c_int64: "i64",
    ctypes.c_size_t: "size",
    ctypes.c_char_p: "ptr",
    ctypes.c_void_p: "ptr",
}


def atom(t: object) -> str:
    if t is None:
        return "void"
    if t in _ATOMS:
        return _ATOMS[t]
    if isinstance(t, type) and issubclass(t, ctypes._Pointer):
        return "ptr"
    if isinstance(t, type) and issubclass(t, ctypes._CFuncPtr):
        return "fn"
    raise AssertionError(f"no ABI class for {t!r}")


def callconv(flags: int) -> str:
    # ctypes' CDLL and CFUNCTYPE set FUNCFLAG_CDECL; WinDLL / WINFUNCTYPE (stdcall) do not.
    return "cdecl" if flags & ctypes._FUNCFLAG_CDECL else "stdcall"  # type: ignore[attr-defined]


def dump() -> str:
    lines = []
    for name, (res, args) in _native.FUNCTIONS.items():
        fn = getattr(_native.lib, name)
        conv = callconv(fn._flags_)
        lines.append(" ".join(["fn", name, conv, atom(res)] + [atom(a) for a in args]))
    for name, cb in _native.CALLBACKS.items():
        lines.append(
            " ".join(["cb", name, callconv(cb._flags_), atom(cb._restype_)] + [atom(a) for a in cb._argtypes_])
        )
    for st in _native.STRUCTS:
        lines.append(" ".join(["struct", st.__name__] + [f"{n}:{atom(t)}" for n, t in st._fields_]))
    for cls, prefix in _enums.PREFIXES.items():
        for m in cls:
            c = "CFRPD_OK" if (cls is _enums.ResultCode and m.name == "OK") else prefix + m.name
            lines.append(f"const {c} {int(m)}")
    for k, v in _constants.CONSTANTS.items():
        lines.append(f"const CFRPD_{k} {v}")
    return "\n".join(lines) + "\n"


class Declarations(unittest.TestCase):
    def test_against_header_and_abi_baselines(self) -> None:
        problems = bindings_abi.check(dump(), README)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_host_layouts_are_the_measured_lp64_baseline(self) -> None:
        if ctypes.sizeof(ctypes.c_void_p) != 8 or not sys.platform.startswith("linux"):
            self.skipTest("the host baseline is x86-64/aarch64 Linux")
        base = bindings_abi.read_baseline(os.path.join(ROOT, "abi", "cashfree_rpd.abi"))
        for st in _native.STRUCTS:
            size, align, fields = base[st.__name__]
            got = [(n, getattr(st, n).offset, getattr(st, n).size) for n, _ in st._fields_]
            self.assertEqual((ctypes.sizeof(st), ctypes.alignment(st), got), (size, align, fields), st.__name__)

    def test_every_declared_function_is_called(self) -> None:
        with open(os.path.join(os.path.dirname(cashfree_rpd.__file__), "_client.py"), encoding="utf-8") as f:
            code = f.read()
        unused = [n for n in _native.FUNCTIONS if not re.search(r"_lib\.%s\b" % n, code)]
        self.assertEqual(unused, [], "declared in _native.FUNCTIONS but never called")

    def test_built_for_version_is_the_headers(self) -> None:
        with open(os.path.join(ROOT, "include", "cashfree_rpd.h"), encoding="utf-8") as f:
            h = f.read()
        major, minor, patch = (
            int(re.search(r"#define CFRPD_VERSION_%s (\d+)" % k, h).group(1))  # type: ignore[union-attr]
            for k in ("MAJOR", "MINOR", "PATCH")
        )
        self.assertEqual(_native.BUILT_FOR_VERSION_NUMBER, major * 10000 + minor * 100 + patch)
        self.assertEqual(cashfree_rpd.__version__, f"{major}.{minor}.{patch}")
        self.assertEqual(cashfree_rpd.version_number() // 100, _native.BUILT_FOR_VERSION_NUMBER // 100)

    def test_names_agree_with_the_library(self) -> None:
        for m in _enums.ResultCode:
            want = "CFRPD_OK" if m.name == "OK" else "CFRPD_ERR_" + m.name
            self.assertEqual(cashfree_rpd.result_name(m), want)
        for s in _enums.State:
            self.assertEqual(cashfree_rpd.state_name(s), s.name)
        for j in _enums.JournalState:
            self.assertEqual(cashfree_rpd.journal_state_name(j), j.name)
        for lv in _enums.LogLevel:
            self.assertEqual(cashfree_rpd.log_level_name(lv), lv.name)
        for e in _enums.Environment:
            self.assertEqual(cashfree_rpd.environment_name(e), e.name)
        for r in _enums.Reversal:
            self.assertEqual(cashfree_rpd.reversal_name(r), r.name)
        self.assertEqual(cashfree_rpd.name_match_name(_enums.NameMatch.DIRECT), "DIRECT_MATCH")

    def test_a_new_header_function_fails_the_check(self) -> None:
        # The check reads the header at run time: a function added there shows up.
        with open(os.path.join(ROOT, "include", "cashfree_rpd.h"), encoding="utf-8") as f:
            h = f.read()
        h = h.replace(
            "uint32_t cfrpd_version_number(void);",
            "uint32_t cfrpd_version_number(void);\n\nvoid cfrpd_future_added(char *s);",
        )
        h = h.replace("#define CFRPD_QR_MIN_SIZE 21", "#define CFRPD_QR_MIN_SIZE 21\n#define CFRPD_FUTURE_ADDED_LIMIT 2")
        with tempfile.NamedTemporaryFile("w", suffix=".h", delete=False) as t:
            t.write(h)
        try:
            problems = bindings_abi.check(dump(), README, t.name)
        finally:
            os.unlink(t.name)
        self.assertTrue(any("cfrpd_future_added" in p for p in problems), problems)
        self.assertTrue(any("CFRPD_FUTURE_ADDED_LIMIT" in p for p in problems), problems)



class Loading(unittest.TestCase):
    """The library is found and its version checked at import."""

    def _import(self, library: str) -> "subprocess.CompletedProcess[str]":
        env = dict(os.environ, CFRPD_LIBRARY=library)
        return subprocess.run(
            [sys.executable, "-c", "import cashfree_rpd"], env=env, capture_output=True, text=True
        )

    def test_missing_library_names_make_python(self) -> None:
        r = self._import("/nonexistent/libcashfree_rpd.so")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("make python", r.stderr)

    def test_another_version_is_refused_naming_it(self) -> None:
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            self.skipTest("no C compiler to build a stand-in library")
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "stub.c")
            with open(src, "w") as f:
                f.write('unsigned cfrpd_version_number(void) { return 20304; }\n')
                f.write('const char *cfrpd_version(void) { return "2.3.4"; }\n')
                for name in _native.FUNCTIONS:
                    if name not in ("cfrpd_version_number", "cfrpd_version"):
                        f.write(f"void {name}(void) {{}}\n")
            lib = os.path.join(d, "libstub.so")
            subprocess.check_call([cc, "-shared", "-fPIC", "-o", lib, src])
            r = self._import(lib)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("2.3.4", r.stderr)
        self.assertIn("20304", r.stderr)


if __name__ == "__main__":
    unittest.main()

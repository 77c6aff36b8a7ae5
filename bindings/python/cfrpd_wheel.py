"""In-tree PEP 517 build backend for `pip install ./bindings/python` (standard library only).

The wheel holds the package `cashfree_rpd` (pure Python, ctypes) and the native library
built by `make python`, taken from, in order:
  1. the file named by the environment variable CFRPD_LIBRARY;
  2. $(CARGO_TARGET_DIR or <repository>/target)/release/bindings/python/cashfree_rpd/<lib>.
Without it the build fails and says to run `make python`. The wheel is tagged
py3-none-<this platform>: any Python 3 on this OS and architecture can load the library.
"""

import base64
import hashlib
import os
import re
import sys
import sysconfig
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PACKAGE = "cashfree_rpd"
DIST = "cashfree_rpd"  # the wheel's distribution name (PEP 427 escaping of cashfree-rpd)


def _lib_name():
    if sys.platform == "win32":
        return "cashfree_rpd.dll"
    if sys.platform == "darwin":
        return "libcashfree_rpd.dylib"
    return "libcashfree_rpd.so"


def _version():
    with open(os.path.join(HERE, PACKAGE, "__init__.py"), encoding="utf-8") as f:
        return re.search(r'^__version__ = "([^"]+)"', f.read(), re.M).group(1)


def _library():
    env = os.environ.get("CFRPD_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise RuntimeError(f"CFRPD_LIBRARY={env}: no such file")
        return env
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    if not os.path.isabs(target):
        target = os.path.join(ROOT, target)
    path = os.path.join(target, "release", "bindings", "python", PACKAGE, _lib_name())
    if not os.path.isfile(path):
        raise RuntimeError(
            f"cashfree_rpd: the native library {path} is missing: run `make python` in "
            f"{ROOT} first (it builds the library into that folder), or set CFRPD_LIBRARY "
            "to a built libcashfree_rpd"
        )
    return path


def _tag():
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{plat}"


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        "Name: cashfree-rpd\n"
        f"Version: {_version()}\n"
        "Summary: Cashfree Reverse Penny Drop over the cashfree-rpd C library (ctypes)\n"
        "License: MIT OR Apache-2.0\n"
        "Requires-Python: >=3.8\n"
    )


def _wheel_file():
    return (
        "Wheel-Version: 1.0\n"
        "Generator: cfrpd_wheel\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {_tag()}\n"
    )


def _digest(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={h},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = f"{DIST}-{_version()}.dist-info"
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    with open(os.path.join(metadata_directory, info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(metadata_directory, info, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    lib = _library()
    version = _version()
    info = f"{DIST}-{version}.dist-info"
    name = f"{DIST}-{version}-{_tag()}.whl"
    files = []
    pkg = os.path.join(HERE, PACKAGE)
    for fn in sorted(os.listdir(pkg)):
        if fn.endswith(".py") or fn == "py.typed":
            with open(os.path.join(pkg, fn), "rb") as f:
                files.append((f"{PACKAGE}/{fn}", f.read(), 0o644))
    with open(lib, "rb") as f:
        files.append((f"{PACKAGE}/{_lib_name()}", f.read(), 0o755))
    files.append((f"{info}/METADATA", _metadata().encode(), 0o644))
    files.append((f"{info}/WHEEL", _wheel_file().encode(), 0o644))
    record = "".join(f"{p},{_digest(d)}\n" for p, d, _ in files) + f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode(), 0o644))
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data, mode in files:
            zi = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            zi.external_attr = (0o100000 | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    """The Python sources only: a wheel built from it needs CFRPD_LIBRARY."""
    version = _version()
    base = f"{DIST}-{version}"
    name = f"{base}.tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "cfrpd_wheel.py", "README.md"] + [
            os.path.join(PACKAGE, fn)
            for fn in sorted(os.listdir(os.path.join(HERE, PACKAGE)))
            if fn.endswith(".py") or fn == "py.typed"
        ]:
            t.add(os.path.join(HERE, rel), arcname=f"{base}/{rel}")
        data = _metadata().encode()
        import io

        ti = tarfile.TarInfo(f"{base}/PKG-INFO")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    return name

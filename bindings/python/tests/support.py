"""Shared test helpers: the emulator (started here, or the one at CFRPD_EMULATOR_URL),
its control endpoints, and paths of the source tree."""

import atexit
import json
import os
import subprocess
import threading
import urllib.request
from typing import Any, Dict, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
README = os.path.join(ROOT, "bindings", "python", "README.md")
CLIENT_ID = "emulator-client-id"
CLIENT_SECRET = "emulator-client-secret"

_lock = threading.Lock()
_base: Optional[str] = None


def base_url() -> str:
    """The emulator's base URL (…/verification). CFRPD_EMULATOR_URL when set (the Rust
    test harness passes its in-process emulator); else the binary at CFRPD_EMULATOR
    (default target/debug/cashfree-rpd-emulator) is started for this run."""
    global _base
    with _lock:
        if _base:
            return _base
        url = os.environ.get("CFRPD_EMULATOR_URL")
        if not url:
            exe = os.environ.get("CFRPD_EMULATOR") or os.path.join(
                os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"),
                "debug",
                "cashfree-rpd-emulator",
            )
            p = subprocess.Popen(
                [exe, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            atexit.register(lambda: (p.kill(), p.wait()))
            line = p.stdout.readline().decode() if p.stdout else ""
            url = next(w for w in line.split() if w.startswith("http://127.0.0.1:"))
        _base = url.rstrip("/")
        return _base


def control(path: str, body: Optional[Dict[str, Any]] = None) -> Any:
    """POST (with body) or GET an /__emulator/ control endpoint."""
    root = base_url().rsplit("/verification", 1)[0]
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{root}/__emulator/{path}",
        data=data,
        headers={"content-type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def pay(verification_id: str, outcome: str = "SUCCESS") -> None:
    control("pay", {"verification_id": verification_id, "outcome": outcome})


def fault(endpoint: str, kind: str, **fields: Any) -> None:
    control("fault", dict({"endpoint": endpoint, "kind": kind}, **fields))


_n = 0


def fresh_id(prefix: str = "py") -> str:
    """A verification_id no other test (or earlier run against the same emulator) used."""
    global _n
    with _lock:
        _n += 1
        return f"{prefix}-{os.getpid()}-{_n}"

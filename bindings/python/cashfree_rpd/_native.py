"""The C ABI of libcashfree_rpd, declared for ctypes: the structs of
include/cashfree_rpd.h, every function the binding calls with its argument and result
types, and the loading of the library.

Nothing here is public API. tests/test_declarations.py compares every declaration with
the header (and the struct layouts with the baselines in abi/, 32-bit targets included).
"""

import ctypes
import os
import sys
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_void_p,
)
from typing import Any, Dict, List, Optional, Tuple

# The library version this binding was written for (MAJOR*10000 + MINOR*100 + PATCH,
# as cfrpd_version_number() returns it). tests/test_declarations.py checks it against
# the header's CFRPD_VERSION_NUMBER. A library of another MAJOR.MINOR is refused at load.
BUILT_FOR_VERSION_NUMBER = 100

# The C enums are uint32_t typedefs (abi/cashfree_rpd.abi [types]).
c_result = c_uint32
c_enum = c_uint32


class cfrpd_error(Structure):
    _fields_ = [
        ("code", c_result),
        ("http_status", c_uint16),
        ("message", c_char_p),
        ("api_code", c_char_p),
        ("api_type", c_char_p),
        ("retry_after_ms", c_uint32),
        ("retryable", c_bool),
        ("ambiguous", c_bool),
        ("raw_body", c_char_p),
        ("request_id", c_char_p),
        ("rate_limit_limit", c_int64),
        ("rate_limit_remaining", c_int64),
        ("rate_limit_reset_ms", c_int64),
    ]


class cfrpd_rate_limit(Structure):
    _fields_ = [
        ("limit", c_int64),
        ("remaining", c_int64),
        ("reset_ms", c_int64),
    ]


class cfrpd_request(Structure):
    _fields_ = [
        ("verification_id", c_char_p),
        ("ref_id", c_int64),
        ("valid_upto", c_char_p),
        ("upi_link", c_char_p),
        ("gpay", c_char_p),
        ("bhim", c_char_p),
        ("paytm", c_char_p),
        ("phonepe", c_char_p),
        ("qr_code", c_char_p),
        ("qr_png", POINTER(c_uint8)),
        ("qr_png_len", c_size_t),
        ("raw_json", c_char_p),
        ("replayed", c_bool),
    ]


class cfrpd_status(Structure):
    _fields_ = [
        ("state", c_enum),
        ("is_final", c_bool),
        ("status", c_char_p),
        ("verification_id", c_char_p),
        ("ref_id", c_char_p),
        ("bank_account", c_char_p),
        ("ifsc", c_char_p),
        ("upi", c_char_p),
        ("name_at_bank", c_char_p),
        ("utr", c_char_p),
        ("name_match_score", c_char_p),
        ("name_match_result", c_char_p),
        ("name_match", c_enum),
        ("added_on", c_char_p),
        ("processed_on", c_char_p),
        ("penny_collected_on", c_char_p),
        ("reversal_status", c_char_p),
        ("account_type", c_char_p),
        ("raw_json", c_char_p),
        ("reversal", c_enum),
    ]


class cfrpd_journal_entry(Structure):
    _fields_ = [
        ("verification_id", c_char_p),
        ("name", c_char_p),
        ("state", c_enum),
        ("recorded_at_ms", c_int64),
        ("request", POINTER(cfrpd_request)),
    ]


class cfrpd_journal_list(Structure):
    _fields_ = [
        ("count", c_size_t),
        ("entries", POINTER(cfrpd_journal_entry)),
    ]


class cfrpd_qr(Structure):
    _fields_ = [
        ("size", c_uint32),
        ("modules", POINTER(c_uint8)),
    ]


class cfrpd_bitmap(Structure):
    _fields_ = [
        ("width", c_uint32),
        ("height", c_uint32),
        ("stride", c_uint32),
        ("bits", POINTER(c_uint8)),
    ]


class cfrpd_webhook(Structure):
    _fields_ = [
        ("event_type", c_char_p),
        ("event_time", c_char_p),
        ("version", c_char_p),
        ("data", POINTER(cfrpd_status)),
    ]


STRUCTS = [
    cfrpd_error,
    cfrpd_rate_limit,
    cfrpd_request,
    cfrpd_status,
    cfrpd_journal_entry,
    cfrpd_journal_list,
    cfrpd_qr,
    cfrpd_bitmap,
    cfrpd_webhook,
]

# typedef bool (*cfrpd_poll_callback)(void *user_data, const struct cfrpd_status *latest);
POLL_CALLBACK = CFUNCTYPE(c_bool, c_void_p, POINTER(cfrpd_status))
# typedef void (*cfrpd_log_callback)(void *user_data, cfrpd_log_level level, const char *message);
LOG_CALLBACK = CFUNCTYPE(None, c_void_p, c_enum, c_char_p)
CALLBACKS = {"cfrpd_poll_callback": POLL_CALLBACK, "cfrpd_log_callback": LOG_CALLBACK}

# Opaque handles: plain pointers.
config_p = c_void_p
client_p = c_void_p
ERR = POINTER(POINTER(cfrpd_error))

# name -> (result type, argument types). Every function of the header that the binding
# uses; the ones it leaves out are listed in bindings/python/README.md with a reason.
FUNCTIONS: Dict[str, Tuple[Any, List[Any]]] = {
    "cfrpd_version": (c_char_p, []),
    "cfrpd_version_number": (c_uint32, []),
    "cfrpd_result_name": (c_char_p, [c_result]),
    "cfrpd_state_name": (c_char_p, [c_enum]),
    "cfrpd_name_match_name": (c_char_p, [c_enum]),
    "cfrpd_reversal_name": (c_char_p, [c_enum]),
    "cfrpd_log_level_name": (c_char_p, [c_enum]),
    "cfrpd_environment_name": (c_char_p, [c_enum]),
    "cfrpd_journal_state_name": (c_char_p, [c_enum]),
    "cfrpd_error_free": (None, [POINTER(cfrpd_error)]),
    "cfrpd_config_new": (c_result, [c_char_p, c_char_p, POINTER(config_p)]),
    "cfrpd_config_from_env": (c_result, [POINTER(config_p), ERR]),
    "cfrpd_config_last_error": (c_char_p, [config_p]),
    "cfrpd_config_set_call_deadline_ms": (c_result, [config_p, c_uint32]),
    "cfrpd_config_set_max_idle_connections": (c_result, [config_p, c_uint32]),
    "cfrpd_config_set_log_callback": (c_result, [config_p, c_enum, LOG_CALLBACK, c_void_p]),
    "cfrpd_config_set_environment": (c_result, [config_p, c_enum]),
    "cfrpd_config_set_base_url": (c_result, [config_p, c_char_p]),
    "cfrpd_config_set_timeouts_ms": (c_result, [config_p, c_uint32, c_uint32]),
    "cfrpd_config_set_public_key_pem": (c_result, [config_p, c_char_p]),
    "cfrpd_config_add_root_ca_pem": (c_result, [config_p, c_char_p]),
    "cfrpd_config_set_proxy": (c_result, [config_p, c_char_p]),
    "cfrpd_config_set_max_retries": (c_result, [config_p, c_uint32]),
    "cfrpd_config_set_journal_path": (c_result, [config_p, c_char_p]),
    "cfrpd_config_free": (None, [config_p]),
    "cfrpd_client_new": (c_result, [config_p, POINTER(client_p), ERR]),
    "cfrpd_client_rate_limit": (c_result, [client_p, POINTER(cfrpd_rate_limit)]),
    "cfrpd_client_free": (None, [client_p]),
    "cfrpd_create": (
        c_result,
        [client_p, c_char_p, c_char_p, POINTER(POINTER(cfrpd_request)), ERR],
    ),
    "cfrpd_request_free": (None, [POINTER(cfrpd_request)]),
    "cfrpd_get_status": (c_result, [client_p, c_char_p, POINTER(POINTER(cfrpd_status)), ERR]),
    "cfrpd_get_status_by_ref_id": (
        c_result,
        [client_p, c_int64, POINTER(POINTER(cfrpd_status)), ERR],
    ),
    "cfrpd_wait_for_result": (
        c_result,
        [
            client_p,
            c_char_p,
            c_uint32,
            c_uint32,
            POLL_CALLBACK,
            c_void_p,
            POINTER(POINTER(cfrpd_status)),
            ERR,
        ],
    ),
    "cfrpd_status_free": (None, [POINTER(cfrpd_status)]),
    "cfrpd_journal_pending": (c_result, [client_p, POINTER(POINTER(cfrpd_journal_list)), ERR]),
    "cfrpd_journal_list_free": (None, [POINTER(cfrpd_journal_list)]),
    "cfrpd_journal_resolve": (
        c_result,
        [client_p, c_char_p, POINTER(POINTER(cfrpd_status)), ERR],
    ),
    "cfrpd_qr_encode": (c_result, [c_char_p, POINTER(POINTER(cfrpd_qr)), ERR]),
    "cfrpd_qr_free": (None, [POINTER(cfrpd_qr)]),
    "cfrpd_qr_bitmap": (
        c_result,
        [POINTER(cfrpd_qr), c_uint32, c_uint32, POINTER(POINTER(cfrpd_bitmap)), ERR],
    ),
    "cfrpd_bitmap_free": (None, [POINTER(cfrpd_bitmap)]),
    "cfrpd_qr_to_text": (c_result, [POINTER(cfrpd_qr), c_bool, POINTER(c_char_p), ERR]),
    "cfrpd_string_free": (None, [c_char_p]),
    "cfrpd_webhook_verify": (
        c_result,
        [
            c_char_p,
            POINTER(c_uint8),
            c_size_t,
            c_char_p,
            c_char_p,
            c_uint32,
            POINTER(POINTER(cfrpd_webhook)),
            ERR,
        ],
    ),
    "cfrpd_webhook_free": (None, [POINTER(cfrpd_webhook)]),
}


def library_file_name() -> str:
    """The native library's file name on this platform."""
    if sys.platform == "win32":
        return "cashfree_rpd.dll"
    if sys.platform == "darwin":
        return "libcashfree_rpd.dylib"
    return "libcashfree_rpd.so"


def library_path() -> str:
    """CFRPD_LIBRARY when set, else the library in this package's folder."""
    env = os.environ.get("CFRPD_LIBRARY")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), library_file_name())


def _load() -> Any:
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"cashfree_rpd: native library not found at {path}: build the package folder "
            "with `make python` (it holds the library), install the wheel "
            "(`pip install ./bindings/python` after `make python`), or set CFRPD_LIBRARY "
            "to the library's path"
        )
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"cashfree_rpd: cannot load {path}: {e}") from e
    missing = [name for name in FUNCTIONS if not hasattr(lib, name)]
    if missing:
        raise ImportError(
            f"cashfree_rpd: {path} lacks {', '.join(missing)}: not the library this "
            f"binding was built for (version number {BUILT_FOR_VERSION_NUMBER})"
        )
    for name, (restype, argtypes) in FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    found = lib.cfrpd_version_number()
    if found // 100 != BUILT_FOR_VERSION_NUMBER // 100:
        version = lib.cfrpd_version().decode("utf-8", "replace")
        raise ImportError(
            f"cashfree_rpd: {path} is libcashfree_rpd {version} (version number {found}); "
            f"this binding was built for version number {BUILT_FOR_VERSION_NUMBER} "
            "(same MAJOR.MINOR required)"
        )
    return lib


lib: Any = _load()
PATH: str = library_path()


def text(p: Optional[bytes]) -> Optional[str]:
    """A C string (NULL stays None) as str."""
    if p is None:
        return None
    return p.decode("utf-8", "replace")

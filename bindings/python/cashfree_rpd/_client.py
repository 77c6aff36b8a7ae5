"""Config, Client, the result dataclasses, RpdError, QR codes and webhooks over the C ABI."""

import threading
from ctypes import POINTER, byref, c_char_p, c_uint8, cast, string_at
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, cast as tcast

from . import _native as N
from ._enums import JournalState, LogLevel, NameMatch, ResultCode, Reversal, State, Environment
from ._constants import QR_STANDARD_QUIET_ZONE

_lib = N.lib
_U32_MAX = 0xFFFFFFFF


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Request:
    """A created request (cfrpd_request): the links to show and the QR code."""

    verification_id: str
    ref_id: int
    valid_upto: Optional[str]
    upi_link: Optional[str]
    gpay: Optional[str]
    bhim: Optional[str]
    paytm: Optional[str]
    phonepe: Optional[str]
    qr_code: Optional[str]
    """The base64 PNG as Cashfree sent it."""
    qr_png: Optional[bytes]
    """The decoded PNG, or None when absent or not valid base64."""
    raw_json: Optional[str]
    replayed: bool
    """True when the create journal answered with the recorded request (nothing sent)."""


@dataclass(frozen=True)
class Status:
    """A request's status (cfrpd_status). Strings are None when Cashfree sent none."""

    state: State
    is_final: bool
    status: Optional[str]
    verification_id: Optional[str]
    ref_id: Optional[str]
    bank_account: Optional[str]
    ifsc: Optional[str]
    upi: Optional[str]
    name_at_bank: Optional[str]
    utr: Optional[str]
    name_match_score: Optional[str]
    name_match_result: Optional[str]
    name_match: NameMatch
    added_on: Optional[str]
    processed_on: Optional[str]
    penny_collected_on: Optional[str]
    reversal_status: Optional[str]
    account_type: Optional[str]
    raw_json: Optional[str]
    reversal: Reversal


@dataclass(frozen=True)
class JournalEntry:
    """An open entry of the create journal (cfrpd_journal_entry)."""

    verification_id: str
    name: str
    state: JournalState
    recorded_at_ms: int
    request: Optional[Request]
    """CREATED: the answer as first received; SENDING: None."""


@dataclass(frozen=True)
class RateLimit:
    """A rate-limit window; a field is None when unknown."""

    limit: Optional[int]
    remaining: Optional[int]
    reset_ms: Optional[int]


@dataclass(frozen=True)
class Webhook:
    """A verified webhook delivery (cfrpd_webhook)."""

    event_type: Optional[str]
    event_time: Optional[str]
    version: Optional[str]
    data: Status




def _enum(cls: Any, value: int) -> Any:
    try:
        return cls(value)
    except ValueError:
        # A value newer than this binding: kept as the plain int.
        return value


def _s(p: Optional[bytes]) -> Optional[str]:
    return None if p is None else p.decode("utf-8", "replace")


def _status(s: Any) -> Status:
    d = _s
    return Status(
        _enum(State, s.state),
        bool(s.is_final),
        d(s.status),
        d(s.verification_id),
        d(s.ref_id),
        d(s.bank_account),
        d(s.ifsc),
        d(s.upi),
        d(s.name_at_bank),
        d(s.utr),
        d(s.name_match_score),
        d(s.name_match_result),
        _enum(NameMatch, s.name_match),
        d(s.added_on),
        d(s.processed_on),
        d(s.penny_collected_on),
        d(s.reversal_status),
        d(s.account_type),
        d(s.raw_json),
        _enum(Reversal, s.reversal),
    )


def _request(r: Any) -> Request:
    png = string_at(r.qr_png, r.qr_png_len) if r.qr_png else None
    return Request(
        _s(r.verification_id) or "",
        int(r.ref_id),
        _s(r.valid_upto),
        _s(r.upi_link),
        _s(r.gpay),
        _s(r.bhim),
        _s(r.paytm),
        _s(r.phonepe),
        _s(r.qr_code),
        png,
        _s(r.raw_json),
        bool(r.replayed),
    )


def _opt(v: int) -> Optional[int]:
    return None if v < 0 else int(v)


# --------------------------------------------------------------------------- errors


class RpdError(Exception):
    """A failed call: the fields of the C library's cfrpd_error.

    ``code`` is a :class:`ResultCode`; ``http_status`` is 0 when no HTTP answer arrived;
    ``cashfree_code`` / ``cashfree_type`` are Cashfree's ``code`` / ``type``;
    ``last_status`` is the last status seen by a wait that ended with DEADLINE or
    CANCELLED (else None)."""

    def __init__(
        self,
        code: ResultCode,
        message: str,
        http_status: int = 0,
        retryable: bool = False,
        ambiguous: bool = False,
        cashfree_code: Optional[str] = None,
        cashfree_type: Optional[str] = None,
        raw_body: Optional[str] = None,
        request_id: Optional[str] = None,
        retry_after_ms: int = 0,
        rate_limit: Optional[RateLimit] = None,
        last_status: Optional[Status] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.cashfree_code = cashfree_code
        self.cashfree_type = cashfree_type
        self.raw_body = raw_body
        self.request_id = request_id
        self.retry_after_ms = retry_after_ms
        self.rate_limit = rate_limit
        self.last_status = last_status

    def __str__(self) -> str:
        name = self.code.name if isinstance(self.code, ResultCode) else str(int(self.code))
        return f"{name}: {self.message}"

    def __repr__(self) -> str:
        return f"RpdError({self.code!r}, {self.message!r}, http_status={self.http_status})"


def _result_name(rc: int) -> str:
    return str(_lib.cfrpd_result_name(rc).decode("ascii", "replace"))


def _error(rc: int, err: Any, last_status: Optional[Status] = None) -> RpdError:
    """An RpdError from a result and a cfrpd_error* (freed here; may be NULL)."""
    code = tcast(ResultCode, _enum(ResultCode, rc))
    if not err:
        return RpdError(code, _result_name(rc), last_status=last_status)
    try:
        e = err.contents
        rl = None
        if e.rate_limit_limit >= 0 or e.rate_limit_remaining >= 0 or e.rate_limit_reset_ms >= 0:
            rl = RateLimit(
                _opt(e.rate_limit_limit), _opt(e.rate_limit_remaining), _opt(e.rate_limit_reset_ms)
            )
        return RpdError(
            tcast(ResultCode, _enum(ResultCode, e.code)),
            _s(e.message) or _result_name(rc),
            http_status=int(e.http_status),
            retryable=bool(e.retryable),
            ambiguous=bool(e.ambiguous),
            cashfree_code=_s(e.api_code),
            cashfree_type=_s(e.api_type),
            raw_body=_s(e.raw_body),
            request_id=_s(e.request_id),
            retry_after_ms=int(e.retry_after_ms),
            rate_limit=rl,
            last_status=last_status,
        )
    finally:
        _lib.cfrpd_error_free(err)


def _invalid(message: str) -> RpdError:
    return RpdError(ResultCode.INVALID_ARGUMENT, message)


def _c(name: str, value: Optional[str]) -> Optional[bytes]:
    """A str argument as NUL-terminated UTF-8 (None stays NULL)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise _invalid(f"{name} contains a NUL character")
    return value.encode("utf-8", "surrogatepass")


def _ms(name: str, seconds: float) -> int:
    """Seconds (int or float) as whole milliseconds for a uint32_t."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds")
    ms = int(round(seconds * 1000))
    if ms < 0 or ms > _U32_MAX:
        raise _invalid(f"{name} out of range: {seconds!r} s")
    return ms


def _u32(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be int")
    if value < 0 or value > _U32_MAX:
        raise _invalid(f"{name} out of range: {value!r}")
    return value


# --------------------------------------------------------------------------- config

LogCallback = Callable[[LogLevel, str], None]


class Config:
    """Settings for a :class:`Client` (a cfrpd_config). Setters raise :class:`RpdError`
    (with the library's reason) on bad input and return the config, so they chain.
    A client copies what it needs: the config may be changed or closed afterwards."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: Optional[str] = None,
        max_retries: Optional[int] = None,
        journal_path: Optional[str] = None,
    ) -> None:
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        self._log_cb: Any = None
        out = N.config_p()
        rc = _lib.cfrpd_config_new(
            _c("client_id", client_id), _c("client_secret", client_secret), byref(out)
        )
        if rc != 0:
            raise RpdError(
                tcast(ResultCode, _enum(ResultCode, rc)),
                "client_id and client_secret must be non-empty, without control characters",
            )
        self._handle = out.value
        if base_url is not None:
            self.set_base_url(base_url)
        if max_retries is not None:
            self.set_max_retries(max_retries)
        if journal_path is not None:
            self.set_journal_path(journal_path)

    @classmethod
    def from_env(cls) -> "Config":
        """CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET (required), CASHFREE_ENV,
        CASHFREE_BASE_URL, CASHFREE_PUBLIC_KEY (the error names a wrong variable)."""
        out = N.config_p()
        err = POINTER(N.cfrpd_error)()
        rc = _lib.cfrpd_config_from_env(byref(out), byref(err))
        if rc != 0:
            raise _error(rc, err)
        self = cls.__new__(cls)
        self._lock = threading.Lock()
        self._handle = out.value
        self._log_cb = None
        return self

    def _set(self, what: str, fn: Any, *args: Any) -> "Config":
        with self._lock:
            h = self._handle
            if not h:
                raise ValueError("config is closed")
            rc = fn(h, *args)
            if rc != 0:
                why = _s(_lib.cfrpd_config_last_error(h)) or _result_name(rc)
                raise RpdError(tcast(ResultCode, _enum(ResultCode, rc)), f"{what}: {why}")
        return self

    def set_base_url(self, url: str) -> "Config":
        return self._set("base_url", _lib.cfrpd_config_set_base_url, _c("url", url))

    def set_environment(self, env: Environment) -> "Config":
        return self._set("environment", _lib.cfrpd_config_set_environment, _u32("env", int(env)))

    def set_max_retries(self, n: int) -> "Config":
        return self._set("max_retries", _lib.cfrpd_config_set_max_retries, _u32("max_retries", n))

    def set_timeouts(self, connect_s: float, request_s: float) -> "Config":
        """Per attempt; 0 = the default (connect 10 s, request 30 s)."""
        return self._set(
            "timeouts",
            _lib.cfrpd_config_set_timeouts_ms,
            _ms("connect_s", connect_s),
            _ms("request_s", request_s),
        )

    def set_call_deadline(self, seconds: float) -> "Config":
        """Bounds one whole call, retries included; 0 = the default (60 s)."""
        return self._set(
            "call_deadline", _lib.cfrpd_config_set_call_deadline_ms, _ms("seconds", seconds)
        )

    def set_journal_path(self, path: Optional[str]) -> "Config":
        """The create journal's file; None or "" turns it off."""
        return self._set(
            "journal_path", _lib.cfrpd_config_set_journal_path, _c("path", path or "")
        )

    def set_public_key_pem(self, pem: str) -> "Config":
        """Turns on x-cf-signature with this RSA public key (PEM)."""
        return self._set("public_key_pem", _lib.cfrpd_config_set_public_key_pem, _c("pem", pem))

    def add_root_ca_pem(self, pem: str) -> "Config":
        return self._set("root_ca_pem", _lib.cfrpd_config_add_root_ca_pem, _c("pem", pem))

    def set_proxy(self, url: str) -> "Config":
        """An http:// or https:// proxy; "" clears it."""
        return self._set("proxy", _lib.cfrpd_config_set_proxy, _c("url", url))

    def set_max_idle_connections(self, n: int) -> "Config":
        return self._set(
            "max_idle_connections",
            _lib.cfrpd_config_set_max_idle_connections,
            _u32("max_idle_connections", n),
        )

    def set_log_callback(
        self, max_level: LogLevel, callback: Optional[LogCallback]
    ) -> "Config":
        """Messages up to max_level go to callback(level, message), on the thread making
        the call; None turns logging off. An exception from the callback is dropped."""
        if callback is None:
            cb = N.LOG_CALLBACK()
        else:
            user = callback

            def trampoline(_ud: Any, level: int, message: Optional[bytes]) -> None:
                try:
                    user(tcast(LogLevel, _enum(LogLevel, level)), _s(message) or "")
                except BaseException:  # noqa: B902 - dropped, as in C++
                    pass

            cb = N.LOG_CALLBACK(trampoline)
        self._set("log_callback", _lib.cfrpd_config_set_log_callback, _u32("max_level", int(max_level)), cb, None)
        # Kept alive by the config and by every client made from it.
        self._log_cb = cb if callback is not None else None
        return self

    def close(self) -> None:
        """Frees the native config (also done when garbage-collected). Twice is fine."""
        with self._lock:
            h, self._handle = self._handle, None
        if h:
            _lib.cfrpd_config_free(h)

    def __enter__(self) -> "Config":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- client

PollCallback = Callable[[Status], bool]


class Client:
    """A client of the Reverse Penny Drop API (a cfrpd_client). Safe to share between
    threads; use it as a context manager, or call :meth:`close`. A closed client raises
    ``ValueError``; closing waits for the calls in flight."""

    def __init__(self, config: Config) -> None:
        if not isinstance(config, Config):
            raise TypeError("Client(config): config must be a cashfree_rpd.Config")
        self._handle: Optional[int] = None
        self._cond = threading.Condition()
        self._in_flight = 0
        self._closed = False
        self._free_when_idle = False
        self._local = threading.local()
        with config._lock:
            if not config._handle:
                raise ValueError("config is closed")
            out = N.client_p()
            err = POINTER(N.cfrpd_error)()
            rc = _lib.cfrpd_client_new(config._handle, byref(out), byref(err))
            if rc != 0:
                raise _error(rc, err)
            self._handle = out.value
            # The native client calls the log callback: keep it alive as long as the client.
            self._log_cb = config._log_cb

    # Calls in flight are counted so close() can wait for them; a close from inside a
    # callback of this client (same thread) frees the client when the last call returns.
    def _begin(self) -> Any:
        with self._cond:
            if self._closed:
                raise ValueError("cashfree_rpd.Client is closed")
            self._in_flight += 1
            h = self._handle
        self._local.depth = getattr(self._local, "depth", 0) + 1
        return h

    def _end(self) -> None:
        self._local.depth -= 1
        h = None
        with self._cond:
            self._in_flight -= 1
            if self._in_flight == 0:
                if self._free_when_idle:
                    h, self._handle = self._handle, None
                    self._free_when_idle = False
                self._cond.notify_all()
        if h:
            _lib.cfrpd_client_free(h)

    def close(self) -> None:
        """Frees the native client after the calls in flight return. Twice is fine."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            if getattr(self._local, "depth", 0) > 0:
                self._free_when_idle = True
                return
            while self._in_flight:
                self._cond.wait()
            h, self._handle = self._handle, None
        if h:
            _lib.cfrpd_client_free(h)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            h, self._handle = self._handle, None
            if h:
                _lib.cfrpd_client_free(h)
        except Exception:
            pass

    def create(self, verification_id: str, name: str) -> Request:
        """Creates a request (the customer pays ₹1 from the account to verify)."""
        vid = _c("verification_id", verification_id)
        nm = _c("name", name)
        out = POINTER(N.cfrpd_request)()
        err = POINTER(N.cfrpd_error)()
        h = self._begin()
        try:
            rc = _lib.cfrpd_create(h, vid, nm, byref(out), byref(err))
        finally:
            self._end()
        if rc != 0:
            raise _error(rc, err)
        try:
            return _request(out.contents)
        finally:
            _lib.cfrpd_request_free(out)

    def _status_call(self, fn: Any, arg: Any) -> Status:
        out = POINTER(N.cfrpd_status)()
        err = POINTER(N.cfrpd_error)()
        h = self._begin()
        try:
            rc = fn(h, arg, byref(out), byref(err))
        finally:
            self._end()
        if rc != 0:
            raise _error(rc, err)
        try:
            return _status(out.contents)
        finally:
            _lib.cfrpd_status_free(out)

    def get_status(self, verification_id: str) -> Status:
        return self._status_call(_lib.cfrpd_get_status, _c("verification_id", verification_id))

    def get_status_by_ref_id(self, ref_id: int) -> Status:
        if isinstance(ref_id, bool) or not isinstance(ref_id, int):
            raise TypeError("ref_id must be int")
        if ref_id <= 0 or ref_id >= 1 << 63:
            raise _invalid(f"ref_id must be > 0 and fit in int64: {ref_id}")
        return self._status_call(_lib.cfrpd_get_status_by_ref_id, ref_id)

    def wait_for_result(
        self,
        verification_id: str,
        timeout_s: float,
        on_poll: Optional[PollCallback] = None,
        poll_interval_s: float = 0,
    ) -> Status:
        """Polls until the state is final. ``on_poll(status)`` runs after every poll:
        returning False stops the wait (``CANCELLED``, unless the status is final); an
        exception it raises stops the wait and is re-raised here, the same object.
        ``DEADLINE`` / ``CANCELLED`` errors carry the last status seen. poll_interval_s:
        0 = 3 s; below 0.5 s is raised to 0.5 s."""
        vid = _c("verification_id", verification_id)
        timeout_ms = _ms("timeout_s", timeout_s)
        interval_ms = _ms("poll_interval_s", poll_interval_s)
        raised: List[BaseException] = []
        if on_poll is None:
            cb = N.POLL_CALLBACK()
        else:
            user = on_poll

            def trampoline(_ud: Any, latest: Any) -> bool:
                if raised:
                    return False
                try:
                    return bool(user(_status(latest.contents)))
                except BaseException as e:  # rethrown after the C call returns
                    raised.append(e)
                    return False

            cb = N.POLL_CALLBACK(trampoline)
        out = POINTER(N.cfrpd_status)()
        err = POINTER(N.cfrpd_error)()
        h = self._begin()
        try:
            rc = _lib.cfrpd_wait_for_result(
                h, vid, timeout_ms, interval_ms, cb, None, byref(out), byref(err)
            )
        finally:
            self._end()
        last: Optional[Status] = None
        if out:
            try:
                last = _status(out.contents)
            finally:
                _lib.cfrpd_status_free(out)
        if raised:
            if err:
                _lib.cfrpd_error_free(err)
            raise raised[0]
        if rc != 0:
            raise _error(rc, err, last)
        assert last is not None
        return last

    def journal_pending(self) -> List[JournalEntry]:
        """The create journal's open entries, oldest first."""
        out = POINTER(N.cfrpd_journal_list)()
        err = POINTER(N.cfrpd_error)()
        h = self._begin()
        try:
            rc = _lib.cfrpd_journal_pending(h, byref(out), byref(err))
        finally:
            self._end()
        if rc != 0:
            raise _error(rc, err)
        try:
            lst = out.contents
            entries = []
            for i in range(lst.count):
                e = lst.entries[i]
                entries.append(
                    JournalEntry(
                        _s(e.verification_id) or "",
                        _s(e.name) or "",
                        tcast(JournalState, _enum(JournalState, e.state)),
                        int(e.recorded_at_ms),
                        _request(e.request.contents) if e.request else None,
                    )
                )
            return entries
        finally:
            _lib.cfrpd_journal_list_free(out)

    def journal_resolve(self, verification_id: str) -> Status:
        """Looks the id up and settles its journal entry."""
        return self._status_call(
            _lib.cfrpd_journal_resolve, _c("verification_id", verification_id)
        )

    def rate_limit(self) -> Optional[RateLimit]:
        """The rate-limit window of the last answer that had one, else None."""
        out = N.cfrpd_rate_limit()
        h = self._begin()
        try:
            rc = _lib.cfrpd_client_rate_limit(h, byref(out))
        finally:
            self._end()
        if rc != 0:
            raise _error(rc, None)
        if out.limit < 0 and out.remaining < 0 and out.reset_ms < 0:
            return None
        return RateLimit(_opt(out.limit), _opt(out.remaining), _opt(out.reset_ms))


# --------------------------------------------------------------------------- QR codes


@dataclass(frozen=True)
class Bitmap:
    """A 1-bit image: rows of ``stride`` bytes, MSB first = leftmost pixel, 1 = black."""

    width: int
    height: int
    stride: int
    bits: bytes

    def pbm(self) -> bytes:
        """A binary PBM (P4) file."""
        return b"P4\n%d %d\n" % (self.width, self.height) + self.bits

    def escpos(self) -> bytes:
        """ESC/POS "GS v 0" raster bytes for a receipt printer."""
        x, y = self.stride, self.height
        return bytes([0x1D, 0x76, 0x30, 0, x & 0xFF, (x >> 8) & 0xFF, y & 0xFF, (y >> 8) & 0xFF]) + self.bits


class QrCode:
    """A QR code (EC level M) for screens and printers that cannot decode a PNG."""

    def __init__(self, text: str) -> None:
        out = POINTER(N.cfrpd_qr)()
        err = POINTER(N.cfrpd_error)()
        rc = _lib.cfrpd_qr_encode(_c("text", text), byref(out), byref(err))
        if rc != 0:
            raise _error(rc, err)
        self._qr: Any = out
        self.size: int = int(out.contents.size)
        self.modules: bytes = string_at(out.contents.modules, self.size * self.size)
        """size*size bytes, row-major, 1 = dark."""

    @classmethod
    def encode(cls, text: str) -> "QrCode":
        return cls(text)

    def module(self, x: int, y: int) -> bool:
        """True when the module at column x, row y is dark."""
        if not (0 <= x < self.size and 0 <= y < self.size):
            raise IndexError(f"module ({x}, {y}) outside a {self.size}x{self.size} code")
        return self.modules[y * self.size + x] != 0

    def to_bitmap(self, scale: int, quiet_zone: int = QR_STANDARD_QUIET_ZONE) -> Bitmap:
        if not self._qr:
            raise ValueError("QrCode is closed")
        out = POINTER(N.cfrpd_bitmap)()
        err = POINTER(N.cfrpd_error)()
        rc = _lib.cfrpd_qr_bitmap(
            self._qr, _u32("scale", scale), _u32("quiet_zone", quiet_zone), byref(out), byref(err)
        )
        if rc != 0:
            raise _error(rc, err)
        try:
            b = out.contents
            return Bitmap(
                int(b.width), int(b.height), int(b.stride), string_at(b.bits, b.stride * b.height)
            )
        finally:
            _lib.cfrpd_bitmap_free(out)

    def text(self, ansi: bool = False) -> str:
        """The code as text for a terminal: Unicode half blocks, two module rows per line, a
        4-module quiet zone, "\\n" after every line; ``ansi``: each line in black on white
        ANSI colours (for a dark terminal)."""
        if not self._qr:
            raise ValueError("QrCode is closed")
        out = c_char_p()
        err = POINTER(N.cfrpd_error)()
        rc = _lib.cfrpd_qr_to_text(self._qr, bool(ansi), byref(out), byref(err))
        if rc != 0:
            raise _error(rc, err)
        try:
            return (out.value or b"").decode("utf-8")
        finally:
            _lib.cfrpd_string_free(out)

    def close(self) -> None:
        q, self._qr = self._qr, None
        if q:
            _lib.cfrpd_qr_free(q)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- webhooks


def verify_webhook(
    client_secret: str,
    raw_body: bytes,
    signature: Optional[str] = None,
    timestamp: Optional[str] = None,
    max_age_s: int = 0,
) -> Webhook:
    """Verifies, then parses, one webhook delivery. ``raw_body``: the exact bytes
    received; ``signature`` / ``timestamp``: the x-webhook-signature and
    x-webhook-timestamp header values (both None: the body's v1 ``signature`` field).
    A wrong, missing or stale signature raises RpdError WEBHOOK_SIGNATURE."""
    if not isinstance(raw_body, (bytes, bytearray)):
        raise TypeError("raw_body must be bytes")
    body = bytes(raw_body)
    buf = (c_uint8 * max(len(body), 1)).from_buffer_copy(body or b"\0")
    out = POINTER(N.cfrpd_webhook)()
    err = POINTER(N.cfrpd_error)()
    rc = _lib.cfrpd_webhook_verify(
        _c("client_secret", client_secret),
        cast(buf, POINTER(c_uint8)),
        len(body),
        _c("signature", signature),
        _c("timestamp", timestamp),
        _u32("max_age_s", max_age_s),
        byref(out),
        byref(err),
    )
    if rc != 0:
        raise _error(rc, err)
    try:
        w = out.contents
        return Webhook(_s(w.event_type), _s(w.event_time), _s(w.version), _status(w.data.contents))
    finally:
        _lib.cfrpd_webhook_free(out)


# --------------------------------------------------------------------------- names


def version() -> str:
    """The native library's version ("0.1.0")."""
    return str(_lib.cfrpd_version().decode("ascii"))


def version_number() -> int:
    """MAJOR*10000 + MINOR*100 + PATCH of the native library."""
    return int(_lib.cfrpd_version_number())


def result_name(code: int) -> str:
    """The C name of a result ("CFRPD_ERR_TIMEOUT")."""
    return _result_name(code)


def _name(fn: Any, value: int) -> str:
    return str(fn(value).decode("ascii", "replace"))


def state_name(s: int) -> str:
    return _name(_lib.cfrpd_state_name, s)


def name_match_name(m: int) -> str:
    return _name(_lib.cfrpd_name_match_name, m)


def reversal_name(r: int) -> str:
    return _name(_lib.cfrpd_reversal_name, r)


def log_level_name(level: int) -> str:
    return _name(_lib.cfrpd_log_level_name, level)


def environment_name(e: int) -> str:
    return _name(_lib.cfrpd_environment_name, e)


def journal_state_name(s: int) -> str:
    return _name(_lib.cfrpd_journal_state_name, s)

"""cashfree_rpd: Cashfree Reverse Penny Drop (bank account verification over UPI) from
Python, over the C library libcashfree_rpd through ctypes.

    from cashfree_rpd import Client, Config, RpdError, ResultCode, State
    with Client(Config.from_env()) as c:
        r = c.create("order-1", "John Doe")      # show r.qr_png / r.upi_link to the payer
        s = c.wait_for_result("order-1", 300)
        print(s.state.name, s.name_at_bank, s.name_match_result)

The native library is the one in this package's folder, or the file named by the
environment variable CFRPD_LIBRARY.
"""

from ._client import (
    Bitmap,
    Client,
    Config,
    JournalEntry,
    QrCode,
    RateLimit,
    Request,
    RpdError,
    Status,
    Webhook,
    environment_name,
    journal_state_name,
    log_level_name,
    name_match_name,
    result_name,
    reversal_name,
    state_name,
    verify_webhook,
    version,
    version_number,
)
from ._constants import (
    DEFAULT_MAX_IDLE_CONNECTIONS,
    MAX_IDLE_CONNECTIONS_LIMIT,
    MAX_RETRIES_LIMIT,
    MAX_VERIFICATION_ID_LEN,
    JOURNAL_FORMAT_VERSION,
    QR_MAX_QUIET_ZONE,
    QR_MAX_SCALE,
    QR_MAX_SIZE,
    QR_MIN_SIZE,
    QR_STANDARD_QUIET_ZONE,
)
from ._enums import Environment, JournalState, LogLevel, NameMatch, ResultCode, Reversal, State

__version__ = "0.1.0"

__all__ = [
    "Bitmap",
    "Client",
    "Config",
    "Environment",
    "JournalEntry",
    "JournalState",
    "LogLevel",
    "NameMatch",
    "QrCode",
    "RateLimit",
    "Request",
    "ResultCode",
    "Reversal",
    "RpdError",
    "State",
    "Status",
    "Webhook",
    "environment_name",
    "journal_state_name",
    "log_level_name",
    "name_match_name",
    "result_name",
    "reversal_name",
    "state_name",
    "verify_webhook",
    "version",
    "version_number",
    "DEFAULT_MAX_IDLE_CONNECTIONS",
    "MAX_IDLE_CONNECTIONS_LIMIT",
    "MAX_RETRIES_LIMIT",
    "MAX_VERIFICATION_ID_LEN",
    "JOURNAL_FORMAT_VERSION",
    "QR_MAX_QUIET_ZONE",
    "QR_MAX_SCALE",
    "QR_MAX_SIZE",
    "QR_MIN_SIZE",
    "QR_STANDARD_QUIET_ZONE",
]

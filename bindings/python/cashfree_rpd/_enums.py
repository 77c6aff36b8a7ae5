"""The C enums as IntEnums. Names are the C names without their prefix; values are the C
values. tests/test_declarations.py compares every class with the header's macros of its
prefix (both ways: a constant added to the header and missing here fails the test)."""

from enum import IntEnum


class ResultCode(IntEnum):
    """cfrpd_result: CFRPD_OK and CFRPD_ERR_*."""

    OK = 0
    INVALID_ARGUMENT = 1
    NETWORK = 2
    TIMEOUT = 3
    TLS = 4
    BAD_REQUEST = 10
    DUPLICATE_ID = 11
    UNAUTHORIZED = 12
    FORBIDDEN = 13
    NOT_FOUND = 14
    INSUFFICIENT_BALANCE = 15
    RATE_LIMITED = 16
    SERVER = 17
    HTTP = 18
    UNEXPECTED_RESPONSE = 20
    SIGNATURE = 21
    CANCELLED = 22
    DEADLINE = 23
    WEBHOOK_SIGNATURE = 24
    JOURNAL = 25
    PANIC = 99


class State(IntEnum):
    """cfrpd_state: CFRPD_STATE_*."""

    UNKNOWN = 0
    CREATED = 1
    SUCCESS = 2
    FAILURE = 3
    EXPIRED = 4


class NameMatch(IntEnum):
    """cfrpd_name_match: CFRPD_MATCH_*."""

    UNKNOWN = 0
    DIRECT = 1
    GOOD_PARTIAL = 2
    MODERATE_PARTIAL = 3
    POOR_PARTIAL = 4
    NO_MATCH = 5


class Reversal(IntEnum):
    """cfrpd_reversal: CFRPD_REVERSAL_* (the refund of the rupee)."""

    UNKNOWN = 0
    PENDING = 1
    TRANSFER_INITIATED = 2
    TRANSFER_SUCCESS = 3
    FAILED = 4


class Environment(IntEnum):
    """cfrpd_environment: CFRPD_ENV_*."""

    SANDBOX = 0
    PRODUCTION = 1


class LogLevel(IntEnum):
    """cfrpd_log_level: CFRPD_LOG_*."""

    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4


class JournalState(IntEnum):
    """cfrpd_journal_state: CFRPD_JOURNAL_* (an open entry of the create journal)."""

    SENDING = 1
    CREATED = 2


# class -> the header's macro prefix (for the test against the header).
PREFIXES = {
    ResultCode: "CFRPD_ERR_",  # and CFRPD_OK
    State: "CFRPD_STATE_",
    NameMatch: "CFRPD_MATCH_",
    Reversal: "CFRPD_REVERSAL_",
    Environment: "CFRPD_ENV_",
    LogLevel: "CFRPD_LOG_",
    JournalState: "CFRPD_JOURNAL_",
}

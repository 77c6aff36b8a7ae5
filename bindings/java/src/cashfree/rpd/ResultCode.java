package cashfree.rpd;

/**
 * Every result of the C library: the C name without {@code CFRPD_ERR_} ({@code CFRPD_OK} is
 * {@link #OK}), with the C number. The numbers are checked against
 * {@code include/cashfree_rpd.h} by the project's tests and against the loaded library's
 * {@code cfrpd_result_name} by {@code Library.checkNames()}.
 */
public enum ResultCode {
    OK(0),
    INVALID_ARGUMENT(1),
    NETWORK(2),
    TIMEOUT(3),
    TLS(4),
    BAD_REQUEST(10),
    DUPLICATE_ID(11),
    UNAUTHORIZED(12),
    FORBIDDEN(13),
    NOT_FOUND(14),
    INSUFFICIENT_BALANCE(15),
    RATE_LIMITED(16),
    SERVER(17),
    HTTP(18),
    UNEXPECTED_RESPONSE(20),
    SIGNATURE(21),
    CANCELLED(22),
    DEADLINE(23),
    WEBHOOK_SIGNATURE(24),
    JOURNAL(25),
    PANIC(99);

    private final int value;

    ResultCode(int value) {
        this.value = value;
    }

    /** The C number ({@code cfrpd_result}). */
    public int value() {
        return value;
    }

    /** The constant with this C number, or {@code null} for a number this jar does not know. */
    public static ResultCode of(int value) {
        for (ResultCode c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        return null;
    }
}

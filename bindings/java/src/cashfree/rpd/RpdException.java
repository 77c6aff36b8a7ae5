package cashfree.rpd;

/**
 * A failed call: the fields of the C library's {@code cfrpd_error}. {@link #getMessage()}
 * is the C message, which a person can act on and which never contains the client secret.
 */
public class RpdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int codeValue;
    private final ResultCode code;
    private final int httpStatus;
    private final String cashfreeCode;
    private final String cashfreeType;
    private final long retryAfterMs;
    private final boolean retryable;
    private final boolean ambiguous;
    private final String rawBody;
    private final String requestId;
    private final long rateLimitLimit;
    private final long rateLimitRemaining;
    private final long rateLimitResetMs;
    private final transient Status lastStatus;

    /** A failure found by the binding itself, before any native call. */
    RpdException(ResultCode code, String message) {
        super(message);
        this.codeValue = code.value();
        this.code = code;
        this.httpStatus = 0;
        this.cashfreeCode = null;
        this.cashfreeType = null;
        this.retryAfterMs = 0;
        this.retryable = false;
        this.ambiguous = false;
        this.rawBody = null;
        this.requestId = null;
        this.rateLimitLimit = -1;
        this.rateLimitRemaining = -1;
        this.rateLimitResetMs = -1;
        this.lastStatus = null;
    }

    /** Made by the JNI glue from a {@code cfrpd_error} (strings as UTF-8). */
    RpdException(int code, int httpStatus, byte[] message, byte[] apiCode, byte[] apiType,
            long retryAfterMs, boolean retryable, boolean ambiguous, byte[] rawBody,
            byte[] requestId, long rateLimitLimit, long rateLimitRemaining, long rateLimitResetMs,
            Status lastStatus) {
        super(Native.str(message));
        this.codeValue = code;
        this.code = ResultCode.of(code);
        this.httpStatus = httpStatus;
        this.cashfreeCode = Native.str(apiCode);
        this.cashfreeType = Native.str(apiType);
        this.retryAfterMs = retryAfterMs;
        this.retryable = retryable;
        this.ambiguous = ambiguous;
        this.rawBody = Native.str(rawBody);
        this.requestId = Native.str(requestId);
        this.rateLimitLimit = rateLimitLimit;
        this.rateLimitRemaining = rateLimitRemaining;
        this.rateLimitResetMs = rateLimitResetMs;
        this.lastStatus = lastStatus;
    }

    /** The result; {@code null} only for a number this jar does not know (see {@link #codeValue()}). */
    public ResultCode code() {
        return code;
    }

    /** The C number of the result. */
    public int codeValue() {
        return codeValue;
    }

    /** The HTTP status when a response arrived, else 0. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Repeating the same call is safe and may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /**
     * A create may have reached Cashfree: look the id up with {@link Client#getStatus}
     * before creating again.
     */
    public boolean ambiguous() {
        return ambiguous;
    }

    /** Cashfree's error "code", or {@code null}. */
    public String cashfreeCode() {
        return cashfreeCode;
    }

    /** Cashfree's error "type", or {@code null}. */
    public String cashfreeType() {
        return cashfreeType;
    }

    /** The response body (at most 4 KiB, secret scrubbed), or {@code null}. */
    public String rawBody() {
        return rawBody;
    }

    /** The x-request-id of the last attempt (quote it to Cashfree support), or {@code null}. */
    public String requestId() {
        return requestId;
    }

    /** From {@code Retry-After}, else 0. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** {@code X-RateLimit-Limit} of the failing answer, or -1. */
    public long rateLimitLimit() {
        return rateLimitLimit;
    }

    /** {@code X-RateLimit-Remaining} of the failing answer, or -1. */
    public long rateLimitRemaining() {
        return rateLimitRemaining;
    }

    /** {@code X-RateLimit-Reset} of the failing answer in milliseconds, or -1. */
    public long rateLimitResetMs() {
        return rateLimitResetMs;
    }

    /**
     * The last status a wait saw, for {@link ResultCode#DEADLINE} and
     * {@link ResultCode#CANCELLED} ({@code null} if no poll succeeded); else {@code null}.
     */
    public Status lastStatus() {
        return lastStatus;
    }

    @Override
    public String toString() {
        return "RpdException[" + (code != null ? code.name() : String.valueOf(codeValue))
                + (httpStatus != 0 ? ", HTTP " + httpStatus : "") + "]: " + getMessage();
    }
}

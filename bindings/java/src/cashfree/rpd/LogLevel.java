package cashfree.rpd;

/** Level of a diagnostics record ({@code cfrpd_log_level}; the C numbers). */
public enum LogLevel {
    /** A failure the caller will see as an exception (or a journal write that failed). */
    ERROR(1),
    /** A retry: its reason and delay. */
    WARN(2),
    /** One line per attempt: method, path and query, HTTP status or failure, ms, attempt, request id. */
    INFO(3),
    /** Connections opened and reused, bodies. */
    DEBUG(4);

    private final int value;

    LogLevel(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }

    /** The constant with this C number, or {@code null} for a number this jar does not know. */
    public static LogLevel of(int value) {
        for (LogLevel l : values()) {
            if (l.value == value) {
                return l;
            }
        }
        return null;
    }
}

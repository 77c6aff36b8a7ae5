package cashfree.rpd;

/** A rate-limit window ({@link Client#rateLimit()}); each field is -1 when unknown. */
public final class RateLimit {
    private final long limit;
    private final long remaining;
    private final long resetMs;

    RateLimit(long limit, long remaining, long resetMs) {
        this.limit = limit;
        this.remaining = remaining;
        this.resetMs = resetMs;
    }

    /** {@code X-RateLimit-Limit}: requests allowed in the window. */
    public long limit() {
        return limit;
    }

    /** {@code X-RateLimit-Remaining}: requests left in the window. */
    public long remaining() {
        return remaining;
    }

    /** Milliseconds from now until the window resets (0 once it passed). */
    public long resetMs() {
        return resetMs;
    }
}

package cashfree.rpd;

/** A verified webhook delivery ({@link Webhooks#verify}). */
public final class Webhook {
    private final String eventType;
    private final String eventTime;
    private final String version;
    private final Status data;

    Webhook(byte[] eventType, byte[] eventTime, byte[] version, Status data) {
        this.eventType = Native.str(eventType);
        this.eventTime = Native.str(eventTime);
        this.version = Native.str(version);
        this.data = data;
    }

    /** e.g. "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS", or {@code null}. */
    public String eventType() {
        return eventType;
    }

    /** When Cashfree sent it, or {@code null}. */
    public String eventTime() {
        return eventTime;
    }

    /** Payload version, e.g. "v1", or {@code null}. */
    public String version() {
        return version;
    }

    /** The same fields as a status; never {@code null}. Take the outcome from here. */
    public Status data() {
        return data;
    }
}

package cashfree.rpd;

/** The state of a verification request ({@code cfrpd_state}; the C numbers). */
public enum State {
    /** Absent or unknown status text (the raw text is in {@link Status#status()}). */
    UNKNOWN(0),
    /** Made, not paid yet. */
    CREATED(1),
    SUCCESS(2),
    FAILURE(3),
    EXPIRED(4);

    private final int value;

    State(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }

    /** SUCCESS, FAILURE or EXPIRED: polling further will not change it. */
    public boolean isFinal() {
        return this == SUCCESS || this == FAILURE || this == EXPIRED;
    }

    /** The constant with this C number; {@link #UNKNOWN} for any other number. */
    public static State of(int value) {
        for (State s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        return UNKNOWN;
    }
}

package cashfree.rpd;

/** The refund of the rupee, parsed from {@code reversal_status} ({@code cfrpd_reversal}). */
public enum Reversal {
    UNKNOWN(0),
    PENDING(1),
    TRANSFER_INITIATED(2),
    TRANSFER_SUCCESS(3),
    FAILED(4);

    private final int value;

    Reversal(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }

    /** The constant with this C number; {@link #UNKNOWN} for any other number. */
    public static Reversal of(int value) {
        for (Reversal r : values()) {
            if (r.value == value) {
                return r;
            }
        }
        return UNKNOWN;
    }
}

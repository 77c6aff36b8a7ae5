package cashfree.rpd;

/** How well the name at the bank matches the expected name ({@code cfrpd_name_match}). */
public enum NameMatch {
    UNKNOWN(0),
    DIRECT(1),
    GOOD_PARTIAL(2),
    MODERATE_PARTIAL(3),
    POOR_PARTIAL(4),
    NO_MATCH(5);

    private final int value;

    NameMatch(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }

    /** The constant with this C number; {@link #UNKNOWN} for any other number. */
    public static NameMatch of(int value) {
        for (NameMatch m : values()) {
            if (m.value == value) {
                return m;
            }
        }
        return UNKNOWN;
    }
}

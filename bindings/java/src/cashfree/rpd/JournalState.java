package cashfree.rpd;

/** Where a journaled create stands ({@code cfrpd_journal_state}; the C numbers). */
public enum JournalState {
    /**
     * Intent recorded, no answer recorded: the request may exist at Cashfree (its links were
     * never received). Settle it with {@link Client#journalResolve(String)}.
     */
    SENDING(1),
    /** Cashfree's answer recorded: the same links and QR can be shown again. */
    CREATED(2);

    private final int value;

    JournalState(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }

    /** The constant with this C number, or {@code null} for a number this jar does not know. */
    public static JournalState of(int value) {
        for (JournalState s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        return null;
    }
}

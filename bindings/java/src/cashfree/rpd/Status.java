package cashfree.rpd;

/**
 * The result of a verification request (a copy of the C {@code cfrpd_status}). Text fields
 * are {@code null} when absent or JSON null, {@code ""} when empty.
 */
public final class Status {
    private final State state;
    private final boolean isFinal;
    private final NameMatch nameMatch;
    private final Reversal reversal;
    /** The 16 texts as the C library gave them (UTF-8), decoded when first asked for. */
    private final byte[][] utf8;
    private final String[] text = new String[16];

    /** Made by the JNI glue; {@code t} holds the 16 strings in the order of the fields above. */
    Status(int state, boolean isFinal, int nameMatch, int reversal, byte[][] t) {
        this.state = State.of(state);
        this.isFinal = isFinal;
        this.nameMatch = NameMatch.of(nameMatch);
        this.reversal = Reversal.of(reversal);
        this.utf8 = t;
    }

    /** Parsed {@code status} (case-insensitive). */
    public State state() {
        return state;
    }

    /** SUCCESS, FAILURE or EXPIRED: polling further will not change it. */
    public boolean isFinal() {
        return isFinal;
    }

    /** The raw status string. */
    public String status() {
        return text(0);
    }

    /** The merchant's id. */
    public String verificationId() {
        return text(1);
    }

    /** Cashfree's id, as text whatever JSON type arrived. */
    public String refId() {
        return text(2);
    }

    /** Payer's account number. */
    public String bankAccount() {
        return text(3);
    }

    /** Payer's bank branch code. */
    public String ifsc() {
        return text(4);
    }

    /** Payer's UPI id (VPA). */
    public String upi() {
        return text(5);
    }

    /** Account holder name as the bank has it. */
    public String nameAtBank() {
        return text(6);
    }

    /** Bank reference of the 1 rupee payment. */
    public String utr() {
        return text(7);
    }

    /** A number as text, e.g. "90.00"; may be "". */
    public String nameMatchScore() {
        return text(8);
    }

    /** The raw name match string, e.g. "DIRECT_MATCH". */
    public String nameMatchResult() {
        return text(9);
    }

    /** Parsed {@link #nameMatchResult()}. */
    public NameMatch nameMatch() {
        return nameMatch;
    }

    /** When the request was created (format varies). */
    public String addedOn() {
        return text(10);
    }

    /** When it was processed. */
    public String processedOn() {
        return text(11);
    }

    /** When the rupee arrived. */
    public String pennyCollectedOn() {
        return text(12);
    }

    /** Refund of the rupee as sent ("PENDING", "TRANSFER_INITIATED", ...; "" before payment). */
    public String reversalStatus() {
        return text(13);
    }

    /** Parsed {@link #reversalStatus()}. */
    public Reversal reversal() {
        return reversal;
    }

    /** e.g. "SAVINGS", "CURRENT". */
    public String accountType() {
        return text(14);
    }

    /** The whole response body. */
    public String rawJson() {
        return text(15);
    }

    private String text(int i) {
        String v = text[i];
        if (v == null && utf8[i] != null) {
            v = Native.str(utf8[i]);
            text[i] = v; // a benign race: Strings are immutable
        }
        return v;
    }

    @Override
    public String toString() {
        String name = nameAtBank();
        return "Status[" + verificationId() + " " + state + (name != null && name.length() > 0
                ? " " + name + " " + nameMatchResult() : "") + "]";
    }
}

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
    private final String status;
    private final String verificationId;
    private final String refId;
    private final String bankAccount;
    private final String ifsc;
    private final String upi;
    private final String nameAtBank;
    private final String utr;
    private final String nameMatchScore;
    private final String nameMatchResult;
    private final String addedOn;
    private final String processedOn;
    private final String pennyCollectedOn;
    private final String reversalStatus;
    private final String accountType;
    private final String rawJson;

    /** Made by the JNI glue; {@code t} holds the 16 strings in the order of the fields above. */
    Status(int state, boolean isFinal, int nameMatch, int reversal, byte[][] t) {
        this.state = State.of(state);
        this.isFinal = isFinal;
        this.nameMatch = NameMatch.of(nameMatch);
        this.reversal = Reversal.of(reversal);
        this.status = Native.str(t[0]);
        this.verificationId = Native.str(t[1]);
        this.refId = Native.str(t[2]);
        this.bankAccount = Native.str(t[3]);
        this.ifsc = Native.str(t[4]);
        this.upi = Native.str(t[5]);
        this.nameAtBank = Native.str(t[6]);
        this.utr = Native.str(t[7]);
        this.nameMatchScore = Native.str(t[8]);
        this.nameMatchResult = Native.str(t[9]);
        this.addedOn = Native.str(t[10]);
        this.processedOn = Native.str(t[11]);
        this.pennyCollectedOn = Native.str(t[12]);
        this.reversalStatus = Native.str(t[13]);
        this.accountType = Native.str(t[14]);
        this.rawJson = Native.str(t[15]);
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
        return status;
    }

    /** The merchant's id. */
    public String verificationId() {
        return verificationId;
    }

    /** Cashfree's id, as text whatever JSON type arrived. */
    public String refId() {
        return refId;
    }

    /** Payer's account number. */
    public String bankAccount() {
        return bankAccount;
    }

    /** Payer's bank branch code. */
    public String ifsc() {
        return ifsc;
    }

    /** Payer's UPI id (VPA). */
    public String upi() {
        return upi;
    }

    /** Account holder name as the bank has it. */
    public String nameAtBank() {
        return nameAtBank;
    }

    /** Bank reference of the 1 rupee payment. */
    public String utr() {
        return utr;
    }

    /** A number as text, e.g. "90.00"; may be "". */
    public String nameMatchScore() {
        return nameMatchScore;
    }

    /** The raw name match string, e.g. "DIRECT_MATCH". */
    public String nameMatchResult() {
        return nameMatchResult;
    }

    /** Parsed {@link #nameMatchResult()}. */
    public NameMatch nameMatch() {
        return nameMatch;
    }

    /** When the request was created (format varies). */
    public String addedOn() {
        return addedOn;
    }

    /** When it was processed. */
    public String processedOn() {
        return processedOn;
    }

    /** When the rupee arrived. */
    public String pennyCollectedOn() {
        return pennyCollectedOn;
    }

    /** Refund of the rupee as sent ("PENDING", "TRANSFER_INITIATED", ...; "" before payment). */
    public String reversalStatus() {
        return reversalStatus;
    }

    /** Parsed {@link #reversalStatus()}. */
    public Reversal reversal() {
        return reversal;
    }

    /** e.g. "SAVINGS", "CURRENT". */
    public String accountType() {
        return accountType;
    }

    /** The whole response body. */
    public String rawJson() {
        return rawJson;
    }

    @Override
    public String toString() {
        return "Status[" + verificationId + " " + state + (nameAtBank != null && nameAtBank.length() > 0
                ? " " + nameAtBank + " " + nameMatchResult : "") + "]";
    }
}

package cashfree.rpd;

/** An open entry of a client's create journal ({@link Client#journalPending()}). */
public final class JournalEntry {
    private final String verificationId;
    private final String name;
    private final int stateValue;
    private final long recordedAtMs;
    private final Request request;

    JournalEntry(byte[] verificationId, byte[] name, int state, long recordedAtMs, Request request) {
        this.verificationId = Native.str(verificationId);
        this.name = Native.str(name);
        this.stateValue = state;
        this.recordedAtMs = recordedAtMs;
        this.request = request;
    }

    /** The id of the create. */
    public String verificationId() {
        return verificationId;
    }

    /** The name it was sent with. */
    public String name() {
        return name;
    }

    /** SENDING or CREATED ({@code null} for a state this jar does not know). */
    public JournalState state() {
        return JournalState.of(stateValue);
    }

    /** Unix time of the intent, milliseconds. */
    public long recordedAtMs() {
        return recordedAtMs;
    }

    /** CREATED: the answer as first received ({@code replayed() == true}); SENDING: {@code null}. */
    public Request request() {
        return request;
    }

    @Override
    public String toString() {
        return "JournalEntry[" + verificationId + " " + state() + "]";
    }
}

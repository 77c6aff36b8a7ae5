package cashfree.rpd;

/** The loaded native library: its version and a check of the names of its constants. */
public final class Library {
    private Library() {
    }

    /** The C library's version, e.g. "0.1.0" ({@code cfrpd_version()}). */
    public static String version() {
        return Native.str(Native.nVersion());
    }

    /** MAJOR*10000 + MINOR*100 + PATCH ({@code cfrpd_version_number()}). */
    public static int versionNumber() {
        return Native.nVersionNumber();
    }

    /**
     * Checks every enum constant of this jar against the loaded library's names for its
     * number ({@code cfrpd_result_name}, {@code cfrpd_state_name}, ...). Returns the
     * mismatches, one per line; empty when all agree.
     */
    public static String checkNames() {
        StringBuilder bad = new StringBuilder();
        for (ResultCode c : ResultCode.values()) {
            expect(bad, Native.NAME_RESULT, c.value(), c == ResultCode.OK ? "CFRPD_OK" : "CFRPD_ERR_" + c.name());
        }
        for (State s : State.values()) {
            expect(bad, Native.NAME_STATE, s.value(), s.name());
        }
        for (JournalState s : JournalState.values()) {
            expect(bad, Native.NAME_JOURNAL_STATE, s.value(), s.name());
        }
        for (NameMatch m : NameMatch.values()) {
            String c = m == NameMatch.UNKNOWN || m == NameMatch.NO_MATCH ? m.name() : m.name() + "_MATCH";
            expect(bad, Native.NAME_MATCH, m.value(), c);
        }
        for (Reversal r : Reversal.values()) {
            expect(bad, Native.NAME_REVERSAL, r.value(), r.name());
        }
        for (Environment e : Environment.values()) {
            expect(bad, Native.NAME_ENVIRONMENT, e.value(), e.name());
        }
        for (LogLevel l : LogLevel.values()) {
            expect(bad, Native.NAME_LOG_LEVEL, l.value(), l.name());
        }
        return bad.toString();
    }

    private static void expect(StringBuilder bad, int kind, int value, String name) {
        String got = Native.str(Native.nName(kind, value));
        if (!name.equalsIgnoreCase(got)) {
            bad.append("kind ").append(kind).append(" value ").append(value).append(": jar says ")
                    .append(name).append(", library says ").append(got).append('\n');
        }
    }
}

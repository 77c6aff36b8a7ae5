package cashfree.rpd;

/** A Cashfree environment ({@code cfrpd_environment}); see {@link Config#setEnvironment}. */
public enum Environment {
    /** {@code https://sandbox.cashfree.com/verification} */
    SANDBOX(0),
    /** {@code https://api.cashfree.com/verification} */
    PRODUCTION(1);

    private final int value;

    Environment(int value) {
        this.value = value;
    }

    /** The C number. */
    public int value() {
        return value;
    }
}

package cashfree.rpd;

/** Verification of Cashfree's webhook deliveries. */
public final class Webhooks {
    static {
        Native.ensureLoaded();
    }

    private Webhooks() {
    }

    /**
     * Verifies, then parses, one delivery: {@code rawBody} is the exact bytes received;
     * {@code signature} and {@code timestamp} are the {@code x-webhook-signature} and
     * {@code x-webhook-timestamp} header values (both {@code null}: the body's own v1
     * "signature" field is verified instead, which has no replay protection). A timestamp
     * older or further in the future than {@code maxAgeS} seconds is refused (0 = no check).
     *
     * @throws RpdException {@link ResultCode#WEBHOOK_SIGNATURE} for a wrong, missing or stale
     *     signature; {@link ResultCode#UNEXPECTED_RESPONSE} for a verified body that is not a
     *     webhook
     */
    public static Webhook verify(String clientSecret, byte[] rawBody, String signature,
            String timestamp, long maxAgeS) {
        return nVerify(Native.utf8(clientSecret, "client secret"), rawBody,
                Native.utf8(signature, "signature"), Native.utf8(timestamp, "timestamp"),
                Native.u32(maxAgeS, "max age"));
    }

    private static native Webhook nVerify(byte[] clientSecret, byte[] rawBody, byte[] signature,
            byte[] timestamp, int maxAgeS);
}

package cashfree.rpd;

/** A created verification request (a copy of the C {@code cfrpd_request}). */
public final class Request {
    private final long refId;
    private final boolean replayed;
    private final byte[] qrPng;
    private final String verificationId;
    private final String validUpto;
    private final String upiLink;
    private final String gpay;
    private final String bhim;
    private final String paytm;
    private final String phonepe;
    private final String qrCode;
    private final String rawJson;

    /** Made by the JNI glue; {@code t} holds the 9 strings in the order of the fields above. */
    Request(long refId, boolean replayed, byte[] qrPng, byte[][] t) {
        this.refId = refId;
        this.replayed = replayed;
        this.qrPng = qrPng;
        this.verificationId = Native.str(t[0]);
        this.validUpto = Native.str(t[1]);
        this.upiLink = Native.str(t[2]);
        this.gpay = Native.str(t[3]);
        this.bhim = Native.str(t[4]);
        this.paytm = Native.str(t[5]);
        this.phonepe = Native.str(t[6]);
        this.qrCode = Native.str(t[7]);
        this.rawJson = Native.str(t[8]);
    }

    /** The id sent. */
    public String verificationId() {
        return verificationId;
    }

    /** Cashfree's id for the request (> 0). */
    public long refId() {
        return refId;
    }

    /** {@code upi://pay?...} intent link; never {@code null}. Encode it with {@link QrCode#encode}. */
    public String upiLink() {
        return upiLink;
    }

    /** When the links stop working (ISO-8601 as sent), or {@code null}. */
    public String validUpto() {
        return validUpto;
    }

    /** Google Pay deep link, or {@code null}. */
    public String gpay() {
        return gpay;
    }

    /** BHIM deep link, or {@code null}. */
    public String bhim() {
        return bhim;
    }

    /** Paytm deep link, or {@code null}. */
    public String paytm() {
        return paytm;
    }

    /** PhonePe deep link, or {@code null}. */
    public String phonepe() {
        return phonepe;
    }

    /** Base64 PNG as sent, or {@code null}. */
    public String qrCode() {
        return qrCode;
    }

    /** Decoded PNG bytes (a copy); {@code null} if absent or not valid base64 of a PNG. */
    public byte[] qrPng() {
        return qrPng == null ? null : qrPng.clone();
    }

    /** The whole response body. */
    public String rawJson() {
        return rawJson;
    }

    /**
     * True when this is the copy a create journal recorded (a create of an id whose request
     * was already made: nothing was sent); false for a fresh answer.
     */
    public boolean replayed() {
        return replayed;
    }

    @Override
    public String toString() {
        return "Request[" + verificationId + " ref " + refId + (replayed ? " replayed" : "") + "]";
    }
}

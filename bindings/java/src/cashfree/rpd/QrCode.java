package cashfree.rpd;

/**
 * A QR code's module matrix (no quiet zone), error correction level M, in the smallest
 * version that holds the text. Draw it with {@link #toBitmap} for a receipt printer (ESC/POS)
 * or a PBM file, or read {@link #module} to draw it yourself (e.g. on an Android
 * {@code Bitmap}).
 */
public final class QrCode {
    /** Smallest size (version 1), {@code CFRPD_QR_MIN_SIZE}. */
    public static final int MIN_SIZE = 21;
    /** Largest size (version 40), {@code CFRPD_QR_MAX_SIZE}. */
    public static final int MAX_SIZE = 177;
    /** Largest scale of {@link #toBitmap}, {@code CFRPD_QR_MAX_SCALE}. */
    public static final int MAX_SCALE = 64;
    /** Largest quiet zone of {@link #toBitmap}, in modules, {@code CFRPD_QR_MAX_QUIET_ZONE}. */
    public static final int MAX_QUIET_ZONE = 16;
    /** The quiet zone the QR standard asks for, {@code CFRPD_QR_STANDARD_QUIET_ZONE}. */
    public static final int STANDARD_QUIET_ZONE = 4;

    static {
        Native.ensureLoaded();
    }

    private final int size;
    private final byte[] modules;

    QrCode(int size, byte[] modules) {
        this.size = size;
        this.modules = modules;
    }

    /**
     * Encodes {@code text} (e.g. a request's {@link Request#upiLink()}).
     *
     * @throws RpdException {@link ResultCode#INVALID_ARGUMENT} for null, empty or too long text
     */
    public static QrCode encode(String text) {
        return nEncode(Native.utf8(text, "text"));
    }

    /** Modules per side: 21, 25, ..., 177. */
    public int size() {
        return size;
    }

    /** Whether the module at column {@code x}, row {@code y} (0-based, top left) is dark. */
    public boolean module(int x, int y) {
        if (x < 0 || y < 0 || x >= size || y >= size) {
            throw new IndexOutOfBoundsException("module (" + x + ", " + y + ") outside a " + size + "x" + size + " code");
        }
        return modules[y * size + x] != 0;
    }

    /**
     * Draws the code as a 1-bit bitmap: {@code scale} pixels (printer dots) per module,
     * 1..{@link #MAX_SCALE}, and a white border of {@code quietZone} modules,
     * 0..{@link #MAX_QUIET_ZONE} (the standard asks for 4). A 58 mm receipt printer is 384
     * dots wide, an 80 mm one 576: pick the largest scale that fits.
     */
    public Bitmap toBitmap(int scale, int quietZone) {
        return nBitmap(size, modules, scale, quietZone);
    }

    private native Bitmap nBitmap(int size, byte[] modules, int scale, int quietZone);

    private static native QrCode nEncode(byte[] text);
}

package cashfree.rpd;

/**
 * A 1-bit image ({@link QrCode#toBitmap}): rows top first, most significant bit first =
 * leftmost pixel, 1 = black, {@link #stride()} bytes per row. The rows as they are make a
 * PBM P4 file ({@link #pbm()}) or an ESC/POS "GS v 0" raster image ({@link #escPos()}).
 */
public final class Bitmap {
    private final int width;
    private final int height;
    private final int stride;
    private final byte[] bits;

    Bitmap(int width, int height, int stride, byte[] bits) {
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.bits = bits;
    }

    /** Pixels. */
    public int width() {
        return width;
    }

    /** Pixels (equal to the width). */
    public int height() {
        return height;
    }

    /** Bytes per row: {@code (width + 7) / 8}. */
    public int stride() {
        return stride;
    }

    /** The rows (a copy): {@code height * stride} bytes. */
    public byte[] bits() {
        return bits.clone();
    }

    /** Whether the pixel at column {@code x}, row {@code y} is black. */
    public boolean pixel(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") outside " + width + "x" + height);
        }
        return (bits[y * stride + x / 8] & (0x80 >>> (x % 8))) != 0;
    }

    /** A PBM P4 file: {@code P4\n<width> <height>\n} then the rows. */
    public byte[] pbm() {
        byte[] head = ("P4\n" + width + " " + height + "\n").getBytes(Native.UTF_8);
        byte[] out = new byte[head.length + bits.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bits, 0, out, head.length, bits.length);
        return out;
    }

    /**
     * An ESC/POS "GS v 0" raster image command ({@code 1D 76 30 00 xL xH yL yH}, x = stride,
     * y = height, then the rows), ready to send to a receipt printer.
     */
    public byte[] escPos() {
        byte[] out = new byte[8 + bits.length];
        out[0] = 0x1D;
        out[1] = 0x76;
        out[2] = 0x30;
        out[3] = 0x00;
        out[4] = (byte) (stride & 0xFF);
        out[5] = (byte) ((stride >>> 8) & 0xFF);
        out[6] = (byte) (height & 0xFF);
        out[7] = (byte) ((height >>> 8) & 0xFF);
        System.arraycopy(bits, 0, out, 8, bits.length);
        return out;
    }
}

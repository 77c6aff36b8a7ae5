package cashfree.rpd;

import java.nio.charset.Charset;

/**
 * Loads the JNI library once and holds what the other classes share: the static native
 * functions (those that act on no object) and the UTF-8 conversions. Strings cross JNI as
 * UTF-8 {@code byte[]}: JNI's own "modified UTF-8" ({@code NewStringUTF}) mangles
 * characters beyond U+FFFF.
 */
final class Native {
    /** Property naming the JNI library's absolute path; else {@code System.loadLibrary}. */
    static final String LIBRARY_PROPERTY = "cashfree.rpd.library";
    /** The JNI library's name for {@code System.loadLibrary}: {@code libcashfree_rpd_jni.so}. */
    static final String LIBRARY_NAME = "cashfree_rpd_jni";
    /**
     * The {@code CFRPD_VERSION_NUMBER} of the header this jar was written for (checked
     * against {@code include/cashfree_rpd.h} by the project's tests, and against the loaded
     * library's {@code cfrpd_version_number()} at load).
     */
    static final int BUILT_FOR_VERSION_NUMBER = 100;

    static final Charset UTF_8 = Charset.forName("UTF-8");

    static {
        String path = System.getProperty(LIBRARY_PROPERTY);
        if (path != null && path.length() > 0) {
            System.load(path);
        } else {
            System.loadLibrary(LIBRARY_NAME);
        }
        nInit();
        int found = nVersionNumber();
        if (found != BUILT_FOR_VERSION_NUMBER) {
            throw new UnsatisfiedLinkError("cashfree-rpd: the native library "
                    + (path != null && path.length() > 0 ? path : "lib" + LIBRARY_NAME + ".so")
                    + " is version " + found / 10000 + "." + found / 100 % 100 + "." + found % 100
                    + " (cfrpd_version_number() = " + found + "); this jar was built for "
                    + BUILT_FOR_VERSION_NUMBER + ": use the library from the same build as the jar");
        }
    }

    private Native() {
    }

    /** Runs the static initializer (loads the library) if it has not run. */
    static void ensureLoaded() {
    }

    // Name kinds for nName: which cfrpd_*_name function.
    static final int NAME_RESULT = 0;
    static final int NAME_STATE = 1;
    static final int NAME_JOURNAL_STATE = 2;
    static final int NAME_MATCH = 3;
    static final int NAME_REVERSAL = 4;
    static final int NAME_ENVIRONMENT = 5;
    static final int NAME_LOG_LEVEL = 6;

    private static native void nInit();

    static native int nVersionNumber();

    static native byte[] nVersion();

    /** The static name the C library gives {@code value} of the kind ({@code NAME_*}). */
    static native byte[] nName(int kind, int value);

    /**
     * Bytes of small blocks the C allocator has handed out and not taken back (glibc
     * {@code mallinfo2().uordblks}, all arenas, blocks from mmap not counted); -1 where the C
     * library cannot tell. For leak tests.
     */
    static native long nNativeHeapBytes();

    /** Log listener contexts not yet freed (for tests). */
    static native long nLiveLogContexts();

    /**
     * UTF-8 of {@code s} for a C string: {@code null} stays {@code null}; an unpaired
     * surrogate (not encodable) or a NUL character (would cut the C string short) is an
     * {@link ResultCode#INVALID_ARGUMENT}, as invalid UTF-8 is in C.
     */
    static byte[] utf8(String s, String what) {
        if (s == null) {
            return null;
        }
        // String.getBytes replaces an unpaired surrogate with '?': refuse those first.
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                throw new RpdException(ResultCode.INVALID_ARGUMENT, what + " contains a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new RpdException(ResultCode.INVALID_ARGUMENT,
                        what + " is not valid Unicode (an unpaired surrogate at index " + i + ")");
            }
        }
        return s.getBytes(UTF_8);
    }

    /** A C string's bytes as a Java string; {@code null} stays {@code null}. */
    static String str(byte[] b) {
        return b == null ? null : new String(b, UTF_8);
    }

    /** {@code v} as a C {@code uint32_t}, or {@link ResultCode#INVALID_ARGUMENT}. */
    static int u32(long v, String what) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT,
                    what + " must be between 0 and 4294967295, not " + v);
        }
        return (int) v;
    }
}

package cashfree.rpd;

import java.io.Closeable;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Enumeration;

/**
 * Settings for a {@link Client} (a native {@code cfrpd_config}). Each setter returns
 * {@code this} and throws {@link RpdException} for input the C library refuses (the message
 * says why). A client copies what it needs: the config may be closed or changed once the
 * client exists. Methods are synchronized (the C config must not be changed from two
 * threads at once). {@link #close()} frees the native config at once; a config never closed
 * is freed after it is garbage-collected.
 */
public final class Config implements Closeable {
    /** Most re-tries {@link #setMaxRetries} accepts ({@code CFRPD_MAX_RETRIES_LIMIT}). */
    public static final int MAX_RETRIES_LIMIT = 10;
    /** Idle connections kept unless set otherwise ({@code CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS}). */
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS = 4;
    /** Most idle connections {@link #setMaxIdleConnections} accepts ({@code CFRPD_MAX_IDLE_CONNECTIONS_LIMIT}). */
    public static final int MAX_IDLE_CONNECTIONS_LIMIT = 1024;
    /** Connect timeout unless set otherwise, ms ({@code CFRPD_DEFAULT_CONNECT_TIMEOUT_MS}). */
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10000;
    /** Per-attempt request timeout unless set otherwise, ms ({@code CFRPD_DEFAULT_REQUEST_TIMEOUT_MS}). */
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 30000;
    /** Re-tries after the first attempt unless set otherwise ({@code CFRPD_DEFAULT_MAX_RETRIES}). */
    public static final int DEFAULT_MAX_RETRIES = 2;
    /** How long one call may take in all unless set otherwise, ms ({@code CFRPD_DEFAULT_CALL_DEADLINE_MS}). */
    public static final int DEFAULT_CALL_DEADLINE_MS = 60000;
    /** Time between a wait's polls unless given, ms ({@code CFRPD_DEFAULT_POLL_INTERVAL_MS}). */
    public static final int DEFAULT_POLL_INTERVAL_MS = 3000;

    static {
        Native.ensureLoaded();
    }

    // Setter numbers of nSetString / nSetInts (the JNI glue switches on them).
    static final int SET_BASE_URL = 1;
    static final int SET_PUBLIC_KEY_PEM = 2;
    static final int ADD_ROOT_CA_PEM = 3;
    static final int SET_PROXY = 4;
    static final int SET_JOURNAL_PATH = 5;
    static final int SET_TIMEOUTS_MS = 11;
    static final int SET_MAX_RETRIES = 12;
    static final int SET_CALL_DEADLINE_MS = 13;
    static final int SET_MAX_IDLE_CONNECTIONS = 14;
    static final int SET_ENVIRONMENT = 15;

    private final NativeRef ref;

    /**
     * A configuration with these credentials (sandbox unless {@link #setEnvironment} or
     * {@link #setBaseUrl} says otherwise).
     *
     * @throws RpdException {@link ResultCode#INVALID_ARGUMENT} for a null or empty credential or
     *     one with control characters
     */
    public Config(String clientId, String clientSecret) {
        this(nNew(Native.utf8(clientId, "client id"), Native.utf8(clientSecret, "client secret")));
    }

    private Config(long pointer) {
        ref = new NativeRef(this, NativeRef.CONFIG, pointer, 0);
    }

    /**
     * A configuration from the environment: {@code CASHFREE_CLIENT_ID} and
     * {@code CASHFREE_CLIENT_SECRET} (required), {@code CASHFREE_ENV} (sandbox|production),
     * {@code CASHFREE_BASE_URL}, {@code CASHFREE_PUBLIC_KEY}. The message of a failure names the
     * variable that is wrong.
     */
    public static Config fromEnv() {
        return new Config(nFromEnv());
    }

    /** Sends requests to this base URL ({@code http://} only for loopback), e.g. the emulator's. */
    public synchronized Config setBaseUrl(String url) {
        nSetString(pointer(), SET_BASE_URL, Native.utf8(url, "base URL"));
        return this;
    }

    /** Chooses sandbox or production; a base URL set with {@link #setBaseUrl} wins. */
    public synchronized Config setEnvironment(Environment env) {
        if (env == null) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "environment is null");
        }
        nSetInts(pointer(), SET_ENVIRONMENT, env.value(), 0);
        return this;
    }

    /** Per-attempt timeouts in milliseconds; 0 means the default (connect 10 s, request 30 s). */
    public synchronized Config setTimeoutsMs(long connectMs, long requestMs) {
        nSetInts(pointer(), SET_TIMEOUTS_MS, Native.u32(connectMs, "connect timeout"),
                Native.u32(requestMs, "request timeout"));
        return this;
    }

    /** How many re-tries after the first attempt (default 2, at most {@link #MAX_RETRIES_LIMIT}). */
    public synchronized Config setMaxRetries(int n) {
        nSetInts(pointer(), SET_MAX_RETRIES, Native.u32(n, "max retries"), 0);
        return this;
    }

    /** Bounds one whole call in milliseconds, retries included (0 = the default, 60 s). */
    public synchronized Config setCallDeadlineMs(long ms) {
        nSetInts(pointer(), SET_CALL_DEADLINE_MS, Native.u32(ms, "call deadline"), 0);
        return this;
    }

    /** Idle connections kept for reuse (default 4, at most {@link #MAX_IDLE_CONNECTIONS_LIMIT}). */
    public synchronized Config setMaxIdleConnections(int n) {
        nSetInts(pointer(), SET_MAX_IDLE_CONNECTIONS, Native.u32(n, "max idle connections"), 0);
        return this;
    }

    /** Turns on x-cf-signature with this RSA public key PEM; an unusable key is {@link ResultCode#SIGNATURE}. */
    public synchronized Config setPublicKeyPem(String pem) {
        nSetString(pointer(), SET_PUBLIC_KEY_PEM, Native.utf8(pem, "public key PEM"));
        return this;
    }

    /** Adds root certificates (PEM) to the bundled Mozilla roots; repeated calls add more. */
    public synchronized Config addRootCaPem(String pem) {
        nSetString(pointer(), ADD_ROOT_CA_PEM, Native.utf8(pem, "root CA PEM"));
        return this;
    }

    /**
     * Adds every certificate entry of {@code store} as a root, on top of the bundled Mozilla
     * roots. On Android, the system and user CA store (where MDM software puts a managed
     * terminal's corporate roots):
     * <pre>
     * KeyStore store = KeyStore.getInstance("AndroidCAStore");
     * store.load(null);
     * config.addRootCas(store);
     * </pre>
     *
     * @throws RpdException {@link ResultCode#INVALID_ARGUMENT} when the store cannot be read
     *     (not loaded) or holds no usable certificate
     */
    public synchronized Config addRootCas(KeyStore store) {
        if (store == null) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "key store is null");
        }
        StringBuilder pem = new StringBuilder();
        try {
            Enumeration<String> aliases = store.aliases();
            while (aliases.hasMoreElements()) {
                String alias = aliases.nextElement();
                if (!store.isCertificateEntry(alias)) {
                    continue;
                }
                Certificate cert = store.getCertificate(alias);
                if (cert != null) {
                    pem.append("-----BEGIN CERTIFICATE-----\n")
                            .append(base64Lines(cert.getEncoded()))
                            .append("-----END CERTIFICATE-----\n");
                }
            }
        } catch (GeneralSecurityException e) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "the key store cannot be read: " + e);
        }
        if (pem.length() == 0) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "the key store holds no certificate entry");
        }
        return addRootCaPem(pem.toString());
    }

    private static final char[] B64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    /** Standard base64 in lines of 64 characters (java.util.Base64 is Android API 26+). */
    static String base64Lines(byte[] b) {
        StringBuilder out = new StringBuilder(b.length * 4 / 3 + b.length / 48 + 8);
        int col = 0;
        for (int i = 0; i < b.length; i += 3) {
            int n = (b[i] & 0xFF) << 16;
            if (i + 1 < b.length) {
                n |= (b[i + 1] & 0xFF) << 8;
            }
            if (i + 2 < b.length) {
                n |= b[i + 2] & 0xFF;
            }
            out.append(B64[n >>> 18 & 63]).append(B64[n >>> 12 & 63]);
            out.append(i + 1 < b.length ? B64[n >>> 6 & 63] : '=');
            out.append(i + 2 < b.length ? B64[n & 63] : '=');
            col += 4;
            if (col == 64) {
                out.append('\n');
                col = 0;
            }
        }
        if (col != 0) {
            out.append('\n');
        }
        return out.toString();
    }

    /** An {@code http://} or {@code https://} proxy URL; {@code ""} clears it. */
    public synchronized Config setProxy(String url) {
        nSetString(pointer(), SET_PROXY, Native.utf8(url, "proxy URL"));
        return this;
    }

    /**
     * Records every create of clients made from this config in the journal file at
     * {@code path} ({@code null} or {@code ""}: no journal), so that an app killed mid-create
     * resumes that request instead of paying for a new one. Checked by {@code new Client}.
     */
    public synchronized Config setJournalPath(String path) {
        nSetString(pointer(), SET_JOURNAL_PATH, Native.utf8(path, "journal path"));
        return this;
    }

    /**
     * Sends the library's diagnostics records up to {@code maxLevel} to {@code listener}
     * ({@code null}: none), for clients made from this config afterwards. The listener stays
     * in use as long as any of those clients, whatever happens to this config.
     */
    public synchronized Config setLogListener(LogLevel maxLevel, LogListener listener) {
        if (listener != null && maxLevel == null) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "log level is null");
        }
        long ctx = nSetLog(pointer(), listener == null ? 0 : maxLevel.value(), listener);
        long old = ref.swapLogContext(ctx);
        if (old != 0) {
            nLogRelease(old);
        }
        return this;
    }

    /** Frees the native config; closing twice is fine; using a closed config throws IllegalStateException. */
    @Override
    public synchronized void close() {
        ref.free();
    }

    /**
     * Makes the native client (called by {@link Client}, under this config's lock): its
     * pointer, and a new reference to the log context it uses (0: none).
     */
    synchronized long[] newClient() {
        long client = nNewClient(pointer());
        long ctx = ref.logContext();
        if (ctx != 0) {
            nLogRetain(ctx);
        }
        return new long[] {client, ctx};
    }

    /** Called by the JNI glue for every record; whatever the listener throws is dropped. */
    @SuppressWarnings("unused")
    private static void dispatchLog(LogListener listener, int level, byte[] message) {
        try {
            listener.onLog(LogLevel.of(level), Native.str(message));
        } catch (Throwable e) {
            // Dropped on purpose (LogListener says why).
        }
    }

    private long pointer() {
        long p = ref.pointer();
        if (p == 0) {
            throw new IllegalStateException("cashfree-rpd: this Config is closed");
        }
        return p;
    }

    private static native long nNew(byte[] clientId, byte[] clientSecret);

    private static native long nFromEnv();

    private native void nSetString(long pointer, int which, byte[] value);

    private native void nSetInts(long pointer, int which, int a, int b);

    private native long nNewClient(long pointer);

    private native long nSetLog(long pointer, int maxLevel, LogListener listener);

    static native void nLogRetain(long logContext);

    static native void nLogRelease(long logContext);

    static native void nFree(long pointer);
}

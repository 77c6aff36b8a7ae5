package cashfree.rpd;

/**
 * Receives the library's diagnostics records ({@link Config#setLogListener}): on the thread
 * making the call, while the call runs (keep it short: e.g. hand the line to
 * {@code android.util.Log} or a logger). Records never contain the client secret or the proxy
 * password, and no body at INFO or above. An exception thrown here is dropped: rethrowing it
 * after a create that was paid for would invite a second create.
 */
public interface LogListener {
    void onLog(LogLevel level, String message);
}

package cashfree.rpd;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A client of the Reverse Penny Drop API (a native {@code cfrpd_client}). Share one client
 * between threads: it reuses connections. Calls block the calling thread (run them off
 * Android's main thread).
 *
 * <p>{@link #close()} frees the native client once no call is in flight: it waits for calls
 * in flight (a {@link #waitForResult} in flight ends with {@link ResultCode#CANCELLED} at
 * its next poll), and is a no-op when called again. A call on a closed client throws
 * {@link IllegalStateException}. A client never closed is freed after it is
 * garbage-collected.
 */
public final class Client implements Closeable {
    /** Longest verification id accepted (characters of [A-Za-z0-9._-]), {@code CFRPD_MAX_VERIFICATION_ID_LEN}. */
    public static final int MAX_VERIFICATION_ID_LEN = 50;

    static {
        Native.ensureLoaded();
    }

    private final NativeRef ref;
    private final Object lock = new Object();
    /** Threads in a call, once per call in flight (a listener may call again: nesting). */
    private final List<Thread> callers = new ArrayList<Thread>();
    private volatile boolean closed;

    /**
     * A client for {@code config}: opens and locks its journal when it has one.
     *
     * @throws RpdException e.g. {@link ResultCode#JOURNAL} when the journal cannot be used,
     *     {@link ResultCode#TLS} when the root certificates cannot be loaded
     */
    public Client(Config config) {
        if (config == null) {
            throw new RpdException(ResultCode.INVALID_ARGUMENT, "config is null");
        }
        long[] made = config.newClient();
        ref = new NativeRef(this, NativeRef.CLIENT, made[0], made[1]);
    }

    /**
     * Creates a verification request; show its {@link Request#upiLink()} as a QR code
     * ({@link QrCode#encode}) for the account holder to pay 1 rupee.
     *
     * @throws RpdException {@link ResultCode#DUPLICATE_ID} for an id already used (HTTP 400 from
     *     Cashfree, or HTTP 0 when this client's journal refuses it); when
     *     {@link RpdException#ambiguous()} the create may have reached Cashfree: look the id up
     *     before creating again
     */
    public Request create(String verificationId, String name) {
        byte[] id = Native.utf8(verificationId, "verification id");
        byte[] n = Native.utf8(name, "name");
        long p = enter();
        try {
            return nCreate(p, id, n);
        } finally {
            leave();
        }
    }

    /** The current status of a request by the merchant's verification id. */
    public Status getStatus(String verificationId) {
        byte[] id = Native.utf8(verificationId, "verification id");
        long p = enter();
        try {
            return nGetStatus(p, id);
        } finally {
            leave();
        }
    }

    /** The current status of a request by Cashfree's ref id (> 0). */
    public Status getStatusByRefId(long refId) {
        long p = enter();
        try {
            return nGetStatusByRefId(p, refId);
        } finally {
            leave();
        }
    }

    /**
     * Polls every 3 s until the state is final; see
     * {@link #waitForResult(String, long, long, PollListener)}.
     */
    public Status waitForResult(String verificationId, long timeoutMs, PollListener listener) {
        return waitForResult(verificationId, timeoutMs, 0, listener);
    }

    /**
     * Polls until the state is final (SUCCESS, FAILURE, EXPIRED), at most {@code timeoutMs}.
     *
     * @param pollIntervalMs pause between polls; 0 = 3000; below 500 is raised to 500
     * @param listener called after every successful poll (may be {@code null}); see
     *     {@link PollListener}
     * @throws RpdException {@link ResultCode#DEADLINE} (time ran out) or
     *     {@link ResultCode#CANCELLED} (the listener returned false, the client was closed, or
     *     the waiting thread was interrupted: checked at each poll, the flag left set)
     *     with the last status seen in {@link RpdException#lastStatus()}; other codes as
     *     {@link #getStatus}
     */
    public Status waitForResult(String verificationId, long timeoutMs, long pollIntervalMs,
            PollListener listener) {
        byte[] id = Native.utf8(verificationId, "verification id");
        int timeout = Native.u32(timeoutMs, "timeout");
        int interval = Native.u32(pollIntervalMs, "poll interval");
        long p = enter();
        try {
            return nWaitForResult(p, id, timeout, interval, listener);
        } finally {
            leave();
        }
    }

    /**
     * The open entries of this client's create journal, oldest first: show each CREATED
     * entry's request again and wait; settle each SENDING one with {@link #journalResolve}.
     *
     * @throws RpdException {@link ResultCode#JOURNAL} when the client has no journal
     */
    public List<JournalEntry> journalPending() {
        long p = enter();
        try {
            return Collections.unmodifiableList(Arrays.asList(nJournalPending(p)));
        } finally {
            leave();
        }
    }

    /**
     * Settles an entry of the create journal with one status lookup: a final status closes
     * it; {@link ResultCode#NOT_FOUND} closes it too (the create never happened: creating again
     * with the same id is safe).
     */
    public Status journalResolve(String verificationId) {
        byte[] id = Native.utf8(verificationId, "verification id");
        long p = enter();
        try {
            return nJournalResolve(p, id);
        } finally {
            leave();
        }
    }

    /** The rate-limit window of the last answer that carried one (fields -1 when unknown). */
    public RateLimit rateLimit() {
        long p = enter();
        try {
            long[] v = nRateLimit(p);
            return new RateLimit(v[0], v[1], v[2]);
        } finally {
            leave();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the native client: at once when no call is in flight, else when the last one
     * returns (this waits for them, unless called from inside a call of this client, e.g. a
     * {@link PollListener}). Waits in flight end with {@link ResultCode#CANCELLED} at their
     * next poll. Closing twice is fine.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        synchronized (lock) {
            closed = true;
            if (callers.contains(Thread.currentThread())) {
                return; // freed by leave() when the last call returns
            }
            while (!callers.isEmpty()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        ref.free();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private long enter() {
        synchronized (lock) {
            long p = ref.pointer();
            if (closed || p == 0) {
                throw new IllegalStateException("cashfree-rpd: this Client is closed");
            }
            callers.add(Thread.currentThread());
            return p;
        }
    }

    private void leave() {
        boolean free;
        synchronized (lock) {
            callers.remove(Thread.currentThread());
            free = closed && callers.isEmpty();
            if (callers.isEmpty()) {
                lock.notifyAll();
            }
        }
        if (free) {
            ref.free();
        }
    }

    /** Called by the JNI glue after every successful poll of a wait. */
    @SuppressWarnings("unused")
    private boolean dispatchPoll(PollListener listener, Status latest) {
        if (closed || Thread.currentThread().isInterrupted()) {
            return false; // the interrupt flag stays set for the caller to see
        }
        return listener == null || listener.onPoll(latest);
    }

    private native Request nCreate(long pointer, byte[] verificationId, byte[] name);

    private native Status nGetStatus(long pointer, byte[] verificationId);

    private native Status nGetStatusByRefId(long pointer, long refId);

    private native Status nWaitForResult(long pointer, byte[] verificationId, int timeoutMs,
            int pollIntervalMs, PollListener listener);

    private native JournalEntry[] nJournalPending(long pointer);

    private native Status nJournalResolve(long pointer, byte[] verificationId);

    private native long[] nRateLimit(long pointer);

    static native void nFree(long pointer);
}

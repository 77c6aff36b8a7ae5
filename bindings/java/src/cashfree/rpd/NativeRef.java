package cashfree.rpd;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The safety net for native objects whose owner was never closed: a phantom reference to
 * the owner holding the native pointer (never the owner). {@code close()} calls
 * {@link #free()}; when the owner becomes phantom reachable without it, a daemon thread
 * ("cashfree-rpd-cleaner") frees the pointer. {@code java.lang.ref.Cleaner} would do the
 * same but is Java 9+ and Android API 33+; {@code finalize} is deprecated and unreliable.
 */
final class NativeRef extends PhantomReference<Object> {
    static final int CONFIG = 1;
    static final int CLIENT = 2;

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<Object>();
    /** Keeps every reference itself reachable until its pointer is freed. */
    private static final Set<NativeRef> LIVE = Collections.synchronizedSet(new HashSet<NativeRef>());
    /** Native objects freed by the safety net (not by close()): for tests and diagnostics. */
    static final AtomicLong FREED_BY_GC = new AtomicLong();
    private static Thread cleaner;

    private final int kind;
    private long pointer;
    /** A reference to a log listener's native context (0: none), released after the object. */
    private long logContext;

    NativeRef(Object owner, int kind, long pointer, long logContext) {
        super(owner, QUEUE);
        this.kind = kind;
        this.pointer = pointer;
        this.logContext = logContext;
        LIVE.add(this);
        startCleaner();
    }

    /** The pointer, 0 once freed. */
    synchronized long pointer() {
        return pointer;
    }

    /** The log context this object holds a reference to (0: none). */
    synchronized long logContext() {
        return logContext;
    }

    /** Holds {@code ctx} (a reference already taken) instead; returns the one held before. */
    synchronized long swapLogContext(long ctx) {
        long old = logContext;
        logContext = ctx;
        return old;
    }

    /**
     * Frees the native object once, then drops its reference to a log context (a client may
     * log while it is freed, so the context goes after it); later calls do nothing.
     */
    void free() {
        long p;
        long ctx;
        synchronized (this) {
            p = pointer;
            ctx = logContext;
            pointer = 0;
            logContext = 0;
        }
        LIVE.remove(this);
        clear();
        if (p != 0) {
            if (kind == CONFIG) {
                Config.nFree(p);
            } else {
                Client.nFree(p);
            }
        }
        if (ctx != 0) {
            Config.nLogRelease(ctx);
        }
    }

    private static synchronized void startCleaner() {
        if (cleaner != null) {
            return;
        }
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                while (true) {
                    try {
                        NativeRef r = (NativeRef) QUEUE.remove();
                        if (r.pointer() != 0) {
                            FREED_BY_GC.incrementAndGet();
                        }
                        r.free();
                    } catch (InterruptedException e) {
                        // A daemon thread: keep serving the queue.
                    } catch (Throwable e) {
                        // Never let one failure stop the safety net.
                    }
                }
            }
        }, "cashfree-rpd-cleaner");
        t.setDaemon(true);
        t.start();
        cleaner = t;
    }
}

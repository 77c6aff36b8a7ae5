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

    NativeRef(Object owner, int kind, long pointer) {
        super(owner, QUEUE);
        this.kind = kind;
        this.pointer = pointer;
        LIVE.add(this);
        startCleaner();
    }

    /** The pointer, 0 once freed. */
    synchronized long pointer() {
        return pointer;
    }

    /** Frees the native object once; later calls do nothing. */
    void free() {
        long p;
        synchronized (this) {
            p = pointer;
            pointer = 0;
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

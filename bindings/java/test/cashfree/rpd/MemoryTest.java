package cashfree.rpd;

import java.io.BufferedReader;
import java.io.FileReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Native memory over many calls, the PhantomReference safety net, CPU per call. */
public final class MemoryTest {
    private MemoryTest() {
    }

    /** VmRSS of this process in KiB from /proc/self/status (-1 where there is none). */
    static long rssKiB() {
        try {
            BufferedReader r = new BufferedReader(new FileReader("/proc/self/status"));
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } finally {
                r.close();
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /**
     * Native memory stays flat over 10,000 calls. Measured as the C allocator's bytes in use
     * (glibc mallinfo2: uordblks + hblkhd, through Native.nNativeHeapBytes), which the Java
     * heap does not touch but the JVM's own native allocations do: C2's compiler arenas move
     * it by about 2 MB between rounds, so tests/it/java.rs runs this test in a JVM of its own
     * with C1 only ({@code -XX:TieredStopAtLevel=1}), where it stays within a few KiB. After a
     * warm-up of 10,000 calls, a round of 10,000 calls passes when the C heap moved by less
     * than 256 KiB; up to three rounds, so that one round where the JVM grabbed or dropped
     * memory does not decide. A leak of one status per call is about 10 MB per round, of 100
     * bytes per call 1 MB, in every round. RSS is printed beside it, for information.
     */
    public static void testNativeMemoryFlatOver10000Calls() throws Exception {
        final Client cl = T.client();
        try {
            final String id = T.id("leak");
            final long ref = cl.create(id, "John Doe").refId();
            final String missing = T.id("missing");
            // Warm-up: connection pool, HTTP buffers, JIT, lazy statics.
            for (int i = 0; i < 10000; i++) {
                calls(cl, id, ref, missing, i);
            }
            StringBuilder rounds = new StringBuilder();
            boolean flat = false;
            for (int round = 0; round < 3 && !flat; round++) {
                System.gc();
                long heap0 = Native.nNativeHeapBytes();
                long rss0 = rssKiB();
                T.check(heap0 > 0, "mallinfo2 works here (glibc): " + heap0);
                for (int i = 0; i < 10000; i++) {
                    calls(cl, id, ref, missing, i);
                }
                System.gc();
                long heap1 = Native.nNativeHeapBytes();
                long rss1 = rssKiB();
                String line = "leak check: 10000 calls (status, status by ref id, NOT_FOUND errors, QR"
                        + " codes and bitmaps): C heap in use " + heap0 + " -> " + heap1 + " bytes ("
                        + (heap1 - heap0) + "), VmRSS " + rss0 + " -> " + rss1 + " KiB";
                System.out.println(line);
                rounds.append(line).append('\n');
                flat = Math.abs(heap1 - heap0) < 256 * 1024;
            }
            T.check(flat, "the C heap moved by 256 KiB or more in every round:\n" + rounds);
        } finally {
            cl.close();
        }
    }

    private static void calls(Client cl, String id, long ref, String missing, int i) {
        switch (i % 4) {
            case 0:
                cl.getStatus(id);
                break;
            case 1:
                try {
                    cl.getStatus(missing);
                    throw new AssertionError("found " + missing);
                } catch (RpdException e) {
                    if (e.code() != ResultCode.NOT_FOUND) {
                        throw e;
                    }
                }
                break;
            case 2:
                QrCode.encode("upi://pay?pa=x@upi&tr=" + i).toBitmap(2, 4);
                break;
            default:
                cl.getStatusByRefId(ref);
                break;
        }
    }

    private static void abandon(int n) {
        for (int i = 0; i < n; i++) {
            Config c = T.config();
            new Client(c).getClass(); // neither is closed
        }
    }

    public static void testUnclosedObjectsAreFreedAfterGc() throws Exception {
        long before = NativeRef.FREED_BY_GC.get();
        abandon(50);
        long deadline = System.currentTimeMillis() + 20000;
        while (NativeRef.FREED_BY_GC.get() - before < 100 && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        T.check(NativeRef.FREED_BY_GC.get() - before >= 100,
                "freed by the safety net: " + (NativeRef.FREED_BY_GC.get() - before) + " of 100");
    }

    /** Client CPU per status call through Java (tests/it/java.rs compares it with C's). */
    public static void testCpuPerStatusCall() throws Exception {
        Client cl = T.client();
        try {
            String id = T.id("bench");
            cl.create(id, "John Doe");
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 2000; i++) {
                cl.getStatus(id);
            }
            int n = 5000;
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                cl.getStatus(id);
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - t0;
            System.out.println("bench: java status calls=" + n + " cpu_us_per_call="
                    + String.format("%.2f", cpu / 1000.0 / n) + " wall_us_per_call="
                    + String.format("%.2f", wall / 1000.0 / n));
        } finally {
            cl.close();
        }
    }
}

package cashfree.rpd;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A test runner with no dependency (JUnit is not on this machine, and Maven Central is not
 * reachable): runs every public static no-argument {@code test*} method of the classes named
 * on the command line (all test classes by default), in name order, and prints one line per
 * test and "N passed, M failed" last. {@code -Dcfrpd.test.filter=substring} runs only the
 * tests whose "Class.method" contains it, {@code -Dcfrpd.test.skip=a,b} skips those that
 * contain any of these. Exit status 1 when any failed.
 */
public final class TestMain {
    static final String[] ALL = {
        "cashfree.rpd.SurfaceTest", "cashfree.rpd.FlowTest", "cashfree.rpd.ErrorTest",
        "cashfree.rpd.JournalTest", "cashfree.rpd.ConcurrencyTest", "cashfree.rpd.LogTest",
        "cashfree.rpd.MemoryTest",
    };

    public static void main(String[] args) throws Exception {
        String filter = System.getProperty("cfrpd.test.filter", "");
        String skip = System.getProperty("cfrpd.test.skip", "");
        int passed = 0;
        int failed = 0;
        for (String name : args.length > 0 ? args : ALL) {
            Class<?> cls = Class.forName(name);
            List<Method> tests = new ArrayList<Method>();
            for (Method m : cls.getDeclaredMethods()) {
                if (m.getName().startsWith("test") && Modifier.isStatic(m.getModifiers())
                        && Modifier.isPublic(m.getModifiers()) && m.getParameterTypes().length == 0) {
                    tests.add(m);
                }
            }
            Method[] sorted = tests.toArray(new Method[0]);
            Arrays.sort(sorted, new Comparator<Method>() {
                @Override
                public int compare(Method a, Method b) {
                    return a.getName().compareTo(b.getName());
                }
            });
            for (Method m : sorted) {
                String id = cls.getSimpleName() + "." + m.getName();
                if (!id.contains(filter) || (skip.length() > 0 && containsAny(id, skip.split(",")))) {
                    continue;
                }
                long t0 = System.nanoTime();
                try {
                    m.invoke(null);
                    passed++;
                    System.out.println("ok   " + id + " (" + (System.nanoTime() - t0) / 1000000 + " ms)");
                } catch (InvocationTargetException e) {
                    failed++;
                    System.out.println("FAIL " + id + ": " + e.getCause());
                    e.getCause().printStackTrace(System.out);
                }
                System.out.flush();
            }
        }
        StringBuilder codes = new StringBuilder();
        for (ResultCode c : ResultCode.values()) {
            if (T.SEEN.contains(c)) {
                codes.append(codes.length() > 0 ? " " : "").append(c.name());
            }
        }
        System.out.println("codes seen: " + codes);
        System.out.println(passed + " passed, " + failed + " failed");
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    private static boolean containsAny(String id, String[] parts) {
        for (String p : parts) {
            if (p.length() > 0 && id.contains(p)) {
                return true;
            }
        }
        return false;
    }
}

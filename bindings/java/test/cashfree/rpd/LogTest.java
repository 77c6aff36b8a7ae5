package cashfree.rpd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The log listener: records, levels, dropped exceptions, and its lifetime across close(). */
public final class LogTest {
    private LogTest() {
    }

    static final class Collect implements LogListener {
        final List<String> lines = Collections.synchronizedList(new ArrayList<String>());

        @Override
        public void onLog(LogLevel level, String message) {
            lines.add(level + " " + message);
        }
    }

    public static void testRecordsReachTheListenerWithoutTheSecret() throws Exception {
        Collect c = new Collect();
        Config cfg = T.config().setLogListener(LogLevel.DEBUG, c);
        Client cl = new Client(cfg);
        cfg.close(); // the client keeps the listener alive
        try {
            String id = T.id("log");
            cl.create(id, "John Doe");
            cl.getStatus(id);
            try {
                cl.getStatus(T.id("nolog"));
            } catch (RpdException e) {
                T.eq(ResultCode.NOT_FOUND, e.code(), "not found");
            }
        } finally {
            cl.close();
        }
        T.check(c.lines.size() >= 3, "records: " + c.lines);
        boolean info = false;
        for (String line : c.lines) {
            T.check(!line.contains(T.env("CASHFREE_CLIENT_SECRET")), "the secret in: " + line);
            info |= line.startsWith("INFO ");
        }
        T.check(info, "an INFO line per attempt: " + c.lines);
    }

    public static void testListenerExceptionsAreDroppedAndLevelsFilter() throws Exception {
        final int[] calls = new int[1];
        final List<LogLevel> levels = new ArrayList<LogLevel>();
        Config cfg = T.config().setLogListener(LogLevel.INFO, new LogListener() {
            public void onLog(LogLevel level, String message) {
                calls[0]++;
                levels.add(level);
                throw new IllegalStateException("a listener that throws");
            }
        });
        Client cl = new Client(cfg);
        try {
            String id = T.id("logthrow");
            T.eq(id, cl.create(id, "John Doe").verificationId(), "the create succeeds anyway");
            T.eq(State.CREATED, cl.getStatus(id).state(), "and the status call");
        } finally {
            cl.close();
            cfg.close();
        }
        T.check(calls[0] >= 2, "the listener was called: " + calls[0]);
        T.check(!levels.contains(LogLevel.DEBUG), "nothing above INFO: " + levels);
    }

    public static void testRemovingTheListenerAndFreeingContexts() throws Exception {
        long before = Native.nLiveLogContexts();
        Collect c = new Collect();
        Config cfg = T.config().setLogListener(LogLevel.DEBUG, c);
        Client with = new Client(cfg);
        cfg.setLogListener(LogLevel.DEBUG, null); // later clients log nothing
        Client without = new Client(cfg);
        cfg.close();
        T.eq(before + 1, Native.nLiveLogContexts(), "the first client still holds the listener");
        String id = T.id("lognone");
        without.create(id, "John Doe");
        T.eq(0, c.lines.size(), "no records from a client made after removal");
        with.getStatus(id);
        T.check(c.lines.size() > 0, "records from the client made before removal");
        with.close();
        without.close();
        T.eq(before, Native.nLiveLogContexts(), "freed with the last client");
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                T.config().setLogListener(null, new Collect());
            }
        });
    }
}

package cashfree.rpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.concurrent.atomic.AtomicInteger;

/** Assertions and the emulator's control endpoints for the tests. */
final class T {
    private static final AtomicInteger N = new AtomicInteger();
    /** Every code an RpdException was checked with (TestMain prints them last). */
    static final java.util.Set<ResultCode> SEEN =
            java.util.Collections.synchronizedSet(java.util.EnumSet.noneOf(ResultCode.class));

    private T() {
    }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.length() == 0) {
            throw new AssertionError("the test harness did not set " + name);
        }
        return v;
    }

    /** A verification id not used before in this run. */
    static String id(String tag) {
        return tag + "-" + env("CFRPD_TEST_RUN_ID") + "-" + N.incrementAndGet();
    }

    static String baseUrl() {
        return env("CASHFREE_BASE_URL");
    }

    /** A config for the emulator with fast timeouts. */
    static Config config() {
        return new Config(env("CASHFREE_CLIENT_ID"), env("CASHFREE_CLIENT_SECRET"))
                .setBaseUrl(baseUrl()).setTimeoutsMs(2000, 5000);
    }

    static Client client() {
        Config c = config();
        try {
            return new Client(c);
        } finally {
            c.close();
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void eq(Object want, Object got, String what) {
        if (want == null ? got != null : !want.equals(got)) {
            throw new AssertionError(what + ": want <" + want + ">, got <" + got + ">");
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body}, which must throw an RpdException with {@code code}; returns it. */
    static RpdException rpd(ResultCode code, Body body) throws Exception {
        try {
            body.run();
        } catch (RpdException e) {
            if (e.code() != code) {
                throw new AssertionError("want " + code + ", got " + e, e);
            }
            eq(code.value(), e.codeValue(), "codeValue");
            SEEN.add(code);
            check(e.getMessage() != null && e.getMessage().length() > 0, "a message: " + e);
            return e;
        }
        throw new AssertionError("want RpdException " + code + ", nothing was thrown");
    }

    /** Runs {@code body}, which must throw {@code type}. */
    static <X extends Throwable> X raises(Class<X> type, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable e) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
            throw new AssertionError("want " + type.getName() + ", got " + e, e);
        }
        throw new AssertionError("want " + type.getName() + ", nothing was thrown");
    }

    /** POSTs {@code json} to the emulator's control endpoint {@code /__emulator/<what>}. */
    static String control(String what, String json) throws IOException {
        String root = baseUrl().substring(0, baseUrl().lastIndexOf("/verification"));
        HttpURLConnection c = (HttpURLConnection) new URL(root + "/__emulator/" + what).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        OutputStream out = c.getOutputStream();
        out.write(json.getBytes("UTF-8"));
        out.close();
        int code = c.getResponseCode();
        InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while (in != null && (n = in.read(b)) > 0) {
            buf.write(b, 0, n);
        }
        String text = buf.toString("UTF-8");
        if (code != 200) {
            throw new AssertionError("/__emulator/" + what + " " + json + ": HTTP " + code + " " + text);
        }
        return text;
    }

    static void pay(String id) throws IOException {
        control("pay", "{\"verification_id\":\"" + id + "\"}");
    }

    /** Queues a fault: {@code json} is the fault object of emulator/README.md. */
    static void fault(String json) throws IOException {
        control("fault", json);
    }

    static void resetFaults() throws IOException {
        control("reset", "");
    }
}

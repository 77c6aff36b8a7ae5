package cashfree.rpd;

import java.util.Arrays;

/** Library loading, names against the C library, QR codes, bitmaps, webhooks, settings. */
public final class SurfaceTest {
    private SurfaceTest() {
    }

    public static void testVersionMatchesTheJar() {
        T.eq(Native.BUILT_FOR_VERSION_NUMBER, Library.versionNumber(), "cfrpd_version_number()");
        int v = Library.versionNumber();
        T.eq(v / 10000 + "." + v / 100 % 100 + "." + v % 100, Library.version(), "cfrpd_version()");
    }

    public static void testEnumNamesAgreeWithTheLibrary() {
        T.eq("", Library.checkNames(), "mismatches between the jar's enums and the C names");
    }

    public static void testQrBitmapPbmAndEscPos() {
        QrCode q = QrCode.encode("upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000");
        T.check(q.size() >= QrCode.MIN_SIZE && q.size() <= QrCode.MAX_SIZE && (q.size() - 17) % 4 == 0,
                "a QR size: " + q.size());
        // The three finder patterns: dark corners, light ring inside.
        T.check(q.module(0, 0) && q.module(q.size() - 1, 0) && q.module(0, q.size() - 1), "finder corners");
        T.check(!q.module(1, 1) && q.module(3, 3), "finder ring and core");
        Bitmap b = q.toBitmap(3, QrCode.STANDARD_QUIET_ZONE);
        int w = (q.size() + 2 * QrCode.STANDARD_QUIET_ZONE) * 3;
        T.eq(w, b.width(), "width");
        T.eq(w, b.height(), "height");
        T.eq((w + 7) / 8, b.stride(), "stride");
        T.check(!b.pixel(0, 0), "quiet zone is white");
        T.check(b.pixel(QrCode.STANDARD_QUIET_ZONE * 3, QrCode.STANDARD_QUIET_ZONE * 3), "first module black");
        byte[] pbm = b.pbm();
        byte[] head = ("P4\n" + w + " " + w + "\n").getBytes(Native.UTF_8);
        T.check(Arrays.equals(head, Arrays.copyOf(pbm, head.length)), "PBM header");
        T.eq(head.length + b.stride() * b.height(), pbm.length, "PBM length");
        byte[] esc = b.escPos();
        T.eq(0x1D, esc[0] & 0xFF, "GS");
        T.eq(0x76, esc[1] & 0xFF, "v");
        T.eq(0x30, esc[2] & 0xFF, "0");
        T.eq(b.stride(), (esc[4] & 0xFF) | (esc[5] & 0xFF) << 8, "xL xH");
        T.eq(b.height(), (esc[6] & 0xFF) | (esc[7] & 0xFF) << 8, "yL yH");
    }

    public static void testQrRefusals() throws Exception {
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                QrCode.encode("");
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                QrCode.encode(null);
            }
        });
        final QrCode q = QrCode.encode("x");
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                q.toBitmap(0, 4);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                q.toBitmap(QrCode.MAX_SCALE + 1, 4);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                q.toBitmap(1, QrCode.MAX_QUIET_ZONE + 1);
            }
        });
    }

    public static void testStringsBeyondTheBmpAndUnpairedSurrogates() throws Exception {
        // U+1F600 encodes and round-trips (NewStringUTF would have mangled it).
        QrCode.encode("pay \uD83D\uDE00");
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                QrCode.encode("lone \uD83D surrogate");
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                QrCode.encode("nul\0inside");
            }
        });
    }

    public static void testWebhookVerify() throws Exception {
        final String secret = T.env("CASHFREE_CLIENT_SECRET");
        final byte[] body = T.env("CFRPD_TEST_WEBHOOK_BODY").getBytes(Native.UTF_8);
        Webhook w = Webhooks.verify(secret, body, T.env("CFRPD_TEST_WEBHOOK_SIG"),
                T.env("CFRPD_TEST_WEBHOOK_TS"), 300);
        T.eq("RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS", w.eventType(), "event type");
        T.eq("v1", w.version(), "version");
        T.eq(State.SUCCESS, w.data().state(), "state");
        T.eq("JOHN DOE", w.data().nameAtBank(), "name at bank");
        T.eq("4242", w.data().refId(), "ref id as text");
        T.eq(NameMatch.DIRECT, w.data().nameMatch(), "name match");
        // Absent fields are null, never "".
        T.eq(null, w.data().reversalStatus(), "absent reversal_status");
        T.eq(null, w.data().pennyCollectedOn(), "absent penny_collected_on");
        T.eq(Reversal.UNKNOWN, w.data().reversal(), "absent reversal");
        RpdException e = T.rpd(ResultCode.WEBHOOK_SIGNATURE, new T.Body() {
            public void run() {
                Webhooks.verify(secret, body, "AAAA" + T.env("CFRPD_TEST_WEBHOOK_SIG"),
                        T.env("CFRPD_TEST_WEBHOOK_TS"), 300);
            }
        });
        T.eq(0, e.httpStatus(), "no HTTP status");
        T.rpd(ResultCode.WEBHOOK_SIGNATURE, new T.Body() {
            public void run() {
                Webhooks.verify(secret, body, T.env("CFRPD_TEST_WEBHOOK_OLD_SIG"),
                        T.env("CFRPD_TEST_WEBHOOK_OLD_TS"), 300);
            }
        });
        T.rpd(ResultCode.UNEXPECTED_RESPONSE, new T.Body() {
            public void run() {
                Webhooks.verify(secret, T.env("CFRPD_TEST_WEBHOOK_OTHER_BODY").getBytes(Native.UTF_8),
                        T.env("CFRPD_TEST_WEBHOOK_OTHER_SIG"), T.env("CFRPD_TEST_WEBHOOK_TS"), 300);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                Webhooks.verify(null, body, "x", "1", 0);
            }
        });
    }

    public static void testConfigRefusalsSayWhy() throws Exception {
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                new Config("", "secret");
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                new Config("id", null);
            }
        });
        final Config c = new Config("id", "secret");
        RpdException e = T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.setBaseUrl("http://example.com/verification");
            }
        });
        T.check(e.getMessage().toLowerCase().contains("http"), "the message says why: " + e.getMessage());
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.setMaxRetries(Config.MAX_RETRIES_LIMIT + 1);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.setMaxIdleConnections(Config.MAX_IDLE_CONNECTIONS_LIMIT + 1);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.setTimeoutsMs(-1, 0);
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.setProxy("ftp://proxy");
            }
        });
        T.rpd(ResultCode.SIGNATURE, new T.Body() {
            public void run() {
                c.setPublicKeyPem("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n");
            }
        });
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                c.addRootCaPem("no certificate here");
            }
        });
        // Good settings chain.
        T.check(c.setEnvironment(Environment.PRODUCTION).setMaxRetries(0).setCallDeadlineMs(10000)
                .setMaxIdleConnections(2).setProxy("") == c, "setters return this");
        c.close();
        c.close();
        T.raises(IllegalStateException.class, new T.Body() {
            public void run() {
                c.setMaxRetries(1);
            }
        });
    }

    public static void testBase64OfTheKeyStoreHelper() {
        String[][] vectors = {
            {"", ""}, {"f", "Zg==\n"}, {"fo", "Zm8=\n"}, {"foo", "Zm9v\n"}, {"foob", "Zm9vYg==\n"},
            {"fooba", "Zm9vYmE=\n"}, {"foobar", "Zm9vYmFy\n"},
        };
        for (String[] v : vectors) {
            T.eq(v[1], Config.base64Lines(v[0].getBytes(Native.UTF_8)), "base64 of " + v[0]);
        }
        byte[] big = new byte[100];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 37);
        }
        String lines = Config.base64Lines(big);
        T.eq(64, lines.indexOf('\n'), "64 characters per line");
        T.eq(136 + 3, lines.length(), "length with newlines");
    }

    public static void testConfigFromEnvUsesTheEnvironment() throws Exception {
        // The harness sets CASHFREE_CLIENT_ID, _SECRET and _BASE_URL to the emulator's.
        Config c = Config.fromEnv();
        Client cl = new Client(c);
        c.close();
        String id = T.id("env");
        T.eq(id, cl.create(id, "Env User").verificationId(), "created through fromEnv");
        cl.close();
    }
}

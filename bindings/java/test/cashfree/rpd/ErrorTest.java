package cashfree.rpd;

/** Every error path of the C library reaches Java as an RpdException with its code. */
public final class ErrorTest {
    private ErrorTest() {
    }

    private static Client client(Config c) {
        try {
            return new Client(c);
        } finally {
            c.close();
        }
    }

    public static void testInvalidArgumentsSendNothing() throws Exception {
        final Client cl = T.client();
        try {
            RpdException e = T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.create("not a valid id!", "John Doe");
                }
            });
            T.eq(0, e.httpStatus(), "no HTTP");
            T.eq(null, e.requestId(), "nothing sent");
            T.eq(null, e.lastStatus(), "no status");
            T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.create(T.id("blank"), "   ");
                }
            });
            T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.getStatus(null);
                }
            });
            T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.getStatusByRefId(0);
                }
            });
            T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.waitForResult(T.id("w"), 0, null);
                }
            });
            T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
                public void run() {
                    cl.waitForResult(T.id("w"), -5, null);
                }
            });
        } finally {
            cl.close();
        }
    }

    public static void testHttpErrors() throws Exception {
        final Client cl = client(T.config().setMaxRetries(0));
        try {
            final String id = T.id("dup");
            cl.create(id, "John Doe");
            RpdException dup = T.rpd(ResultCode.DUPLICATE_ID, new T.Body() {
                public void run() {
                    cl.create(id, "John Doe");
                }
            });
            T.eq(400, dup.httpStatus(), "Cashfree's duplicate is HTTP 400");
            T.eq("verification_id_already_exists", dup.cashfreeCode(), "Cashfree's code");
            T.check(dup.rawBody() != null && dup.requestId() != null, "body and request id");

            RpdException nf = T.rpd(ResultCode.NOT_FOUND, new T.Body() {
                public void run() {
                    cl.getStatus(T.id("unknown"));
                }
            });
            T.eq(404, nf.httpStatus(), "404");

            T.eq(403, T.rpd(ResultCode.FORBIDDEN, new T.Body() {
                public void run() {
                    cl.getStatus("emu-fault-403");
                }
            }).httpStatus(), "403");
            T.eq(422, T.rpd(ResultCode.INSUFFICIENT_BALANCE, new T.Body() {
                public void run() {
                    cl.create("emu-fault-422", "John Doe");
                }
            }).httpStatus(), "422");
            RpdException rl = T.rpd(ResultCode.RATE_LIMITED, new T.Body() {
                public void run() {
                    cl.getStatus("emu-fault-429");
                }
            });
            T.eq(429, rl.httpStatus(), "429");
            T.check(rl.retryable(), "a 429 is retryable");
            T.eq(500, T.rpd(ResultCode.SERVER, new T.Body() {
                public void run() {
                    cl.getStatus("emu-fault-500");
                }
            }).httpStatus(), "500");
            RpdException amb = T.rpd(ResultCode.SERVER, new T.Body() {
                public void run() {
                    cl.create("emu-fault-500", "John Doe");
                }
            });
            T.check(amb.ambiguous() && !amb.retryable(), "a create answered 500 may have happened");

            T.fault("{\"endpoint\":\"status\",\"kind\":\"status\",\"code\":400,"
                    + "\"body\":\"{\\\"code\\\":\\\"bad_thing\\\",\\\"message\\\":\\\"bad\\\",\\\"type\\\":\\\"validation_error\\\"}\"}");
            RpdException bad = T.rpd(ResultCode.BAD_REQUEST, new T.Body() {
                public void run() {
                    cl.getStatus(id);
                }
            });
            T.eq("bad_thing", bad.cashfreeCode(), "api code");
            T.eq("validation_error", bad.cashfreeType(), "api type");

            T.fault("{\"endpoint\":\"status\",\"kind\":\"status\",\"code\":418}");
            T.eq(418, T.rpd(ResultCode.HTTP, new T.Body() {
                public void run() {
                    cl.getStatus(id);
                }
            }).httpStatus(), "418");

            T.fault("{\"endpoint\":\"status\",\"kind\":\"invalid_json\"}");
            T.rpd(ResultCode.UNEXPECTED_RESPONSE, new T.Body() {
                public void run() {
                    cl.getStatus(id);
                }
            });
        } finally {
            cl.close();
        }
    }

    public static void testWrongSecretIsUnauthorized() throws Exception {
        final Client cl = client(new Config(T.env("CASHFREE_CLIENT_ID"), "wrong-secret")
                .setBaseUrl(T.baseUrl()));
        try {
            RpdException e = T.rpd(ResultCode.UNAUTHORIZED, new T.Body() {
                public void run() {
                    cl.getStatus(T.id("auth"));
                }
            });
            T.eq(401, e.httpStatus(), "401");
            T.check(!e.getMessage().contains("wrong-secret") && (e.rawBody() == null
                    || !e.rawBody().contains("wrong-secret")), "the secret is never in an error");
        } finally {
            cl.close();
        }
    }

    public static void testNetworkTimeoutAndTls() throws Exception {
        final Client closed = client(new Config(T.env("CASHFREE_CLIENT_ID"), T.env("CASHFREE_CLIENT_SECRET"))
                .setBaseUrl(T.env("CFRPD_TEST_CLOSED_URL")).setMaxRetries(0));
        try {
            RpdException e = T.rpd(ResultCode.NETWORK, new T.Body() {
                public void run() {
                    closed.getStatus(T.id("net"));
                }
            });
            T.eq(0, e.httpStatus(), "no answer");
        } finally {
            closed.close();
        }

        final Client slow = client(T.config().setTimeoutsMs(1000, 300).setMaxRetries(0));
        try {
            final String id = T.id("slow");
            slow.create(id, "John Doe");
            T.fault("{\"endpoint\":\"status\",\"kind\":\"delay\",\"ms\":1500}");
            T.rpd(ResultCode.TIMEOUT, new T.Body() {
                public void run() {
                    slow.getStatus(id);
                }
            });
        } finally {
            slow.close();
        }

        final Client untrusted = client(new Config(T.env("CASHFREE_CLIENT_ID"), T.env("CASHFREE_CLIENT_SECRET"))
                .setBaseUrl(T.env("CFRPD_TEST_TLS_URL")).setMaxRetries(0));
        try {
            T.rpd(ResultCode.TLS, new T.Body() {
                public void run() {
                    untrusted.getStatus(T.id("tls"));
                }
            });
        } finally {
            untrusted.close();
        }
        // With the emulator's CA added, the same server is trusted: as PEM, and from a
        // KeyStore (what an Android app does with "AndroidCAStore").
        Client trusted = client(new Config(T.env("CASHFREE_CLIENT_ID"), T.env("CASHFREE_CLIENT_SECRET"))
                .setBaseUrl(T.env("CFRPD_TEST_TLS_URL")).addRootCaPem(T.env("CFRPD_TEST_TLS_CA")));
        try {
            String id = T.id("tls");
            T.eq(id, trusted.create(id, "John Doe").verificationId(), "over HTTPS");
        } finally {
            trusted.close();
        }
        java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("emulator", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(T.env("CFRPD_TEST_TLS_CA").getBytes("UTF-8"))));
        Client fromStore = client(new Config(T.env("CASHFREE_CLIENT_ID"), T.env("CASHFREE_CLIENT_SECRET"))
                .setBaseUrl(T.env("CFRPD_TEST_TLS_URL")).addRootCas(store));
        try {
            String id = T.id("tlsks");
            T.eq(id, fromStore.create(id, "John Doe").verificationId(), "over HTTPS, roots from a KeyStore");
        } finally {
            fromStore.close();
        }
        final java.security.KeyStore empty = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        empty.load(null, null);
        T.rpd(ResultCode.INVALID_ARGUMENT, new T.Body() {
            public void run() {
                T.config().addRootCas(empty);
            }
        });
    }

    public static void testRateLimitWindow() throws Exception {
        Client cl = T.client();
        try {
            RateLimit none = cl.rateLimit();
            T.eq(-1L, none.limit(), "unknown before any answer");
            String id = T.id("rl");
            cl.create(id, "John Doe");
            T.fault("{\"endpoint\":\"status\",\"kind\":\"rate_limit_headers\",\"limit\":60,\"remaining\":7,\"reset_secs\":30}");
            cl.getStatus(id);
            RateLimit w = cl.rateLimit();
            T.eq(60L, w.limit(), "limit");
            T.eq(7L, w.remaining(), "remaining");
            T.check(w.resetMs() > 0 && w.resetMs() <= 30000, "reset: " + w.resetMs());
        } finally {
            cl.close();
        }
    }
}

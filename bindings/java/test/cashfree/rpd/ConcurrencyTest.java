package cashfree.rpd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Threads, waits, listeners, cancellation and close(). */
public final class ConcurrencyTest {
    private ConcurrencyTest() {
    }

    public static void testEightThreadsTwoHundredStatusCallsEach() throws Exception {
        final Config c = T.config().setMaxIdleConnections(8);
        final Client cl = new Client(c);
        c.close();
        try {
            final String[] ids = new String[8];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = T.id("thr");
                cl.create(ids[i], "Thread " + i);
            }
            final AtomicInteger ok = new AtomicInteger();
            final AtomicReference<Throwable> failure = new AtomicReference<Throwable>();
            final CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<Thread>();
            for (int t = 0; t < 8; t++) {
                final int n = t;
                Thread th = new Thread(new Runnable() {
                    public void run() {
                        try {
                            start.await();
                            for (int i = 0; i < 200; i++) {
                                String id = ids[(n + i) % ids.length];
                                Status s = cl.getStatus(id);
                                if (!id.equals(s.verificationId()) || s.state() != State.CREATED) {
                                    throw new AssertionError("wrong answer for " + id + ": " + s);
                                }
                                ok.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread th : threads) {
                th.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a thread failed", failure.get());
            }
            T.eq(1600, ok.get(), "calls that succeeded");
        } finally {
            cl.close();
        }
    }

    public static void testClosedClientRaisesAndClosingTwiceIsFine() throws Exception {
        final Client cl = T.client();
        cl.close();
        cl.close();
        T.check(cl.isClosed(), "isClosed");
        T.raises(IllegalStateException.class, new T.Body() {
            public void run() {
                cl.getStatus("any");
            }
        });
        T.raises(IllegalStateException.class, new T.Body() {
            public void run() {
                cl.create("any", "John Doe");
            }
        });
        T.raises(IllegalStateException.class, new T.Body() {
            public void run() {
                cl.journalPending();
            }
        });
    }

    public static void testCloseWaitsForAWaitInFlightAndCancelsIt() throws Exception {
        final Client cl = T.client();
        final String id = T.id("closing");
        cl.create(id, "John Doe");
        final CountDownLatch polled = new CountDownLatch(1);
        final AtomicReference<Throwable> outcome = new AtomicReference<Throwable>();
        Thread waiter = new Thread(new Runnable() {
            public void run() {
                try {
                    cl.waitForResult(id, 30000, 500, new PollListener() {
                        public boolean onPoll(Status latest) {
                            polled.countDown();
                            return true;
                        }
                    });
                    outcome.set(new AssertionError("the wait returned a status"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }
        });
        waiter.start();
        T.check(polled.await(10, TimeUnit.SECONDS), "the wait polled");
        long t0 = System.nanoTime();
        cl.close(); // returns once the wait has ended (at its next poll)
        long ms = (System.nanoTime() - t0) / 1000000;
        waiter.join();
        T.check(outcome.get() instanceof RpdException, "the wait ended with " + outcome.get());
        RpdException e = (RpdException) outcome.get();
        T.eq(ResultCode.CANCELLED, e.code(), "cancelled by close()");
        T.eq(State.CREATED, e.lastStatus().state(), "last status attached");
        T.check(ms < 5000, "close() waited " + ms + " ms");
    }

    public static void testInterruptCancelsAWaitAtItsNextPoll() throws Exception {
        final Client cl = T.client();
        try {
            final String id = T.id("interrupt");
            cl.create(id, "John Doe");
            final CountDownLatch polled = new CountDownLatch(1);
            final AtomicReference<Throwable> outcome = new AtomicReference<Throwable>();
            final AtomicReference<Boolean> flag = new AtomicReference<Boolean>();
            Thread waiter = new Thread(new Runnable() {
                public void run() {
                    try {
                        cl.waitForResult(id, 30000, 500, new PollListener() {
                            public boolean onPoll(Status latest) {
                                polled.countDown();
                                return true;
                            }
                        });
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            waiter.start();
            T.check(polled.await(10, TimeUnit.SECONDS), "the wait polled");
            waiter.interrupt();
            waiter.join(10000);
            T.check(!waiter.isAlive(), "the wait ended");
            T.check(outcome.get() instanceof RpdException
                    && ((RpdException) outcome.get()).code() == ResultCode.CANCELLED,
                    "CANCELLED: " + outcome.get());
            T.eq(Boolean.TRUE, flag.get(), "the interrupt flag is left set");
        } finally {
            cl.close();
        }
    }

    public static void testListenerFalseCancelsWithTheLastStatus() throws Exception {
        final Client cl = T.client();
        try {
            final String id = T.id("cancel");
            cl.create(id, "John Doe");
            RpdException e = T.rpd(ResultCode.CANCELLED, new T.Body() {
                public void run() {
                    cl.waitForResult(id, 10000, new PollListener() {
                        public boolean onPoll(Status latest) {
                            return false;
                        }
                    });
                }
            });
            T.eq(id, e.lastStatus().verificationId(), "the status the listener saw");
            T.eq(State.CREATED, e.lastStatus().state(), "CREATED");
        } finally {
            cl.close();
        }
    }

    public static void testFalseOnAFinalStatusIsNotACancel() throws Exception {
        Client cl = T.client();
        try {
            String id = T.id("final");
            cl.create(id, "John Doe");
            T.pay(id);
            Status s = cl.waitForResult(id, 10000, new PollListener() {
                public boolean onPoll(Status latest) {
                    return false;
                }
            });
            T.eq(State.SUCCESS, s.state(), "final status returned");
        } finally {
            cl.close();
        }
    }

    public static void testDeadlineCarriesTheLastStatus() throws Exception {
        final Client cl = T.client();
        try {
            final String id = T.id("deadline");
            cl.create(id, "John Doe");
            RpdException e = T.rpd(ResultCode.DEADLINE, new T.Body() {
                public void run() {
                    cl.waitForResult(id, 1200, 500, null);
                }
            });
            T.eq(State.CREATED, e.lastStatus().state(), "last status");
        } finally {
            cl.close();
        }
    }

    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String m) {
            super(m);
        }
    }

    public static void testListenerExceptionIsRethrownSameObject() throws Exception {
        final Client cl = T.client();
        try {
            final String id = T.id("boom");
            cl.create(id, "John Doe");
            final Boom boom = new Boom("from the listener");
            Boom got = T.raises(Boom.class, new T.Body() {
                public void run() {
                    cl.waitForResult(id, 10000, new PollListener() {
                        public boolean onPoll(Status latest) {
                            throw boom;
                        }
                    });
                }
            });
            T.check(got == boom, "the same object");
            // Also when the status it saw was final (the wait's result is dropped).
            T.pay(id);
            final Error err = new Error("checked after a final status");
            Error got2 = T.raises(Error.class, new T.Body() {
                public void run() {
                    cl.waitForResult(id, 10000, new PollListener() {
                        public boolean onPoll(Status latest) {
                            throw err;
                        }
                    });
                }
            });
            T.check(got2 == err, "the same object after a final status");
            // The client is still usable.
            T.eq(State.SUCCESS, cl.getStatus(id).state(), "usable after");
        } finally {
            cl.close();
        }
    }

    public static void testListenerMayCallTheClientAndClose() throws Exception {
        final Client cl = T.client();
        final String id = T.id("reenter");
        cl.create(id, "John Doe");
        final AtomicInteger polls = new AtomicInteger();
        RpdException e = T.rpd(ResultCode.CANCELLED, new T.Body() {
            public void run() {
                cl.waitForResult(id, 20000, 500, new PollListener() {
                    public boolean onPoll(Status latest) {
                        T.eq(State.CREATED, cl.getStatus(id).state(), "a call from the listener");
                        if (polls.incrementAndGet() == 1) {
                            cl.close(); // does not wait for itself; frees when the wait returns
                        }
                        return true;
                    }
                });
            }
        });
        T.eq(1, polls.get(), "no poll reached the listener after close()");
        T.check(e.lastStatus() != null, "last status");
        T.raises(IllegalStateException.class, new T.Body() {
            public void run() {
                cl.getStatus(id);
            }
        });
    }

    public static void testLongWaitMakesNoLocalReferencePile() throws Exception {
        // Under -Xcheck:jni the JVM warns when a native frame holds more local references
        // than it made room for; 12 polls in one native call would pile up without the
        // glue's local frames. tests/it/java.rs fails on any such warning.
        final Client cl = T.client();
        try {
            final String id = T.id("long");
            cl.create(id, "John Doe");
            final AtomicInteger polls = new AtomicInteger();
            T.rpd(ResultCode.CANCELLED, new T.Body() {
                public void run() {
                    cl.waitForResult(id, 60000, 500, new PollListener() {
                        public boolean onPoll(Status latest) {
                            return polls.incrementAndGet() < 12;
                        }
                    });
                }
            });
            T.eq(12, polls.get(), "polls");
        } finally {
            cl.close();
        }
    }
}

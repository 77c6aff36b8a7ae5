package cashfree.rpd;

import java.io.File;
import java.util.List;

/** The create journal: replay after a restart, pending entries, resolve. */
public final class JournalTest {
    private JournalTest() {
    }

    private static String journalPath(String tag) {
        return new File(T.env("CFRPD_TEST_DIR"), T.id(tag) + ".journal").getPath();
    }

    private static Client journaled(String path, int retries) {
        Config c = T.config().setJournalPath(path).setMaxRetries(retries);
        try {
            return new Client(c);
        } finally {
            c.close();
        }
    }

    public static void testReplayPendingResolveAcrossRestart() throws Exception {
        String path = journalPath("replay");
        // A name beyond the BMP round-trips through C and the journal file.
        String name = "Zo\u00EB \uD83D\uDE00 D\u0101s";
        String id = T.id("journal");
        Client first = journaled(path, 2);
        Request r = first.create(id, name);
        T.check(!r.replayed(), "fresh");
        first.close(); // the app "restarts"

        Client cl = journaled(path, 2);
        try {
            List<JournalEntry> open = cl.journalPending();
            T.eq(1, open.size(), "one open entry");
            JournalEntry e = open.get(0);
            T.eq(id, e.verificationId(), "id");
            T.eq(name, e.name(), "name as sent");
            T.eq(JournalState.CREATED, e.state(), "state");
            T.check(e.recordedAtMs() > 1700000000000L, "recorded at (ms): " + e.recordedAtMs());
            T.check(e.request() != null && e.request().replayed(), "the recorded answer");
            T.eq(r.refId(), e.request().refId(), "same ref id");
            T.eq(r.upiLink(), e.request().upiLink(), "same link");

            // Creating it again sends nothing: the recorded answer comes back.
            Request again = cl.create(id, name);
            T.check(again.replayed(), "replayed");
            T.eq(r.refId(), again.refId(), "replayed ref id");

            // Unpaid: resolve keeps it open; paid: resolve closes it.
            T.eq(State.CREATED, cl.journalResolve(id).state(), "still CREATED");
            T.eq(1, cl.journalPending().size(), "still open");
            T.pay(id);
            Status s = cl.journalResolve(id);
            T.eq(State.SUCCESS, s.state(), "settled");
            T.eq(0, cl.journalPending().size(), "closed");
            T.check(cl.journalPending().isEmpty(), "an empty list");
        } finally {
            cl.close();
        }
    }

    public static void testSendingEntryRefusedThenResolved() throws Exception {
        String path = journalPath("sending");
        final String id = T.id("sending");
        final Client cl = journaled(path, 0);
        try {
            // The server reads the create and resets the connection: the intent is recorded,
            // no answer is.
            T.fault("{\"endpoint\":\"create\",\"kind\":\"reset_before_response\"}");
            RpdException lost = T.raises(RpdException.class, new T.Body() {
                public void run() {
                    cl.create(id, "John Doe");
                }
            });
            T.check(lost.ambiguous(), "may have reached Cashfree: " + lost);
            List<JournalEntry> open = cl.journalPending();
            T.eq(1, open.size(), "one open entry");
            T.eq(JournalState.SENDING, open.get(0).state(), "SENDING");
            T.eq(null, open.get(0).request(), "no answer recorded");

            // The journal refuses a second create: DUPLICATE_ID with no HTTP status.
            RpdException dup = T.rpd(ResultCode.DUPLICATE_ID, new T.Body() {
                public void run() {
                    cl.create(id, "John Doe");
                }
            });
            T.eq(0, dup.httpStatus(), "refused by the journal, not Cashfree");

            // The fault answered instead of processing: Cashfree does not know the id.
            T.rpd(ResultCode.NOT_FOUND, new T.Body() {
                public void run() {
                    cl.journalResolve(id);
                }
            });
            T.eq(0, cl.journalPending().size(), "closed");
            T.check(!cl.create(id, "John Doe").replayed(), "creating again is now safe");
        } finally {
            cl.close();
        }
    }

    public static void testJournalErrors() throws Exception {
        final Client plain = T.client();
        try {
            T.rpd(ResultCode.JOURNAL, new T.Body() {
                public void run() {
                    plain.journalPending();
                }
            });
        } finally {
            plain.close();
        }
        final String missingDir = new File(T.env("CFRPD_TEST_DIR"), "no/such/dir/j").getPath();
        T.rpd(ResultCode.JOURNAL, new T.Body() {
            public void run() {
                journaled(missingDir, 2);
            }
        });
        final String path = journalPath("locked");
        Client holder = journaled(path, 2);
        try {
            RpdException e = T.rpd(ResultCode.JOURNAL, new T.Body() {
                public void run() {
                    journaled(path, 2);
                }
            });
            T.check(e.getMessage().contains(path) || e.getMessage().contains("lock")
                    || e.getMessage().contains("held"), "says the journal is held: " + e.getMessage());
        } finally {
            holder.close();
        }
        // Once the holder is closed, the journal can be opened again.
        journaled(path, 2).close();
    }
}

package cashfree.rpd;

import java.io.FileOutputStream;
import java.util.ArrayList;
import java.util.List;

/** The whole flow against the emulator: create, QR bitmap, pay, wait, result. */
public final class FlowTest {
    private FlowTest() {
    }

    public static void testCreateQrPayWaitResult() throws Exception {
        Client cl = T.client();
        try {
            final String id = T.id("flow");
            Request r = cl.create(id, "John Doe");
            T.eq(id, r.verificationId(), "verification id");
            T.check(r.refId() > 0, "ref id > 0");
            T.check(r.upiLink().startsWith("upi://pay?"), "UPI link: " + r.upiLink());
            T.check(r.validUpto() != null, "valid_upto");
            T.check(r.qrCode() != null && r.qrPng() != null && r.qrPng().length > 8
                    && r.qrPng()[1] == 'P' && r.qrPng()[2] == 'N' && r.qrPng()[3] == 'G', "the PNG");
            T.check(!r.replayed(), "a fresh answer");
            T.check(r.rawJson().contains(id), "raw JSON");

            // The QR for the terminal's printer, from the UPI link.
            Bitmap bmp = QrCode.encode(r.upiLink()).toBitmap(4, QrCode.STANDARD_QUIET_ZONE);
            String pbm = System.getenv("CFRPD_TEST_PBM");
            if (pbm != null && pbm.length() > 0) {
                FileOutputStream out = new FileOutputStream(pbm);
                out.write(bmp.pbm());
                out.close();
            }

            Status before = cl.getStatus(id);
            T.eq(State.CREATED, before.state(), "before payment");
            T.check(!before.isFinal(), "not final");
            T.eq("", before.nameAtBank(), "no payer yet");

            // The listener pays at the first poll: it sees CREATED, then SUCCESS.
            final List<State> seen = new ArrayList<State>();
            Status done = cl.waitForResult(id, 20000, 500, new PollListener() {
                @Override
                public boolean onPoll(Status latest) {
                    seen.add(latest.state());
                    if (seen.size() == 1) {
                        try {
                            T.pay(id);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }
                    return true;
                }
            });
            T.eq(State.SUCCESS, done.state(), "final state");
            T.check(done.isFinal(), "final");
            T.eq("JOHN DOE", done.nameAtBank(), "name at bank");
            T.eq("DIRECT_MATCH", done.nameMatchResult(), "name match text");
            T.eq(NameMatch.DIRECT, done.nameMatch(), "name match");
            T.eq("100.00", done.nameMatchScore(), "score");
            T.eq("026291800001191", done.bankAccount(), "account");
            T.eq("YESB0000262", done.ifsc(), "IFSC");
            T.check(done.utr() != null && done.utr().length() > 0, "UTR");
            T.eq(State.CREATED, seen.get(0), "first poll");
            T.eq(State.SUCCESS, seen.get(seen.size() - 1), "last poll");

            Status byRef = cl.getStatusByRefId(r.refId());
            T.eq(id, byRef.verificationId(), "by ref id");
            T.eq(String.valueOf(r.refId()), byRef.refId(), "ref id text");
            T.eq(State.SUCCESS, byRef.state(), "by ref id state");

            // A wait without a listener on a final request returns at once.
            T.eq(State.SUCCESS, cl.waitForResult(id, 5000, null).state(), "no listener");
        } finally {
            cl.close();
        }
    }

    public static void testUnknownFieldsAreIgnored() throws Exception {
        Client cl = T.client();
        try {
            String id = T.id("extra");
            cl.create(id, "Extra Person");
            T.fault("{\"endpoint\":\"status\",\"kind\":\"extra_fields\"}");
            T.eq(State.CREATED, cl.getStatus(id).state(), "extra fields ignored");
        } finally {
            cl.close();
        }
    }
}

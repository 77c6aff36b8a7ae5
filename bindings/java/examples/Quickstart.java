import cashfree.rpd.Bitmap;
import cashfree.rpd.Client;
import cashfree.rpd.Config;
import cashfree.rpd.PollListener;
import cashfree.rpd.QrCode;
import cashfree.rpd.Request;
import cashfree.rpd.RpdException;
import cashfree.rpd.Status;

import java.io.FileOutputStream;

/**
 * The whole flow: create a request, print its QR as a PBM file (the same rows go to an
 * ESC/POS printer with Bitmap.escPos()), wait for the payment, show the result.
 * Credentials and base URL from CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET,
 * CASHFREE_BASE_URL (bindings/java/quickstart.sh points them at the emulator).
 */
public class Quickstart {
    public static void main(String[] args) throws Exception {
        String id = args.length > 0 ? args[0] : "java-quickstart-" + System.currentTimeMillis();
        Config config = Config.fromEnv();
        try (Client client = new Client(config)) {
            config.close(); // the client keeps what it needs
            Request r = client.create(id, "John Doe");
            System.out.println("created " + r.verificationId() + " (ref " + r.refId() + "), pay with "
                    + r.upiLink());

            Bitmap qr = QrCode.encode(r.upiLink()).toBitmap(4, QrCode.STANDARD_QUIET_ZONE);
            try (FileOutputStream out = new FileOutputStream("upi.pbm")) {
                out.write(qr.pbm());
            }
            System.out.println("QR code: upi.pbm (" + qr.width() + "x" + qr.height() + " dots)");

            Status s = client.waitForResult(id, 120000, new PollListener() {
                @Override
                public boolean onPoll(Status latest) {
                    System.out.println("  status " + latest.state());
                    return true; // false would stop waiting (CANCELLED)
                }
            });
            System.out.println("result " + s.state() + ": " + s.nameAtBank() + ", name match "
                    + s.nameMatchResult() + " (" + s.nameMatchScore() + "), account "
                    + s.bankAccount() + " " + s.ifsc());
        } catch (RpdException e) {
            System.err.println(e.code() + " (HTTP " + e.httpStatus() + "): " + e.getMessage());
            if (e.ambiguous()) {
                System.err.println("the create may have reached Cashfree: look the id up before creating again");
            }
            System.exit(1);
        }
    }
}

"""The Python binding against the emulator: the whole flow, every error code, the create
journal, callbacks, closed clients, threads, QR codes and webhooks."""

import base64
import gc
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import threading
import time
import unittest
from typing import List, Set

from support import CLIENT_ID, CLIENT_SECRET, base_url, fault, fresh_id, pay

import cashfree_rpd
from cashfree_rpd import (
    Client,
    Config,
    Environment,
    JournalState,
    LogLevel,
    NameMatch,
    QrCode,
    ResultCode,
    RpdError,
    State,
    Status,
)

# Every result code a test below produced (checked by test_zz_every_error_code_seen).
SEEN: Set[ResultCode] = set()


def config(**kw: object) -> Config:
    cfg = Config(CLIENT_ID, CLIENT_SECRET, base_url=base_url(), max_retries=0)
    cfg.set_timeouts(2, 5)
    for k, v in kw.items():
        getattr(cfg, "set_" + k)(v)
    return cfg


class Base(unittest.TestCase):
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = Client(config())

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def raises(self, code: ResultCode, fn: object, *args: object) -> RpdError:
        with self.assertRaises(RpdError) as cm:
            fn(*args)  # type: ignore[operator]
        e = cm.exception
        self.assertEqual(e.code, code, f"{e!r}")
        self.assertIsInstance(e.code, ResultCode)
        SEEN.add(e.code)
        return e


class Flow(Base):
    def test_whole_flow_create_qr_pay_wait_result(self) -> None:
        vid = fresh_id("flow")
        r = self.client.create(vid, "John Doe")
        self.assertEqual(r.verification_id, vid)
        self.assertGreater(r.ref_id, 0)
        self.assertFalse(r.replayed)
        self.assertTrue(r.upi_link and r.upi_link.startswith("upi://pay"))
        self.assertIsNotNone(r.qr_png)
        assert r.qr_png is not None
        self.assertEqual(r.qr_png[:8], b"\x89PNG\r\n\x1a\n")
        qr = QrCode.encode(r.upi_link or "")
        bmp = qr.to_bitmap(4)
        self.assertEqual(bmp.width, (qr.size + 8) * 4)
        self.assertTrue(bmp.pbm().startswith(b"P4\n%d %d\n" % (bmp.width, bmp.height)))
        self.assertEqual(len(bmp.escpos()), 8 + bmp.stride * bmp.height)

        s = self.client.get_status(vid)
        self.assertEqual(s.state, State.CREATED)
        self.assertIsInstance(s.state, State)
        self.assertFalse(s.is_final)

        polls: List[Status] = []

        def on_poll(st: Status) -> bool:
            polls.append(st)
            if len(polls) == 1:
                pay(vid)
            return True

        done = self.client.wait_for_result(vid, 30, on_poll, poll_interval_s=0.5)
        self.assertEqual(done.state, State.SUCCESS)
        self.assertTrue(done.is_final)
        self.assertEqual(done.name_at_bank, "JOHN DOE")
        self.assertEqual(done.name_match, NameMatch.DIRECT)
        self.assertEqual(done.name_match_result, "DIRECT_MATCH")
        self.assertTrue(done.bank_account and done.ifsc and done.utr)
        self.assertGreaterEqual(len(polls), 2)
        by_ref = self.client.get_status_by_ref_id(r.ref_id)
        self.assertEqual(by_ref.verification_id, vid)
        self.assertEqual(by_ref.state, State.SUCCESS)

    def test_null_is_none_never_empty(self) -> None:
        vid = fresh_id("null")
        body = json.dumps({"verification_id": vid, "ref_id": 7, "status": "CREATED", "utr": ""})
        fault("status", "status", code=200, body=body)
        s = self.client.get_status(vid)
        self.assertIsNone(s.name_at_bank)
        self.assertIsNone(s.reversal_status)
        self.assertEqual(s.utr, "")
        self.assertEqual(s.ref_id, "7")

    def test_failure_outcome(self) -> None:
        vid = fresh_id("fail")
        self.client.create(vid, "Jane Roe")
        pay(vid, "FAILURE")
        s = self.client.wait_for_result(vid, 20, poll_interval_s=0.5)
        self.assertEqual(s.state, State.FAILURE)


class Errors(Base):
    def test_invalid_argument(self) -> None:
        e = self.raises(ResultCode.INVALID_ARGUMENT, self.client.create, "bad id!", "x")
        self.assertEqual(e.http_status, 0)
        self.assertIsNone(e.request_id)
        self.raises(ResultCode.INVALID_ARGUMENT, self.client.create, fresh_id(), "a\0b")
        self.raises(ResultCode.INVALID_ARGUMENT, self.client.get_status_by_ref_id, 0)
        self.raises(ResultCode.INVALID_ARGUMENT, Config, "", "secret")
        self.raises(ResultCode.INVALID_ARGUMENT, config().set_max_retries, 11)
        self.raises(ResultCode.INVALID_ARGUMENT, config().set_base_url, "http://example.com")
        self.raises(ResultCode.INVALID_ARGUMENT, self.client.wait_for_result, fresh_id(), 0)

    def test_network(self) -> None:
        cfg = Config(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:1/verification", max_retries=0)
        with Client(cfg) as c:
            e = self.raises(ResultCode.NETWORK, c.get_status, fresh_id())
            self.assertTrue(e.retryable)
            self.assertTrue(e.request_id)

    def test_timeout(self) -> None:
        cfg = config()
        cfg.set_timeouts(1, 0.3)
        with Client(cfg) as c:
            fault("status", "delay", ms=2000)
            self.raises(ResultCode.TIMEOUT, c.get_status, fresh_id())

    def test_tls(self) -> None:
        cfg = Config(CLIENT_ID, CLIENT_SECRET, base_url=base_url().replace("http:", "https:"), max_retries=0)
        with Client(cfg) as c:
            self.raises(ResultCode.TLS, c.get_status, fresh_id())

    def test_documented_http_errors(self) -> None:
        for code, want in [
            (400, ResultCode.BAD_REQUEST),
            (401, ResultCode.UNAUTHORIZED),
            (403, ResultCode.FORBIDDEN),
            (404, ResultCode.NOT_FOUND),
            (422, ResultCode.INSUFFICIENT_BALANCE),
            (429, ResultCode.RATE_LIMITED),
            (500, ResultCode.SERVER),
        ]:
            with self.subTest(code=code):
                vid = fresh_id(f"emu-fault-{code}")
                if code == 400:  # emu-fault-400 is "already exists" (DUPLICATE_ID): another 400
                    body = '{"code":"x_invalid","message":"bad input","type":"validation_error"}'
                    fault("status", "status", code=400, body=body)
                    e = self.raises(want, self.client.get_status, vid)
                else:
                    e = self.raises(want, self.client.create, vid, "John Doe")
                self.assertEqual(e.http_status, code)
                self.assertTrue(e.cashfree_code, e)
                self.assertTrue(e.raw_body)
        e = self.raises(ResultCode.SERVER, self.client.create, fresh_id("emu-fault-500"), "John Doe")
        self.assertTrue(e.ambiguous)
        self.assertFalse(e.retryable)
        e = self.raises(ResultCode.RATE_LIMITED, self.client.get_status, fresh_id("emu-fault-429"))
        self.assertTrue(e.retryable)

    def test_not_found_and_duplicate(self) -> None:
        e = self.raises(ResultCode.NOT_FOUND, self.client.get_status, fresh_id("nobody"))
        self.assertEqual(e.http_status, 404)
        vid = fresh_id("dup")
        self.client.create(vid, "John Doe")
        e = self.raises(ResultCode.DUPLICATE_ID, self.client.create, vid, "John Doe")
        self.assertEqual(e.http_status, 400)

    def test_other_http_status_and_unexpected_response(self) -> None:
        fault("status", "status", code=418, body="teapot", content_type="text/plain")
        e = self.raises(ResultCode.HTTP, self.client.get_status, fresh_id())
        self.assertEqual(e.http_status, 418)
        self.assertEqual(e.raw_body, "teapot")
        fault("status", "status", code=200, body="not json")
        e = self.raises(ResultCode.UNEXPECTED_RESPONSE, self.client.get_status, fresh_id())
        self.assertEqual(e.raw_body, "not json")

    def test_signature(self) -> None:
        e = self.raises(ResultCode.SIGNATURE, config().set_public_key_pem, "not a key")
        self.assertIn("public_key_pem", e.message)

    def test_cancelled_and_deadline_carry_the_last_status(self) -> None:
        vid = fresh_id("cancel")
        self.client.create(vid, "John Doe")
        e = self.raises(
            ResultCode.CANCELLED, self.client.wait_for_result, vid, 10, lambda s: False, 0.5
        )
        assert e.last_status is not None
        self.assertEqual(e.last_status.state, State.CREATED)
        e = self.raises(ResultCode.DEADLINE, self.client.wait_for_result, vid, 1.2, None, 0.5)
        assert e.last_status is not None
        self.assertEqual(e.last_status.verification_id, vid)

    def test_false_with_a_final_status_is_not_cancelled(self) -> None:
        vid = fresh_id("final")
        self.client.create(vid, "John Doe")
        pay(vid)
        s = self.client.wait_for_result(vid, 10, lambda s: False, 0.5)
        self.assertEqual(s.state, State.SUCCESS)

    def test_webhook_signature(self) -> None:
        self.raises(
            ResultCode.WEBHOOK_SIGNATURE,
            cashfree_rpd.verify_webhook,
            CLIENT_SECRET,
            b'{"data":{}}',
            "bad",
            str(int(time.time())),
        )

    def test_journal_without_one(self) -> None:
        e = self.raises(ResultCode.JOURNAL, self.client.journal_pending)
        self.assertIn("no journal", e.message)

    def test_zz_every_error_code_seen(self) -> None:
        # Runs last in this class (alphabetical); the journal tests add JOURNAL too.
        want = set(ResultCode) - {ResultCode.OK, ResultCode.PANIC}
        self.assertEqual(sorted(want - SEEN), [], "error codes no test produced")


class Callbacks(Base):
    def test_raising_callback_rethrows_the_same_object(self) -> None:
        vid = fresh_id("raise")
        self.client.create(vid, "John Doe")
        boom = KeyError("from on_poll")

        def on_poll(s: Status) -> bool:
            raise boom

        with self.assertRaises(KeyError) as cm:
            self.client.wait_for_result(vid, 10, on_poll, 0.5)
        self.assertIs(cm.exception, boom)
        # Also when the status was final.
        pay(vid)
        boom2 = RuntimeError("after a final status")

        def on_poll2(s: Status) -> bool:
            raise boom2

        with self.assertRaises(RuntimeError) as cm2:
            self.client.wait_for_result(vid, 10, on_poll2, 0.5)
        self.assertIs(cm2.exception, boom2)
        # The client still works.
        self.assertEqual(self.client.get_status(vid).state, State.SUCCESS)

    def test_log_callback_and_a_raising_one_is_dropped(self) -> None:
        lines: List[str] = []
        cfg = config()
        cfg.set_log_callback(LogLevel.INFO, lambda lv, m: lines.append(f"{lv.name} {m}"))
        with Client(cfg) as c:
            self.assertRaises(RpdError, c.get_status, fresh_id("log"))
        self.assertTrue(any(x.startswith("INFO ") for x in lines), lines)

        def bad(level: LogLevel, message: str) -> None:
            raise ValueError("dropped")

        cfg.set_log_callback(LogLevel.DEBUG, bad)
        with Client(cfg) as c:
            vid = fresh_id("log")
            c.create(vid, "John Doe")  # the exception does not surface
        cfg.set_log_callback(LogLevel.INFO, None)
        cfg.close()


class Closing(unittest.TestCase):
    def test_closed_client_raises_value_error(self) -> None:
        c = Client(config())
        c.close()
        c.close()  # twice is fine
        with self.assertRaises(ValueError):
            c.get_status(fresh_id())
        with self.assertRaises(ValueError):
            c.create(fresh_id(), "x")
        with Client(config()) as c2:
            pass
        with self.assertRaises(ValueError):
            c2.journal_pending()
        cfg = config()
        cfg.close()
        cfg.close()
        with self.assertRaises(ValueError):
            Client(cfg)
        with self.assertRaises(ValueError):
            cfg.set_max_retries(1)

    def test_close_waits_for_calls_in_flight(self) -> None:
        c = Client(config())
        vid = fresh_id("inflight")
        c.create(vid, "John Doe")
        started = threading.Event()
        result: List[object] = []

        def waiter() -> None:
            def on_poll(s: Status) -> bool:
                started.set()
                return True

            try:
                result.append(c.wait_for_result(vid, 1.5, on_poll, 0.5))
            except RpdError as e:
                result.append(e)

        t = threading.Thread(target=waiter)
        t.start()
        self.assertTrue(started.wait(10))
        t0 = time.monotonic()
        c.close()
        self.assertGreater(time.monotonic() - t0, 0.3, "close did not wait")
        t.join()
        self.assertIsInstance(result[0], RpdError)
        self.assertEqual(result[0].code, ResultCode.DEADLINE)  # type: ignore[union-attr]

    def test_close_from_inside_a_callback(self) -> None:
        c = Client(config())
        vid = fresh_id("selfclose")
        c.create(vid, "John Doe")

        def on_poll(s: Status) -> bool:
            c.close()  # frees the client when this wait returns
            return False

        with self.assertRaises(RpdError) as cm:
            c.wait_for_result(vid, 5, on_poll, 0.5)
        self.assertEqual(cm.exception.code, ResultCode.CANCELLED)
        with self.assertRaises(ValueError):
            c.get_status(vid)

    def test_garbage_collected_without_close(self) -> None:
        for _ in range(20):
            c = Client(config())
            del c
        gc.collect()


class Journal(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="cfrpd-py-journal-")
        self.path = os.path.join(self.dir, "journal")

    def tearDown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_replay_pending_resolve(self) -> None:
        with Client(config(journal_path=self.path)) as c:
            vid = fresh_id("jr")
            r1 = c.create(vid, "John Doe")
            self.assertFalse(r1.replayed)
            r2 = c.create(vid, "John Doe")
            self.assertTrue(r2.replayed)
            self.assertEqual((r2.upi_link, r2.ref_id, r2.qr_code), (r1.upi_link, r1.ref_id, r1.qr_code))
            self.assertEqual(r2.qr_png, r1.qr_png)

            # A create whose answer was lost (a 500 after sending): SENDING.
            lost = fresh_id("jl")
            fault("create", "status", code=500, body='{"message":"boom","code":"internal","type":"api_error"}')
            with self.assertRaises(RpdError) as cm:
                c.create(lost, "Jane Roe")
            self.assertTrue(cm.exception.ambiguous)
            SEEN.add(cm.exception.code)

            pending = {e.verification_id: e for e in c.journal_pending()}
            self.assertEqual(pending[vid].state, JournalState.CREATED)
            self.assertIsInstance(pending[vid].state, JournalState)
            self.assertEqual(pending[vid].name, "John Doe")
            self.assertIsNotNone(pending[vid].request)
            assert pending[vid].request is not None
            self.assertEqual(pending[vid].request.upi_link, r1.upi_link)
            self.assertGreater(pending[vid].recorded_at_ms, 1_600_000_000_000)
            self.assertEqual(pending[lost].state, JournalState.SENDING)
            self.assertIsNone(pending[lost].request)

            # The journal refuses a second create of a SENDING id: DUPLICATE_ID, HTTP 0.
            with self.assertRaises(RpdError) as cm:
                c.create(lost, "Jane Roe")
            self.assertEqual(cm.exception.code, ResultCode.DUPLICATE_ID)
            self.assertEqual(cm.exception.http_status, 0)

            # Resolve: Cashfree never got it -> NOT_FOUND, entry closed.
            with self.assertRaises(RpdError) as cm:
                c.journal_resolve(lost)
            self.assertEqual(cm.exception.code, ResultCode.NOT_FOUND)
            # Resolve the paid one: final, entry closed.
            pay(vid)
            s = c.journal_resolve(vid)
            self.assertEqual(s.state, State.SUCCESS)
            self.assertEqual([e.verification_id for e in c.journal_pending()], [])

            # One client per journal.
            with self.assertRaises(RpdError) as cm:
                Client(config(journal_path=self.path))
            self.assertEqual(cm.exception.code, ResultCode.JOURNAL)
            SEEN.add(ResultCode.JOURNAL)

    def test_entries_survive_a_new_client(self) -> None:
        vid = fresh_id("jp")
        with Client(config(journal_path=self.path)) as c:
            r = c.create(vid, "John Doe")
        with Client(config(journal_path=self.path)) as c:
            self.assertEqual([e.verification_id for e in c.journal_pending()], [vid])
            self.assertTrue(c.create(vid, "John Doe").replayed)
            self.assertEqual(c.create(vid, "John Doe").upi_link, r.upi_link)


class Threads(unittest.TestCase):
    def test_eight_threads_on_one_client(self) -> None:
        errors: List[BaseException] = []
        with Client(config()) as c:
            barrier = threading.Barrier(8)

            def worker(n: int) -> None:
                try:
                    barrier.wait()
                    for i in range(6):
                        vid = fresh_id(f"t{n}")
                        r = c.create(vid, "John Doe")
                        self.assertEqual(c.get_status(vid).state, State.CREATED)
                        if i % 2 == 0:
                            pay(vid)
                            s = c.wait_for_result(vid, 20, None, 0.5)
                            self.assertEqual(s.state, State.SUCCESS)
                        self.assertEqual(c.get_status_by_ref_id(r.ref_id).verification_id, vid)
                except BaseException as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])


class Misc(unittest.TestCase):
    def test_webhook_verified_and_parsed(self) -> None:
        body = json.dumps(
            {
                "data": {"verification_id": "wh-1", "ref_id": 12, "status": "SUCCESS", "name_at_bank": "JOHN"},
                "event_type": "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS",
                "event_time": "2026-01-01T00:00:00+05:30",
            }
        ).encode()
        ts = str(int(time.time()))
        sig = base64.b64encode(hmac.new(CLIENT_SECRET.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
        w = cashfree_rpd.verify_webhook(CLIENT_SECRET, body, sig, ts, 300)
        self.assertEqual(w.event_type, "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS")
        self.assertIsNone(w.version)
        self.assertEqual(w.data.state, State.SUCCESS)
        self.assertEqual(w.data.ref_id, "12")

    def test_qr_limits_and_modules(self) -> None:
        q = QrCode.encode("hello")
        self.assertGreaterEqual(q.size, cashfree_rpd.QR_MIN_SIZE)
        self.assertTrue(q.module(0, 0))  # finder pattern corner
        with self.assertRaises(RpdError) as cm:
            q.to_bitmap(cashfree_rpd.QR_MAX_SCALE + 1)
        self.assertEqual(cm.exception.code, ResultCode.INVALID_ARGUMENT)
        # text(): half blocks with a 4-module quiet zone, drawn here from the modules.
        n, z = q.size, 4

        def dark(x: int, y: int) -> bool:
            return 0 <= x < n and 0 <= y < n and q.module(x, y)

        lines = []
        for y in range(-z, n + z, 2):
            lines.append(
                "".join(
                    " \u2584\u2580\u2588"[2 * dark(x, y) + dark(x, y + 1)] for x in range(-z, n + z)
                )
            )
        self.assertEqual(q.text(), "".join(line + "\n" for line in lines))
        self.assertEqual(q.text(ansi=True), "".join("\x1b[30;107m" + line + "\x1b[0m\n" for line in lines))
        q.close()
        with self.assertRaises(ValueError):
            q.to_bitmap(1)
        with self.assertRaises(ValueError):
            q.text()

    def test_environment_and_rate_limit(self) -> None:
        cfg = config()
        cfg.set_environment(Environment.SANDBOX)
        cfg.set_base_url(base_url())
        with Client(cfg) as c:
            self.assertIsNone(c.rate_limit())

    def test_from_env(self) -> None:
        old = {k: os.environ.get(k) for k in ("CASHFREE_CLIENT_ID", "CASHFREE_CLIENT_SECRET", "CASHFREE_BASE_URL")}
        try:
            os.environ["CASHFREE_CLIENT_ID"] = CLIENT_ID
            os.environ["CASHFREE_CLIENT_SECRET"] = CLIENT_SECRET
            os.environ["CASHFREE_BASE_URL"] = base_url()
            with Client(Config.from_env()) as c:
                self.assertRaises(RpdError, c.get_status, fresh_id("env"))
            del os.environ["CASHFREE_CLIENT_ID"]
            with self.assertRaises(RpdError) as cm:
                Config.from_env()
            self.assertIn("CASHFREE_CLIENT_ID", cm.exception.message)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


if __name__ == "__main__":
    unittest.main()

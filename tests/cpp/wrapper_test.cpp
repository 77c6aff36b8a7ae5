// wrapper_test.cpp — checks include/cashfree_rpd.hpp against the emulator.
//
// Built with -std=c++17 -Wall -Wextra -Wpedantic -Werror and run by tests/it/c_abi.rs
// (also under AddressSanitizer+UBSan and valgrind). Prints one line per check and
// finally "N passed, M failed"; exits 1 if any check failed.
//
// Environment: CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL (an emulator
// that never pays), CFRPD_TEST_AUTOPAY_BASE_URL (one that pays every request),
// CFRPD_TEST_WEBHOOK_BODY/_TS/_SIG (a header-scheme webhook), CFRPD_TEST_RUN_ID.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cashfree_rpd.hpp"

using namespace std::chrono_literals;

namespace {

unsigned passed = 0;
unsigned failed = 0;

bool check(bool ok, const std::string &what) {
    std::cout << (ok ? "ok   " : "FAIL ") << what << std::endl;
    (ok ? passed : failed)++;
    return ok;
}

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v != nullptr ? v : "";
}

std::string run_id() {
    static unsigned n = 0;
    std::string base = env("CFRPD_TEST_RUN_ID");
    if (base.empty()) {
        base = std::to_string(std::time(nullptr));
    }
    return "cpp-" + base + "-" + std::to_string(++n);
}

// Runs `f`, which must throw cfrpd::Error with `code`; returns the error.
template <typename F>
std::optional<cfrpd::Error> expect_error(const std::string &what, cfrpd_result code, F f) {
    try {
        f();
    } catch (const cfrpd::Error &e) {
        check(e.code() == code && !e.message().empty() &&
                  std::string(e.what()).rfind(std::string(cfrpd::result_name(code)) + ": ", 0) == 0,
              what + " throws " + std::string(e.code_name()) + " (want " +
                  std::string(cfrpd::result_name(code)) + "): " + e.message());
        return e;
    } catch (const std::exception &e) {
        check(false, what + " threw something else: " + e.what());
        return std::nullopt;
    }
    check(false, what + " did not throw");
    return std::nullopt;
}

// Runs `f`, which must throw std::logic_error (a moved-from object), nothing else.
template <typename F> void expect_logic_error(const std::string &what, F f) {
    try {
        f();
    } catch (const cfrpd::Error &e) {
        check(false, what + " threw cfrpd::Error instead of std::logic_error: " + e.what());
        return;
    } catch (const std::logic_error &e) {
        check(std::string(e.what()).find("moved from") != std::string::npos,
              what + " throws std::logic_error: " + e.what());
        return;
    }
    check(false, what + " did not throw");
}

cfrpd::Config config_for(const std::string &base_url, std::uint32_t retries) {
    cfrpd::Config config(env("CASHFREE_CLIENT_ID"), env("CASHFREE_CLIENT_SECRET"));
    config.set_base_url(base_url).set_max_retries(retries).set_timeouts(5s, 20s);
    return config;
}

} // namespace

int main() {
    check(cfrpd::version() == CFRPD_VERSION, "cfrpd::version() == CFRPD_VERSION");
    check(cfrpd::result_name(CFRPD_ERR_DEADLINE) == "CFRPD_ERR_DEADLINE", "cfrpd::result_name");

    // Config errors.
    // cfrpd_config_new has no error output: the message is the header's reason, not
    // one the wrapper made up.
    if (auto e = expect_error("Config(id, \"\")", CFRPD_ERR_INVALID_ARGUMENT,
                              [] { cfrpd::Config c("id", ""); })) {
        check(e->message() == "cfrpd_config_new: a NULL argument, invalid UTF-8, an empty "
                              "credential or one with control characters",
              "Config(...) says the header's reason: " + e->message());
    }
    // The two C callbacks the wrapper hands to the library are alike: neither can throw.
    static_assert(noexcept(cfrpd::detail::cfrpd_cpp_poll_trampoline(nullptr, nullptr)));
    static_assert(noexcept(cfrpd::detail::cfrpd_cpp_log_trampoline(nullptr, 0, nullptr)));
    // enum class views of the C numbers; a number they do not name reads as Unknown.
    {
        cfrpd::Status s;
        s.state = CFRPD_STATE_EXPIRED;
        s.name_match = CFRPD_MATCH_POOR_PARTIAL;
        s.reversal = CFRPD_REVERSAL_TRANSFER_INITIATED;
        check(s.state_view() == cfrpd::State::Expired &&
                  s.name_match_view() == cfrpd::NameMatch::PoorPartial &&
                  s.reversal_view() == cfrpd::Reversal::TransferInitiated,
              "Status: state_view, name_match_view, reversal_view");
        s.state = 77;
        s.name_match = 77;
        s.reversal = 77;
        check(s.state_view() == cfrpd::State::Unknown &&
                  s.name_match_view() == cfrpd::NameMatch::Unknown &&
                  s.reversal_view() == cfrpd::Reversal::Unknown,
              "Status: an unnamed number views as Unknown");
        check(cfrpd::state_name(cfrpd::State::Success) == "SUCCESS" &&
                  cfrpd::name_match_name(cfrpd::NameMatch::GoodPartial) == "GOOD_PARTIAL_MATCH" &&
                  cfrpd::reversal_name(cfrpd::Reversal::Failed) == "FAILED" &&
                  cfrpd::journal_state_name(cfrpd::JournalState::Sending) == "SENDING",
              "names of the enum class values");
    }
    // Moved-from objects throw std::logic_error; none hands NULL to the library.
    {
        cfrpd::Config a("id", "secret");
        cfrpd::Config b = std::move(a);
        b.set_max_retries(1);
        expect_logic_error("moved-from Config::set_max_retries", [&] { a.set_max_retries(1); });
        expect_logic_error("moved-from Config::set_base_url",
                           [&] { a.set_base_url("https://example.com"); });
        expect_logic_error("moved-from Config::set_log_callback",
                           [&] { a.set_log_callback(CFRPD_LOG_INFO, nullptr); });
        expect_logic_error("Client(moved-from Config)", [&] { cfrpd::Client c(a); });
        cfrpd::Client c1(b);
        cfrpd::Client c2 = std::move(c1);
        expect_logic_error("moved-from Client::status", [&] { c1.status("order-1"); });
        expect_logic_error("moved-from Client::create", [&] { c1.create("order-1", "John"); });
        expect_logic_error("moved-from Client::rate_limit", [&] { c1.rate_limit(); });
        expect_logic_error("moved-from Client::wait_for_result",
                           [&] { c1.wait_for_result("order-1", 1s); });
        expect_logic_error("moved-from Client::journal_pending", [&] { c1.journal_pending(); });
        check(!c2.rate_limit().has_value(), "the moved-to Client works");
        // QrCode and Bitmap: the same rule (size() on a moved-from QrCode once read NULL).
        cfrpd::QrCode q1 = cfrpd::QrCode::encode("upi://pay?pa=x@upi");
        cfrpd::QrCode q2 = std::move(q1);
        expect_logic_error("moved-from QrCode::size", [&] { (void)q1.size(); });
        expect_logic_error("moved-from QrCode::module", [&] { (void)q1.module(0, 0); });
        expect_logic_error("moved-from QrCode::bitmap", [&] { (void)q1.bitmap(2); });
        expect_logic_error("moved-from QrCode::text", [&] { (void)q1.text(); });
        cfrpd::Bitmap b1 = q2.bitmap(2);
        cfrpd::Bitmap b2 = std::move(b1);
        expect_logic_error("moved-from Bitmap::width", [&] { (void)b1.width(); });
        expect_logic_error("moved-from Bitmap::data", [&] { (void)b1.data(); });
        expect_logic_error("moved-from Bitmap::pbm", [&] { (void)b1.pbm(); });
        check(q2.size() >= 21 && b2.width() == (q2.size() + 8) * 2, "the moved-to QrCode and Bitmap work");
    }
    expect_error("Config(id with NUL)", CFRPD_ERR_INVALID_ARGUMENT,
                 [] { cfrpd::Config c(std::string_view("i\0d", 3), "secret"); });
    expect_error("set_base_url(http://example.com)", CFRPD_ERR_INVALID_ARGUMENT, [] {
        cfrpd::Config c("id", "secret");
        c.set_base_url("http://example.com");
    });
    expect_error("set_max_retries(11)", CFRPD_ERR_INVALID_ARGUMENT, [] {
        cfrpd::Config c("id", "secret");
        c.set_max_retries(11);
    });
    // The library's own reason reaches the exception (cfrpd_config_last_error).
    auto proxy = expect_error("set_proxy(ftp://...)", CFRPD_ERR_INVALID_ARGUMENT, [] {
        cfrpd::Config c("id", "secret");
        c.set_proxy("ftp://user:hunter2@proxy:21");
    });
    check(proxy && proxy->message().find("must start with http:// or https://") != std::string::npos &&
              proxy->message().find("hunter2") == std::string::npos,
          "set_proxy says why, without the password: " + (proxy ? proxy->message() : ""));
    auto idle = expect_error("set_max_idle_connections(5000)", CFRPD_ERR_INVALID_ARGUMENT, [] {
        cfrpd::Config c("id", "secret");
        c.set_max_idle_connections(5000);
    });
    check(idle && idle->message().find("at most 1024") != std::string::npos,
          "set_max_idle_connections says why");
    {
        cfrpd::Config c("id", "secret");
        c.set_call_deadline(std::chrono::milliseconds::max());
        check(true, "set_call_deadline(max) is accepted");
    }
    expect_error("set_public_key_pem(garbage)", CFRPD_ERR_SIGNATURE, [] {
        cfrpd::Config c("id", "secret");
        c.set_public_key_pem("garbage");
    });

    // A client from the environment; the Config is gone right after.
    std::optional<cfrpd::Client> from_env;
    try {
        from_env.emplace(cfrpd::Config::from_env());
        check(true, "Client(Config::from_env())");
    } catch (const std::exception &e) {
        check(false, std::string("Client(Config::from_env()): ") + e.what());
        std::cout << passed << " passed, " << failed << " failed" << std::endl;
        return 1;
    }
    cfrpd::Client client = std::move(*from_env); // move-only handle
    from_env.reset();

    // Create and look up a request nobody pays.
    const std::string id = run_id();
    try {
        cfrpd::Request req = client.create(id, "John Doe");
        check(req.verification_id == id && req.ref_id > 0, "create: id and ref_id");
        check(req.upi_link.rfind("upi://", 0) == 0, "create: upi_link");
        check(req.valid_upto.has_value() && req.gpay.has_value() && req.qr_code.has_value(),
              "create: valid_upto, gpay, qr_code");
        check(req.qr_png.size() > 8 && std::memcmp(req.qr_png.data(), "\x89PNG", 4) == 0,
              "create: qr_png is a PNG");

        cfrpd::Status st = client.status(id);
        check(st.state == CFRPD_STATE_CREATED && st.state_view() == cfrpd::State::Created &&
                  !st.is_final && st.status == "CREATED",
              "status: CREATED");
        check(st.bank_account.has_value() && st.bank_account->empty(),
              "status: empty bank_account is \"\", not nullopt");
        cfrpd::Status by_ref = client.status_by_ref_id(req.ref_id);
        check(by_ref.verification_id == id, "status_by_ref_id");
    } catch (const std::exception &e) {
        check(false, std::string("create/status: ") + e.what());
    }

    // Deadline and cancel carry the last status.
    if (auto e = expect_error("wait_for_result(1500 ms)", CFRPD_ERR_DEADLINE,
                              [&] { client.wait_for_result(id, 1500ms, 500ms); })) {
        check(e->last_status() && e->last_status()->state == CFRPD_STATE_CREATED,
              "deadline: last_status() is CREATED");
    }
    unsigned calls = 0;
    if (auto e = expect_error("wait_for_result(callback returns false)", CFRPD_ERR_CANCELLED, [&] {
            client.wait_for_result(id, 20s, 500ms, [&](const cfrpd::Status &s) {
                calls++;
                return s.state != CFRPD_STATE_CREATED;
            });
        })) {
        check(calls == 1 && e->last_status() && e->last_status()->verification_id == id,
              "cancel: one callback call, last_status() set");
    }
    // An exception from the callback stops the wait and comes out unchanged.
    try {
        client.wait_for_result(id, 20s, 500ms,
                               [](const cfrpd::Status &) -> bool { throw std::logic_error("stop"); });
        check(false, "callback exception: wait returned");
    } catch (const std::logic_error &e) {
        check(std::string(e.what()) == "stop", "callback exception is rethrown by wait_for_result");
    } catch (const std::exception &e) {
        check(false, std::string("callback exception: got ") + e.what());
    }

    // HTTP errors carry the details.
    if (auto e = expect_error("create(same id)", CFRPD_ERR_DUPLICATE_ID,
                              [&] { client.create(id, "John Doe"); })) {
        check(e->http_status() == 400 && !e->ambiguous() && !e->retryable() && e->api_code() &&
                  e->raw_body(),
              "duplicate: http_status 400, api_code and raw_body, not ambiguous");
    }
    cfrpd::Client no_retry(config_for(env("CASHFREE_BASE_URL"), 0));
    if (auto e = expect_error("create(emu-fault-500)", CFRPD_ERR_SERVER,
                              [&] { no_retry.create("emu-fault-500-" + run_id(), "John"); })) {
        check(e->http_status() == 500 && e->ambiguous() && !e->retryable(),
              "500 on create: ambiguous, not retryable");
    }
    if (auto e = expect_error("create(emu-fault-429)", CFRPD_ERR_RATE_LIMITED,
                              [&] { no_retry.create("emu-fault-429-" + run_id(), "John"); })) {
        check(e->http_status() == 429 && e->retryable() && !e->ambiguous(),
              "429 on create: retryable");
    }
    expect_error("status(unknown id)", CFRPD_ERR_NOT_FOUND,
                 [&] { client.status("never-created-" + run_id()); });
    expect_error("create(id with NUL)", CFRPD_ERR_INVALID_ARGUMENT,
                 [&] { client.create(std::string_view("ab\0cd", 5), "John"); });
    expect_error("create(id with space)", CFRPD_ERR_INVALID_ARGUMENT,
                 [&] { client.create("a b", "John"); });
    expect_error("wait_for_result(timeout 0)", CFRPD_ERR_INVALID_ARGUMENT,
                 [&] { client.wait_for_result(id, 0ms); });

    // One client, several threads.
    std::atomic<unsigned> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; i++) {
                try {
                    if (client.status(id).verification_id == id) ok++;
                } catch (...) {
                }
            }
        });
    }
    for (auto &t : threads) t.join();
    check(ok == 40, "4 threads x 10 status calls on one client: " + std::to_string(ok.load()));

    // Paid.
    try {
        cfrpd::Client paid(config_for(env("CFRPD_TEST_AUTOPAY_BASE_URL"), 2));
        const std::string pid = run_id();
        paid.create(pid, "John Doe");
        unsigned polls = 0;
        cfrpd::Status st = paid.wait_for_result(pid, 30s, 500ms, [&](const cfrpd::Status &) {
            polls++;
            return true;
        });
        check(st.state == CFRPD_STATE_SUCCESS && st.is_final && polls >= 1, "wait: SUCCESS");
        check(st.bank_account == "026291800001191" && st.ifsc == "YESB0000262" &&
                  st.name_at_bank == "JOHN DOE" && st.name_match == CFRPD_MATCH_DIRECT,
              "wait: bank_account, ifsc, name_at_bank, DIRECT match");
    } catch (const std::exception &e) {
        check(false, std::string("paid flow: ") + e.what());
    }

    // Webhooks.
    const std::string body = env("CFRPD_TEST_WEBHOOK_BODY");
    const std::string ts = env("CFRPD_TEST_WEBHOOK_TS");
    const std::string sig = env("CFRPD_TEST_WEBHOOK_SIG");
    try {
        cfrpd::Webhook w =
            cfrpd::verify_webhook(env("CASHFREE_CLIENT_SECRET"), body, sig, ts, 300s);
        check(w.event_type == "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS" &&
                  w.data.state == CFRPD_STATE_SUCCESS && w.data.verification_id == "webhook-1",
              "verify_webhook: good signature");
    } catch (const std::exception &e) {
        check(false, std::string("verify_webhook: ") + e.what());
    }
    expect_error("verify_webhook(wrong secret)", CFRPD_ERR_WEBHOOK_SIGNATURE, [&] {
        cfrpd::verify_webhook("not-the-secret", body, sig, ts);
    });
    expect_error("verify_webhook(no timestamp)", CFRPD_ERR_WEBHOOK_SIGNATURE, [&] {
        cfrpd::verify_webhook(env("CASHFREE_CLIENT_SECRET"), body, sig, std::nullopt);
    });
    // The documented v1 call: nullopt for both headers and the default max_age.
    try {
        cfrpd::Webhook w = cfrpd::verify_webhook(env("CASHFREE_CLIENT_SECRET"),
                                                 env("CFRPD_TEST_WEBHOOK_V1_BODY"), std::nullopt,
                                                 std::nullopt);
        check(w.data.state_view() == cfrpd::State::Success &&
                  w.data.verification_id == "webhook-1",
              "verify_webhook(secret, v1 body, nullopt, nullopt): the v1 scheme");
    } catch (const std::exception &e) {
        check(false, std::string("verify_webhook(v1, nullopt, nullopt): ") + e.what());
    }
    // The default max_age with a timestamp is CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S: a fresh
    // delivery passes (above), one an hour old does not; 0s turns the check off.
    expect_error("verify_webhook(an hour old, default max_age)", CFRPD_ERR_WEBHOOK_SIGNATURE, [&] {
        cfrpd::verify_webhook(env("CASHFREE_CLIENT_SECRET"), body,
                              env("CFRPD_TEST_WEBHOOK_OLD_SIG"), env("CFRPD_TEST_WEBHOOK_OLD_TS"));
    });
    try {
        cfrpd::verify_webhook(env("CASHFREE_CLIENT_SECRET"), body, env("CFRPD_TEST_WEBHOOK_OLD_SIG"),
                              env("CFRPD_TEST_WEBHOOK_OLD_TS"), 0s);
        check(true, "verify_webhook(an hour old, max_age 0s): no age check");
    } catch (const std::exception &e) {
        check(false, std::string("verify_webhook(an hour old, 0s): ") + e.what());
    }

    // The create journal.
    check(cfrpd::journal_state_name(CFRPD_JOURNAL_CREATED) == "CREATED" &&
              cfrpd::journal_state_name(CFRPD_JOURNAL_SENDING) == "SENDING" &&
              cfrpd::journal_state_name(9) == "UNKNOWN",
          "journal_state_name");
    expect_error("journal_pending() without a journal", CFRPD_ERR_JOURNAL,
                 [&] { client.journal_pending(); });
    try {
        char dir[] = "/tmp/cfrpd-cpp-journal-XXXXXX";
        check(mkdtemp(dir) != nullptr, "mkdtemp");
        const std::string path = std::string(dir) + "/creates.journal";
        cfrpd::Config jc = cfrpd::Config::from_env();
        jc.set_journal_path(path);
        cfrpd::Client journaled(jc);
        expect_error("a second client on the journal", CFRPD_ERR_JOURNAL,
                     [&] { cfrpd::Client second(jc); });
        const std::string jid = "cpp-journal-" + run_id();
        cfrpd::Request first = journaled.create(jid, "Jane Doe");
        check(!first.replayed, "a fresh create is not replayed");
        std::vector<cfrpd::JournalEntry> open = journaled.journal_pending();
        check(open.size() == 1 && open[0].verification_id == jid &&
                  open[0].state_view() == cfrpd::JournalState::Created &&
                  open[0].request && open[0].request->ref_id == first.ref_id && !open[0].request->qr_png.empty(),
              "journal_pending: the CREATED entry with its request");
        cfrpd::Request again = journaled.create(jid, "Jane Doe");
        check(again.replayed && again.upi_link == first.upi_link, "a create of an open id is replayed");
        cfrpd::Status st = journaled.journal_resolve(jid);
        check(st.state == CFRPD_STATE_CREATED && journaled.journal_pending().size() == 1,
              "journal_resolve: not final, still open");
    } catch (const std::exception &e) {
        check(false, std::string("journal: ") + e.what());
    }

    std::cout << passed << " passed, " << failed << " failed" << std::endl;
    return failed == 0 ? 0 : 1;
}

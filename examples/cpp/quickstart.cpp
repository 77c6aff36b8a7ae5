// quickstart.cpp — verify a bank account with Cashfree Reverse Penny Drop, from C++17,
// using the header-only wrapper include/cashfree_rpd.hpp.
//
// Build (from the repository root): `make examples` builds examples/cpp/build/quickstart;
// to build it yourself, use the compile and link commands of README.md, "Linking"
// (pkg-config or CMake, per target).
//
// Run:
//   CASHFREE_CLIENT_ID=... CASHFREE_CLIENT_SECRET=... ./quickstart [verification_id]
//
// Environment: the same as examples/c/quickstart.c — CASHFREE_CLIENT_ID,
// CASHFREE_CLIENT_SECRET (required), CASHFREE_ENV, CASHFREE_BASE_URL, CASHFREE_PUBLIC_KEY,
// CFRPD_WAIT_TIMEOUT_MS (default 600000), CFRPD_POLL_INTERVAL_MS (default 3000),
// CFRPD_LOG (error|warn|info|debug: the library's log on stderr at that level; default
// warn, "off" for none).
// It prints the payment links and the upi_link as a QR code drawn with half blocks.
// Exit status: 0 when the request reached a final state, 1 on any error.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

#include <unistd.h> // getpid, isatty

#include "cashfree_rpd.hpp"

namespace {

// A positive number of milliseconds from the environment, or `fallback`.
std::chrono::milliseconds env_ms(const char *name, std::chrono::milliseconds fallback) {
    const char *v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        return fallback;
    }
    char *end = nullptr;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0' || n == 0 || n > UINT32_MAX) {
        std::cerr << "ignoring " << name << "=" << v
                  << " (not a positive number of milliseconds)\n";
        return fallback;
    }
    return std::chrono::milliseconds(n);
}

std::string or_dash(const std::optional<std::string> &s) {
    return s && !s->empty() ? *s : "-";
}

// The log level CFRPD_LOG asks for (default warn); 0 = off.
cfrpd_log_level log_level() {
    const std::string v = std::getenv("CFRPD_LOG") != nullptr ? std::getenv("CFRPD_LOG") : "";
    for (cfrpd_log_level l = CFRPD_LOG_ERROR; l <= CFRPD_LOG_DEBUG; ++l) {
        std::string name(cfrpd::log_level_name(l));
        for (char &c : name) c = static_cast<char>(c - 'A' + 'a');
        if (v == name) return l;
    }
    return v == "off" ? 0 : CFRPD_LOG_WARN;
}

} // namespace

int main(int argc, char **argv) {
    // A verification_id is single use: 1-50 characters of [A-Za-z0-9._-].
    std::string id = argc > 1 ? argv[1]
                              : "quickstart-cpp-" + std::to_string(std::time(nullptr)) + "-" +
                                    std::to_string(getpid());
    try {
        // 1. Settings from CASHFREE_* variables, the library's log on stderr, a client.
        cfrpd::Config config = cfrpd::Config::from_env();
        if (cfrpd_log_level level = log_level()) {
            config.set_log_callback(level, [](cfrpd_log_level l, std::string_view message) {
                std::cerr << "[cfrpd " << cfrpd::log_level_name(l) << "] " << message << "\n";
            });
        }
        cfrpd::Client client(config);

        // 2. Create the request and show the customer where to pay.
        cfrpd::Request req = client.create(id, "John Doe");
        std::cout << "verification_id: " << req.verification_id << " (ref_id " << req.ref_id
                  << ")\n"
                  << "pay 1 rupee with:  " << req.upi_link << "\n";
        if (req.gpay) std::cout << "  Google Pay:      " << *req.gpay << "\n";
        if (req.phonepe) std::cout << "  PhonePe:         " << *req.phonepe << "\n";
        if (req.paytm) std::cout << "  Paytm:           " << *req.paytm << "\n";
        if (req.bhim) std::cout << "  BHIM:            " << *req.bhim << "\n";
        std::cout << "valid until:       " << or_dash(req.valid_upto) << "\n"
                  << "or scan:\n";
        // Half blocks; in black on white ANSI colours on a terminal (dark or light).
        std::cout << cfrpd::QrCode::encode(req.upi_link).text(isatty(STDOUT_FILENO) != 0);
        std::cout << std::flush;

        // 3. Wait for the payment, printing each poll.
        unsigned polls = 0;
        cfrpd::Status st = client.wait_for_result(
            id, env_ms("CFRPD_WAIT_TIMEOUT_MS", std::chrono::minutes(10)),
            env_ms("CFRPD_POLL_INTERVAL_MS", std::chrono::seconds(3)),
            [&polls](const cfrpd::Status &latest) {
                std::cout << "poll " << ++polls << ": " << or_dash(latest.status) << std::endl;
                return true; // keep waiting
            });

        // 4. The outcome.
        std::cout << "outcome:           " << or_dash(st.status) << "\n";
        if (auto window = client.rate_limit()) {
            std::cout << "rate limit:        " << window->remaining << " of " << window->limit
                      << " left\n";
        }
        if (st.state == CFRPD_STATE_SUCCESS) {
            std::cout << "account:           " << or_dash(st.bank_account) << "\n"
                      << "IFSC:              " << or_dash(st.ifsc) << "\n"
                      << "name at bank:      " << or_dash(st.name_at_bank) << "\n"
                      << "name match:        " << cfrpd::name_match_name(st.name_match) << " (score "
                      << or_dash(st.name_match_score) << ")\n";
        }
        return 0;
    } catch (const cfrpd::Error &e) {
        std::cerr << "error: " << e.code_name() << ": " << e.message() << " (http_status "
                  << e.http_status();
        if (e.api_code()) std::cerr << ", api_code " << *e.api_code();
        if (e.rate_limit_limit() >= 0) std::cerr << ", rate limit " << e.rate_limit_limit();
        std::cerr << ")" << (e.retryable() ? " [retryable]" : "")
                  << (e.ambiguous() ? " [ambiguous: look the id up before creating again]" : "")
                  << "\n";
        if (e.last_status()) {
            std::cerr << "last status: " << or_dash(e.last_status()->status) << "\n";
        }
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}

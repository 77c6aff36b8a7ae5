// quickstart.cpp — verify a bank account with Cashfree Reverse Penny Drop, from C++17,
// using the header-only wrapper include/cashfree_rpd.hpp.
//
// Build (from the repository root):
//   make examples                     # builds examples/cpp/build/quickstart
// or by hand, after `make` (the cleaned static library and its system libraries):
//   c++ -std=c++17 -Iinclude examples/cpp/quickstart.cpp target/release/c-dist/libcashfree_rpd.a
//       $(cat target/release/c-dist/native-static-libs) -o quickstart
//
// Run:
//   CASHFREE_CLIENT_ID=... CASHFREE_CLIENT_SECRET=... ./quickstart [verification_id]
//
// Environment: the same as examples/c/quickstart.c — CASHFREE_CLIENT_ID,
// CASHFREE_CLIENT_SECRET (required), CASHFREE_ENV, CASHFREE_BASE_URL, CASHFREE_PUBLIC_KEY,
// CFRPD_WAIT_TIMEOUT_MS (default 600000), CFRPD_POLL_INTERVAL_MS (default 3000).
// Exit status: 0 when the request reached a final state, 1 on any error.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

#include <unistd.h> // getpid

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

} // namespace

int main(int argc, char **argv) {
    // A verification_id is single use: 1-50 characters of [A-Za-z0-9._-].
    std::string id = argc > 1 ? argv[1]
                              : "quickstart-cpp-" + std::to_string(std::time(nullptr)) + "-" +
                                    std::to_string(getpid());
    try {
        // 1. Settings from CASHFREE_* variables, then a client.
        cfrpd::Client client(cfrpd::Config::from_env());

        // 2. Create the request and show the customer where to pay.
        cfrpd::Request req = client.create(id, "John Doe");
        std::cout << "verification_id: " << req.verification_id << " (ref_id " << req.ref_id
                  << ")\n"
                  << "pay 1 rupee with:  " << req.upi_link << "\n";
        if (req.gpay) std::cout << "  Google Pay:      " << *req.gpay << "\n";
        if (req.phonepe) std::cout << "  PhonePe:         " << *req.phonepe << "\n";
        if (req.paytm) std::cout << "  Paytm:           " << *req.paytm << "\n";
        if (req.bhim) std::cout << "  BHIM:            " << *req.bhim << "\n";
        std::cout << "valid until:       " << or_dash(req.valid_upto) << std::endl;

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
        if (st.state == CFRPD_STATE_SUCCESS) {
            std::cout << "account:           " << or_dash(st.bank_account) << "\n"
                      << "IFSC:              " << or_dash(st.ifsc) << "\n"
                      << "name at bank:      " << or_dash(st.name_at_bank) << "\n"
                      << "name match:        " << or_dash(st.name_match_result) << " (score "
                      << or_dash(st.name_match_score) << ")\n";
        }
        return 0;
    } catch (const cfrpd::Error &e) {
        std::cerr << "error: " << e.code_name() << ": " << e.message() << " (http_status "
                  << e.http_status();
        if (e.api_code()) std::cerr << ", api_code " << *e.api_code();
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

// surface_test.cpp — the parts of include/cashfree_rpd.hpp beyond the basic flow, from a
// C++17 program that uses only the .hpp: the QR of a request (PBM and ESC/POS bytes),
// the log callback, the rate-limit window, the version number, the enum names and the
// whole cfrpd_error in cfrpd::Error.
//
// Built with -std=c++17 -Wall -Wextra -Wpedantic -Werror and run by tests/it/c_surface.rs
// (plain and under AddressSanitizer+UBSan) against an emulator that answers with
// X-RateLimit-* headers (limit CFRPD_TEST_RATE_LIMIT per window). Prints one line per
// check, "upi_link: <link>" and finally "N passed, M failed"; exits 1 if a check failed.
// Writes the request's QR as a PBM to CFRPD_TEST_PBM (the test decodes it with zbarimg).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cashfree_rpd.hpp"

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
    return "surface-" + base + "-" + std::to_string(++n);
}

struct LogRecords {
    std::mutex mutex;
    std::vector<std::pair<cfrpd_log_level, std::string>> records;
    std::atomic<unsigned> calls{0};
};

} // namespace

int main() {
    // The version number of the library linked, against the header's.
    check(cfrpd::version_number() == CFRPD_VERSION_NUMBER,
          "version_number() " + std::to_string(cfrpd::version_number()) +
              " == CFRPD_VERSION_NUMBER");
    check(cfrpd::version() == CFRPD_VERSION, "version() == CFRPD_VERSION");

    // Names of enum values.
    check(cfrpd::state_name(CFRPD_STATE_CREATED) == "CREATED" &&
              cfrpd::state_name(CFRPD_STATE_EXPIRED) == "EXPIRED" &&
              cfrpd::state_name(CFRPD_STATE_UNKNOWN) == "UNKNOWN" &&
              cfrpd::state_name(1234) == "UNKNOWN",
          "state_name");
    check(cfrpd::name_match_name(CFRPD_MATCH_DIRECT) == "DIRECT_MATCH" &&
              cfrpd::name_match_name(CFRPD_MATCH_NO_MATCH) == "NO_MATCH" &&
              cfrpd::name_match_name(99) == "UNKNOWN",
          "name_match_name");
    check(cfrpd::reversal_name(CFRPD_REVERSAL_TRANSFER_SUCCESS) == "TRANSFER_SUCCESS" &&
              cfrpd::reversal_name(99) == "UNKNOWN",
          "reversal_name");
    check(cfrpd::log_level_name(CFRPD_LOG_WARN) == "WARN" && cfrpd::log_level_name(0) == "UNKNOWN",
          "log_level_name");
    check(cfrpd::environment_name(CFRPD_ENV_PRODUCTION) == "PRODUCTION" &&
              cfrpd::environment_name(7) == "UNKNOWN",
          "environment_name");

    try {
        // A log function that is only reachable through the clients: the config that
        // set it is gone before the first call. Every other record throws, which must
        // never reach the library.
        auto log = std::make_shared<LogRecords>();
        std::optional<cfrpd::Client> client;
        {
            cfrpd::Config config = cfrpd::Config::from_env();
            config.set_max_retries(0);
            config.set_log_callback(CFRPD_LOG_DEBUG,
                                    [log](cfrpd_log_level level, std::string_view message) {
                                        unsigned n = log->calls.fetch_add(1);
                                        {
                                            std::lock_guard<std::mutex> lock(log->mutex);
                                            log->records.emplace_back(level, std::string(message));
                                        }
                                        if (n % 2 == 1) {
                                            throw std::runtime_error("thrown by the log function");
                                        }
                                    });
            client.emplace(config);
        }
        check(!client->rate_limit().has_value(), "rate_limit() is nullopt before any answer");

        // A request, its QR drawn from the upi_link.
        cfrpd::Request req = client->create(run_id(), "John Doe");
        std::cout << "upi_link: " << req.upi_link << std::endl;
        cfrpd::QrCode qr = cfrpd::QrCode::encode(req.upi_link);
        check(qr.size() >= CFRPD_QR_MIN_SIZE && qr.size() <= CFRPD_QR_MAX_SIZE &&
                  (qr.size() - 17) % 4 == 0,
              "QrCode size " + std::to_string(qr.size()));
        // Finder pattern corners: dark at (0,0), light at (7,7)'s separator row.
        check(qr.module(0, 0) && qr.module(6, 0) && !qr.module(7, 0) && qr.module(0, 6),
              "QrCode::module reads the finder pattern");
        bool out_of_range = false;
        try {
            (void)qr.module(qr.size(), 0);
        } catch (const std::out_of_range &) {
            out_of_range = true;
        }
        check(out_of_range, "QrCode::module outside the code throws std::out_of_range");

        cfrpd::Bitmap bmp = qr.bitmap(4);
        const std::uint32_t side = (qr.size() + 2 * CFRPD_QR_STANDARD_QUIET_ZONE) * 4;
        check(bmp.width() == side && bmp.height() == side && bmp.stride() == (side + 7) / 8 &&
                  bmp.size() == std::size_t(bmp.stride()) * bmp.height(),
              "Bitmap " + std::to_string(bmp.width()) + "x" + std::to_string(bmp.height()));
        const std::string header = "P4\n" + std::to_string(side) + " " + std::to_string(side) + "\n";
        const std::string pbm = bmp.pbm();
        check(pbm.size() == header.size() + bmp.size() && pbm.compare(0, header.size(), header) == 0,
              "Bitmap::pbm() is a P4 header and the rows");
        const std::string pos = bmp.escpos();
        check(pos.size() == 8 + bmp.size() && pos[0] == '\x1d' && pos[1] == 'v' && pos[2] == '0' &&
                  pos[3] == '\0' &&
                  std::uint8_t(pos[4]) + 256u * std::uint8_t(pos[5]) == bmp.stride() &&
                  std::uint8_t(pos[6]) + 256u * std::uint8_t(pos[7]) == bmp.height() &&
                  pos.compare(8, std::string::npos,
                              std::string(reinterpret_cast<const char *>(bmp.data()), bmp.size())) == 0,
              "Bitmap::escpos() is GS v 0 with xL xH yL yH and the rows");
        const std::string path = env("CFRPD_TEST_PBM");
        if (!path.empty()) {
            std::ofstream(path, std::ios::binary) << pbm;
        }
        // The terminal rendering the example uses (QrCode::text): two rows per line, a
        // 4-module quiet zone; drawn here from the modules to compare.
        std::string terminal, coloured;
        const int n = static_cast<int>(qr.size());
        auto dark = [&](int x, int y) {
            return x >= 0 && y >= 0 && x < n && y < n &&
                   qr.module(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y));
        };
        for (int y = -4; y < n + 4; y += 2) {
            std::string line;
            for (int x = -4; x < n + 4; ++x) {
                bool top = dark(x, y);
                bool bottom = dark(x, y + 1);
                line += top ? (bottom ? "\u2588" : "\u2580") : (bottom ? "\u2584" : " ");
            }
            terminal += line + "\n";
            coloured += "\x1b[30;107m" + line + "\x1b[0m\n";
        }
        check(qr.text() == terminal, "QrCode::text() draws the modules with half blocks");
        check(qr.text(true) == coloured, "QrCode::text(true) wraps each line in ANSI colours");

        bool refused = false;
        try {
            (void)qr.bitmap(0);
        } catch (const cfrpd::Error &e) {
            refused = e.code() == CFRPD_ERR_INVALID_ARGUMENT;
        }
        check(refused, "bitmap(0) throws CFRPD_ERR_INVALID_ARGUMENT");
        refused = false;
        try {
            (void)cfrpd::QrCode::encode("");
        } catch (const cfrpd::Error &e) {
            refused = e.code() == CFRPD_ERR_INVALID_ARGUMENT;
        }
        check(refused, "QrCode::encode(\"\") throws CFRPD_ERR_INVALID_ARGUMENT");

        // The window after the create.
        std::optional<cfrpd_rate_limit> window = client->rate_limit();
        const long long limit = std::atoll(env("CFRPD_TEST_RATE_LIMIT").c_str());
        check(window.has_value() && window->limit == limit && window->remaining >= 0 &&
                  window->remaining < limit && window->reset_ms >= 0,
              "rate_limit() after the create: limit " +
                  std::to_string(window ? window->limit : -2) + ", remaining " +
                  std::to_string(window ? window->remaining : -2));

        // Status calls from several threads at once, each logging; then the limit is
        // exceeded and the error carries the window.
        std::vector<std::thread> threads;
        std::atomic<unsigned> ok_calls{0};
        for (int t = 0; t < 3; ++t) {
            threads.emplace_back([&] {
                try {
                    (void)client->status(req.verification_id);
                    ok_calls++;
                } catch (const cfrpd::Error &) {
                }
            });
        }
        for (auto &t : threads) {
            t.join();
        }
        check(ok_calls > 0, "status calls from 3 threads");
        std::optional<cfrpd::Error> limited;
        for (int i = 0; i < 3 * limit && !limited; ++i) {
            try {
                (void)client->status(req.verification_id);
            } catch (const cfrpd::Error &e) {
                limited = e;
            }
        }
        check(limited && limited->code() == CFRPD_ERR_RATE_LIMITED &&
                  limited->http_status() == 429 && limited->rate_limit_limit() == limit &&
                  limited->rate_limit_remaining() == 0 && limited->rate_limit_reset_ms() >= 0,
              "the 429's Error carries rate_limit_limit " +
                  std::to_string(limited ? limited->rate_limit_limit() : -2) + ", remaining " +
                  std::to_string(limited ? limited->rate_limit_remaining() : -2));

        // The log saw every call (INFO per attempt) and survived the exceptions.
        std::lock_guard<std::mutex> lock(log->mutex);
        unsigned info = 0;
        bool post = false;
        for (const auto &r : log->records) {
            if (r.first == CFRPD_LOG_INFO) {
                info++;
                post = post || r.second.find("POST") != std::string::npos;
            }
        }
        check(info >= 3 && post, "log: " + std::to_string(log->records.size()) + " records, " +
                                     std::to_string(info) + " at INFO, the create's POST among them");
        for (const auto &r : log->records) {
            std::cout << "log " << cfrpd::log_level_name(r.first) << ": " << r.second << "\n";
            break;
        }
        check(log->records.size() >= 2, "the log went on after its function threw");

        // Logging off: no more records.
        cfrpd::Config quiet = cfrpd::Config::from_env();
        quiet.set_log_callback(CFRPD_LOG_DEBUG, [log](cfrpd_log_level, std::string_view) {
            log->calls++;
        });
        quiet.set_log_callback(CFRPD_LOG_DEBUG, nullptr);
        cfrpd::Client silent(quiet);
        unsigned before = log->calls;
        try {
            (void)silent.status(req.verification_id);
        } catch (const cfrpd::Error &) {
        }
        check(log->calls == before, "an empty function turns the log off");
        bool bad_level = false;
        try {
            quiet.set_log_callback(9, [](cfrpd_log_level, std::string_view) {});
        } catch (const cfrpd::Error &e) {
            bad_level = e.code() == CFRPD_ERR_INVALID_ARGUMENT;
        }
        check(bad_level, "an unknown log level throws CFRPD_ERR_INVALID_ARGUMENT");
    } catch (const cfrpd::Error &e) {
        check(false, std::string("unexpected error: ") + e.what());
    }

    std::cout << passed << " passed, " << failed << " failed" << std::endl;
    return failed == 0 ? 0 : 1;
}

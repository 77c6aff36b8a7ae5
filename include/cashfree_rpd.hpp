/*
 * cashfree_rpd.hpp — a small header-only C++17 wrapper over the C API in cashfree_rpd.h.
 *
 *   cfrpd::Client client(cfrpd::Config::from_env());
 *   cfrpd::Request req = client.create("order-42", "John Doe");
 *   cfrpd::Status st = client.wait_for_result(req.verification_id, std::chrono::minutes(10));
 *
 * - Every failure throws cfrpd::Error (a std::runtime_error) with the C error's details.
 * - Handles are owned by std::unique_ptr with the matching cfrpd_*_free; results are
 *   copied into plain value types (Request, Status, Webhook), so nothing needs freeing.
 * - Strings in are std::string_view; one holding a NUL byte is refused
 *   (CFRPD_ERR_INVALID_ARGUMENT) instead of being cut short.
 * - A Client may be shared between threads (its methods are const); a Config may not.
 * - Config, Client, QrCode and Bitmap are move-only; using a moved-from one throws
 *   std::logic_error (never a NULL dereference).
 * - Defaults are the header's CFRPD_DEFAULT_* constants; states have enum class views
 *   (State, NameMatch, Reversal, JournalState) beside the C numbers.
 * - Every C function of cashfree_rpd.h has a wrapper here (a test checks it).
 *
 * Build and link: as for C, README.md "Linking" (pkg-config or CMake); C++17.
 */
#ifndef CASHFREE_RPD_HPP
#define CASHFREE_RPD_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cashfree_rpd.h"

namespace cfrpd {

/** The library version at run time (compare with CFRPD_VERSION). */
inline std::string_view version() noexcept { return cfrpd_version(); }

/** The linked library's version as MAJOR*10000 + MINOR*100 + PATCH (compare with
 *  CFRPD_VERSION_NUMBER of the header the program was built with). */
inline std::uint32_t version_number() noexcept { return cfrpd_version_number(); }

/** The constant's name of a result code, e.g. "CFRPD_ERR_TIMEOUT". */
inline std::string_view result_name(cfrpd_result code) noexcept {
    return cfrpd_result_name(code);
}

/** "CREATED", "SUCCESS", "FAILURE", "EXPIRED" or "UNKNOWN". */
inline std::string_view state_name(cfrpd_state s) noexcept { return cfrpd_state_name(s); }
/** "DIRECT_MATCH", ..., "NO_MATCH" or "UNKNOWN". */
inline std::string_view name_match_name(cfrpd_name_match m) noexcept {
    return cfrpd_name_match_name(m);
}
/** "PENDING", "TRANSFER_INITIATED", "TRANSFER_SUCCESS", "FAILED" or "UNKNOWN". */
inline std::string_view reversal_name(cfrpd_reversal r) noexcept { return cfrpd_reversal_name(r); }
/** "ERROR", "WARN", "INFO", "DEBUG" or "UNKNOWN". */
inline std::string_view log_level_name(cfrpd_log_level l) noexcept {
    return cfrpd_log_level_name(l);
}
/** "SANDBOX", "PRODUCTION" or "UNKNOWN". */
inline std::string_view environment_name(cfrpd_environment e) noexcept {
    return cfrpd_environment_name(e);
}

/** cfrpd_state as an enum class (Status::state_view()). */
enum class State : std::uint32_t {
    Unknown = CFRPD_STATE_UNKNOWN,
    Created = CFRPD_STATE_CREATED,
    Success = CFRPD_STATE_SUCCESS,
    Failure = CFRPD_STATE_FAILURE,
    Expired = CFRPD_STATE_EXPIRED,
};
/** cfrpd_name_match as an enum class (Status::name_match_view()). */
enum class NameMatch : std::uint32_t {
    Unknown = CFRPD_MATCH_UNKNOWN,
    Direct = CFRPD_MATCH_DIRECT,
    GoodPartial = CFRPD_MATCH_GOOD_PARTIAL,
    ModeratePartial = CFRPD_MATCH_MODERATE_PARTIAL,
    PoorPartial = CFRPD_MATCH_POOR_PARTIAL,
    NoMatch = CFRPD_MATCH_NO_MATCH,
};
/** cfrpd_reversal as an enum class (Status::reversal_view()). */
enum class Reversal : std::uint32_t {
    Unknown = CFRPD_REVERSAL_UNKNOWN,
    Pending = CFRPD_REVERSAL_PENDING,
    TransferInitiated = CFRPD_REVERSAL_TRANSFER_INITIATED,
    TransferSuccess = CFRPD_REVERSAL_TRANSFER_SUCCESS,
    Failed = CFRPD_REVERSAL_FAILED,
};
/** cfrpd_journal_state as an enum class (JournalEntry::state_view()). */
enum class JournalState : std::uint32_t {
    Sending = CFRPD_JOURNAL_SENDING,
    Created = CFRPD_JOURNAL_CREATED,
};

/** The names of the enum class values, as the C functions give them. */
inline std::string_view state_name(State s) noexcept {
    return cfrpd_state_name(static_cast<cfrpd_state>(s));
}
inline std::string_view name_match_name(NameMatch m) noexcept {
    return cfrpd_name_match_name(static_cast<cfrpd_name_match>(m));
}
inline std::string_view reversal_name(Reversal r) noexcept {
    return cfrpd_reversal_name(static_cast<cfrpd_reversal>(r));
}

/** The result of a verification request (see cfrpd_status). Absent text is nullopt.
 *  A number the enum class does not name (from a newer library) reads as its Unknown. */
struct Status {
    State state_view() const noexcept {
        return state <= CFRPD_STATE_EXPIRED ? static_cast<State>(state) : State::Unknown;
    }
    NameMatch name_match_view() const noexcept {
        return name_match <= CFRPD_MATCH_NO_MATCH ? static_cast<NameMatch>(name_match)
                                                  : NameMatch::Unknown;
    }
    Reversal reversal_view() const noexcept {
        return reversal <= CFRPD_REVERSAL_FAILED ? static_cast<Reversal>(reversal)
                                                 : Reversal::Unknown;
    }

    cfrpd_state state = CFRPD_STATE_UNKNOWN;
    bool is_final = false;
    std::optional<std::string> status;
    std::optional<std::string> verification_id;
    std::optional<std::string> ref_id;
    std::optional<std::string> bank_account;
    std::optional<std::string> ifsc;
    std::optional<std::string> upi;
    std::optional<std::string> name_at_bank;
    std::optional<std::string> utr;
    std::optional<std::string> name_match_score;
    std::optional<std::string> name_match_result;
    cfrpd_name_match name_match = CFRPD_MATCH_UNKNOWN;
    std::optional<std::string> added_on;
    std::optional<std::string> processed_on;
    std::optional<std::string> penny_collected_on;
    std::optional<std::string> reversal_status;
    std::optional<std::string> account_type;
    std::string raw_json;
    cfrpd_reversal reversal = CFRPD_REVERSAL_UNKNOWN;
};

/** A created verification request (see cfrpd_request). */
struct Request {
    std::string verification_id;
    std::int64_t ref_id = 0;
    std::optional<std::string> valid_upto;
    std::string upi_link;
    std::optional<std::string> gpay;
    std::optional<std::string> bhim;
    std::optional<std::string> paytm;
    std::optional<std::string> phonepe;
    std::optional<std::string> qr_code;
    std::vector<std::uint8_t> qr_png; /* empty when absent or not a PNG */
    std::string raw_json;
    bool replayed = false; /* the copy a create journal recorded: nothing was sent */
};

/** An open entry of the create journal (see cfrpd_journal_entry); owns its copies. */
struct JournalEntry {
    JournalState state_view() const noexcept { return static_cast<JournalState>(state); }
    std::string verification_id;
    std::string name;
    cfrpd_journal_state state = CFRPD_JOURNAL_SENDING; /* SENDING or CREATED */
    std::int64_t recorded_at_ms = 0;                   /* Unix time of the intent */
    std::optional<Request> request;                    /* CREATED: the recorded answer */
};

/** "SENDING", "CREATED" or "UNKNOWN" (cfrpd_journal_state_name). */
inline std::string_view journal_state_name(cfrpd_journal_state s) noexcept {
    return cfrpd_journal_state_name(s);
}
inline std::string_view journal_state_name(JournalState s) noexcept {
    return cfrpd_journal_state_name(static_cast<cfrpd_journal_state>(s));
}

/** A verified webhook delivery (see cfrpd_webhook). */
struct Webhook {
    std::optional<std::string> event_type;
    std::optional<std::string> event_time;
    std::optional<std::string> version;
    Status data;
};

namespace detail {
struct ErrorAccess;
}

/** A failed call: the C error's details. what() is "CFRPD_ERR_...: message". */
class Error : public std::runtime_error {
public:
    Error(cfrpd_result code, const std::string &message, std::uint16_t http_status = 0)
        : std::runtime_error(std::string(cfrpd_result_name(code)) + ": " + message),
          code_(code), message_(message), http_status_(http_status) {}

    cfrpd_result code() const noexcept { return code_; }
    std::string_view code_name() const noexcept { return cfrpd_result_name(code_); }
    /** A sentence a person can act on (without the code name). */
    const std::string &message() const noexcept { return message_; }
    /** The HTTP status when a response arrived, else 0. */
    std::uint16_t http_status() const noexcept { return http_status_; }
    const std::optional<std::string> &api_code() const noexcept { return api_code_; }
    const std::optional<std::string> &api_type() const noexcept { return api_type_; }
    std::uint32_t retry_after_ms() const noexcept { return retry_after_ms_; }
    /** Repeating the same call is safe and may succeed. */
    bool retryable() const noexcept { return retryable_; }
    /** A create may have reached Cashfree: look the id up before creating again. */
    bool ambiguous() const noexcept { return ambiguous_; }
    const std::optional<std::string> &raw_body() const noexcept { return raw_body_; }
    /** The x-request-id of the last attempt (quote it to Cashfree support), if one was sent. */
    const std::optional<std::string> &request_id() const noexcept { return request_id_; }
    /** X-RateLimit-Limit / -Remaining / -Reset (ms) of the failing answer, or -1. */
    std::int64_t rate_limit_limit() const noexcept { return rate_limit_limit_; }
    std::int64_t rate_limit_remaining() const noexcept { return rate_limit_remaining_; }
    std::int64_t rate_limit_reset_ms() const noexcept { return rate_limit_reset_ms_; }
    /** On CFRPD_ERR_DEADLINE / CFRPD_ERR_CANCELLED from wait_for_result: the last status seen. */
    const std::optional<Status> &last_status() const noexcept { return last_status_; }

private:
    friend struct detail::ErrorAccess;
    cfrpd_result code_;
    std::string message_;
    std::uint16_t http_status_;
    std::optional<std::string> api_code_;
    std::optional<std::string> api_type_;
    std::uint32_t retry_after_ms_ = 0;
    bool retryable_ = false;
    bool ambiguous_ = false;
    std::optional<std::string> raw_body_;
    std::optional<std::string> request_id_;
    std::int64_t rate_limit_limit_ = -1;
    std::int64_t rate_limit_remaining_ = -1;
    std::int64_t rate_limit_reset_ms_ = -1;
    std::optional<Status> last_status_;
};

namespace detail {

struct ConfigDeleter {
    void operator()(cfrpd_config *p) const noexcept { cfrpd_config_free(p); }
};
struct ClientDeleter {
    void operator()(cfrpd_client *p) const noexcept { cfrpd_client_free(p); }
};
struct RequestDeleter {
    void operator()(cfrpd_request *p) const noexcept { cfrpd_request_free(p); }
};
struct StatusDeleter {
    void operator()(cfrpd_status *p) const noexcept { cfrpd_status_free(p); }
};
struct ErrorDeleter {
    void operator()(cfrpd_error *p) const noexcept { cfrpd_error_free(p); }
};
struct JournalListDeleter {
    void operator()(cfrpd_journal_list *p) const noexcept { cfrpd_journal_list_free(p); }
};

struct WebhookDeleter {
    void operator()(cfrpd_webhook *p) const noexcept { cfrpd_webhook_free(p); }
};
struct QrDeleter {
    void operator()(cfrpd_qr *p) const noexcept { cfrpd_qr_free(p); }
};
struct BitmapDeleter {
    void operator()(cfrpd_bitmap *p) const noexcept { cfrpd_bitmap_free(p); }
};
struct StringDeleter {
    void operator()(char *p) const noexcept { cfrpd_string_free(p); }
};

inline std::optional<std::string> opt(const char *s) {
    return s != nullptr ? std::optional<std::string>(s) : std::nullopt;
}

inline std::string str(const char *s) { return s != nullptr ? std::string(s) : std::string(); }

/** A NUL-terminated copy; a NUL inside would silently cut the C string, so it is refused. */
inline std::string c_string(std::string_view s, const char *what) {
    if (s.find('\0') != std::string_view::npos) {
        throw Error(CFRPD_ERR_INVALID_ARGUMENT, std::string(what) + " contains a NUL byte");
    }
    return std::string(s);
}

/** A count clamped to 0..UINT32_MAX (0 asks for the library's default or is refused). */
template <typename Rep> std::uint32_t clamp_u32(Rep n) {
    if (n <= 0) {
        return 0;
    }
    if (static_cast<unsigned long long>(n) > std::numeric_limits<std::uint32_t>::max()) {
        return std::numeric_limits<std::uint32_t>::max();
    }
    return static_cast<std::uint32_t>(n);
}

inline std::uint32_t clamp_ms(std::chrono::milliseconds ms) { return clamp_u32(ms.count()); }

inline Status to_status(const cfrpd_status &s) {
    Status o;
    o.state = s.state;
    o.is_final = s.is_final;
    o.status = opt(s.status);
    o.verification_id = opt(s.verification_id);
    o.ref_id = opt(s.ref_id);
    o.bank_account = opt(s.bank_account);
    o.ifsc = opt(s.ifsc);
    o.upi = opt(s.upi);
    o.name_at_bank = opt(s.name_at_bank);
    o.utr = opt(s.utr);
    o.name_match_score = opt(s.name_match_score);
    o.name_match_result = opt(s.name_match_result);
    o.name_match = s.name_match;
    o.added_on = opt(s.added_on);
    o.processed_on = opt(s.processed_on);
    o.penny_collected_on = opt(s.penny_collected_on);
    o.reversal_status = opt(s.reversal_status);
    o.account_type = opt(s.account_type);
    o.raw_json = str(s.raw_json);
    o.reversal = s.reversal;
    return o;
}

inline Request to_request(const cfrpd_request &r) {
    Request o;
    o.verification_id = str(r.verification_id);
    o.ref_id = r.ref_id;
    o.valid_upto = opt(r.valid_upto);
    o.upi_link = str(r.upi_link);
    o.gpay = opt(r.gpay);
    o.bhim = opt(r.bhim);
    o.paytm = opt(r.paytm);
    o.phonepe = opt(r.phonepe);
    o.qr_code = opt(r.qr_code);
    if (r.qr_png != nullptr) {
        o.qr_png.assign(r.qr_png, r.qr_png + r.qr_png_len);
    }
    o.raw_json = str(r.raw_json);
    o.replayed = r.replayed;
    return o;
}

/* Builds an Error from a C error (which it frees); `raw` may be NULL. */
struct ErrorAccess {
    static Error make(cfrpd_result code, cfrpd_error *raw, std::optional<Status> last = {}) {
        std::unique_ptr<cfrpd_error, ErrorDeleter> e(raw);
        if (!e) {
            /* No details came back (the library could not allocate them): the code's
             * name is all there is to say. */
            Error out(code, std::string(cfrpd_result_name(code)));
            out.last_status_ = std::move(last);
            return out;
        }
        Error out(code, str(e->message), e->http_status);
        out.api_code_ = opt(e->api_code);
        out.api_type_ = opt(e->api_type);
        out.retry_after_ms_ = e->retry_after_ms;
        out.retryable_ = e->retryable;
        out.ambiguous_ = e->ambiguous;
        out.raw_body_ = opt(e->raw_body);
        out.request_id_ = opt(e->request_id);
        out.rate_limit_limit_ = e->rate_limit_limit;
        out.rate_limit_remaining_ = e->rate_limit_remaining;
        out.rate_limit_reset_ms_ = e->rate_limit_reset_ms;
        out.last_status_ = std::move(last);
        return out;
    }
};

/** Throws for a setter's code, with the library's reason (cfrpd_config_last_error;
 *  the code's name when the library kept none). */
inline void check(const cfrpd_config *config, cfrpd_result code, const char *call) {
    if (code != CFRPD_OK) {
        const char *why = cfrpd_config_last_error(config);
        throw Error(code, std::string(call) + ": " +
                              (why != nullptr ? std::string(why)
                                              : std::string(cfrpd_result_name(code))));
    }
}

/** The handle of a Config, Client, QrCode or Bitmap; a moved-from object has none. */
template <typename T> T *live(T *handle, const char *what) {
    if (handle == nullptr) {
        throw std::logic_error(std::string(what) + " was moved from");
    }
    return handle;
}

struct PollContext {
    const std::function<bool(const Status &)> *callback;
    std::exception_ptr exception;
};

/* The C callback: runs the std::function; an exception stops the wait and is rethrown
 * by Client::wait_for_result (it must not cross the C frames). */
extern "C" inline bool cfrpd_cpp_poll_trampoline(void *user_data,
                                                 const cfrpd_status *latest) noexcept {
    auto *ctx = static_cast<PollContext *>(user_data);
    try {
        return (*ctx->callback)(to_status(*latest));
    } catch (...) {
        ctx->exception = std::current_exception();
        return false;
    }
}

/* A log function on the heap, shared by the Config that set it and every Client made
 * from that Config (each holds a shared_ptr): it lives as long as any of them. */
struct LogSink {
    std::function<void(cfrpd_log_level, std::string_view)> fn;
};

/* The C log callback: calls the std::function. Never lets an exception into C (it is
 * dropped: a log line cannot fail a call). Several threads may be in it at once, so the
 * function must be safe to call concurrently (the library only reads the sink). */
extern "C" inline void cfrpd_cpp_log_trampoline(void *user_data, cfrpd_log_level level,
                                                const char *message) noexcept {
    try {
        const auto *sink = static_cast<const LogSink *>(user_data);
        sink->fn(level, message != nullptr ? std::string_view(message) : std::string_view());
    } catch (...) {
    }
}

} // namespace detail

class QrCode;

/** A 1-bit image of a QR code (see cfrpd_bitmap): rows top first, most significant bit
 *  = leftmost pixel, 1 = black. Move-only. */
class Bitmap {
public:
    std::uint32_t width() const { return h()->width; }
    std::uint32_t height() const { return h()->height; }
    /** Bytes per row: (width + 7) / 8. */
    std::uint32_t stride() const { return h()->stride; }
    /** stride() * height() bytes. */
    const std::uint8_t *data() const { return h()->bits; }
    std::size_t size() const {
        return static_cast<std::size_t>(h()->stride) * h()->height;
    }
    /** A PBM (P4) image file: "P4\n<width> <height>\n" and the rows. */
    std::string pbm() const {
        std::string out = "P4\n" + std::to_string(width()) + " " + std::to_string(height()) + "\n";
        out.append(reinterpret_cast<const char *>(data()), size());
        return out;
    }
    /** ESC/POS "GS v 0" raster bytes for a receipt printer: 1D 76 30 00 xL xH yL yH
     *  (x = stride, y = height, little-endian), then the rows. */
    std::string escpos() const {
        const std::uint32_t x = stride();
        const std::uint32_t y = height();
        std::string out = {'\x1d', 'v', '0', '\0'};
        for (std::uint32_t v : {x, y}) {
            out.push_back(static_cast<char>(v & 0xff));
            out.push_back(static_cast<char>((v >> 8) & 0xff));
        }
        out.append(reinterpret_cast<const char *>(data()), size());
        return out;
    }
    const cfrpd_bitmap *get() const noexcept { return handle_.get(); }

private:
    friend class QrCode;
    explicit Bitmap(cfrpd_bitmap *raw) : handle_(raw) {}
    const cfrpd_bitmap *h() const { return detail::live(handle_.get(), "cfrpd::Bitmap"); }
    std::unique_ptr<cfrpd_bitmap, detail::BitmapDeleter> handle_;
};

/** A QR code's modules (see cfrpd_qr), e.g. of a Request's upi_link. Move-only. */
class QrCode {
public:
    /** Encodes text at error correction level M (throws Error: empty or too long). */
    static QrCode encode(std::string_view text) {
        const std::string t = detail::c_string(text, "text");
        cfrpd_qr *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_qr_encode(t.c_str(), &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        return QrCode(raw);
    }
    /** Modules per side (21..177). */
    std::uint32_t size() const { return h()->size; }
    /** Whether module (x, y) is dark; x is the column, y the row, (0, 0) top left.
     *  Throws std::out_of_range outside the code. */
    bool module(std::uint32_t x, std::uint32_t y) const {
        if (x >= size() || y >= size()) {
            throw std::out_of_range("cfrpd::QrCode::module: outside the code");
        }
        return h()->modules[static_cast<std::size_t>(y) * size() + x] != 0;
    }
    /** Draws the code: `scale` pixels per module (1..CFRPD_QR_MAX_SCALE), a white border
     *  of `quiet_zone` modules (0..CFRPD_QR_MAX_QUIET_ZONE). Throws Error when out of range. */
    Bitmap bitmap(std::uint32_t scale,
                  std::uint32_t quiet_zone = CFRPD_QR_STANDARD_QUIET_ZONE) const {
        cfrpd_bitmap *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_qr_bitmap(h(), scale, quiet_zone, &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        return Bitmap(raw);
    }
    /** The code as UTF-8 text for a terminal (see cfrpd_qr_to_text): Unicode half blocks,
     *  two module rows per line, a 4-module quiet zone, '\n' after every line. `ansi`:
     *  each line in black on white ANSI colours, for a dark terminal. */
    std::string text(bool ansi = false) const {
        char *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_qr_to_text(h(), ansi, &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        const std::unique_ptr<char, detail::StringDeleter> owned(raw);
        return std::string(owned.get());
    }
    const cfrpd_qr *get() const noexcept { return handle_.get(); }

private:
    explicit QrCode(cfrpd_qr *raw) : handle_(raw) {}
    const cfrpd_qr *h() const { return detail::live(handle_.get(), "cfrpd::QrCode"); }
    std::unique_ptr<cfrpd_qr, detail::QrDeleter> handle_;
};

/** Settings for a Client. Not to be changed from two threads at once. */
class Config {
public:
    /** Sandbox with these credentials and every default. */
    Config(std::string_view client_id, std::string_view client_secret) {
        const std::string id = detail::c_string(client_id, "client_id");
        const std::string secret = detail::c_string(client_secret, "client_secret");
        cfrpd_config *raw = nullptr;
        cfrpd_result rc = cfrpd_config_new(id.c_str(), secret.c_str(), &raw);
        if (rc != CFRPD_OK) {
            /* cfrpd_config_new has no error output: the header's reason for its code. */
            throw Error(rc, "cfrpd_config_new: a NULL argument, invalid UTF-8, an empty "
                            "credential or one with control characters");
        }
        handle_.reset(raw);
    }

    /** From CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_ENV, CASHFREE_BASE_URL,
     *  CASHFREE_PUBLIC_KEY (see cfrpd_config_from_env). */
    static Config from_env() {
        cfrpd_config *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_config_from_env(&raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        return Config(raw);
    }

    Config &set_environment(cfrpd_environment env) {
        detail::check(h(), cfrpd_config_set_environment(h(), env),
                      "cfrpd_config_set_environment");
        return *this;
    }
    Config &set_base_url(std::string_view url) {
        detail::check(h(), cfrpd_config_set_base_url(h(),
                                                detail::c_string(url, "url").c_str()),
                      "cfrpd_config_set_base_url");
        return *this;
    }
    /** Per attempt; zero means the default (CFRPD_DEFAULT_CONNECT_TIMEOUT_MS,
     *  CFRPD_DEFAULT_REQUEST_TIMEOUT_MS). */
    Config &set_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds request) {
        detail::check(h(), cfrpd_config_set_timeouts_ms(h(), detail::clamp_ms(connect),
                                                   detail::clamp_ms(request)),
                      "cfrpd_config_set_timeouts_ms");
        return *this;
    }
    Config &set_public_key_pem(std::string_view pem) {
        detail::check(h(), cfrpd_config_set_public_key_pem(h(),
                                                      detail::c_string(pem, "pem").c_str()),
                      "cfrpd_config_set_public_key_pem");
        return *this;
    }
    Config &add_root_ca_pem(std::string_view pem) {
        detail::check(h(), cfrpd_config_add_root_ca_pem(h(),
                                                   detail::c_string(pem, "pem").c_str()),
                      "cfrpd_config_add_root_ca_pem");
        return *this;
    }
    /** "" clears the proxy. */
    Config &set_proxy(std::string_view url) {
        detail::check(h(), cfrpd_config_set_proxy(h(), detail::c_string(url, "url").c_str()),
                      "cfrpd_config_set_proxy");
        return *this;
    }
    /** Bounds one whole call: attempts, back-offs, Retry-After waits (0 =
     *  CFRPD_DEFAULT_CALL_DEADLINE_MS). */
    Config &set_call_deadline(std::chrono::milliseconds deadline) {
        detail::check(h(),
                      cfrpd_config_set_call_deadline_ms(h(), detail::clamp_ms(deadline)),
                      "cfrpd_config_set_call_deadline_ms");
        return *this;
    }

    /** Idle connections kept for reuse (default CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS, at
     *  most CFRPD_MAX_IDLE_CONNECTIONS_LIMIT). */
    Config &set_max_idle_connections(std::uint32_t n) {
        detail::check(h(), cfrpd_config_set_max_idle_connections(h(), n),
                      "cfrpd_config_set_max_idle_connections");
        return *this;
    }

    /** Records every create in the journal file at `path` ("" = none), so a crash
     *  mid-create can be resumed (cfrpd_config_set_journal_path). */
    Config &set_journal_path(std::string_view path) {
        detail::check(h(),
                      cfrpd_config_set_journal_path(h(), detail::c_string(path, "path").c_str()),
                      "cfrpd_config_set_journal_path");
        return *this;
    }

    /** Re-tries after the first attempt (default CFRPD_DEFAULT_MAX_RETRIES, at most
     *  CFRPD_MAX_RETRIES_LIMIT). */
    Config &set_max_retries(std::uint32_t n) {
        detail::check(h(), cfrpd_config_set_max_retries(h(), n),
                      "cfrpd_config_set_max_retries");
        return *this;
    }

    /** Sends diagnostics records up to `max_level` (CFRPD_LOG_ERROR..CFRPD_LOG_DEBUG) to
     *  `fn` (see cfrpd_config_set_log_callback); an empty `fn` turns logging off. Clients
     *  made from this config afterwards use it; the function is kept alive as long as
     *  this config or any such client. It runs on the threads making calls, possibly
     *  several at once; an exception it throws is dropped (never reaches C). */
    Config &set_log_callback(cfrpd_log_level max_level,
                             std::function<void(cfrpd_log_level, std::string_view)> fn) {
        if (!fn) {
            detail::check(h(),
                          cfrpd_config_set_log_callback(h(), max_level, nullptr, nullptr),
                          "cfrpd_config_set_log_callback");
            log_.reset();
            return *this;
        }
        auto sink = std::make_shared<const detail::LogSink>(detail::LogSink{std::move(fn)});
        detail::check(h(),
                      cfrpd_config_set_log_callback(h(), max_level,
                                                    detail::cfrpd_cpp_log_trampoline,
                                                    const_cast<detail::LogSink *>(sink.get())),
                      "cfrpd_config_set_log_callback");
        log_ = std::move(sink);
        return *this;
    }

    const cfrpd_config *get() const noexcept { return handle_.get(); }
    cfrpd_config *get() noexcept { return handle_.get(); }

private:
    friend class Client;
    explicit Config(cfrpd_config *raw) : handle_(raw) {}
    cfrpd_config *h() const { return detail::live(handle_.get(), "cfrpd::Config"); }
    std::unique_ptr<cfrpd_config, detail::ConfigDeleter> handle_;
    std::shared_ptr<const detail::LogSink> log_;
};

/** A client: thread-safe, reuses connections. Move-only. */
class Client {
public:
    /** Called after every poll of wait_for_result; return false to stop (CFRPD_ERR_CANCELLED). */
    using Progress = std::function<bool(const Status &)>;

    /** Copies what it needs: `config` may be destroyed afterwards. */
    explicit Client(const Config &config) {
        cfrpd_client *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_client_new(config.h(), &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        handle_.reset(raw);
        log_ = config.log_;
    }

    /** The rate-limit window of the last answer that carried X-RateLimit-* headers
     *  (remaining / reset_ms -1 when that answer lacked them), or nullopt until an
     *  answer carried X-RateLimit-Limit. */
    std::optional<cfrpd_rate_limit> rate_limit() const {
        cfrpd_rate_limit window{-1, -1, -1};
        cfrpd_result rc = cfrpd_client_rate_limit(h(), &window);
        if (rc != CFRPD_OK) {
            /* No error output: the header's reason for its code. */
            throw Error(rc, "cfrpd_client_rate_limit: client or out is NULL");
        }
        if (window.limit < 0) {
            return std::nullopt;
        }
        return window;
    }

    /** Creates a verification request (costs money; see cfrpd_create for retries). */
    Request create(std::string_view verification_id, std::string_view name) const {
        const std::string id = detail::c_string(verification_id, "verification_id");
        const std::string n = detail::c_string(name, "name");
        cfrpd_request *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_create(h(), id.c_str(), n.c_str(), &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        std::unique_ptr<cfrpd_request, detail::RequestDeleter> owned(raw);
        return detail::to_request(*owned);
    }

    /** The journal's open entries, oldest first, except creates in flight on this
     *  client (cfrpd_journal_pending). Throws Error (CFRPD_ERR_JOURNAL without one). */
    std::vector<JournalEntry> journal_pending() const {
        cfrpd_journal_list *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_journal_pending(h(), &raw, &err);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        std::unique_ptr<cfrpd_journal_list, detail::JournalListDeleter> owned(raw);
        std::vector<JournalEntry> out;
        out.reserve(owned->count);
        for (std::size_t i = 0; i < owned->count; ++i) {
            const cfrpd_journal_entry &e = owned->entries[i];
            JournalEntry o;
            o.verification_id = detail::str(e.verification_id);
            o.name = detail::str(e.name);
            o.state = e.state;
            o.recorded_at_ms = e.recorded_at_ms;
            if (e.request != nullptr) {
                o.request = detail::to_request(*e.request);
            }
            out.push_back(std::move(o));
        }
        return out;
    }

    /** One status lookup that settles the id's journal entry (cfrpd_journal_resolve). */
    Status journal_resolve(std::string_view verification_id) const {
        const std::string id = detail::c_string(verification_id, "verification_id");
        cfrpd_status *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_journal_resolve(h(), id.c_str(), &raw, &err);
        return take_status(rc, raw, err);
    }

    /** The current status by the merchant's verification_id. */
    Status status(std::string_view verification_id) const {
        const std::string id = detail::c_string(verification_id, "verification_id");
        cfrpd_status *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_get_status(h(), id.c_str(), &raw, &err);
        return take_status(rc, raw, err);
    }

    /** The current status by Cashfree's ref_id (> 0). */
    Status status_by_ref_id(std::int64_t ref_id) const {
        cfrpd_status *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_get_status_by_ref_id(h(), ref_id, &raw, &err);
        return take_status(rc, raw, err);
    }

    /** Polls until the state is final. Throws Error with last_status() set on
     *  CFRPD_ERR_DEADLINE and CFRPD_ERR_CANCELLED; an exception thrown by `on_poll`
     *  stops the wait and is rethrown here. poll_interval zero =
     *  CFRPD_DEFAULT_POLL_INTERVAL_MS. */
    Status wait_for_result(std::string_view verification_id, std::chrono::milliseconds timeout,
                           std::chrono::milliseconds poll_interval = std::chrono::milliseconds(0),
                           const Progress &on_poll = Progress()) const {
        const std::string id = detail::c_string(verification_id, "verification_id");
        detail::PollContext ctx{&on_poll, nullptr};
        cfrpd_status *raw = nullptr;
        cfrpd_error *err = nullptr;
        cfrpd_result rc = cfrpd_wait_for_result(
            h(), id.c_str(), detail::clamp_ms(timeout), detail::clamp_ms(poll_interval),
            on_poll ? detail::cfrpd_cpp_poll_trampoline : nullptr, on_poll ? &ctx : nullptr, &raw,
            &err);
        std::unique_ptr<cfrpd_status, detail::StatusDeleter> owned(raw);
        if (ctx.exception) {
            cfrpd_error_free(err);
            std::rethrow_exception(ctx.exception);
        }
        if (rc != CFRPD_OK) {
            std::optional<Status> last;
            if (owned) {
                last = detail::to_status(*owned);
            }
            throw detail::ErrorAccess::make(rc, err, std::move(last));
        }
        return detail::to_status(*owned);
    }

    cfrpd_client *get() const noexcept { return handle_.get(); }

private:
    static Status take_status(cfrpd_result rc, cfrpd_status *raw, cfrpd_error *err) {
        std::unique_ptr<cfrpd_status, detail::StatusDeleter> owned(raw);
        if (rc != CFRPD_OK) {
            throw detail::ErrorAccess::make(rc, err);
        }
        return detail::to_status(*owned);
    }

    cfrpd_client *h() const { return detail::live(handle_.get(), "cfrpd::Client"); }

    /* Declared before handle_, so destroyed after it: the client, which may call the log
     * function until it is freed, goes first. */
    std::shared_ptr<const detail::LogSink> log_;
    std::unique_ptr<cfrpd_client, detail::ClientDeleter> handle_;
};

/** Verifies, then parses, one webhook delivery (see cfrpd_webhook_verify). Pass
 *  nullopt for both signature and timestamp to check the v1 body signature. `max_age`
 *  bounds the timestamp's age: nullopt means CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S when a
 *  timestamp is given and no check without one (the v1 scheme carries no time); zero
 *  means no check. */
inline Webhook verify_webhook(std::string_view client_secret, std::string_view raw_body,
                              std::optional<std::string_view> signature,
                              std::optional<std::string_view> timestamp,
                              std::optional<std::chrono::seconds> max_age = std::nullopt) {
    const std::string secret = detail::c_string(client_secret, "client_secret");
    std::optional<std::string> sig;
    std::optional<std::string> ts;
    if (signature) {
        sig = detail::c_string(*signature, "signature");
    }
    if (timestamp) {
        ts = detail::c_string(*timestamp, "timestamp");
    }
    const std::uint32_t max_age_s =
        max_age ? detail::clamp_u32(max_age->count())
                : (timestamp ? std::uint32_t{CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S} : 0);
    cfrpd_webhook *raw = nullptr;
    cfrpd_error *err = nullptr;
    cfrpd_result rc = cfrpd_webhook_verify(
        secret.c_str(), reinterpret_cast<const std::uint8_t *>(raw_body.data()), raw_body.size(),
        sig ? sig->c_str() : nullptr, ts ? ts->c_str() : nullptr, max_age_s, &raw, &err);
    if (rc != CFRPD_OK) {
        throw detail::ErrorAccess::make(rc, err);
    }
    std::unique_ptr<cfrpd_webhook, detail::WebhookDeleter> owned(raw);
    Webhook w;
    w.event_type = detail::opt(owned->event_type);
    w.event_time = detail::opt(owned->event_time);
    w.version = detail::opt(owned->version);
    if (owned->data != nullptr) {
        w.data = detail::to_status(*owned->data);
    }
    return w;
}

} // namespace cfrpd

#endif /* CASHFREE_RPD_HPP */

/*
 * abi_test.c — checks the C ABI of cashfree-rpd against the emulator.
 *
 * Built with -Wall -Wextra -Wpedantic -Werror -std=c11 and run by tests/it/c_abi.rs (also
 * under AddressSanitizer+UBSan and valgrind). Prints one line per check and finally
 * "N passed, M failed"; exits 1 if any check failed.
 *
 * Environment (set by the harness):
 *   CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL
 *                                  an emulator that never pays by itself
 *   CFRPD_TEST_AUTOPAY_BASE_URL    an emulator that pays every request (payer JOHN DOE)
 *   CFRPD_TEST_CLOSED_URL          a loopback base URL where nothing listens
 *   CFRPD_TEST_WEBHOOK_BODY, CFRPD_TEST_WEBHOOK_TS, CFRPD_TEST_WEBHOOK_SIG
 *                                  a webhook body, its x-webhook-timestamp (now) and
 *                                  x-webhook-signature (header scheme, emulator secret)
 *   CFRPD_TEST_WEBHOOK_OLD_TS, CFRPD_TEST_WEBHOOK_OLD_SIG
 *                                  the same body correctly signed an hour ago
 *   CFRPD_TEST_WEBHOOK_OTHER_BODY, CFRPD_TEST_WEBHOOK_OTHER_SIG
 *                                  a JSON body that is not a webhook, signed with _TS
 *   CFRPD_TEST_RUN_ID              optional prefix that makes ids unique
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv, getpid */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cashfree_rpd.h"

#ifdef _WIN32
/* mingw-w64 (tests/it/windows.rs): the CRT's _putenv_s sets the process environment the
 * library reads (GetEnvironmentVariableW) as well as getenv's; an empty value removes. */
static int setenv(const char *name, const char *value, int overwrite) {
    (void)overwrite;
    return _putenv_s(name, value);
}
static int unsetenv(const char *name) { return _putenv_s(name, ""); }
#endif

/* ------------------------------------------------------------------------------------ */
/* Reporting                                                                            */

#include "check.h"

/* A non-NULL pointer that is never a valid object: out-params are preset to it so that
 * "set to NULL" can be observed. */
static max_align_t sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)

/* A variable's value, copied: the Windows CRT frees getenv's string when the variable is
 * changed (test_config_from_env does), glibc does not. Copies live in a static arena. */
static const char *env_or(const char *name, const char *fallback) {
    static char arena[8192];
    static size_t used;
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') return fallback;
    size_t len = strlen(v) + 1;
    if (len > sizeof arena - used) {
        fprintf(stderr, "abi_test: %s is too long\n", name);
        exit(2);
    }
    char *copy = memcpy(arena + used, v, len);
    used += len;
    return copy;
}

static bool str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool has_text(const char *s) { return s != NULL && *s != '\0'; }

static const char *show(const char *s) { return s != NULL ? s : "(null)"; }

/* Checks a failed call: code, *err filled (code, message, http_status), then frees it. */
static void expect_error(const char *what, cfrpd_result rc, cfrpd_error *err, cfrpd_result want,
                         unsigned want_http) {
    bool ok = rc == want && err != NULL && err->code == rc && has_text(err->message) &&
              err->http_status == want_http;
    CHECK(ok, "%s -> %s (want %s), http_status %u (want %u)%s%s", what, cfrpd_result_name(rc),
          cfrpd_result_name(want), err != NULL ? (unsigned)err->http_status : 0u, want_http,
          err != NULL ? ": " : "", err != NULL ? show(err->message) : "");
    cfrpd_error_free(err);
}

/* ------------------------------------------------------------------------------------ */
/* Fixtures                                                                             */

static char run_id[32];
static const char *client_id;
static const char *client_secret;

/* A unique verification_id "<tag>-<run>-<n>". */
static const char *new_id(const char *tag, char *buf, size_t len) {
    static unsigned counter;
    snprintf(buf, len, "%s-%s-%u", tag, run_id, ++counter);
    return buf;
}

/* A client for `base_url` with `retries` re-tries; NULL (and a failed check) on error. */
static cfrpd_client *make_client(const char *secret, const char *base_url, uint32_t retries) {
    cfrpd_config *cfg = NULL;
    cfrpd_client *client = NULL;
    cfrpd_result rc = cfrpd_config_new(client_id, secret, &cfg);
    if (rc == CFRPD_OK) rc = cfrpd_config_set_base_url(cfg, base_url);
    if (rc == CFRPD_OK) rc = cfrpd_config_set_max_retries(cfg, retries);
    if (rc == CFRPD_OK) rc = cfrpd_config_set_timeouts_ms(cfg, 5000, 20000);
    if (rc == CFRPD_OK) rc = cfrpd_client_new(cfg, &client, NULL);
    cfrpd_config_free(cfg); /* the client copied what it needs */
    if (rc != CFRPD_OK) {
        CHECK(false, "client for %s: %s", base_url, cfrpd_result_name(rc));
        return NULL;
    }
    return client;
}

/* ------------------------------------------------------------------------------------ */
/* Version, names, free(NULL)                                                           */

static void test_version_and_names(void) {
    CHECK(str_eq(cfrpd_version(), CFRPD_VERSION), "cfrpd_version() \"%s\" == CFRPD_VERSION \"%s\"",
          show(cfrpd_version()), CFRPD_VERSION);

    static const struct {
        cfrpd_result code;
        const char *name;
    } known[] = {
        {CFRPD_OK, "CFRPD_OK"},
        {CFRPD_ERR_INVALID_ARGUMENT, "CFRPD_ERR_INVALID_ARGUMENT"},
        {CFRPD_ERR_NETWORK, "CFRPD_ERR_NETWORK"},
        {CFRPD_ERR_TIMEOUT, "CFRPD_ERR_TIMEOUT"},
        {CFRPD_ERR_TLS, "CFRPD_ERR_TLS"},
        {CFRPD_ERR_BAD_REQUEST, "CFRPD_ERR_BAD_REQUEST"},
        {CFRPD_ERR_DUPLICATE_ID, "CFRPD_ERR_DUPLICATE_ID"},
        {CFRPD_ERR_UNAUTHORIZED, "CFRPD_ERR_UNAUTHORIZED"},
        {CFRPD_ERR_FORBIDDEN, "CFRPD_ERR_FORBIDDEN"},
        {CFRPD_ERR_NOT_FOUND, "CFRPD_ERR_NOT_FOUND"},
        {CFRPD_ERR_INSUFFICIENT_BALANCE, "CFRPD_ERR_INSUFFICIENT_BALANCE"},
        {CFRPD_ERR_RATE_LIMITED, "CFRPD_ERR_RATE_LIMITED"},
        {CFRPD_ERR_SERVER, "CFRPD_ERR_SERVER"},
        {CFRPD_ERR_HTTP, "CFRPD_ERR_HTTP"},
        {CFRPD_ERR_UNEXPECTED_RESPONSE, "CFRPD_ERR_UNEXPECTED_RESPONSE"},
        {CFRPD_ERR_SIGNATURE, "CFRPD_ERR_SIGNATURE"},
        {CFRPD_ERR_CANCELLED, "CFRPD_ERR_CANCELLED"},
        {CFRPD_ERR_DEADLINE, "CFRPD_ERR_DEADLINE"},
        {CFRPD_ERR_WEBHOOK_SIGNATURE, "CFRPD_ERR_WEBHOOK_SIGNATURE"},
        {CFRPD_ERR_JOURNAL, "CFRPD_ERR_JOURNAL"},
        {CFRPD_ERR_PANIC, "CFRPD_ERR_PANIC"},
    };
    /* The numbers are part of the contract. */
    CHECK(CFRPD_OK == 0 && CFRPD_ERR_INVALID_ARGUMENT == 1 && CFRPD_ERR_TLS == 4 &&
              CFRPD_ERR_BAD_REQUEST == 10 && CFRPD_ERR_HTTP == 18 &&
              CFRPD_ERR_UNEXPECTED_RESPONSE == 20 && CFRPD_ERR_WEBHOOK_SIGNATURE == 24 &&
              CFRPD_ERR_JOURNAL == 25 && CFRPD_ERR_PANIC == 99,
          "result code numbers match the contract");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *name = cfrpd_result_name(known[i].code);
        CHECK(str_eq(name, known[i].name), "cfrpd_result_name(%u) = %s", (unsigned)known[i].code,
              show(name));
    }
    static const cfrpd_result unknown[] = {5, 9, 19, 26, 98, 100, 12345, UINT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *name = cfrpd_result_name(unknown[i]);
        CHECK(str_eq(name, "CFRPD_UNKNOWN_RESULT"), "cfrpd_result_name(%lu) = %s (unknown)",
              (unsigned long)unknown[i], show(name));
    }
    CHECK(cfrpd_result_name(CFRPD_OK) == cfrpd_result_name(CFRPD_OK),
          "cfrpd_result_name returns a static string");
}

static void test_free_null(void) {
    cfrpd_error_free(NULL);
    cfrpd_config_free(NULL);
    cfrpd_client_free(NULL);
    cfrpd_request_free(NULL);
    cfrpd_status_free(NULL);
    cfrpd_webhook_free(NULL);
    CHECK(true, "every cfrpd_*_free(NULL) is a no-op");
}

/* ------------------------------------------------------------------------------------ */
/* Configuration                                                                        */

static void test_config_new(void) {
    cfrpd_config *cfg = SENTINEL;
    cfrpd_result rc = cfrpd_config_new(NULL, client_secret, &cfg);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL, "cfrpd_config_new(NULL id) -> %s, *out NULL",
          cfrpd_result_name(rc));
    cfg = SENTINEL;
    rc = cfrpd_config_new(client_id, NULL, &cfg);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL,
          "cfrpd_config_new(NULL secret) -> %s, *out NULL", cfrpd_result_name(rc));
    rc = cfrpd_config_new(client_id, client_secret, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT, "cfrpd_config_new(out NULL) -> %s", cfrpd_result_name(rc));

    static const struct {
        const char *id, *secret, *why;
    } bad[] = {
        {"", "secret", "empty id"},
        {"id", "", "empty secret"},
        {"i\td", "secret", "control character in id"},
        {"id", "sec\nret", "control character in secret"},
        {"\xff\xfe", "secret", "invalid UTF-8 id"},
        {"id", "s\xc3\x28", "invalid UTF-8 secret"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = SENTINEL;
        rc = cfrpd_config_new(bad[i].id, bad[i].secret, &cfg);
        CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL, "cfrpd_config_new(%s) -> %s",
              bad[i].why, cfrpd_result_name(rc));
        cfrpd_config_free(cfg);
    }
    cfg = NULL;
    rc = cfrpd_config_new("id-\xe0\xa4\x95", "secret", &cfg); /* non-ASCII UTF-8 is fine */
    CHECK(rc == CFRPD_OK && cfg != NULL, "cfrpd_config_new(unicode id) -> %s", cfrpd_result_name(rc));
    cfrpd_config_free(cfg);
}

static void test_config_from_env(void) {
    cfrpd_error *err = SENTINEL;
    cfrpd_result rc = cfrpd_config_from_env(NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL &&
              err->code == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_from_env(out NULL) -> %s with *err", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);
    rc = cfrpd_config_from_env(NULL, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT, "cfrpd_config_from_env(NULL, NULL) -> %s",
          cfrpd_result_name(rc));

    cfrpd_config *cfg = SENTINEL;
    err = SENTINEL;
    rc = cfrpd_config_from_env(&cfg, &err);
    CHECK(rc == CFRPD_OK && cfg != NULL && cfg != SENTINEL && err == NULL,
          "cfrpd_config_from_env() -> %s, *err NULL on success", cfrpd_result_name(rc));
    if (cfg != SENTINEL) cfrpd_config_free(cfg);

    /* A missing variable is named in the message. */
    char *saved = strdup(client_secret);
    unsetenv("CASHFREE_CLIENT_SECRET");
    cfg = SENTINEL;
    err = NULL;
    rc = cfrpd_config_from_env(&cfg, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL && err != NULL &&
              strstr(show(err->message), "CASHFREE_CLIENT_SECRET") != NULL,
          "cfrpd_config_from_env() without CASHFREE_CLIENT_SECRET -> %s: %s", cfrpd_result_name(rc),
          err != NULL ? show(err->message) : "(no error)");
    cfrpd_error_free(err);
    setenv("CASHFREE_CLIENT_SECRET", saved, 1);
    free(saved);

    setenv("CASHFREE_ENV", "staging", 1);
    cfg = SENTINEL;
    err = NULL;
    rc = cfrpd_config_from_env(&cfg, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL && err != NULL &&
              strstr(show(err->message), "CASHFREE_ENV") != NULL,
          "cfrpd_config_from_env() with CASHFREE_ENV=staging -> %s: %s", cfrpd_result_name(rc),
          err != NULL ? show(err->message) : "(no error)");
    cfrpd_error_free(err);
    unsetenv("CASHFREE_ENV");
}

static void test_config_setters(void) {
    /* NULL config for every setter. */
    CHECK(cfrpd_config_set_environment(NULL, CFRPD_ENV_SANDBOX) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_environment(NULL config)");
    CHECK(cfrpd_config_set_base_url(NULL, "https://example.com") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_base_url(NULL config)");
    CHECK(cfrpd_config_set_timeouts_ms(NULL, 1, 1) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_timeouts_ms(NULL config)");
    CHECK(cfrpd_config_set_public_key_pem(NULL, "x") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_public_key_pem(NULL config)");
    CHECK(cfrpd_config_add_root_ca_pem(NULL, "x") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_add_root_ca_pem(NULL config)");
    CHECK(cfrpd_config_set_proxy(NULL, "") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_proxy(NULL config)");
    CHECK(cfrpd_config_set_max_retries(NULL, 1) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_max_retries(NULL config)");

    cfrpd_config *cfg = NULL;
    if (!CHECK(cfrpd_config_new(client_id, client_secret, &cfg) == CFRPD_OK, "cfrpd_config_new")) {
        return;
    }
    /* NULL and invalid UTF-8 strings. */
    CHECK(cfrpd_config_set_base_url(cfg, NULL) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_base_url(NULL url)");
    CHECK(cfrpd_config_set_public_key_pem(cfg, NULL) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_public_key_pem(NULL pem)");
    CHECK(cfrpd_config_add_root_ca_pem(cfg, NULL) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_add_root_ca_pem(NULL pem)");
    CHECK(cfrpd_config_set_proxy(cfg, NULL) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_proxy(NULL url)");
    CHECK(cfrpd_config_set_base_url(cfg, "https://\xff.example/x") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_base_url(invalid UTF-8)");
    CHECK(cfrpd_config_set_public_key_pem(cfg, "\xc3\x28") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_public_key_pem(invalid UTF-8)");
    CHECK(cfrpd_config_add_root_ca_pem(cfg, "\xc3\x28") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_add_root_ca_pem(invalid UTF-8)");
    CHECK(cfrpd_config_set_proxy(cfg, "http://\xff") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_proxy(invalid UTF-8)");

    /* Environment enum values are checked. */
    CHECK(cfrpd_config_set_environment(cfg, CFRPD_ENV_PRODUCTION) == CFRPD_OK,
          "cfrpd_config_set_environment(PRODUCTION)");
    CHECK(cfrpd_config_set_environment(cfg, CFRPD_ENV_SANDBOX) == CFRPD_OK,
          "cfrpd_config_set_environment(SANDBOX)");
    CHECK(cfrpd_config_set_environment(cfg, 2) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_environment(2) (unknown)");
    CHECK(cfrpd_config_set_environment(cfg, UINT32_MAX) == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_environment(UINT32_MAX) (unknown)");

    /* Base URLs. */
    static const struct {
        const char *url;
        cfrpd_result want;
    } urls[] = {
        {"http://example.com", CFRPD_ERR_INVALID_ARGUMENT},
        {"http://example.com/verification", CFRPD_ERR_INVALID_ARGUMENT},
        {"http://10.0.0.1/verification", CFRPD_ERR_INVALID_ARGUMENT},
        {"ftp://127.0.0.1/verification", CFRPD_ERR_INVALID_ARGUMENT},
        {"127.0.0.1:8080/verification", CFRPD_ERR_INVALID_ARGUMENT},
        {"", CFRPD_ERR_INVALID_ARGUMENT},
        {"https://example.com/v?x=1", CFRPD_ERR_INVALID_ARGUMENT},
        {"https://example.com/v#frag", CFRPD_ERR_INVALID_ARGUMENT},
        {"https://user:pw@example.com/v", CFRPD_ERR_INVALID_ARGUMENT},
        {"https://exa mple.com/v", CFRPD_ERR_INVALID_ARGUMENT},
        {"https://example.com/verification/", CFRPD_OK},
        {"http://127.0.0.1:9/verification", CFRPD_OK},
        {"http://localhost:9/verification", CFRPD_OK},
        {"http://[::1]:9/verification", CFRPD_OK},
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        cfrpd_result rc = cfrpd_config_set_base_url(cfg, urls[i].url);
        CHECK(rc == urls[i].want, "cfrpd_config_set_base_url(\"%s\") -> %s", urls[i].url,
              cfrpd_result_name(rc));
    }

    CHECK(cfrpd_config_set_timeouts_ms(cfg, 0, 0) == CFRPD_OK, "cfrpd_config_set_timeouts_ms(0, 0)");
    CHECK(cfrpd_config_set_timeouts_ms(cfg, UINT32_MAX, 1) == CFRPD_OK,
          "cfrpd_config_set_timeouts_ms(UINT32_MAX, 1)");
    CHECK(cfrpd_config_set_public_key_pem(cfg, "not a key") == CFRPD_ERR_SIGNATURE,
          "cfrpd_config_set_public_key_pem(garbage) -> CFRPD_ERR_SIGNATURE");
    CHECK(cfrpd_config_add_root_ca_pem(cfg, "not a certificate") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_add_root_ca_pem(garbage) -> CFRPD_ERR_INVALID_ARGUMENT");
    CHECK(cfrpd_config_set_proxy(cfg, "ftp://127.0.0.1:21") == CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_proxy(ftp://) -> CFRPD_ERR_INVALID_ARGUMENT");
    CHECK(cfrpd_config_set_proxy(cfg, "http://127.0.0.1:3128") == CFRPD_OK,
          "cfrpd_config_set_proxy(http://127.0.0.1:3128)");
    CHECK(cfrpd_config_set_proxy(cfg, "") == CFRPD_OK, "cfrpd_config_set_proxy(\"\") clears it");
    CHECK(cfrpd_config_set_max_retries(cfg, CFRPD_MAX_RETRIES_LIMIT) == CFRPD_OK,
          "cfrpd_config_set_max_retries(CFRPD_MAX_RETRIES_LIMIT)");
    CHECK(cfrpd_config_set_max_retries(cfg, CFRPD_MAX_RETRIES_LIMIT + 1) ==
              CFRPD_ERR_INVALID_ARGUMENT,
          "cfrpd_config_set_max_retries(CFRPD_MAX_RETRIES_LIMIT + 1) -> CFRPD_ERR_INVALID_ARGUMENT");
    CHECK(cfrpd_config_set_max_retries(cfg, 0) == CFRPD_OK, "cfrpd_config_set_max_retries(0)");

    /* cfrpd_client_new: NULL arguments, and err may be NULL. */
    cfrpd_client *client = SENTINEL;
    cfrpd_error *err = SENTINEL;
    cfrpd_result rc = cfrpd_client_new(NULL, &client, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && client == NULL && err != NULL && err != SENTINEL,
          "cfrpd_client_new(NULL config) -> %s, *out NULL, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);
    err = SENTINEL;
    rc = cfrpd_client_new(cfg, NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL,
          "cfrpd_client_new(out NULL) -> %s, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);
    client = SENTINEL;
    rc = cfrpd_client_new(NULL, &client, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && client == NULL,
          "cfrpd_client_new(NULL config, err NULL) -> %s", cfrpd_result_name(rc));
    client = SENTINEL;
    err = SENTINEL;
    rc = cfrpd_client_new(cfg, &client, &err);
    CHECK(rc == CFRPD_OK && client != NULL && client != SENTINEL && err == NULL,
          "cfrpd_client_new(config) -> %s, *err NULL", cfrpd_result_name(rc));
    cfrpd_config_free(cfg);
    if (client != SENTINEL) cfrpd_client_free(client);
}

/* ------------------------------------------------------------------------------------ */
/* NULL and malformed arguments to the calls (nothing reaches the server)               */

static bool never_called(void *user_data, const cfrpd_status *latest) {
    (void)user_data;
    (void)latest;
    CHECK(false, "poll callback called for invalid arguments");
    return false;
}

static void test_call_arguments(const cfrpd_client *client) {
    cfrpd_request *req;
    cfrpd_status *st;
    cfrpd_webhook *hook;
    cfrpd_error *err;
    cfrpd_result rc;
    char idbuf[64];
    const char *id = new_id("args", idbuf, sizeof idbuf);

#define EXPECT_INVALID(what, call, outvar)                                                    \
    do {                                                                                      \
        outvar = SENTINEL;                                                                    \
        err = SENTINEL;                                                                       \
        rc = (call);                                                                          \
        CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && outvar == NULL && err != NULL &&            \
                  err != SENTINEL && err->code == rc && err->http_status == 0 &&              \
                  has_text(err->message),                                                     \
              "%s -> %s, *out NULL, *err: %s", what, cfrpd_result_name(rc),                   \
              err != NULL && err != SENTINEL ? show(err->message) : "(not set)");             \
        if (err != SENTINEL) cfrpd_error_free(err);                                           \
    } while (0)

    /* cfrpd_create */
    EXPECT_INVALID("cfrpd_create(NULL client)", cfrpd_create(NULL, id, "John", &req, &err), req);
    EXPECT_INVALID("cfrpd_create(NULL id)", cfrpd_create(client, NULL, "John", &req, &err), req);
    EXPECT_INVALID("cfrpd_create(NULL name)", cfrpd_create(client, id, NULL, &req, &err), req);
    err = SENTINEL;
    rc = cfrpd_create(client, id, "John", NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL,
          "cfrpd_create(out NULL) -> %s, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);
    req = SENTINEL;
    rc = cfrpd_create(NULL, id, "John", &req, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && req == NULL,
          "cfrpd_create(NULL client, err NULL) -> %s, *out NULL", cfrpd_result_name(rc));
    rc = cfrpd_create(client, id, "John", NULL, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT, "cfrpd_create(out NULL, err NULL) -> %s",
          cfrpd_result_name(rc));

    /* cfrpd_get_status / cfrpd_get_status_by_ref_id */
    EXPECT_INVALID("cfrpd_get_status(NULL client)", cfrpd_get_status(NULL, id, &st, &err), st);
    EXPECT_INVALID("cfrpd_get_status(NULL id)", cfrpd_get_status(client, NULL, &st, &err), st);
    err = SENTINEL;
    rc = cfrpd_get_status(client, id, NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL,
          "cfrpd_get_status(out NULL) -> %s, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);
    EXPECT_INVALID("cfrpd_get_status_by_ref_id(NULL client)",
                   cfrpd_get_status_by_ref_id(NULL, 1, &st, &err), st);
    EXPECT_INVALID("cfrpd_get_status_by_ref_id(ref_id 0)",
                   cfrpd_get_status_by_ref_id(client, 0, &st, &err), st);
    EXPECT_INVALID("cfrpd_get_status_by_ref_id(ref_id -7)",
                   cfrpd_get_status_by_ref_id(client, -7, &st, &err), st);
    EXPECT_INVALID("cfrpd_get_status_by_ref_id(ref_id INT64_MIN)",
                   cfrpd_get_status_by_ref_id(client, INT64_MIN, &st, &err), st);
    rc = cfrpd_get_status_by_ref_id(client, 1, NULL, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT, "cfrpd_get_status_by_ref_id(out NULL) -> %s",
          cfrpd_result_name(rc));

    /* cfrpd_wait_for_result */
    EXPECT_INVALID("cfrpd_wait_for_result(NULL client)",
                   cfrpd_wait_for_result(NULL, id, 1000, 0, never_called, NULL, &st, &err), st);
    EXPECT_INVALID("cfrpd_wait_for_result(NULL id)",
                   cfrpd_wait_for_result(client, NULL, 1000, 0, never_called, NULL, &st, &err), st);
    EXPECT_INVALID("cfrpd_wait_for_result(timeout 0)",
                   cfrpd_wait_for_result(client, id, 0, 0, never_called, NULL, &st, &err), st);
    err = SENTINEL;
    rc = cfrpd_wait_for_result(client, id, 1000, 0, never_called, NULL, NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL,
          "cfrpd_wait_for_result(out NULL) -> %s, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);

    /* cfrpd_webhook_verify */
    static const uint8_t body[] = "{}";
    EXPECT_INVALID("cfrpd_webhook_verify(NULL secret)",
                   cfrpd_webhook_verify(NULL, body, 2, "sig", "1", 0, &hook, &err), hook);
    EXPECT_INVALID("cfrpd_webhook_verify(NULL body, len 2)",
                   cfrpd_webhook_verify("secret", NULL, 2, "sig", "1", 0, &hook, &err), hook);
    EXPECT_INVALID("cfrpd_webhook_verify(invalid UTF-8 secret)",
                   cfrpd_webhook_verify("\xff", body, 2, "sig", "1", 0, &hook, &err), hook);
    EXPECT_INVALID("cfrpd_webhook_verify(invalid UTF-8 signature)",
                   cfrpd_webhook_verify("secret", body, 2, "\xff", "1", 0, &hook, &err), hook);
    EXPECT_INVALID("cfrpd_webhook_verify(invalid UTF-8 timestamp)",
                   cfrpd_webhook_verify("secret", body, 2, "sig", "\xff", 0, &hook, &err), hook);
    err = SENTINEL;
    rc = cfrpd_webhook_verify("secret", body, 2, "sig", "1", 0, NULL, &err);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && err != NULL && err != SENTINEL,
          "cfrpd_webhook_verify(out NULL) -> %s, *err set", cfrpd_result_name(rc));
    if (err != SENTINEL) cfrpd_error_free(err);

    /* Malformed verification_ids and names: checked before any I/O. */
    char too_long[CFRPD_MAX_VERIFICATION_ID_LEN + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0'; /* 51 characters */
    static const struct {
        const char *id;
        const char *why;
    } bad_ids[] = {
        {"", "empty"},
        {NULL, "51 characters"},
        {"caf\xc3\xa9-1", "unicode"},
        {"\xe0\xa4\x95\xe0\xa4\xbe", "Devanagari"},
        {"has space", "space"},
        {" lead", "leading space"},
        {"tab\there", "tab"},
        {"line\n", "newline"},
        {"slash/es", "slash"},
        {"q?x=1", "question mark"},
        {"\xff\xfe", "invalid UTF-8"},
        {"ok-\xc3\x28", "invalid UTF-8 sequence"},
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        const char *bad = bad_ids[i].id != NULL ? bad_ids[i].id : too_long;
        char what[96];
        snprintf(what, sizeof what, "cfrpd_create(%s id)", bad_ids[i].why);
        EXPECT_INVALID(what, cfrpd_create(client, bad, "John Doe", &req, &err), req);
        snprintf(what, sizeof what, "cfrpd_get_status(%s id)", bad_ids[i].why);
        EXPECT_INVALID(what, cfrpd_get_status(client, bad, &st, &err), st);
        snprintf(what, sizeof what, "cfrpd_wait_for_result(%s id)", bad_ids[i].why);
        EXPECT_INVALID(what, cfrpd_wait_for_result(client, bad, 1000, 0, never_called, NULL, &st, &err),
                       st);
    }
    static const struct {
        const char *name;
        const char *why;
    } bad_names[] = {
        {"", "empty"},
        {"   ", "blank"},
        {"\xff\xfe", "invalid UTF-8"},
        {"Jo\xc3\x28hn", "invalid UTF-8 sequence"},
    };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "cfrpd_create(%s name)", bad_names[i].why);
        EXPECT_INVALID(what, cfrpd_create(client, id, bad_names[i].name, &req, &err), req);
    }
#undef EXPECT_INVALID
}

/* ------------------------------------------------------------------------------------ */
/* Happy path: create -> paid (auto-pay emulator) -> SUCCESS                             */

struct poll_log {
    unsigned calls;
    cfrpd_state last_state;
    bool ids_ok;
    const char *want_id;
    unsigned cancel_after; /* return false on this call (0 = never) */
    const cfrpd_client *client; /* when set, the callback calls cfrpd_get_status too */
    bool nested_ok;
};

static bool record_poll(void *user_data, const cfrpd_status *latest) {
    struct poll_log *log = user_data;
    log->calls++;
    log->last_state = latest->state;
    if (!str_eq(latest->verification_id, log->want_id) || latest->raw_json == NULL) {
        log->ids_ok = false;
    }
    if (log->client != NULL) {
        /* The callback may call other cfrpd functions. */
        cfrpd_status *inner = NULL;
        cfrpd_result rc = cfrpd_get_status(log->client, log->want_id, &inner, NULL);
        log->nested_ok = rc == CFRPD_OK && inner != NULL && str_eq(inner->verification_id, log->want_id);
        cfrpd_status_free(inner);
    }
    return log->cancel_after == 0 || log->calls < log->cancel_after;
}

static void test_happy_path(const cfrpd_client *client) {
    char idbuf[64];
    const char *id = new_id("happy", idbuf, sizeof idbuf);
    cfrpd_request *req = SENTINEL;
    cfrpd_error *err = SENTINEL;
    cfrpd_result rc = cfrpd_create(client, id, "John Doe", &req, &err);
    if (!CHECK(rc == CFRPD_OK && req != NULL && req != SENTINEL && err == NULL,
               "cfrpd_create(%s) -> %s, *err NULL", id, cfrpd_result_name(rc))) {
        if (err != SENTINEL) cfrpd_error_free(err);
        return;
    }
    CHECK(str_eq(req->verification_id, id), "request verification_id = %s", show(req->verification_id));
    CHECK(req->ref_id > 0, "request ref_id = %lld > 0", (long long)req->ref_id);
    CHECK(req->upi_link != NULL && strncmp(req->upi_link, "upi://", 6) == 0,
          "request upi_link = %s", show(req->upi_link));
    CHECK(has_text(req->valid_upto), "request valid_upto = %s", show(req->valid_upto));
    CHECK(has_text(req->gpay) && has_text(req->bhim) && has_text(req->paytm) && has_text(req->phonepe),
          "request has gpay, bhim, paytm and phonepe links");
    CHECK(has_text(req->qr_code), "request qr_code is set");
    CHECK(req->qr_png != NULL && req->qr_png_len > 8 &&
              memcmp(req->qr_png, "\x89PNG\r\n\x1a\n", 8) == 0,
          "request qr_png holds a PNG (%lu bytes)", (unsigned long)req->qr_png_len);
    CHECK(req->raw_json != NULL && strstr(req->raw_json, id) != NULL, "request raw_json holds the id");
    int64_t ref_id = req->ref_id;

    /* Wait until the emulator pays it. */
    struct poll_log log = {0, CFRPD_STATE_UNKNOWN, true, id, 0, NULL, false};
    cfrpd_status *st = SENTINEL;
    err = SENTINEL;
    rc = cfrpd_wait_for_result(client, id, 30000, 500, record_poll, &log, &st, &err);
    if (CHECK(rc == CFRPD_OK && st != NULL && st != SENTINEL && err == NULL,
              "cfrpd_wait_for_result(%s) -> %s after %u polls", id, cfrpd_result_name(rc),
              log.calls)) {
        CHECK(st->state == CFRPD_STATE_SUCCESS && st->is_final, "state SUCCESS, is_final");
        CHECK(str_eq(st->status, "SUCCESS"), "status = %s", show(st->status));
        CHECK(str_eq(st->verification_id, id), "verification_id = %s", show(st->verification_id));
        char ref_text[32];
        snprintf(ref_text, sizeof ref_text, "%lld", (long long)ref_id);
        CHECK(str_eq(st->ref_id, ref_text), "ref_id = %s (want %s)", show(st->ref_id), ref_text);
        CHECK(str_eq(st->bank_account, "026291800001191"), "bank_account = %s", show(st->bank_account));
        CHECK(str_eq(st->ifsc, "YESB0000262"), "ifsc = %s", show(st->ifsc));
        CHECK(str_eq(st->name_at_bank, "JOHN DOE"), "name_at_bank = %s", show(st->name_at_bank));
        CHECK(has_text(st->upi) && has_text(st->utr), "upi = %s, utr = %s", show(st->upi), show(st->utr));
        CHECK(st->name_match == CFRPD_MATCH_DIRECT && str_eq(st->name_match_result, "DIRECT_MATCH"),
              "name_match DIRECT (%s, score %s)", show(st->name_match_result),
              show(st->name_match_score));
        CHECK(has_text(st->name_match_score), "name_match_score = %s", show(st->name_match_score));
        CHECK(st->raw_json != NULL && strstr(st->raw_json, "SUCCESS") != NULL, "raw_json holds SUCCESS");
    } else if (err != SENTINEL && err != NULL) {
        printf("     error: %s\n", show(err->message));
        cfrpd_error_free(err);
    }
    CHECK(log.calls >= 1 && log.ids_ok && log.last_state == CFRPD_STATE_SUCCESS,
          "poll callback called %u times with the request's status, last SUCCESS", log.calls);
    if (st != SENTINEL) cfrpd_status_free(st);

    /* The same by ref_id and by id. */
    st = SENTINEL;
    err = SENTINEL;
    rc = cfrpd_get_status_by_ref_id(client, ref_id, &st, &err);
    CHECK(rc == CFRPD_OK && st != NULL && st != SENTINEL && err == NULL &&
              st->state == CFRPD_STATE_SUCCESS && str_eq(st->verification_id, id),
          "cfrpd_get_status_by_ref_id(%lld) -> %s, SUCCESS for %s", (long long)ref_id,
          cfrpd_result_name(rc), st != NULL && st != SENTINEL ? show(st->verification_id) : "-");
    if (st != SENTINEL) cfrpd_status_free(st);
    if (err != SENTINEL) cfrpd_error_free(err);
    st = NULL;
    rc = cfrpd_get_status(client, id, &st, NULL);
    CHECK(rc == CFRPD_OK && st != NULL && st->state == CFRPD_STATE_SUCCESS &&
              str_eq(st->bank_account, "026291800001191"),
          "cfrpd_get_status(%s, err NULL) -> %s, SUCCESS", id, cfrpd_result_name(rc));
    cfrpd_status_free(st);

    /* A waited-for final status returns at once, even when the callback says stop. */
    struct poll_log stop = {0, CFRPD_STATE_UNKNOWN, true, id, 1, NULL, false};
    st = NULL;
    rc = cfrpd_wait_for_result(client, id, 10000, 0, record_poll, &stop, &st, NULL);
    CHECK(rc == CFRPD_OK && st != NULL && st->state == CFRPD_STATE_SUCCESS && stop.calls == 1,
          "cfrpd_wait_for_result on a final status with a stopping callback -> %s",
          cfrpd_result_name(rc));
    cfrpd_status_free(st);

    /* The id is single use. */
    cfrpd_request *again = SENTINEL;
    err = NULL;
    rc = cfrpd_create(client, id, "John Doe", &again, &err);
    CHECK(again == NULL, "duplicate create leaves *out NULL");
    CHECK(err == NULL || !err->ambiguous, "duplicate create is not ambiguous");
    expect_error("cfrpd_create(same id again)", rc, err, CFRPD_ERR_DUPLICATE_ID, 400);
    cfrpd_request_free(req);

    /* The longest id allowed works. */
    char longest[CFRPD_MAX_VERIFICATION_ID_LEN + 1];
    int n = snprintf(longest, sizeof longest, "max-%s-", run_id);
    memset(longest + n, 'x', sizeof longest - 1 - (size_t)n);
    longest[sizeof longest - 1] = '\0';
    req = NULL;
    rc = cfrpd_create(client, longest, "Jane Roe", &req, NULL);
    CHECK(rc == CFRPD_OK && req != NULL && str_eq(req->verification_id, longest),
          "cfrpd_create(50-character id) -> %s", cfrpd_result_name(rc));
    cfrpd_request_free(req);
}

/* ------------------------------------------------------------------------------------ */
/* A request nobody pays: CREATED, DEADLINE, CANCELLED                                  */

static void test_pending(const cfrpd_client *client) {
    char idbuf[64];
    const char *id = new_id("pending", idbuf, sizeof idbuf);
    cfrpd_request *req = NULL;
    cfrpd_result rc = cfrpd_create(client, id, "Ravi Kumar", &req, NULL);
    if (!CHECK(rc == CFRPD_OK && req != NULL, "cfrpd_create(%s) -> %s", id, cfrpd_result_name(rc))) {
        return;
    }
    cfrpd_request_free(req);

    cfrpd_status *st = NULL;
    rc = cfrpd_get_status(client, id, &st, NULL);
    if (CHECK(rc == CFRPD_OK && st != NULL, "cfrpd_get_status(%s) -> %s", id, cfrpd_result_name(rc))) {
        CHECK(st->state == CFRPD_STATE_CREATED && !st->is_final && str_eq(st->status, "CREATED"),
              "state CREATED, not final (%s)", show(st->status));
        CHECK(st->bank_account != NULL && st->bank_account[0] == '\0',
              "empty bank_account is \"\" (not NULL)");
        CHECK(st->name_match == CFRPD_MATCH_UNKNOWN, "name_match UNKNOWN while pending");
    }
    cfrpd_status_free(st);

    /* DEADLINE: *out holds the last CREATED status. */
    struct poll_log log = {0, CFRPD_STATE_UNKNOWN, true, id, 0, NULL, false};
    st = SENTINEL;
    cfrpd_error *err = NULL;
    rc = cfrpd_wait_for_result(client, id, 2000, 500, record_poll, &log, &st, &err);
    CHECK(rc == CFRPD_ERR_DEADLINE && st != NULL && st != SENTINEL && st->state == CFRPD_STATE_CREATED &&
              str_eq(st->verification_id, id),
          "cfrpd_wait_for_result(2000 ms, never paid) -> %s, *out = last status (%s)",
          cfrpd_result_name(rc), st != NULL && st != SENTINEL ? show(st->status) : "NULL");
    CHECK(log.calls >= 1 && log.last_state == CFRPD_STATE_CREATED && log.ids_ok,
          "poll callback saw CREATED %u times", log.calls);
    if (st != SENTINEL) cfrpd_status_free(st);
    expect_error("cfrpd_wait_for_result deadline error", rc, err, CFRPD_ERR_DEADLINE, 0);

    /* DEADLINE with err NULL still hands back the status. */
    st = NULL;
    rc = cfrpd_wait_for_result(client, id, 1000, 500, NULL, NULL, &st, NULL);
    CHECK(rc == CFRPD_ERR_DEADLINE && st != NULL && st->state == CFRPD_STATE_CREATED,
          "cfrpd_wait_for_result(no callback, err NULL) -> %s with the last status",
          cfrpd_result_name(rc));
    cfrpd_status_free(st);

    /* CANCELLED: the callback says stop on its first call (and calls cfrpd_get_status). */
    struct poll_log cancel = {0, CFRPD_STATE_UNKNOWN, true, id, 1, client, false};
    st = SENTINEL;
    err = NULL;
    rc = cfrpd_wait_for_result(client, id, 30000, 500, record_poll, &cancel, &st, &err);
    CHECK(rc == CFRPD_ERR_CANCELLED && st != NULL && st != SENTINEL && st->state == CFRPD_STATE_CREATED,
          "cfrpd_wait_for_result(callback returns false) -> %s, *out = last status",
          cfrpd_result_name(rc));
    CHECK(cancel.calls == 1, "cancelling callback called once (%u)", cancel.calls);
    CHECK(cancel.nested_ok, "cfrpd_get_status from inside the callback works");
    if (st != SENTINEL) cfrpd_status_free(st);
    expect_error("cfrpd_wait_for_result cancel error", rc, err, CFRPD_ERR_CANCELLED, 0);

    /* Unknown ids. */
    char unknown[64];
    new_id("never-created", unknown, sizeof unknown);
    st = SENTINEL;
    err = NULL;
    rc = cfrpd_get_status(client, unknown, &st, &err);
    CHECK(st == NULL, "unknown id: *out NULL");
    expect_error("cfrpd_get_status(unknown id)", rc, err, CFRPD_ERR_NOT_FOUND, 404);
    st = SENTINEL;
    err = NULL;
    rc = cfrpd_get_status_by_ref_id(client, INT64_MAX, &st, &err);
    CHECK(st == NULL, "unknown ref_id: *out NULL");
    expect_error("cfrpd_get_status_by_ref_id(INT64_MAX)", rc, err, CFRPD_ERR_NOT_FOUND, 404);
}

/* ------------------------------------------------------------------------------------ */
/* Error paths                                                                          */

static void test_errors(const char *base_url, const char *closed_url) {
    char idbuf[64];
    cfrpd_request *req;
    cfrpd_status *st;
    cfrpd_error *err;
    cfrpd_result rc;

    /* 401: wrong secret. The secret never appears in what comes back. */
    static const char wrong_secret[] = "wrong-secret-7f3a9c";
    cfrpd_client *bad = make_client(wrong_secret, base_url, 0);
    if (bad != NULL) {
        req = SENTINEL;
        err = NULL;
        rc = cfrpd_create(bad, new_id("unauth", idbuf, sizeof idbuf), "John", &req, &err);
        CHECK(req == NULL, "401: *out NULL");
        CHECK(err != NULL && strstr(show(err->message), wrong_secret) == NULL &&
                  (err->raw_body == NULL || strstr(err->raw_body, wrong_secret) == NULL),
              "401: the secret is not in message or raw_body");
        CHECK(err != NULL && str_eq(err->api_code, "authentication_failed"),
              "401: api_code = %s", err != NULL ? show(err->api_code) : "-");
        CHECK(err != NULL && !err->retryable && !err->ambiguous, "401: not retryable, not ambiguous");
        expect_error("cfrpd_create(wrong secret)", rc, err, CFRPD_ERR_UNAUTHORIZED, 401);
        st = SENTINEL;
        err = NULL;
        rc = cfrpd_get_status(bad, idbuf, &st, &err);
        CHECK(st == NULL, "401 status: *out NULL");
        expect_error("cfrpd_get_status(wrong secret)", rc, err, CFRPD_ERR_UNAUTHORIZED, 401);
        /* A wait ends at once on 401. */
        st = SENTINEL;
        err = NULL;
        rc = cfrpd_wait_for_result(bad, idbuf, 20000, 500, never_called, NULL, &st, &err);
        CHECK(st == NULL, "401 wait: *out NULL");
        expect_error("cfrpd_wait_for_result(wrong secret)", rc, err, CFRPD_ERR_UNAUTHORIZED, 401);
        cfrpd_client_free(bad);
    }

    /* The documented errors, through magic ids. No re-tries, to keep it quick. */
    cfrpd_client *client = make_client(client_secret, base_url, 0);
    if (client == NULL) {
        return;
    }
    static const struct {
        unsigned http;
        cfrpd_result code;
        bool create_ambiguous;
    } magic[] = {
        {400, CFRPD_ERR_DUPLICATE_ID, false},
        {401, CFRPD_ERR_UNAUTHORIZED, false},
        {403, CFRPD_ERR_FORBIDDEN, false},
        {404, CFRPD_ERR_NOT_FOUND, false},
        {422, CFRPD_ERR_INSUFFICIENT_BALANCE, false},
        {429, CFRPD_ERR_RATE_LIMITED, false},
        {500, CFRPD_ERR_SERVER, true},
        {502, CFRPD_ERR_SERVER, true},
        {503, CFRPD_ERR_SERVER, false},
    };
    for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++) {
        char tag[32];
        char what[96];
        snprintf(tag, sizeof tag, "emu-fault-%u", magic[i].http);
        const char *id = new_id(tag, idbuf, sizeof idbuf);

        req = SENTINEL;
        err = NULL;
        rc = cfrpd_create(client, id, "John Doe", &req, &err);
        CHECK(req == NULL, "create %u: *out NULL", magic[i].http);
        CHECK(err != NULL && err->ambiguous == magic[i].create_ambiguous,
              "create %u: ambiguous = %s", magic[i].http,
              err != NULL ? (err->ambiguous ? "true" : "false") : "-");
        snprintf(what, sizeof what, "cfrpd_create(%s)", id);
        expect_error(what, rc, err, magic[i].code, magic[i].http);

        st = SENTINEL;
        err = NULL;
        rc = cfrpd_get_status(client, id, &st, &err);
        CHECK(st == NULL, "status %u: *out NULL", magic[i].http);
        snprintf(what, sizeof what, "cfrpd_get_status(%s)", id);
        expect_error(what, rc, err, magic[i].code, magic[i].http);
    }
    /* 429 and 503 on create certainly were not processed: retryable. */
    err = NULL;
    rc = cfrpd_create(client, new_id("emu-fault-429", idbuf, sizeof idbuf), "John", &req, &err);
    CHECK(rc == CFRPD_ERR_RATE_LIMITED && err != NULL && err->retryable && !err->ambiguous,
          "create 429: retryable, not ambiguous");
    cfrpd_error_free(err);
    err = NULL;
    rc = cfrpd_create(client, new_id("emu-fault-500", idbuf, sizeof idbuf), "John", &req, &err);
    CHECK(rc == CFRPD_ERR_SERVER && err != NULL && !err->retryable && err->ambiguous,
          "create 500: ambiguous, not retryable");
    cfrpd_error_free(err);
    /* A wait ends at once on 422 (not transient). */
    st = SENTINEL;
    err = NULL;
    rc = cfrpd_wait_for_result(client, new_id("emu-fault-422", idbuf, sizeof idbuf), 20000, 500,
                               never_called, NULL, &st, &err);
    CHECK(st == NULL, "422 wait: *out NULL");
    expect_error("cfrpd_wait_for_result(emu-fault-422)", rc, err, CFRPD_ERR_INSUFFICIENT_BALANCE, 422);
    cfrpd_client_free(client);

    /* Connection refused: a loopback port where nothing listens. */
    cfrpd_client *closed = make_client(client_secret, closed_url, 0);
    if (closed != NULL) {
        req = SENTINEL;
        err = NULL;
        rc = cfrpd_create(closed, new_id("refused", idbuf, sizeof idbuf), "John", &req, &err);
        CHECK(req == NULL, "connection refused: *out NULL");
        CHECK(err != NULL && !err->ambiguous && err->retryable,
              "connection refused on create: retryable, not ambiguous");
        expect_error("cfrpd_create(connection refused)", rc, err, CFRPD_ERR_NETWORK, 0);
        st = SENTINEL;
        err = NULL;
        rc = cfrpd_get_status(closed, idbuf, &st, &err);
        CHECK(st == NULL, "connection refused status: *out NULL");
        expect_error("cfrpd_get_status(connection refused)", rc, err, CFRPD_ERR_NETWORK, 0);
        /* A wait keeps retrying until its deadline; no poll succeeded, so *out is NULL. */
        st = SENTINEL;
        err = NULL;
        rc = cfrpd_wait_for_result(closed, idbuf, 800, 500, never_called, NULL, &st, &err);
        CHECK((rc == CFRPD_ERR_DEADLINE || rc == CFRPD_ERR_NETWORK) && st == NULL && err != NULL &&
                  err->code == rc,
              "cfrpd_wait_for_result(connection refused) -> %s, *out NULL", cfrpd_result_name(rc));
        cfrpd_error_free(err);
        cfrpd_client_free(closed);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Webhooks                                                                             */

static cfrpd_result verify(const char *secret, const char *body, const char *sig, const char *ts,
                           uint32_t max_age, cfrpd_webhook **out, cfrpd_error **err) {
    return cfrpd_webhook_verify(secret, (const uint8_t *)body, strlen(body), sig, ts, max_age, out,
                                err);
}

static void test_webhooks(void) {
    const char *body = getenv("CFRPD_TEST_WEBHOOK_BODY");
    const char *ts = getenv("CFRPD_TEST_WEBHOOK_TS");
    const char *sig = getenv("CFRPD_TEST_WEBHOOK_SIG");
    const char *old_ts = getenv("CFRPD_TEST_WEBHOOK_OLD_TS");
    const char *old_sig = getenv("CFRPD_TEST_WEBHOOK_OLD_SIG");
    const char *other_body = getenv("CFRPD_TEST_WEBHOOK_OTHER_BODY");
    const char *other_sig = getenv("CFRPD_TEST_WEBHOOK_OTHER_SIG");
    if (!CHECK(body != NULL && ts != NULL && sig != NULL && old_ts != NULL && old_sig != NULL &&
                   other_body != NULL && other_sig != NULL,
               "webhook fixtures are in the environment")) {
        return;
    }
    cfrpd_webhook *hook = SENTINEL;
    cfrpd_error *err = SENTINEL;
    cfrpd_result rc = verify(client_secret, body, sig, ts, 300, &hook, &err);
    if (CHECK(rc == CFRPD_OK && hook != NULL && hook != SENTINEL && err == NULL,
              "cfrpd_webhook_verify(good signature) -> %s", cfrpd_result_name(rc))) {
        CHECK(str_eq(hook->event_type, "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS"), "event_type = %s",
              show(hook->event_type));
        CHECK(str_eq(hook->version, "v1") && has_text(hook->event_time), "version = %s, event_time = %s",
              show(hook->version), show(hook->event_time));
        CHECK(hook->data != NULL && hook->data->state == CFRPD_STATE_SUCCESS &&
                  str_eq(hook->data->verification_id, "webhook-1") &&
                  str_eq(hook->data->name_at_bank, "JOHN DOE"),
              "data: SUCCESS for webhook-1 (JOHN DOE)");
        cfrpd_webhook_free(hook);
    } else if (err != NULL && err != SENTINEL) {
        printf("     error: %s\n", show(err->message));
        cfrpd_error_free(err);
    }

    /* Surrounding whitespace in the headers is ignored. */
    char padded_sig[256];
    char padded_ts[64];
    snprintf(padded_sig, sizeof padded_sig, "  %s ", sig);
    snprintf(padded_ts, sizeof padded_ts, " %s\t", ts);
    hook = NULL;
    rc = verify(client_secret, body, padded_sig, padded_ts, 300, &hook, NULL);
    CHECK(rc == CFRPD_OK && hook != NULL, "cfrpd_webhook_verify(padded headers) -> %s",
          cfrpd_result_name(rc));
    cfrpd_webhook_free(hook);

    /* Wrong, missing, or stale signatures. */
    char wrong_sig[256];
    snprintf(wrong_sig, sizeof wrong_sig, "%s", sig);
    wrong_sig[0] = wrong_sig[0] == 'A' ? 'B' : 'A';
    size_t len = strlen(body);
    char *tampered = malloc(len + 1);
    memcpy(tampered, body, len + 1);
    char *p = strstr(tampered, "SUCCESS");
    if (p != NULL) memcpy(p, "FAILURE", 7);
    static const char not_base64[] = "!!!not base64!!!";
    const struct {
        const char *why, *secret, *body, *sig, *ts;
        uint32_t max_age;
    } bad[] = {
        {"one character of the signature changed", client_secret, body, wrong_sig, ts, 300},
        {"body changed", client_secret, tampered, sig, ts, 300},
        {"wrong secret", "not-the-secret", body, sig, ts, 300},
        {"signature not base64", client_secret, body, not_base64, ts, 300},
        {"signature without timestamp", client_secret, body, sig, NULL, 300},
        {"timestamp without signature", client_secret, body, NULL, ts, 300},
        {"other timestamp", client_secret, body, sig, old_ts, 0},
        {"timestamp not digits", client_secret, body, sig, "12x4", 0},
        {"empty signature", client_secret, body, "", ts, 300},
        {"stale timestamp (an hour old, max_age 300)", client_secret, body, old_sig, old_ts, 300},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "cfrpd_webhook_verify(%s)", bad[i].why);
        hook = SENTINEL;
        err = NULL;
        rc = verify(bad[i].secret, bad[i].body, bad[i].sig, bad[i].ts, bad[i].max_age, &hook, &err);
        CHECK(hook == NULL, "%s: *out NULL", what);
        expect_error(what, rc, err, CFRPD_ERR_WEBHOOK_SIGNATURE, 0);
    }
    free(tampered);

    /* The same old delivery passes without an age limit. */
    hook = NULL;
    rc = verify(client_secret, body, old_sig, old_ts, 0, &hook, NULL);
    CHECK(rc == CFRPD_OK && hook != NULL, "cfrpd_webhook_verify(hour-old, max_age 0) -> %s",
          cfrpd_result_name(rc));
    cfrpd_webhook_free(hook);

    /* A correctly signed body that is not a webhook. */
    hook = SENTINEL;
    err = NULL;
    rc = verify(client_secret, other_body, other_sig, ts, 300, &hook, &err);
    CHECK(hook == NULL, "signed non-webhook: *out NULL");
    expect_error("cfrpd_webhook_verify(signed, not a webhook)", rc, err, CFRPD_ERR_UNEXPECTED_RESPONSE,
                 0);

    /* Bodies are bytes: NUL and invalid UTF-8 inside are fine to pass (and fail the check). */
    static const uint8_t binary[] = {'{', 0, 0xff, '}'};
    hook = SENTINEL;
    err = NULL;
    rc = cfrpd_webhook_verify(client_secret, binary, sizeof binary, sig, ts, 300, &hook, &err);
    CHECK(hook == NULL, "binary body: *out NULL");
    expect_error("cfrpd_webhook_verify(binary body)", rc, err, CFRPD_ERR_WEBHOOK_SIGNATURE, 0);
    hook = SENTINEL;
    err = NULL;
    rc = cfrpd_webhook_verify(client_secret, NULL, 0, sig, ts, 300, &hook, &err);
    CHECK(hook == NULL, "empty body: *out NULL");
    expect_error("cfrpd_webhook_verify(NULL body, len 0)", rc, err, CFRPD_ERR_WEBHOOK_SIGNATURE, 0);
}

/* ------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------ */
/* Huge strings (10 MB) in every kind of string argument                                */

#define HUGE_LEN (10u * 1024u * 1024u)

static void test_huge_strings(const cfrpd_client *client) {
    char *huge = malloc(HUGE_LEN + 1);
    if (!CHECK(huge != NULL, "allocate a 10 MB string")) {
        return;
    }
    memset(huge, 'a', HUGE_LEN);
    huge[HUGE_LEN] = '\0';

    cfrpd_config *cfg = SENTINEL;
    CHECK(cfrpd_config_new(huge, "secret", &cfg) == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL,
          "config_new with a 10 MB client id -> INVALID_ARGUMENT, *out NULL");
    cfg = SENTINEL;
    CHECK(cfrpd_config_new("id", huge, &cfg) == CFRPD_ERR_INVALID_ARGUMENT && cfg == NULL,
          "config_new with a 10 MB secret -> INVALID_ARGUMENT, *out NULL");
    cfg = NULL;
    if (cfrpd_config_new("id", "secret", &cfg) == CFRPD_OK) {
        CHECK(cfrpd_config_set_base_url(cfg, huge) == CFRPD_ERR_INVALID_ARGUMENT,
              "set_base_url with 10 MB -> INVALID_ARGUMENT");
        CHECK(cfrpd_config_set_proxy(cfg, huge) == CFRPD_ERR_INVALID_ARGUMENT,
              "set_proxy with 10 MB -> INVALID_ARGUMENT");
        CHECK(cfrpd_config_set_public_key_pem(cfg, huge) == CFRPD_ERR_SIGNATURE,
              "set_public_key_pem with 10 MB -> SIGNATURE");
        CHECK(cfrpd_config_add_root_ca_pem(cfg, huge) == CFRPD_ERR_INVALID_ARGUMENT,
              "add_root_ca_pem with 10 MB -> INVALID_ARGUMENT");
    }
    cfrpd_config_free(cfg);

    char id[64];
    cfrpd_request *req = SENTINEL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_create(client, huge, "John", &req, &err);
    CHECK(req == NULL, "create with a 10 MB id: *out NULL");
    expect_error("create with a 10 MB id", rc, err, CFRPD_ERR_INVALID_ARGUMENT, 0);
    req = SENTINEL;
    err = NULL;
    rc = cfrpd_create(client, new_id("huge", id, sizeof id), huge, &req, &err);
    CHECK(req == NULL, "create with a 10 MB name: *out NULL");
    expect_error("create with a 10 MB name", rc, err, CFRPD_ERR_INVALID_ARGUMENT, 0);
    cfrpd_status *st = SENTINEL;
    err = NULL;
    rc = cfrpd_get_status(client, huge, &st, &err);
    CHECK(st == NULL, "get_status with a 10 MB id: *out NULL");
    expect_error("get_status with a 10 MB id", rc, err, CFRPD_ERR_INVALID_ARGUMENT, 0);

    cfrpd_webhook *hook = SENTINEL;
    err = NULL;
    rc = cfrpd_webhook_verify("secret", (const uint8_t *)huge, HUGE_LEN, huge, "1700000000", 0, &hook,
                              &err);
    CHECK(hook == NULL, "webhook_verify with a 10 MB body and signature: *out NULL");
    expect_error("webhook_verify with a 10 MB body and signature", rc, err,
                 CFRPD_ERR_WEBHOOK_SIGNATURE, 0);
    free(huge);
}

int main(void) {
    client_id = env_or("CASHFREE_CLIENT_ID", NULL);
    client_secret = env_or("CASHFREE_CLIENT_SECRET", NULL);
    const char *base_url = env_or("CASHFREE_BASE_URL", NULL);
    const char *autopay_url = env_or("CFRPD_TEST_AUTOPAY_BASE_URL", NULL);
    const char *closed_url = env_or("CFRPD_TEST_CLOSED_URL", NULL);
    if (client_id == NULL || client_secret == NULL || base_url == NULL || autopay_url == NULL ||
        closed_url == NULL) {
        fprintf(stderr, "abi_test: set CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, "
                        "CASHFREE_BASE_URL, CFRPD_TEST_AUTOPAY_BASE_URL, CFRPD_TEST_CLOSED_URL\n");
        return 2;
    }
    snprintf(run_id, sizeof run_id, "%s",
             env_or("CFRPD_TEST_RUN_ID", "")); /* else time and pid */
    if (run_id[0] == '\0') {
        snprintf(run_id, sizeof run_id, "%lx-%lx", (unsigned long)time(NULL), (unsigned long)getpid());
    }

    test_version_and_names();
    test_free_null();
    test_config_new();
    test_config_from_env();
    test_config_setters();

    cfrpd_client *client = make_client(client_secret, base_url, 2);
    cfrpd_client *autopay = make_client(client_secret, autopay_url, 2);
    if (client != NULL && autopay != NULL) {
        test_call_arguments(client);
        test_huge_strings(client);
        test_happy_path(autopay);
        test_pending(client);
        test_errors(base_url, closed_url);
    }
    cfrpd_client_free(autopay);
    cfrpd_client_free(client);
    test_webhooks();

    return check_summary();
}

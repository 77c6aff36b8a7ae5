/*
 * deadline_test.c — the whole-call deadline (cfrpd_config_set_call_deadline_ms) seen
 * from C: against servers that never answer, trickle the body, never answer the TLS
 * handshake, stall in the middle of it, or never accept the connection, every call ends
 * with CFRPD_ERR_TIMEOUT ("deadline passed") no earlier than 100 ms before its deadline
 * and at most CFRPD_DL_MAX_OVERSHOOT_MS after it (measured with a monotonic clock), and
 * a create is `ambiguous` exactly when its request was sent.
 *
 * Built with -Wall -Wextra -Wpedantic -Werror -std=c11 and run by tests/it/c_abi.rs
 * (plain, AddressSanitizer+UBSan, valgrind) and by tests/it/windows.rs under wine. Portable
 * C11 with small _WIN32 blocks (the clock).
 *
 * Environment (the servers are run by the Rust test on loopback; a case whose variable is
 * unset is not run, and the harness checks how many checks passed):
 *   CFRPD_DL_SILENT_URL      http: reads the request, never answers   (create ambiguous)
 *   CFRPD_DL_TRICKLE_URL     http: answers one body byte per second   (create ambiguous)
 *   CFRPD_DL_TLS_SILENT_URL  https: never answers the ClientHello     (nothing sent)
 *   CFRPD_DL_TLS_STALL_URL   https: stops in the middle of ServerHello (nothing sent)
 *   CFRPD_DL_HOLE_URL        http: the connect never completes        (nothing sent)
 *   CFRPD_DL_DEADLINE_MS     the call deadline (default 800)
 *   CFRPD_DL_MAX_OVERSHOOT_MS  how late a call may end (default 50)
 *
 * Prints one line per call: "DEADLINE <case> <call>: deadline N ms, took T ms,
 * overshoot +O ms", one "ok"/"FAIL" line per check, and last "N passed, M failed".
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

#include "cashfree_rpd.h"

#include "check.h"

/* Milliseconds on a monotonic clock. */
static double now_ms(void) {
#ifdef _WIN32
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (freq.QuadPart == 0) {
        QueryPerformanceFrequency(&freq);
    }
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
#endif
}

static unsigned env_ms(const char *name, unsigned dflt) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        return dflt;
    }
    return (unsigned)strtoul(v, NULL, 10);
}

static unsigned deadline_ms;
static unsigned max_overshoot_ms;
static double worst_overshoot = -1e9;

enum call { CALL_STATUS, CALL_CREATE };

/* One call with a fresh client for `url`; checks the code, the message, the timing and,
 * for a create, whether it is ambiguous. */
static void run_case(const char *name, const char *url, enum call what, bool sent) {
    static unsigned seq;
    char what_s[160];
    const char *call_s = what == CALL_CREATE ? "create" : "status";
    cfrpd_config *cfg = NULL;
    cfrpd_client *client = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_config_new("deadline-test-id", "deadline-test-secret", &cfg);
    snprintf(what_s, sizeof what_s, "%s %s: config", name, call_s);
    CHECK_DETAIL(rc == CFRPD_OK, what_s, cfrpd_result_name(rc));
    if (rc != CFRPD_OK) {
        return;
    }
    /* The deadline, not the connect/request timeouts, must end the call. */
    bool set = cfrpd_config_set_base_url(cfg, url) == CFRPD_OK &&
               cfrpd_config_set_timeouts_ms(cfg, 10000, 30000) == CFRPD_OK &&
               cfrpd_config_set_max_retries(cfg, 3) == CFRPD_OK &&
               cfrpd_config_set_call_deadline_ms(cfg, deadline_ms) == CFRPD_OK;
    snprintf(what_s, sizeof what_s, "%s %s: settings", name, call_s);
    CHECK_DETAIL(set, what_s, cfrpd_config_last_error(cfg));
    rc = cfrpd_client_new(cfg, &client, &err);
    cfrpd_config_free(cfg);
    snprintf(what_s, sizeof what_s, "%s %s: client", name, call_s);
    CHECK_DETAIL(rc == CFRPD_OK && client != NULL, what_s, err != NULL ? err->message : NULL);
    cfrpd_error_free(err);
    err = NULL;
    if (client == NULL) {
        return;
    }

    char id[64];
    snprintf(id, sizeof id, "dl-%s-%u", call_s, seq++);
    double started = now_ms();
    if (what == CALL_CREATE) {
        cfrpd_request *out = NULL;
        rc = cfrpd_create(client, id, "John Doe", &out, &err);
        cfrpd_request_free(out);
    } else {
        cfrpd_status *out = NULL;
        rc = cfrpd_get_status(client, id, &out, &err);
        cfrpd_status_free(out);
    }
    double took = now_ms() - started;
    double over = took - (double)deadline_ms;
    if (over > worst_overshoot) {
        worst_overshoot = over;
    }
    printf("DEADLINE %s %s: deadline %u ms, took %.1f ms, overshoot %+.1f ms -> %s\n", name,
           call_s, deadline_ms, took, over, cfrpd_result_name(rc));

    snprintf(what_s, sizeof what_s, "%s %s: CFRPD_ERR_TIMEOUT", name, call_s);
    CHECK_DETAIL(rc == CFRPD_ERR_TIMEOUT, what_s, cfrpd_result_name(rc));
    snprintf(what_s, sizeof what_s, "%s %s: error filled in with the same code", name, call_s);
    CHECK_DETAIL(err != NULL && err->code == rc && err->message != NULL, what_s, NULL);
    if (err != NULL && err->message != NULL) {
        snprintf(what_s, sizeof what_s, "%s %s: message says the deadline passed", name,
                 call_s);
        CHECK_DETAIL(strstr(err->message, "deadline passed") != NULL, what_s, err->message);
        snprintf(what_s, sizeof what_s, "%s %s: the secret is not in the message", name,
                 call_s);
        CHECK_DETAIL(strstr(err->message, "deadline-test-secret") == NULL, what_s, err->message);
    }
    char detail[96];
    snprintf(detail, sizeof detail, "took %.1f ms, deadline %u ms", took, deadline_ms);
    snprintf(what_s, sizeof what_s, "%s %s: not cut more than 100 ms early", name, call_s);
    CHECK_DETAIL(took + 100.0 >= (double)deadline_ms, what_s, detail);
    snprintf(what_s, sizeof what_s, "%s %s: overshoot at most %u ms", name, call_s,
             max_overshoot_ms);
    CHECK_DETAIL(over <= (double)max_overshoot_ms, what_s, detail);
    if (what == CALL_CREATE && err != NULL) {
        snprintf(what_s, sizeof what_s, "%s create: ambiguous = %s", name,
                 sent ? "true (it was sent)" : "false (nothing was sent)");
        CHECK_DETAIL(err->ambiguous == sent, what_s, NULL);
        snprintf(what_s, sizeof what_s, "%s create: not retryable when ambiguous", name);
        CHECK_DETAIL(!(err->ambiguous && err->retryable), what_s, NULL);
    }
    cfrpd_error_free(err);
    cfrpd_client_free(client);
}

struct server {
    const char *name;
    const char *env;
    /* A create's request reached the server before the deadline fired. */
    bool create_sent;
};

int main(void) {
    static const struct server servers[] = {
        {"silent-http", "CFRPD_DL_SILENT_URL", true},
        {"trickle-body", "CFRPD_DL_TRICKLE_URL", true},
        {"silent-tls", "CFRPD_DL_TLS_SILENT_URL", false},
        {"stalled-tls", "CFRPD_DL_TLS_STALL_URL", false},
        {"black-hole", "CFRPD_DL_HOLE_URL", false},
    };
    deadline_ms = env_ms("CFRPD_DL_DEADLINE_MS", 800);
    max_overshoot_ms = env_ms("CFRPD_DL_MAX_OVERSHOOT_MS", 50);
    unsigned cases = 0;
    for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++) {
        const char *url = getenv(servers[i].env);
        if (url == NULL || *url == '\0') {
            printf("skip %s (%s unset)\n", servers[i].name, servers[i].env);
            continue;
        }
        run_case(servers[i].name, url, CALL_STATUS, false);
        run_case(servers[i].name, url, CALL_CREATE, servers[i].create_sent);
        cases++;
    }
    printf("WORST OVERSHOOT %+.1f ms over %u servers\n", worst_overshoot, cases);
    return check_summary() == 0 && cases > 0 ? 0 : 1;
}

/*
 * quickstart.c — verify a bank account with Cashfree Reverse Penny Drop, from C.
 *
 * The customer pays 1 rupee over UPI from the account to verify; Cashfree then tells
 * us the account number, IFSC and the name the bank has on file.
 *
 * Build (from the repository root): `make examples` builds examples/c/build/quickstart;
 * to build it yourself, use the compile and link commands of README.md, "Linking"
 * (pkg-config or CMake, per target).
 *
 * Run:
 *   CASHFREE_CLIENT_ID=... CASHFREE_CLIENT_SECRET=... ./quickstart [verification_id]
 *
 * Environment:
 *   CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET   required
 *   CASHFREE_ENV            sandbox (default) or production
 *   CASHFREE_BASE_URL       another endpoint, e.g. the local emulator:
 *                             cargo run -p cashfree-rpd-emulator -- --port 8080 --auto-pay-secs 5
 *                             CASHFREE_BASE_URL=http://127.0.0.1:8080/verification
 *                             CASHFREE_CLIENT_ID=emulator-client-id
 *                             CASHFREE_CLIENT_SECRET=emulator-client-secret
 *   CASHFREE_PUBLIC_KEY     PEM file (or text) that turns on x-cf-signature
 *   CFRPD_WAIT_TIMEOUT_MS   how long to wait for the payment (default 600000 = 10 min)
 *   CFRPD_POLL_INTERVAL_MS  pause between status polls (default 3000)
 *   CFRPD_LOG               set (to anything): print the library's diagnostics to stderr
 *   CFRPD_JOURNAL           a create journal file: creates survive a crash, and at start
 *                           the program resumes what a killed run left (README.md,
 *                           "Surviving a crash")
 *
 * Exit status: 0 when the request reached a final state (SUCCESS, FAILURE, EXPIRED),
 * 1 on any error.
 */
#define _POSIX_C_SOURCE 200809L /* getpid() under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h> /* getpid, isatty */

#include "cashfree_rpd.h"

/* Diagnostics: one line per attempt, per retry, per connection (never the secret). */
static void on_log(void *user, cfrpd_log_level level, const char *line) {
    (void)user;
    fprintf(stderr, "cfrpd %s: %s\n", cfrpd_log_level_name(level), line);
}

/* An unsigned number from the environment, or `fallback` when unset or invalid. */
static uint32_t env_ms(const char *name, uint32_t fallback) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        return fallback;
    }
    char *end = NULL;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n == 0 || n > UINT32_MAX) {
        fprintf(stderr, "ignoring %s=%s (not a positive number of milliseconds)\n", name, v);
        return fallback;
    }
    return (uint32_t)n;
}

static const char *match_name(cfrpd_name_match m) {
    switch (m) {
    case CFRPD_MATCH_DIRECT: return "direct match";
    case CFRPD_MATCH_GOOD_PARTIAL: return "good partial match";
    case CFRPD_MATCH_MODERATE_PARTIAL: return "moderate partial match";
    case CFRPD_MATCH_POOR_PARTIAL: return "poor partial match";
    case CFRPD_MATCH_NO_MATCH: return "no match";
    default: return "unknown";
    }
}

/* Prints a failed call's details and frees the error. `err` may be NULL. */
static void print_error(const char *what, cfrpd_result rc, cfrpd_error *err) {
    fprintf(stderr, "%s failed: %s", what, cfrpd_result_name(rc));
    if (err != NULL) {
        fprintf(stderr, ": %s (http_status %u", err->message, (unsigned)err->http_status);
        if (err->api_code != NULL) {
            fprintf(stderr, ", api_code %s", err->api_code);
        }
        fprintf(stderr, ")%s%s\n", err->retryable ? " [retryable]" : "",
                err->ambiguous ? " [ambiguous: look the id up before creating again]" : "");
    } else {
        fprintf(stderr, "\n");
    }
    cfrpd_error_free(err);
}

static const char *or_dash(const char *s) { return s != NULL && *s != '\0' ? s : "-"; }

/* Unix seconds of Cashfree's valid_upto ("2024-02-13T13:01:44.000Z", UTC), or 0. */
static long long utc_seconds(const char *iso) {
    int y, mo, d, h, mi, sec;
    if (iso == NULL || sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) {
        return 0;
    }
    y -= mo <= 2; /* days from the civil date (H. Hinnant's algorithm) */
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return days * 86400 + h * 3600 + mi * 60 + sec;
}

/* The terminal's restart code: resumes every create a crash left open. */
static void resume_journal(const cfrpd_client *client) {
    cfrpd_journal_list *open = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_journal_pending(client, &open, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_journal_pending", rc, err);
        return;
    }
    for (size_t i = 0; i < open->count; i++) {
        const cfrpd_journal_entry *e = &open->entries[i];
        cfrpd_status *st = NULL;
        if (e->state == CFRPD_JOURNAL_CREATED &&
            utc_seconds(e->request->valid_upto) > (long long)time(NULL)) {
            /* Made and still payable: show the same QR / link again and keep waiting. */
            printf("resuming %s: pay %s\n", e->verification_id, e->request->upi_link);
            rc = cfrpd_wait_for_result(client, e->verification_id, 600000, 0, NULL, NULL, &st, &err);
        } else {
            /* SENDING (its links never arrived) or past valid_upto: one lookup settles it. */
            rc = cfrpd_journal_resolve(client, e->verification_id, &st, &err);
        }
        printf("journal: %s was %s: %s %s\n", e->verification_id,
               cfrpd_journal_state_name(e->state), cfrpd_result_name(rc),
               st != NULL ? or_dash(st->status) : "");
        cfrpd_status_free(st);
        cfrpd_error_free(err);
        err = NULL;
    }
    cfrpd_journal_list_free(open);
}

/* The UPI link as a QR code of Unicode half blocks, for a phone to scan off the screen;
 * black on white ANSI colours on a terminal (right on dark and light ones alike). */
static void show_qr(const char *upi_link) {
    cfrpd_qr *qr = NULL;
    char *text = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_qr_encode(upi_link, &qr, &err);
    if (rc == CFRPD_OK) {
        rc = cfrpd_qr_to_text(qr, isatty(STDOUT_FILENO), &text, &err);
    }
    if (rc == CFRPD_OK) {
        printf("or scan:\n%s", text);
    } else {
        print_error("the QR code", rc, err);
    }
    cfrpd_string_free(text);
    cfrpd_qr_free(qr);
}

/* Called after every poll; `latest` is only valid during the call. */
static bool on_poll(void *user_data, const cfrpd_status *latest) {
    unsigned *polls = user_data;
    *polls += 1;
    printf("poll %u: %s\n", *polls, or_dash(latest->status));
    fflush(stdout);
    return true; /* keep waiting; false would stop with CFRPD_ERR_CANCELLED */
}

int main(int argc, char **argv) {
    int exit_code = 1;
    cfrpd_config *config = NULL;
    cfrpd_client *client = NULL;
    cfrpd_request *request = NULL;
    cfrpd_status *status = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc;
    unsigned polls = 0;

    /* A verification_id is single use: 1-50 characters of [A-Za-z0-9._-]. */
    char generated_id[64];
    const char *id = argc > 1 ? argv[1] : NULL;
    if (id == NULL) {
        snprintf(generated_id, sizeof generated_id, "quickstart-%lld-%ld",
                 (long long)time(NULL), (long)getpid());
        id = generated_id;
    }

    /* 1. Settings from CASHFREE_* variables, then a client (the config may go). */
    rc = cfrpd_config_from_env(&config, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_config_from_env", rc, err);
        goto done;
    }
    if (getenv("CFRPD_LOG") != NULL) {
        cfrpd_config_set_log_callback(config, CFRPD_LOG_DEBUG, on_log, NULL);
    }
    const char *journal = getenv("CFRPD_JOURNAL");
    if (journal != NULL && journal[0] != '\0') {
        cfrpd_config_set_journal_path(config, journal);
    }
    rc = cfrpd_client_new(config, &client, &err);
    cfrpd_config_free(config);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_client_new", rc, err);
        goto done;
    }
    if (journal != NULL && journal[0] != '\0') {
        resume_journal(client);
    }

    /* 2. Create the request and show the customer where to pay. */
    rc = cfrpd_create(client, id, "John Doe", &request, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_create", rc, err);
        goto done;
    }
    printf("verification_id: %s (ref_id %lld)\n", request->verification_id,
           (long long)request->ref_id);
    printf("pay 1 rupee with:  %s\n", request->upi_link);
    if (request->gpay != NULL) printf("  Google Pay:      %s\n", request->gpay);
    if (request->phonepe != NULL) printf("  PhonePe:         %s\n", request->phonepe);
    if (request->paytm != NULL) printf("  Paytm:           %s\n", request->paytm);
    if (request->bhim != NULL) printf("  BHIM:            %s\n", request->bhim);
    printf("valid until:       %s\n", or_dash(request->valid_upto));
    show_qr(request->upi_link);
    fflush(stdout);

    /* 3. Wait for the payment, printing each poll. */
    rc = cfrpd_wait_for_result(client, id, env_ms("CFRPD_WAIT_TIMEOUT_MS", 600000),
                               env_ms("CFRPD_POLL_INTERVAL_MS", 3000), on_poll, &polls,
                               &status, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_wait_for_result", rc, err);
        if (status != NULL) { /* set on DEADLINE / CANCELLED: the last status seen */
            fprintf(stderr, "last status: %s\n", or_dash(status->status));
        }
        goto done;
    }

    /* 4. The outcome. */
    printf("outcome:           %s\n", or_dash(status->status));
    if (status->state == CFRPD_STATE_SUCCESS) {
        printf("account:           %s\n", or_dash(status->bank_account));
        printf("IFSC:              %s\n", or_dash(status->ifsc));
        printf("name at bank:      %s\n", or_dash(status->name_at_bank));
        printf("name match:        %s (%s, score %s)\n", match_name(status->name_match),
               or_dash(status->name_match_result), or_dash(status->name_match_score));
    }
    exit_code = 0;

done:
    /* Every cfrpd_*_free accepts NULL. */
    cfrpd_status_free(status);
    cfrpd_request_free(request);
    cfrpd_client_free(client);
    return exit_code;
}

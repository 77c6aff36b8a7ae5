/*
 * threads_test.c — one cfrpd_client shared by 8 threads, each making CFRPD_THREADS_CALLS
 * calls (default 200: creates and status look-ups, alternating) against the emulator.
 * Every call must succeed. Built with -Wall -Wextra -Wpedantic -Werror -std=c11 -pthread
 * and run by tests/it/c_abi.rs (also under AddressSanitizer+UBSan and valgrind).
 *
 * Environment: CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL (an
 * emulator), optional CFRPD_THREADS_CALLS and CFRPD_TEST_RUN_ID (id prefix).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cashfree_rpd.h"

#define THREADS 8

static const cfrpd_client *shared_client;
static unsigned calls_per_thread = 200;
static char run_id[32];

struct worker {
    pthread_t thread;
    unsigned index;
    unsigned ok;
    unsigned failed;
};

static void *work(void *arg) {
    struct worker *w = arg;
    char id[64] = "";
    for (unsigned i = 0; i < calls_per_thread; i++) {
        cfrpd_error *err = NULL;
        cfrpd_result rc;
        bool good;
        if (i % 2 == 0) {
            snprintf(id, sizeof id, "thr-%s-%u-%u", run_id, w->index, i);
            cfrpd_request *req = NULL;
            rc = cfrpd_create(shared_client, id, "John Doe", &req, &err);
            good = rc == CFRPD_OK && req != NULL && req->ref_id > 0 &&
                   strcmp(req->verification_id, id) == 0;
            cfrpd_request_free(req);
        } else {
            cfrpd_status *st = NULL;
            rc = cfrpd_get_status(shared_client, id, &st, &err);
            good = rc == CFRPD_OK && st != NULL && st->state == CFRPD_STATE_CREATED &&
                   st->verification_id != NULL && strcmp(st->verification_id, id) == 0;
            cfrpd_status_free(st);
        }
        if (good) {
            w->ok++;
        } else {
            w->failed++;
            fprintf(stderr, "thread %u call %u (%s): %s: %s\n", w->index, i, id,
                    cfrpd_result_name(rc), err != NULL ? err->message : "-");
        }
        cfrpd_error_free(err);
    }
    return NULL;
}

int main(void) {
    const char *calls = getenv("CFRPD_THREADS_CALLS");
    if (calls != NULL && *calls != '\0') {
        calls_per_thread = (unsigned)strtoul(calls, NULL, 10);
    }
    const char *run = getenv("CFRPD_TEST_RUN_ID");
    if (run != NULL && *run != '\0') {
        snprintf(run_id, sizeof run_id, "%s", run);
    } else {
        snprintf(run_id, sizeof run_id, "%lx-%lx", (unsigned long)time(NULL),
                 (unsigned long)getpid());
    }

    cfrpd_config *cfg = NULL;
    cfrpd_client *client = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_config_from_env(&cfg, &err);
    if (rc == CFRPD_OK) {
        rc = cfrpd_client_new(cfg, &client, &err);
    }
    cfrpd_config_free(cfg);
    if (rc != CFRPD_OK) {
        fprintf(stderr, "setup: %s: %s\n", cfrpd_result_name(rc), err != NULL ? err->message : "-");
        cfrpd_error_free(err);
        return 1;
    }
    shared_client = client;

    struct worker workers[THREADS];
    unsigned started = 0;
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){.index = t};
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            break;
        }
        started++;
    }
    unsigned ok = 0;
    unsigned bad = THREADS - started; /* threads that could not start count as failures */
    for (unsigned t = 0; t < started; t++) {
        pthread_join(workers[t].thread, NULL);
        printf("thread %u: %u ok, %u failed\n", t, workers[t].ok, workers[t].failed);
        ok += workers[t].ok;
        bad += workers[t].failed;
    }
    cfrpd_client_free(client);
    printf("%u passed, %u failed\n", ok, bad);
    return bad == 0 && ok == THREADS * calls_per_thread ? 0 : 1;
}

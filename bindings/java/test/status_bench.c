/* The C side of the Java binding's CPU-per-call comparison (tests/it/java.rs): the same
 * status calls as MemoryTest.testCpuPerStatusCall, with the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID; the in-process emulator of the test is another process here).
 * Environment: CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL,
 * CFRPD_BENCH_ID (a fresh verification id). Prints one "bench: c status ..." line. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cashfree_rpd.h"

static double now_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int status(cfrpd_client *client, const char *id)
{
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_get_status(client, id, &st, &err);
    if (rc != CFRPD_OK)
        fprintf(stderr, "status: %s: %s\n", cfrpd_result_name(rc), err ? err->message : "");
    cfrpd_status_free(st);
    cfrpd_error_free(err);
    return rc == CFRPD_OK;
}

int main(void)
{
    const char *id = getenv("CFRPD_BENCH_ID");
    cfrpd_config *cfg = NULL;
    cfrpd_client *client = NULL;
    cfrpd_request *req = NULL;
    if (id == NULL || cfrpd_config_from_env(&cfg, NULL) != CFRPD_OK ||
        cfrpd_client_new(cfg, &client, NULL) != CFRPD_OK ||
        cfrpd_create(client, id, "John Doe", &req, NULL) != CFRPD_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    cfrpd_config_free(cfg);
    cfrpd_request_free(req);
    for (int i = 0; i < 2000; i++)
        if (!status(client, id))
            return 1;
    const int n = 5000;
    double cpu0 = now_us(CLOCK_THREAD_CPUTIME_ID), wall0 = now_us(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++)
        if (!status(client, id))
            return 1;
    double cpu = now_us(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = now_us(CLOCK_MONOTONIC) - wall0;
    printf("bench: c status calls=%d cpu_us_per_call=%.2f wall_us_per_call=%.2f\n", n, cpu / n,
           wall / n);
    cfrpd_client_free(client);
    return 0;
}

/* CPU per status call from C: the baseline of bindings/bench/run.py.
 *   status_bench BASE_URL VERIFICATION_ID CALLS
 * One client, keep-alive, CALLS cfrpd_get_status calls of one id after 200 warm-up calls;
 * prints one JSON line: process CPU (user + system, getrusage RUSAGE_SELF) and wall time
 * per call, in microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "cashfree_rpd.h"

static double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static double wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void status(cfrpd_client *cl, const char *id) {
    cfrpd_status *s = NULL;
    cfrpd_error *err = NULL;
    if (cfrpd_get_status(cl, id, &s, &err) != CFRPD_OK) {
        fprintf(stderr, "status failed: %s\n", err ? err->message : "?");
        exit(1);
    }
    cfrpd_status_free(s);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: status_bench BASE_URL VERIFICATION_ID CALLS\n");
        return 2;
    }
    long calls = atol(argv[3]);
    cfrpd_config *cfg = NULL;
    cfrpd_client *cl = NULL;
    if (cfrpd_config_new("emulator-client-id", "emulator-client-secret", &cfg) != CFRPD_OK ||
        cfrpd_config_set_base_url(cfg, argv[1]) != CFRPD_OK ||
        cfrpd_client_new(cfg, &cl, NULL) != CFRPD_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    cfrpd_config_free(cfg);
    for (int i = 0; i < 200; i++) status(cl, argv[2]);
    double c0 = cpu_us(), w0 = wall_us();
    for (long i = 0; i < calls; i++) status(cl, argv[2]);
    double c1 = cpu_us(), w1 = wall_us();
    cfrpd_client_free(cl);
    printf("{\"client\": \"C\", \"calls\": %ld, \"cpu_us\": %.2f, \"wall_us\": %.2f}\n", calls,
           (c1 - c0) / calls, (w1 - w0) / calls);
    return 0;
}

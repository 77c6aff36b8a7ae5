/*
 * fork_test.c — a cfrpd_client used on both sides of fork().
 *
 * Before forking, the program creates two requests (one for the parent, one for the
 * child) and reads one status, so that a kept-alive connection sits in the client's
 * pool. Then:
 *
 *   fork_test            parent and child each run FORK_THREADS threads reading their own
 *                        request's status CFRPD_FORK_CALLS times in all, at the same time.
 *                        Every read must succeed and be about the process's own request:
 *                        a crossed reply (the other process's answer read from a shared
 *                        connection) shows up as a failed or foreign answer.
 *   fork_test held       a thread is inside a status call (the emulator delays it) when the
 *                        main thread forks: the child's first call must not hang on a lock
 *                        that thread held (alarm(30) kills a hung child).
 *
 * Environment: CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL (an
 * emulator), CFRPD_TEST_RUN_ID, optional CFRPD_FORK_CALLS (default 240 per process).
 * Prints "parent: N ok, M failed" / "child: N ok, M failed"; exits 0 only when both
 * sides had no failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cashfree_rpd.h"

#define FORK_THREADS 4

static const cfrpd_client *client;
static unsigned calls_per_process = 240;

struct worker {
    pthread_t thread;
    const char *id;
    unsigned calls;
    unsigned ok;
    unsigned failed;
};

static int read_once(const char *id, const char *who) {
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_get_status(client, id, &st, &err);
    int good = rc == CFRPD_OK && st != NULL && st->verification_id != NULL &&
               strcmp(st->verification_id, id) == 0 && st->state == CFRPD_STATE_CREATED;
    if (!good) {
        fprintf(stderr, "%s: status of %s: %s: %s (answer for %s)\n", who, id,
                cfrpd_result_name(rc), err != NULL ? err->message : "-",
                st != NULL && st->verification_id != NULL ? st->verification_id : "-");
    }
    cfrpd_status_free(st);
    cfrpd_error_free(err);
    return good;
}

static void *work(void *arg) {
    struct worker *w = arg;
    for (unsigned i = 0; i < w->calls; i++) {
        if (read_once(w->id, "worker")) {
            w->ok++;
        } else {
            w->failed++;
        }
    }
    return NULL;
}

/* Runs the readers of one process; returns the number of failures. */
static unsigned run_readers(const char *id, const char *who) {
    struct worker workers[FORK_THREADS];
    unsigned ok = 0, failed = 0, started = 0;
    for (unsigned t = 0; t < FORK_THREADS; t++) {
        workers[t] = (struct worker){.id = id, .calls = calls_per_process / FORK_THREADS};
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            failed += workers[t].calls;
            continue;
        }
        started++;
    }
    for (unsigned t = 0; t < FORK_THREADS; t++) {
        if (t < started) {
            pthread_join(workers[t].thread, NULL);
            ok += workers[t].ok;
            failed += workers[t].failed;
        }
    }
    printf("%s: %u ok, %u failed\n", who, ok, failed);
    fflush(stdout);
    return failed + (ok == (calls_per_process / FORK_THREADS) * FORK_THREADS ? 0 : 1);
}

static int create(const char *id) {
    cfrpd_request *req = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_create(client, id, "Jane Doe", &req, &err);
    if (rc != CFRPD_OK) {
        fprintf(stderr, "create %s: %s: %s\n", id, cfrpd_result_name(rc),
                err != NULL ? err->message : "-");
    }
    cfrpd_request_free(req);
    cfrpd_error_free(err);
    return rc == CFRPD_OK;
}

static void *slow_call(void *arg) {
    /* The emulator delays this status answer: the thread is inside the call at fork. */
    read_once((const char *)arg, "held-thread");
    return NULL;
}

int main(int argc, char **argv) {
    int held = argc > 1 && strcmp(argv[1], "held") == 0;
    const char *calls = getenv("CFRPD_FORK_CALLS");
    if (calls != NULL && *calls != '\0') {
        calls_per_process = (unsigned)strtoul(calls, NULL, 10);
    }
    const char *run = getenv("CFRPD_TEST_RUN_ID");
    char parent_id[80], child_id[80];
    snprintf(parent_id, sizeof parent_id, "fork-%s-parent%s", run != NULL ? run : "x",
             held ? "-held" : "");
    snprintf(child_id, sizeof child_id, "fork-%s-child%s", run != NULL ? run : "x",
             held ? "-held" : "");

    cfrpd_config *cfg = NULL;
    cfrpd_client *own = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_config_from_env(&cfg, &err);
    if (rc == CFRPD_OK) {
        rc = cfrpd_client_new(cfg, &own, &err);
    }
    cfrpd_config_free(cfg);
    if (rc != CFRPD_OK) {
        fprintf(stderr, "setup: %s: %s\n", cfrpd_result_name(rc), err != NULL ? err->message : "-");
        cfrpd_error_free(err);
        return 1;
    }
    client = own;
    if (!create(parent_id) || !create(child_id) || !read_once(parent_id, "warm-up")) {
        cfrpd_client_free(own);
        return 1;
    }

    pthread_t slow;
    if (held) {
        if (pthread_create(&slow, NULL, slow_call, parent_id) != 0) {
            return 1;
        }
        struct timespec pause = {0, 300 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        alarm(30);
        unsigned failed;
        if (held) {
            failed = read_once(child_id, "child") ? 0 : 1;
            printf("child: %u ok, %u failed\n", 1 - failed, failed);
            fflush(stdout);
        } else {
            failed = run_readers(child_id, "child");
        }
        /* No cfrpd_client_free here: with `held`, the parent's thread (which does not
         * exist in the child) was inside a call; _exit skips atexit handlers. */
        _exit(failed == 0 ? 0 : 1);
    }
    unsigned failed = 0;
    if (held) {
        pthread_join(slow, NULL);
        failed = read_once(parent_id, "parent") ? 0 : 1;
        printf("parent: %u ok, %u failed\n", 1 - failed, failed);
    } else {
        failed = run_readers(parent_id, "parent");
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    int child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!child_ok) {
        fprintf(stderr, "child ended badly: %s %d\n",
                WIFSIGNALED(status) ? "signal" : "exit code",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    cfrpd_client_free(own);
    return failed == 0 && child_ok ? 0 : 1;
}

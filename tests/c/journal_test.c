/*
 * journal_test.c — the create journal through the C ABI (driven by tests/it/c_journal.rs).
 *
 *   journal_test create  JOURNAL ID          creates ID ("Jane Doe"), prints "CREATED <ref_id>",
 *                                            then sleeps until the driver SIGKILLs it
 *   journal_test restart JOURNAL ID STATE    the process after the crash: exactly one open
 *                                            entry, ID in STATE (SENDING|CREATED); a create of
 *                                            ID sends nothing (CREATED: the recorded request,
 *                                            replayed; SENDING: CFRPD_ERR_DUPLICATE_ID); then
 *                                            cfrpd_journal_resolve, printing "RESOLVE <result>
 *                                            <state>"; NOT_FOUND must close the entry
 *   journal_test settle  JOURNAL ID          resolve gives a final status; nothing stays open
 *   journal_test locked  JOURNAL PID         cfrpd_client_new is refused naming PID
 *   journal_test count   JOURNAL N           the journal opens with N open entries
 *   journal_test refused JOURNAL TEXT        cfrpd_client_new fails with CFRPD_ERR_JOURNAL and
 *                                            a message containing TEXT
 *   journal_test nospace JOURNAL ID          the journal opens; a create of ID fails with
 *                                            CFRPD_ERR_JOURNAL (the disk is full): nothing sent
 *   journal_test bulk    JOURNAL N BOUND     N creates, each settled by a final status; the
 *                                            file never exceeds BOUND bytes (prints the largest)
 *   journal_test misc    DIR                 no journal, bad paths, one client per journal,
 *                                            names, list_free ignoring a changed count, fork
 *
 * Environment: CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET, CASHFREE_BASE_URL.
 * The last line is "N passed, 0 failed" when every check held.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cashfree_rpd.h"
#include "check.h"

/* Every check here has a fixed text: the one helper's CHECK_DETAIL without a detail. */
#define check(ok, what) ((void)CHECK_DETAIL((ok), (what), NULL))

/* A client on JOURNAL (NULL: none), or NULL with *rc set. */
static cfrpd_client *open_client(const char *journal, cfrpd_result *rc, char *message, size_t cap) {
    cfrpd_config *cfg = NULL;
    cfrpd_error *err = NULL;
    cfrpd_client *client = NULL;
    *rc = cfrpd_config_from_env(&cfg, &err);
    if (*rc == CFRPD_OK) {
        cfrpd_config_set_timeouts_ms(cfg, 5000, 60000);
        *rc = cfrpd_config_set_journal_path(cfg, journal);
        if (*rc == CFRPD_OK) {
            *rc = cfrpd_client_new(cfg, &client, &err);
        }
    }
    if (message != NULL && cap > 0) {
        snprintf(message, cap, "%s", err != NULL ? err->message : "");
    }
    cfrpd_error_free(err);
    cfrpd_config_free(cfg);
    return client;
}

static int mode_create(const char *journal, const char *id) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    if (client == NULL) {
        printf("FAILED client %s\n", cfrpd_result_name(rc));
        return 1;
    }
    cfrpd_request *req = NULL;
    rc = cfrpd_create(client, id, "Jane Doe", &req, NULL);
    if (rc != CFRPD_OK) {
        printf("FAILED create %s\n", cfrpd_result_name(rc));
        return 1;
    }
    printf("CREATED %lld\n", (long long)req->ref_id);
    fflush(stdout);
    for (;;) {
        sleep(60);
    }
}

static int mode_restart(const char *journal, const char *id, const char *state) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    check(client != NULL, "the restarted client opens the journal");
    if (client == NULL) {
        return check_summary();
    }
    cfrpd_journal_list *list = NULL;
    rc = cfrpd_journal_pending(client, &list, NULL);
    check(rc == CFRPD_OK && list != NULL && list->count == 1, "one open entry");
    int64_t recorded_ref = -1;
    if (rc == CFRPD_OK && list->count == 1) {
        const cfrpd_journal_entry *e = &list->entries[0];
        check(strcmp(e->verification_id, id) == 0, "its id");
        check(strcmp(e->name, "Jane Doe") == 0, "its name");
        check(strcmp(cfrpd_journal_state_name(e->state), state) == 0, "its state");
        check(e->recorded_at_ms > 1600000000000LL, "recorded_at_ms is Unix time in ms");
        check((e->state == CFRPD_JOURNAL_CREATED) == (e->request != NULL), "request iff CREATED");
        if (e->request != NULL) {
            recorded_ref = e->request->ref_id;
            check(e->request->qr_png != NULL && e->request->qr_png_len > 8, "the QR PNG is rebuilt");
        }
    }
    cfrpd_journal_list_free(list);

    /* The restarted process creates the same id again: nothing is sent. */
    cfrpd_request *req = NULL;
    cfrpd_error *err = NULL;
    rc = cfrpd_create(client, id, "Jane Doe", &req, &err);
    if (strcmp(state, "CREATED") == 0) {
        check(rc == CFRPD_OK && req != NULL && req->replayed && req->ref_id == recorded_ref,
              "CREATED: the recorded request, replayed");
    } else {
        check(rc == CFRPD_ERR_DUPLICATE_ID && err != NULL && strstr(err->message, "cfrpd_journal_resolve") != NULL,
              "SENDING: DUPLICATE_ID naming cfrpd_journal_resolve");
    }
    cfrpd_request_free(req);
    cfrpd_error_free(err);

    cfrpd_status *st = NULL;
    rc = cfrpd_journal_resolve(client, id, &st, NULL);
    printf("RESOLVE %s %s\n", cfrpd_result_name(rc), st != NULL && st->status != NULL ? st->status : "-");
    if (rc == CFRPD_ERR_NOT_FOUND) {
        rc = cfrpd_journal_pending(client, &list, NULL);
        check(rc == CFRPD_OK && list->count == 0 && list->entries == NULL, "NOT_FOUND closed the entry");
        cfrpd_journal_list_free(list);
    } else {
        check(rc == CFRPD_OK && st != NULL && st->state == CFRPD_STATE_CREATED, "resolve: CREATED at Cashfree");
        rc = cfrpd_journal_pending(client, &list, NULL);
        check(rc == CFRPD_OK && list->count == 1 && strcmp(cfrpd_journal_state_name(list->entries[0].state), state) == 0,
              "a non-final status leaves the entry in its state");
        cfrpd_journal_list_free(list);
    }
    cfrpd_status_free(st);
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_settle(const char *journal, const char *id) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    check(client != NULL, "the client opens the journal");
    if (client == NULL) {
        return check_summary();
    }
    cfrpd_status *st = NULL;
    rc = cfrpd_journal_resolve(client, id, &st, NULL);
    check(rc == CFRPD_OK && st != NULL && st->is_final, "resolve: final");
    cfrpd_status_free(st);
    cfrpd_journal_list *list = NULL;
    rc = cfrpd_journal_pending(client, &list, NULL);
    check(rc == CFRPD_OK && list->count == 0, "settled: nothing open");
    cfrpd_journal_list_free(list);
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_locked(const char *journal, const char *pid) {
    cfrpd_result rc;
    char message[1024];
    cfrpd_client *client = open_client(journal, &rc, message, sizeof message);
    char want[64];
    snprintf(want, sizeof want, "process %s", pid);
    check(client == NULL && rc == CFRPD_ERR_JOURNAL, "a journal held by another process: CFRPD_ERR_JOURNAL");
    check(strstr(message, want) != NULL, "the message names the holder's pid");
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_misc(const char *dir) {
    char path[1024];
    cfrpd_result rc;

    /* Names. */
    check(strcmp(cfrpd_journal_state_name(CFRPD_JOURNAL_SENDING), "SENDING") == 0, "SENDING name");
    check(strcmp(cfrpd_journal_state_name(CFRPD_JOURNAL_CREATED), "CREATED") == 0, "CREATED name");
    check(strcmp(cfrpd_journal_state_name(77), "UNKNOWN") == 0, "unknown state name");
    check(strcmp(cfrpd_result_name(CFRPD_ERR_JOURNAL), "CFRPD_ERR_JOURNAL") == 0 && CFRPD_ERR_JOURNAL == 25,
          "CFRPD_ERR_JOURNAL = 25");

    /* No journal: pending and resolve say so. */
    cfrpd_client *plain = open_client(NULL, &rc, NULL, 0);
    check(plain != NULL, "a client without a journal");
    cfrpd_journal_list *list = NULL;
    cfrpd_error *err = NULL;
    rc = cfrpd_journal_pending(plain, &list, &err);
    check(rc == CFRPD_ERR_JOURNAL && list == NULL && err != NULL && strstr(err->message, "no journal") != NULL,
          "pending without a journal");
    cfrpd_error_free(err);
    cfrpd_status *st = NULL;
    rc = cfrpd_journal_resolve(plain, "any-id", &st, NULL);
    check(rc == CFRPD_ERR_JOURNAL && st == NULL, "resolve without a journal");
    cfrpd_client_free(plain);
    check(cfrpd_journal_pending(NULL, &list, NULL) == CFRPD_ERR_INVALID_ARGUMENT, "NULL client");
    check(cfrpd_config_set_journal_path(NULL, "x") == CFRPD_ERR_INVALID_ARGUMENT, "NULL config");
    cfrpd_journal_list_free(NULL);

    /* A parent that is a file. */
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    check(f != NULL, "make a file");
    if (f != NULL) {
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/file/journal", dir);
    char message[1024];
    cfrpd_client *bad = open_client(path, &rc, message, sizeof message);
    check(bad == NULL && rc == CFRPD_ERR_JOURNAL, "a parent that is a file: CFRPD_ERR_JOURNAL");

    /* One client per journal in this process. */
    snprintf(path, sizeof path, "%s/journal", dir);
    cfrpd_client *first = open_client(path, &rc, NULL, 0);
    check(first != NULL, "the first client opens the journal");
    cfrpd_client *second = open_client(path, &rc, message, sizeof message);
    check(second == NULL && rc == CFRPD_ERR_JOURNAL && strstr(message, "this process") != NULL,
          "a second client in this process is refused");

    /* A create that is answered: listed as CREATED; list_free ignores a changed count. */
    char id[64];
    snprintf(id, sizeof id, "cj-misc-%ld", (long)getpid());
    cfrpd_request *req = NULL;
    rc = cfrpd_create(first, id, "Jane Doe", &req, NULL);
    check(rc == CFRPD_OK && req != NULL && !req->replayed, "a fresh create is not replayed");
    cfrpd_request_free(req);
    rc = cfrpd_journal_pending(first, &list, NULL);
    check(rc == CFRPD_OK && list->count == 1 && list->entries[0].state == CFRPD_JOURNAL_CREATED, "listed CREATED");
    if (rc == CFRPD_OK) {
        list->count = 0; /* the caller scribbles on it: the free still releases everything */
    }
    cfrpd_journal_list_free(list);

    /* A forked child: journaled calls fail, nothing is written. */
    pid_t pid = fork();
    if (pid == 0) {
        cfrpd_journal_list *l = NULL;
        cfrpd_request *r = NULL;
        int ok = cfrpd_journal_pending(first, &l, NULL) == CFRPD_ERR_JOURNAL &&
                 cfrpd_create(first, "cj-forked", "X", &r, NULL) == CFRPD_ERR_JOURNAL;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a forked child is refused");
    rc = cfrpd_journal_pending(first, &list, NULL);
    check(rc == CFRPD_OK && list->count == 1, "the parent still holds its entry");
    cfrpd_journal_list_free(list);
    cfrpd_client_free(first);
    return check_summary();
}

static int mode_count(const char *journal, const char *n) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    check(client != NULL, "the journal opens");
    cfrpd_journal_list *list = NULL;
    if (client != NULL && cfrpd_journal_pending(client, &list, NULL) == CFRPD_OK) {
        check(list->count == (size_t)strtoul(n, NULL, 10), "the expected number of open entries");
        for (size_t i = 0; i < list->count; i++) {
            printf("ENTRY %s %s\n", list->entries[i].verification_id,
                   cfrpd_journal_state_name(list->entries[i].state));
        }
    } else {
        check(0, "cfrpd_journal_pending");
    }
    cfrpd_journal_list_free(list);
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_refused(const char *journal, const char *text) {
    cfrpd_result rc;
    char message[2048];
    cfrpd_client *client = open_client(journal, &rc, message, sizeof message);
    check(client == NULL && rc == CFRPD_ERR_JOURNAL, "cfrpd_client_new: CFRPD_ERR_JOURNAL");
    check(strstr(message, text) != NULL, "the message says why");
    printf("MESSAGE %s\n", message);
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_nospace(const char *journal, const char *id) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    check(client != NULL, "the journal opens");
    cfrpd_request *req = NULL;
    cfrpd_error *err = NULL;
    rc = cfrpd_create(client, id, "Jane Doe", &req, &err);
    check(rc == CFRPD_ERR_JOURNAL && req == NULL && err != NULL && strstr(err->message, "nothing was sent") != NULL,
          "a full disk: CFRPD_ERR_JOURNAL, nothing sent");
    cfrpd_error_free(err);
    cfrpd_client_free(client);
    return check_summary();
}

static int mode_bulk(const char *journal, const char *n_text, const char *bound_text) {
    cfrpd_result rc;
    cfrpd_client *client = open_client(journal, &rc, NULL, 0);
    check(client != NULL, "the journal opens");
    if (client == NULL) {
        return check_summary();
    }
    unsigned long n = strtoul(n_text, NULL, 10);
    long long bound = strtoll(bound_text, NULL, 10), largest = 0;
    unsigned long bad = 0;
    for (unsigned long i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "cbulk-%lu", i);
        cfrpd_request *req = NULL;
        cfrpd_status *st = NULL;
        if (cfrpd_create(client, id, "Jane Doe", &req, NULL) != CFRPD_OK ||
            cfrpd_get_status(client, id, &st, NULL) != CFRPD_OK || !st->is_final) {
            bad++;
        }
        cfrpd_request_free(req);
        cfrpd_status_free(st);
        struct stat sb;
        if (stat(journal, &sb) == 0 && (long long)sb.st_size > largest) {
            largest = (long long)sb.st_size;
        }
    }
    printf("LARGEST %lld\n", largest);
    check(bad == 0, "every create and status succeeded");
    check(largest > 0 && largest <= bound, "the file stayed under the bound");
    cfrpd_journal_list *list = NULL;
    check(cfrpd_journal_pending(client, &list, NULL) == CFRPD_OK && list->count == 0, "nothing left open");
    cfrpd_journal_list_free(list);
    cfrpd_client_free(client);
    return check_summary();
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "bulk") == 0) {
        return mode_bulk(argv[2], argv[3], argv[4]);
    }
    if (argc >= 4 && strcmp(argv[1], "count") == 0) {
        return mode_count(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "refused") == 0) {
        return mode_refused(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "nospace") == 0) {
        return mode_nospace(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "create") == 0) {
        return mode_create(argv[2], argv[3]);
    }
    if (argc >= 5 && strcmp(argv[1], "restart") == 0) {
        return mode_restart(argv[2], argv[3], argv[4]);
    }
    if (argc >= 4 && strcmp(argv[1], "settle") == 0) {
        return mode_settle(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "locked") == 0) {
        return mode_locked(argv[2], argv[3]);
    }
    if (argc >= 3 && strcmp(argv[1], "misc") == 0) {
        return mode_misc(argv[2]);
    }
    fprintf(stderr, "usage: journal_test create|restart|settle|locked|misc ...\n");
    return 2;
}

/* request_free_test.c — cfrpd_request_free does not trust the caller-writable
 * qr_png_len: a program that changes it (or clears qr_png's length) still frees exactly
 * what the library allocated (a free that trusted a length of 0 would leak the PNG,
 * which LeakSanitizer and valgrind report; a larger one frees with a wrong layout). Run by tests/it/c_surface.rs under ASan+UBSan and valgrind
 * against an emulator (CASHFREE_* variables). Prints "ok" and exits 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cashfree_rpd.h"

int main(void) {
    cfrpd_config *config = NULL;
    cfrpd_client *client = NULL;
    cfrpd_error *err = NULL;
    if (cfrpd_config_from_env(&config, &err) != CFRPD_OK ||
        cfrpd_client_new(config, &client, &err) != CFRPD_OK) {
        fprintf(stderr, "setup: %s\n", err != NULL ? err->message : "?");
        cfrpd_error_free(err);
        cfrpd_config_free(config);
        return 1;
    }
    cfrpd_config_free(config);
    const size_t lengths[] = {0, 1, 7, (size_t)1 << 20};
    int failed = 0;
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        char id[64];
        snprintf(id, sizeof id, "free-len-%s-%zu", getenv("CFRPD_TEST_RUN_ID"), i);
        cfrpd_request *req = NULL;
        if (cfrpd_create(client, id, "John Doe", &req, &err) != CFRPD_OK) {
            fprintf(stderr, "create: %s\n", err->message);
            cfrpd_error_free(err);
            failed = 1;
            break;
        }
        if (req->qr_png == NULL || req->qr_png_len < 8 || memcmp(req->qr_png, "\x89PNG", 4) != 0) {
            fprintf(stderr, "no PNG in the request\n");
            failed = 1;
        }
        req->qr_png_len = lengths[i]; /* the caller scribbles on the length */
        cfrpd_request_free(req);
    }
    cfrpd_client_free(client);
    if (!failed) {
        printf("ok\n");
    }
    return failed;
}

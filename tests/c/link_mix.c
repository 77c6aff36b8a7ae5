/* Linked by tests/it/packaging.rs with the installed libcashfree_rpd.a and, in both orders,
 * with another Rust staticlib (tests/other_staticlib) — or with rust_names.c, which
 * defines names the Rust runtime uses. Makes a client (allocation, TLS setup, root
 * store), runs one failing call (error paths) and, with OTHER_RUST, calls the other
 * library. Prints "link_mix ok" on success. */
#include <stdio.h>
#include <string.h>

#include "cashfree_rpd.h"

#ifdef OTHER_RUST
int other_rust_staticlib_answer(void);
#endif

int main(int argc, char **argv) {
    struct cfrpd_config *cfg = NULL;
    struct cfrpd_client *client = NULL;
    struct cfrpd_status *status = NULL;
    struct cfrpd_error *err = NULL;
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:9/verification";
    if (cfrpd_config_new("id", "secret", &cfg) != CFRPD_OK) return 2;
    if (cfrpd_config_set_base_url(cfg, base) != CFRPD_OK) return 3;
    if (cfrpd_config_set_max_retries(cfg, 0) != CFRPD_OK) return 4;
    if (cfrpd_client_new(cfg, &client, NULL) != CFRPD_OK) return 5;
    cfrpd_config_free(cfg);
    cfrpd_result rc = cfrpd_get_status(client, "link-mix-1", &status, &err);
    if (rc == CFRPD_OK || err == NULL || err->message == NULL) return 6;
    printf("status call: %s\n", cfrpd_result_name(rc));
    cfrpd_error_free(err);
    cfrpd_client_free(client);
#ifdef OTHER_RUST
    int answer = other_rust_staticlib_answer();
    printf("other rust staticlib: %d\n", answer);
    if (answer != 42) return 7;
#endif
    printf("link_mix ok (cashfree_rpd %s)\n", cfrpd_version());
    return 0;
}

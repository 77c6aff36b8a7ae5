/* A C host with the default SIGPIPE disposition survives servers that reset the
 * connection under the library's writes: every call returns an error code, and the
 * program exits normally. Driven by tests/it/sigpipe.rs.
 *
 * Environment:
 *   CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET   credentials
 *   CFRPD_TEST_PLAIN_URL   a server that half-closes (FIN) and resets (RST) every connection
 *   CFRPD_TEST_TLS_URL     a TLS server that sends its handshake flight, then FIN and RST
 *   CFRPD_TEST_CA_PEM      the CA of that TLS server (PEM text)
 *   CFRPD_TEST_ROUNDS      calls per server and kind (default 100)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cashfree_rpd.h"

static const char *need(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    fprintf(stderr, "sigpipe_test: %s is not set\n", name);
    exit(2);
  }
  return v;
}

static cfrpd_client *client_for(const char *url, const char *ca_pem, uint32_t retries) {
  cfrpd_config *cfg = NULL;
  if (cfrpd_config_new(need("CASHFREE_CLIENT_ID"), need("CASHFREE_CLIENT_SECRET"), &cfg) != CFRPD_OK) {
    fprintf(stderr, "sigpipe_test: cfrpd_config_new failed\n");
    exit(2);
  }
  if (cfrpd_config_set_base_url(cfg, url) != CFRPD_OK ||
      cfrpd_config_set_timeouts_ms(cfg, 2000, 5000) != CFRPD_OK ||
      cfrpd_config_set_max_retries(cfg, retries) != CFRPD_OK ||
      cfrpd_config_set_call_deadline_ms(cfg, 10000) != CFRPD_OK ||
      (ca_pem != NULL && cfrpd_config_add_root_ca_pem(cfg, ca_pem) != CFRPD_OK)) {
    fprintf(stderr, "sigpipe_test: configuring %s failed\n", url);
    exit(2);
  }
  cfrpd_client *client = NULL;
  cfrpd_error *err = NULL;
  if (cfrpd_client_new(cfg, &client, &err) != CFRPD_OK) {
    fprintf(stderr, "sigpipe_test: cfrpd_client_new: %s\n", err ? err->message : "?");
    exit(2);
  }
  cfrpd_config_free(cfg);
  return client;
}

/* Counts of result codes, printed at the end. */
static unsigned counts[64];
static unsigned failures;

static void note(const char *what, cfrpd_result rc, cfrpd_error *err, int round) {
  counts[rc < 64 ? rc : 63]++;
  if (rc == CFRPD_OK) {
    fprintf(stderr, "sigpipe_test: %s round %d unexpectedly succeeded\n", what, round);
    failures++;
  } else if (err == NULL || err->message == NULL || err->code != rc) {
    fprintf(stderr, "sigpipe_test: %s round %d: error details missing\n", what, round);
    failures++;
  } else if (round == 0) {
    printf("%s: %s: %s\n", what, cfrpd_result_name(rc), err->message);
  }
  cfrpd_error_free(err);
}

static void hammer(const char *label, const char *url, const char *ca_pem, int rounds) {
  /* The longest name the library sends (200 bytes): the largest create request. */
  char name[201];
  memset(name, 'N', 200);
  name[200] = '\0';
  cfrpd_client *creates = client_for(url, ca_pem, 0);
  cfrpd_client *statuses = client_for(url, ca_pem, 1); /* status calls are retried */
  char what[64];
  for (int i = 0; i < rounds; i++) {
    char id[40];
    snprintf(id, sizeof id, "sigpipe-%d", i);
    cfrpd_request *req = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_create(creates, id, name, &req, &err);
    snprintf(what, sizeof what, "%s create", label);
    note(what, rc, err, i);
    cfrpd_request_free(req);

    cfrpd_status *st = NULL;
    err = NULL;
    rc = cfrpd_get_status(statuses, id, &st, &err);
    snprintf(what, sizeof what, "%s status", label);
    note(what, rc, err, i);
    cfrpd_status_free(st);
  }
  cfrpd_client_free(creates);
  cfrpd_client_free(statuses);
}

int main(void) {
  /* The default disposition, whatever the parent left: a SIGPIPE would kill us. */
  signal(SIGPIPE, SIG_DFL);
  int rounds = getenv("CFRPD_TEST_ROUNDS") ? atoi(getenv("CFRPD_TEST_ROUNDS")) : 100;
  if (rounds <= 0) rounds = 100;
  hammer("plain", need("CFRPD_TEST_PLAIN_URL"), NULL, rounds);
  hammer("tls", need("CFRPD_TEST_TLS_URL"), need("CFRPD_TEST_CA_PEM"), rounds);
  printf("codes:");
  for (int i = 0; i < 64; i++) {
    if (counts[i]) printf(" %s=%u", cfrpd_result_name((cfrpd_result)i), counts[i]);
  }
  printf("\n");
  printf("sigpipe_test: %u failures\n", failures);
  return failures == 0 ? 0 : 1;
}

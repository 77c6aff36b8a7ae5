/*
 * print_qr.c — create a Reverse Penny Drop request and print its UPI QR code on an
 * ESC/POS receipt printer (no PNG decoder needed), plus a PBM image of the same code.
 *
 * Build (from the repository root): `make examples` builds examples/c/build/print_qr;
 * to build it yourself, use the compile and link commands of README.md, "Linking"
 * (pkg-config or CMake, per target).
 *
 * Run:
 *   ./print_qr [options] ESCPOS_OUT [PBM_OUT]
 *     ESCPOS_OUT   where the printer bytes go: a printer device (/dev/usb/lp0,
 *                  /dev/ttyUSB0 set up with stty) or a file to send later
 *                  (`cat receipt.bin > /dev/usb/lp0`, or `nc printer 9100 < receipt.bin`)
 *     PBM_OUT      the QR code as a PBM (P4) image (default upi_qr.pbm); check it with
 *                  `zbarimg upi_qr.pbm`
 *   options:
 *     --id ID          verification_id (default print-qr-<time>-<pid>)
 *     --name NAME      name the account holder should have (default John Doe)
 *     --scale N        printer dots per QR module, 1..64 (default: the largest that fits
 *                      --dots, at most 8)
 *     --dots N         printable width in dots (default 384 = 58 mm paper; 576 = 80 mm)
 *     --quiet-zone N   white border in modules, 0..16 (default 4, as the QR standard asks)
 *
 * Environment: as examples/c/quickstart.c — CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET
 * (required), CASHFREE_ENV, CASHFREE_BASE_URL (e.g. the local emulator:
 * `cargo run -p cashfree-rpd-cli -- emulator` and
 * CASHFREE_BASE_URL=http://127.0.0.1:8080/verification with the emulator-client-id /
 * emulator-client-secret credentials), CASHFREE_PUBLIC_KEY.
 *
 * Prints the request's verification_id, ref_id and upi_link on stdout; then wait for the
 * payment with `cfrpd wait --id ID` or cfrpd_wait_for_result (see quickstart.c).
 * Exit status: 0 when both files were written, 1 on an error, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L /* getpid() under -std=c11 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cashfree_rpd.h"

static void print_error(const char *what, cfrpd_result rc, cfrpd_error *err) {
    fprintf(stderr, "%s failed: %s", what, cfrpd_result_name(rc));
    if (err != NULL) {
        fprintf(stderr, ": %s", err->message);
        if (err->http_status != 0) {
            fprintf(stderr, " (http_status %u)", (unsigned)err->http_status);
        }
    }
    fprintf(stderr, "\n");
    cfrpd_error_free(err);
}

static int usage(void) {
    fprintf(stderr, "usage: print_qr [--id ID] [--name NAME] [--scale N] [--dots N] "
                    "[--quiet-zone N] ESCPOS_OUT [PBM_OUT]\n");
    return 2;
}

/* An unsigned number in [lo, hi] from a command-line value; -1 when it is not one. */
static long number(const char *flag, const char *v, long lo, long hi) {
    char *end = NULL;
    errno = 0;
    long n = v != NULL ? strtol(v, &end, 10) : 0;
    if (v == NULL || *v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
        fprintf(stderr, "print_qr: %s needs a number from %ld to %ld\n", flag, lo, hi);
        return -1;
    }
    return n;
}

/* Writes `len` bytes to `path` ("wb": a file is created or truncated; a device is opened
 * for writing). Returns 0, or -1 after printing why. */
static int write_file(const char *path, const void *prefix, size_t prefix_len, const void *data,
                      size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "print_qr: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fwrite(prefix, 1, prefix_len, f) == prefix_len && fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "print_qr: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The receipt: reset, centred, a line of text, the QR code as one "GS v 0" raster image,
 * the link's ref_id, feed and cut. `bits` rows are already in the GS v 0 layout. */
static int write_escpos(const char *path, const cfrpd_bitmap *bmp, long long ref_id) {
    static const unsigned char init[] = {0x1B, 0x40,        /* ESC @: reset */
                                         0x1B, 0x61, 0x01}; /* ESC a 1: centre */
    static const char title[] = "Pay Rs 1 from your UPI app\n"
                                "to verify your bank account\n\n";
    unsigned char header[8] = {0x1D, 0x76, 0x30, 0x00, /* GS v 0, m = 0: normal size */
                               (unsigned char)(bmp->stride & 0xFF),
                               (unsigned char)(bmp->stride >> 8), /* xL xH: bytes per row */
                               (unsigned char)(bmp->height & 0xFF),
                               (unsigned char)(bmp->height >> 8)}; /* yL yH: rows */
    char footer[96];
    int footer_len = snprintf(footer, sizeof footer, "\nref %lld\n\n\n\n", ref_id);
    static const unsigned char cut[] = {0x1D, 0x56, 0x42, 0x00}; /* GS V B 0: feed, cut */

    size_t data_len = (size_t)bmp->stride * bmp->height;
    size_t total = sizeof init + strlen(title) + sizeof header + data_len + (size_t)footer_len +
                   sizeof cut;
    unsigned char *buf = malloc(total);
    if (buf == NULL) {
        fprintf(stderr, "print_qr: out of memory\n");
        return -1;
    }
    unsigned char *p = buf;
    memcpy(p, init, sizeof init), p += sizeof init;
    memcpy(p, title, strlen(title)), p += strlen(title);
    memcpy(p, header, sizeof header), p += sizeof header;
    memcpy(p, bmp->bits, data_len), p += data_len;
    memcpy(p, footer, (size_t)footer_len), p += footer_len;
    memcpy(p, cut, sizeof cut);
    int rc = write_file(path, "", 0, buf, total);
    free(buf);
    return rc;
}

static int write_pbm(const char *path, const cfrpd_bitmap *bmp) {
    char header[64];
    int n = snprintf(header, sizeof header, "P4\n%u %u\n", bmp->width, bmp->height);
    return write_file(path, header, (size_t)n, bmp->bits, (size_t)bmp->stride * bmp->height);
}

int main(int argc, char **argv) {
    const char *id = NULL, *name = "John Doe", *escpos_path = NULL, *pbm_path = "upi_qr.pbm";
    long scale = 0, dots = 384, quiet_zone = CFRPD_QR_STANDARD_QUIET_ZONE;
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--id") == 0 && v != NULL) {
            id = v, i++;
        } else if (strcmp(a, "--name") == 0 && v != NULL) {
            name = v, i++;
        } else if (strcmp(a, "--scale") == 0) {
            if ((scale = number(a, v, 1, CFRPD_QR_MAX_SCALE)) < 0) return usage();
            i++;
        } else if (strcmp(a, "--dots") == 0) {
            if ((dots = number(a, v, 8, 65535)) < 0) return usage();
            i++;
        } else if (strcmp(a, "--quiet-zone") == 0) {
            if ((quiet_zone = number(a, v, 0, CFRPD_QR_MAX_QUIET_ZONE)) < 0) return usage();
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "print_qr: unknown option %s\n", a);
            return usage();
        } else if (positional == 0) {
            escpos_path = a, positional++;
        } else if (positional == 1) {
            pbm_path = a, positional++;
        } else {
            return usage();
        }
    }
    if (escpos_path == NULL) {
        return usage();
    }
    char generated_id[64];
    if (id == NULL) {
        snprintf(generated_id, sizeof generated_id, "print-qr-%lld-%ld", (long long)time(NULL),
                 (long)getpid());
        id = generated_id;
    }

    int exit_code = 1;
    cfrpd_config *config = NULL;
    cfrpd_client *client = NULL;
    cfrpd_request *request = NULL;
    cfrpd_qr *qr = NULL;
    cfrpd_bitmap *bitmap = NULL;
    cfrpd_error *err = NULL;

    cfrpd_result rc = cfrpd_config_from_env(&config, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_config_from_env", rc, err);
        goto done;
    }
    rc = cfrpd_client_new(config, &client, &err);
    cfrpd_config_free(config);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_client_new", rc, err);
        goto done;
    }
    rc = cfrpd_create(client, id, name, &request, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_create", rc, err);
        goto done;
    }
    printf("verification_id: %s\nref_id: %lld\nupi_link: %s\n", request->verification_id,
           (long long)request->ref_id, request->upi_link);

    /* The module matrix of the UPI link, then dots. */
    rc = cfrpd_qr_encode(request->upi_link, &qr, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_qr_encode", rc, err);
        goto done;
    }
    uint32_t modules_wide = qr->size + 2 * (uint32_t)quiet_zone;
    if (scale == 0) {
        scale = dots / (long)modules_wide;
        if (scale > 8) scale = 8;
        if (scale < 1) {
            fprintf(stderr, "print_qr: a %u-module code does not fit in %ld dots\n", modules_wide,
                    dots);
            goto done;
        }
    }
    if ((long)modules_wide * scale > dots) {
        fprintf(stderr, "print_qr: warning: %ld dots wide, more than the %ld the printer has\n",
                (long)modules_wide * scale, dots);
    }
    if (scale < 2) {
        fprintf(stderr, "print_qr: warning: 1 dot per module is too small for most scanners\n");
    }
    rc = cfrpd_qr_bitmap(qr, (uint32_t)scale, (uint32_t)quiet_zone, &bitmap, &err);
    if (rc != CFRPD_OK) {
        print_error("cfrpd_qr_bitmap", rc, err);
        goto done;
    }
    printf("qr: %u modules, %ld dots per module, %ux%u dots\n", qr->size, scale, bitmap->width,
           bitmap->height);

    if (write_escpos(escpos_path, bitmap, (long long)request->ref_id) != 0 ||
        write_pbm(pbm_path, bitmap) != 0) {
        goto done;
    }
    printf("wrote %s (ESC/POS) and %s (PBM)\n", escpos_path, pbm_path);
    exit_code = 0;

done:
    cfrpd_bitmap_free(bitmap);
    cfrpd_qr_free(qr);
    cfrpd_request_free(request);
    cfrpd_client_free(client);
    return exit_code;
}

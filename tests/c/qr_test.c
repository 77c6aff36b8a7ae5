/*
 * qr_test.c — checks the QR functions of the C ABI (cfrpd_qr_encode, cfrpd_qr_bitmap,
 * cfrpd_qr_to_text and their frees): geometry, the module-to-pixel mapping, the terminal
 * text, limits, bad input, tampered structs.
 *
 * Built with -Wall -Wextra -Wpedantic -Werror -std=c11 and run by tests/it/c_qr.rs (also
 * under AddressSanitizer+UBSan and valgrind). Needs no server. Prints one line per check
 * and finally "N passed, M failed"; exits 1 if any check failed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cashfree_rpd.h"

#include "check.h"

static const char *UPI =
    "upi://pay?pa=cashfree.rpd@yesbank&pn=Cashfree%20Payments&tn=BAV&am=1.00&cu=INR&tr=1000123";

/* A non-NULL pointer value that must be overwritten (never dereferenced). */
#define SENTINEL_QR ((cfrpd_qr *)(uintptr_t)0x1)
#define SENTINEL_BITMAP ((cfrpd_bitmap *)(uintptr_t)0x1)
#define SENTINEL_ERR ((cfrpd_error *)(uintptr_t)0x1)

static bool contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static bool pixel(const cfrpd_bitmap *b, uint32_t x, uint32_t y) {
    return (b->bits[(size_t)y * b->stride + x / 8] >> (7 - x % 8)) & 1;
}

/* Expects `rc` to be CFRPD_ERR_INVALID_ARGUMENT with a message containing `word`; frees err. */
static void expect_invalid(cfrpd_result rc, cfrpd_error *err, const char *word, const char *what) {
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT, "%s: CFRPD_ERR_INVALID_ARGUMENT (got %s)", what,
          cfrpd_result_name(rc));
    if (CHECK(err != NULL && err != SENTINEL_ERR, "%s: an error is returned", what)) {
        CHECK(err->code == rc, "%s: err->code matches", what);
        CHECK(contains(err->message, word), "%s: message mentions \"%s\" (%s)", what, word,
              err->message != NULL ? err->message : "(null)");
        cfrpd_error_free(err);
    }
}

static cfrpd_qr *encode_ok(const char *text) {
    cfrpd_qr *qr = SENTINEL_QR;
    cfrpd_error *err = SENTINEL_ERR;
    cfrpd_result rc = cfrpd_qr_encode(text, &qr, &err);
    CHECK(rc == CFRPD_OK, "encode %.20s...: CFRPD_OK (got %s)", text, cfrpd_result_name(rc));
    CHECK(err == NULL, "encode: *err = NULL on success");
    if (rc != CFRPD_OK) {
        cfrpd_error_free(err == SENTINEL_ERR ? NULL : err);
        return NULL;
    }
    return qr;
}

/* The 7x7 finder pattern with its top-left corner at (x0, y0). */
static bool finder_at(const cfrpd_qr *qr, uint32_t x0, uint32_t y0) {
    for (uint32_t dy = 0; dy < 7; dy++) {
        for (uint32_t dx = 0; dx < 7; dx++) {
            bool ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
            bool core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
            uint8_t want = (ring || core) ? 1 : 0;
            if (qr->modules[(size_t)(y0 + dy) * qr->size + x0 + dx] != want) {
                return false;
            }
        }
    }
    return true;
}

static void test_encode(void) {
    cfrpd_qr *qr = encode_ok("hello");
    if (qr == NULL) {
        return;
    }
    CHECK(qr->size == 21, "\"hello\" is version 1: 21 modules (got %u)", qr->size);
    CHECK(qr->modules != NULL, "modules is set");
    bool binary = true;
    for (size_t i = 0; i < (size_t)qr->size * qr->size; i++) {
        binary = binary && qr->modules[i] <= 1;
    }
    CHECK(binary, "every module is 0 or 1");
    CHECK(finder_at(qr, 0, 0) && finder_at(qr, qr->size - 7, 0) && finder_at(qr, 0, qr->size - 7),
          "the three finder patterns are where they belong");
    /* Timing pattern: row 6 alternates between the finders. */
    bool timing = true;
    for (uint32_t x = 8; x < qr->size - 8; x++) {
        timing = timing && qr->modules[6 * qr->size + x] == (x % 2 == 0);
    }
    CHECK(timing, "the timing pattern alternates");
    cfrpd_qr_free(qr);

    qr = encode_ok(UPI);
    if (qr != NULL) {
        CHECK(qr->size >= 25 && qr->size <= 177 && (qr->size - 17) % 4 == 0,
              "a UPI link gives a valid size (%u)", qr->size);
        cfrpd_qr_free(qr);
    }

    /* The largest text that fits: 2331 bytes at level M is version 40. */
    char *big = malloc(2333);
    memset(big, 'x', 2331);
    big[2331] = '\0';
    qr = encode_ok(big);
    if (qr != NULL) {
        CHECK(qr->size == CFRPD_QR_MAX_SIZE, "2331 bytes: 177 modules (got %u)", qr->size);
        cfrpd_qr_free(qr);
    }
    /* One more byte does not fit. */
    big[2331] = 'x';
    big[2332] = '\0';
    qr = SENTINEL_QR;
    cfrpd_error *err = SENTINEL_ERR;
    cfrpd_result rc = cfrpd_qr_encode(big, &qr, &err);
    CHECK(qr == NULL, "too long: *out = NULL");
    expect_invalid(rc, err, "too long", "encode 2332 bytes");
    free(big);

    /* Non-ASCII UTF-8 is fine. */
    qr = encode_ok("Pay \xe2\x82\xb9" "1"); /* U+20B9 RUPEE SIGN */
    cfrpd_qr_free(qr);
}

static void test_encode_bad_input(void) {
    cfrpd_qr *qr = SENTINEL_QR;
    cfrpd_error *err = SENTINEL_ERR;
    cfrpd_result rc = cfrpd_qr_encode(NULL, &qr, &err);
    CHECK(qr == NULL, "NULL text: *out = NULL");
    expect_invalid(rc, err, "NULL", "encode NULL text");

    qr = SENTINEL_QR;
    err = SENTINEL_ERR;
    rc = cfrpd_qr_encode("", &qr, &err);
    CHECK(qr == NULL, "empty text: *out = NULL");
    expect_invalid(rc, err, "empty", "encode \"\"");

    qr = SENTINEL_QR;
    err = SENTINEL_ERR;
    rc = cfrpd_qr_encode("upi://\xff\xfe", &qr, &err);
    CHECK(qr == NULL, "invalid UTF-8: *out = NULL");
    expect_invalid(rc, err, "UTF-8", "encode invalid UTF-8");

    err = SENTINEL_ERR;
    rc = cfrpd_qr_encode("hello", NULL, &err);
    expect_invalid(rc, err, "out", "encode with a NULL out pointer");

    /* err may be NULL. */
    qr = SENTINEL_QR;
    rc = cfrpd_qr_encode("", &qr, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && qr == NULL, "err = NULL: only the code");
    qr = NULL;
    rc = cfrpd_qr_encode("hello", &qr, NULL);
    CHECK(rc == CFRPD_OK && qr != NULL, "err = NULL on success");
    cfrpd_qr_free(qr);
}

/* Every pixel of `b` against the matrix; the padding bits too. */
static void check_geometry(const cfrpd_qr *qr, uint32_t scale, uint32_t qz) {
    cfrpd_bitmap *b = SENTINEL_BITMAP;
    cfrpd_error *err = SENTINEL_ERR;
    cfrpd_result rc = cfrpd_qr_bitmap(qr, scale, qz, &b, &err);
    if (!CHECK(rc == CFRPD_OK && b != NULL && err == NULL, "bitmap scale %u qz %u: CFRPD_OK",
               scale, qz)) {
        return;
    }
    uint32_t side = (qr->size + 2 * qz) * scale;
    CHECK(b->width == side && b->height == side, "scale %u qz %u: %ux%u pixels (got %ux%u)", scale,
          qz, side, side, b->width, b->height);
    CHECK(b->stride == (side + 7) / 8, "scale %u qz %u: stride %u (got %u)", scale, qz,
          (side + 7) / 8, b->stride);
    bool quiet_white = true, mapping = true, padding = true;
    for (uint32_t y = 0; y < b->height; y++) {
        for (uint32_t x = 0; x < b->stride * 8; x++) {
            bool black = pixel(b, x, y);
            if (x >= b->width) {
                padding = padding && !black;
                continue;
            }
            uint32_t mx = x / scale, my = y / scale;
            bool in_quiet = mx < qz || my < qz || mx >= qz + qr->size || my >= qz + qr->size;
            if (in_quiet) {
                quiet_white = quiet_white && !black;
            } else {
                bool dark = qr->modules[(size_t)(my - qz) * qr->size + (mx - qz)] != 0;
                mapping = mapping && black == dark;
            }
        }
    }
    CHECK(quiet_white, "scale %u qz %u: the quiet zone is all white", scale, qz);
    CHECK(mapping, "scale %u qz %u: module (x, y) is the pixels [x*scale, (x+1)*scale) (MSB first, 1 = black)",
          scale, qz);
    CHECK(padding, "scale %u qz %u: padding bits after the last pixel are 0", scale, qz);
    if (qz > 0) {
        CHECK(!pixel(b, 0, 0), "scale %u qz %u: the corner is white", scale, qz);
    }
    /* The top-left finder's corner module. */
    CHECK(pixel(b, qz * scale, qz * scale) && pixel(b, qz * scale + scale - 1, qz * scale + scale - 1),
          "scale %u qz %u: the first module is black", scale, qz);
    cfrpd_bitmap_free(b);
}

static void test_bitmap(void) {
    cfrpd_qr *qr = encode_ok(UPI);
    if (qr == NULL) {
        return;
    }
    const uint32_t cases[][2] = {{1, 0}, {1, 4}, {2, 4}, {3, 1}, {4, 4}, {5, 0}, {7, 16}, {8, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_geometry(qr, cases[i][0], cases[i][1]);
    }

    /* Limits: scale 1..64, quiet zone 0..16. */
    cfrpd_bitmap *b = NULL;
    cfrpd_result rc = cfrpd_qr_bitmap(qr, CFRPD_QR_MAX_SCALE, CFRPD_QR_MAX_QUIET_ZONE, &b, NULL);
    CHECK(rc == CFRPD_OK && b != NULL && b->width == (qr->size + 32) * 64,
          "scale 64 with quiet zone 16 works");
    cfrpd_bitmap_free(b);
    const uint32_t bad[][2] = {{0, 4}, {65, 4}, {UINT32_MAX, 4}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b = SENTINEL_BITMAP;
        cfrpd_error *err = SENTINEL_ERR;
        rc = cfrpd_qr_bitmap(qr, bad[i][0], bad[i][1], &b, &err);
        CHECK(b == NULL, "scale %u: *out = NULL", bad[i][0]);
        expect_invalid(rc, err, "scale", "scale out of range");
    }
    const uint32_t bad_qz[] = {17, 1000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_qz / sizeof bad_qz[0]; i++) {
        b = SENTINEL_BITMAP;
        cfrpd_error *err = SENTINEL_ERR;
        rc = cfrpd_qr_bitmap(qr, 4, bad_qz[i], &b, &err);
        CHECK(b == NULL, "quiet zone %u: *out = NULL", bad_qz[i]);
        expect_invalid(rc, err, "quiet zone", "quiet zone out of range");
    }
    cfrpd_qr_free(qr);
}

static void test_bitmap_bad_input(void) {
    cfrpd_bitmap *b = SENTINEL_BITMAP;
    cfrpd_error *err = SENTINEL_ERR;
    cfrpd_result rc = cfrpd_qr_bitmap(NULL, 4, 4, &b, &err);
    CHECK(b == NULL, "NULL qr: *out = NULL");
    expect_invalid(rc, err, "qr", "bitmap of NULL");

    cfrpd_qr *qr = encode_ok("hello");
    if (qr == NULL) {
        return;
    }
    err = SENTINEL_ERR;
    rc = cfrpd_qr_bitmap(qr, 4, 4, NULL, &err);
    expect_invalid(rc, err, "out", "bitmap with a NULL out pointer");

    /* A matrix built by the caller, and tampered ones. */
    uint8_t *own = malloc(21 * 21);
    memcpy(own, qr->modules, 21 * 21);
    cfrpd_qr mine = {21, own};
    b = NULL;
    rc = cfrpd_qr_bitmap(&mine, 2, 4, &b, NULL);
    CHECK(rc == CFRPD_OK && b != NULL && b->width == 58, "a caller-built matrix works");
    cfrpd_bitmap_free(b);
    for (size_t i = 0; i < 21 * 21; i++) {
        own[i] = own[i] ? 0xFF : 0; /* any non-zero byte is dark */
    }
    cfrpd_bitmap *b2 = NULL;
    rc = cfrpd_qr_bitmap(&mine, 2, 4, &b2, NULL);
    b = NULL;
    cfrpd_result rc1 = cfrpd_qr_bitmap(qr, 2, 4, &b, NULL);
    CHECK(rc == CFRPD_OK && rc1 == CFRPD_OK && b != NULL && b2 != NULL &&
              memcmp(b->bits, b2->bits, (size_t)b->stride * b->height) == 0,
          "non-zero module bytes count as dark");
    cfrpd_bitmap_free(b);
    cfrpd_bitmap_free(b2);

    const uint32_t bad_sizes[] = {0, 1, 20, 22, 24, 178, 181, 100000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        cfrpd_qr tampered = {bad_sizes[i], own};
        b = SENTINEL_BITMAP;
        err = SENTINEL_ERR;
        rc = cfrpd_qr_bitmap(&tampered, 2, 4, &b, &err);
        CHECK(b == NULL, "size %u: *out = NULL", bad_sizes[i]);
        expect_invalid(rc, err, "size", "bitmap of a tampered size");
    }
    cfrpd_qr no_modules = {21, NULL};
    b = SENTINEL_BITMAP;
    err = SENTINEL_ERR;
    rc = cfrpd_qr_bitmap(&no_modules, 2, 4, &b, &err);
    CHECK(b == NULL, "NULL modules: *out = NULL");
    expect_invalid(rc, err, "modules", "bitmap with NULL modules");
    free(own);

    /* Tampering with a library-made struct does not make its free release the wrong
     * memory (ASan and valgrind would say so). */
    qr->size = 177;
    qr->modules = NULL;
    cfrpd_qr_free(qr);
    CHECK(true, "cfrpd_qr_free of a tampered struct releases what was allocated");

    qr = encode_ok("hello");
    if (qr != NULL) {
        b = NULL;
        rc = cfrpd_qr_bitmap(qr, 1, 0, &b, NULL);
        if (CHECK(rc == CFRPD_OK && b != NULL, "scale 1, no quiet zone")) {
            b->width = 1;
            b->stride = 0;
            b->bits = NULL;
            cfrpd_bitmap_free(b);
            CHECK(true, "cfrpd_bitmap_free of a tampered struct releases what was allocated");
        }
        cfrpd_qr_free(qr);
    }
}

/* The text cfrpd_qr_to_text must return, drawn here from the modules by its documented
 * rule: a 4-module quiet zone, two module rows per line (U+2588 both dark, U+2580 top
 * only, U+2584 bottom only, space neither), '\n' after every line; with `ansi` each line
 * between ESC[30;107m and ESC[0m. */
static char *expected_text(const cfrpd_qr *qr, bool ansi) {
    const long q = 4, n = (long)qr->size, side = n + 2 * q;
    char *out = malloc((size_t)((side + 1) / 2) * (size_t)(side * 3 + 16) + 1);
    char *p = out;
    for (long y = 0; y < side; y += 2) {
        if (ansi) {
            p += sprintf(p, "\x1b[30;107m");
        }
        for (long x = 0; x < side; x++) {
            bool top = false, bottom = false;
            long mx = x - q, my = y - q;
            if (mx >= 0 && mx < n && my >= 0 && my < n) {
                top = qr->modules[my * n + mx] != 0;
            }
            if (mx >= 0 && mx < n && my + 1 >= 0 && my + 1 < n) {
                bottom = qr->modules[(my + 1) * n + mx] != 0;
            }
            const char *cell = top && bottom ? "\xe2\x96\x88" /* U+2588 */
                               : top         ? "\xe2\x96\x80" /* U+2580 */
                               : bottom      ? "\xe2\x96\x84" /* U+2584 */
                                             : " ";
            p += sprintf(p, "%s", cell);
        }
        p += sprintf(p, "%s\n", ansi ? "\x1b[0m" : "");
    }
    *p = '\0';
    return out;
}

static void test_text(void) {
    cfrpd_qr *qr = encode_ok("hello");
    if (qr == NULL) {
        return;
    }
    for (int ansi = 0; ansi <= 1; ansi++) {
        char *text = (char *)SENTINEL_ERR;
        cfrpd_error *err = SENTINEL_ERR;
        cfrpd_result rc = cfrpd_qr_to_text(qr, ansi, &text, &err);
        if (!CHECK(rc == CFRPD_OK && err == NULL && text != NULL && text != (char *)SENTINEL_ERR,
                   "to_text ansi=%d: CFRPD_OK, *err = NULL", ansi)) {
            continue;
        }
        char *want = expected_text(qr, ansi);
        CHECK(strcmp(text, want) == 0, "to_text ansi=%d: half blocks, 4-module quiet zone, "
              "two rows per line (%zu bytes)", ansi, strlen(text));
        size_t lines = 0;
        for (const char *c = text; *c != '\0'; c++) {
            lines += *c == '\n';
        }
        CHECK(lines == (21 + 8 + 1) / 2 && text[strlen(text) - 1] == '\n',
              "to_text ansi=%d: 15 lines, each ended by a newline (got %zu)", ansi, lines);
        const char *dump = getenv("CFRPD_QR_TEXT_OUT");
        if (dump != NULL) {
            /* For tests/it/c_qr.rs, which compares it with the Rust API's to_unicode:
             * written to $CFRPD_QR_TEXT_OUT.0 (plain) and .1 (ANSI). */
            char path[4096];
            snprintf(path, sizeof path, "%s.%d", dump, ansi);
            FILE *f = fopen(path, "wb");
            CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "to_text ansi=%d: written to %s",
                  ansi, path);
        }
        free(want);
        cfrpd_string_free(text);
    }

    /* Any non-zero module byte is dark, as for cfrpd_qr_bitmap. */
    uint8_t *own = malloc(21 * 21);
    for (size_t i = 0; i < 21 * 21; i++) {
        own[i] = qr->modules[i] ? 0x80 : 0;
    }
    cfrpd_qr mine = {21, own};
    char *a = NULL, *b = NULL;
    cfrpd_result rc = cfrpd_qr_to_text(&mine, false, &a, NULL);
    cfrpd_result rc2 = cfrpd_qr_to_text(qr, false, &b, NULL);
    CHECK(rc == CFRPD_OK && rc2 == CFRPD_OK && a != NULL && b != NULL && strcmp(a, b) == 0,
          "to_text of a caller-built matrix: non-zero bytes are dark");
    cfrpd_string_free(a);
    cfrpd_string_free(b);

    /* Bad input: *out = NULL and CFRPD_ERR_INVALID_ARGUMENT naming the culprit. */
    char *text = (char *)SENTINEL_ERR;
    cfrpd_error *err = SENTINEL_ERR;
    rc = cfrpd_qr_to_text(NULL, false, &text, &err);
    CHECK(text == NULL, "to_text of NULL: *out = NULL");
    expect_invalid(rc, err, "qr", "to_text of NULL");
    err = SENTINEL_ERR;
    rc = cfrpd_qr_to_text(qr, true, NULL, &err);
    expect_invalid(rc, err, "out", "to_text with a NULL out pointer");
    cfrpd_qr no_modules = {21, NULL};
    text = (char *)SENTINEL_ERR;
    err = SENTINEL_ERR;
    rc = cfrpd_qr_to_text(&no_modules, false, &text, &err);
    CHECK(text == NULL, "to_text with NULL modules: *out = NULL");
    expect_invalid(rc, err, "modules", "to_text with NULL modules");
    const uint32_t bad_sizes[] = {0, 20, 22, 178, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        cfrpd_qr tampered = {bad_sizes[i], own};
        text = (char *)SENTINEL_ERR;
        err = SENTINEL_ERR;
        rc = cfrpd_qr_to_text(&tampered, false, &text, &err);
        CHECK(text == NULL, "to_text of size %u: *out = NULL", bad_sizes[i]);
        expect_invalid(rc, err, "size", "to_text of a tampered size");
    }
    text = (char *)SENTINEL_ERR;
    rc = cfrpd_qr_to_text(NULL, false, &text, NULL);
    CHECK(rc == CFRPD_ERR_INVALID_ARGUMENT && text == NULL, "to_text with err = NULL: only the code");
    free(own);
    cfrpd_qr_free(qr);
}

static void test_free_null(void) {
    cfrpd_qr_free(NULL);
    cfrpd_bitmap_free(NULL);
    cfrpd_string_free(NULL);
    CHECK(true, "cfrpd_qr_free(NULL), cfrpd_bitmap_free(NULL) and cfrpd_string_free(NULL) are no-ops");
}

int main(void) {
    test_free_null();
    test_encode();
    test_encode_bad_input();
    test_bitmap();
    test_bitmap_bad_input();
    test_text();
    return check_summary();
}

/*
 * check.h — the one check helper of the C test programs (included by each; not part of
 * the library).
 *
 *   CHECK(cond, fmt, ...)           prints "ok   <what>" or "FAIL <what>  (file.c:line)",
 *                                   where <what> is printf(fmt, ...); counts it; returns cond
 *   CHECK_DETAIL(cond, what, detail) the same with a fixed text and, on failure, ": detail"
 *                                   (detail may be NULL)
 *   check_summary()                 prints "N passed, M failed" (the harness reads this
 *                                   last line: tests/common/cenv.rs) and returns the exit
 *                                   status: 0 when no check failed, else 1
 *
 * One line per check, flushed, so a crash shows where the program was.
 */
#ifndef CFRPD_TEST_CHECK_H
#define CFRPD_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

static unsigned passed;
static unsigned failed;

/* The file name of `path` (__FILE__ holds the path the compiler was given). */
static inline const char *check_file_name(const char *path) {
    const char *name = path;
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '/' || *p == '\\') {
            name = p + 1;
        }
    }
    return name;
}

static inline bool check_at(const char *file, int line, bool ok, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    if (!ok) {
        printf("  (%s:%d)", check_file_name(file), line);
    }
    printf("\n");
    fflush(stdout);
    va_end(ap);
    if (ok) {
        passed++;
    } else {
        failed++;
    }
    return ok;
}

#define CHECK(cond, ...) check_at(__FILE__, __LINE__, (cond), __VA_ARGS__)

static inline bool check_detail_at(const char *file, int line, bool ok, const char *what,
                                   const char *detail) {
    return check_at(file, line, ok, "%s%s%s", what, detail != NULL ? ": " : "",
                    detail != NULL ? detail : "");
}

#define CHECK_DETAIL(cond, what, detail) check_detail_at(__FILE__, __LINE__, (cond), (what), (detail))

static inline int check_summary(void) {
    printf("%u passed, %u failed\n", passed, failed);
    fflush(stdout);
    return failed == 0 ? 0 : 1;
}

#endif

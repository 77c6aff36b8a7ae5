/* Stand-in for bionic's <string.h> when checking the Rust library for Android without the
 * NDK (targets.mk, "Android"): the functions ring's C and the JNI glue call. Never part of
 * a real Android build, which uses the NDK's sysroot. */
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Defines names that Rust staticlibs define globally (allocator shims, the personality
 * routine, a compiler-builtins function). Linked with the installed libcashfree_rpd.a
 * by tests/it/packaging.rs: with only cfrpd_* exported there is no clash, and the
 * library keeps using its own copies (these abort if ever called). */
#include <stdio.h>
#include <stdlib.h>

static void called(const char *name) {
    fprintf(stderr, "rust_names.c: %s was called instead of the library's own\n", name);
    abort();
}

void *__rust_alloc(size_t size, size_t align) {
    (void)size; (void)align;
    called("__rust_alloc");
    return NULL;
}
void __rust_dealloc(void *p, size_t size, size_t align) {
    (void)p; (void)size; (void)align;
    called("__rust_dealloc");
}
int rust_eh_personality(void) {
    called("rust_eh_personality");
    return 0;
}
void rust_begin_unwind(void) { called("rust_begin_unwind"); }
unsigned long long __rust_probestack(void) {
    called("__rust_probestack");
    return 0;
}

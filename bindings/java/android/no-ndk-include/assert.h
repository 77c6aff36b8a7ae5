/* Stand-in for bionic's <assert.h> when checking the Rust library for Android without the
 * NDK (targets.mk, "Android"): ring's C only needs the macro. Never part
 * of a real Android build, which uses the NDK's sysroot. */
#define assert(x) ((void)0)
#define static_assert _Static_assert

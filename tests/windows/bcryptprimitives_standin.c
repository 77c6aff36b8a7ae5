/*
 * TEST-ONLY stand-in for bcryptprimitives.dll, built by tests/common/wine.rs next to
 * each test .exe that runs under wine. NEVER SHIPPED.
 *
 * Rust's standard library imports ProcessPrng from bcryptprimitives.dll (present on
 * Windows 10 and later); Debian's wine 8.0 lacks it, so a Rust program (and any C program
 * linking the library) fails to start under it. This DLL exports ProcessPrng and
 * forwards to SystemFunction036 (RtlGenRandom) of advapi32, which wine has.
 * bcryptprimitives_standin.def gives the undecorated export name (also on i686, where
 * WINAPI is __stdcall).
 */
#include <windows.h>

/* advapi32's RtlGenRandom, exported under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

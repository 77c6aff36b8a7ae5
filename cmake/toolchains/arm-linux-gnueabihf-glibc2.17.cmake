# CMake toolchain file for a consumer of cashfree_rpd on 32-bit ARM Linux (hard-float)
# whose programs must run on glibc 2.17 or newer (payment terminals): the C and C++
# compilers are `zig cc` / `zig c++` linking against glibc 2.17, as the library itself is
# built (`make TARGET=armv7-unknown-linux-gnueabihf`). Debian's gcc
# (arm-linux-gnueabihf.cmake beside this file) links against this machine's glibc: its
# programs need GLIBC_2.34 and do not start on a terminal.
#
#   make zig-tools                      # zig in a venv (ZIG_VENV, default /tmp/cfrpd-zig)
#   make TARGET=armv7-unknown-linux-gnueabihf
#   make install TARGET=armv7-unknown-linux-gnueabihf DESTDIR=$PWD/sysroot PREFIX=/usr
#   cmake -S examples/c -B build-arm \
#         -DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/toolchains/arm-linux-gnueabihf-glibc2.17.cmake \
#         -DCMAKE_PREFIX_PATH=$PWD/sysroot/usr
#   cmake --build build-arm
#   make check-glibc APP=build-arm/quickstart    # GLIBC_2.17 at most
#
# zig is taken from CFRPD_ZIG, else PATH, else the venv of `make zig-tools`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT DEFINED CFRPD_ZIG)
  if(DEFINED ENV{ZIG_VENV})
    set(_cfrpd_zig_venv "$ENV{ZIG_VENV}/bin")
  else()
    set(_cfrpd_zig_venv "/tmp/cfrpd-zig/bin")
  endif()
  find_program(CFRPD_ZIG NAMES zig python-zig HINTS "${_cfrpd_zig_venv}" NO_CMAKE_FIND_ROOT_PATH)
  if(NOT CFRPD_ZIG)
    message(FATAL_ERROR "zig not found: run `make zig-tools` (or set -DCFRPD_ZIG=/path/to/zig)")
  endif()
endif()
# The compiler "zig" with its mandatory arguments (a list: CMake 3.19 and later).
set(CMAKE_C_COMPILER "${CFRPD_ZIG}" cc -target arm-linux-gnueabihf.2.17)
set(CMAKE_CXX_COMPILER "${CFRPD_ZIG}" c++ -target arm-linux-gnueabihf.2.17)

# Look for libraries and packages (cashfree_rpd's CMake package) only in the prefixes
# given, never in this machine's /usr/lib; programs (cmake helpers) on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The prefixes of CMAKE_PREFIX_PATH are searched as given (not re-rooted in a sysroot).
set(CMAKE_FIND_ROOT_PATH "/")

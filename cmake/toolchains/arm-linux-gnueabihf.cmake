# CMake toolchain file for a consumer of cashfree_rpd on 32-bit ARM Linux (hard-float),
# e.g. a payment terminal. Use it for your application's build, with the library built
# and installed for the same target:
#
#   make lib TARGET=armv7-unknown-linux-gnueabihf
#   make install TARGET=armv7-unknown-linux-gnueabihf DESTDIR=$PWD/sysroot PREFIX=/usr
#   cmake -S app -B build-arm \
#         -DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/toolchains/arm-linux-gnueabihf.cmake \
#         -DCMAKE_PREFIX_PATH=$PWD/sysroot/usr
#   cmake --build build-arm
#
# With a terminal vendor's SDK, set CFRPD_CROSS_PREFIX to its compiler prefix (e.g.
# /opt/vos3-sdk/bin/arm-none-linux-gnueabihf-) and CMAKE_SYSROOT to its sysroot; build the
# library with the same compiler (README.md, "Building for your terminal or app").
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT DEFINED CFRPD_CROSS_PREFIX)
  set(CFRPD_CROSS_PREFIX "arm-linux-gnueabihf-")   # Debian's gcc-arm-linux-gnueabihf
endif()
set(CMAKE_C_COMPILER "${CFRPD_CROSS_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${CFRPD_CROSS_PREFIX}g++")

# Look for libraries and packages (cashfree_rpd's CMake package) only in the prefixes
# given, never in this machine's /usr/lib; programs (cmake helpers) on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The prefixes of CMAKE_PREFIX_PATH are searched as given (not re-rooted in a sysroot).
set(CMAKE_FIND_ROOT_PATH "/")

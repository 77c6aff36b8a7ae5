# The cross targets of the C library: which toolchain builds each one and which tools
# link, clean and run its programs. Included by the Makefile (`make lib TARGET=<triple>`);
# tests/common/cross.rs reads the same values through `make -s print-target TARGET=...`,
# so this file is the one definition of them.
#
# TOOLCHAIN, per target (override on the command line: TOOLCHAIN=gcc|zig|vendor):
#   zig     cargo-zigbuild: ring's C and the link by `zig cc`, against glibc 2.17 (Rust's
#           floor) for the -gnu targets, so the .so and programs linked with ZIG_CC run
#           on any glibc >= 2.17 (Debian's cross gcc alone gives GLIBC_2.34);
#   gcc     Debian's cross gcc (gcc-arm-linux-gnueabihf, gcc-aarch64-linux-gnu,
#           gcc-i686-linux-gnu, gcc-mingw-w64-*): glibc of this machine (2.36 on Debian 12);
#   vendor  plain cargo with your own CC_<triple> / CARGO_TARGET_<TRIPLE>_LINKER /
#           AR_<triple> (e.g. a terminal SDK's arm-none-linux-gnueabihf-gcc with its
#           sysroot). Chosen automatically when CC_<triple> or the linker variable is set.

SUPPORTED_TARGETS := armv7-unknown-linux-gnueabihf aarch64-unknown-linux-gnu \
    aarch64-unknown-linux-musl x86_64-unknown-linux-musl i686-unknown-linux-gnu \
    x86_64-pc-windows-gnu i686-pc-windows-gnu

# Default toolchain.
toolchain.armv7-unknown-linux-gnueabihf := zig
toolchain.aarch64-unknown-linux-gnu     := zig
toolchain.aarch64-unknown-linux-musl    := zig
toolchain.x86_64-unknown-linux-musl     := zig
toolchain.i686-unknown-linux-gnu        := gcc
toolchain.x86_64-pc-windows-gnu         := gcc
toolchain.i686-pc-windows-gnu           := gcc

# zig's name for the target (`zig cc -target ...`); ".2.17" = link against glibc 2.17.
zig.armv7-unknown-linux-gnueabihf := arm-linux-gnueabihf.2.17
zig.aarch64-unknown-linux-gnu     := aarch64-linux-gnu.2.17
zig.aarch64-unknown-linux-musl    := aarch64-linux-musl
zig.x86_64-unknown-linux-musl     := x86_64-linux-musl
# cargo-zigbuild's --target (the glibc version is a suffix of Rust's triple).
zigtarget.armv7-unknown-linux-gnueabihf := armv7-unknown-linux-gnueabihf.2.17
zigtarget.aarch64-unknown-linux-gnu     := aarch64-unknown-linux-gnu.2.17

# GNU toolchain prefix: the binutils that clean the archive (ld -r, objcopy, readelf /
# nm, ar, strip) and, for TOOLCHAIN=gcc and fully static glibc programs, gcc.
# Empty = this machine's own (x86-64).
gnu.armv7-unknown-linux-gnueabihf := arm-linux-gnueabihf-
gnu.aarch64-unknown-linux-gnu     := aarch64-linux-gnu-
gnu.aarch64-unknown-linux-musl    := aarch64-linux-gnu-
gnu.x86_64-unknown-linux-musl     :=
gnu.i686-unknown-linux-gnu        := i686-linux-gnu-
gnu.x86_64-pc-windows-gnu         := x86_64-w64-mingw32-
gnu.i686-pc-windows-gnu           := i686-w64-mingw32-

# How programs of the target run on this x86-64 Linux machine (empty = natively).
runner.armv7-unknown-linux-gnueabihf := qemu-arm -L /usr/arm-linux-gnueabihf
runner.aarch64-unknown-linux-gnu     := qemu-aarch64 -L /usr/aarch64-linux-gnu
runner.aarch64-unknown-linux-musl    := qemu-aarch64
runner.x86_64-unknown-linux-musl     :=
# natively (this kernel runs 32-bit x86); the loader and libraries of Debian's cross sysroot,
# as no i386 libc is installed on the x86-64 system itself.
runner.i686-unknown-linux-gnu        := /usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib
runner.x86_64-pc-windows-gnu         := wine
runner.i686-pc-windows-gnu           := wine

# Where zig and cargo-zigbuild are: on PATH, else in the venv `make zig-tools` makes.
ZIG_VENV   ?= /tmp/cfrpd-zig
ZIG_VERSION := 0.17.1
ZIGBUILD_VERSION := 0.24.1
ZIG        ?= $(or $(shell command -v zig 2>/dev/null),$(ZIG_VENV)/bin/python-zig)
ZIGBUILD   ?= $(or $(shell command -v cargo-zigbuild 2>/dev/null),$(ZIG_VENV)/bin/cargo-zigbuild)

# --- Android (README.md "Android"): the static library only, checked without the
# NDK. TOOLCHAIN=android compiles ring's C with Debian's clang (`apt-get install clang lld`)
# for API 21, against stand-in headers instead of bionic's (bindings/java/android/
# no-ndk-include: ring's C needs only assert.h and string.h; `make java-android-check`
# compiles the JNI glue with them too), builds the staticlib crate
# type alone (the cdylib needs bionic's crt and libc.so to link) and cleans the archive
# with LLVM's ld.lld / llvm-objcopy / llvm-ar. Nothing here links an Android program:
# with the NDK, use its clang (cargo-ndk, or CC_<triple> and the linker: TOOLCHAIN=vendor).
ANDROID_TARGETS := aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
SUPPORTED_TARGETS += $(ANDROID_TARGETS)
toolchain.aarch64-linux-android   := android
toolchain.armv7-linux-androideabi := android
toolchain.x86_64-linux-android    := android
# clang's --target (API level 21 at the end).
clang.aarch64-linux-android   := aarch64-linux-android21
clang.armv7-linux-androideabi := armv7a-linux-androideabi21
clang.x86_64-linux-android    := x86_64-linux-android21
ANDROID_CLANG ?= clang
ANDROID_CLANG_RESOURCE_DIR ?= $(shell $(ANDROID_CLANG) -print-resource-dir 2>/dev/null)
# --- end of Android

ifneq ($(TARGET),)
ifeq ($(filter $(TARGET),$(SUPPORTED_TARGETS)),)
$(warning TARGET=$(TARGET) is not one of the tested targets ($(SUPPORTED_TARGETS)); set CC_<triple> and the linker yourself)
endif
TARGET_US  := $(subst -,_,$(TARGET))
TARGET_UC  := $(shell echo '$(TARGET_US)' | tr a-z A-Z)
TARGET_OS  := $(if $(findstring -windows-,$(TARGET)),windows,linux)
TARGET_LIBC := $(if $(findstring -musl,$(TARGET)),musl,$(if $(findstring -windows-,$(TARGET)),mingw,gnu))
# Your own compiler or linker for this target selects the vendor route; its binutils are
# taken from the compiler's prefix (/opt/sdk/bin/arm-none-linux-gnueabihf-gcc ->
# /opt/sdk/bin/arm-none-linux-gnueabihf-ld, ...) unless GNU_PREFIX says otherwise.
USER_CC     := $(or $(CC_$(TARGET_US)),$(CC_$(TARGET)))
USER_LINKER := $(CARGO_TARGET_$(TARGET_UC)_LINKER)
ifneq ($(USER_CC)$(USER_LINKER),)
TOOLCHAIN  ?= vendor
GNU_PREFIX ?= $(patsubst %gcc,%,$(filter %gcc,$(firstword $(USER_CC) $(USER_LINKER))))
else
TOOLCHAIN  ?= $(or $(toolchain.$(TARGET)),vendor)
GNU_PREFIX ?= $(gnu.$(TARGET))
endif
ZIG_CC     := $(ZIG) cc -target $(zig.$(TARGET))
else
TARGET_OS  := linux
TARGET_LIBC := gnu
GNU_PREFIX ?=
TOOLCHAIN  := native
endif

# The cargo command line that builds for TARGET: CARGO_RUSTC (`rustc`, for the library)
# and CARGO_BUILD (`build`); arguments follow.
ifeq ($(TOOLCHAIN),native)
CARGO_TOOL := $(CARGO)
CARGO_BUILD_SUB := build
TARGET_ARG :=
else ifeq ($(TOOLCHAIN),zig)
CARGO_TOOL := PATH="$(ZIG_VENV)/bin:$$PATH" $(ZIGBUILD)
CARGO_BUILD_SUB := zigbuild
TARGET_ARG := --target $(or $(zigtarget.$(TARGET)),$(TARGET))
else ifeq ($(TOOLCHAIN),gcc)
CARGO_TOOL := CC_$(TARGET_US)=$(GNU_PREFIX)gcc AR_$(TARGET_US)=$(GNU_PREFIX)ar \
    CARGO_TARGET_$(TARGET_UC)_LINKER=$(GNU_PREFIX)gcc $(CARGO)
CARGO_BUILD_SUB := build
TARGET_ARG := --target $(TARGET)
else
CARGO_TOOL := $(CARGO)
CARGO_BUILD_SUB := build
TARGET_ARG := --target $(TARGET)
endif
CARGO_RUSTC = $(CARGO_TOOL) rustc $(TARGET_ARG)
CARGO_BUILD = $(CARGO_TOOL) $(CARGO_BUILD_SUB) $(TARGET_ARG)

# --- Android (see the first Android block): bionic, no shared library, LLVM binutils.
ifneq ($(filter $(TARGET),$(ANDROID_TARGETS)),)
TARGET_LIBC := bionic
ifeq ($(TOOLCHAIN),android)
CARGO_TOOL := CC_$(TARGET_US)=$(ANDROID_CLANG) AR_$(TARGET_US)=llvm-ar \
    CFLAGS_$(TARGET_US)="--target=$(clang.$(TARGET)) -ffreestanding -nostdinc \
      -isystem $(ANDROID_CLANG_RESOURCE_DIR)/include -isystem $(CURDIR)/bindings/java/android/no-ndk-include" \
    $(CARGO)
CARGO_RUSTC = $(CARGO_TOOL) rustc $(TARGET_ARG) --crate-type staticlib
CLEAN_TOOLS := LD=ld.lld OBJCOPY=llvm-objcopy AR=llvm-ar
endif
endif
# --- end of Android

# The C compiler for programs using the library (dynamic libc): what the README's link
# commands use for this target.
ifeq ($(TOOLCHAIN),native)
TARGET_CC := $(CC)
else ifeq ($(TOOLCHAIN),zig)
TARGET_CC := $(ZIG_CC)
else ifeq ($(TOOLCHAIN),gcc)
TARGET_CC := $(GNU_PREFIX)gcc
else
TARGET_CC := $(or $(USER_CC),$(USER_LINKER),$(GNU_PREFIX)gcc)
endif
# The C compiler and flag for a fully static program: static glibc with the GNU cross
# gcc (zig links glibc only dynamically), static musl with zig, mingw's -static.
ifeq ($(TARGET_LIBC),musl)
STATIC_CC := $(ZIG_CC) -static
else ifeq ($(TOOLCHAIN),vendor)
STATIC_CC := $(TARGET_CC) -static
else ifeq ($(TOOLCHAIN),native)
STATIC_CC := $(CC) -static
else
STATIC_CC := $(GNU_PREFIX)gcc -static
endif

# Builds and installs the C library of cashfree-rpd (a Rust crate with a C ABI). GNU make,
# on Linux (GNU binutils); cross targets with TARGET=<triple> (targets.mk).
#
#   make                         release static + shared library and what `make install`
#                                installs, in target/release/c-dist/ (see "lib" below)
#   make PROFILE=small           the same with Cargo's [profile.small] (opt-level "s"),
#                                in target/small/c-dist/ (smaller, a little slower: BENCHMARKS.md)
#   make TARGET=<triple>         the same for another target, in target/<triple>/release/c-dist/:
#                                armv7-unknown-linux-gnueabihf, aarch64-unknown-linux-gnu
#                                (glibc >= 2.17, built with cargo-zigbuild: `make zig-tools`),
#                                aarch64-unknown-linux-musl, x86_64-unknown-linux-musl (static
#                                library only), i686-unknown-linux-gnu, x86_64-pc-windows-gnu,
#                                i686-pc-windows-gnu (cashfree_rpd.dll, its import library
#                                libcashfree_rpd.dll.a and cashfree_rpd.def). README.md,
#                                "Building for your terminal or app".
#   make examples                the C and C++ quickstarts and the C QR printer example,
#                                linked to the static library: examples/c/build/quickstart,
#                                examples/c/build/print_qr, examples/cpp/build/quickstart
#                                (TARGET=<triple>: the C ones, in examples/c/build/<triple>/)
#   make size                    bytes of the C quickstart linked to the static library,
#                                stripped, with -Wl,--gc-sections (the figure in BENCHMARKS.md;
#                                with TARGET=, musl and Windows programs are fully static)
#   make cli-static TARGET=<t>   the `cfrpd` CLI as one static executable: glibc targets (static
#                                glibc) in target/crt-static/<t>/release/cfrpd, musl targets in
#                                target/<t>/release/cfrpd
#   make zig-tools               ziglang + cargo-zigbuild (PyPI) in a venv, $(ZIG_VENV), with
#                                a `zig` command there (export PATH=$(ZIG_VENV)/bin:$$PATH)
#   make check-glibc APP=<file>  the newest GLIBC_x.y symbol version a program or library
#                                needs; fails above GLIBC_FLOOR (2.17: the terminals' floor)
#   make wine-prng-standin TARGET=x86_64-pc-windows-gnu
#                                TEST-ONLY bcryptprimitives.dll with ProcessPrng for Debian's
#                                wine 8.0 (which lacks it), to put beside a program run under
#                                wine; never ship it (Windows 10+ has the real one)
#   make header                  regenerate include/cashfree_rpd.h (cbindgen 0.29.4); refused
#                                when a name in it lacks the CFRPD_ / cfrpd_ prefix
#   make man                     regenerate man/man3/*.3 from the header (scripts/gen-man.py;
#                                commit them with the header)
#   make abi                     regenerate abi/*.abi (the ABI baselines, one per target, that
#                                tests/it/abi.rs compares against; commit them with the change)
#   make regen                   all three generated files: `make header`, `make man`, `make abi`
#                                (commit them together; `cargo test` fails while one is stale:
#                                tests/it/c_surface.rs header_is_fresh and man_pages_are_fresh_*,
#                                tests/it/abi.rs)
#   make install PREFIX=/usr/local [DESTDIR=/staging] [LIBDIR=...] [TARGET=...]
#                                PREFIX/include/cashfree_rpd.h(pp), and in LIBDIR:
#                                libcashfree_rpd.a, libcashfree_rpd.so.$(VERSION) with the
#                                links libcashfree_rpd.so.$(ABI_MAJOR) (the SONAME) and
#                                libcashfree_rpd.so, pkgconfig/cashfree_rpd{,-static}.pc and
#                                cmake/cashfree_rpd/cashfree_rpdConfig{,Version}.cmake.
#                                Windows: the DLL in BINDIR (PREFIX/bin; stripped, its
#                                exports are in its export table), the import library
#                                and the .def in LIBDIR. musl: no shared library.
#                                Installs what `make` built (builds only if nothing is
#                                built), so `sudo make install` runs no compiler as root.
#                                Manual pages (cashfree_rpd(3), one per function and
#                                per type) go to MANDIR/man3 (MANDIR: PREFIX/share/man).
#   make uninstall PREFIX=...    removes those files
#   make test                    cargo test --workspace (includes the C ABI and packaging tests)
#   make clean                   removes the example binaries and c-dist/ (`cargo clean` for the rest)
#
# PROFILE=dev builds/installs the debug library instead (target/debug).
# BUILD_DIR overrides where cargo's libraries are taken from (target/[<triple>/]$(PROFILE)).

CARGO      ?= cargo
CBINDGEN   ?= cbindgen
INSTALL    ?= install
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR   ?= $(LIBDIR)/cmake/cashfree_rpd
MANDIR     ?= $(PREFIX)/share/man
PROFILE    ?= release
# Cargo features of the C library build (Cargo.toml [features]); FEATURES= for none.
FEATURES   ?= no-dependency-logs
# Extra RUSTFLAGS per profile. small: no unwind tables (it aborts on panic anyway) and
# LLVM's machine outliner (repeated instruction sequences become calls): -130 KB.
# These apply only to target/small, so they do not make cargo rebuild other profiles.
RUSTFLAGS_small := -C force-unwind-tables=no -C llvm-args=-enable-machine-outliner
PROFILE_RUSTFLAGS := $(strip $(RUSTFLAGS) $(RUSTFLAGS_$(PROFILE)))
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
BINDIR     ?= $(PREFIX)/bin
# The target triple; empty = this machine (x86-64 Linux).
TARGET     ?=
include targets.mk

PROFILE_DIR := $(if $(filter dev,$(PROFILE)),debug,$(PROFILE))
BUILD_DIR ?= $(TARGET_DIR)/$(if $(TARGET),$(TARGET)/)$(PROFILE_DIR)
# What `make install` installs: the cleaned static library, a copy of the shared one and
# the native libraries rustc asked for (a snapshot: later cargo builds do not change it).
DIST_DIR   := $(BUILD_DIR)/c-dist

STATIC_LIB := libcashfree_rpd.a
# The shared library's files: Linux glibc: the .so; Windows: the DLL, its import library
# and a .def of its exports (`lib /def:cashfree_rpd.def` makes an MSVC import library);
# musl: none (Rust's musl targets link the C runtime statically, no cdylib).
ifeq ($(TARGET_OS),windows)
SHARED_LIB := cashfree_rpd.dll
IMPORT_LIB := libcashfree_rpd.dll.a
DEF_FILE   := cashfree_rpd.def
SHARED_FILES := $(SHARED_LIB) $(IMPORT_LIB) $(DEF_FILE)
else ifneq ($(filter musl bionic,$(TARGET_LIBC)),)
# (bionic: Android without the NDK, static library only: targets.mk, "Android")
SHARED_LIB :=
SHARED_FILES :=
else
SHARED_LIB := libcashfree_rpd.so
SHARED_FILES := $(SHARED_LIB)
endif
HEADERS    := include/cashfree_rpd.h include/cashfree_rpd.hpp
VERSION    := $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
VERSION_MINOR := $(word 2,$(subst ., ,$(VERSION)))
# The ABI major of the shared library: the number in build.rs's SONAME.
ABI_MAJOR  := $(shell sed -n 's/.*-soname,libcashfree_rpd\.so\.\([0-9][0-9]*\).*/\1/p' build.rs | head -n 1)

CFLAGS     ?= -O2 -g
CXXFLAGS   ?= -O2 -g
EXAMPLE_CFLAGS   := -std=c11 -Wall -Wextra -Wpedantic -Iinclude
EXAMPLE_CXXFLAGS := -std=c++17 -Wall -Wextra -Wpedantic -Iinclude
NATIVE_LIBS = $$(cat $(DIST_DIR)/native-static-libs)

.PHONY: all lib examples size cli-static zig-tools print-target header abi regen install uninstall test clean man install-man uninstall-man check-glibc wine-prng-standin

all: lib

# `cargo rustc ... -- --print native-static-libs` builds the library exactly like
# `cargo build --lib` and prints the system libraries a program linking the static
# library needs (cargo replays the note when nothing was rebuilt). Then:
# scripts/clean-staticlib.sh makes the archive export only cfrpd_* symbols, with the
# target's binutils ($(GNU_PREFIX)ld, objcopy, ...: ELF and Windows COFF).
# (The extra rustc argument makes cargo see a different build than a plain
# `cargo build --release`: alternating the two rebuilds the library each time.)
# Windows: cashfree_rpd.def lists the DLL's exports (objdump -p); anything but cfrpd_*
# there is an error. The Windows static library is NOT cleaned: `x86_64-w64-mingw32-ld -r`
# (binutils 2.40) cannot merge it — "unable to fill in DataDictionary[9] because
# __tls_used is missing" (a PE relocatable link of objects with .tls sections, which
# Rust's thread-locals have; the TLS directory symbol lives in the CRT), with or without
# --gc-sections — and lld has no relocatable mode for COFF. The archive also holds
# import stubs (raw-dylib: bcryptprimitives.dll, api-ms-win-core-synch) that cannot be
# merged. So on Windows the archive exports Rust's runtime names too: link it as the only
# Rust static library of a program, or use the DLL.
# Windows: rustc lists `-lwindows.0.52.0`, the import library windows-sys ships inside
# its own crate (not on a C user's machine). It only holds import stubs for functions of
# the system DLLs whose import libraries the same list names (ws2_32, kernel32, ...), so
# the list given to C programs leaves it out.
WINDOWS_LIBS_FILTER := $(if $(filter windows,$(TARGET_OS)),| sed -e 's/ *-lwindows\.[0-9.]*//g' -e 's/^ *//')

lib: $(if $(filter zig,$(TOOLCHAIN)),zig-check)
	@mkdir -p $(TARGET_DIR)
	@log=$(TARGET_DIR)/cfrpd-lib-$(if $(TARGET),$(TARGET)-)$(PROFILE).log; \
	echo "building the library$(if $(TARGET), for $(TARGET) (toolchain: $(TOOLCHAIN)))"; \
	{ $(if $(PROFILE_RUSTFLAGS),RUSTFLAGS="$(PROFILE_RUSTFLAGS)") $(CARGO_RUSTC) --profile $(PROFILE) --lib -p cashfree-rpd $(if $(FEATURES),--features $(FEATURES)) \
	    -- --print native-static-libs 2>&1; \
	  echo $$? >$$log.rc; } | tee $$log; \
	rc=$$(cat $$log.rc); rm -f $$log.rc; [ "$$rc" = 0 ] || exit $$rc; \
	libs=$$(sed -n 's/^note: native-static-libs: //p' $$log | tail -n 1 $(WINDOWS_LIBS_FILTER)); \
	if [ -z "$$libs" ]; then echo "make: cargo printed no native-static-libs note (see $$log)" >&2; exit 1; fi; \
	mkdir -p $(DIST_DIR); \
	echo "$$libs" >$(DIST_DIR)/native-static-libs; \
	echo "native-static-libs: $$libs"; \
	$(if $(filter windows,$(TARGET_OS)),cp -f $(BUILD_DIR)/$(STATIC_LIB) $(DIST_DIR)/$(STATIC_LIB) || exit 1; \
	  echo "note: the Windows archive is shipped as rustc wrote it (not cleaned: see the Makefile)";, \
	$(or $(CLEAN_TOOLS),LD=$(GNU_PREFIX)ld OBJCOPY=$(GNU_PREFIX)objcopy AR=$(GNU_PREFIX)ar) \
	  scripts/clean-staticlib.sh $(BUILD_DIR)/$(STATIC_LIB) $(DIST_DIR)/$(STATIC_LIB) || exit 1;) \
	for f in $(filter-out $(DEF_FILE),$(SHARED_FILES)); do \
	  cp -f $(BUILD_DIR)/$$f $(DIST_DIR)/$$f.tmp && mv -f $(DIST_DIR)/$$f.tmp $(DIST_DIR)/$$f || exit 1; \
	done; \
	$(if $(DEF_FILE),scripts/dll-def.sh $(GNU_PREFIX)objdump $(DIST_DIR)/$(SHARED_LIB) $(DIST_DIR)/$(DEF_FILE) || exit 1;) \
	echo "ready to install: $(DIST_DIR)/{$(subst $(eval) ,$(comma),$(strip $(STATIC_LIB) $(SHARED_FILES) native-static-libs))}"

comma := ,

# Built only when missing: `make install` copies what `make` built.
$(addprefix $(DIST_DIR)/,$(STATIC_LIB) $(SHARED_FILES) native-static-libs):
	$(MAKE) lib

# The zig route needs zig and cargo-zigbuild (`make zig-tools` installs both).
zig-check:
	@[ -x "$(firstword $(ZIGBUILD))" ] || command -v "$(firstword $(ZIGBUILD))" >/dev/null 2>&1 || { \
	  echo "make: TARGET=$(TARGET) builds with cargo-zigbuild (glibc 2.17 floor), which is not installed:" >&2; \
	  echo "      run 'make zig-tools' (a venv in $(ZIG_VENV)), or TOOLCHAIN=gcc (this machine's glibc)," >&2; \
	  echo "      or set CC_$(TARGET_US) and CARGO_TARGET_$(TARGET_UC)_LINKER (your SDK)" >&2; exit 1; }

# PyPI's ziglang names its command python-zig: a `zig` link beside it lets the README's
# `zig cc ...` commands run with the venv's bin on PATH.
zig-tools:
	[ -x $(ZIG_VENV)/bin/cargo-zigbuild ] || { python3 -m venv $(ZIG_VENV) && \
	  $(ZIG_VENV)/bin/pip install -q ziglang==$(ZIG_VERSION) cargo-zigbuild==$(ZIGBUILD_VERSION); }
	ln -sfn python-zig $(ZIG_VENV)/bin/zig
	$(ZIG_VENV)/bin/zig version
	$(ZIG_VENV)/bin/cargo-zigbuild --version

# The newest glibc symbol version APP needs (readelf reads any ELF target), against the
# floor of the terminals (Rust's own floor is 2.17).
GLIBC_FLOOR ?= 2.17
check-glibc:
	@[ -n "$(APP)" ] || { echo "make: check-glibc needs APP=<program or shared library>" >&2; exit 2; }
	@[ -f "$(APP)" ] || { echo "make: $(APP): no such file" >&2; exit 2; }
	@newest=$$(readelf -W --version-info "$(APP)" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1); \
	if [ -z "$$newest" ]; then echo "$(APP): needs no glibc symbol version (static, or not linked to glibc)"; exit 0; fi; \
	echo "$(APP): needs $$newest (floor GLIBC_$(GLIBC_FLOOR))"; \
	[ "$$(printf '%s\nGLIBC_$(GLIBC_FLOOR)\n' "$$newest" | sort -V | tail -n 1)" = "GLIBC_$(GLIBC_FLOOR)" ] || { \
	  echo "make: $(APP) needs $$newest, newer than GLIBC_$(GLIBC_FLOOR): link it with" >&2; \
	  echo "      zig cc -target <arch>-linux-<abi>.$(GLIBC_FLOOR) or cmake/toolchains/*-glibc2.17.cmake (README.md)" >&2; exit 1; }

# TEST-ONLY: Debian's wine 8.0 has no ProcessPrng in bcryptprimitives.dll, which Rust's
# standard library imports (Windows 10+ has it), so every program linking the library fails
# to start under it ("bcryptprimitives.dll ... not found", exit code 53). This stand-in
# forwards ProcessPrng to advapi32's RtlGenRandom; copy it next to the .exe (and the DLL)
# and run with WINEDLLOVERRIDES=bcryptprimitives=n,b. Never ship it.
WINE_STANDIN := $(TARGET_DIR)/wine-standin/$(TARGET)/bcryptprimitives.dll
wine-prng-standin:
	@[ "$(TARGET_OS)" = windows ] || { echo "make: wine-prng-standin needs TARGET=x86_64-pc-windows-gnu or i686-pc-windows-gnu" >&2; exit 2; }
	mkdir -p $(dir $(WINE_STANDIN))
	$(GNU_PREFIX)gcc -Wall -Wextra -Werror -O2 -shared -o $(WINE_STANDIN) \
		tests/windows/bcryptprimitives_standin.c tests/windows/bcryptprimitives_standin.def -ladvapi32 \
		$(if $(filter i686-%,$(TARGET)),-Wl$(comma)--kill-at -Wl$(comma)--enable-stdcall-fixup)
	@echo "TEST-ONLY stand-in (never ship it): $(WINE_STANDIN)"

# The toolchain values of TARGET, one KEY=value per line (read by tests/common/cross.rs).
print-target:
	@echo 'TARGET=$(TARGET)'
	@echo 'TOOLCHAIN=$(TOOLCHAIN)'
	@echo 'TARGET_OS=$(TARGET_OS)'
	@echo 'TARGET_LIBC=$(TARGET_LIBC)'
	@echo 'GNU_PREFIX=$(GNU_PREFIX)'
	@echo 'TARGET_CC=$(TARGET_CC)'
	@echo 'STATIC_CC=$(STATIC_CC)'
	@echo 'RUNNER=$(runner.$(TARGET))'
	@echo 'DIST_DIR=$(DIST_DIR)'
	@echo 'SHARED_FILES=$(SHARED_FILES)'

# Example programs: this machine's C and C++ ones, or with TARGET the C ones, built with
# that target's C compiler (TARGET_CC), in examples/c/build/<triple>/.
EXAMPLE_OUT := examples/c/build$(if $(TARGET),/$(TARGET))
EXE         := $(if $(filter windows,$(TARGET_OS)),.exe)
# Windows programs are linked -static: no libwinpthread-1.dll or libgcc DLL beside them.
TARGET_LDFLAGS := $(if $(filter windows,$(TARGET_OS)),-static)
examples: lib
	mkdir -p $(EXAMPLE_OUT) examples/cpp/build
	$(TARGET_CC) $(EXAMPLE_CFLAGS) $(CPPFLAGS) $(CFLAGS) examples/c/quickstart.c \
		$(DIST_DIR)/$(STATIC_LIB) $(TARGET_LDFLAGS) $(LDFLAGS) $(NATIVE_LIBS) -o $(EXAMPLE_OUT)/quickstart$(EXE)
	$(TARGET_CC) $(EXAMPLE_CFLAGS) -Werror $(CPPFLAGS) $(CFLAGS) examples/c/print_qr.c \
		$(DIST_DIR)/$(STATIC_LIB) $(TARGET_LDFLAGS) $(LDFLAGS) $(NATIVE_LIBS) -o $(EXAMPLE_OUT)/print_qr$(EXE)
	$(if $(TARGET),,$(CXX) $(EXAMPLE_CXXFLAGS) $(CPPFLAGS) $(CXXFLAGS) examples/cpp/quickstart.cpp \
		$(DIST_DIR)/$(STATIC_LIB) $(LDFLAGS) $(NATIVE_LIBS) -o examples/cpp/build/quickstart)

# The size figure: musl and Windows programs fully static (musl: always; Windows: no
# runtime DLLs beside the .exe), glibc ones with the C library shared, as on the machine.
SIZE_CC := $(if $(filter musl windows,$(TARGET_LIBC) $(TARGET_OS)),$(STATIC_CC),$(TARGET_CC))
SIZE_EXE := $(EXAMPLE_OUT)/quickstart-size$(EXE)
size: lib
	mkdir -p $(EXAMPLE_OUT)
	$(SIZE_CC) $(EXAMPLE_CFLAGS) -O2 examples/c/quickstart.c $(DIST_DIR)/$(STATIC_LIB) \
		-Wl,--gc-sections $(NATIVE_LIBS) -o $(SIZE_EXE)
	$(GNU_PREFIX)strip --strip-all $(SIZE_EXE)
	@echo "$(PROFILE)$(if $(TARGET), $(TARGET)): C quickstart, static library, stripped, --gc-sections: $$(wc -c <$(SIZE_EXE)) bytes"

# The CLI as one static executable. glibc targets: Rust's crt-static with the GNU cross
# gcc (zig does not link glibc statically); getaddrinfo then loads the NSS modules of the
# machine's glibc at run time for names that are not in /etc/hosts — IP literals and
# /etc/hosts need nothing. musl targets are static anyway.
# (crt-static builds go to $(TARGET_DIR)/crt-static: other RUSTFLAGS would make cargo
# rebuild the library's release build in place and drop its .so.)
GCC_ENV = CC_$(TARGET_US)=$(GNU_PREFIX)gcc AR_$(TARGET_US)=$(GNU_PREFIX)ar CARGO_TARGET_$(TARGET_UC)_LINKER=$(GNU_PREFIX)gcc
CLI_DIR = $(if $(filter musl,$(TARGET_LIBC)),$(TARGET_DIR),$(TARGET_DIR)/crt-static)
cli-static:
	@[ -n "$(TARGET)" ] || { echo "make: cli-static needs TARGET=<triple>" >&2; exit 1; }
ifeq ($(TARGET_LIBC),musl)
	$(CARGO_BUILD) --release -p cashfree-rpd-cli --bin cfrpd
else ifeq ($(TOOLCHAIN),vendor)
	CARGO_TARGET_DIR=$(CLI_DIR) RUSTFLAGS="$(RUSTFLAGS) -C target-feature=+crt-static" \
	  $(CARGO) build --target $(TARGET) --release -p cashfree-rpd-cli --bin cfrpd
else
	CARGO_TARGET_DIR=$(CLI_DIR) $(GCC_ENV) RUSTFLAGS="$(RUSTFLAGS) -C target-feature=+crt-static" \
	  $(CARGO) build --target $(TARGET) --release -p cashfree-rpd-cli --bin cfrpd
endif
	@file $(CLI_DIR)/$(TARGET)/release/cfrpd$(EXE)

# The header is only replaced when every name in it is prefixed (scripts/cheader.py).
header:
	$(CBINDGEN) --config cbindgen.toml --crate cashfree-rpd --output include/cashfree_rpd.h.new
	python3 scripts/cheader.py check-names include/cashfree_rpd.h.new || { rm -f include/cashfree_rpd.h.new; exit 1; }
	mv -f include/cashfree_rpd.h.new include/cashfree_rpd.h

abi:
	CFRPD_BLESS_ABI=1 $(CARGO) test -p cashfree-rpd --test it -- --test-threads=1 abi:: --skip c_abi::

# In this order: the man pages are generated from the header, the ABI baselines compare
# against it.
regen:
	$(MAKE) --no-print-directory header
	$(MAKE) --no-print-directory man
	$(MAKE) --no-print-directory abi

# Pointer size of the target (CMake refuses a 64-bit package in a 32-bit build).
RUSTC ?= rustc
SIZEOF_VOID_P = $$(( $$($(RUSTC) --print cfg $(if $(TARGET),--target $(TARGET)) | sed -n 's/^target_pointer_width="\([0-9]*\)"/\1/p') / 8 ))
ifeq ($(TARGET_OS),windows)
CMAKE_SHARED := $${_cfrpd_bindir}/$(SHARED_LIB)
CMAKE_IMPLIB := $${_cfrpd_libdir}/$(IMPORT_LIB)
else ifneq ($(SHARED_LIB),)
CMAKE_SHARED := $${_cfrpd_libdir}/$(SHARED_LIB).$(VERSION)
CMAKE_IMPLIB :=
else
CMAKE_SHARED :=
CMAKE_IMPLIB :=
endif

install: $(addprefix $(DIST_DIR)/,$(STATIC_LIB) $(SHARED_FILES) native-static-libs) \
		cashfree_rpd.pc.in cashfree_rpd-static.pc.in cmake/cashfree_rpdConfig.cmake.in cmake/cashfree_rpdConfigVersion.cmake.in
	@[ -n "$(ABI_MAJOR)" ] || { echo "make: no SONAME in build.rs" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(DIST_DIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(STATIC_LIB)
ifeq ($(TARGET_OS),windows)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(DIST_DIR)/$(SHARED_LIB) $(DESTDIR)$(BINDIR)/$(SHARED_LIB)
	$(GNU_PREFIX)strip --strip-all $(DESTDIR)$(BINDIR)/$(SHARED_LIB)
	$(INSTALL) -m 644 $(DIST_DIR)/$(IMPORT_LIB) $(DIST_DIR)/$(DEF_FILE) $(DESTDIR)$(LIBDIR)/
else ifneq ($(SHARED_LIB),)
	$(INSTALL) -m 755 $(DIST_DIR)/$(SHARED_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(VERSION)
	ln -sfn $(SHARED_LIB).$(VERSION) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(ABI_MAJOR)
	ln -sfn $(SHARED_LIB).$(ABI_MAJOR) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB)
endif
	libs="$$(cat $(DIST_DIR)/native-static-libs)"; \
	for f in cashfree_rpd cashfree_rpd-static; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e "s|@NATIVE_STATIC_LIBS@|$$libs|g" \
	    $$f.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/$$f.pc || exit 1; \
	done
	libs="$$(cat $(DIST_DIR)/native-static-libs | tr -s ' ' ';')"; \
	ptr=$(SIZEOF_VOID_P); [ "$$ptr" = 4 ] || [ "$$ptr" = 8 ] || { echo "make: no pointer width for $(TARGET)" >&2; exit 1; }; \
	to_lib=$$(realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR)); \
	to_inc=$$(realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR)); \
	to_bin=$$(realpath -m --relative-to=$(CMAKEDIR) $(BINDIR)); \
	for f in cashfree_rpdConfig cashfree_rpdConfigVersion; do \
	  sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
	    -e 's|@VERSION_MINOR@|$(VERSION_MINOR)|g' -e 's|@ABI_MAJOR@|$(ABI_MAJOR)|g' \
	    -e "s|@SIZEOF_VOID_P@|$$ptr|g" -e "s|@NATIVE_STATIC_LIBS_CMAKE@|$$libs|g" \
	    -e 's|@SHARED_LOCATION@|$(CMAKE_SHARED)|g' -e 's|@SHARED_IMPLIB@|$(CMAKE_IMPLIB)|g' \
	    -e "s|@CMAKE_TO_LIBDIR@|$$to_lib|g" -e "s|@CMAKE_TO_INCLUDEDIR@|$$to_inc|g" \
	    -e "s|@CMAKE_TO_BINDIR@|$$to_bin|g" \
	    cmake/$$f.cmake.in > $(DESTDIR)$(CMAKEDIR)/$$f.cmake || exit 1; \
	done
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd-static.pc \
		$(DESTDIR)$(CMAKEDIR)/*.cmake

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(DESTDIR)$(LIBDIR)/$(STATIC_LIB) \
		$(if $(filter windows,$(TARGET_OS)),$(DESTDIR)$(BINDIR)/$(SHARED_LIB) $(DESTDIR)$(LIBDIR)/$(IMPORT_LIB) $(DESTDIR)$(LIBDIR)/$(DEF_FILE)) \
		$(if $(filter gnu,$(TARGET_LIBC)),$(DESTDIR)$(LIBDIR)/$(SHARED_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(ABI_MAJOR) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(VERSION)) \
		$(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd-static.pc \
		$(DESTDIR)$(CMAKEDIR)/cashfree_rpdConfig.cmake $(DESTDIR)$(CMAKEDIR)/cashfree_rpdConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null

test:
	$(CARGO) test --workspace

clean:
	rm -rf examples/c/build examples/cpp/build $(DIST_DIR)

# --- manual pages (section 3): generated from the header, installed with the library
man:
	python3 scripts/gen-man.py

install: install-man
uninstall: uninstall-man

install-man:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 644 man/man3/*.3 $(DESTDIR)$(MANDIR)/man3/

uninstall-man:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(wildcard man/man3/*.3)))
# --- end of manual pages

# --- bindings: Python and .NET (bindings/python/README.md, bindings/dotnet/README.md)
# Both load the release shared library of this machine (not TARGET=), which they build:
#   make python   $(TARGET_DIR)/release/bindings/python/: the package folder cashfree_rpd/
#                 with libcashfree_rpd.so inside (works on PYTHONPATH); afterwards
#                 `pip install ./bindings/python` builds a platform wheel from it
#   make dotnet   $(TARGET_DIR)/release/bindings/dotnet/: CashfreeRpd.dll (mcs -sdk:4.6.1,
#                 references mscorlib, System, System.Core only) with libcashfree_rpd.so beside it
# (Several `bindings:` lines may each add prerequisites: a Java one can join them.)
BINDINGS_OUT := $(TARGET_DIR)/release/bindings
# The shared library as cargo leaves it (the same cargo command as `make lib`, so neither
# rebuilds after the other; cargo's own lock makes concurrent runs safe, which the c-dist
# steps of `make lib` are not: the tests run `make lib` and `make python` in parallel).
BINDINGS_LIB := $(TARGET_DIR)/release/libcashfree_rpd.so
MCS ?= mcs
.PHONY: bindings bindings-lib python dotnet
bindings: python dotnet

bindings-lib:
	@[ -z "$(TARGET)" ] || { echo "make: the Python/.NET bindings are built for this machine (no TARGET=)" >&2; exit 1; }
	$(CARGO_RUSTC) --profile release --lib -p cashfree-rpd $(if $(FEATURES),--features $(FEATURES)) \
	  -- --print native-static-libs
	@[ -f $(BINDINGS_LIB) ] || { echo "make: cargo left no $(BINDINGS_LIB)" >&2; exit 1; }

python: bindings-lib
	rm -rf $(BINDINGS_OUT)/python.tmp && mkdir -p $(BINDINGS_OUT)/python.tmp/cashfree_rpd
	cp bindings/python/cashfree_rpd/*.py bindings/python/cashfree_rpd/py.typed $(BINDINGS_OUT)/python.tmp/cashfree_rpd/
	cp $(BINDINGS_LIB) $(BINDINGS_OUT)/python.tmp/cashfree_rpd/
	rm -rf $(BINDINGS_OUT)/python && mv $(BINDINGS_OUT)/python.tmp $(BINDINGS_OUT)/python
	@echo "ready: $(BINDINGS_OUT)/python (PYTHONPATH=$(BINDINGS_OUT)/python python3 -c 'import cashfree_rpd')"

# -sdk:4.6.1 asks for the 4.6.1 reference assemblies; Debian's Mono has none (warning CS8001)
# and then compiles against its 4.5 profile: bindings/dotnet/README.md says what that means.
# -noconfig: no default references beyond mscorlib; System and System.Core by name.
DOTNET_SRC := $(wildcard bindings/dotnet/src/*.cs)
dotnet: bindings-lib
	@command -v $(MCS) >/dev/null 2>&1 || { echo "make: $(MCS) not found: install Mono's C# compiler (Debian: mono-mcs)" >&2; exit 1; }
	mkdir -p $(BINDINGS_OUT)/dotnet
	$(MCS) -sdk:4.6.1 -noconfig -target:library -optimize+ -debug- \
		-r:System.dll -r:System.Core.dll -doc:$(BINDINGS_OUT)/dotnet/CashfreeRpd.xml -nowarn:1591 \
		-out:$(BINDINGS_OUT)/dotnet/CashfreeRpd.dll $(DOTNET_SRC)
	cp $(BINDINGS_LIB) $(BINDINGS_OUT)/dotnet/libcashfree_rpd.so.tmp && mv -f $(BINDINGS_OUT)/dotnet/libcashfree_rpd.so.tmp $(BINDINGS_OUT)/dotnet/libcashfree_rpd.so
	@echo "ready: $(BINDINGS_OUT)/dotnet/CashfreeRpd.dll with libcashfree_rpd.so beside it"
# --- end of bindings
# --- Java binding (bindings/java/README.md) -----------------------------------
#   make java    `make lib`, then cashfree-rpd.jar (javac --release 8) and
#                libcashfree_rpd_jni.so (the JNI glue in C with the static library of
#                $(DIST_DIR) linked in, exporting only Java_*) in
#                $(TARGET_DIR)/release/bindings/java/, with this machine's JDK (javac, jar).
#   make java-quickstart   `make java`, then bindings/java/examples/Quickstart.java against
#                the emulator (bindings/java/quickstart.sh)
#   make java-test-classes   the binding's own tests (bindings/java/test), compiled against
#                the jar into $(JAVA_OUT)/test-classes (run by tests/it/java.rs).
# This machine only (x86-64 Linux, release): Android builds need the NDK
# (bindings/java/README.md, "Android"). No SONAME version: a JVM or an APK loads
# lib<name>.so by that name only.
JAVAC      ?= javac
JAR        ?= jar
JAVA_HOME  ?= $(patsubst %/bin/javac,%,$(realpath $(shell command -v $(JAVAC) 2>/dev/null)))
JAVA_OUT   := $(TARGET_DIR)/release/bindings/java
JAVA_SRC   := $(wildcard bindings/java/src/cashfree/rpd/*.java)
JAVA_TEST_SRC := $(wildcard bindings/java/test/cashfree/rpd/*.java)
JNI_SRC    := $(wildcard bindings/java/jni/*.c)
JNI_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -fPIC -fvisibility=hidden
JNI_LDFLAGS := -shared -Wl,--version-script=bindings/java/jni/exports.map -Wl,--gc-sections \
	-Wl,-z,noexecstack -Wl,-z,relro -Wl,-z,now -Wl,--strip-all \
	-Wl,-soname,libcashfree_rpd_jni.so

.PHONY: java java-files java-test-classes java-quickstart java-android-check clean-java
java: lib
	@$(MAKE) --no-print-directory java-files

java-files: $(JAVA_OUT)/cashfree-rpd.jar $(JAVA_OUT)/libcashfree_rpd_jni.so
	@echo "ready: $(JAVA_OUT)/{cashfree-rpd.jar,libcashfree_rpd_jni.so}"

$(JAVA_OUT)/cashfree-rpd.jar: $(JAVA_SRC)
	@[ -n "$(JAVA_HOME)" ] || { echo "make: no javac (Debian: apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
	rm -rf $(JAVA_OUT)/classes && mkdir -p $(JAVA_OUT)/classes
	$(JAVAC) --release 8 -encoding UTF-8 -Xlint:all -Werror -d $(JAVA_OUT)/classes $(JAVA_SRC)
	$(JAR) cf $@.tmp -C $(JAVA_OUT)/classes cashfree && mv -f $@.tmp $@

$(JAVA_OUT)/libcashfree_rpd_jni.so: $(JNI_SRC) bindings/java/jni/exports.map include/cashfree_rpd.h \
		$(DIST_DIR)/$(STATIC_LIB) $(DIST_DIR)/native-static-libs
	@[ -z "$(TARGET)" ] && [ "$(PROFILE)" = release ] || { echo "make: java is built for this machine, release (no TARGET=, PROFILE=)" >&2; exit 1; }
	@[ -n "$(JAVA_HOME)" ] || { echo "make: no JDK found (javac); set JAVA_HOME" >&2; exit 1; }
	mkdir -p $(JAVA_OUT)
	$(CC) $(JNI_CFLAGS) -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux -Iinclude \
		$(JNI_SRC) $(DIST_DIR)/$(STATIC_LIB) $$(cat $(DIST_DIR)/native-static-libs) \
		$(JNI_LDFLAGS) -o $@.tmp && mv -f $@.tmp $@

# Android without the NDK (targets.mk, "Android"): compiles (does not link: that needs
# bionic) the JNI glue for TARGET=<android triple> with Debian's clang, the JDK's jni.h and
# the stand-in headers, -Wall -Wextra -Werror, into $(DIST_DIR)/cashfree_rpd_jni.o.
java-android-check:
	@[ -n "$(filter $(TARGET),$(ANDROID_TARGETS))" ] || { echo "make: java-android-check needs TARGET= one of $(ANDROID_TARGETS)" >&2; exit 1; }
	mkdir -p $(DIST_DIR)
	$(ANDROID_CLANG) --target=$(clang.$(TARGET)) -ffreestanding -nostdinc \
		-isystem $(ANDROID_CLANG_RESOURCE_DIR)/include -isystem bindings/java/android/no-ndk-include \
		-I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux -Iinclude $(JNI_CFLAGS) \
		-c $(JNI_SRC) -o $(DIST_DIR)/cashfree_rpd_jni.o
	@echo "compiled for $(TARGET): $(DIST_DIR)/cashfree_rpd_jni.o (not linked: no bionic here)"

# The README's two commands: a clean clone, then `make java-quickstart`.
java-quickstart: java
	bindings/java/quickstart.sh

clean: clean-java
clean-java:
	rm -rf $(JAVA_OUT)

java-test-classes: $(JAVA_OUT)/cashfree-rpd.jar
	rm -rf $(JAVA_OUT)/test-classes && mkdir -p $(JAVA_OUT)/test-classes
	$(JAVAC) --release 8 -encoding UTF-8 -Xlint:all,-processing -Werror -cp $(JAVA_OUT)/cashfree-rpd.jar \
		-d $(JAVA_OUT)/test-classes $(JAVA_TEST_SRC)
# --- end of Java binding

# Builds and installs the C library of cashfree-rpd (a Rust crate with a C ABI). GNU make,
# Linux (ELF, GNU binutils).
#
#   make                         release static + shared library and what `make install`
#                                installs, in target/release/c-dist/ (see "lib" below)
#   make PROFILE=small           the same with Cargo's [profile.small] (opt-level "s"),
#                                in target/small/c-dist/ (smaller, a little slower: BENCHMARKS.md)
#   make examples                the C and C++ quickstarts and the C QR printer example,
#                                linked to the static library: examples/c/build/quickstart,
#                                examples/c/build/print_qr, examples/cpp/build/quickstart
#   make size                    bytes of the C quickstart linked statically, stripped,
#                                with -Wl,--gc-sections (the figure in BENCHMARKS.md)
#   make header                  regenerate include/cashfree_rpd.h (cbindgen 0.29.4); refused
#                                when a name in it lacks the CFRPD_ / cfrpd_ prefix
#   make man                     regenerate man/man3/*.3 from the header (scripts/gen-man.py;
#                                commit them with the header)
#   make abi                     regenerate abi/cashfree_rpd.abi (the ABI baseline that
#                                tests/abi.rs compares against; commit it with the change)
#   make install PREFIX=/usr/local [DESTDIR=/staging] [LIBDIR=...]
#                                PREFIX/include/cashfree_rpd.h(pp), and in LIBDIR:
#                                libcashfree_rpd.a, libcashfree_rpd.so.$(VERSION) with the
#                                links libcashfree_rpd.so.$(ABI_MAJOR) (the SONAME) and
#                                libcashfree_rpd.so, pkgconfig/cashfree_rpd{,-static}.pc and
#                                cmake/cashfree_rpd/cashfree_rpdConfig{,Version}.cmake.
#                                Installs what `make` built (builds only if nothing is
#                                built), so `sudo make install` runs no compiler as root.
#                                Manual pages (cashfree_rpd(3), one per function) go to
#                                MANDIR/man3 (MANDIR: PREFIX/share/man).
#   make uninstall PREFIX=...    removes those files
#   make test                    cargo test --workspace (includes the C ABI and packaging tests)
#   make clean                   removes the example binaries and c-dist/ (`cargo clean` for the rest)
#
# PROFILE=dev builds/installs the debug library instead (target/debug).
# BUILD_DIR overrides where cargo's libraries are taken from (target/$(PROFILE)).

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

ifeq ($(PROFILE),dev)
BUILD_DIR ?= $(TARGET_DIR)/debug
else
BUILD_DIR ?= $(TARGET_DIR)/$(PROFILE)
endif
# What `make install` installs: the cleaned static library, a copy of the shared one and
# the native libraries rustc asked for (a snapshot: later cargo builds do not change it).
DIST_DIR   := $(BUILD_DIR)/c-dist

SHARED_LIB := libcashfree_rpd.so
STATIC_LIB := libcashfree_rpd.a
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

.PHONY: all lib examples size header abi install uninstall test clean man install-man uninstall-man

all: lib

# `cargo rustc ... -- --print native-static-libs` builds the library exactly like
# `cargo build --lib` and prints the system libraries a program linking the static
# library needs (cargo replays the note when nothing was rebuilt). Then:
# scripts/clean-staticlib.sh makes the archive export only cfrpd_* symbols.
# (The extra rustc argument makes cargo see a different build than a plain
# `cargo build --release`: alternating the two rebuilds the library each time.)
lib:
	@mkdir -p $(TARGET_DIR)
	@log=$(TARGET_DIR)/cfrpd-lib-$(PROFILE).log; \
	{ $(if $(PROFILE_RUSTFLAGS),RUSTFLAGS="$(PROFILE_RUSTFLAGS)") $(CARGO) rustc --profile $(PROFILE) --lib -p cashfree-rpd $(if $(FEATURES),--features $(FEATURES)) \
	    -- --print native-static-libs 2>&1; \
	  echo $$? >$$log.rc; } | tee $$log; \
	rc=$$(cat $$log.rc); rm -f $$log.rc; [ "$$rc" = 0 ] || exit $$rc; \
	libs=$$(sed -n 's/^note: native-static-libs: //p' $$log | tail -n 1); \
	if [ -z "$$libs" ]; then echo "make: cargo printed no native-static-libs note (see $$log)" >&2; exit 1; fi; \
	mkdir -p $(DIST_DIR); \
	echo "$$libs" >$(DIST_DIR)/native-static-libs; \
	echo "native-static-libs: $$libs"; \
	scripts/clean-staticlib.sh $(BUILD_DIR)/$(STATIC_LIB) $(DIST_DIR)/$(STATIC_LIB); \
	cp -f $(BUILD_DIR)/$(SHARED_LIB) $(DIST_DIR)/$(SHARED_LIB).tmp; \
	mv -f $(DIST_DIR)/$(SHARED_LIB).tmp $(DIST_DIR)/$(SHARED_LIB); \
	echo "ready to install: $(DIST_DIR)/{$(STATIC_LIB),$(SHARED_LIB),native-static-libs}"

# Built only when missing: `make install` copies what `make` built.
$(DIST_DIR)/$(STATIC_LIB) $(DIST_DIR)/$(SHARED_LIB) $(DIST_DIR)/native-static-libs:
	$(MAKE) lib

examples: lib
	mkdir -p examples/c/build examples/cpp/build
	$(CC) $(EXAMPLE_CFLAGS) $(CPPFLAGS) $(CFLAGS) examples/c/quickstart.c \
		$(DIST_DIR)/$(STATIC_LIB) $(LDFLAGS) $(NATIVE_LIBS) -o examples/c/build/quickstart
	$(CC) $(EXAMPLE_CFLAGS) -Werror $(CPPFLAGS) $(CFLAGS) examples/c/print_qr.c \
		$(DIST_DIR)/$(STATIC_LIB) $(LDFLAGS) $(NATIVE_LIBS) -o examples/c/build/print_qr
	$(CXX) $(EXAMPLE_CXXFLAGS) $(CPPFLAGS) $(CXXFLAGS) examples/cpp/quickstart.cpp \
		$(DIST_DIR)/$(STATIC_LIB) $(LDFLAGS) $(NATIVE_LIBS) -o examples/cpp/build/quickstart

size: lib
	mkdir -p examples/c/build
	$(CC) $(EXAMPLE_CFLAGS) -O2 examples/c/quickstart.c $(DIST_DIR)/$(STATIC_LIB) \
		-Wl,--gc-sections $(NATIVE_LIBS) -o examples/c/build/quickstart-size
	strip --strip-all examples/c/build/quickstart-size
	@echo "$(PROFILE): C quickstart, static, stripped, --gc-sections: $$(wc -c <examples/c/build/quickstart-size) bytes"

# The header is only replaced when every name in it is prefixed (scripts/cheader.py).
header:
	$(CBINDGEN) --config cbindgen.toml --crate cashfree-rpd --output include/cashfree_rpd.h.new
	python3 scripts/cheader.py check-names include/cashfree_rpd.h.new || { rm -f include/cashfree_rpd.h.new; exit 1; }
	mv -f include/cashfree_rpd.h.new include/cashfree_rpd.h

abi:
	CFRPD_BLESS_ABI=1 $(CARGO) test -p cashfree-rpd --test abi

install: $(DIST_DIR)/$(STATIC_LIB) $(DIST_DIR)/$(SHARED_LIB) $(DIST_DIR)/native-static-libs \
		cashfree_rpd.pc.in cashfree_rpd-static.pc.in cmake/cashfree_rpdConfig.cmake.in cmake/cashfree_rpdConfigVersion.cmake.in
	@[ -n "$(ABI_MAJOR)" ] || { echo "make: no SONAME in build.rs" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(DIST_DIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(STATIC_LIB)
	$(INSTALL) -m 755 $(DIST_DIR)/$(SHARED_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(VERSION)
	ln -sfn $(SHARED_LIB).$(VERSION) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(ABI_MAJOR)
	ln -sfn $(SHARED_LIB).$(ABI_MAJOR) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB)
	libs="$$(cat $(DIST_DIR)/native-static-libs)"; \
	for f in cashfree_rpd cashfree_rpd-static; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e "s|@NATIVE_STATIC_LIBS@|$$libs|g" \
	    $$f.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/$$f.pc || exit 1; \
	done
	libs="$$(cat $(DIST_DIR)/native-static-libs | tr -s ' ' ';')"; \
	to_lib=$$(realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR)); \
	to_inc=$$(realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR)); \
	for f in cashfree_rpdConfig cashfree_rpdConfigVersion; do \
	  sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
	    -e 's|@VERSION_MINOR@|$(VERSION_MINOR)|g' -e 's|@ABI_MAJOR@|$(ABI_MAJOR)|g' \
	    -e 's|@SIZEOF_VOID_P@|8|g' -e "s|@NATIVE_STATIC_LIBS_CMAKE@|$$libs|g" \
	    -e "s|@CMAKE_TO_LIBDIR@|$$to_lib|g" -e "s|@CMAKE_TO_INCLUDEDIR@|$$to_inc|g" \
	    cmake/$$f.cmake.in > $(DESTDIR)$(CMAKEDIR)/$$f.cmake || exit 1; \
	done
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd-static.pc \
		$(DESTDIR)$(CMAKEDIR)/*.cmake

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(DESTDIR)$(LIBDIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB) \
		$(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(ABI_MAJOR) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB).$(VERSION) \
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

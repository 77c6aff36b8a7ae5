# Builds and installs the C library of cashfree-rpd (a Rust crate with a C ABI).
#
#   make                         release static + shared library (cargo build --release --lib)
#   make examples                the C and C++ quickstarts and the C QR printer example,
#                                linked to the static library: examples/c/build/quickstart,
#                                examples/c/build/print_qr, examples/cpp/build/quickstart
#   make header                  regenerate include/cashfree_rpd.h (cbindgen 0.29.4)
#   make install PREFIX=/usr/local [DESTDIR=/staging]
#                                headers, libcashfree_rpd.a, libcashfree_rpd.so and
#                                cashfree_rpd.pc under PREFIX/{include,lib,lib/pkgconfig}.
#                                Installs what `make` built (builds only if nothing is built),
#                                so `sudo make install` runs no compiler as root.
#   make uninstall PREFIX=...    removes those files
#   make test                    cargo test --workspace (includes the C ABI tests)
#   make clean                   removes the example binaries (`cargo clean` for the rest)
#
# PROFILE=dev builds/installs the debug library instead (target/debug).
# BUILD_DIR overrides where the built libraries are taken from.

CARGO      ?= cargo
CBINDGEN   ?= cbindgen
INSTALL    ?= install
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PROFILE    ?= release
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)

ifeq ($(PROFILE),dev)
BUILD_DIR ?= $(TARGET_DIR)/debug
else
BUILD_DIR ?= $(TARGET_DIR)/$(PROFILE)
endif

ifeq ($(shell uname -s),Darwin)
SHARED_LIB := libcashfree_rpd.dylib
else
SHARED_LIB := libcashfree_rpd.so
endif
STATIC_LIB := libcashfree_rpd.a
HEADERS    := include/cashfree_rpd.h include/cashfree_rpd.hpp
VERSION    := $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)

# What a program linking the static library needs besides it (also in cashfree_rpd.pc).
RPD_LIBS   := -lpthread -ldl -lm
CFLAGS     ?= -O2 -g
CXXFLAGS   ?= -O2 -g
EXAMPLE_CFLAGS   := -std=c11 -Wall -Wextra -Wpedantic -Iinclude
EXAMPLE_CXXFLAGS := -std=c++17 -Wall -Wextra -Wpedantic -Iinclude

.PHONY: all lib examples header install uninstall test clean

all: lib

lib:
	$(CARGO) build --profile $(PROFILE) --lib

# Built only when missing: `make install` copies what `make` built.
$(BUILD_DIR)/$(STATIC_LIB) $(BUILD_DIR)/$(SHARED_LIB):
	$(MAKE) lib

examples: lib
	mkdir -p examples/c/build examples/cpp/build
	$(CC) $(EXAMPLE_CFLAGS) $(CPPFLAGS) $(CFLAGS) examples/c/quickstart.c \
		$(BUILD_DIR)/$(STATIC_LIB) $(LDFLAGS) $(RPD_LIBS) -o examples/c/build/quickstart
	$(CC) $(EXAMPLE_CFLAGS) -Werror $(CPPFLAGS) $(CFLAGS) examples/c/print_qr.c \
		$(BUILD_DIR)/$(STATIC_LIB) $(LDFLAGS) $(RPD_LIBS) -o examples/c/build/print_qr
	$(CXX) $(EXAMPLE_CXXFLAGS) $(CPPFLAGS) $(CXXFLAGS) examples/cpp/quickstart.cpp \
		$(BUILD_DIR)/$(STATIC_LIB) $(LDFLAGS) $(RPD_LIBS) -o examples/cpp/build/quickstart

header:
	$(CBINDGEN) --config cbindgen.toml --crate cashfree-rpd --output include/cashfree_rpd.h

install: $(BUILD_DIR)/$(STATIC_LIB) $(BUILD_DIR)/$(SHARED_LIB) cashfree_rpd.pc.in
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(BUILD_DIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(STATIC_LIB)
	$(INSTALL) -m 755 $(BUILD_DIR)/$(SHARED_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		cashfree_rpd.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS))) \
		$(DESTDIR)$(LIBDIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(SHARED_LIB) \
		$(DESTDIR)$(PKGCONFIGDIR)/cashfree_rpd.pc

test:
	$(CARGO) test --workspace

clean:
	rm -rf examples/c/build examples/cpp/build

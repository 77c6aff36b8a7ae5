#!/bin/sh
# clean-staticlib.sh IN.a OUT.a — the static library as shipped: one relocatable object
# whose only global symbols are the exported cfrpd_* functions.
#
# A Rust staticlib carries its own copy of std, core, alloc, compiler-builtins and every
# dependency, all with global symbols (__rust_alloc, rust_eh_personality, __udivti3,
# ring's asm, ...). Linked into a program with another Rust staticlib or with C code
# defining one of those names, that gives duplicate-symbol errors or, worse, one
# library's allocator shim calling the other's. So:
#   1. `ld -r --gc-sections -u cfrpd_...` merges the archive's members into one object,
#      keeping only what the cfrpd_* functions reach;
#   2. the embedded LLVM bitcode sections (.llvmbc/.llvmcmd/.llvm_addrsig) go: GNU
#      objcopy and ld's LTO plugin trip over them in a merged object;
#   3. the COMDAT group DW.ref.rust_eh_personality (and i686's __x86.get_pc_thunk.*)
#      is renamed: another Rust staticlib
#      in the same link has a group of that name, and the linker would keep only the
#      first one — leaving the other library's hidden reference undefined (seen when
#      this library came first);
#   4. `objcopy --keep-global-symbols` makes every defined symbol but cfrpd_* local.
# Needs GNU binutils (ld, objcopy, readelf, ar; readelf rather than nm, which tries
# to load bitcode through an LLVM plugin). ELF only (the Windows archive: see the Makefile).
set -eu
in=$1
out=$2
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
AR=${AR:-ar}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cfrpd-staticlib.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The exported functions: defined text symbols named cfrpd_*.
readelf -sW "$in" | awk '($5 == "GLOBAL") && $7 != "UND" && $4 == "FUNC" && $8 ~ /^cfrpd_/ { print $8 }' |
    LC_ALL=C sort -u >"$tmp/keep"
if [ ! -s "$tmp/keep" ]; then
    echo "clean-staticlib.sh: no cfrpd_* symbols in $in" >&2
    exit 1
fi
roots=$(sed 's/^/-u /' "$tmp/keep")

# shellcheck disable=SC2086 # $roots is a list of options
"$LD" -r --gc-sections $roots --whole-archive "$in" --no-whole-archive -o "$tmp/merged.o"

# Rename every COMDAT group signature symbol named DW.ref.* (one per personality routine)
# and, on i686, __x86.get_pc_thunk.* (gcc's PIC helpers: a C program has its own group
# of that name, the linker keeps the program's, and our then-local references would
# point into the discarded copy).
renames=$(readelf -sW "$tmp/merged.o" | awk '$8 ~ /^(DW\.ref\.|__x86\.get_pc_thunk\.)/ { print "--redefine-sym " $8 "=cfrpd." $8 }' |
    LC_ALL=C sort -u)
# shellcheck disable=SC2086
"$OBJCOPY" --remove-section=.llvmbc --remove-section=.llvmcmd --remove-section=.llvm_addrsig \
    $renames --keep-global-symbols="$tmp/keep" "$tmp/merged.o" "$tmp/cashfree_rpd.o"

# Check: nothing global but cfrpd_* is defined.
leaked=$(readelf -sW "$tmp/cashfree_rpd.o" | awk '($5 == "GLOBAL" || $5 == "WEAK" || $5 == "UNIQUE") && $7 != "UND" && $8 !~ /^cfrpd_/ { print $8 }')
if [ -n "$leaked" ]; then
    echo "clean-staticlib.sh: still global in $out:" >&2
    echo "$leaked" >&2
    exit 1
fi

rm -f "$out.tmp"
"$AR" rcs "$out.tmp" "$tmp/cashfree_rpd.o"
mv -f "$out.tmp" "$out"

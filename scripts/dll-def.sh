#!/bin/sh
# dll-def.sh OBJDUMP DLL OUT.def — the module-definition file of cashfree_rpd.dll: the
# names in its export table (`objdump -p`), which must all be cfrpd_* functions.
# An MSVC user makes an import library from it: `lib /def:cashfree_rpd.def /machine:x64`
# (/machine:x86 for the 32-bit DLL).
set -eu
objdump=$1
dll=$2
out=$3
names=$("$objdump" -p "$dll" | awk '
    /^\[Ordinal\/Name Pointer\] Table/ { table = 1; next }
    table && /^[[:space:]]*\[ *[0-9]+\]/ { print $NF; next }
    table && NF == 0 { table = 0 }')
if [ -z "$names" ]; then
    echo "dll-def.sh: no exports found in $dll" >&2
    exit 1
fi
others=$(printf '%s\n' "$names" | grep -v '^cfrpd_' || true)
if [ -n "$others" ]; then
    echo "dll-def.sh: $dll exports more than the cfrpd_* API:" >&2
    echo "$others" >&2
    exit 1
fi
{
    echo "LIBRARY cashfree_rpd.dll"
    echo "EXPORTS"
    printf '%s\n' "$names" | LC_ALL=C sort | sed 's/^/    /'
} >"$out.tmp"
mv -f "$out.tmp" "$out"

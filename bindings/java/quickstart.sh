#!/usr/bin/env bash
# Runs bindings/java/examples/Quickstart.java against the emulator (which pays every request
# 3 s after its creation): `make java-quickstart` (builds the jar and the JNI library first).
# Needs a JDK 11+ for `java File.java`; the jar itself is Java 8 bytecode.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${CARGO_TARGET_DIR:-target}/release/bindings/java
cargo build -q -p cashfree-rpd-emulator
emulator=${CARGO_TARGET_DIR:-target}/debug/cashfree-rpd-emulator
log=$(mktemp)
"$emulator" --port 0 --auto-pay-secs 3 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q 'listening' "$log" && break
  sleep 0.1
done
base=$(sed -n 's/.*base URL \([^ ]*\).*/\1/p' "$log" | head -n 1)
[ -n "$base" ] || { echo "the emulator did not start:" >&2; cat "$log" >&2; exit 1; }
echo "emulator: $base"
root=$PWD
cd "$out"   # upi.pbm is written here
CASHFREE_CLIENT_ID=emulator-client-id CASHFREE_CLIENT_SECRET=emulator-client-secret \
CASHFREE_BASE_URL=$base \
  java -Djava.library.path=. -cp cashfree-rpd.jar "$root/bindings/java/examples/Quickstart.java" "$@"
echo "QR code written to $out/upi.pbm"

#!/usr/bin/env bash
# A sign-in flood: one client (127.0.0.1) guesses passwords for one account with wrk (64
# connections) while another client (127.0.0.2) signs in with the right password once a
# second. Prints how many attempts per second the flooding client gets answered (and with
# what: 401 means the password was checked, 429 that the throttle refused it) and how long
# the other client's sign-ins took during the flood.
#
#   benches/sign_in_flood.sh            the release build of this checkout, SQLite
#   BIN=path/to/registry benches/sign_in_flood.sh      another build, e.g. before a change
#
# Needs wrk and curl (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
PORT=${PORT:-18182}
if [ -z "${BIN:-}" ]; then
  cargo build --release --bin registry -q
  BIN=$PWD/target/release/registry
fi
DIR=$(mktemp -d)
export REGISTRY_DATA_DIR=$DIR REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_LOG=warn
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
BASE=http://127.0.0.1:$PORT
echo 'the right password' | "$BIN" user add --login flooded --role bureau_admin >/dev/null
echo 'the right password' | "$BIN" user add --login someone --role bureau_admin >/dev/null
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done

# The other client: a sign-in (a write) each second, timed, until the flood ends.
sign_ins() {
  while [ ! -e "$DIR/flood.done" ]; do
    curl -s -o /dev/null --interface 127.0.0.2 -w '%{http_code} %{time_total}\n' \
      -H 'Content-Type: application/json' -d '{"login":"someone","password":"the right password"}' \
      "$BASE/api/v1/auth/token" >>"$DIR/sign_ins.txt"
    sleep 1
  done
}
sign_ins &
OTHER=$!
wrk -t2 -c64 -d"$DURATION" --latency -s benches/sign_in_flood.lua "$BASE/api/v1/auth/token" |
  grep -E "Requests/sec|Latency|50%|99%|requests in|answered"
touch "$DIR/flood.done"
wait "$OTHER"
sort -k2 -n "$DIR/sign_ins.txt" | awk '
  { n++; t[n] = $2; if ($1 == 200) ok++ }
  END { printf "other client: %d of %d sign-ins succeeded during the flood; median %.3f s, slowest %.3f s\n", ok, n, t[int((n + 1) / 2)], t[n] }'
echo "server RSS after the flood: $(( $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status) / 1024 )) MiB"

#!/usr/bin/env bash
# Verification under load: fills a database with N certificates and drives
# GET /api/v1/verify/{token} with random tokens from a second process (wrk, 64
# connections) on 127.0.0.1; prints requests/s and the latency percentiles.
#
#   benches/verify_load.sh [N] [sqlite|postgres]     e.g. 100000 sqlite, 1000000 postgres
#
# Needs wrk and sqlite3 (Debian packages of those names) and, for postgres, the local
# server on 127.0.0.1:5432. The N certificates are copies of a real certificate issued by
# `registry demo` (same frozen credential, their own holder, number and token).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
ENGINE=${2:-sqlite}
DURATION=${DURATION:-20s}
PORT=${PORT:-18181}

if [ -z "${BIN:-}" ]; then # BIN=path/to/registry measures another build, e.g. before a change
  cargo build --release --bin registry -q
  BIN=$PWD/target/release/registry
fi
DIR=$(mktemp -d)
export REGISTRY_DATA_DIR=$DIR REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_BASE_URL=http://127.0.0.1:$PORT
export REGISTRY_VERIFY_RATE_PER_MINUTE=0 REGISTRY_LOG=warn
PG=postgres://postgres@127.0.0.1:5432
DB=verify_load_$$
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ "$ENGINE" = postgres ] && psql "$PG/postgres" -qc "drop database if exists $DB" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
if [ "$ENGINE" = postgres ]; then
  psql "$PG/postgres" -qc "create database $DB"
  export DATABASE_URL=$PG/$DB
fi

"$BIN" demo >/dev/null

PEOPLE="id, name, citizen_id_sealed, citizen_id_index, citizen_id_masked, gender, birth_date, phone, key_groups, account_id, created_at, updated_at"
CERTS="id, number, kind, status, person_id, issuer_org_id, program_id, enrolment_id, assessment_id, standard_id, occupation_code, level_code, grounds_key, token, status_index, valid_from, valid_until, credential, credential_sha256, pdf_sha256, issued_by, issued_at, suspended_at, suspend_reason, revoked_at, revoke_reason, supersedes_id, superseded_by_id, superseded_at, updated_at"
fill_sql() { # $1: series source, $2: format function
  cat <<SQL
INSERT INTO people ($PEOPLE)
SELECT $2('bench-p-%s', n), p.name, p.citizen_id_sealed, $2('bench-idx-%s', n), p.citizen_id_masked, p.gender,
       p.birth_date, NULL, '[]', NULL, p.created_at, p.updated_at
FROM $1, (SELECT * FROM people LIMIT 1) p;
INSERT INTO certificates ($CERTS)
SELECT $2('bench-c-%s', n), $2('BENCH-%s', n), c.kind, c.status, $2('bench-p-%s', n), c.issuer_org_id, c.program_id,
       c.enrolment_id, c.assessment_id, c.standard_id, c.occupation_code, c.level_code, $2('bench-g-%s', n),
       $2('bench%s', lpad_n), 10000000 + n, c.valid_from, c.valid_until, c.credential, c.credential_sha256,
       c.pdf_sha256, c.issued_by, c.issued_at, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.updated_at
FROM $1, (SELECT * FROM certificates WHERE kind = 'completion' AND status = 'valid' LIMIT 1) c;
SQL
}
start=$(date +%s)
if [ "$ENGINE" = postgres ]; then
  fill_sql "(SELECT n, lpad(n::text, 17, '0') AS lpad_n FROM generate_series(1, $N) AS n) s" format |
    psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1
  psql "$DATABASE_URL" -qc "analyze"
else
  fill_sql "(WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $N) SELECT n, printf('%017d', n) AS lpad_n FROM seq) s" printf |
    sqlite3 "$DIR/registry.db"
  sqlite3 "$DIR/registry.db" "analyze"
fi
echo "filled $N certificates in $(( $(date +%s) - start ))s ($ENGINE)"
sync # the fill's dirty pages are written out before the measurement, not during it

"$BIN" serve &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
start=$(date +%s.%N)
until curl -sf "http://127.0.0.1:$PORT/health" | grep -q '"verification_index":"ready"'; do sleep 0.2; done
echo "verification index filled in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5)s; server RSS $(( $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status) / 1024 )) MiB"
curl -sf "http://127.0.0.1:$PORT/api/v1/verify/bench$(printf '%017d' 1)" >/dev/null || { echo "lookup of a filled token failed"; exit 1; }
N=$N wrk -t2 -c64 -d5s -s benches/random_token.lua "http://127.0.0.1:$PORT" >/dev/null # warm-up
N=$N wrk -t2 -c64 -d"$DURATION" --latency -s benches/random_token.lua "http://127.0.0.1:$PORT" |
  grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "server RSS after the run: $(( $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status) / 1024 )) MiB"

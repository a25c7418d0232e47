#!/usr/bin/env bash
# Mail delivery (issue 16): MAILS queued certificate mails (default 10,000), each with its
# certificate's stored PDF attached, delivered by `registry serve`'s own delivery job
# (the jobs runner, lettre over SMTP) to a local aiosmtpd sink (tests/smtp_sink.py
# --ids-only, which records each Message-ID and size). The data comes from `registry demo`,
# whose holders with confirmed addresses get their certificate mails queued; the rest of
# the MAILS (all queued rows together) are copies of those rows in SQL (each its own outbox row, Message-ID and
# `mail.deliver` job, pointing at the same stored PDFs). Prints messages per second (from
# the server's start to the last row leaving `queued`/`sending`) and the server's peak
# resident memory (VmHWM from /proc), and checks each message arrived exactly once.
#
#   benches/mail_delivery.sh                            release build, SQLite
#   MAILS=2000 DATABASES="sqlite postgres" benches/mail_delivery.sh
#   PG=postgres://postgres@127.0.0.1:5432/postgres      the server for scratch databases
#   BIN=/path/to/registry benches/mail_delivery.sh      another build
#
# Needs python3 with aiosmtpd, curl, sqlite3, and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
MAILS=${MAILS:-10000}
DATABASES=${DATABASES:-sqlite}
PG=${PG:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18284}
SMTP_PORT=${SMTP_PORT:-18285}
if [ -z "${BIN:-}" ]; then
  cargo build --release --bin registry -q
  BIN=$PWD/target/release/registry
fi
WORK=$(mktemp -d)
SCRATCH=()
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null || true
  for db in "${SCRATCH[@]}"; do psql -q "$PG" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export REGISTRY_LOG=error REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_BASE_URL=http://127.0.0.1:$PORT

echo "mails: $MAILS"
for db in $DATABASES; do
  export REGISTRY_DATA_DIR=$WORK/data-$db
  mkdir -p "$REGISTRY_DATA_DIR"
  if [ "$db" = sqlite ]; then
    export DATABASE_URL="sqlite://$REGISTRY_DATA_DIR/registry.db?mode=rwc"
    sql() { sqlite3 "$REGISTRY_DATA_DIR/registry.db" "$1"; }
  else
    name="bench_mail_$$"
    SCRATCH+=("$name")
    psql -q "$PG" -c "CREATE DATABASE \"$name\"" >/dev/null
    export DATABASE_URL="${PG%/*}/$name"
    sql() { psql -qtA "$DATABASE_URL" -c "$1"; }
  fi
  unset REGISTRY_SMTP_URL
  "$BIN" demo --out "$WORK/demo-$db.json" >/dev/null
  queued=$(sql "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued' AND attachment_certificate_id IS NOT NULL")
  [ "$queued" -gt 0 ] || { echo "the demo queued no certificate mail"; exit 1; }
  others=$(sql "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued' AND attachment_certificate_id IS NULL")
  # Copies of the demo's certificate mails, round robin, until there are MAILS.
  sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $MAILS - $queued - $others),
         src AS (SELECT o.*, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM mail_outbox o
                 WHERE status = 'queued' AND attachment_certificate_id IS NOT NULL)
       INSERT INTO mail_outbox (id, message, dedupe_key, recipient, person_id, account_id,
         organisation_id, subject, text_body, html_body, attachment_certificate_id,
         attachment_name, status, attempts, last_answer, created_at, sending_at, finished_at)
       SELECT 'bench-' || n.i, message, 'bench:' || n.i, recipient, person_id, account_id,
         organisation_id, subject, text_body, html_body, attachment_certificate_id,
         attachment_name, 'queued', 0, NULL, created_at, NULL, NULL
       FROM n JOIN src ON src.k = n.i % $queued" >/dev/null
  sql "INSERT INTO jobs (id, kind, dedupe_key, payload, run_at, attempts, lease_owner,
         lease_expires_at, finished_at, last_error, created_at)
       SELECT 'job-' || id, 'mail.deliver', id, '\"' || id || '\"', created_at, 0, NULL, NULL,
         NULL, NULL, created_at FROM mail_outbox WHERE id LIKE 'bench-%'" >/dev/null
  total=$(sql "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued'")

  rm -rf "$WORK/sink" && mkdir -p "$WORK/sink"
  python3 -u tests/smtp_sink.py --port "$SMTP_PORT" --dir "$WORK/sink" --ids-only >"$WORK/sink.out" & SINK=$!
  for _ in $(seq 100); do grep -q READY "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
  export REGISTRY_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT
  start=$(date +%s.%N)
  "$BIN" serve >"$WORK/serve.log" 2>&1 & SERVER=$!
  peak=0
  while :; do
    kib=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
    [ "$kib" -gt "$peak" ] && peak=$kib
    left=$(sql "SELECT COUNT(*) FROM mail_outbox WHERE status IN ('queued', 'sending')")
    [ "$left" -eq 0 ] && break
    sleep 0.5
  done
  end=$(date +%s.%N)
  kib=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
  [ "$kib" -gt "$peak" ] && peak=$kib
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=
  sent=$(sql "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'")
  received=$(wc -l <"$WORK/sink/received.txt")
  distinct=$(cut -d' ' -f1 "$WORK/sink/received.txt" | sort -u | wc -l)
  bytes=$(awk '{s += $2} END {printf "%.0f", s / 1048576}' "$WORK/sink/received.txt")
  secs=$(echo "$end - $start" | bc)
  printf '%-9s %6d queued  %6d sent  %6d received (%d distinct, %d MiB)  %6.1f s  %7.1f msg/s  peak RSS %d MiB\n' \
    "$db" "$total" "$sent" "$received" "$distinct" "$bytes" "$secs" "$(echo "$received / $secs" | bc -l)" $((peak / 1024))
  [ "$received" -eq "$total" ] && [ "$distinct" -eq "$total" ] || { echo "not every message arrived exactly once"; exit 1; }
done

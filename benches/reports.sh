#!/usr/bin/env bash
# The bureau's reports over a large registry (issue 17): CERTS certificates (default
# 1,000,000) and ENROLMENTS enrolments (default 500,000) spread over the statistical years
# 2025 and 2026, on SQLite and PostgreSQL. Measures
#   (a) the dashboard, GET /api/v1/reports/dashboard?year=, against the running release
#       server: RUNS runs per year after one warm-up, median and max of curl's total time;
#   (b) the 培训合格证书 ledger of 2026 written by `registry report ledger` (the page's
#       export, the same code and bytes) as CSV, XLSX and the full CSV: seconds and peak
#       resident memory (GNU time's maximum RSS), and the lines and size of each file;
#   (c) `registry report dispatch` for a month, when the build has that subcommand.
# Targets (issue 17): the dashboard under 200 ms, an export under 10 s and 200 MB.
#
#   benches/reports.sh                                release build, SQLite and PostgreSQL
#   CERTS=100000 ENROLMENTS=50000 DATABASES=sqlite benches/reports.sh
#   PG=postgres://postgres@127.0.0.1:5432/postgres    the server for scratch databases
#   BIN=/path/to/registry benches/reports.sh          another build
#   KEEP=1 benches/reports.sh                         keep the data (SQLite file, PostgreSQL
#                                                     database) and say where, for reruns
#   DATA=<kept dir> PGDB=<kept database> …            measure kept data again, no setup
#   ONLY=dashboard (or ONLY=exports) …                 one of the two parts
#
# The setup goes through the command line and the API (a provider, its program, a cohort,
# one trainee — whose sealed ID every generated person copies, so the full ledger opens
# real ciphertext); the bulk rows are generated in the database itself, INSERT … SELECT
# over a recursive CTE (SQLite) or generate_series (PostgreSQL), one transaction: 8
# providers, 40 programs, ENROLMENTS/50 cohorts ending on every day of the two years, 80%
# as many people as enrolments (a fifth with two), about a third of them in key groups,
# one enrolment in twenty withdrawn, a completion certificate for every other enrolment
# (issued five days after its cohort ends) and the rest skill-level, specialty and licence
# certificates, 2% revoked, 1% suspended, 2% superseded by a re-issue. Needs python3, curl,
# GNU time (/usr/bin/time), sqlite3, and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
CERTS=${CERTS:-1000000}
ENROLMENTS=${ENROLMENTS:-500000}
RUNS=${RUNS:-7}
DATABASES=${DATABASES:-sqlite postgres}
PG=${PG:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18286}
if [ -z "${BIN:-}" ]; then
  cargo build --release --bin registry -q
  BIN=$PWD/target/release/registry
fi
WORK=$(mktemp -d)
SCRATCH=()
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && { echo "kept: $WORK ${SCRATCH[*]}"; return; }
  for db in "${SCRATCH[@]}"; do psql -q "$PG" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export REGISTRY_LOG=error REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_BASE_URL=http://127.0.0.1:$PORT
API=http://127.0.0.1:$PORT/api/v1
PASSWORD='bench password 1'

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

start_server() {
  "$BIN" serve >/dev/null 2>&1 & SERVER=$!
  # Starting reads the whole registry into the verification index: a while at 1,000,000.
  for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return; sleep 0.5; done
  echo "the server did not start"; exit 1
}

stop_server() {
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

token() {
  curl -sf "$API/auth/token" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$PASSWORD\"}" | json '["token"]'
}

# A provider, a bureau account, and through the API a program, a cohort and one trainee.
setup() {
  "$BIN" migrate >/dev/null
  local org program cohort staff
  org=$("$BIN" org add --kind training_provider --name 额尔古纳市职业技能培训中心 \
    --credit-code 91350100M000100Y43 --approve)
  echo "$PASSWORD" | "$BIN" user add --login bench-staff --role provider_staff --org "$org" >/dev/null
  echo "$PASSWORD" | "$BIN" user add --login bench-bureau --role bureau_admin >/dev/null
  start_server
  staff=$(token bench-staff)
  program=$(curl -sf "$API/programs" -H "authorization: Bearer $staff" -H 'content-type: application/json' \
    -d '{"title":"骑马游向导服务专项能力培训","hours":100,"standard_code":"150784-QMY","min_age":16,"max_age":60,"certificates":[{"kind":"completion","min_attendance_percent":90,"min_theory_score":60,"min_practical_score":60}]}' \
    | json '["id"]')
  cohort=$(curl -sf "$API/cohorts" -H "authorization: Bearer $staff" -H 'content-type: application/json' \
    -d "{\"program_id\":\"$program\",\"code\":\"BENCH-TEMPLATE\",\"starts_on\":\"2026-06-01\",\"ends_on\":\"2026-06-30\",\"capacity\":10}" \
    | json '["id"]')
  curl -sf "$API/cohorts/$cohort/enrolments" -H "authorization: Bearer $staff" -H 'content-type: application/json' \
    -d '{"name":"娜仁花","citizen_id":"150784199603010013","key_groups":["graduate"]}' >/dev/null
  stop_server
}

# The bulk rows, as SQL for the database $1 (sqlite or postgres).
generate() {
  python3 - "$1" "$CERTS" "$ENROLMENTS" <<'PY'
import sys
db, certs, enrolments = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
people = enrolments * 4 // 5
cohorts = max(enrolments // 50, 1)
completions = enrolments - enrolments // 20   # one in twenty withdrawn, without one

def series(n, insert, select):
    """INSERT … SELECT over i = 0 .. n-1."""
    if db == "sqlite":
        return (f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1})\n"
                f"{insert}\n{select.replace('{n}', 'n')};")
    return f"{insert}\n{select.replace('{n}', f'generate_series(0, {n - 1}) AS n(i)')};"

def pad(expr, width=7):
    if db == "sqlite":
        return f"printf('%0{width}d', {expr})"
    return f"lpad(({expr})::text, {width}, '0')"

def day(expr):
    """The day `expr` days after 21 December 2024, the first of statistical 2025."""
    if db == "sqlite":
        return f"date('2024-12-21', ({expr}) || ' days')"
    return f"(date '2024-12-21' + ({expr}))"

# The provider of program p (0..39): the template's for p % 8 = 0.
def provider(p):
    return f"CASE ({p}) % 8 WHEN 0 THEN t.provider_id ELSE 'bench-org-' || (({p}) % 8) END"

def cohort_day(c):
    """The day cohort `c` ends on: spread over every day of the two years."""
    return f"((({c}) * 7919) % 730)"

sql = ["BEGIN;"]
sql.append(series(7,
    "INSERT INTO organisations (id, kind, name, credit_code, status, created_at, updated_at)",
    "SELECT 'bench-org-' || (i + 1), 'training_provider', '额尔古纳市第' || (i + 1) || '职业技能培训学校',"
    " 'BENCH-CREDIT-' || (i + 1), 'approved', o.created_at, o.updated_at"
    " FROM {n}, (SELECT created_at, updated_at FROM organisations LIMIT 1) o"))
titles = ["骑马游向导服务", "民宿管家", "俄式西点制作", "中式烹调", "育婴员", "电工", "养老护理员", "农机驾驶"]
title = "CASE i % 8 " + " ".join(f"WHEN {k} THEN '{t}'" for k, t in enumerate(titles)) + " END"
sql.append(series(40,
    "INSERT INTO programs (id, provider_id, title, hours, standard_id, occupation_code, level_code,"
    " min_age, max_age, certificates, created_at, updated_at)",
    f"SELECT 'bench-prog-' || i, {provider('i')}, {title} || '培训（' || i || '）', 80 + i, NULL, NULL, NULL,"
    " 16, 60, t.certificates, t.created_at, t.updated_at"
    " FROM {n}, (SELECT * FROM programs LIMIT 1) t"))
sql.append(series(cohorts,
    "INSERT INTO cohorts (id, program_id, provider_id, code, starts_on, ends_on, capacity, location,"
    " teachers, evaluation_org_id, created_at)",
    f"SELECT 'bench-cohort-' || i, 'bench-prog-' || (i % 40), {provider('i % 40')}, 'B' || i,"
    f" {day(cohort_day('i') + ' - 20')}, {day(cohort_day('i'))}, 60, '拉布大林',"
    " t.teachers, NULL, t.created_at"
    " FROM {n}, (SELECT c.teachers, c.created_at, p.provider_id FROM cohorts c JOIN programs p ON p.id = c.program_id LIMIT 1) t"))
groups = ("CASE WHEN i % 35 = 0 THEN '[\"graduate\",\"low_income_rural\"]' WHEN i % 5 = 0 THEN '[\"graduate\"]'"
          " WHEN i % 7 = 0 THEN '[\"low_income_rural\"]' ELSE '[]' END")
surnames = "王李张刘陈杨赵黄周吴"
given = "伟芳娜敏静丽强磊军洋"
name = ("CASE i % 10 " + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(surnames)) + " END || "
        "CASE (i / 10) % 10 " + " ".join(f"WHEN {k} THEN '{g}'" for k, g in enumerate(given)) + " END")
sql.append(series(people,
    "INSERT INTO people (id, name, citizen_id_sealed, citizen_id_index, citizen_id_masked, gender,"
    " phone_sealed, key_groups, account_id, created_at, updated_at, email, email_confirmed_at)",
    f"SELECT 'bench-person-' || i, {name}, t.citizen_id_sealed, 'bench-' || i,"
    f" '150784********' || {pad('i % 10000', 4)}, t.gender, NULL, {groups}, NULL, t.created_at, t.updated_at, NULL, NULL"
    " FROM {n}, (SELECT * FROM people LIMIT 1) t"))
for group, every in [("graduate", 5), ("low_income_rural", 7)]:
    sql.append(series(people // every + 1,
        "INSERT INTO person_key_groups (person_id, key_group)",
        f"SELECT 'bench-person-' || (i * {every}), '{group}' FROM {{n}} WHERE i * {every} < {people}"))
sql.append(series(enrolments,
    "INSERT INTO enrolments (id, cohort_id, person_id, provider_id, status, attended_hours, theory_score,"
    " practical_score, result_recorded_at, enrolled_at, withdrawn_at, withdraw_reason)",
    f"SELECT 'bench-enr-' || {pad('i')}, 'bench-cohort-' || (i / 50), 'bench-person-' || (i % {people}),"
    f" {provider('(i / 50) % 40')},"
    " CASE WHEN i % 20 = 19 THEN 'withdrawn' ELSE 'enrolled' END, 80, 85, 90,"
    " CASE WHEN i % 20 = 19 THEN NULL ELSE t.enrolled_at END, t.enrolled_at,"
    " CASE WHEN i % 20 = 19 THEN t.enrolled_at END, CASE WHEN i % 20 = 19 THEN '外出务工' END"
    " FROM {n}, (SELECT e.enrolled_at, p.provider_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id"
    " JOIN programs p ON p.id = c.program_id LIMIT 1) t"))
# Certificate i < completions: the completion certificate of enrolment j = i + i / 19 (every
# twentieth enrolment, withdrawn, has none); the rest other kinds, by i % 10.
j = "(i + i / 19)"
completion = f"i < {completions}"
kind = (f"CASE WHEN {completion} THEN 'completion' WHEN i % 10 < 5 THEN 'skill_level'"
        " WHEN i % 10 < 8 THEN 'specialty' ELSE 'licence' END")
status = ("CASE WHEN i % 100 < 2 THEN 'revoked' WHEN i % 100 = 2 THEN 'suspended'"
          " WHEN i % 100 IN (3, 4) THEN 'superseded' ELSE 'valid' END")
issued = (f"CASE WHEN {completion} THEN {day(cohort_day(f'{j} / 50') + ' + 5')}"
          f" ELSE {day('(i * 13) % 730')} END")
sql.append(series(certs,
    "INSERT INTO certificates (id, number, kind, status, person_id, issuer_org_id, program_id, enrolment_id,"
    " grounds_key, token, status_index, valid_from, credential, credential_sha256, pdf_sha256, issued_by,"
    " issued_at, supersedes_id, updated_at, issuer_name)",
    f"SELECT 'bench-cert-' || {pad('i')}, 'BENCH' || {pad('i')}, {kind},"
    f" {status},"
    f" CASE WHEN {completion} THEN 'bench-person-' || ({j} % {people}) ELSE 'bench-person-' || (i % {people}) END,"
    f" CASE WHEN {completion} THEN {provider(f'({j} / 50) % 40')} ELSE t.provider_id END,"
    f" CASE WHEN {completion} THEN 'bench-prog-' || (({j} / 50) % 40) END,"
    f" CASE WHEN {completion} THEN 'bench-enr-' || {pad(j)} END,"
    " 'bench-grounds-' || i, 'bench-token-' || i, 10000000 + i,"
    f" {issued}, '{{}}', '', '', 'bench', t.created_at,"
    f" CASE WHEN i % 100 = 5 THEN 'bench-cert-' || {pad('i - 1')} END, t.created_at,"
    " '额尔古纳市职业技能培训中心'"
    " FROM {n}, (SELECT p.created_at, p.provider_id FROM programs p LIMIT 1) t"))
sql.append("COMMIT;")
sql.append("ANALYZE;")
print("\n".join(sql))
PY
}

# One timed command: what, then the command; prints seconds, peak memory and its output.
timed() {
  local what=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kib <"$WORK/time"
  printf '  %-26s %6.1f s  %4d MiB   %s\n' "$what" "$secs" $((kib / 1024)) "$(head -1 "$WORK/out")"
}

# The dashboard of year $2 with token $1: RUNS runs after a warm-up; median and max in ms.
dashboard() {
  curl -sf -o /dev/null "$API/reports/dashboard?year=$2" -H "authorization: Bearer $1"
  local times=()
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' "$API/reports/dashboard?year=$2" -H "authorization: Bearer $1")")
  done
  printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
t = [float(x) * 1000 for x in sys.stdin.read().split()]
print(f"  dashboard {sys.argv[1]}: median {statistics.median(t):6.1f} ms, max {max(t):6.1f} ms ({len(t)} runs)")' "$2"
}

echo "certificates: $CERTS, enrolments: $ENROLMENTS"
for db in $DATABASES; do
  export REGISTRY_DATA_DIR=${DATA:-$WORK}/data-$db
  mkdir -p "$REGISTRY_DATA_DIR"
  if [ "$db" = sqlite ]; then
    export DATABASE_URL="sqlite://$REGISTRY_DATA_DIR/registry.db?mode=rwc"
    sql() { sqlite3 -bail "$REGISTRY_DATA_DIR/registry.db"; }
    count() { sqlite3 -bail "$REGISTRY_DATA_DIR/registry.db"; }
  else
    name=${PGDB:-bench_reports_$$}
    [ -n "${PGDB:-}" ] || SCRATCH+=("$name")
    [ -n "${DATA:-}" ] || psql -q "$PG" -c "CREATE DATABASE \"$name\"" >/dev/null
    export DATABASE_URL="${PG%/*}/$name"
    sql() { psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null; }
    count() { psql -qAt -v ON_ERROR_STOP=1 "$DATABASE_URL"; }
  fi
  echo "$db"
  if [ -z "${DATA:-}" ]; then
    setup
    generate "$db" >"$WORK/generate.sql"
    start=$(date +%s)
    sql <"$WORK/generate.sql"
    echo "  data generated in $(($(date +%s) - start)) s"
  fi

  if [ "${ONLY:-dashboard}" = dashboard ]; then
    start_server
    # The bulk rows were tallied row by row by the triggers; the server folds them at
    # start, in the background: measure once it has.
    start=$(date +%s)
    for _ in $(seq 600); do
      rows=$(echo "SELECT (SELECT COUNT(*) FROM report_certificate_tallies) + (SELECT COUNT(*) FROM report_enrolment_tallies);" | count)
      [ "$rows" -lt 100000 ] && break
      sleep 1
    done
    echo "  tallies folded to $rows rows within $(($(date +%s) - start)) s of start"
    bureau=$(token bench-bureau)
    dashboard "$bureau" 2026
    dashboard "$bureau" 2025
    stop_server
  fi
  if [ "${ONLY:-exports}" != exports ]; then
    [ -n "${KEEP:-}${DATA:-}" ] || rm -rf "$REGISTRY_DATA_DIR"
    continue
  fi

  for format in csv xlsx; do
    timed "ledger 2026 $format" "$BIN" report ledger --year 2026 --format "$format" --out "$WORK/ledger.$format"
    printf '  %-26s %s\n' "" "$(du -h "$WORK/ledger.$format" | cut -f1) written"
  done
  timed "ledger 2026 csv, full" "$BIN" report ledger --year 2026 --full --as bench-bureau --out "$WORK/full.csv"
  # The monthly dispatch, once the build has it.
  if "$BIN" report dispatch --help >/dev/null 2>&1; then
    for format in csv xlsx; do
      timed "dispatch 2026-06 $format" "$BIN" report dispatch --period 2026-06 --format "$format" --out "$WORK/dispatch.$format"
    done
  fi
  [ -n "${KEEP:-}${DATA:-}" ] || rm -rf "$REGISTRY_DATA_DIR"
done

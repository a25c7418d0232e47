#!/usr/bin/env bash
# A large roster at the command line (issue 11): `registry import` of a ROWS-row list
# (default 100,000; valid citizen IDs, unique names, phones and key groups on some rows)
# as CSV (CRLF, as Excel saves it) and as XLSX, each into a fresh cohort whose capacity is
# lifted, dry run then real, then the CSV again (everyone skipped); on SQLite and
# PostgreSQL. Prints seconds and peak resident memory (GNU time's maximum RSS) of each run.
#
#   benches/import_roster.sh                          release build, SQLite and PostgreSQL
#   ROWS=200000 DATABASES=sqlite benches/import_roster.sh
#   PG=postgres://postgres@127.0.0.1:5432/postgres    the server for scratch databases
#   BIN=/path/to/registry benches/import_roster.sh    another build
#
# The lists are written by Python (the XLSX by hand with zipfile, with a shared-string
# table as Excel writes it). Needs python3, curl, GNU time (/usr/bin/time), and psql for
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
DATABASES=${DATABASES:-sqlite postgres}
PG=${PG:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18283}
if [ -z "${BIN:-}" ]; then
  cargo build --release --bin registry -q
  BIN=$PWD/target/release/registry
fi
WORK=$(mktemp -d)
SCRATCH=()
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  for db in "${SCRATCH[@]}"; do psql -q "$PG" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export REGISTRY_LOG=error REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_BASE_URL=http://127.0.0.1:$PORT

python3 - "$WORK" "$ROWS" <<'PY'
import datetime, sys, zipfile
from xml.sax.saxutils import escape

out, rows = sys.argv[1], int(sys.argv[2])
surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
given = "".join(dict.fromkeys(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞建国文辉力斌宇浩凯峰龙海波宁"
    "欣怡佳琪雪晨阳光思源博雅婷志远德胜春秋冬云山林森水月星天宝金银玲珍瑞祥福禄寿喜安康乐成"
    "振兴家庆永昌立新卫东红旗晓丹凤霞蓉莉萍燕慧颖琳露蕾倩璐"))
assert len(surnames) * len(given) ** 2 >= rows, "not enough unique names"
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

def citizen_id(i):
    born = datetime.date(1975, 1, 1) + datetime.timedelta(days=(i // 500) * 7)
    first17 = f"150784{born:%Y%m%d}{i % 500:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]

def name(i):
    n = len(given)
    return surnames[i // (n * n)] + given[(i // n) % n] + given[i % n]

def person(i):
    phone = str(13800000000 + i) if i % 2 == 0 else ""
    groups = "退役士兵、高校毕业生" if i % 10 == 0 else ("脱贫人口" if i % 10 == 1 else "")
    return [name(i), citizen_id(i), phone, groups]

header = ["姓名", "身份证号", "手机号", "重点群体"]
with open(f"{out}/roster.csv", "w", encoding="utf-8", newline="") as f:
    f.write("\ufeff")
    for line in [header] + [person(i) for i in range(rows)]:
        f.write(",".join(line) + "\r\n")

strings, index = [], {}
def shared(text):
    if text not in index:
        index[text] = len(strings)
        strings.append(text)
    return index[text]

def column(c):
    return "ABCD"[c]

sheet_rows = []
for r, line in enumerate([header] + [person(i) for i in range(rows)], start=1):
    cells = []
    for c, value in enumerate(line):
        ref = f"{column(c)}{r}"
        if not value:
            continue
        if c == 2 and r > 1:  # a phone typed into Excel is a number
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
    sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
with zipfile.ZipFile(f"{out}/roster.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml",
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rels}"><sheets>'
        '<sheet name="学员名单" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><dimension ref="A1:D{rows + 1}"/>'
        f'<sheetData>{"".join(sheet_rows)}</sheetData></worksheet>')
    z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
PY
ls -l "$WORK"/roster.* | awk '{printf "%s %.1f MiB\n", $NF, $5 / 1048576}'

# A provider, its program (ages 18–55) and one cohort, made through the API; then the
# cohort's capacity lifted in SQL (the API caps it at 5,000). Prints the cohort's id.
setup() {
  local sql=$1
  "$BIN" migrate >/dev/null
  local org
  org=$("$BIN" org add --kind training_provider --name 额尔古纳市职业技能培训中心 \
    --credit-code 91350100M000100Y43 --approve)
  echo 'bench password 1' | "$BIN" user add --login bench-staff --role provider_staff --org "$org" >/dev/null
  echo 'bench password 1' | "$BIN" user add --login bench-bureau --role bureau_admin >/dev/null
  "$BIN" serve >/dev/null 2>&1 & SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
  local api=http://127.0.0.1:$PORT/api/v1 token program cohort
  token=$(curl -sf "$api/auth/token" -H 'content-type: application/json' \
    -d '{"login":"bench-staff","password":"bench password 1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  program=$(curl -sf "$api/programs" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"title":"骑马游向导服务专项能力培训","hours":100,"standard_code":"150784-QMY","min_age":18,"max_age":55,"certificates":[{"kind":"completion","min_attendance_percent":90,"min_theory_score":60,"min_practical_score":60}]}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  cohort=$(curl -sf "$api/cohorts" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"program_id\":\"$program\",\"code\":\"LEDGER-2026\",\"starts_on\":\"2026-06-01\",\"ends_on\":\"2026-06-30\",\"capacity\":5000}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  $sql "UPDATE cohorts SET capacity = 2000000000 WHERE id = '$cohort'" >/dev/null
  echo "$cohort"
}

# One timed import: database, file, what, then the import's own arguments.
run() {
  local db=$1 file=$2 what=$3; shift 3
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" import "$WORK/$file" --as bench-bureau "$@" \
    >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kib <"$WORK/time"
  printf '%-9s %-12s %-10s %6.1f s  %4d MiB   %s\n' "$db" "$file" "$what" "$secs" $((kib / 1024)) "$(head -1 "$WORK/out")"
}

echo "rows: $ROWS"
for db in $DATABASES; do
  for file in roster.csv roster.xlsx; do
    export REGISTRY_DATA_DIR=$WORK/data-$db-$file
    mkdir -p "$REGISTRY_DATA_DIR"
    if [ "$db" = sqlite ]; then
      export DATABASE_URL="sqlite://$REGISTRY_DATA_DIR/registry.db?mode=rwc"
      sql() { sqlite3 "$REGISTRY_DATA_DIR/registry.db" "$1"; }
    else
      name="bench_roster_$$_${file##*.}"
      SCRATCH+=("$name")
      psql -q "$PG" -c "CREATE DATABASE \"$name\"" >/dev/null
      export DATABASE_URL="${PG%/*}/$name"
      sql() { psql -q "$DATABASE_URL" -c "$1"; }
    fi
    cohort=$(setup sql)
    run "$db" "$file" "dry run" --cohort "$cohort" --dry-run
    run "$db" "$file" "import" --cohort "$cohort"
    run "$db" "$file" "again" --cohort "$cohort"
  done
done

#!/usr/bin/env bash
# Hostile files against a running server (issue 10): builds the probe's files, starts
# `registry serve` on the demo data set, posts each file and prints the answer, how long
# it took and the server's peak resident memory (VmHWM of /proc/PID/status) after it.
#
#   benches/hostile_files.sh                 the debug build of this checkout
#   PROFILE=release benches/hostile_files.sh
#   BIN=/path/to/registry benches/hostile_files.sh    another build (e.g. before the fix)
#
# The files (made with Python's zipfile and zlib, in a temporary directory):
#   sheet-bomb.xlsx  a used range to XFD1048576 and a sheet padded with PAD_MIB MiB of
#                  spaces (default 343) — posted to /api/v1/cohorts/{id}/imports (dry run)
#   pdf-bomb.pdf   a PDF whose attached credential.json is deflated twice and inflates to
#                  INFLATE_GIB GiB (default 4) — posted anonymously to /api/v1/verify/document
#   xfd.xlsx       cells at A1 and XFD1048576 (a rectangle of 17 billion cells), last, since
#                  a server without the fix dies of it
# Needs python3 and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-debug}
PORT=${PORT:-18282}
INFLATE_GIB=${INFLATE_GIB:-4}
PAD_MIB=${PAD_MIB:-343}
if [ -z "${BIN:-}" ]; then
  if [ "$PROFILE" = release ]; then cargo build --release --bin registry -q; else cargo build --bin registry -q; fi
  BIN=$PWD/target/$PROFILE/registry
fi
DIR=$(mktemp -d)
export REGISTRY_DATA_DIR=$DIR REGISTRY_BIND=127.0.0.1:$PORT REGISTRY_BASE_URL=http://127.0.0.1:$PORT
export REGISTRY_VERIFY_RATE_PER_MINUTE=0 REGISTRY_LOG=error
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

python3 - "$DIR" "$INFLATE_GIB" "$PAD_MIB" <<'PY'
import sys, zipfile, zlib
out, inflate_gib, pad_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def xlsx(path, sheet_data, dimension, padding=0):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rels}"><sheets>'
            '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{main}"><dimension ref="{dimension}"/><sheetData>{sheet_data}'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(padding):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")

def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

header = f'<row r="1">{cell("A1", "姓名")}{cell("B1", "身份证号")}</row>'
far = f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
xlsx(f"{out}/xfd.xlsx", header + far, "A1:XFD1048576")
xlsx(f"{out}/sheet-bomb.xlsx", header, "A1:XFD1048576", padding=pad_mib)

# The attachment: zeros deflated, and the result deflated again.
inner = zlib.compressobj(9)
zeros = bytes(1 << 20)
layer = b"".join(inner.compress(zeros) for _ in range(inflate_gib << 10)) + inner.flush()
attachment = zlib.compress(layer, 9)
objects = [
    b"<< /Type /Catalog /Pages 4 0 R /Names << /EmbeddedFiles << /Names [(credential.json) 2 0 R] >> >> >>",
    b"<< /Type /Filespec /F (credential.json) /EF << /F 3 0 R >> >>",
    b"<< /Type /EmbeddedFile /Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(attachment)
        + attachment + b"\nendstream",
    b"<< /Type /Pages /Kids [] /Count 0 >>",
]
pdf, offsets = bytearray(b"%PDF-1.7\n"), []
for i, body in enumerate(objects, 1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
start = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
open(f"{out}/pdf-bomb.pdf", "wb").write(pdf)
PY

"$BIN" demo --out "$DIR/demo.json" >/dev/null
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
read -r LOGIN PASSWORD COHORT < <(python3 - "$DIR/demo.json" <<'PY'
import json, sys
demo = json.load(open(sys.argv[1]))
cohort = demo["cohorts"][0]
staff = next(a for a in demo["accounts"] if a["role"] == "provider_staff" and a["organisation_id"] == cohort["provider_id"])
print(staff["login"], staff["password"], cohort["id"])
PY
)
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"login\":\"$LOGIN\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

hwm() { awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$SERVER/status" 2>/dev/null || echo "(server gone)"; }
alive() { curl -sf -m 5 "http://127.0.0.1:$PORT/health" >/dev/null && echo "health answers" || echo "health DOES NOT answer"; }
post() { # $1: path, $2: file, $3: bearer token (optional)
  local answer auth=()
  [ -n "${3:-}" ] && auth=(-H "authorization: Bearer $3")
  rm -f "$DIR/answer.json"
  answer=$(curl -s -m 300 -o "$DIR/answer.json" -w '%{http_code} in %{time_total}s' "${auth[@]}" \
    -F "file=@$DIR/$2" "http://127.0.0.1:$PORT$1") || answer="no answer"
  local reason
  reason=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(b.get("fields",[{}])[0].get("reason",""), b.get("message","")[:60])' "$DIR/answer.json" 2>/dev/null || true)
  printf '%-16s %8s bytes: %s %s; VmHWM %s; %s\n' "$2" "$(stat -c%s "$DIR/$2")" "$answer" "$reason" "$(hwm)" "$(alive)"
}
echo "registry serve ($BIN) ready with the demo data: VmHWM $(hwm)"
post "/api/v1/cohorts/$COHORT/imports?dry_run=true" sheet-bomb.xlsx "$TOKEN"
post /api/v1/verify/document pdf-bomb.pdf
post "/api/v1/cohorts/$COHORT/imports?dry_run=true" xfd.xlsx "$TOKEN"

#!/usr/bin/env bash
# Lints every CloudFormation template the test suite recorded (test/util.ts `record`) with cfn-lint, and fails on any
# error. Warnings and informational findings are printed but do not fail the run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.cfn-lint/templates"
CFN_LINT="${CRP_VENV:-$ROOT/.tools/venv}/bin/cfn-lint"
[ -x "$CFN_LINT" ] || { echo "cfn-lint not found at $CFN_LINT: run 'source scripts/bootstrap.sh' first" >&2; exit 1; }
shopt -s nullglob
templates=("$DIR"/*.template.json)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "cfn-lint: no recorded templates in $DIR: run the unit tests first" >&2
  exit 1
fi
out="$ROOT/.cfn-lint/report.json"
# Exit codes are a bit mask: 2 = error, 4 = warning, 8 = informational.
set +e
"$CFN_LINT" --format json --regions us-east-1 us-west-2 -- "${templates[@]}" > "$out"
rc=$?
set -e
python3 - "$out" "${#templates[@]}" "$rc" <<'PY'
import collections, json, sys
path, count, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    matches = json.load(open(path))
except ValueError:
    print(open(path).read()); sys.exit(1)
levels = collections.Counter(m["Level"] for m in matches)
for m in matches:
    if m["Level"] == "Error":
        loc = m["Location"]
        print(f'Error {m["Rule"]["Id"]} {m["Filename"].split("/")[-1]} {"/".join(map(str, loc.get("Path") or []))}: {m["Message"]}')
by_rule = collections.Counter((m["Level"], m["Rule"]["Id"], m["Rule"]["ShortDescription"]) for m in matches if m["Level"] != "Error")
for (level, rule, text), n in sorted(by_rule.items()):
    print(f'{level} {rule} x{n}: {text}')
print(f'cfn-lint: {count} templates, {levels.get("Error", 0)} errors, {levels.get("Warning", 0)} warnings, '
      f'{levels.get("Informational", 0)} informational')
if levels.get("Error", 0) or rc & 1 or (rc & 2):
    sys.exit(1)
PY

#!/usr/bin/env bash
# The compatibility matrix (docs/compatibility.md): synthesizes the reference app (examples/typescript/app.ts, which
# acknowledges nothing itself) and the composed app (examples/typescript/composed-app.ts) with the four cdk-nag packs
# (AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1) on each aws-cdk-lib release that matters:
#   - the floor (package.json peerDependencies),
#   - 2.269.0, the first release whose Validations.acknowledge accepts an ID with a detail
#     (`AwsSolutions::AwsSolutions-IAM4[Policy::...]`),
#   - the newest on npm, the newest on PyPI and the newest in Maven Central's version index (maven-metadata.xml
#     `<release>`, which is what Maven resolves the library's range to); each is installed from npm, the same release
#     as on the other registries.
# Each version gets its own scratch directory outside the checkout, with the library's tarball from dist/js, that
# aws-cdk-lib, constructs and the cdk-nag release of devDependencies. Prints a Markdown table and fails if any pack
# reports an unacknowledged finding on any version. No version is left out because another CI step covers it: the
# unit tests run the packs on single constructs from src on one release, and scripts/multilang.sh runs them only on the
# composed app, whose own acknowledgements would hide a missing one of the library's.
# Needs `npx projen compile` and `npx projen package:js` first, and Node.js 20 or newer on PATH (.ci/run sources
# scripts/bootstrap.sh before).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$(date +%s)

tarball="$(ls dist/js/*.tgz 2>/dev/null | head -n 1 || true)"
[ -n "$tarball" ] || { echo "no tarball in dist/js: run 'npx projen package:js' first" >&2; exit 1; }
CDK_CONTEXT_JSON="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["context"]))' examples/cdk.json)"
export CDK_CONTEXT_JSON
CDK_NAG_VERSION="$(node -p 'require("./package.json").devDependencies["cdk-nag"].replace(/^[\^~]/, "")')"
CONSTRUCTS_RANGE="$(node -p 'require("./package.json").peerDependencies["constructs"]')"
FLOOR="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~]/, "")')"
FIRST_DETAILED_IDS="2.269.0"

NPM_NEWEST="$(npm view aws-cdk-lib version)"
PYPI_NEWEST="$(curl -fsSL --retry 3 https://pypi.org/pypi/aws-cdk-lib/json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["info"]["version"])')"
MAVEN_INDEX="$(curl -fsSL --retry 3 https://repo1.maven.org/maven2/software/amazon/awscdk/aws-cdk-lib/maven-metadata.xml \
  | sed -n 's:.*<release>\(.*\)</release>.*:\1:p')"
for v in "$NPM_NEWEST" "$PYPI_NEWEST" "$MAVEN_INDEX"; do
  [[ "$v" =~ ^2\.[0-9]+\.[0-9]+$ ]] || { echo "could not read a registry's newest aws-cdk-lib (got '$v')" >&2; exit 1; }
done

# version -> what it stands for, in matrix order, without duplicates.
declare -A roles=()
versions=()
add() {
  if [ -z "${roles[$1]:-}" ]; then versions+=("$1"); roles[$1]="$2"; else roles[$1]="${roles[$1]}, $2"; fi
}
add "$FLOOR" "floor (peer dependency)"
add "$MAVEN_INDEX" "newest in Maven Central's index"
add "$FIRST_DETAILED_IDS" "first to accept detailed IDs"
add "$PYPI_NEWEST" "newest on PyPI"
add "$NPM_NEWEST" "newest on npm"
# More releases to check, space-separated (for example the last release before 2.269.0): COMPAT_MATRIX_EXTRA="2.268.0".
for v in ${COMPAT_MATRIX_EXTRA:-}; do add "$v" "requested"; done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/crp-compat-matrix.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for v in $(printf '%s\n' "${versions[@]}" | sort -V); do
  dir="$WORK/$v"
  mkdir -p "$dir/examples/typescript" "$dir/scripts"
  echo '{ "private": true }' > "$dir/package.json"
  cp examples/typescript/app.ts examples/typescript/composed-app.ts "$dir/examples/typescript/"
  cp scripts/compliance.ts scripts/compat-matrix.ts "$dir/scripts/"
  t0=$(date +%s)
  (cd "$dir" && npm install --no-audit --no-fund --no-save --silent \
    "$ROOT/$tarball" "aws-cdk-lib@$v" "constructs@$CONSTRUCTS_RANGE" "cdk-nag@$CDK_NAG_VERSION")
  t1=$(date +%s)
  # ts-node and typescript come from the checkout; the apps resolve aws-cdk-lib, cdk-nag and the library in $dir.
  # The validation reports aws-cdk-lib prints go to synth.log; the table below lists every finding they hold.
  if ! npx ts-node --transpile-only --project tsconfig.dev.json "$dir/scripts/compat-matrix.ts" "$dir/cdk.out" \
    > "$dir/synth.log" 2>&1; then
    cat "$dir/synth.log" >&2
    echo "aws-cdk-lib $v: the apps did not synthesize" >&2
    exit 1
  fi
  echo "aws-cdk-lib $v: installed in $((t1 - t0)) s, synthesized in $(( $(date +%s) - t1 )) s"
  printf '%s\t%s\n' "$dir/cdk.out/result.json" "${roles[$v]}" >> "$WORK/matrix.tsv"
done

python3 - "$WORK/matrix.tsv" <<'PY'
import json, sys

PACKS = ["AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321"]
failed, notes = [], []
print()
print("| aws-cdk-lib | stands for | templates (reference + composed app) | "
      + " | ".join(PACKS) + " | other validation plugins (not gated) |")
print("|---|---|---|" + "---|" * (len(PACKS) + 1))
for line in open(sys.argv[1]):
    path, role = line.rstrip("\n").split("\t")
    r = json.load(open(path))
    v, apps = r["awsCdkLib"], {"reference": r["reference"], "composed": r["composed"]}
    counts = [sum(a["findings"].get(p, 0) for a in apps.values()) for p in PACKS]
    other = {}
    for name, a in apps.items():
        for plugin, n in a["findings"].items():
            if plugin not in PACKS:
                other[plugin] = other.get(plugin, 0) + n
        for d in a["details"]:
            (failed if d.split(" ", 1)[0] in PACKS else notes).append(f"aws-cdk-lib {v}, {name} app: {d}")
    print(f"| {v} | {role} | {apps['reference']['templates']} + {apps['composed']['templates']} | "
          + " | ".join(str(c) for c in counts) + " | "
          + (", ".join(f"{k}: {n}" for k, n in sorted(other.items())) or "0") + " |")
print()
if notes:
    print("Findings of the other validation plugins (warnings, not gated):", *notes, sep="\n  ")
if failed:
    print("Unacknowledged cdk-nag findings:", *failed, sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
echo "compat matrix wall time: $(( $(date +%s) - started )) s"

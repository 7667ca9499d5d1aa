#!/usr/bin/env bash
# Synthesizes the example app in TypeScript (compiled library), Python (the wheel jsii-pacmak built into dist/python)
# and Java (the jar in dist/java), and the composed app (the same architecture built from the parts, with the four
# cdk-nag packs and the app's acknowledgements) in TypeScript and Python, each with the same context from
# examples/cdk.json, and fails unless the templates of each app are identical across languages. Needs
# `npx projen compile`, `npx projen package:js`, `npx projen package:python` and `npx projen package:java` first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
OUT="$ROOT/.multilang"
rm -rf "$OUT"
mkdir -p "$OUT"
CDK_CONTEXT_JSON="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["context"]))' examples/cdk.json)"
export CDK_CONTEXT_JSON
# All three consumer apps use the same aws-cdk-lib: the library's floor, the newest release that npm, PyPI and Maven
# Central all carry. (The unit tests run on the newest npm release.)
CDK_VERSION="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~]/, "")')"
# The composed apps run the cdk-nag release the unit tests use, from npm and from PyPI.
CDK_NAG_VERSION="$(node -p 'require("./package.json").devDependencies["cdk-nag"].replace(/^[\^~]/, "")')"

tarball="$(ls dist/js/*.tgz 2>/dev/null | head -n 1 || true)"
[ -n "$tarball" ] || { echo "no tarball in dist/js: run 'npx projen package:js' first" >&2; exit 1; }
wheel="$(ls dist/python/*.whl 2>/dev/null | head -n 1 || true)"
[ -n "$wheel" ] || { echo "no wheel in dist/python: run 'npx projen package:python' first" >&2; exit 1; }
[ -d dist/java ] || { echo "no dist/java: run 'npx projen package:java' first" >&2; exit 1; }

echo "== TypeScript ($(basename "$tarball"), aws-cdk-lib $CDK_VERSION from npm)"
TSAPP="$ROOT/.tools/ts-example"
mkdir -p "$TSAPP"
cp examples/typescript/app.ts examples/typescript/composed-app.ts "$TSAPP/"
[ -f "$TSAPP/package.json" ] || echo '{ "private": true }' > "$TSAPP/package.json"
(cd "$TSAPP" && npm install --no-audit --no-fund --no-save --silent "$ROOT/$tarball" "aws-cdk-lib@$CDK_VERSION" "constructs@^10.5.1" "cdk-nag@$CDK_NAG_VERSION")
CDK_OUTDIR="$OUT/typescript" npx ts-node --project tsconfig.dev.json "$TSAPP/app.ts"
CDK_OUTDIR="$OUT/typescript-composed" npx ts-node --project tsconfig.dev.json "$TSAPP/composed-app.ts"

echo "== Python ($(basename "$wheel"), aws-cdk-lib $CDK_VERSION from PyPI)"
PYVENV="$ROOT/.tools/py-example"
[ -x "$PYVENV/bin/python" ] || python3 -m venv "$PYVENV"
"$PYVENV/bin/pip" install --quiet --disable-pip-version-check "aws-cdk-lib==$CDK_VERSION" "constructs>=10.0.0,<11.0.0" \
  "cdk-nag==$CDK_NAG_VERSION"
"$PYVENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
CDK_OUTDIR="$OUT/python" "$PYVENV/bin/python" examples/python/app.py
CDK_OUTDIR="$OUT/python-composed" "$PYVENV/bin/python" examples/python/composed_app.py

echo "== Java (dist/java, aws-cdk-lib $CDK_VERSION from Maven Central)"
# The library's version is the one jsii-pacmak built: 0.0.0, or the pre-release of the release rehearsal (.ci/run).
# Maven keeps a release version it has seen once in its local repository and never reads it again, so the library's
# copy there (from an earlier run, or the rehearsal's download) goes first: the jar must be the one in dist/java.
CRP_VERSION="$(node -p 'require("./package.json").version')"
rm -rf "$ROOT/.tools/m2/io/github/cdk-resilient-postgres/cdk-resilient-postgres/$CRP_VERSION"
(cd examples/java && CDK_OUTDIR="$OUT/java" mvn --batch-mode --quiet -Dmaven.repo.local="$ROOT/.tools/m2" \
  -Dcdk.version="$CDK_VERSION" -Dcrp.version="$CRP_VERSION" compile exec:java)

echo "== Comparison: the reference app (MultiRegionPostgres)"
python3 scripts/compare-templates.py "$OUT/typescript" "$OUT/python" "$OUT/java"
echo "== Comparison: the composed app (the parts, with cdk-nag)"
python3 scripts/compare-templates.py "$OUT/typescript-composed" "$OUT/python-composed"

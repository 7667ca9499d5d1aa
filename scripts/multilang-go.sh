#!/usr/bin/env bash
# The reference app in Go (examples/go): builds the library's Go module (scripts/package-go.sh: Go toolchain,
# jsii-pacmak, aws-cdk-go pinned to the floor, go build), builds the app on it, synthesizes it with the context from
# examples/cdk.json, and fails unless its templates are identical to the TypeScript app's (and the Python and Java
# apps', when present). Run scripts/multilang.sh first: the templates it left in .multilang/ are the reference. Prints
# the wall time of each step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
OUT="$ROOT/.multilang"
[ -d "$OUT/typescript" ] || { echo "no $OUT/typescript: run scripts/multilang.sh first" >&2; exit 1; }
rm -rf "$OUT/go"

now() { date +%s; }
started=$(now)
# shellcheck source=go-toolchain.sh
source "$ROOT/scripts/go-toolchain.sh"
toolchain_done=$(now)

echo "== Go module (dist/go)"
bash scripts/package-go.sh
package_done=$(now)

# The app requires aws-cdk-go at the library's floor, the aws-cdk-lib the other apps use (scripts/multilang.sh).
CDK_VERSION="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~>=]+/, "")')"
echo "== Go app (examples/go, aws-cdk-go $CDK_VERSION from the Go module proxy)"
# go.mod and go.sum are the app's lockfile: the build fails rather than change them. When the module's requirements
# change (a new jsii-pacmak writes a newer jsii-runtime-go), `go mod tidy` in examples/go updates them.
(cd examples/go && go build -o "$OUT/go-app" .) \
  || { echo "examples/go does not build: if go asks for updates to go.mod, run 'go mod tidy' in examples/go" >&2; exit 1; }
# Once it builds, go.mod holds the versions Go selected (the library's module may raise them).
selected="$(cd examples/go && go list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
[ "$selected" = "v$CDK_VERSION" ] || { echo "examples/go selects aws-cdk-go $selected, not v$CDK_VERSION" >&2; exit 1; }
build_done=$(now)

CDK_CONTEXT_JSON="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["context"]))' examples/cdk.json)"
(cd examples/go && CDK_CONTEXT_JSON="$CDK_CONTEXT_JSON" CDK_OUTDIR="$OUT/go" "$OUT/go-app")
synth_done=$(now)

echo "== Comparison: the reference app (MultiRegionPostgres), Go"
dirs=("typescript=$OUT/typescript")
for language in python java; do
  [ -d "$OUT/$language" ] && dirs+=("$language=$OUT/$language")
done
python3 scripts/compare-templates.py "${dirs[@]}" "go=$OUT/go"
echo "Go wall time: toolchain $((toolchain_done - started)) s, module (jsii-pacmak, go mod tidy, go build)" \
  "$((package_done - toolchain_done)) s, app build $((build_done - package_done)) s, synth $((synth_done - build_done)) s," \
  "total $((synth_done - started)) s"

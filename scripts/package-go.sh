#!/usr/bin/env bash
# The Go module (`npx projen package:go`): jsii-pacmak generates it into dist/go/cdkresilientpostgres, then its
# requirement on github.com/aws/aws-cdk-go/awscdk/v2 is set to the library's floor and the module is built.
#
# jsii-pacmak writes into go.mod the version of each dependency it generated against: the aws-cdk-lib in node_modules,
# the newest release the tests run on. Go selects the highest version any module in a build requires (minimal version
# selection), so that requirement would be every Go consumer's lowest aws-cdk-go; npm, PyPI and Maven consumers get
# the peer dependency's floor. The floor comes from package.json, as in scripts/multilang.sh; `go mod tidy` then
# rewrites the indirect requirements and go.sum for it, and `go build` checks that the generated code compiles against
# the floor (jsii-pacmak's own build, against the newest release, is skipped with JSII_BUILD_GO=0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=go-toolchain.sh
source "$ROOT/scripts/go-toolchain.sh"

JSII_BUILD_GO=0 npx jsii-pacmak -v --target go

CDK_FLOOR="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~>=]+/, "")')"
module_dir="$ROOT/dist/go/cdkresilientpostgres"
cd "$module_dir"
# jsii-pacmak's indirect requirements are those of the newest aws-cdk-go (and some of them raise jsii-runtime-go and the
# `go` directive): tidy recomputes them for the floor.
for indirect in $(go mod edit -json | python3 -c 'import json, sys
for r in json.load(sys.stdin).get("Require") or []:
    if r.get("Indirect"):
        print(r["Path"])'); do
  go mod edit -droprequire="$indirect"
done
go mod edit -require="github.com/aws/aws-cdk-go/awscdk/v2@v$CDK_FLOOR"
go mod tidy
go build ./...
selected="$(go list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
[ "$selected" = "v$CDK_FLOOR" ] || { echo "go.mod selects aws-cdk-go $selected, not the floor v$CDK_FLOOR" >&2; exit 1; }
echo "dist/go/cdkresilientpostgres: $(head -n 1 go.mod), aws-cdk-go $selected, version $(cat version)"

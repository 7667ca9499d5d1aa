#!/usr/bin/env bash
# The main job: installs what is missing, compiles the library, synthesizes the example app into demo.out/ with the
# four cdk-nag packs and prints the report (also in demo.out/report.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
npx projen compile >/dev/null
bash scripts/link-self.sh
exec npx ts-node --project tsconfig.dev.json scripts/demo.ts

#!/usr/bin/env bash
# Lets code in this repository import the library by its package name, exactly as users do
# (`import { MultiAzPostgres } from 'cdk-resilient-postgres'`): node_modules/cdk-resilient-postgres points at the
# repository root, whose package.json `main` is the compiled lib/index.js. One copy of aws-cdk-lib is shared.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$ROOT/lib/index.js" ] || { echo "lib/index.js missing: run 'npx projen compile' first" >&2; exit 1; }
ln -sfn .. "$ROOT/node_modules/cdk-resilient-postgres"

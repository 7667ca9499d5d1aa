#!/usr/bin/env bash
# The test command: installs what is missing, then runs the projen build, which compiles the library with jsii,
# regenerates API.md, compiles every README example with jsii-rosetta (strict), runs the unit tests (assertions,
# rejections, pinned logical IDs, the four cdk-nag packs), eslint, cfn-lint on every synthesized template, and
# packages the npm tarball. The probe Lambda is tested against real PostgreSQL servers that the tests start on
# loopback; scripts/ensure-postgres.sh installs Debian's postgresql packages for them when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
bash "$ROOT/scripts/ensure-postgres.sh"
cd "$ROOT"
export CI="${CI:-true}"
npx projen build

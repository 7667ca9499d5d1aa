#!/usr/bin/env bash
# The test command: installs what is missing, then runs the projen build, which compiles the library with jsii,
# regenerates API.md, compiles every README example with jsii-rosetta (strict), runs the unit tests (assertions,
# rejections, pinned logical IDs, the four cdk-nag packs, the docs/ examples compiled against the sources), eslint,
# cfn-lint on every synthesized template, and packages the npm tarball. The probe Lambda is tested against real
# PostgreSQL servers that the tests start on loopback; scripts/ensure-packages.sh installs the Debian packages the
# tests need (postgresql, Maven and a JDK for the Step Functions contract check, python3-venv) when they are missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/ensure-packages.sh"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
export CI="${CI:-true}"
npx projen build

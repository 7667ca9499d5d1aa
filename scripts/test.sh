#!/usr/bin/env bash
# The test command: installs what is missing, then runs the projen build, which compiles the library with jsii,
# regenerates API.md, compiles every README example with jsii-rosetta (strict), runs the unit tests (assertions,
# rejections, pinned logical IDs, the four cdk-nag packs), eslint, cfn-lint on every synthesized template, and
# packages the npm tarball.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
export CI="${CI:-true}"
npx projen build

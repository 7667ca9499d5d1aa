#!/usr/bin/env bash
# Installs the toolchain this repository needs, into .tools/ inside the checkout, and
# puts it on PATH. Idempotent: a second run only checks what is already there.
#
#   source scripts/bootstrap.sh
#
# - Node.js 22 (from the npm registry's `node` package) when the machine's Node is older:
#   jsii and the release tooling need Node 22 or newer.
# - npm packages from package-lock.json.
# - A Python virtualenv with cfn-lint (and moto, for later suites), pinned in scripts/requirements-dev.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION="22.23.3"
mkdir -p "$TOOLS"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$TOOLS/node/node_modules/node/bin/node" ]; then
  export PATH="$TOOLS/node/node_modules/node/bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  log "installing Node.js $NODE_VERSION into .tools/node"
  npm install --no-save --no-audit --no-fund --prefix "$TOOLS/node" "node@$NODE_VERSION" >/dev/null
  export PATH="$TOOLS/node/node_modules/node/bin:$PATH"
fi
log "node $(node --version), npm $(npm --version 2>/dev/null)"

# jsii prints a banner for every Node version it has not been tested against.
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1

cd "$ROOT"
# A lockfile entry without a version makes `npm ci` fail with "Invalid Version:" on a new machine (CONTRIBUTING.md).
node "$ROOT/scripts/check-lockfile.js"
stamp="$ROOT/node_modules/.bootstrap-stamp"
if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
  if [ -n "${CI:-}" ]; then
    # CI installs as a machine that has never seen the project would: an empty, throwaway npm cache, so that nothing
    # cached by an earlier run can stand in for what the lockfile and the registry provide.
    npm_cache="$(mktemp -d)"
    log "npm ci (empty cache $npm_cache)"
    npm ci --no-audit --no-fund --cache "$npm_cache" >/dev/null
    rm -rf "$npm_cache"
  else
    log "npm ci"
    npm ci --no-audit --no-fund >/dev/null
  fi
  touch "$stamp"
fi

VENV="$TOOLS/venv"
req="$ROOT/scripts/requirements-dev.txt"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating Python virtualenv in .tools/venv"
  python3 -m venv "$VENV"
fi
if [ ! -f "$VENV/.stamp" ] || [ "$req" -nt "$VENV/.stamp" ]; then
  log "pip install -r scripts/requirements-dev.txt"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  touch "$VENV/.stamp"
fi
export PATH="$VENV/bin:$PATH"
export CRP_VENV="$VENV"

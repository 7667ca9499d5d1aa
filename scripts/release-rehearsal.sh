#!/usr/bin/env bash
# The release rehearsal: publishes the packages the build put into dist/ with publib, as the release workflow does, to
# a local npm registry (verdaccio), a local PyPI (pypiserver) and a local Maven repository (scripts/rehearsal/maven-repo.py),
# all on 127.0.0.1; installs the library from them as TypeScript, Python and Java consumers, synthesizes the reference
# app in each, and fails unless the templates equal those of the TypeScript app that scripts/multilang.sh synthesized
# from dist/; then publishes the same version again and fails unless every registry skips it.
#
#   bash scripts/release-rehearsal.sh bump   before the build: a pre-release version, 0.x.y-dev.0 (projen bump)
#   bash scripts/release-rehearsal.sh        after the build, the Python and Java packages and scripts/multilang.sh;
#                                            restores the version (projen unbump) when it ends
#
# The script installs its own tools (verdaccio and publib from npm into .rehearsal/tools, pypiserver into a virtualenv
# there), starts the servers and stops them on exit. publib writes credentials to ~/.npmrc and installs twine with
# `pip --user`: it runs with HOME set to a throwaway directory, so the user's ~/.npmrc, ~/.m2 and ~/.local stay as
# they are. Maven uses the project's cache (.tools/m2) for everything but the library.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# publib and verdaccio, pinned: a rehearsal that passes today must pass tomorrow.
PUBLIB_VERSION="0.2.1061"
VERDACCIO_VERSION="6.10.4"
PYPISERVER_VERSION="2.4.2"

if [ "${1:-}" = "bump" ]; then
  # As the release workflow's `npx projen release` does (MAJOR=0, see .projenrc.ts), with a pre-release suffix. jsii-pacmak
  # maps only dev, pre, alpha, beta and rc to Python versions (PEP 440): 0.1.0-dev.0 is 0.1.0.dev0 on PyPI.
  MAJOR=0 PRERELEASE=dev npx projen bump
  echo "release rehearsal: version $(node -p 'require("./package.json").version')"
  exit 0
fi

started=$(date +%s)
log() { printf '[rehearsal %3ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }

VERSION="$(node -p 'require("./package.json").version')"
case "$VERSION" in
  *-dev.*) ;;
  *) echo "release rehearsal: package.json has version $VERSION; run 'bash scripts/release-rehearsal.sh bump' before the build" >&2; exit 1 ;;
esac
tarball="dist/js/cdk-resilient-postgres@$VERSION.jsii.tgz"
[ -f "$tarball" ] || tarball="$(ls dist/js/*"$VERSION"*.tgz 2>/dev/null | head -n 1 || true)"
[ -n "$tarball" ] || { echo "release rehearsal: no npm tarball of $VERSION in dist/js" >&2; exit 1; }
compgen -G 'dist/python/*.whl' >/dev/null || { echo "release rehearsal: no wheel in dist/python" >&2; exit 1; }
compgen -G "dist/java/io/github/cdk-resilient-postgres/cdk-resilient-postgres/$VERSION/*.jar" >/dev/null \
  || { echo "release rehearsal: no jar of $VERSION in dist/java" >&2; exit 1; }
[ -d .multilang/typescript ] || { echo "release rehearsal: no .multilang/typescript: run scripts/multilang.sh first" >&2; exit 1; }

WORK="$ROOT/.rehearsal"
rm -rf "$WORK/run"
mkdir -p "$WORK/tools" "$WORK/run/home"
RUN="$WORK/run"
OUT="$RUN/cdk.out"
M2="$ROOT/.tools/m2"
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The version goes back to 0.0.0, as after `npx projen release`.
  npx projen unbump >/dev/null 2>&1 || true
  [ "$rc" -eq 0 ] || echo "release rehearsal FAILED (logs in $RUN)" >&2
  exit "$rc"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {  # URL NAME
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "release rehearsal: $2 did not start ($1)" >&2
  return 1
}

log "tools: publib $PUBLIB_VERSION, verdaccio $VERDACCIO_VERSION, pypiserver $PYPISERVER_VERSION"
TOOLS="$WORK/tools"
if [ ! -x "$TOOLS/node_modules/.bin/verdaccio" ] || [ ! -x "$TOOLS/node_modules/.bin/publib-npm" ]; then
  # verdaccio-audit asks for node-fetch by its `cjs` dist-tag, which a registry mirror may not carry; 2.x is that tag.
  printf '{ "private": true, "overrides": { "node-fetch": "^2.7.0" } }\n' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --silent "verdaccio@$VERDACCIO_VERSION" "publib@$PUBLIB_VERSION")
fi
[ -x "$TOOLS/venv/bin/pypi-server" ] || {
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "pypiserver==$PYPISERVER_VERSION"
}

NPM_PORT="$(free_port)"; PYPI_PORT="$(free_port)"; MAVEN_PORT="$(free_port)"
cat > "$RUN/verdaccio.yaml" <<EOF
storage: $RUN/verdaccio-storage
auth:
  htpasswd:
    file: $RUN/htpasswd
    max_users: 1
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
packages:
  'cdk-resilient-postgres':
    access: \$all
    publish: \$authenticated
  '**':
    access: \$all
    proxy: npmjs
log: { type: file, path: $RUN/verdaccio.log, level: warn }
EOF
"$TOOLS/node_modules/.bin/verdaccio" --config "$RUN/verdaccio.yaml" --listen "127.0.0.1:$NPM_PORT" >"$RUN/verdaccio.out" 2>&1 &
pids+=($!)
mkdir -p "$RUN/pypi"
"$TOOLS/venv/bin/pypi-server" run --host 127.0.0.1 --port "$PYPI_PORT" --authenticate . --passwords . "$RUN/pypi" >"$RUN/pypiserver.log" 2>&1 &
pids+=($!)
python3 scripts/rehearsal/maven-repo.py "$MAVEN_PORT" "$RUN/maven" 2>"$RUN/maven-repo.log" &
pids+=($!)
wait_for "http://127.0.0.1:$NPM_PORT/-/ping" verdaccio
wait_for "http://127.0.0.1:$PYPI_PORT/simple/" pypiserver
wait_for "http://127.0.0.1:$MAVEN_PORT/" maven-repo
log "servers: npm 127.0.0.1:$NPM_PORT, PyPI 127.0.0.1:$PYPI_PORT, Maven 127.0.0.1:$MAVEN_PORT"

# A verdaccio user for publib's NPM_TOKEN (npm refuses to publish without credentials).
NPM_TOKEN="$(curl -fsS -X PUT -H 'Content-Type: application/json' \
  -d '{"name":"rehearsal","password":"rehearsal-only"}' \
  "http://127.0.0.1:$NPM_PORT/-/user/org.couchdb.user:rehearsal" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

# publib as the release workflow runs it, but against the loopback registries and with a throwaway HOME. publib-pypi
# installs twine with `pip --user`, which a virtualenv's Python refuses: it runs with the machine's python3.
SYSTEM_PYTHON_DIR="$(dirname "$(command -v /usr/bin/python3 || command -v python3)")"
publish() {  # ROUND
  local round="$1" bin="$TOOLS/node_modules/.bin"
  (
    export HOME="$RUN/home" PUBLIB_DRYRUN=""
    NPM_TOKEN="$NPM_TOKEN" NPM_REGISTRY="127.0.0.1:$NPM_PORT" DISABLE_HTTPS=1 NPM_DIST_TAG=latest \
      "$bin/publib-npm" >"$RUN/publish-$round-npm.log" 2>&1
  ) || {
    # publib-npm skips a published version on the messages of npmjs.com and GitHub Packages only; verdaccio refuses
    # the same republish with its own wording (409 "this package is already present"), which publib reports as an
    # error. On the second round that refusal is the expected outcome; the registry's copy is checked below.
    if [ "$round" = second ] && grep -q "409 Conflict.*this package is already present" "$RUN/publish-$round-npm.log"; then
      echo "npm: verdaccio refused to publish over $VERSION (409); publib-npm skips it on npmjs.com" >&2
    else
      cat "$RUN/publish-$round-npm.log" >&2; return 1
    fi
  }
  (
    # COLUMNS: twine's messages are not wrapped, so that the skip check below can read them.
    export HOME="$RUN/home" PATH="$SYSTEM_PYTHON_DIR:$PATH" PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 COLUMNS=300
    unset VIRTUAL_ENV
    TWINE_USERNAME=rehearsal TWINE_PASSWORD=rehearsal TWINE_REPOSITORY_URL="http://127.0.0.1:$PYPI_PORT/" \
      "$bin/publib-pypi" >"$RUN/publish-$round-pypi.log" 2>&1
  ) || { cat "$RUN/publish-$round-pypi.log" >&2; return 1; }
  (
    export HOME="$RUN/home" MAVEN_OPTS="-Dmaven.repo.local=$M2"
    MAVEN_SERVER_ID=rehearsal MAVEN_REPOSITORY_URL="http://127.0.0.1:$MAVEN_PORT/" \
      MAVEN_USERNAME=rehearsal MAVEN_PASSWORD=rehearsal \
      "$bin/publib-maven" >"$RUN/publish-$round-maven.log" 2>&1
  ) || { cat "$RUN/publish-$round-maven.log" >&2; return 1; }
}

npm_integrity() {
  curl -fsS "http://127.0.0.1:$NPM_PORT/cdk-resilient-postgres" | python3 -c "
import json,sys; d=json.load(sys.stdin); v=sys.argv[1]
assert v in d['versions'], f'{v} not in verdaccio: {list(d[\"versions\"])}'; print(d['versions'][v]['dist']['integrity'])" "$VERSION"
}

log "publish $VERSION with publib"
publish first
first_integrity="$(npm_integrity)"
echo "npm: cdk-resilient-postgres $VERSION ($first_integrity)"
pypi_files() { curl -fsS "http://127.0.0.1:$PYPI_PORT/simple/cdk-resilient-postgres/" | grep -o 'cdk_resilient_postgres-[^"<]*' | sort -u; }
first_pypi="$(pypi_files)"
echo "PyPI: $first_pypi"
maven_files() { find "$RUN/maven" -path "*/$VERSION/*" -type f -exec sha256sum {} + | sort; }
first_maven="$(maven_files)"
echo "Maven: $(find "$RUN/maven" -path "*/$VERSION/*" -name '*.jar' -printf '%f ' -o -path "*/$VERSION/*" -name '*.pom' -printf '%f ')"

# The consumers use the floor of aws-cdk-lib, as scripts/multilang.sh does.
CDK_VERSION="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~]/, "")')"
CDK_CONTEXT_JSON="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["context"]))' examples/cdk.json)"
export CDK_CONTEXT_JSON

log "TypeScript consumer: npm install from verdaccio"
TSAPP="$RUN/typescript"
mkdir -p "$TSAPP"
cp examples/typescript/app.ts "$TSAPP/"
echo '{ "private": true }' > "$TSAPP/package.json"
(cd "$TSAPP" && npm install --no-audit --no-fund --silent --registry "http://127.0.0.1:$NPM_PORT/" --cache "$RUN/npm-cache" \
  "cdk-resilient-postgres@$VERSION" "aws-cdk-lib@$CDK_VERSION" "constructs@^10.5.1")
node -e 'const p=require(process.argv[1]); if (p.version !== process.argv[2]) { console.error(p.version); process.exit(1); }' \
  "$TSAPP/node_modules/cdk-resilient-postgres/package.json" "$VERSION"
CDK_OUTDIR="$OUT/typescript" npx ts-node --project tsconfig.dev.json "$TSAPP/app.ts"

log "Python consumer: pip install from pypiserver"
PYAPP="$RUN/python"
python3 -m venv "$PYAPP"
"$PYAPP/bin/pip" install --quiet --disable-pip-version-check \
  --index-url "http://127.0.0.1:$PYPI_PORT/simple/" --extra-index-url https://pypi.org/simple/ \
  "cdk-resilient-postgres==$VERSION" "aws-cdk-lib==$CDK_VERSION"
"$PYAPP/bin/pip" show cdk-resilient-postgres | grep '^Version'
CDK_OUTDIR="$OUT/python" "$PYAPP/bin/python" examples/python/app.py

log "Java consumer: Maven from the loopback repository"
JAVAAPP="$RUN/java"
cp -r examples/java "$JAVAAPP"
rm -rf "$JAVAAPP/target"
python3 - "$JAVAAPP/pom.xml" "http://127.0.0.1:$MAVEN_PORT/" <<'PY'
import re, sys
path, url = sys.argv[1], sys.argv[2]
pom = open(path).read()
pom, n = re.subn(r"<url>file://[^<]*</url>", f"<url>{url}</url>", pom)
assert n == 1, "examples/java/pom.xml: expected one file:// repository"
open(path, "w").write(pom)
PY
# The library must come from the rehearsal repository, not from an earlier run's cache.
rm -rf "$M2/io/github/cdk-resilient-postgres/cdk-resilient-postgres/$VERSION"
(cd "$JAVAAPP" && CDK_OUTDIR="$OUT/java" mvn --batch-mode --quiet -Dmaven.repo.local="$M2" \
  -Dcdk.version="$CDK_VERSION" -Dcrp.version="$VERSION" compile exec:java)
grep -q "GET /io/github/cdk-resilient-postgres/cdk-resilient-postgres/$VERSION/cdk-resilient-postgres-$VERSION.jar" "$RUN/maven-repo.log" \
  || { echo "release rehearsal: the Java consumer did not fetch the jar from the rehearsal repository" >&2; exit 1; }

log "templates: each consumer's against the TypeScript app of scripts/multilang.sh"
python3 scripts/compare-templates.py multilang-typescript=.multilang/typescript "npm-consumer=$OUT/typescript" \
  "pypi-consumer=$OUT/python" "maven-consumer=$OUT/java"

log "publish $VERSION again: every registry must skip it"
publish second
grep -q "SKIPPING: already published\|409 Conflict.*this package is already present" "$RUN/publish-second-npm.log" \
  && [ "$(npm_integrity)" = "$first_integrity" ] \
  || { cat "$RUN/publish-second-npm.log" >&2; echo "release rehearsal: npm did not keep $VERSION as first published" >&2; exit 1; }
# twine (publib-pypi's --skip-existing) skips each file that pypiserver refuses as already there.
[ "$(grep -c "Skipping cdk_resilient_postgres-.* because it appears to already exist" "$RUN/publish-second-pypi.log")" -eq 2 ] \
  && [ "$(pypi_files)" = "$first_pypi" ] \
  || { cat "$RUN/publish-second-pypi.log" >&2; echo "release rehearsal: PyPI did not keep $VERSION as first published" >&2; exit 1; }
grep -q "already published. Skipping" "$RUN/publish-second-maven.log" && [ "$(maven_files)" = "$first_maven" ] \
  || { cat "$RUN/publish-second-maven.log" >&2; echo "release rehearsal: Maven did not skip $VERSION" >&2; exit 1; }
[ ! -e "$HOME/.npmrc" ] || ! grep -q "127.0.0.1:$NPM_PORT" "$HOME/.npmrc" \
  || { echo "release rehearsal: publib wrote to ~/.npmrc" >&2; exit 1; }
log "release rehearsal passed: $VERSION published to npm, PyPI and Maven, consumed in three languages, republish skipped"

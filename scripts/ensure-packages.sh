#!/usr/bin/env bash
# Debian packages the test command needs, installed when missing (as root, with apt-get):
# - postgresql and openssl: the probe and connection tests start real PostgreSQL servers on loopback (test/writable-probe,
#   test/connecting);
# - maven and a JDK: the Step Functions contract check reads the AWS SDK for Java v2 jars from Maven Central by
#   reflection (test/contracts/java-sdk-model.ts), the pgjdbc connection tests fetch pgjdbc (test/connecting/jdbc.ts),
#   and jsii-pacmak builds the Java package;
# - python3-venv: the tool virtualenv (cfn-lint, moto, policy_sentry) in scripts/bootstrap.sh.
set -euo pipefail
missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[ensure-packages] missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[ensure-packages] installing Debian packages: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The tests start their own servers in temporary directories; the package's default cluster is not needed.
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do pg_ctlcluster "$version" "$name" stop 2>/dev/null || true; done
fi

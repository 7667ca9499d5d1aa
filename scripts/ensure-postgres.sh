#!/usr/bin/env bash
# The probe tests (test/writable-probe/probe-postgres.test.ts) start real PostgreSQL servers on loopback from Debian's
# postgresql packages. This installs them when they are missing (as root, with apt-get), and says what to do otherwise.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v openssl >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[ensure-postgres] PostgreSQL server packages are missing; install them with: sudo apt-get install -y postgresql openssl" >&2
  exit 1
fi
echo "[ensure-postgres] installing Debian's postgresql and openssl packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql openssl >/dev/null
# The tests start their own servers in temporary directories; the package's default cluster is not needed.
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do pg_ctlcluster "$version" "$name" stop 2>/dev/null || true; done
fi

#!/usr/bin/env bash
# Puts a Go toolchain that can build the library's Go module on PATH, installing it into .tools/go/ when the machine's
# is missing or too old. Idempotent: a second run only checks what is already there.
#
#   source scripts/go-toolchain.sh
#
# The Go module jsii-pacmak generates, and github.com/aws/aws-cdk-go/awscdk/v2 itself, declare `go 1.25` in their
# go.mod, so Go 1.25 or later is needed (Debian 12's golang-go is 1.19). The toolchain comes from the Go module proxy:
# Go releases are published there as the module golang.org/toolchain (version v0.0.1-go<version>.<os>-<arch>), which is
# what `GOTOOLCHAIN=go<version>` downloads. Any Go binary, even Debian's 1.19, downloads that module with
# `go mod download`, which checks it against the checksum database; the script installs Debian's golang-go for that
# when the machine has no Go at all.
#
# The module cache and the build cache go to .tools/go/ as well, so that a fresh checkout builds from nothing, as a
# machine that has never built the module would.
set -euo pipefail

GO_ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO_TOOLS="$GO_ROOT_DIR/.tools/go"
# The toolchain installed when the machine's Go is older than GO_MIN_VERSION.
GO_TOOLCHAIN_VERSION="1.26.8"
GO_MIN_VERSION="1.25"

go_log() { printf '[go-toolchain] %s\n' "$*" >&2; }

# Prints the version of the `go` on PATH (e.g. 1.26.8), or nothing.
go_version_on_path() {
  command -v go >/dev/null 2>&1 || return 0
  go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9][0-9.]*\).*/\1/p'
}

# True when version $1 is at least version $2 (dotted numbers).
go_version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

mkdir -p "$GO_TOOLS"
export GOMODCACHE="$GO_TOOLS/mod"
export GOCACHE="$GO_TOOLS/build-cache"
export GOPATH="$GO_TOOLS/path"
# Never switch to another toolchain behind the script's back; module cache files stay writable so `rm -rf .tools` works.
export GOTOOLCHAIN=local
export GOFLAGS="-modcacherw -buildvcs=false"

installed="$GO_TOOLS/toolchain/bin/go"
if [ -x "$installed" ]; then
  export PATH="$GO_TOOLS/toolchain/bin:$PATH"
  # The toolchain finds its own root; a GOROOT set for another Go would make it build with that Go's library.
  unset GOROOT
fi
current="$(go_version_on_path)"
if [ -z "$current" ] || ! go_version_at_least "$current" "$GO_MIN_VERSION"; then
  if [ -z "$current" ]; then
    go_log "no Go on PATH: installing Debian's golang-go to download the toolchain"
    apt-get install -y -q golang-go >/dev/null
  fi
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) go_log "unsupported machine $(uname -m)"; exit 1 ;;
  esac
  module="golang.org/toolchain@v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-$arch"
  go_log "installing Go $GO_TOOLCHAIN_VERSION ($module) into .tools/go/toolchain"
  dir="$(cd "$GO_TOOLS" && GOFLAGS=-modcacherw go mod download -json "$module" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  # Module zips carry no file modes: the commands get their execute bits back, as the go command does after it
  # downloads a toolchain itself.
  chmod -R u+x,go+x "$dir/bin" "$dir/pkg/tool"
  ln -sfn "$dir" "$GO_TOOLS/toolchain"
  export PATH="$GO_TOOLS/toolchain/bin:$PATH"
  unset GOROOT
  current="$(go_version_on_path)"
  [ "$current" = "$GO_TOOLCHAIN_VERSION" ] || { go_log "installed toolchain reports '$current'"; exit 1; }
fi
go_log "go $current ($(command -v go))"

#!/usr/bin/env bash
# Builds the Jaeger binary into .cache/<version>/jaeger as src/binary.ts does (the same lock file, the same
# atomic rename), without Node: CI starts it in the background before the toolchain and the dependencies are
# installed. A test that needs Jaeger meanwhile waits on the lock instead of building it a second time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
version=$(sed -n 's#^[[:space:]]*github.com/jaegertracing/jaeger \(v[0-9.]*\).*#\1#p' go/go.mod)
out=".cache/$version/jaeger"
[ -x "$out" ] && exit 0
mkdir -p ".cache/$version"
lock=".cache/build-$version.lock"
if ! (set -o noclobber && echo $$ >"$lock") 2>/dev/null; then
  echo "another build of Jaeger $version holds $lock"
  exit 0
fi
trap 'rm -f "$lock" "$out.$$.tmp"' EXIT
start=$(date +%s)
(cd go && go build -trimpath -o "../$out.$$.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
mv "$out.$$.tmp" "$out"
echo "Jaeger $version built in $(($(date +%s) - start)) s: $out"

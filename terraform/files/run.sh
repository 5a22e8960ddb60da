#!/bin/bash
# Starts the bot or the health server of the current release. Instance facts come from
# instance metadata (IMDSv2) at each start: the instance id, and the role the desired state
# gives this instance (tag BotRole: active or standby). A role that cannot be read is passed as
# "unknown": the bot then stands by and never answers until the handoff activates it. A sharded
# instance's tags Shards ("0,1") and ShardCount ("4") become BOT_SHARDS and BOT_SHARD_COUNT
# (empty without them: the bot runs shard 0 of 1; the bot itself refuses malformed values).
set -euo pipefail

component="${1:-}"
case "$component" in
  bot) entry=bot.mjs ;;
  health) entry=health.mjs ;;
  *) echo "usage: $0 bot|health" >&2; exit 2 ;;
esac

release_dir="${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}"
# The release's manifest must still be the one terraform was given (RELEASE_MANIFEST_SHA256 in
# the environment file; empty: not checked). Refusing exits non-zero before anything starts.
expected="${RELEASE_MANIFEST_SHA256:-}"
if [ -n "$expected" ]; then
  actual="$(sha256sum "$release_dir/manifest.json" 2>/dev/null | cut -d ' ' -f 1 || true)"
  if [ "$actual" != "$expected" ]; then
    echo "refusing to start the $component: $release_dir/manifest.json has sha256 ${actual:-(unreadable)}, terraform was given $expected" >&2
    exit 1
  fi
fi

imds=http://169.254.169.254/latest
token="$(curl -fsS -m 2 --retry 5 --retry-connrefused -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$imds/api/token")"
metadata() {
  curl -fsS -m 2 --retry 3 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/$1"
}

INSTANCE_ID="$(metadata instance-id)"
BOT_ROLE="$(metadata tags/instance/BotRole 2>/dev/null || true)"
case "$BOT_ROLE" in
  active | standby) ;;
  *) BOT_ROLE=unknown ;;
esac
BOT_SHARDS="$(metadata tags/instance/Shards 2>/dev/null || true)"
BOT_SHARD_COUNT="$(metadata tags/instance/ShardCount 2>/dev/null || true)"
export INSTANCE_ID BOT_ROLE BOT_SHARDS BOT_SHARD_COUNT

# The release's Node options (bot.nodeOptions), for the bot only: passed as NODE_OPTIONS, never
# evaluated by the shell.
if [ "$component" = bot ] && [ -f "$release_dir/node-options" ]; then
  NODE_OPTIONS="$(head -n 1 "$release_dir/node-options")"
  export NODE_OPTIONS
fi
# The release folder is the working directory, so files the bot ships beside bot.mjs
# (bot.files) resolve by relative path, as in the sandbox.
cd "$release_dir"
exec "${NODE_BIN:-node}" "$release_dir/$entry"

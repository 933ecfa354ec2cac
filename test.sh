#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (redis-server for the Redis
# integration tests), then runs `dotnet test` on the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: installing it (Debian package)..."
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The 100 000-request soak (Category=LargeSoak) is a measurement, run on demand; see docs/reliability.md.
dotnet test LlmRouting.sln -c Release --filter "Category!=LargeSoak" "$@"

#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (idempotent), so it works on a fresh
# machine that has only the .NET SDK:
#   - Debian's gRPC C-core for Python (python3-grpcio) and protobuf tooling: the interop tests drive a
#     real gRPC C-core peer (/usr/bin/python3), the same core TiKV's grpc-rs wraps.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
/usr/bin/python3 -c 'import grpc' 2>/dev/null || need_apt+=(python3-grpcio)
/usr/bin/python3 -c 'import google.protobuf' 2>/dev/null || need_apt+=(python3-protobuf)
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test TiKV.slnx -c Release --blame-hang-timeout 5m "$@"

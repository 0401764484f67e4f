#!/usr/bin/env bash
# Installs the HTTP load generator the web benchmark drives: Debian's `wrk` package.
# Idempotent: does nothing when wrk is already on the PATH.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
    echo "wrk already installed: $(command -v wrk)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y wrk
command -v wrk

#!/usr/bin/env bash
# Installs the load balancer of the cluster topology (`make cluster`): Debian's `haproxy` package.
# Idempotent: does nothing when haproxy is already on the PATH. Never starts Debian's own service.
set -euo pipefail

if command -v haproxy >/dev/null 2>&1; then
    echo "haproxy already installed: $(command -v haproxy)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# policy-rc.d refuses service starts during the install: the cluster runs its own haproxy on its own ports.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created_policy=1
fi
status=0
$SUDO apt-get install -y --no-install-recommends haproxy || status=$?
if [ -n "$created_policy" ]; then
    $SUDO rm -f "$policy"
fi
[ "$status" -eq 0 ] || exit "$status"
command -v haproxy

#!/usr/bin/env bash
# The product on a real topology, on one machine, from Debian's packages:
#   a PostgreSQL primary and a streaming replica (pg_basebackup), Redis, two gunicorn nodes behind HAProxy,
#   two Celery workers and one beat.
#
#   scripts/cluster.sh start    # build what is missing (fresh data each start), start everything, wait until ready
#   scripts/cluster.sh stop     # stop everything this script started (by the pids it recorded)
#   scripts/cluster.sh status   # what runs, what HAProxy thinks of each node, the replica's lag
#   scripts/cluster.sh env      # the environment the app processes run with (source it to run manage.py there)
#
# Ports and places (environment, with defaults): CLUSTER_DIR (var/cluster), CLUSTER_PG_PRIMARY_PORT (5442),
# CLUSTER_PG_REPLICA_PORT (5443), CLUSTER_REDIS_PORT (6394), CLUSTER_WEB_PORTS ("8101 8102"),
# CLUSTER_LB_PORT (8100), CLUSTER_STATS_PORT (8109), CLUSTER_WORKER_METRICS_PORTS ("8111 8112"),
# CLUSTER_WORKER_CONCURRENCY (2), CLUSTER_PG_DIR (/tmp/editorial-cluster-5442: PostgreSQL's data and logs).
# Every process runs in a session of its own, so a test can SIGKILL one node or worker whole (its process group)
# and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR=$(mkdir -p "${CLUSTER_DIR:-var/cluster}" && cd "${CLUSTER_DIR:-var/cluster}" && pwd)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PRIMARY_PORT=${CLUSTER_PG_PRIMARY_PORT:-5442}
REPLICA_PORT=${CLUSTER_PG_REPLICA_PORT:-5443}
REDIS_PORT=${CLUSTER_REDIS_PORT:-6394}
WEB_PORTS=${CLUSTER_WEB_PORTS:-"8101 8102"}
LB_PORT=${CLUSTER_LB_PORT:-8100}
STATS_PORT=${CLUSTER_STATS_PORT:-8109}
WORKER_METRICS_PORTS=${CLUSTER_WORKER_METRICS_PORTS:-"8111 8112"}
WORKER_CONCURRENCY=${CLUSTER_WORKER_CONCURRENCY:-2}
WEB_WORKERS=${CLUSTER_WEB_WORKERS:-2}
DB_NAME=editorial
VENV=${VENV:-$ROOT/.venv}
RUN=$DIR/run
LOG=$DIR/log
# PostgreSQL's files belong to the postgres user, who may not reach into the work tree (a clone under /root): /tmp.
PG_DIR=${CLUSTER_PG_DIR:-/tmp/editorial-cluster-$PRIMARY_PORT}

# Run PostgreSQL's tools as the postgres user when we are root (initdb refuses root).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

write_env() {
    cat >"$DIR/env" <<EOF
export DEBUG=false
export SECRET_KEY=cluster-only-secret-key-not-for-production-0123456789abcdef
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false
export TRUSTED_PROXY_COUNT=1
export DATABASE_URL=postgres://postgres@127.0.0.1:${PRIMARY_PORT}/${DB_NAME}
export DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:${REPLICA_PORT}/${DB_NAME}
export REDIS_URL=redis://127.0.0.1:${REDIS_PORT}/0
export STATIC_ROOT=$DIR/static
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH=$DIR/mail
export OUTBOX_SWEEP_SECONDS=5
export LOG_FORMAT=json
export API_THROTTLE_ANON=1000000/minute
export API_THROTTLE_USER=1000000/minute
export AXES_ENABLED=false
export METRICS_ALLOWED_NETWORKS=127.0.0.1/32
export SITE_URL=http://127.0.0.1:${LB_PORT}
EOF
}

pg_wait() {
    local port=$1
    for _ in $(seq 60); do
        pg_isready -h 127.0.0.1 -p "$port" -q && return 0
        sleep 0.5
    done
    echo "cluster: PostgreSQL on port $port did not start; see $PG_DIR/*.log" >&2
    return 1
}

start_postgres() {
    mkdir -p "$PG_DIR"
    chown postgres: "$PG_DIR" 2>/dev/null || true
    rm -rf "$PG_DIR/primary" "$PG_DIR/replica"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/primary" -U postgres --auth=trust --no-sync -E UTF8 >"$LOG/initdb.log"
    cat >>"$PG_DIR/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$PG_DIR'
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = off
max_connections = 100
EOF
    echo "host replication all 127.0.0.1/32 trust" >>"$PG_DIR/primary/pg_hba.conf"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/primary" -l "$PG_DIR/primary.log" -w start >/dev/null
    pg_wait "$PRIMARY_PORT"
    # The replica: a base backup of the primary that streams from it (-R writes primary_conninfo, standby.signal).
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$PG_DIR/replica" \
        -R -X stream -c fast
    echo "port = $REPLICA_PORT" >>"$PG_DIR/replica/postgresql.conf"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/replica" -l "$PG_DIR/replica.log" -w start >/dev/null
    pg_wait "$REPLICA_PORT"
    psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "CREATE DATABASE ${DB_NAME}"
}

start_redis() {
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "$DIR" --pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log"
    for _ in $(seq 30); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "cluster: Redis did not start" >&2
    return 1
}

# Start "$@" in a session of its own (setsid), its output to log file $1's name, its pid (= its process group) in run/.
spawn() {
    local name=$1
    shift
    (
        # shellcheck disable=SC1091
        source "$DIR/env"
        export PROMETHEUS_MULTIPROC_DIR="$DIR/prometheus/$name"
        rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
        exec setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null
    ) &
    echo $! >"$RUN/$name.pid"
}

start_app() {
    # shellcheck disable=SC1091
    (source "$DIR/env" && "$VENV/bin/python" manage.py migrate --noinput -v0 &&
        "$VENV/bin/python" manage.py load_demo --allow-production >"$LOG/load_demo.log" &&
        "$VENV/bin/python" manage.py collectstatic --noinput -v0)
    local port
    for port in $WEB_PORTS; do
        spawn "web-$port" "$VENV/bin/gunicorn" config.wsgi --bind "127.0.0.1:$port" --workers "$WEB_WORKERS" \
            --access-logfile - --graceful-timeout 5 --config python:config.gunicorn
    done
    local index=0
    for port in $WORKER_METRICS_PORTS; do
        index=$((index + 1))
        CELERY_METRICS_PORT=$port spawn "worker-$index" "$VENV/bin/celery" -A config worker \
            --concurrency "$WORKER_CONCURRENCY" --loglevel INFO --hostname "worker$index@%h"
    done
    spawn beat "$VENV/bin/celery" -A config beat --loglevel INFO --schedule "$DIR/beat-schedule"
}

write_haproxy() {
    local servers="" port index=0
    for port in $WEB_PORTS; do
        index=$((index + 1))
        servers+="    server web$index 127.0.0.1:$port check inter 1s fall 2 rise 2"$'\n'
    done
    cat >"$DIR/haproxy.cfg" <<EOF
global
    stats socket $RUN/haproxy.sock mode 600 level admin
    log stderr format raw local0

defaults
    mode http
    log global
    option httplog
    option forwardfor
    option redispatch 1
    retries 3
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 5s
    # A readiness check may take a while on a busy machine: a slow answer is not a dead node (a dead one refuses
    # at once). Marking both nodes down for slowness would answer every reader 503.
    timeout check 5s

frontend editorial
    bind 127.0.0.1:$LB_PORT
    # Which node answered, for the cluster test's share of requests per node (also on HAProxy's own 502/503).
    http-after-response set-header X-Served-By %s
    # Reads may be replayed on the other node when a node dies mid-request; a write never is (see docs/operations.md).
    acl read method GET HEAD
    use_backend readers if read
    default_backend writers

backend readers
    balance roundrobin
    retry-on conn-failure empty-response response-timeout
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
$servers
backend writers
    balance roundrobin
    retry-on conn-failure
    # A write never rides an idle connection kept to a node that may have died since: it connects afresh, so a
    # dead node is a refused connection, retried on the other node, never a write lost after it was sent.
    http-reuse never
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
$servers
listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /
EOF
}

# Wait until each URL answers 200 (the venv's Python: nothing else is needed on the machine).
wait_ready() {
    local urls=() port
    for port in $WEB_PORTS $LB_PORT; do urls+=("http://127.0.0.1:$port/readyz"); done
    for port in $WORKER_METRICS_PORTS; do urls+=("http://127.0.0.1:$port/metrics"); done
    "$VENV/bin/python" - "${urls[@]}" <<'PY' || { echo "cluster: not ready; see $LOG/" >&2; return 1; }
import sys, time, urllib.request
for url in sys.argv[1:]:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "127.0.0.1"}), timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"nothing ready at {url}")
        time.sleep(0.5)
PY
}

start() {
    if [ -f "$RUN/haproxy.pid" ] && kill -0 "$(cat "$RUN/haproxy.pid")" 2>/dev/null; then
        echo "cluster: already running (scripts/cluster.sh stop first)" >&2
        return 1
    fi
    bash scripts/install-haproxy.sh >/dev/null
    rm -rf "$RUN" "$LOG" "$DIR/mail" "$DIR/static" "$DIR/prometheus" "$DIR/beat-schedule"
    mkdir -p "$RUN" "$LOG" "$DIR/mail"
    write_env
    start_postgres
    start_redis
    start_app
    write_haproxy
    haproxy -c -q -f "$DIR/haproxy.cfg"
    spawn haproxy haproxy -db -f "$DIR/haproxy.cfg"  # in the foreground of its own session: its log in log/
    wait_ready
    echo "cluster: ready. Readers and the API through HAProxy: http://127.0.0.1:$LB_PORT/ (stats: http://127.0.0.1:$STATS_PORT/)"
    echo "cluster: primary 127.0.0.1:$PRIMARY_PORT, replica 127.0.0.1:$REPLICA_PORT, Redis 127.0.0.1:$REDIS_PORT; data and logs in $DIR"
}

stop_pidfile() {
    local file=$1 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file")
    # Each was started in a session of its own: end its whole process group (gunicorn's or Celery's children too).
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$file"
}

stop() {
    local name
    for name in "$RUN"/haproxy.pid "$RUN"/web-*.pid "$RUN"/worker-*.pid "$RUN"/beat.pid; do
        [ -e "$name" ] && stop_pidfile "$name"
    done
    if [ -f "$RUN/redis.pid" ]; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$RUN/redis.pid")" 2>/dev/null || true
        rm -f "$RUN/redis.pid"
    fi
    for name in replica primary; do
        if [ -f "$PG_DIR/$name/postmaster.pid" ]; then
            as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/$name" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    echo "cluster: stopped"
}

status() {
    local file
    for file in "$RUN"/*.pid; do
        [ -e "$file" ] || continue
        if kill -0 "$(cat "$file")" 2>/dev/null; then
            echo "$(basename "$file" .pid): running (pid $(cat "$file"))"
        else
            echo "$(basename "$file" .pid): not running"
        fi
    done
    pg_isready -h 127.0.0.1 -p "$PRIMARY_PORT" || true
    pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" || true
    psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc \
        "SELECT 'replica: ' || pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) || ' bytes received, not replayed yet'" \
        2>/dev/null || true
    if [ -S "$RUN/haproxy.sock" ]; then
        echo "show stat" | python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect('$RUN/haproxy.sock'); s.sendall(sys.stdin.read().encode())
print(b''.join(iter(lambda: s.recv(65536), b'')).decode())" | cut -d, -f1,2,18 | grep -v FRONTEND || true
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env)
        [ -f "$DIR/env" ] || write_env
        cat "$DIR/env"
        ;;
    *)
        echo "usage: scripts/cluster.sh start|stop|status|env" >&2
        exit 2
        ;;
esac

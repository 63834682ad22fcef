#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the hub tests: `start DIR PORT` creates it in DIR (an
# empty or missing folder) and starts it on 127.0.0.1:PORT with a database `ktx_test` and a
# user `ktx` whose password is in DIR/password; `stop DIR` stops it and removes DIR.
# Run as root, the cluster runs as the unprivileged `postgres` user (PostgreSQL refuses root).
# Installs Debian's postgresql if its programs are missing.
set -euo pipefail
cmd=${1:?usage: pg-test-cluster.sh start DIR PORT | stop DIR}
dir=${2:?usage: pg-test-cluster.sh start DIR PORT | stop DIR}

bindir() {
    local b
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$b" ] || [ ! -x "$b/initdb" ]; then
        echo "installing PostgreSQL (Debian's package)" >&2
        if [ "$(id -u)" = 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            echo "PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2; exit 1
        fi
        b=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$b"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    port=${3:?usage: pg-test-cluster.sh start DIR PORT}
    bin=$(bindir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    chmod 700 "$dir"
    ( umask 077; head -c 18 /dev/urandom | base64 | tr -d "/+=" > "$dir/password.tmp" )
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    # Password authentication over TCP, as a real deployment; trust on the socket for setup.
    cat > "$dir/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pg_hba.conf"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c hba_file=$dir/pg_hba.conf -c fsync=off -c max_connections=300" start >/dev/null
    pw=$(cat "$dir/password.tmp")
    as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE USER ktx CREATEDB PASSWORD '$pw'" -c "CREATE DATABASE ktx_test OWNER ktx" >/dev/null
    mv "$dir/password.tmp" "$dir/password"
    echo "postgres://ktx@127.0.0.1:$port/ktx_test"
    ;;
stop)
    bin=$(bindir)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-test-cluster.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac

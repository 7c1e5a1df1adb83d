#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the test suite: its own data directory, a random
# free port, trust authentication for local connections only. Installs the distribution's package
# when missing. Usage: eval "$(bash .ci/postgres.sh start)"  ...  bash .ci/postgres.sh stop DIR
set -euo pipefail
action=${1:-start}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ "$action" = start ]; then
    if [ -z "$bindir" ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    dir=$(mktemp -d /tmp/scorehouse-pg.XXXXXX)
    chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
    runuser -u postgres -- "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres scorehouse_test
    echo "export SCOREHOUSE_TEST_POSTGRES_URL='postgresql+psycopg://postgres@127.0.0.1:$port/scorehouse_test'"
    echo "export SCOREHOUSE_TEST_POSTGRES_DIR='$dir'"
elif [ "$action" = stop ]; then
    dir=${2:?usage: postgres.sh stop DIR}
    runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    rm -rf "$dir"
fi

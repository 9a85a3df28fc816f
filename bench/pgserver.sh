#!/bin/sh
# pgserver.sh - a throwaway PostgreSQL server for the benchmark's PostgreSQL row,
# built from Debian's server binaries with nothing installed or configured system-wide.
#
#   pgserver.sh bindir     prints the newest /usr/lib/postgresql/VERSION/bin; fails if none
#   pgserver.sh start DIR  initdb into DIR/data and start a server whose only socket is in
#                          DIR (no TCP); superuser "postgres", trust authentication
#   pgserver.sh stop DIR   stops that server and removes DIR
#
# Durability matches the SQLite rows' synchronous=FULL: fsync=on, synchronous_commit=on and
# full_page_writes=on, so every commit waits for its WAL to reach the disk.
# initdb and postgres refuse to run as root; as root the server runs as `nobody` (runuser),
# owning DIR.
set -eu

bindir() {
    # Debian's versioned binaries (/usr/lib/postgresql/15/bin), newest version first;
    # /usr/local/bin may hold anything
    found=$(for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then echo "$d"; fi
    done | sort -t/ -k4 -V -r | head -n 1)
    if [ -z "$found" ]; then
        echo "pgserver: no PostgreSQL server in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
        return 1
    fi
    echo "$found"
}

# Runs a server binary as the server's owner: `nobody` when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

start() {
    dir=$1
    bin=$(bindir)
    [ "$(id -u)" -ne 0 ] || chown nobody "$dir"
    # the server's user may not be able to read the caller's working directory
    cd "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        echo "pgserver: initdb into $dir/data failed" >&2
        return 1
    }
    # listen_addresses '' turns TCP off: the benchmark talks over the socket in DIR only
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
    as_owner "$bin/pg_ctl" start -w -D "$dir/data" -l "$dir/server.log" >/dev/null || {
        cat "$dir/server.log" >&2
        echo "pgserver: the server in $dir/data did not start" >&2
        return 1
    }
}

stop() {
    dir=$1
    bin=$(bindir)
    if [ -f "$dir/data/postmaster.pid" ]; then
        (cd "$dir" && as_owner "$bin/pg_ctl" stop -w -m fast -D "$dir/data" >/dev/null) ||
            echo "pgserver: stopping the server in $dir/data failed" >&2
    fi
    rm -rf "$dir"
}

case "${1:-}" in
bindir) bindir ;;
start) start "${2:?usage: pgserver.sh start DIR}" ;;
stop) stop "${2:?usage: pgserver.sh stop DIR}" ;;
*)
    echo "usage: pgserver.sh bindir | start DIR | stop DIR" >&2
    exit 2
    ;;
esac

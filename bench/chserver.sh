#!/bin/sh
# chserver.sh - a throwaway ClickHouse server for the benchmark's ClickHouse row, from Debian's
# clickhouse-server with nothing installed or configured system-wide.
#
#   chserver.sh start DIR  writes DIR/config.xml and DIR/users.xml (data, logs and temporary
#                          files in DIR; HTTP and native ports free on 127.0.0.1 only), starts
#                          the server and prints its HTTP port once SELECT 1 answers
#   chserver.sh stop DIR   stops that server and removes DIR
set -eu

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    dir=$1
    bin=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
    [ -x "$bin" ] || { echo "chserver: no clickhouse-server (apt-get install clickhouse-server)" >&2; return 1; }
    http=$(free_port)
    tcp=$(free_port)
    mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
    cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog><console>0</console></logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <timezone>UTC</timezone>
</yandex>
XML
    cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
    <quotas><default></default></quotas>
</yandex>
XML
    (cd "$dir" && exec "$bin" --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1) &
    echo $! >"$dir/pid"
    i=0
    while [ "$i" -lt 300 ]; do
        if [ "$(curl -s "http://127.0.0.1:$http/?query=SELECT%201" 2>/dev/null)" = 1 ]; then
            echo "$http"
            return 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    tail -n 5 "$dir/server.err.log" >&2 2>/dev/null || true
    echo "chserver: the server in $dir did not start" >&2
    return 1
}

stop() {
    dir=$1
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start | stop) "$1" "$2" ;;
*) echo "usage: chserver.sh start|stop DIR" >&2; exit 2 ;;
esac

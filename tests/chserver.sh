# chserver.sh - throwaway ClickHouse servers for one test script. Source it after lib.sh.
#
# Uses Debian's clickhouse-server (CH_SERVER to override): each server gets a directory under
# $TMP/ch/NAME with its own config.xml and users.xml, data, temporary and user files there,
# logs to files there, HTTP and native ports chosen free on the loopback address only
# (listen_host 127.0.0.1). Every server started is stopped when the script exits. Without the
# binaries the whole script is skipped, loudly.
#
# Defines: ch_start NAME [REMOTE-SERVERS-XML] (starts a server, waits until SELECT 1 answers over
# HTTP; sets CH_HTTP_<NAME> and CH_TCP_<NAME>), ch_ports NAME (chooses them ahead), ch_stop NAME,
# ch_kill NAME (kill -9), ch_q NAME QUERY (one query through clickhouse-client, tab-separated
# rows), ch_url NAME [DB] (the destination spec), ch_free_port.
# A user pwuser (password "right") exists beside default (no password).

CH_SERVER_BIN=${CH_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}
CH_CLIENT_BIN=${CH_CLIENT:-$(command -v clickhouse-client || echo /usr/bin/clickhouse-client)}
if [ ! -x "$CH_SERVER_BIN" ] || [ ! -x "$CH_CLIENT_BIN" ] || ! command -v curl >/dev/null; then
    echo "1..0 # SKIP ClickHouse not found (no clickhouse-server, clickhouse-client or curl):" \
        "install Debian's clickhouse-server, clickhouse-client and curl to run the ClickHouse tests"
    echo "WARNING: ClickHouse tests SKIPPED: server binaries not found" >&2
    exit 0
fi

# A TCP port nothing listens on now, on the loopback address.
ch_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

CH_STARTED=""
ch_stop_all() {
    local n
    for n in $CH_STARTED; do ch_stop "$n"; done
}
trap 'ch_stop_all; rm -rf "$TMP"' EXIT

# ch_config NAME HTTP TCP [REMOTE-SERVERS-XML]: writes the server's configuration.
ch_config() {
    local dir=$TMP/ch/$1
    mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
    cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger><level>information</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog><console>0</console></logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$2</http_port>
    <tcp_port>$3</tcp_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>50</max_concurrent_queries>
    <timezone>UTC</timezone>
    <remote_servers>${4:-}</remote_servers>
</yandex>
EOF
    cat >"$dir/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
    <users>
        <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
        <pwuser><password>right</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></pwuser>
    </users>
    <quotas><default></default></quotas>
</yandex>
EOF
}

# ch_ports NAME: chooses the server's ports (before its start, so that another server's
# remote_servers can name them); sets CH_HTTP_<NAME> and CH_TCP_<NAME>.
ch_ports() {
    local dir=$TMP/ch/$1 http tcp
    mkdir -p "$dir"
    if [ ! -f "$dir/ports" ]; then
        http=$(ch_free_port) tcp=$(ch_free_port)
        while [ "$tcp" = "$http" ]; do tcp=$(ch_free_port); done
        echo "$http $tcp" >"$dir/ports"
    fi
    read -r http tcp <"$dir/ports"
    eval "CH_HTTP_$1=$http CH_TCP_$1=$tcp"
}

# ch_start NAME [REMOTE-SERVERS-XML]: a new server, or NAME's again (same ports, same data).
ch_start() {
    local name=$1 dir=$TMP/ch/$1 http tcp i
    ch_ports "$name"
    read -r http tcp <"$dir/ports"
    [ -f "$dir/config.xml" ] || ch_config "$name" "$http" "$tcp" "${2:-}"
    (cd "$dir" && exec "$CH_SERVER_BIN" --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1) &
    echo $! >"$dir/pid"
    case " $CH_STARTED " in *" $name "*) ;; *) CH_STARTED="$CH_STARTED $name" ;; esac
    for i in $(seq 1 300); do
        if [ "$(curl -s "http://127.0.0.1:$http/?query=SELECT%201" 2>/dev/null)" = 1 ]; then return 0; fi
        if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "Bail out! the test ClickHouse server $name did not start: $(tail -n 5 "$dir/server.err.log" "$dir/stdout.log" 2>/dev/null)"
    exit 1
}

# ch_stop NAME: stops the server and waits for it to be gone.
ch_stop() {
    local pid i
    pid=$(cat "$TMP/ch/$1/pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$TMP/ch/$1/pid"
    return 0
}

# ch_kill NAME: the server killed at once (kill -9), as in a crash.
ch_kill() {
    local pid
    pid=$(cat "$TMP/ch/$1/pid" 2>/dev/null) || return 0
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$TMP/ch/$1/pid"
    return 0
}

# ch_q NAME QUERY: the query's rows through clickhouse-client, tab-separated.
ch_q() {
    local tcp
    eval "tcp=\$CH_TCP_$1"
    "$CH_CLIENT_BIN" --host 127.0.0.1 --port "$tcp" --query "$2"
}

# ch_url NAME [DB]: the destination spec of the server's default user.
ch_url() {
    local http
    eval "http=\$CH_HTTP_$1"
    echo "clickhouse://default@127.0.0.1:$http/${2:-default}"
}

# ch_lib.sh - comparing the same syncs into SQLite and ClickHouse (tests/ch_compare.sh, and
# through a cluster tests/ch_shards.sh). Source after chserver.sh; reads ClickHouse through the
# server `one`, and syncs into the spec `ch_spec DB` gives (one's by default).

P="--plugin-dir $TEST_PLUGINS"
# ch_spec DB: the destination spec of database DB.
ch_spec() { ch_url one "$1"; }

# The storage type of a contract type in the old dialect (Debian's 18.16), as the README says.
ch_storage() {
    case "$1" in
    BOOLEAN) echo UInt8 ;; SHORT) echo Int16 ;; INT) echo Int32 ;; LONG) echo Int64 ;;
    DECIMAL\(*) echo "$1" | sed 's/DECIMAL(\([0-9]*\),\([0-9]*\))/Decimal(\1, \2)/' ;;
    FLOAT) echo Float32 ;; DOUBLE) echo Float64 ;; *) echo String ;;
    esac
}

# compare NAME SQLITE-DB CH-DATABASE: every table, column and value of the two destinations.
compare() {
    local name=$1 db=$2 chdb=$3 t c type order sq cq stored key want
    for t in $(sql "$db" "select distinct table_name from _connector_columns order by 1"); do
        order=$(sql "$db" "select group_concat(name, ', ') from (select name from pragma_table_info('$t') where pk > 0 order by pk)")
        is "$(sql "$db" "select group_concat(column_name || ' ' || type, ', ') from (select column_name, type from _connector_columns where table_name = '$t' order by column_name)")" \
            "$(ch_q one "select arrayStringConcat(groupArray(concat(column_name, ' ', type)), ', ') from (select column_name, type from $chdb._connector_columns final where table_name = '$t' order by column_name)")" \
            "$name: table $t has the same columns and contract types"
        stored=ok
        while IFS='|' read -r c type; do
            [ -z "$c" ] && continue
            key=$(sql "$db" "select pk from pragma_table_info('$t') where name = '$c'")
            want=$(ch_storage "$type")
            [ "$key" = 0 ] && want="Nullable($want)"
            got=$(ch_q one "select type from system.columns where database = '$chdb' and table = '$t' and name = '$c'")
            [ "$got" = "$want" ] || stored="$c is $got, not $want"
        done <<EOF
$(sql "$db" "select column_name, type from _connector_columns where table_name = '$t'")
EOF
        is "$stored" ok "$name: table $t stores each contract type as the mapping says"
        is "$(sql "$db" "select count(*) || ' ' || coalesce(sum(_fivetran_deleted), 0) from \"$t\"")" \
            "$(ch_q one "select concat(toString(count()), ' ', toString(sum(_fivetran_deleted))) from $chdb.\`$t\` final where _connector_version > 0")" \
            "$name: table $t has as many rows, as many deleted"
        for c in $(sql "$db" "select column_name from _connector_columns where table_name = '$t' order by 1") _fivetran_deleted; do
            type=$(sql "$db" "select type from _connector_columns where table_name = '$t' and column_name = '$c'")
            case "$type" in
            FLOAT | DOUBLE)
                # reinterpretAsString drops the little-endian form's trailing zero bytes: padded back
                sq="hex(ieee754_to_blob($c + 0.0))"
                cq="hex(reverse(reinterpretAsString(toFloat64(\`$c\`) + 0)))"
                cq="concat(substring('0000000000000000', 1, 16 - length($cq)), $cq)" ;;
            STRING | JSON | XML | BINARY | NAIVE_DATE | NAIVE_TIME | NAIVE_DATETIME | UTC_DATETIME)
                sq="hex($c)" cq="hex(\`$c\`)" ;;
            *) # 18.16's toString garbles a Decimal128: its TabSeparated text is right
                sq="$c" cq="" ;;
            esac
            is "$(sql "$db" "select case when $c is null then 'NULL' else $sq end from \"$t\" order by $order")" \
                "$(if [ -n "$cq" ]; then ch_q one "select if(isNull(\`$c\`), 'NULL', $cq) from $chdb.\`$t\` final where _connector_version > 0 order by $order"
                else ch_q one "select \`$c\` from $chdb.\`$t\` final where _connector_version > 0 order by $order" | sed 's/^\\N$/NULL/'; fi)" \
                "$name: $t.$c (${type:-system BOOLEAN}) has the same values"
        done
    done
}

# warnings TEXT: the WARNING lines of a run's log without their times (but those about the state files
# of the working directory both destinations share), and the rows they count
# (the operations found without a row are reported one by one or held back and counted together:
# "TABLE KIND: N" for those, summed over the run, each other warning as it is).
warnings() {
    printf '%s\n' "$1" | grep ' WARNING ' | sed 's/^[^ ]* //' | grep -v -e 'holds a state of connector' -e 'differs from the state committed in the warehouse' |
        awk '/found no row with/ { t = $6; sub(/[:,]$/, "", t); n[$3 " " t] += $7; next }
             /no row with that primary key/ { t = $6; sub(/[:,]$/, "", t); n[$3 " " t] += 1; next }
             { print }
             END { for (k in n) print k ": " n[k] " without a row" }' | sort
}

# sync NAME DIR CONNECTOR CH-DATABASE [OPTIONS]: one sync into SQLite (working directory
# $TMP/DIR) and the same into ClickHouse; both succeed with the same counts, warnings and state.
sync() {
    local name=$1 dir=$TMP/$2 connector=$3 chdb=$4 sqlite_out sqlite_warnings
    shift 4
    mkdir -p "$dir"
    host run "$connector" --working-dir "$dir" $P "$@"
    is "$rc" 0 "$name: the SQLite sync succeeds"
    sqlite_out=$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')
    sqlite_warnings=$(warnings "$err")
    host run "$connector" --working-dir "$dir" $P --destination "$(ch_spec "$chdb")" "$@"
    is "$rc" 0 "$name: the ClickHouse sync succeeds"
    [ "$rc" = 0 ] || echo "# $(printf '%s' "$err" | grep -E 'SEVERE|ERROR' | head -n 3)"
    is "$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')" "$sqlite_out" "$name: the same summary counts"
    is "$(warnings "$err")" "$sqlite_warnings" "$name: the same warnings"
    is "$(ch_q one "select state from $chdb._connector_state order by _connector_version desc limit 1")" \
        "$(sql "$dir/files/warehouse.db" "select state from _connector_state")" "$name: the same state"
}


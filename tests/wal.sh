# wal.sh - a sync that leaves a long WAL writes it back into the database as it ends (on a
# connection and thread of its own, beside the counting of rows: host/dest/sqlite.c), so the
# next start does not read it all; a reader holding the warehouse open leaves it for later,
# and nothing is lost either way.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
KEYS=50000
conf() { printf '{"n":"%s","every":"7000","keys":"%s"}\n' "$1" $KEYS >"$TMP/conf.json"; echo "$TMP/conf.json"; }
. "$TESTS_SRCDIR/workload.sh"

# wal_pages FILE: the WAL's length in pages (0 when there is none).
wal_pages() {
    local size=0 page
    [ -e "$1-wal" ] && size=$(stat -c %s "$1-wal")
    page=$(sql "$1" 'pragma page_size')
    echo $((size / page))
}

W=$(newdir long)
DB="$W/files/warehouse.db"
host run workload --working-dir "$W" $P --configuration "$(conf 60000)" --log-level WARNING
is "$rc" 0 "a sync of 60,000 operations on 50,000 keys succeeds"
grep -q '^three\|^w ' "$TMP/out" && grep -Eq 'w +[0-9]+ +[0-9]+' "$TMP/out" &&
    pass "the summary counts the table's rows" || fail "the summary counts the table's rows"
is "$(wal_pages "$DB")" 0 "the WAL it left is written back and emptied"
is "$(sql "$DB" 'pragma integrity_check')" ok "the warehouse is intact"
is_oracle 60000 && pass "the table is the oracle's at 60000" || fail "the table is the oracle's at 60000"

# A reader with a transaction open through the sync's end: the WAL cannot be emptied under it.
R=$(newdir reader)
DB="$R/files/warehouse.db"
host run workload --working-dir "$R" $P --configuration "$(conf 7000)" --log-level WARNING
is "$rc" 0 "a first sync makes the warehouse"
mkfifo "$TMP/reader.in"
"$SQLITE3" "$DB" <"$TMP/reader.in" >"$TMP/reader.out" 2>&1 &
reader=$!
exec 7>"$TMP/reader.in"
echo "BEGIN; SELECT count(*) FROM w;" >&7
for _ in $(seq 50); do [ -s "$TMP/reader.out" ] && break; sleep 0.1; done
host run workload --working-dir "$R" $P --configuration "$(conf 60000)" --log-level WARNING
is "$rc" 0 "with a reader holding a transaction, the sync succeeds"
[ "$(wal_pages "$DB")" -gt 0 ] && pass "the reader keeps the WAL" || fail "the reader keeps the WAL"
echo "COMMIT;" >&7
exec 7>&-
wait "$reader"
is_oracle 60000 && pass "read with the WAL, the table is the oracle's at 60000" ||
    fail "read with the WAL, the table is the oracle's at 60000"
host run workload --working-dir "$R" $P --configuration "$(conf 60001)" --log-level WARNING
is "$rc" 0 "the next sync, with no reader, succeeds"
# (the reader's own close wrote the WAL back: SQLite's last connection does)
[ "$(wal_pages "$DB")" -le 256 ] && pass "the WAL is short again ($(wal_pages "$DB") pages)" ||
    fail "the WAL is short again ($(wal_pages "$DB") pages)"
is_oracle 60001 && pass "the table is the oracle's at 60001" || fail "the table is the oracle's at 60001"
is "$(sql "$DB" 'pragma integrity_check')" ok "the warehouse is intact"
done_testing

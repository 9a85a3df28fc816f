# upgrade.sh - a warehouse written by an earlier connector-host, which stored times with the
# fraction digits they were given: the first sync that uses a table rewrites its times with six
# digits, in the transaction of its first commit, logged and counted as a schema change; a key
# of a table without a primary key follows its values. The warehouses are made here as that
# host's DDL made them.
. "$TESTS_SRCDIR/lib.sh"

# The warehouse alone: a sync records where its state lives (files/state/NAME.store) as it starts.
dump() { "$SQLITE3" -batch "$1/files/warehouse.db" .dump; }

P="--plugin-dir $TEST_PLUGINS"

# old_warehouse DB: tables stamps (keyed) and moments (no primary key), as the older host left them.
old_warehouse() {
    "$SQLITE3" -batch "$1" <<'SQL'
CREATE TABLE "stamps" ("id" INTEGER NOT NULL, "at" TEXT, "local" TEXT, "alarm" TEXT, "_fivetran_synced" TEXT NOT NULL, "_fivetran_deleted" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"));
INSERT INTO stamps VALUES (1, '2023-12-31T23:00:00Z', '2024-01-01T08:00:00', '06:30:00', '2024-05-01T00:00:00.000001Z', 0);
INSERT INTO stamps VALUES (2, '2024-01-01T00:00:00.5Z', '2024-01-01T08:00:00.25', '23:59:59.5', '2024-05-01T00:00:00.000002Z', 0);
INSERT INTO stamps VALUES (3, '2024-01-01T00:00:00Z', NULL, NULL, '2024-05-01T00:00:00.000003Z', 0);
INSERT INTO stamps VALUES (4, '2024-01-01T00:00:00.000001Z', '2024-01-01T08:00:00.000000', '06:30:00.000000', '2024-05-01T00:00:00.000004Z', 0);
INSERT INTO stamps VALUES (5, '2024-01-01T00:00:00.000Z', NULL, NULL, '2024-05-01T00:00:00.000005Z', 1);
CREATE TABLE "moments" ("n" INTEGER, "at" TEXT, "alarm" TEXT, "_fivetran_id" TEXT NOT NULL, "_fivetran_synced" TEXT NOT NULL, "_fivetran_deleted" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("_fivetran_id"));
INSERT INTO moments VALUES (1, '2024-01-01T00:00:00Z', '06:30:00', 'id-of-the-old-text-a', '2024-05-01T00:00:00.000001Z', 0);
INSERT INTO moments VALUES (2, '2024-01-01T00:00:00.5Z', NULL, 'id-of-the-old-text-b', '2024-05-01T00:00:00.000002Z', 0);
INSERT INTO moments VALUES (1, '2024-01-01T00:00:00.000Z', '06:30:00.0', 'id-of-the-old-text-c', '2024-05-01T00:00:00.000003Z', 0);
INSERT INTO moments VALUES (3, NULL, NULL, 'id-of-the-old-text-d', '2024-05-01T00:00:00.000004Z', 0);
CREATE TABLE _connector_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (table_name, column_name));
INSERT INTO _connector_columns VALUES ('stamps', 'id', 'INT'), ('stamps', 'at', 'UTC_DATETIME'), ('stamps', 'local', 'NAIVE_DATETIME'), ('stamps', 'alarm', 'NAIVE_TIME');
INSERT INTO _connector_columns VALUES ('moments', 'n', 'INT'), ('moments', 'at', 'UTC_DATETIME'), ('moments', 'alarm', 'NAIVE_TIME');
CREATE TABLE _connector_state (connector TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO _connector_state VALUES ('evolve', '{}', '2024-05-01T00:00:00.000009Z');
SQL
}

# old_workdir NAME: a working directory with that warehouse and its state.json; prints its path.
old_workdir() {
    local w
    w=$(newdir "$1")
    mkdir -p "$w/files"
    old_warehouse "$w/files/warehouse.db"
    printf '{}' >"$w/files/state.json"
    echo evolve >"$w/files/state.json.connector"
    echo "$w"
}

step() { host run evolve $P --working-dir "$1" --configuration "$(conf "{\"step\":\"$2\"}")" "${@:3}"; }

# ---- a keyed table -------------------------------------------------------------------------
W=$(old_workdir keyed)
DB=$W/files/warehouse.db

# A dry run says what it would rewrite, and rewrites nothing.
before=$(snapshot "$W")
step "$W" times1 --dry-run
is "$rc" 0 "dry run over the old warehouse exits 0"
like "$err" "table 'stamps': 8 times written by an earlier connector-host rewritten with six fraction digits (columns at, local, alarm)" "the dry run says what the sync would rewrite"
is "$(snapshot "$W")" "$before" "the dry run leaves the warehouse as it was"

step "$W" times1
is "$rc" 0 "the first sync over the old warehouse exits 0"
like "$err" "INFO    [host] table 'stamps': 8 times written by an earlier connector-host rewritten with six fraction digits (columns at, local, alarm)" "the rewrite is logged, naming the table and its columns"
matches "$out" '^stamps +1 +0 +0 +0 +1 +0$' "and counted as one schema change of the table"
is "$(sql "$DB" 'select id, at, local, alarm from stamps order by id' | tr '\n' ' ')" \
    "1|2023-12-31T23:00:00.500000Z|2024-01-01T08:00:00.000000|06:30:00.000000 2|2024-01-01T00:00:00.500000Z|2024-01-01T08:00:00.250000|23:59:59.500000 3|2024-01-01T00:00:00.000000Z|| 4|2024-01-01T00:00:00.000001Z|2024-01-01T08:00:00.000000|06:30:00.000000 5|2024-01-01T00:00:00.000000Z|| " \
    "every time has six fraction digits; NULLs stay NULL (row 1 is the sync's own upsert)"
is "$(sql "$DB" 'select group_concat(id) from (select id from stamps order by at, id)')" "1,3,5,4,2" "text order is time order: 00:00:00 before 00:00:00.000001 before 00:00:00.5"
is "$(sql "$DB" "select group_concat(id) from stamps where at = '2024-01-01T00:00:00.000000Z'")" "3,5" "one instant is one text: 00:00:00Z and 00:00:00.000Z are equal now"
is "$(sql "$DB" "select _fivetran_synced || ' ' || _fivetran_deleted from stamps where id = 5")" "2024-05-01T00:00:00.000005Z 1" "the system columns are not touched"
is "$(sql "$DB" "select format from _connector_formats where table_name = 'stamps'")" 2 "the table's format is recorded"

# Done once: the next sync finds the format and rewrites nothing.
step "$W" times1
is "$rc" 0 "the second sync exits 0"
unlike "$err" "written by an earlier connector-host" "the second sync rewrites nothing"
matches "$out" '^stamps +1 +0 +0 +0 +0 +0$' "and counts no schema change"

# A table this host creates is recorded at once: it is never rewritten.
W2=$(newdir fresh)
step "$W2" times1
is "$(sql "$W2/files/warehouse.db" "select table_name || ' ' || format from _connector_formats")" "stamps 2" "a new table's format is recorded when it is created"
step "$W2" times1
unlike "$err" "written by an earlier connector-host" "and a later sync rewrites nothing"

# ---- a table without a primary key: its _fivetran_id follows its values ------------------------
# Rows a and c hold the same values, written two ways: one row now, the later written (c) kept.
step "$W" moments
is "$rc" 0 "the first sync of moments exits 0"
like "$err" "table 'moments': 5 times written by an earlier connector-host rewritten with six fraction digits (columns at, alarm); _fivetran_id recomputed for 4 rows (the table has no primary key), 1 row that duplicated another removed" "the rewrite and the re-keying are logged"
is "$(sql "$DB" 'select count(*) from moments')" 3 "the sync's upserts of the same values replaced the old rows: none added"
is "$(sql "$DB" 'select n, at, alarm from moments order by n' | tr '\n' ' ')" \
    "1|2024-01-01T00:00:00.000000Z|06:30:00.000000 2|2024-01-01T00:00:00.500000Z| 3|| " "each row once, with six-digit times"
is "$(sql "$DB" "select count(*) from moments where _fivetran_id like 'id-of%'")" 0 "no row keeps an id of its old text"
is "$(sql "$DB" "select count(*) from moments where n in (1, 2) and _fivetran_synced > '2024-06'")" 2 "the rows the sync sent were updated"
step "$W" moments
is "$(sql "$DB" 'select count(*) from moments')" 3 "a second sync of the same rows adds none"
unlike "$err" "written by an earlier connector-host" "and rewrites nothing"

# ---- killed mid-sync: the old values stay, the next sync finishes the work ---------------------
W=$(old_workdir kill)
DB=$W/files/warehouse.db
before=$(dump "$W")
step "$W" times_kill
is "$rc" 137 "a sync killed after the rewrite, before its commit, dies of SIGKILL"
is "$(dump "$W")" "$before" "the warehouse holds the old values, as before the sync"
step "$W" times1
is "$rc" 0 "the next sync exits 0"
like "$err" "table 'stamps': 8 times written by an earlier connector-host rewritten" "and rewrites the times"
is "$(sql "$DB" "select at from stamps where id = 2")" "2024-01-01T00:00:00.500000Z" "which now have six digits"

# ---- a time that does not parse: the sync stops, naming it; nothing changes ----------------------
W=$(old_workdir bad)
DB=$W/files/warehouse.db
sql "$DB" "update stamps set alarm = '25:00:00' where id = 2"
before=$(dump "$W")
step "$W" times1
is "$rc" 1 "a stored time that does not parse fails the sync"
like "$out" "SYNC FAILED: table 'stamps': column 'alarm': a time written by an earlier connector-host cannot be rewritten with six fraction digits; correct or clear it: stored row (key id=2): STRING value \"25:00:00\" does not convert to NAIVE_TIME: '25:00:00' is not a valid time (HH:MM:SS[.ffffff])" "the failure names table, column, the stored row by its key and value, and what to do"
is "$(dump "$W")" "$before" "the warehouse is unchanged: the columns rewritten before it were rolled back"
sql "$DB" "update stamps set alarm = '23:00:00' where id = 2"
step "$W" times1
is "$rc" 0 "once the value is corrected, the sync succeeds"
is "$(sql "$DB" "select alarm from stamps where id = 2")" "23:00:00.000000" "and the corrected value is rewritten too"

done_testing

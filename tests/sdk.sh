# sdk.sh - the installed SDK: `make install` into a temporary root, then a connector made by
# `connector-host new` is built outside the tree with pkg-config and run by the installed host.
. "$TESTS_SRCDIR/lib.sh"
: "${BUILD_TOP:?run through make check}"

ROOT="$TMP/root"
# The parent make's jobserver and flags are not this make's.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILD_TOP" install DESTDIR="$ROOT" >"$TMP/install.log" 2>&1
is "$?" 0 "make install DESTDIR=... succeeds"
prefix=$(sed -n 's/^prefix=//p' "$BUILD_TOP/connector-host.pc")
libdir=$(sed -n 's/^libdir=//p' "$BUILD_TOP/connector-host.pc" | sed "s|\${exec_prefix}|$prefix|;s|\${prefix}|$prefix|")
P="$ROOT$prefix"
INSTALLED_HOST="$ROOT$prefix/bin/connector-host"
[ -x "$INSTALLED_HOST" ] && pass "the host is in bindir" || fail "the host is in bindir" "$(cat "$TMP/install.log")"
[ -f "$P/include/connector-host.h" ] && pass "the public header is in includedir" || fail "the public header is in includedir"
[ -f "$ROOT$libdir/connector-host/three.so" ] && pass "the three plugin is in pkglibdir" || fail "the three plugin is in pkglibdir" "$(ls -R "$ROOT$libdir" 2>&1)"
[ -f "$ROOT$libdir/pkgconfig/connector-host.pc" ] && pass "the pkg-config file is in libdir/pkgconfig" || fail "the pkg-config file is in libdir/pkgconfig"
[ -f "$P/share/man/man1/connector-host.1" ] && pass "the manual page is installed" || fail "the manual page is installed"
[ ! -e "$P/include/dest.h" ] && pass "no private header is installed" || fail "no private header is installed"
[ -f "$ROOT$libdir/connector-host/destinations/postgresql.so" ] && pass "the PostgreSQL destination module is in pkglibdir/destinations" || fail "the PostgreSQL destination module is in pkglibdir/destinations"
[ ! -e "$ROOT$libdir/connector-host/postgresql.so" ] && pass "the module is not among the connector plugins" || fail "the module is not among the connector plugins"
if ldd "$ROOT$prefix/bin/connector-host" | grep -q libpq; then fail "the host does not link libpq (it loads the module)"; else pass "the host does not link libpq (it loads the module)"; fi
if [ -e "$BUILD_TOP/host/dest/clickhouse/clickhouse.la" ]; then
    [ -f "$ROOT$libdir/connector-host/destinations/clickhouse.so" ] && pass "the ClickHouse destination module is in pkglibdir/destinations" || fail "the ClickHouse destination module is in pkglibdir/destinations"
else
    fail "the ClickHouse destination module is built" "configure found no libcurl (install libcurl4-openssl-dev)"
fi
if ldd "$ROOT$prefix/bin/connector-host" | grep -q libcurl; then fail "the host does not link libcurl (it loads the module)"; else pass "the host does not link libcurl (it loads the module)"; fi

# pkg-config finds the installed SDK; the sysroot variable maps its paths into the temporary root.
export PKG_CONFIG_PATH="$ROOT$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
is "$(pkg-config --cflags connector-host | sed "s/ *$//")" "-I$P/include" "pkg-config --cflags points at the installed header"
is "$(pkg-config --modversion connector-host)" "$("$INSTALLED_HOST" --version | sed 's/^connector-host \([^ ]*\).*/\1/')" "pkg-config's version is the host's"
is "$(pkg-config --variable=plugindir connector-host)" "$ROOT$libdir/connector-host" "pkg-config names the plugin directory"

# The installed host runs on its own, away from the build tree.
W=$(newdir w)
host_installed() { "$INSTALLED_HOST" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; out=$(cat "$TMP/out"); err=$(cat "$TMP/err"); }
host_installed run three --plugin-dir "$ROOT$libdir/connector-host" --working-dir "$W"
is "$rc" 0 "the installed host runs the installed three plugin"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 3 "three rows land"

# The installed host finds its PostgreSQL module only where it was installed; here the module
# directory is given, and a spec libpq refuses proves the module answered.
if [ ! -e "$libdir/connector-host/destinations/postgresql.so" ]; then
    host_installed run three --plugin-dir "$ROOT$libdir/connector-host" --working-dir "$W" --destination 'postgresql://u@h/db?bogus=1'
    is "$rc" 2 "without its module, a PostgreSQL destination is bad usage"
    like "$err" "the postgresql destination module is missing or broken" "the missing module is explained"
fi
CONNECTOR_HOST_MODULE_DIR="$ROOT$libdir/connector-host/destinations" host_installed run three --plugin-dir "$ROOT$libdir/connector-host" --working-dir "$W" --destination 'postgresql://u@h/db?bogus=1'
is "$rc" 2 "with CONNECTOR_HOST_MODULE_DIR, the module is loaded"
like "$err" 'invalid URI query parameter: "bogus"' "and libpq checks the spec"
if [ ! -e "$libdir/connector-host/destinations/clickhouse.so" ]; then
    host_installed run three --plugin-dir "$ROOT$libdir/connector-host" --working-dir "$W" --destination 'clickhouse://u@h/db?bogus=1'
    is "$rc" 2 "without its module, a ClickHouse destination is bad usage"
    like "$err" "the clickhouse destination module is missing or broken" "the missing ClickHouse module is explained"
fi
CONNECTOR_HOST_MODULE_DIR="$ROOT$libdir/connector-host/destinations" host_installed run three --plugin-dir "$ROOT$libdir/connector-host" --working-dir "$W" --destination 'clickhouse://u@h/db?bogus=1'
is "$rc" 2 "with CONNECTOR_HOST_MODULE_DIR, the ClickHouse module is loaded"
like "$err" "unknown or repeated parameter 'bogus=1'" "and it checks the spec"

# ---- connector-host new: a connector outside the tree -------------------------------------
cd "$TMP" || exit 1
host_installed new shop
is "$rc" 0 "new shop exits 0"
like "$out" "cd shop && make && $(readlink -f "$INSTALLED_HOST") run shop --plugin-dir ." "new says what to do next, naming this host by its path: connector-host on PATH is not it"
rm -rf "$TMP/shop_on_path"
PATH="$(dirname "$INSTALLED_HOST"):$PATH" "$INSTALLED_HOST" new shop_on_path >"$TMP/out" 2>&1
like "$(cat "$TMP/out")" "cd shop_on_path && make && connector-host run shop_on_path --plugin-dir ." "with this host on PATH, new names it connector-host"
rm -rf "$TMP/shop_on_path"
is "$(cd shop && ls | tr '\n' ' ')" "Makefile README.md configuration.json expected.jsonl shop.c " "new writes the source, Makefile, README, configuration and expected stream"
grep -q 'connector-host run shop --plugin-dir' shop/README.md && pass "the README names the connector" || fail "the README names the connector"

export PATH="$P/bin:$PATH"
(cd shop && make CFLAGS='-O2 -g -Wall -Wextra -Werror') >"$TMP/build.log" 2>&1
is "$?" 0 "the new connector builds against the installed SDK with -Wall -Wextra -Werror"
grep -q -- "-I$P/include" "$TMP/build.log" && pass "the build used pkg-config's flags" || fail "the build used pkg-config's flags" "$(cat "$TMP/build.log")"
[ -f shop/shop.so ] && pass "shop.so is built" || fail "shop.so is built" "$(cat "$TMP/build.log")"

# Dropping the .so into a plugin directory is all it takes.
mkdir plugins && cp shop/shop.so plugins/
W=$(newdir shopwork)
(cd "$W" && cp "$TMP/shop/configuration.json" . && "$INSTALLED_HOST" run shop --plugin-dir "$TMP/plugins") >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "run shop --plugin-dir DIR works with no other step"
is "$(sql "$W/files/warehouse.db" 'select id, name, price from items order by id' | tr '\n' ' ')" "1|item 1|3.07 2|item 2|6.14 3|item 3|9.21 " "the scaffold's rows land"
(cd "$W" && "$INSTALLED_HOST" run shop --plugin-dir "$TMP/plugins") >"$TMP/out" 2>"$TMP/err"
is "$(sql "$W/files/warehouse.db" 'select max(id) from items')" 6 "a second run continues from the state"

matches "$(sql "$W/files/warehouse.db" 'select fetched_at from items where id = 1')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.000000Z$' "the scaffold's fetch time lands"

(cd shop && make check) >"$TMP/check.log" 2>&1
is "$?" 0 "the scaffold's make check passes" 
like "$(cat "$TMP/check.log")" "check: the stream matches expected.jsonl" "make check compares the stream"
like "$(cat "$TMP/check.log")" "--mask items.fetched_at" "make check masks the Makefile's MASK"
(cd shop && make check) >"$TMP/check.log" 2>&1
is "$?" 0 "make check passes again, a fetch time later"
# The mask is what makes it pass: without it, the stream holds this run's fetch time.
(cd shop && make check MASK=) >"$TMP/check.log" 2>&1
[ "$?" -ne 0 ] && pass "make check without MASK fails on the fetch time" || fail "make check without MASK fails on the fetch time"
matches "$(cat "$TMP/check.log")" '^\+.*"id":1,"name":"item 1","price":"3.07","fetched_at":"20[0-9-]{8}T[0-9:]{8}\.000000Z"' "the diff shows the time that varies"
sed -i 's/"item %ld"/"thing %ld"/' shop/shop.c
(cd shop && make check) >"$TMP/check.log" 2>&1
[ "$?" -ne 0 ] && pass "make check fails when the stream changes" || fail "make check fails when the stream changes"
like "$(cat "$TMP/check.log")" '+{"op":"upsert","table":"items","data":{"id":1,"name":"thing 1","price":"3.07","fetched_at":"<masked>"}}' "the failure shows the diff"
(cd shop && make expected && make check) >"$TMP/check.log" 2>&1
is "$?" 0 "make expected accepts the new stream"

(cd shop && env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR=/nonexistent make -B) >"$TMP/build.log" 2>&1
[ "$?" -ne 0 ] && pass "without the SDK the build fails" || fail "without the SDK the build fails"
like "$(cat "$TMP/build.log")" "pkg-config cannot find connector-host" "and says why"

# ---- new: bad usage and never overwriting -------------------------------------------------
host_installed new shop
is "$rc" 1 "new into a non-empty directory fails"
like "$err" "shop already exists and is not empty" "the non-empty directory is named"
mkdir empty
host_installed new other empty
is "$rc" 0 "new into an existing empty directory works"
[ -f empty/other.c ] && pass "NAME.c is named after the connector" || fail "NAME.c is named after the connector"
# C keywords and library names are fine: the connector's C identifiers are fixed.
for kw in int abort connector; do
    rm -rf "kw_$kw"
    host_installed new "$kw" "kw_$kw" &&
        (cd "kw_$kw" && make CFLAGS='-O2 -Wall -Wextra -Werror' >"$TMP/kw.log" 2>&1 && make check >>"$TMP/kw.log" 2>&1)
    is "$?" 0 "a connector named '$kw' builds and passes its check"
done
host_installed new 9lives
is "$rc" 2 "a name starting with a digit is bad usage"
like "$err" "'9lives' is not a usable connector name" "the bad name is quoted"
host_installed new "my-shop"
is "$rc" 2 "a name with a dash is bad usage"
host_installed new
is "$rc" 2 "new without a name is bad usage"
like "$err" "missing connector name" "the missing name is explained"
host_installed new a b c
is "$rc" 2 "new with too many arguments is bad usage"
touch afile
host_installed new x afile
is "$rc" 1 "new into a file fails"
like "$err" "afile exists and is not a directory" "the file is named"
# A write that fails part-way leaves nothing behind, so a retry works.
if [ -n "${IOFAULT:-}" ] && [ -f "$IOFAULT" ]; then
    # (verify_asan_link_order=0: under AddressSanitizer the preload must not stop the host; see faults.sh)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        LD_PRELOAD="$IOFAULT" IOFAULT_PATH="halfway/README.md" IOFAULT_OPEN_ERRNO=28 \
        "$HOST" new half halfway >"$TMP/out" 2>"$TMP/err"
    is "$?" 1 "new with a file that cannot be written fails"
    like "$(cat "$TMP/err")" "cannot create halfway/README.md: No space left on device" "the file and the reason are named"
    [ ! -e halfway ] && pass "the files already written and the new directory are removed" || fail "the files already written and the new directory are removed" "$(ls -la halfway)"
    "$HOST" new half halfway >/dev/null 2>&1
    is "$?" 0 "a retry works"
fi
host_installed new --help
is "$rc" 0 "new --help exits 0"
like "$out" "NAME may hold letters, digits and _" "new --help explains names"

# ---- the manual page documents every option the commands accept ---------------------------
man_text=$(cat "$TESTS_SRCDIR/../docs/connector-host.1" | sed 's/\\-/-/g')
for cmd in run list schema state reset; do
    for opt in $("$INSTALLED_HOST" $cmd --help | grep -o -- '--[a-z-]*' | sort -u); do
        case "$man_text" in *"$opt"*) pass "man page documents $cmd $opt" ;; *) fail "man page documents $cmd $opt" ;; esac
    done
done
for cmd in run list schema state reset new; do
    like "$man_text" ".B connector-host $cmd" "man page synopsis has $cmd"
done

# ---- docs/writing-connectors.md, followed as a newcomer would -------------------------------
DOC="$TESTS_SRCDIR/../docs/writing-connectors.md"
mkdir "$TMP/tutorial" && cd "$TMP/tutorial" || exit 1
"$INSTALLED_HOST" new dirlist >/dev/null 2>&1 && (cd dirlist && make && make run) >"$TMP/tut.log" 2>&1
is "$?" 0 "tutorial step 2: new, make, make run"
is "$(sql dirlist/files/warehouse.db 'select count(*) from items')" 3 "tutorial step 2: the scaffold's items land"
awk '/<!-- file: dirlist.c -->/ { want = 1; next } want && /^```c/ { copy = 1; next }
     copy && /^```/ { exit } copy { print }' "$DOC" >dirlist/dirlist.c
grep -q 'int connector_plugin_init' dirlist/dirlist.c && pass "tutorial step 3: the listing is extracted" || fail "tutorial step 3: the listing is extracted"
mkdir -p fixture/sub && printf 'hello' >fixture/a.txt && : >fixture/b.txt
touch -d '2024-01-02 03:04:05 UTC' fixture/a.txt fixture/b.txt fixture/sub
cd dirlist || exit 1
echo "{\"path\": \"$TMP/tutorial/fixture\"}" >configuration.json
(connector-host reset && make CFLAGS='-O2 -g -Wall -Wextra -Werror' && make run) >"$TMP/tut.log" 2>&1
is "$?" 0 "tutorial step 3: the listing builds with -Werror and syncs"
is "$(sql files/warehouse.db 'select name, case when is_directory then 4096 else size end, modified, is_directory, _fivetran_deleted from files order by name' | tr '\n' ' ')" \
    "a.txt|5|2024-01-02T03:04:05.000000Z|0|0 b.txt|0|2024-01-02T03:04:05.000000Z|0|0 sub|4096|2024-01-02T03:04:05.000000Z|1|0 " "tutorial step 3: the directory's entries land, typed"
(cd .. && "$SQLITE3" -header -column dirlist/files/warehouse.db 'select name, size, modified from files where not _fivetran_deleted order by size desc limit 5') >"$TMP/q.txt" 2>&1
like "$(cat "$TMP/q.txt")" "a.txt" "tutorial step 3: the tutorial's query runs"
rm ../fixture/a.txt
make run >"$TMP/tut.log" 2>&1
is "$(sql files/warehouse.db 'select name from files where _fivetran_deleted order by name')" "a.txt" "tutorial step 3: a deleted file's row is soft-deleted"
echo '{}' >configuration.json
make run >"$TMP/tut.log" 2>&1
like "$(cat "$TMP/tut.log")" "needs configuration keys missing from" "tutorial: a missing path is refused, naming the key"
echo '{"path": "/no/such/dir"}' >configuration.json
make run >"$TMP/tut.log" 2>&1
like "$(cat "$TMP/tut.log")" "cannot open directory /no/such/dir: No such file or directory" "tutorial: an unreadable directory fails with the reason"
echo "{\"path\": \"$TMP/tutorial/fixture\"}" >configuration.json
# More entries than a file system keeps in name order by chance.
for f in k c x a m q e; do : >"../fixture/$f.dat"; done
connector-host run dirlist --plugin-dir . --destination jsonl:- 2>/dev/null >"$TMP/stream.jsonl"
is "$(sed -n 2p "$TMP/stream.jsonl")" '{"op":"truncate","table":"files"}' "tutorial step 4: the jsonl stream shows the truncate"
is "$(sed -n 's/.*"op":"upsert","table":"files","data":{"name":"\([^"]*\)".*/\1/p' "$TMP/stream.jsonl" | tr '\n' ' ')" \
    "a.dat b.txt c.dat e.dat k.dat m.dat q.dat sub x.dat " "tutorial step 4: the entries come sorted by name, whatever the file system's order"
sed -i 's/^MASK = .*/MASK =/' Makefile
(make expected && make check) >"$TMP/tut.log" 2>&1
is "$?" 0 "tutorial step 4: make expected then make check"
unlike "$(cat "$TMP/tut.log")" "--mask" "tutorial step 4: with MASK empty, nothing is masked"
connector-host run dirlist --plugin-dir . --dry-run >"$TMP/tut.log" 2>&1
is "$?" 0 "tutorial step 4: the dry run"

# ---- the API reference names exactly the header's functions ------------------------------
HEADER="$P/include/connector-host.h"
header_names=$(grep -oE '\b(ch_[a-z_]+|connector_plugin_init) *\(' "$HEADER" | sed 's/ *($//' | sort -u)
doc_ref=$(sed -n '/^# API reference/,$p' "$DOC")
for f in $header_names; do
    case "$doc_ref" in *"\`$f\`"*) pass "the API reference documents $f" ;; *) fail "the API reference documents $f" ;; esac
done
for f in $(printf '%s\n' "$doc_ref" | grep -oE '`(ch_[a-z_]+|connector_plugin_init)`' | tr -d '`' | sort -u); do
    grep -qE "\b$f\b" "$HEADER" && pass "the header has $f" || fail "the header has $f (named by the reference)"
done

done_testing

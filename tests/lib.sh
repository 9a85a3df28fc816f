# lib.sh - TAP helpers for the end-to-end tests. Source it; call done_testing last.
# Needs HOST, BUILD_PLUGINS, TEST_PLUGINS, TESTS_SRCDIR and SQLITE3 from `make check`.
set -u
: "${HOST:?run through make check}" "${SQLITE3:=sqlite3}"
tap_n=0
tap_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/connector-host-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1 # a run without --working-dir must never touch the build tree

pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() {
    tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $1"
    shift
    for line in "$@"; do printf '#   %s\n' "$line"; done
}

# is GOT WANT DESCRIPTION
is() {
    if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got:  '$1'" "want: '$2'"; fi
}

# like TEXT FIXED-STRING DESCRIPTION
like() {
    case "$1" in
    *"$2"*) pass "$3" ;;
    *) fail "$3" "text: '$(printf '%s' "$1" | head -c 2000)'" "lacks: '$2'" ;;
    esac
}

# unlike TEXT FIXED-STRING DESCRIPTION
unlike() {
    case "$1" in
    *"$2"*) fail "$3" "text unexpectedly has: '$2'" ;;
    *) pass "$3" ;;
    esac
}

# matches TEXT EXTENDED-REGEX DESCRIPTION (any line)
matches() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else
        fail "$3" "text: '$(printf '%s' "$1" | head -c 2000)'" "no line matches: $2"
    fi
}

# in_order TEXT FIRST SECOND DESCRIPTION: TEXT has a line holding the fixed string FIRST before
# (above) its first line holding SECOND.
in_order() {
    local first second
    first=$(printf '%s\n' "$1" | grep -nF -- "$2" | head -n 1 | cut -d: -f1)
    second=$(printf '%s\n' "$1" | grep -nF -- "$3" | head -n 1 | cut -d: -f1)
    if [ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ]; then pass "$4"; else
        fail "$4" "text: '$(printf '%s' "$1" | head -c 2000)'" "wanted '$2' before '$3'"
    fi
}

# host ARGS...: runs the host; sets $out (stdout), $err (stderr) and $rc (exit status).
host() {
    "$HOST" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# sql DB QUERY: one value per line, columns separated by '|'.
sql() { "$SQLITE3" -batch -noheader "$1" "$2"; }

# snapshot DIR: the warehouse's full dump, state.json and every connector's state files
# (files/state/), to compare before and after.
snapshot() {
    {
        if [ -f "$1/files/warehouse.db" ]; then "$SQLITE3" -batch "$1/files/warehouse.db" .dump; else echo "no warehouse"; fi
        if [ -f "$1/files/state.json" ]; then cat "$1/files/state.json"; else echo "no state.json"; fi
        for f in "$1"/files/state/*; do
            if [ -e "$f" ]; then printf '\n%s: %s' "${f##*/}" "$(cat "$f")"; fi
        done
    } 2>&1
}

# conf JSON: writes a configuration file and prints its path (a test may define its own).
conf() { printf '%s\n' "$1" >"$TMP/conf.json"; echo "$TMP/conf.json"; }

# newdir NAME: a fresh empty working directory.
newdir() { mkdir -p "$TMP/$1" && echo "$TMP/$1"; }

# golden GOT-FILE GOLDEN-FILE DESCRIPTION: the file equals the golden file, else a diff.
# UPDATE_GOLDEN=1 rewrites the golden file instead (then review it with git diff).
golden() {
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$1" "$2"; fi
    if diff -u "$2" "$1" >"$TMP/golden.diff" 2>&1; then pass "$3"; else
        fail "$3" "differs from $2:"
        sed 's/^/#   /' "$TMP/golden.diff" | head -40
    fi
}

# mask_varying: replaces UUIDs and UTC timestamps on stdin with fixed placeholders.
mask_varying() {
    sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g'
}

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
    exit $?
}

#!/bin/sh
# layers.sh - the host's stages call one way (cli -> sync -> plugin, dest -> contract -> base):
# a file includes a header of another stage only when that stage lies below its own, no source
# file sits directly in host/, every stage folder says what it owns, the public header
# includes nothing private, and no two files call each other. Reads the source tree and the
# symbol tables of the built objects (nm); runs nothing.
. "$TESTS_SRCDIR/lib.sh"
ROOT=$(cd "$TESTS_SRCDIR/.." && pwd)

# rank STAGE: where a stage lies in the flow; a stage may include only lower ranks (and itself).
# plugin and dest share a rank, so neither may include the other.
rank() {
    case $1 in
    base) echo 0 ;;
    contract) echo 1 ;;
    plugin | dest) echo 2 ;;
    sync) echo 3 ;;
    cli) echo 4 ;;
    *) echo -1 ;;
    esac
}

stray=$(cd "$ROOT" && find host -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) | sort)
is "$stray" "" "no source file directly in host/"

for dir in "$ROOT"/host/*/ "$ROOT"/host/*/*/; do
    [ -d "$dir" ] || continue
    rel=${dir#"$ROOT"/}
    rel=${rel%/}
    case $rel in */.libs | */.deps) continue ;; esac
    [ -s "$dir/README.md" ] && pass "$rel says what it owns (README.md)" ||
        fail "$rel says what it owns (README.md)"
done

bad=""
unknown=""
for file in $(cd "$ROOT" && find host -name '*.[ch]' | sort); do
    stage=$(echo "$file" | cut -d/ -f2)
    own=$(rank "$stage")
    [ "$own" -ge 0 ] || unknown="$unknown $file"
    dir=$(dirname "$file")
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$ROOT/$file"); do
        case $inc in
        connector-host.h | scaffold_files.h) continue ;;
        */*)
            to=$(echo "$inc" | cut -d/ -f1)
            [ -f "$ROOT/host/$inc" ] || { bad="$bad $file:$inc(missing)"; continue; }
            if [ "$to" != "$stage" ] && [ "$(rank "$to")" -ge "$own" ]; then
                bad="$bad $file:$inc"
            fi
            ;;
        *)
            # a bare name is a header of the same folder
            [ -f "$ROOT/$dir/$inc" ] || bad="$bad $file:$inc(not in $dir)"
            ;;
        esac
    done
done
is "$unknown" "" "every file under host/ is in a known stage"
is "$bad" "" "every include goes down the flow (cli -> sync -> plugin, dest -> contract -> base)"

private=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$ROOT/include/connector-host.h")
is "$private" "" "the public header includes no private header"

# No circle between files: from the built objects of the host and of the PostgreSQL module,
# which file's functions each file calls. A
# file that both calls another and is called by it (directly or round a longer loop) would
# mean the two are one job split in two, or a seam that runs both ways.
objects=$(cd "$BUILD_TOP" && find host \( -name 'connector_host-*.o' -o -name 'postgresql_la-*.o' \) | sort)
if [ -z "$objects" ]; then
    fail "the host's objects are built (make)"
else
    circles=$(cd "$BUILD_TOP" && for o in $objects; do
        f=$(echo "$o" | sed 's|\.libs/||; s/connector_host-//; s/postgresql_la-//; s/\.o$/.c/')
        nm "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print "def", f, $3 } $1 == "U" { print "use", f, $2 }'
    done | awk '
        $1 == "def" { owner[$3] = $2; files[$2] = 1 }
        $1 == "use" { uses[$2, $3] = 1; files[$2] = 1 }
        END {
            for (k in uses) {
                split(k, p, SUBSEP)
                if ((p[2] in owner) && owner[p[2]] != p[1]) reach[p[1], owner[p[2]]] = 1
            }
            for (m in files) for (a in files) if ((a, m) in reach) for (b in files)
                if ((m, b) in reach) reach[a, b] = 1
            for (a in files) for (b in files)
                if (a < b && ((a, b) in reach) && ((b, a) in reach)) print a " <-> " b
        }' | sort)
    is "$circles" "" "no two files of the host call each other, directly or round a loop"
fi

done_testing

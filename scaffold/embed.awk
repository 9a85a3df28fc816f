# embed.awk - turns each template file into a C string named scaffold_<basename>,
# with '.' and '-' as '_', for `connector-host new` (host/cli/cmd_new.c). Escapes
# character by character: gsub's backslash rules differ between awks.
function escape(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\")
            out = out "\\\\"
        else if (c == "\"")
            out = out "\\\""
        else if (c == "\t")
            out = out "\\t"
        else
            out = out c
    }
    return out
}
FNR == 1 {
    if (NR > 1)
        print ";"
    name = FILENAME
    sub(/.*\//, "", name)
    gsub(/[.-]/, "_", name)
    printf "static const char %s%s[] =\n", (prefix == "" ? "scaffold_" : prefix), name
}
{ printf "    \"%s\\n\"\n", escape($0) }
END { print ";" }

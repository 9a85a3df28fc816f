/*
 * build_tree.c - a host run from its build tree finds the plugins and
 * destination modules built there, so the quick start needs no flags.
 */
#include "build_tree.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int running_in_build_tree(void)
{
    char exe[PATH_MAX], top[PATH_MAX];
    size_t n;
    if (realpath("/proc/self/exe", exe) == NULL || realpath(BUILD_TOP_DIR, top) == NULL)
        return 0;
    n = strlen(top);
    return strncmp(exe, top, n) == 0 && exe[n] == '/';
}

/*
 * fakedest.c - a destination module that answers with its own name, so that
 * test_dest can tell which module's function ran: loading a second module
 * must never hand back the first one's handle.
 */
#include "dest/dest.h"

int dest_fakedest_module_check(const char *spec, ch_error *err);
int dest_fakedest_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                              ch_error *err);

int dest_fakedest_module_check(const char *spec, ch_error *err)
{
    return err_set(err, "fakedest checked '%s'", spec);
}

int dest_fakedest_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                              ch_error *err)
{
    (void)opts, (void)out;
    return err_set(err, "fakedest opened '%s'", spec);
}

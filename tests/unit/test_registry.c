/* test_registry.c - registrations accepted and refused by ch_register. */
#include "plugin/registry.h"
#include "tap.h"

static int update(ch_sync *s, const ch_config *c)
{
    (void)s;
    (void)c;
    return CH_OK;
}

int main(void)
{
    registry *r = registry_new();
    ch_connector a = {.name = "alpha", .description = "first", .update = update};
    ch_connector b = {.name = "beta", .update = update};
    ch_connector no_update = {.name = "gamma"};
    ch_connector bad_name = {.name = "has space", .update = update};

    r->loading = "plugins/one.so";
    ok(CH_REGISTER(r, &a) == CH_OK, "registration accepted");
    ok(CH_REGISTER(r, &b) == CH_OK, "a plugin may register several connectors");
    ok(registry_find(r, "alpha") && registry_find(r, "beta"), "both found");
    is_str(registry_find(r, "beta")->def.description, "", "missing description becomes empty");
    is_str(registry_find(r, "alpha")->plugin, "plugins/one.so", "plugin file recorded");
    ok(!r->refused, "nothing refused yet");

    r->loading = "plugins/two.so";
    ok(CH_REGISTER(r, &a) == CH_ERROR, "duplicate name refused");
    is_str(r->why.msg, "plugins/two.so: connector 'alpha' is already registered by plugins/one.so",
           "duplicate message names both plugins");
    r->refused = 0;
    ok(ch_register(r, CH_ABI_VERSION + 1, &b) == CH_ERROR, "ABI mismatch refused");
    has_str(r->why.msg, "ABI version 2, this host provides ABI version 1",
            "ABI message has both versions");
    r->refused = 0;
    ok(CH_REGISTER(r, &no_update) == CH_ERROR, "no update handler refused");
    has_str(r->why.msg, "connector 'gamma' has no update handler", "update message");
    r->refused = 0;
    ok(CH_REGISTER(r, &bad_name) == CH_ERROR, "invalid name refused");
    has_str(r->why.msg, "'has space' is not valid", "name message");
    r->refused = 0;
    ok(CH_REGISTER(r, NULL) == CH_ERROR, "NULL connector refused");
    ok(CH_REGISTER(NULL, &a) == CH_ERROR, "NULL registry refused");

    ok(r->count == 2, "refusals registered nothing");
    registry_forget_plugin(r, "plugins/one.so");
    ok(r->count == 0 && registry_find(r, "alpha") == NULL,
       "forgetting a plugin drops its connectors");
    registry_free(r);
    return tap_done();
}

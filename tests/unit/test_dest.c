/*
 * test_dest.c - the table of destination kinds: specs find their kind, the
 * unknown-destination error lists every kind, each built-in kind's flags
 * match what its destination does, and modules are kept by name.
 */
#include <stdlib.h>

#include "dest/dest.h"
#include "tap.h"

static void kinds_by_scheme(void)
{
    static const struct {
        const char *spec, *kind;
    } cases[] = {
        {"sqlite:files/warehouse.db", "sqlite"},
        {"sqlite:", "sqlite"},
        {"postgresql://u@h/db", "postgresql"},
        {"postgres://u@h/db", "postgresql"},
        {"jsonl:-", "jsonl"},
        {"jsonl:out.jsonl", "jsonl"},
        {"mysql://u@h/db", NULL},
        {"SQLITE:x.db", NULL},
        {"files/warehouse.db", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dest_kind *k = dest_kind_of(cases[i].spec);
        if (cases[i].kind)
            is_str(k ? k->name : NULL, cases[i].kind, "'%s' is a %s spec", cases[i].spec,
                   cases[i].kind);
        else
            ok(k == NULL, "'%s' is no kind's spec", cases[i].spec);
    }
}

static void unknown_lists_every_kind(void)
{
    size_t n;
    const dest_kind *const *kinds = dest_kinds(&n);
    ch_error err;
    ok(dest_check("mysql://u@h/db", &err) == CH_ERROR, "an unknown destination is refused");
    is_str(err.msg,
           "unknown destination 'mysql://u@h/db' (expected sqlite:PATH, postgresql://..., "
           "clickhouse://... or "
           "jsonl:PATH)",
           "the refusal lists the kinds");
    for (size_t k = 0; k < n; k++) {
        has_str(err.msg, kinds[k]->usage, "the refusal names %s", kinds[k]->name);
        ok(kinds[k]->help && kinds[k]->help[0] == ' ', "%s has help text for run --help",
           kinds[k]->name);
        ok(!(kinds[k]->flags & DEST_MODULE) == (kinds[k]->open != NULL && kinds[k]->check != NULL),
           "%s: a module has no open or check of its own, a built-in kind has both",
           kinds[k]->name);
    }
}

/* Opens a built-in kind and compares its flags with its functions. */
static void flags_match(const char *spec)
{
    const dest_kind *k = dest_kind_of(spec);
    dest_open_opts opts = {0};
    dest *d = NULL;
    ch_error err;
    int rc = dest_open(spec, &opts, &d, &err);
    ok(rc == CH_OK, "%s opens", spec);
    if (rc != CH_OK) {
        printf("# %s\n", err.msg);
        return;
    }
    ok(!(k->flags & DEST_KEEPS_STATE) == (d->ops->load_state == NULL),
       "%s: flagged as keeping its state exactly when it can load one", k->name);
    ok(d->ops->commit && d->ops->rollback && d->ops->close && d->ops->prepare_table,
       "%s: has the functions every destination needs", k->name);
    d->ops->close(d);
}

static void stdout_specs(void)
{
    ok(dest_uses_stdout("jsonl:-"), "jsonl:- writes to standard output");
    ok(!dest_uses_stdout("jsonl:out.jsonl"), "jsonl:FILE does not");
    ok(!dest_uses_stdout("sqlite:-"), "sqlite:- does not");
    ok(!dest_uses_stdout(NULL), "no spec does not");
}

/*
 * Two modules, each asked twice in turns: every answer must come from the
 * module named (one static handle answered every name with the first one's).
 */
static void modules_by_name(void)
{
    const dest_kind fake = {.name = "fakedest", .flags = DEST_MODULE};
    const dest_kind missing = {.name = "nosuchdest", .flags = DEST_MODULE};
    const dest_kind *pg = dest_kind_of("postgresql://u@h/db");
    dest_open_opts opts = {0};
    dest *d = NULL;
    ch_error err;
    setenv("CONNECTOR_HOST_MODULE_DIR", TEST_MODULE_DIR, 1);
    for (int round = 0; round < 2; round++) {
        ok(dest_module_check(&fake, "fakedest:x", &err) == CH_ERROR, "round %d: fake checks",
           round);
        is_str(err.msg, "fakedest checked 'fakedest:x'", "round %d: the fake module answered",
               round);
        ok(dest_module_check(pg, "postgresql://u@h/db?bogus=1", &err) == CH_ERROR,
           "round %d: postgresql refuses a bad parameter", round);
        has_str(err.msg, "bogus", "round %d: the postgresql module answered, not the fake", round);
        ok(dest_module_open(&fake, "fakedest:y", &opts, &d, &err) == CH_ERROR,
           "round %d: fake opens", round);
        is_str(err.msg, "fakedest opened 'fakedest:y'", "round %d: the fake module's open ran",
               round);
    }
    ok(dest_module_check(&missing, "nosuchdest:z", &err) == CH_ERROR, "a missing module fails");
    has_str(err.msg, "the nosuchdest destination module is missing or broken",
            "the missing module is named");
    ok(dest_module_check(&fake, "fakedest:x", &err) == CH_ERROR &&
           strstr(err.msg, "fakedest checked") != NULL,
       "a missing module leaves the loaded ones working");
}

int main(void)
{
    kinds_by_scheme();
    unknown_lists_every_kind();
    flags_match("sqlite::memory:");
    flags_match("jsonl:/dev/null");
    stdout_specs();
    modules_by_name();
    return tap_done();
}

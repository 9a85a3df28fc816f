/* badschema.c - a schema with several declaration errors, all to be reported. */
#include <connector-host.h>

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "orders");
    (void)config;
    ch_table_primary_key(t, "order_id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "amount", "DECIMAL(40,2)");
    ch_table_column(t, "note", "TEXTY");
    ch_table_column(t, "id", "STRING");
    ch_schema_table(s, "orders");
    return CH_OK;
}

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return ch_fail(sync, "must never run: the schema is invalid");
}

static const ch_connector badschema = {
    .name = "badschema",
    .description = "Declares an invalid schema",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &badschema);
}
